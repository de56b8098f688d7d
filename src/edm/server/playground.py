"""The playground: a static page at `/playground` that renders the manifest.

Everything the page shows comes from `GET /api/v1/manifest`; this module
only serves the files shipped in `static/playground/` (HTML, CSS and ES
modules, no build step) under a strict Content-Security-Policy, plus a tiny
`config.json` telling the page whether the development token endpoint
exists.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edm.server.dev_tokens import DEV_TOKEN_PATH, install_dev_tokens
from edm.server.serialize import JSONResponse
from edm.settings import Settings

STATIC_DIR = Path(__file__).parent / "static" / "playground"
PAGE_PATH = "/playground"
ASSETS_PATH = f"{PAGE_PATH}/assets"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
# The assets carry no fingerprint in their names, so browsers revalidate
# them (cheaply, by ETag) instead of running a stale script after an upgrade.
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-cache",
}


class _WithHeaders:
    """Adds fixed headers to every response of the wrapped ASGI app."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(self.headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_playground(app: FastAPI, settings: Settings) -> None:
    """Serve the page, its assets and its config; in dev mode, the token endpoint too."""
    page = (STATIC_DIR / "index.html").read_bytes()
    config = {
        "dev_mode": settings.dev_mode,
        "dev_token_path": DEV_TOKEN_PATH if settings.dev_mode else None,
    }

    @app.get(PAGE_PATH, include_in_schema=False)
    async def playground_page() -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    @app.get(f"{PAGE_PATH}/config.json", include_in_schema=False)
    async def playground_config() -> Response:
        return JSONResponse(config, headers=PAGE_HEADERS)

    app.mount(
        ASSETS_PATH,
        _WithHeaders(StaticFiles(directory=STATIC_DIR), PAGE_HEADERS),
        name="playground-assets",
    )
    if settings.dev_mode:
        install_dev_tokens(app, settings)
