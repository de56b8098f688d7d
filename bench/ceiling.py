"""The ceilings: trivial endpoints served the way `edm serve` serves EDM.

Both answer a ticket-sized JSON document (`GET /ticket`), parse a JSON
body and answer the document (`POST /ticket`, 201), and a page of 50 of
them (`GET /list`), on the same uvicorn with the same worker count.

- `app`, *the ceiling*: the trivial endpoint of the issue that set the
  targets, on EDM's server stack: a FastAPI app whose handlers return the
  document and let FastAPI encode it. Targets are ratios of this one.
- `bare`, *the bare ceiling*: a raw ASGI callable that only encodes the
  document with orjson: what uvicorn alone allows, with no framework at
  all. EDM is reported against it too, so the cost of the framework
  itself stays visible.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI

# A ticket as EDM returns it (894 bytes encoded): every manifest field.
TICKET: dict[str, Any] = {
    "id": "tkt_01M8CE5119ZYAG146TBJ24FZ8Y",
    "tenant_id": "acme",
    "app_id": None,
    "created_at": "2026-11-26T17:23:47.881093Z",
    "updated_at": "2026-11-26T17:23:47.881093Z",
    "created_by": "0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10",
    "updated_by": "0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10",
    "source": "edm",
    "source_type": "api",
    "is_deleted": False,
    "deleted_at": None,
    "deleted_by": None,
    "schema_version": 1,
    "number": "TKT-0001",
    "title": "Printer very slow",
    "description": "Printer on host srv-qzkfa very slow since this morning; for the whole team.",
    "type": "incident",
    "status": "open",
    "priority": "high",
    "category": "Hardware",
    "submitted_by_id": "0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10",
    "assigned_to_id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
    "team_id": "1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6",
    "sla_policy": None,
    "first_response_at": None,
    "resolved_at": None,
    "due_at": None,
    "related_asset_id": None,
    "related_vulnerability_id": None,
    "tags": ["vip"],
}
PAGE = {"data": [TICKET] * 50, "has_more": True, "next_cursor": "x" * 120}


async def read_body(receive: Any) -> bytes:
    """The request's whole body."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def send_json(send: Any, status: int, body: bytes) -> None:
    """Send `body`, already JSON, as the whole response."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _respond(send: Any, status: int, content: Any) -> None:
    await send_json(send, status, orjson.dumps(content))


async def serve_lifespan(receive: Any, send: Any) -> None:
    """Acknowledge the server's startup and shutdown: there is nothing to set up."""
    while (await receive())["type"] != "lifespan.shutdown":
        await send({"type": "lifespan.startup.complete"})
    await send({"type": "lifespan.shutdown.complete"})


async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await serve_lifespan(receive, send)
        return
    route = (scope["method"], scope["path"])
    if route == ("GET", "/ticket"):
        await _respond(send, 200, TICKET)
    elif route == ("POST", "/ticket"):
        orjson.loads(await read_body(receive))
        await _respond(send, 201, TICKET)
    elif route == ("GET", "/list"):
        await _respond(send, 200, PAGE)
    else:
        await _respond(send, 404, {"detail": "not found"})


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/ticket")
async def get_ticket() -> dict[str, Any]:
    return TICKET


@app.post("/ticket", status_code=201)
async def post_ticket(_ticket: dict[str, Any]) -> dict[str, Any]:
    return TICKET


@app.get("/list")
async def get_list() -> dict[str, Any]:
    return PAGE
