"""The floors: the least a get and a create can cost on this stack.

    python -m bench.floor [--databases sqlite,postgresql] [--tickets 1000] [--repeat 5]

Bare ASGI apps on the same uvicorn and worker count as `edm serve`, each
comparing the Authorization header with one string:

- `GET /tickets/{id}`, *the get floor*, runs EDM's own lookup (the
  ticket's JSON built by the database with EDM's `record_json` SQL, index
  on `(tenant_id, id)`) and sends the result: on SQLite through the
  standard library's `sqlite3`, on PostgreSQL through asyncpg connections
  (EDM's reads' driver), one per request in flight, acting as EDM's
  row-level-security role with the tenant bound to each session once (as
  EDM's reads find it bound): one round trip per request. No framework,
  no SQLAlchemy, no validation, no scoping beyond the tenant, no rate
  limit, no ETag: it is not a server anyone should run, it bounds what any
  Python implementation of the endpoint on this stack could reach.
- `POST /tickets`, *the create floor*, is EDM's write of a create without
  its HTTP layer: the body parsed, the ticket service's values and write
  (`TicketService.creation`: defaults, stamps, the SLA policy and due date,
  the number, the row, its search entry and history event) run as the
  server runs them (`Database.run`: SQLite's writes batched under the
  write lock, PostgreSQL's one statement on a kept asyncpg connection),
  and the stored JSON sent. No framework, token verification, rate limit,
  idempotency, body validation, ETag or Location. What it reaches bounds
  what EDM's create could reach by any work on its HTTP layer: the rest
  is the write itself.

The bench measures them against both ceilings' `GET` and `POST` in one
run, with the same wrk settings and the same kind of request files as
EDM's `get_id` and `create`.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from sqlalchemy.dialects import postgresql, sqlite

from bench.ceiling import read_body, send_json, serve_lifespan
from bench.dataset import (
    TENANT,
    BenchDatabase,
    Request,
    create_requests,
    get_requests,
    seed_database,
)
from bench.load import Load, Replay, Result, Target, ensure_wrk, measure, write_requests
from bench.processes import Server, free_port, processes_matching
from bench.report import rate, spread, times
from edm.helpdesk.services import build_services
from edm.helpdesk.tickets import TICKETS
from edm.identity import Principal, Role
from edm.server.auth import mint_token
from edm.settings import Settings
from edm.store.database import Database
from edm.store.record_json import record_json

DATABASE_ENV = "EDM_FLOOR_DATABASE"  # the database's URL
TOKEN_ENV = "EDM_FLOOR_AUTHORIZATION"
PREFIX = TICKETS.path + "/"
SQLITE_QUERY = (
    f"SELECT {record_json(TICKETS, sqlite.dialect())} FROM tickets "
    "WHERE tenant_id = ? AND id = ? AND is_deleted = 0"
)
POSTGRESQL_QUERY = (
    f"SELECT {record_json(TICKETS, postgresql.dialect())} FROM tickets "
    "WHERE tenant_id = $1 AND id = $2 AND NOT is_deleted"
)


class _SQLite:
    def __init__(self, url: str) -> None:
        self._connection = sqlite3.connect(url.removeprefix("sqlite:///"), check_same_thread=False)

    async def ticket_json(self, ticket_id: str) -> str | None:
        row = self._connection.execute(SQLITE_QUERY, (TENANT, ticket_id)).fetchone()
        return None if row is None else str(row[0])


class _PostgreSQL:
    """Connections opened on demand and kept: one per request in flight."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._idle: list[asyncpg.Connection] = []

    async def _connect(self) -> asyncpg.Connection:
        conn = await asyncpg.connect(self._url)
        await conn.execute(f'SET ROLE "{Settings().db_app_role or "edm_app"}"')
        await conn.execute("SELECT set_config('edm.tenant_id', $1, false)", TENANT)
        return conn

    async def ticket_json(self, ticket_id: str) -> str | None:
        conn = self._idle.pop() if self._idle else await self._connect()
        try:
            row = await conn.fetchrow(POSTGRESQL_QUERY, TENANT, ticket_id)
        finally:
            self._idle.append(conn)
        return None if row is None else str(row[0])


