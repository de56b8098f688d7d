"""The resource routes served straight from the middleware stack.

`ResourceDispatcher` sits innermost among the app's middleware. A request
whose method and path match one of the manifest's resource routes goes to
its handler directly; errors the handler raises go to the app's exception
handlers, found by class as Starlette finds them. Everything else (meta
routes, the playground, the OpenAPI document, 404s and 405s) continues to
FastAPI's exception middleware and router as before.

Starlette's router tries the app's routes one by one, and a request then
passes its exception middleware, FastAPI's exit-stack middleware and the
route's request wrapper: an eighth of the in-app CPU of a `GET` by id
(docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from inspect import isawaitable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

Handler = Callable[[Request], Awaitable[Response]]
ExceptionHandler = Callable[[Request, Any], Response | Awaitable[Response]]


class ResourceDispatcher:
    """ASGI middleware: `routes` served directly, all else passed to `app`."""

    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[Route],
        exception_handlers: Mapping[Any, ExceptionHandler],
    ) -> None:
        self.app = app
        self._routes_by_method: dict[str, list[Route]] = {}
        for route in routes:
            for method in route.methods or ():
                self._routes_by_method.setdefault(method, []).append(route)
        self._exception_handlers = {
            cls: handler for cls, handler in exception_handlers.items() if isinstance(cls, type)
        }

    def _match(self, scope: Scope) -> tuple[Handler, dict[str, Any]] | None:
        for route in self._routes_by_method.get(scope["method"], ()):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return route.endpoint, child_scope["path_params"]
        return None

    def _exception_handler(self, exc: Exception) -> ExceptionHandler | None:
        for cls in type(exc).__mro__:
            if (handler := self._exception_handlers.get(cls)) is not None:
                return handler
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        matched = self._match(scope) if scope["type"] == "http" else None
        if matched is None:
            await self.app(scope, receive, send)
            return
        endpoint, scope["path_params"] = matched
        request = Request(scope, receive)
        try:
            response = await endpoint(request)
        except Exception as exc:
            handler = self._exception_handler(exc)
            if handler is None:
                raise
            handled = handler(request, exc)
            response = await handled if isawaitable(handled) else handled
        await response(scope, receive, send)
