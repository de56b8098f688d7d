"""One set of routes serves every resource of the manifest.

For each resource: list, get, create, update, delete and its actions
(`POST /{id}/<action>`), all delegating to the resource's service. Access
rules live in the service and the scoping function, not here.

These are plain Starlette routes whose handlers take the request alone:
FastAPI's per-request dependency solving cost more than the rest of a
`GET` (docs/performance.md). The OpenAPI document describes them from the
manifest (`edm.server.openapi`), not from handler signatures.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import orjson
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from edm.batch import Batches
from edm.errors import FieldError, Unauthorized, ValidationFailed
from edm.identity import Principal
from edm.manifest import BATCH_KINDS, Operation, OperationKind, Resource
from edm.server.batch import BatchRoutes
from edm.server.body import read_json_object, validate_fields
from edm.server.idempotency import IdempotencyGuard, Recorder
from edm.server.models import models_for
from edm.server.query import ListParams, check_known, parse_bool
from edm.server.ratelimit import client_address
from edm.server.record_keys import checked_key
from edm.service import OnCommit, Record, ResourceService, etag_of
from edm.store.cursor import CursorCodec
from edm.store.idempotency import StoredResponse
from edm.store.reads import ReadRow

T = TypeVar("T")
# A write to run (`Database.run`) and the values its response alone shows (a new key's secret).
Work = tuple[Callable[[], Record], dict[str, Any]]


class _NotBatch(Convertor[str]):
    """A record key other than `batch`, the path of a resource's batch operations."""

    regex = "(?!batch$)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("not_batch", _NotBatch())


async def authenticate(request: Request, *, cost: int = 1) -> Principal:
    """The verified caller, counted `cost` requests against its tenant+app
    rate limit (a batch is charged once its items are counted: `charge`).

    Credentials that fail count against the client's address instead, and
    beyond that limit the failure is a 429. Only failures are counted and
    refused, so valid callers from a busy address are served as usual.
    """
    state = request.app.state
    try:
        principal: Principal = await state.credentials.principal(
            request.headers.get("authorization")
        )
    except Unauthorized:
        await state.auth_failures.count(client_address(request))
        raise
    if cost:
        await charge(request, principal, cost)
    return principal


async def charge(request: Request, principal: Principal, cost: int) -> None:
    """Count `cost` requests against the caller's rate limit; 429 beyond it."""
    quota = await request.app.state.rate_limiter.check(principal, cost)
    if quota is not None:
        request.state.rate_limit_headers = quota.headers()


def _record_key(res: Resource, request: Request) -> str:
    return checked_key(res, request.path_params["id"])