class _Writes:
    """EDM's ticket create without its HTTP layer (see the module docstring)."""

    def __init__(self, url: str) -> None:
        settings = Settings()
        self._db = Database(
            url, pool_size=settings.db_pool_size, app_role=settings.db_app_role, event_loop=True
        )
        self._tickets = build_services(self._db)["tickets"]
        self._principal = Principal("floor", TENANT, None, frozenset({Role.AGENT}))

    async def create(self, body: bytes) -> str:
        write = self._tickets.creation(self._principal, orjson.loads(body))
        record = await self._db.run(write)
        return str(record.record_json)


@cache  # one per server process, made by its first request
def _reader() -> _SQLite | _PostgreSQL:
    url = os.environ[DATABASE_ENV]
    return _PostgreSQL(url) if url.startswith("postgresql") else _SQLite(url)


@cache
def _writer() -> _Writes:
    return _Writes(os.environ[DATABASE_ENV])


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
    if scope["method"] == "POST" and path == TICKETS.path:
        created = await _writer().create(await read_body(receive))
        await send_json(send, 201, created.encode())
        return
    ticket = await _reader().ticket_json(path.removeprefix(PREFIX))
    if ticket is None:
        await send_json(send, 404, b"{}")
    else:
        await send_json(send, 200, ticket.encode())


def _server(name: str, module: str, workdir: Path, env: dict[str, str]) -> Server:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "bench.serve",
        module,
        "--port",
        str(port),
        "--workers",
        "2",
    ]
    return Server.start(name, command, {**os.environ, **env}, port, workdir / f"{name}.log")


def _print(result: Result) -> None:
    print(
        f"{result.op:<22} {rate(result.rps):>9} req/s ({spread(result.runs_rps)})  "
        f"p50 {result.p50_ms:.2f} ms  p99 {result.p99_ms:.2f} ms  errors {result.errors}  "
        f"server cpu {result.server_cpu_ms:.3f} ms/req  db cpu {result.database_cpu_ms:.3f} ms/req",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--postgres-url", default="postgresql://127.0.0.1:5432/postgres")
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    load = Load(16, 1, args.duration, args.warmup, args.repeat)
    wrk = ensure_wrk()
    token = f"Bearer {mint_token('floor-secret-' + 'x' * 32, tenant_id=TENANT, subject='floor')}"
    headers = [f"Authorization: {token}", "Content-Type: application/json"]
    with tempfile.TemporaryDirectory(prefix="edm-floor-") as tmp:
        workdir = Path(tmp)

        def serve(name: str, app: str, lines: list[Request], db: BenchDatabase | None) -> Result:
            env = {TOKEN_ENV: token}
            if db is not None:
                env[DATABASE_ENV] = db.url
            server = _server(name.replace(" ", "-"), app, workdir, env)
            try:
                backends = db.name if db is not None and db.name else None
                target = Target(
                    wrk,
                    server.url,
                    headers,
                    server.pids(),
                    (lambda: processes_matching(backends)) if backends else list,
                )
                replay = Replay(write_requests(workdir / f"{name}.txt", lines))
                result = measure(name, target, replay, load)
            finally:
                server.stop()
            _print(result)
            return result

        body = create_requests()[0][2]
        ceilings = {
            (method, which): serve(f"{which} {method}", module, [(method, "/ticket", body)], None)
            for method in ("GET", "POST")
            for which, module in (
                ("ceiling", "bench.ceiling:app"),
                ("bare ceiling", "bench.ceiling:bare"),
            )
        }
        for kind in args.databases.split(","):
            db = BenchDatabase.create(kind, workdir, args.postgres_url)
            try:
                db.migrate()
                seed_database(db, args.tickets, 0)
                gets = get_requests(db, args.tickets, random.Random(1))
                floors = {
                    "GET": serve(f"floor {kind} get", "bench.floor:app", gets, db),
                    "POST": serve(f"floor {kind} create", "bench.floor:app", create_requests(), db),
                }
            finally:
                db.drop()
            for method, floor in floors.items():
                print(
                    f"{floor.op} / ceiling {method}: "
                    f"{times(floor.rps / ceilings[method, 'ceiling'].rps)}x, "
                    f"/ bare ceiling {method}: "
                    f"{times(floor.rps / ceilings[method, 'bare ceiling'].rps)}x",
                    flush=True,
                )


if __name__ == "__main__":
    main()
