"""CPU per request inside EDM's ASGI app, without HTTP server or network.

    python -m bench.profile                       # every operation, SQLite, 5,000 tickets
    python -m bench.profile --ops get_id --cprofile 25
    python -m bench.profile --database-url postgresql://127.0.0.1:5432/test --concurrency 8

Each operation is called `--requests` times straight through the ASGI
interface (the app as uvicorn would call it, with the thread pool and
middleware), `--concurrency` at a time, best of `--rounds`; `--cprofile N`
prints the N costliest functions of the last round (`--cprofile-sort
tottime`: by their own time). This is how the
in-app figures of docs/performance.md were taken: CPU time of the app
alone, so a change's effect is visible without the noise of a loaded
machine.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import pstats
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from bench.dataset import API, TENANT, create_requests
from edm.cli.seed import seed
from edm.server.app import create_app
from edm.server.auth import mint_token
from edm.settings import Settings
from edm.store.database import Database
from edm.store.migrate import upgrade
from edm.store.schema import TABLES

SECRET = "bench-profile-secret-0123456789abcdef"
Request = tuple[str, str, bytes]


def _asgi_call(app: Any, token: str) -> Callable[[Request], Any]:
    headers = [
        (b"host", b"bench"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
    ]

    async def call(request: Request) -> int:
        method, target, body = request
        path, _, query = target.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 1),
            "server": ("bench", 80),
        }
        status = 0
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        if status >= 400:
            raise RuntimeError(f"{method} {target} answered {status}")
        return status

    return call


def _requests(url: str) -> dict[str, Iterator[Request]]:
    table = TABLES["tickets"]
    db = Database(url, pool_size=1)
    with db.read() as conn:
        rows = conn.execute(
            table.select()
            .where(table.c.tenant_id == TENANT, table.c.status != "closed")
            .with_only_columns(table.c.id, table.c.number)
        ).all()
    db.dispose()
    ids = [r.id for r in rows]
    bodies = [body.encode() for _m, _p, body in create_requests() if body]
    closable = iter(ids)
    return {
        "get_id": itertools.cycle([("GET", f"{API}/{i}", b"") for i in ids]),
        "get_number": itertools.cycle([("GET", f"{API}/{r.number}", b"") for r in rows]),
        "list": itertools.repeat(("GET", f"{API}?limit=50", b"")),
        "list_filtered": itertools.repeat(("GET", f"{API}?status=open&priority=high", b"")),
        "search": itertools.repeat(("GET", f"{API}?q=srv-00042", b"")),
        "create": itertools.cycle([("POST", API, b) for b in bodies]),
        # A new title each time: a PATCH of the values a ticket holds writes nothing.
        "update": (
            ("PATCH", f"{API}/{i}", orjson.dumps({"priority": "high", "title": f"Profiled {n}"}))
            for n, i in enumerate(itertools.cycle(ids))
        ),
        "close": (("POST", f"{API}/{i}/close", b"") for i in closable),
    }


def _measure(
    call: Callable[[Request], Any], requests: Iterator[Request], count: int, concurrency: int
) -> float:
    async def one_at_a_time(share: int) -> None:
        for _ in range(share):
            await call(next(requests))

    share = max(1, count // concurrency)

    async def run() -> float:
        started = time.process_time()
        async with asyncio.TaskGroup() as tasks:
            for _ in range(concurrency):
                tasks.create_task(one_at_a_time(share))
        return time.process_time() - started

    return asyncio.run(run()) / (share * concurrency)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--database-url", help="an empty, migratable database (default: temporary SQLite)"
    )
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument(
        "--ops", default="get_id,get_number,list,list_filtered,search,create,update,close"
    )
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="requests in flight (a loaded worker has several; each\n"
        "round trip to PostgreSQL then costs less event-loop work)",
    )
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    parser.add_argument(
        "--cprofile-sort",
        default="cumulative",
        help="pstats order of --cprofile's functions (e.g. tottime: their own time)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = args.database_url or f"sqlite:///{Path(workdir) / 'profile.db'}"
        upgrade(url)
        seed(tenant=TENANT, tickets=args.tickets, small_tenants=0, database_url=url)
        app = create_app(Settings(database_url=url, jwt_secret=SECRET, rate_limit_requests=10**9))
        token = mint_token(SECRET, tenant_id=TENANT, subject="bench-agent", roles=["agent"])
        call = _asgi_call(app, token)
        requests = _requests(url)
        for op in args.ops.split(","):
            rounds = (
                _measure(call, requests[op], args.requests, args.concurrency)
                for _ in range(args.rounds)
            )
            best = min(rounds)
            print(f"{op:14} {best * 1e6:8.0f} us/request", flush=True)
            if args.cprofile:
                profiler = cProfile.Profile()
                profiler.runcall(_measure, call, requests[op], args.requests, args.concurrency)
                pstats.Stats(profiler).sort_stats(args.cprofile_sort).print_stats(args.cprofile)


if __name__ == "__main__":
    main()