class ResourceRoutes:
    """The HTTP handlers of one resource."""

    def __init__(
        self,
        res: Resource,
        service: ResourceService,
        codec: CursorCodec,
        idempotency: IdempotencyGuard,
        max_page_bytes: int,
        *,
        after_change: Callable[[], None] | None = None,
    ) -> None:
        self.res = res
        self.max_page_bytes = max_page_bytes
        self.service = service
        self.idempotency = idempotency
        # Runs once a change has committed (e.g. forgetting cached credentials).
        self.after_change = after_change
        self.models = models_for(res)
        self.list_params = ListParams(res, codec)
        batched = any(op.kind in BATCH_KINDS for op in res.operations)
        self.batch = (
            BatchRoutes(res, Batches(service), idempotency, authenticate, charge)
            if batched
            else None
        )

    def _stored(self, record: Record, status: int, headers: dict[str, str]) -> StoredResponse:
        """The response for `record`, as an idempotent replay will send it."""
        return StoredResponse(
            status,
            {"content-type": "application/json", "etag": etag_of(record), **headers},
            record.record_json.encode(),
        )

    def _record_response(
        self,
        record: ReadRow,
        status: int = 200,
        revealed: dict[str, Any] | None = None,
        **headers: str,
    ) -> Response:
        """The record; with `revealed`, values this response alone shows, which
        an idempotent replay (`_stored`) leaves out."""
        stored = self._stored(record, status, headers)
        body = stored.body
        if revealed:
            body = orjson.dumps({**orjson.loads(body), **revealed})
        return Response(body, status_code=status, headers=stored.headers)

    def _changed(self) -> None:
        if self.after_change is not None:
            self.after_change()

    def create_work(
        self,
        principal: Principal,
        values: dict[str, Any],
        parent_key: str | None,
        on_commit: OnCommit | None,
    ) -> Work:
        """The write creating a record; a resource with revealed fields overrides it."""
        return self.service.creation(principal, values, parent_key, on_commit=on_commit), {}

    def action_work(
        self,
        name: str,
        principal: Principal,
        key: str,
        parent_key: str | None,
        fields: dict[str, Any],
        *,
        if_match: str | None,
        on_commit: OnCommit | None,
    ) -> Work:
        """The write of the action `name`; a resource whose actions take fields overrides it."""
        work = partial(
            self.service.run_action, name, principal, key, if_match=if_match, on_commit=on_commit
        )
        return work, {}

    def _on_commit(
        self, recorder: Recorder | None, status: int, headers: Callable[[Record], dict[str, str]]
    ) -> OnCommit | None:
        """Record the response for `recorder` inside the write's transaction."""
        if recorder is None:
            return None
        return lambda conn, record: recorder(conn, self._stored(record, status, headers(record)))

    def _location(self, record: Record) -> dict[str, str]:
        if not self.res.has_operation("get"):
            return {}
        path = self.res.path
        if self.res.parent is not None:
            parent_id = getattr(record, self.res.parent.field)
            path = path.replace(f"{{{self.res.parent.param}}}", parent_id)
        return {"Location": f"{path}/{record.id}"}

    async def _write(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self.service.db.run(partial(work, *args, **kwargs))

    def _parent_key(self, request: Request) -> str | None:
        if self.res.parent is None:
            return None
        return checked_key(self.res.parent.resource, request.path_params[self.res.parent.param])

    async def list(self, request: Request) -> Response:
        principal = await authenticate(request)
        query = self.list_params.parse(request.query_params, principal)
        page = await self.service.list(
            principal, query, self._parent_key(request), max_bytes=self.max_page_bytes
        )
        next_cursor = None
        if page.last_position is not None:
            order = ("-" if query.descending else "") + query.order_field
            next_cursor = self.list_params.encode_cursor(principal, order, page.last_position)
        body = {
            "data": [orjson.Fragment(text) for text in page.records_json],
            "has_more": page.has_more,
            "next_cursor": next_cursor,
        }
        return Response(orjson.dumps(body), media_type="application/json")

    async def get(self, request: Request) -> Response:
        principal = await authenticate(request)
        check_known(request.query_params, {"include_deleted"})
        include_deleted = parse_bool(request.query_params, "include_deleted")
        record = await self.service.get(
            principal,
            _record_key(self.res, request),
            include_deleted=include_deleted,
            parent_key=self._parent_key(request),
        )
        return self._record_response(record)

    async def create(self, request: Request) -> Response:
        principal = await authenticate(request)

        async def perform(recorder: Recorder | None) -> Response:
            check_known(request.query_params, set())
            body = await read_json_object(request, required=True)
            values = validate_fields(self.res, self.models.create, body or {})
            creation, revealed = self.create_work(
                principal,
                values,
                self._parent_key(request),
                self._on_commit(recorder, 201, self._location),
            )
            record = await self.service.db.run(creation)
            self._changed()
            return self._record_response(record, 201, revealed, **self._location(record))

        return await self.idempotency.run(request, principal, perform)

    async def update(self, request: Request) -> Response:
        principal = await authenticate(request)
        check_known(request.query_params, set())
        body = await read_json_object(request, required=True)
        changes = validate_fields(self.res, self.models.update, body or {})
        record = await self._write(
            self.service.update,
            principal,
            _record_key(self.res, request),
            changes,
            if_match=request.headers.get("if-match"),
        )
        self._changed()
        return self._record_response(record)

    async def delete(self, request: Request) -> Response:
        principal = await authenticate(request)
        check_known(request.query_params, set())
        record = await self._write(
            self.service.delete,
            principal,
            _record_key(self.res, request),
            if_match=request.headers.get("if-match"),
        )
        self._changed()
        return self._record_response(record)

    def _action_fields(self, name: str, body: dict[str, Any] | None) -> dict[str, Any]:
        model = self.models.actions.get(name)
        if model is None:
            if body:
                raise ValidationFailed(
                    [FieldError(k, "unknown_field", f"{name} takes no fields") for k in body]
                )
            return {}
        return model.model_validate(validate_fields(self.res, model, body or {})).model_dump()

    def action(self, name: str) -> Any:
        async def run(request: Request) -> Response:
            principal = await authenticate(request)

            async def perform(recorder: Recorder | None) -> Response:
                check_known(request.query_params, set())
                body = await read_json_object(request, required=False)
                work, revealed = self.action_work(
                    name,
                    principal,
                    _record_key(self.res, request),
                    self._parent_key(request),
                    self._action_fields(name, body),
                    if_match=request.headers.get("if-match"),
                    on_commit=self._on_commit(recorder, 200, lambda _record: {}),
                )
                record = await self.service.db.run(work)
                self._changed()
                return self._record_response(record, 200, revealed)

            return await self.idempotency.run(request, principal, perform)

        return run

    def handler(self, op: Operation) -> Any:
        if op.kind is OperationKind.ACTION:
            return self.action(op.name)
        if op.kind in BATCH_KINDS:
            assert self.batch is not None, "a resource with batch operations has batch routes"
            return getattr(self.batch, op.kind.value)
        return getattr(self, op.kind.value)

    def routes(self) -> tuple[Route, ...]:
        """One route per manifest operation of the resource. Beside batch
        operations, `{id}` does not match `batch` (so `…/batch` allows only
        its own methods)."""
        return tuple(
            Route(self._route_path(op), self.handler(op), methods=[op.method])
            for op in self.res.operations
        )

    def _route_path(self, op: Operation) -> str:
        path = self.res.path + op.path_suffix
        return path.replace("{id}", "{id:not_batch}") if self.batch is not None else path
