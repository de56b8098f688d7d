"""The HTTP handlers of a resource's batch operations (SPEC 11).

`POST …/batch` takes `{"items": [create bodies], "atomic": false,
"preserve_timestamps": false}`, `PATCH …/batch` takes `{"items": [{"id",
"if_match", "changes"}], "atomic": false}`; both answer `200` with
`{"data": [{"status": 201|200, "data": record} | {"status": 4xx, "error":
problem}]}` in item order, or, for an atomic batch with a failed item, that
failure (`edm.batch.atomic_failure`). Each item costs one request of the
caller's rate limit, charged for the whole batch before it runs (a batch
the quota cannot cover is refused whole, uncharged). One `Idempotency-Key`
covers a batch create.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from pydantic import AwareDatetime, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from edm.batch import Batches, NewItem, Outcome, UpdateItem
from edm.errors import EDMError, FieldError, Forbidden, ValidationFailed
from edm.identity import Principal
from edm.manifest import Operation, OperationKind, Resource
from edm.server.body import field_errors, read_json_object, validate_fields
from edm.server.idempotency import IdempotencyGuard, Recorder
from edm.server.models import models_for
from edm.server.problems import problem_body, request_id_of
from edm.server.query import check_known
from edm.server.record_keys import checked_key
from edm.store.idempotency import StoredResponse

Authenticate = Callable[..., Any]
_STAMP = TypeAdapter(AwareDatetime)
_UPDATE_ITEM_KEYS = frozenset({"id", "if_match", "changes"})
_JSON = {"content-type": "application/json"}


def _envelope(body: dict[str, Any], op: Operation, flags: set[str]) -> tuple[list[Any], set[str]]:
    """The items of a batch body (objects) and the flags it sets; 422 for anything else."""
    errors = [
        FieldError(name, "unknown_field", "not a field of a batch")
        for name in body
        if name != "items" and name not in flags
    ]
    set_flags = set()
    for name in flags & body.keys():
        if not isinstance(body[name], bool):
            errors.append(FieldError(name, "invalid_type", "must be true or false"))
        elif body[name]:
            set_flags.add(name)
    items = body.get("items")
    limit = op.max_items or 1
    if not isinstance(items, list):
        errors.append(FieldError("items", "required", f"a list of 1 to {limit} objects"))
    elif not 1 <= len(items) <= limit:
        code = "too_few_items" if not items else "too_many_items"
        errors.append(FieldError("items", code, f"a batch holds 1 to {limit} items"))
    else:
        errors += [
            FieldError(f"items[{i}]", "invalid_type", "an item must be a JSON object")
            for i, item in enumerate(items)
            if not isinstance(item, dict)
        ]
    if errors:
        raise ValidationFailed(errors)
    assert isinstance(items, list)
    return items, set_flags


def _stamps(item: dict[str, Any], op: Operation) -> dict[str, datetime]:
    """The preserved timestamps an imported item carries, parsed (and taken out of it)."""
    stamps, errors = {}, []
    for name in op.preservable:
        if item.get(name) is None:
            item.pop(name, None)
            continue
        try:
            stamps[name] = _STAMP.validate_python(item.pop(name))
        except ValidationError as exc:
            errors += [FieldError(name, e.code, e.message) for e in field_errors(exc.errors())]
    if errors:
        raise ValidationFailed(errors)
    return stamps


class BatchRoutes:
    """The batch handlers of one resource (those its manifest declares)."""

    def __init__(
        self,
        res: Resource,
        batches: Batches,
        idempotency: IdempotencyGuard,
        authenticate: Authenticate,
        charge: Callable[[Request, Principal, int], Any],
    ) -> None:
        self.res = res
        self.batches = batches
        self.idempotency = idempotency
        self.models = models_for(res)
        self._authenticate = authenticate
        self._charge = charge

    def _operation(self, kind: OperationKind) -> Operation:
        return next(op for op in self.res.operations if op.kind is kind)

    async def _items(
        self, request: Request, principal: Principal, op: Operation, flags: set[str]
    ) -> tuple[list[Any], set[str]]:
        check_known(request.query_params, set())
        body = await read_json_object(request, required=True)
        items, set_flags = _envelope(body or {}, op, flags)
        if "preserve_timestamps" in set_flags and not principal.is_admin:
            raise Forbidden("Only admins may import tickets with preserve_timestamps")
        await self._charge(request, principal, len(items))
        return items, set_flags

    def _new_item(self, item: dict[str, Any], preserve: bool, op: Operation) -> NewItem:
        try:
            fields = dict(item)
            stamps = _stamps(fields, op) if preserve else None
            return NewItem(validate_fields(self.res, self.models.create, fields), stamps)
        except EDMError as error:
            return NewItem(error)

    def _update_item(self, item: dict[str, Any]) -> UpdateItem | EDMError:
        try:
            fields = item
            errors = [
                FieldError(name, "unknown_field", "an item has id, if_match and changes")
                for name in sorted(fields.keys() - _UPDATE_ITEM_KEYS)
            ]
            key, if_match, changes = fields.get("id"), fields.get("if_match"), fields.get("changes")
            if not isinstance(key, str) or not key:
                errors.append(FieldError("id", "required", "the id (or number) of a record"))
            if if_match is not None and not isinstance(if_match, str):
                errors.append(FieldError("if_match", "invalid_type", "an ETag, as a string"))
            if not isinstance(changes, dict):
                errors.append(FieldError("changes", "required", "an object of fields to change"))
            if errors:
                raise ValidationFailed(errors)
            assert isinstance(key, str) and isinstance(changes, dict)
            return UpdateItem(
                checked_key(self.res, key),
                validate_fields(self.res, self.models.update, changes),
                if_match,
            )
        except EDMError as error:
            return error

    def _stored(self, request: Request, outcomes: list[Outcome], status: int) -> StoredResponse:
        request_id = request_id_of(request)
        data = [
            {"status": o.status, "error": problem_body(o, request_id)}
            if isinstance(o, EDMError)
            else {"status": status, "data": orjson.Fragment(o.record_json)}
            for o in outcomes
        ]
        return StoredResponse(200, _JSON, orjson.dumps({"data": data}))

    async def batch_create(self, request: Request) -> Response:
        principal = await self._authenticate(request, cost=0)
        op = self._operation(OperationKind.BATCH_CREATE)
        flags = {"atomic"} | ({"preserve_timestamps"} if op.preservable else set())
        items, set_flags = await self._items(request, principal, op, flags)

        async def perform(recorder: Recorder | None) -> Response:
            preserve = "preserve_timestamps" in set_flags
            new_items = [self._new_item(item, preserve, op) for item in items]
            answer: list[StoredResponse] = []

            def on_commit(conn: Any, outcomes: list[Outcome]) -> None:
                answer.append(self._stored(request, outcomes, 201))
                if recorder is not None:
                    recorder(conn, answer[0])

            creation = self.batches.creation(
                principal, new_items, atomic="atomic" in set_flags, on_commit=on_commit
            )
            await self.batches.db.run(creation)
            return Response(answer[0].body, status_code=200, headers=answer[0].headers)

        return await self.idempotency.run(request, principal, perform)

    async def batch_update(self, request: Request) -> Response:
        principal = await self._authenticate(request, cost=0)
        op = self._operation(OperationKind.BATCH_UPDATE)
        items, set_flags = await self._items(request, principal, op, {"atomic"})
        updating = self.batches.updating(
            principal, [self._update_item(item) for item in items], atomic="atomic" in set_flags
        )
        stored = self._stored(request, await self.batches.db.run(updating), 200)
        return Response(stored.body, status_code=200, headers=stored.headers)
