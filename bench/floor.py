"""The floor: the least a get by id that reads the database can cost on this stack.

    python -m bench.floor [--tickets 1000] [--duration 10] [--repeat 5]

A bare ASGI app on the same uvicorn and worker count as `edm serve`, whose
`GET /tickets/{id}` compares the Authorization header with one string,
runs EDM's own lookup on SQLite through the standard library's `sqlite3`
(the ticket's JSON built by the database with EDM's `record_json` SQL,
index on `(tenant_id, id)`) and sends the result. No framework, no
SQLAlchemy, no validation, no scoping beyond the tenant, no rate limit, no
ETag: it is not a server anyone should run, it bounds what any Python
implementation of the endpoint on this stack could reach. The bench
measures it against the bare ceiling's `GET` in one run, with the same wrk
settings and request file as EDM's `get_id`.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.dialects import sqlite

from bench.ceiling import send_json, serve_lifespan
from bench.dataset import TENANT, BenchDatabase, Request, get_requests, seed_database
from bench.load import Load, Replay, Target, ensure_wrk, measure, write_requests
from bench.processes import Server, free_port
from bench.report import rate, spread, times
from edm.helpdesk.tickets import TICKETS
from edm.server.auth import mint_token
from edm.store.record_json import record_json

DATABASE_ENV = "EDM_FLOOR_DATABASE"
TOKEN_ENV = "EDM_FLOOR_AUTHORIZATION"
PREFIX = TICKETS.path + "/"
QUERY = (
    f"SELECT {record_json(TICKETS, sqlite.dialect())} FROM tickets "
    "WHERE tenant_id = ? AND id = ? AND is_deleted = 0"
)

_connection: sqlite3.Connection | None = None


def _database() -> sqlite3.Connection:
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(os.environ[DATABASE_ENV], check_same_thread=False)
    return _connection


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await serve_lifespan(receive, send)
        return
    path: str = scope["path"]
    if path == "/healthz":
        await send_json(send, 200, b"{}")
        return
    authorization = dict(scope["headers"]).get(b"authorization", b"").decode()
    if authorization != os.environ[TOKEN_ENV]:
        await send_json(send, 401, b"{}")
        return
    row = _database().execute(QUERY, (TENANT, path.removeprefix(PREFIX))).fetchone()
    if row is None:
        await send_json(send, 404, b"{}")
    else:
        await send_json(send, 200, row[0].encode())


def _server(name: str, module: str, workdir: Path, env: dict[str, str]) -> Server:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        module,
        "--port",
        str(port),
        "--workers",
        "2",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return Server.start(name, command, {**os.environ, **env}, port, workdir / f"{name}.log")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    load = Load(16, 1, args.duration, args.warmup, args.repeat)
    wrk = ensure_wrk()
    token = f"Bearer {mint_token('floor-secret-' + 'x' * 32, tenant_id=TENANT, subject='floor')}"
    with tempfile.TemporaryDirectory(prefix="edm-floor-") as tmp:
        workdir = Path(tmp)
        db = BenchDatabase.create("sqlite", workdir, "")
        db.migrate()
        seed_database(db, args.tickets, 0)
        gets = get_requests(db, args.tickets, random.Random(1))
        path = db.url.removeprefix("sqlite:///")
        servers: list[tuple[str, str, list[Request]]] = [
            ("bare ceiling", "bench.ceiling:bare", [("GET", "/ticket", None)]),
            ("floor", "bench.floor:app", gets),
        ]
        results = []
        for name, module, lines in servers:
            server = _server(name, module, workdir, {DATABASE_ENV: path, TOKEN_ENV: token})
            try:
                target = Target(wrk, server.url, [f"Authorization: {token}"], server.pids())
                replay = Replay(write_requests(workdir / f"{name}.txt", lines))
                results.append(measure(f"{name} get", target, replay, load))
            finally:
                server.stop()
        ceiling, floor = results
        for result in (ceiling, floor):
            print(
                f"{result.op:<14} {rate(result.rps):>9} req/s ({spread(result.runs_rps)})  "
                f"p50 {result.p50_ms:.2f} ms  p99 {result.p99_ms:.2f} ms  errors {result.errors}  "
                f"server cpu {result.server_cpu_ms:.3f} ms/req"
            )
        print(f"floor / bare ceiling: {times(floor.rps / ceiling.rps)}x")


if __name__ == "__main__":
    main()
