"""Benchmark EDM against its stack's ceiling, on SQLite and PostgreSQL, at several sizes.

    python -m bench.run                      # full run (see docs/performance.md)
    python -m bench.run --quick --databases sqlite --sizes 200   # smoke test

For each database and size: a throwaway database, `edm db upgrade`, `edm
seed` (one big tenant and 1,000 small ones), `edm serve --workers 2`, then
wrk with 16 connections on each operation: a warm-up, then `--repeat` runs
of a fixed duration back to back, of which the one with the median req/s is
reported, with the range of all of them. Every request of a write
scenario changes what is stored (each update a new title, each close a
ticket not yet closed), and after each one the history events it wrote
are counted: fewer than the requests wrk saw succeed stops the run,
naming the scenario (bench/writes.py). The ceilings (bench/ceiling.py on
the same uvicorn and worker count: the FastAPI stack's and a bare ASGI
app's) are measured the same way at the start of the run. The machine's
speed drifts over a run of most of an hour, so each block measures the
FastAPI ceiling again after seeding, right before its `edm serve` starts,
and prints every operation as a ratio of that ceiling, and of the bare
ceiling from the start.

`--peer django-helpdesk` also measures django-helpdesk's DRF ticket API
(bench/peer.py), installed in a throwaway virtualenv, against the ceilings
from the start of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.dataset import (
    TENANT,
    BenchDatabase,
    CloseTargets,
    Request,
    create_requests,
    read_requests,
    seed_database,
    write_targets_after_creates,
)
from bench.load import CPUS, Load, Replay, Result, Target, ensure_wrk, measure, write_requests
from bench.peer import run_peer
from bench.processes import Server, free_port, processes_matching
from bench.report import markdown, rate, spread, times
from bench.writes import measure_writes
from edm.server.auth import mint_token

SECRET = "bench-secret-" + "x" * 40
READS = ("get_id", "get_number", "list", "list_filtered", "list_deep", "search")
WRITES = ("create", "update", "close")
CEILING_OF = {
    "get_id": "GET",
    "get_number": "GET",
    "create": "POST",
    "update": "POST",
    "close": "POST",
    "list": "list",
    "list_filtered": "list",
    "list_deep": "list",
    "search": "list",
}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--sizes", default="1000,1000000", help="tickets in the big tenant")
    parser.add_argument("--small-tenants", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds before each operation's runs"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs per operation; the median one is reported"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--postgres-url", default="postgresql://127.0.0.1:5432/postgres")
    parser.add_argument(
        "--quick", action="store_true", help="one run of 1 s per operation, no warm-up"
    )
    parser.add_argument(
        "--peer", choices=["django-helpdesk"], help="also measure this helpdesk's ticket API"
    )
    parser.add_argument("--peer-tickets", type=int, default=5000, help="tickets the peer holds")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--markdown", type=Path, help="write the tables here")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup, args.repeat = 1, 0, 1
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "EDM_JWT_SECRET": SECRET,
        # The limiter runs (its cost is measured) but never refuses the bench's load.
        "EDM_RATE_LIMIT_REQUESTS": str(10**9),
        **extra,
    }


@contextmanager
def _server(
    name: str, command: list[str], port: int, workdir: Path, **env: str
) -> Iterator[Server]:
    server = Server.start(name, command, _env(**env), port, workdir / f"{name}.log")
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class Ceilings:
    """Both ceilings' figures (bench/ceiling.py), by the names in CEILING_OF."""

    stack: dict[str, Result]
    bare: dict[str, Result]

    def rate(self, result: Result, name: str) -> None:
        """Record `result` as ratios of both ceilings' `name` endpoint."""
        result.against(self.stack[name], f"ceiling {name}", bare=self.bare[name])


def _ceiling(
    args: argparse.Namespace, wrk: str, load: Load, workdir: Path, name: str, app: str
) -> dict[str, Result]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "bench.serve",
        app,
        "--port",
        str(port),
        "--workers",
        str(args.workers),
    ]
    body = create_requests()[0][2]
    files: dict[str, list[Request]] = {
        "GET": [("GET", "/ticket", None)],
        "POST": [("POST", "/ticket", body)],
        "list": [("GET", "/list", None)],
    }
    results = {}
    with _server(name.replace(" ", "-"), command, port, workdir) as server:
        target = Target(wrk, server.url, ["Content-Type: application/json"], server.pids())
        for method, lines in files.items():
            replay = Replay(write_requests(workdir / f"{name}-{method}.txt", lines))
            results[method] = measure(f"{name} {method}", target, replay, load)
            _print(results[method])
    return results


def _ceilings(args: argparse.Namespace, wrk: str, load: Load, workdir: Path) -> Ceilings:
    print("ceilings (bench/ceiling.py)", flush=True)
    return Ceilings(
        stack=_ceiling(args, wrk, load, workdir, "ceiling", "bench.ceiling:app"),
        bare=_ceiling(args, wrk, load, workdir, "bare ceiling", "bench.ceiling:bare"),
    )


