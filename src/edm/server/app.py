"""The ASGI application: `create_app()` wires settings, storage, auth and routes."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import orjson
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from edm import __doc__ as package_doc
from edm.errors import BadRequest, EDMError, ServiceUnavailable
from edm.helpdesk.tickets import TicketService
from edm.manifest import RESOURCES, Resource, manifest_json
from edm.server.auth import TokenVerifier
from edm.server.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from edm.server.openapi import install_openapi
from edm.server.problems import (
    database_error_handler,
    edm_error_handler,
    http_exception_handler,
    problem_response,
    request_id_of,
)
from edm.server.routes import build_router
from edm.server.serialize import JSONResponse
from edm.service import ResourceService
from edm.settings import Settings
from edm.store.cursor import CursorCodec
from edm.store.database import Database

API_VERSION = "1.0.0"
# Resources with domain rules; the others get the generic service.
SERVICES: dict[str, Callable[[Database], ResourceService]] = {"tickets": TicketService}


def _cursor_key(settings: Settings) -> bytes:
    """Every replica derives the same cursor-signing key from the token key."""
    material = settings.signing_secret or (
        settings.jwt_public_key.get_secret_value() if settings.jwt_public_key else ""
    )
    return hashlib.sha256(b"edm-cursor:" + material.encode()).digest()


def _service_for(res: Resource, db: Database) -> ResourceService:
    factory = SERVICES.get(res.name)
    return factory(db) if factory else ResourceService(res, db)


async def _request_validation_handler(request: Request, exc: Exception) -> Response:
    return problem_response(BadRequest(f"Invalid request: {exc}"), request_id_of(request))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    verifier = TokenVerifier(settings)
    codec = CursorCodec(_cursor_key(settings))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        db.dispose()

    app = FastAPI(
        title="EDM API",
        version=API_VERSION,
        description=(package_doc or "").strip(),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.verifier = verifier
    services = {res.name: _service_for(res, db) for res in RESOURCES}
    app.state.services = services
    for res in RESOURCES:
        app.include_router(build_router(res, services[res.name], codec))

    manifest_body = orjson.dumps(manifest_json())

    @app.get(
        "/api/v1/manifest",
        tags=["Meta"],
        operation_id="manifest-get",
        summary="The resource manifest (no auth).",
    )
    async def manifest() -> Response:
        return Response(manifest_body, media_type="application/json")

    @app.get("/healthz", tags=["Meta"], operation_id="health-live", summary="Process is up.")
    async def healthz() -> Response:
        return JSONResponse({"status": "ok"})

    @app.get(
        "/readyz", tags=["Meta"], operation_id="health-ready", summary="Database is reachable."
    )
    async def readyz(request: Request) -> Response:
        try:
            await run_in_threadpool(db.ping)
        except SQLAlchemyError:
            error = ServiceUnavailable(
                "The database is unreachable",
                code="database_unavailable",
                headers={"Retry-After": "2"},
            )
            return problem_response(error, request_id_of(request))
        return JSONResponse({"status": "ready"})

    app.add_exception_handler(EDMError, edm_error_handler)
    app.add_exception_handler(HTTPException, http_exception_handler)
    app.add_exception_handler(RequestValidationError, _request_validation_handler)
    app.add_exception_handler(DBAPIError, database_error_handler)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    install_openapi(app)
    return app
