"""Routes outside the resources: the manifest and the health checks (no auth)."""

from __future__ import annotations

from functools import partial
from typing import Any

import orjson
from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import Response

from edm.errors import ServiceUnavailable
from edm.manifest import manifest_json
from edm.server.problems import DATABASE_RETRY_AFTER_S, problem_response, request_id_of
from edm.server.serialize import JSONResponse
from edm.store.database import Database
from edm.store.migrate import is_up_to_date

NO_AUTH: dict[str, Any] = {"security": []}


def _not_ready(request: Request, detail: str, code: str) -> Response:
    error = ServiceUnavailable(
        detail, code=code, headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)}
    )
    return problem_response(error, request_id_of(request))


def meta_router(db: Database) -> APIRouter:
    router = APIRouter(tags=["Meta"])
    manifest_body = orjson.dumps(manifest_json())

    @router.get(
        "/api/v1/manifest",
        operation_id="manifest-get",
        summary="The resource manifest: every resource, field and operation.",
        openapi_extra=NO_AUTH,
    )
    async def manifest() -> Response:
        return Response(manifest_body, media_type="application/json")

    @router.get(
        "/healthz", operation_id="health-live", summary="The process is up.", openapi_extra=NO_AUTH
    )
    async def healthz() -> Response:
        return JSONResponse({"status": "ok"})

    @router.get(
        "/readyz",
        operation_id="health-ready",
        summary="The database is reachable and its schema is the newest.",
        openapi_extra=NO_AUTH,
    )
    async def readyz(request: Request) -> Response:
        try:
            migrated = await db.run(partial(is_up_to_date, db.engine), reads_only=True)
        except SQLAlchemyError:
            return _not_ready(request, "The database is unreachable", "database_unavailable")
        if not migrated:
            return _not_ready(
                request,
                "The database schema is not migrated: run `edm db upgrade`",
                "database_not_migrated",
            )
        return JSONResponse({"status": "ready"})

    return router
