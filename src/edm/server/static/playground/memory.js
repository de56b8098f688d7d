// Ids of records made in this session, offered to path parameters: after
// creating a ticket, `{id}` of the ticket operations and `{ticket_id}` of
// nested resources are filled in (unless the person typed something else).

import { singular } from "./manifest.js";

const latest = new Map();
const listeners = new Set();

/** The memory key of a resource's own records: `ticket_id` for tickets. */
export function recordKey(res) {
  return `${singular(res)}_id`;
}

export function rememberRecord(res, record) {
  const key = recordKey(res);
  latest.set(key, record.id);
  for (const listener of listeners) listener(key, record.id);
}

/** Call `listener(key, id)` for every remembered id now and each new one later. */
export function onRecordId(listener) {
  listeners.add(listener);
  for (const [key, id] of latest) listener(key, id);
}
