"""The floor: the least a get by id that reads the database can cost on this stack.

    python -m bench.floor [--databases sqlite,postgresql] [--tickets 1000] [--repeat 5]

A bare ASGI app on the same uvicorn and worker count as `edm serve`, whose
`GET /tickets/{id}` compares the Authorization header with one string,
runs EDM's own lookup (the ticket's JSON built by the database with EDM's
`record_json` SQL, index on `(tenant_id, id)`) and sends the result: on
SQLite through the standard library's `sqlite3`, on PostgreSQL through
asyncpg connections (EDM's reads' driver), one per request in flight,
acting as EDM's row-level-security role with the tenant bound to each
session once (as EDM's reads find it bound): one round trip per
request. No framework, no SQLAlchemy, no validation, no scoping beyond
the tenant, no rate limit, no ETag: it is not a server anyone should
run, it bounds what any Python implementation of the endpoint on this
stack could reach. The bench
measures it against both ceilings' `GET` in one run, with the same wrk
settings and the same kind of request file as EDM's `get_id`.
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

import asyncpg
from sqlalchemy.dialects import postgresql, sqlite

from bench.ceiling import send_json, serve_lifespan
from bench.dataset import TENANT, BenchDatabase, Request, get_requests, seed_database
from bench.load import Load, Replay, Result, Target, ensure_wrk, measure, write_requests
from bench.processes import Server, free_port, processes_matching
from bench.report import rate, spread, times
from edm.helpdesk.tickets import TICKETS
from edm.server.auth import mint_token
from edm.settings import Settings
from edm.store.record_json import record_json

DATABASE_ENV = "EDM_FLOOR_DATABASE"  # a SQLite file's path, or a postgresql:// URL
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
    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False)

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


_database: _SQLite | _PostgreSQL | None = None


def _store() -> _SQLite | _PostgreSQL:
    global _database
    if _database is None:
        where = os.environ[DATABASE_ENV]
        _database = _PostgreSQL(where) if where.startswith("postgresql") else _SQLite(where)
    return _database


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
    ticket = await _store().ticket_json(path.removeprefix(PREFIX))
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
    headers = [f"Authorization: {token}"]
    with tempfile.TemporaryDirectory(prefix="edm-floor-") as tmp:
        workdir = Path(tmp)

        def serve(name: str, app: str, lines: list[Request], db: BenchDatabase | None) -> Result:
            env = {TOKEN_ENV: token}
            if db is not None:
                env[DATABASE_ENV] = db.url.removeprefix("sqlite:///")
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
                result = measure(f"{name} get", target, replay, load)
            finally:
                server.stop()
            _print(result)
            return result

        ticket: list[Request] = [("GET", "/ticket", None)]
        ceiling = serve("ceiling", "bench.ceiling:app", ticket, None)
        bare = serve("bare ceiling", "bench.ceiling:bare", ticket, None)
        for kind in args.databases.split(","):
            db = BenchDatabase.create(kind, workdir, args.postgres_url)
            try:
                db.migrate()
                seed_database(db, args.tickets, 0)
                gets = get_requests(db, args.tickets, random.Random(1))
                floor = serve(f"floor {kind}", "bench.floor:app", gets, db)
            finally:
                db.drop()
            print(
                f"floor {kind} / ceiling: {times(floor.rps / ceiling.rps)}x, "
                f"/ bare ceiling: {times(floor.rps / bare.rps)}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