def _print(result: Result) -> None:
    ratio = written = ""
    if result.written is not None:
        written = f"  wrote {result.written:,} for {result.succeeded:,} successes"
    if result.ratio is not None and result.bare_ratio is not None:
        ratio = f"  {times(result.ratio)}x {result.ceiling} ({times(result.bare_ratio)}x bare)"
    print(
        f"  {result.op:<14} {rate(result.rps):>9} req/s ({spread(result.runs_rps)})  "
        f"p50 {result.p50_ms:7.2f} ms  "
        f"p99 {result.p99_ms:7.2f} ms  errors {result.errors}  gen cpu {result.generator_cpu:.0%}"
        f"{ratio}{written}",
        flush=True,
    )


def _edm_block(
    args: argparse.Namespace,
    wrk: str,
    load: Load,
    workdir: Path,
    kind: str,
    size: int,
    start: Ceilings,
) -> dict[str, object]:
    """Seed a database, measure the FastAPI ceiling, then EDM's operations as ratios of it.

    The ceiling is measured here, once the seed is done, so that each block's
    ratios are of the machine as it runs right then; `start` gives the bare one.
    """
    db = BenchDatabase.create(kind, workdir, args.postgres_url)
    try:
        db.migrate()
        started = time.monotonic()
        seed_database(db, size, args.small_tenants)
        seed_seconds = time.monotonic() - started
        print("  ceiling (bench/ceiling.py), just before this block", flush=True)
        here = workdir / f"ceiling-{kind}-{size}"  # this block's request files and log
        here.mkdir()
        stack = _ceiling(args, wrk, load, here, "ceiling", "bench.ceiling:app")
        ceilings = Ceilings(stack=stack, bare=start.bare)
        port = free_port()
        edm = str(Path(sys.executable).with_name("edm"))
        command = [
            edm,
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--database-url",
            db.url,
        ]
        token = mint_token(
            SECRET, tenant_id=TENANT, subject="bench-agent", roles=["agent"], ttl_seconds=24 * 3600
        )
        headers = [f"Authorization: Bearer {token}", "Content-Type: application/json"]
        results: list[Result] = []
        with _server(f"edm-{kind}-{size}", command, port, workdir) as server:

            def database_pids() -> list[int]:
                return processes_matching(db.name) if db.name else []

            target = Target(wrk, server.url, headers, server.pids(), database_pids)

            def run(op: str, replay: Replay) -> Result:
                def once() -> Result:
                    return measure(op, target, replay, load)

                result = measure_writes(op, db, once) if op in WRITES else once()
                ceilings.rate(result, CEILING_OF[op])
                results.append(result)
                _print(result)
                return result

            def replay(op: str, requests: list[Request]) -> Replay:
                return Replay(write_requests(workdir / f"{kind}-{size}-{op}.txt", requests))

            reads = read_requests(db, server.url, token, size)
            for op in READS:
                run(op, replay(op, reads[op]))
            run("create", replay("create", create_requests()))
            updates, to_close = write_targets_after_creates(db)
            update = run("update", replay("update", updates))
            close = CloseTargets(db, to_close, workdir / f"{kind}-{size}-close.txt")
            # Until its first window, close is assumed as fast as update's fastest run.
            run(
                "close",
                Replay(close.path, "sequential", rate=max(update.runs_rps), top_up=close.extend),
            )
        return {
            "database": kind,
            "size": size,
            "seed_seconds": seed_seconds,
            "ceiling": {name: r.to_json() for name, r in stack.items()},
            "results": [r.to_json() for r in results],
        }
    finally:
        db.drop()


def main() -> None:
    args = _arguments()
    wrk = ensure_wrk()
    load = Load(args.connections, args.threads, args.duration, args.warmup, args.repeat)
    sizes = [int(s) for s in args.sizes.split(",")]
    report: dict[str, object] = {
        "machine": {
            "cpus": CPUS,
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor(),
            "load_average": os.getloadavg(),
        },
        "load": {
            "connections": load.connections,
            "threads": load.threads,
            "duration_s": load.duration,
            "warmup_s": load.warmup,
            "repeat": load.repeat,
            "workers": args.workers,
        },
        "blocks": [],
        "peers": [],
    }
    with tempfile.TemporaryDirectory(prefix="edm-bench-") as tmp:
        workdir = Path(tmp)
        ceilings = _ceilings(args, wrk, load, workdir)
        report["ceiling"] = {name: r.to_json() for name, r in ceilings.stack.items()}
        report["bare_ceiling"] = {name: r.to_json() for name, r in ceilings.bare.items()}
        if args.peer:
            print(f"{args.peer}, {args.peer_tickets:,} tickets", flush=True)
            peer = run_peer(
                workdir,
                wrk,
                load,
                workers=args.workers,
                tickets=args.peer_tickets,
                rate=ceilings.rate,
                on_result=_print,
            )
            report["peers"].append(peer)  # type: ignore[attr-defined]
        for kind in args.databases.split(","):
            for size in sizes:
                print(
                    f"{kind}, {size} tickets in one tenant + {args.small_tenants} small tenants",
                    flush=True,
                )
                report["blocks"].append(_edm_block(args, wrk, load, workdir, kind, size, ceilings))  # type: ignore[attr-defined]
    text = markdown(report)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    if args.markdown:
        args.markdown.write_text(text)


if __name__ == "__main__":
    main()
