"""The ASGI application: `create_app()` wires settings, storage, auth and routes."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.telemetry import TelemetryConfig
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from edm.errors import BadRequest, EDMError
from edm.helpdesk.services import build_services
from edm.manifest import API_KEYS, BATCH_KINDS, RESOURCES
from edm.platform.services import build_services as build_platform_services
from edm.server.api_keys import Credentials
from edm.server.auth import TokenVerifier
from edm.server.dispatch import ResourceDispatcher
from edm.server.idempotency import IdempotencyGuard
from edm.server.key_routes import KeyRoutes
from edm.server.meta import meta_router
from edm.server.middleware import (
    BodySizeLimitMiddleware,
    HeaderLimitMiddleware,
    RequestContextMiddleware,
)
from edm.server.oauth import token_route
from edm.server.openapi import install_openapi
from edm.server.playground import install_playground
from edm.server.problems import (
    database_error_handler,
    edm_error_handler,
    http_exception_handler,
    pool_timeout_handler,
    problem_response,
    request_id_of,
)
from edm.server.ratelimit import MemoryCounter, RateLimiter, RedisCounter
from edm.server.routes import ResourceRoutes
from edm.server.signing import cursor_key
from edm.settings import Settings
from edm.store.credentials import CredentialStore
from edm.store.cursor import CursorCodec
from edm.store.database import Database
from edm.store.idempotency import IdempotencyStore

API_VERSION = "1.0.0"
TELEMETRY_OFF = TelemetryConfig(tracing=False, metrics=False, logs=False)
# In-process counters per window: tenant+app keys come from verified tokens
# only; client addresses are the caller's to choose, so they get fewer.
TENANT_COUNTERS = 100_000
ADDRESS_COUNTERS = 10_000
DESCRIPTION = (
    "EDM, an API-first helpdesk. Every resource, field and operation below is derived from "
    "the manifest served at /api/v1/manifest. Errors are RFC 9457 problem+json documents."
)


async def _request_validation_handler(request: Request, exc: Exception) -> Response:
    return problem_response(BadRequest(f"Invalid request: {exc}"), request_id_of(request))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    db = Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        app_role=settings.db_app_role,
        event_loop=True,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
    verifier = TokenVerifier(settings)
    codec = CursorCodec(cursor_key(settings))

    shared = RedisCounter(settings.redis_url) if settings.redis_url else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # What exists at startup (the app, the manifest, SQLAlchemy's and
        # pydantic's structures) lives as long as the process: kept out of
        # the collector, a full collection is no longer a long pause that
        # stalls every request in flight (docs/performance.md).
        gc.collect()
        gc.freeze()
        yield
        gc.unfreeze()
        if shared is not None:
            await shared.close()
        await db.aclose()

    # FastAPI looks for configured OpenTelemetry providers on every request,
    # which cost a tenth of a GET's CPU: only when asked to.
    telemetry = None if settings.opentelemetry else TELEMETRY_OFF
    app = FastAPI(
        title="EDM API",
        version=API_VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        telemetry=telemetry,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.verifier = verifier
    credentials = Credentials(verifier, CredentialStore(db))
    app.state.credentials = credentials
    app.state.issued_tokens = verifier.issued
    app.state.rate_limiter = RateLimiter(
        shared or MemoryCounter(TENANT_COUNTERS),
        settings.rate_limit_requests,
        settings.rate_limit_window_seconds,
        scope="tenant",
        what="requests",
    )
    app.state.auth_failures = RateLimiter(
        shared or MemoryCounter(ADDRESS_COUNTERS),
        settings.auth_failures_per_minute,
        60,  # the setting counts per minute
        scope="auth-failures",
        what="failed authentications from one address",
    )
    services = build_services(db) | build_platform_services(db)
    app.state.services = services
    idempotency = IdempotencyGuard(IdempotencyStore(db))
    resource_routes = [
        (KeyRoutes if res is API_KEYS else ResourceRoutes)(
            res,
            services[res.name],
            codec,
            idempotency,
            settings.max_page_bytes,
            # A changed application or key stops working here at once, elsewhere within seconds.
            after_change=credentials.forget if res.domain == API_KEYS.domain else None,
        )
        for res in RESOURCES
    ]
    served_directly = [route for routes in resource_routes for route in routes.routes()]
    served_directly.append(token_route())
    app.router.routes.extend(served_directly)

    app.include_router(meta_router(db))

    app.add_exception_handler(EDMError, edm_error_handler)
    app.add_exception_handler(HTTPException, http_exception_handler)
    app.add_exception_handler(RequestValidationError, _request_validation_handler)
    app.add_exception_handler(DBAPIError, database_error_handler)
    app.add_exception_handler(PoolTimeout, pool_timeout_handler)
    # Added first, so innermost: the middleware added below wraps what it serves too.
    app.add_middleware(
        ResourceDispatcher, routes=served_directly, exception_handlers=app.exception_handlers
    )
    batch_paths = {
        res.path + op.path_suffix: settings.max_batch_body_bytes
        for res in RESOURCES
        for op in res.operations
        if op.kind in BATCH_KINDS
    }
    app.add_middleware(
        BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes, path_limits=batch_paths
    )
    app.add_middleware(
        HeaderLimitMiddleware,
        max_bytes=settings.max_header_bytes,
        max_total_bytes=settings.max_head_bytes,
        max_count=settings.max_header_count,
    )
    app.add_middleware(RequestContextMiddleware)
    install_playground(app, settings)
    install_openapi(app, {routes.res.name: routes.list_params for routes in resource_routes})
    return app
