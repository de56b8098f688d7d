"""`Idempotency-Key` on POST: run once, answer every replay with the first response.

A successful write stores its response in the write's own transaction, so
the record and the answer to replays commit together or not at all. Other
outcomes (4xx errors) are stored afterwards; a 5xx releases the key so the
client's retry can run again. The same key with a different request is a
422; a replay while the first is still running is a 409 with `Retry-After`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from functools import partial

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import Response

from edm.errors import BadRequest, Conflict, EDMError, FieldError, ValidationFailed
from edm.identity import Principal
from edm.server.problems import problem_response, request_id_of
from edm.store.idempotency import ClaimState, IdempotencyStore, StoredResponse
from edm.timestamps import utcnow

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255
# Visible ASCII: what any HTTP stack carries unchanged (surrounding spaces are stripped in
# transit, other bytes are decoded differently by different clients).
KEY_PATTERN = f"^[!-~]{{1,{MAX_KEY_LENGTH}}}$"
_KEY = re.compile(KEY_PATTERN)
_REPLAYED_HEADERS = ("content-type", "location", "etag")


def _key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _KEY.fullmatch(key):
        raise BadRequest(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters",
            errors=[FieldError("Idempotency-Key", "invalid", "bad idempotency key")],
            code="invalid_idempotency_key",
        )
    return key


async def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}?{request.url.query}\n".encode())
    digest.update(await request.body())
    return digest.hexdigest()


def _replay(stored: StoredResponse) -> Response:
    return Response(
        stored.body,
        status_code=stored.status,
        headers={**stored.headers, "Idempotent-Replayed": "true"},
    )


class Recorder:
    """Stores a write's response inside the write's transaction."""

    def __init__(self, store: IdempotencyStore, principal: Principal, key: str) -> None:
        self._store, self._principal, self._key = store, principal, key
        self.recorded = False

    def __call__(self, conn: Connection, response: StoredResponse) -> None:
        self._store.complete_in(conn, self._principal, self._key, response)
        self.recorded = True


Handler = Callable[[Recorder | None], Awaitable[Response]]


class IdempotencyGuard:
    def __init__(self, store: IdempotencyStore) -> None:
        self.store = store

    async def run(self, request: Request, principal: Principal, handler: Handler) -> Response:
        """Run `handler` once per key; it passes the recorder to its write, if any."""
        key = _key(request)
        if key is None:
            return await handler(None)
        fingerprint = await _fingerprint(request)
        claim = await self.store.db.run(
            partial(self.store.claim, principal, key, fingerprint, utcnow())
        )
        if claim.state is ClaimState.REPLAY and claim.response is not None:
            return _replay(claim.response)
        if claim.state is ClaimState.MISMATCH:
            raise ValidationFailed(
                [
                    FieldError(
                        "Idempotency-Key",
                        "key_reused",
                        "this key was used with a different request",
                    )
                ]
            )
        if claim.state is ClaimState.IN_PROGRESS:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed",
                code="idempotency_in_progress",
                headers={"Retry-After": "1"},
            )
        recorder = Recorder(self.store, principal, key)
        try:
            try:
                response = await handler(recorder)
            except EDMError as error:
                response = problem_response(error, request_id_of(request))
        except BaseException:
            await self.store.db.run(partial(self.store.release, principal, key))
            raise
        if recorder.recorded:
            return response
        if response.status_code >= 500:
            await self.store.db.run(partial(self.store.release, principal, key))
            return response
        headers = {
            name: response.headers[name] for name in _REPLAYED_HEADERS if name in response.headers
        }
        stored = StoredResponse(response.status_code, headers, bytes(response.body))
        await self.store.db.run(partial(self.store.complete, principal, key, stored))
        return response
