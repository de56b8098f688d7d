"""The dispatcher answers its routes itself and hands everything else on unchanged."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from edm.errors import EDMError, NotFound
from edm.server.dispatch import ResourceDispatcher

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient


class Teapot(Exception):
    """An error no handler is registered for."""


async def show(request: Request) -> Response:
    return JSONResponse({"id": request.path_params["id"]})


async def missing(request: Request) -> Response:
    raise NotFound(f"thing {request.path_params['id']} not found")


async def broken(_request: Request) -> Response:
    raise Teapot


async def edm_error(_request: Request, exc: EDMError) -> Response:
    return PlainTextResponse(f"handled: {exc.detail}", status_code=exc.status)


class Fallback:
    """The rest of the app: records what reaches it."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen.append((scope["method"], scope["path"]))
        await PlainTextResponse("fallback", status_code=418)(scope, receive, send)


@pytest.fixture
def fallback() -> Fallback:
    return Fallback()


@pytest.fixture
def client(fallback: Fallback) -> TestClient:
    routes = [
        Route("/things/{id}", show, methods=["GET"]),
        Route("/things/{id}/missing", missing, methods=["POST"]),
        Route("/things/{id}/broken", broken, methods=["POST"]),
    ]
    # As in an app's handlers: by class, and by status code, which the dispatcher leaves alone.
    handlers: dict[Any, Any] = {EDMError: edm_error, 500: edm_error}
    dispatcher = ResourceDispatcher(fallback, routes, handlers)
    return TestClient(dispatcher, raise_server_exceptions=True)


def test_a_matching_request_is_answered_by_its_route_with_its_path_parameters(
    client: TestClient, fallback: Fallback
) -> None:
    response = client.get("/things/TKT-0042")

    assert response.status_code == 200 and response.json() == {"id": "TKT-0042"}
    assert fallback.seen == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/things/1"), ("GET", "/things"), ("GET", "/other/1"), ("GET", "/things/1/x")],
    ids=["other method", "shorter path", "other path", "longer path"],
)
def test_anything_else_goes_on_to_the_app(
    client: TestClient, fallback: Fallback, method: str, path: str
) -> None:
    response = client.request(method, path)

    assert response.status_code == 418
    assert fallback.seen == [(method, path)]


def test_an_error_goes_to_the_handler_registered_for_one_of_its_classes(
    client: TestClient, fallback: Fallback
) -> None:
    response = client.post("/things/7/missing")

    assert (response.status_code, response.text) == (404, "handled: thing 7 not found")
    assert fallback.seen == []


def test_an_error_without_a_handler_propagates_to_the_middleware_above(
    client: TestClient,
) -> None:
    with pytest.raises(Teapot):
        client.post("/things/7/broken")
