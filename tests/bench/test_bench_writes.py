"""The bench's write check: a scenario whose successful requests store nothing stops the run."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.dataset import (
    API,
    TENANT,
    BenchDatabase,
    CloseTargets,
    Request,
    create_requests,
    seed_database,
    write_targets_after_creates,
)
from bench.load import Load, Replay, Target, ensure_wrk, measure, write_requests
from bench.processes import Server, free_port
from bench.run import SECRET
from bench.writes import WritesMissing, measure_writes

from edm.server.auth import mint_token

KINDS = ["sqlite", "postgresql"] if os.environ.get("EDM_TEST_DATABASE_URL") else ["sqlite"]
LOAD = Load(connections=4, threads=1, duration=1, warmup=0, repeat=1)


@pytest.fixture(params=KINDS)
def bench_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BenchDatabase]:
    """A seeded throwaway database, as a bench block makes it."""
    postgres_url = os.environ.get("EDM_TEST_DATABASE_URL", "")
    db = BenchDatabase.create(request.param, tmp_path, postgres_url)
    try:
        db.migrate()
        seed_database(db, 60, 0)
        yield db
    finally:
        db.drop()


@pytest.fixture
def target(bench_db: BenchDatabase, tmp_path: Path) -> Iterator[Target]:
    """`edm serve` on the database, and wrk aimed at it with an agent's token."""
    port = free_port()
    edm = str(Path(sys.executable).with_name("edm"))
    command = [edm, "serve", "--port", str(port), "--workers", "1", "--database-url", bench_db.url]
    env = {**os.environ, "EDM_JWT_SECRET": SECRET, "EDM_RATE_LIMIT_REQUESTS": str(10**9)}
    server = Server.start("edm", command, env, port, tmp_path / "edm.log")
    token = mint_token(SECRET, tenant_id=TENANT, subject="bench-agent", roles=["agent"])
    headers = [f"Authorization: Bearer {token}", "Content-Type: application/json"]
    try:
        yield Target(ensure_wrk(), server.url, headers, server.pids())
    finally:
        server.stop()


def _replay(path: Path, requests: list[Request]) -> Replay:
    return Replay(write_requests(path, requests))


def test_every_write_scenario_writes_once_per_successful_request(
    bench_db: BenchDatabase, target: Target, tmp_path: Path
) -> None:
    creates = _replay(tmp_path / "create.txt", create_requests())
    result = measure_writes("create", bench_db, lambda: measure("create", target, creates, LOAD))
    assert result.written is not None and result.written >= result.succeeded > 0

    updates, to_close = write_targets_after_creates(bench_db)
    replay = _replay(tmp_path / "update.txt", updates)
    result = measure_writes("update", bench_db, lambda: measure("update", target, replay, LOAD))
    # More requests than tickets in the pool, so tickets were updated again: each time it wrote.
    assert result.succeeded > len(updates)
    assert result.written is not None and result.written >= result.succeeded

    # Each close on a ticket not yet closed, more of them seeded as the run needs.
    close = CloseTargets(bench_db, to_close, tmp_path / "close.txt")
    closes = Replay(close.path, "sequential", rate=2000, top_up=close.extend)
    result = measure_writes("close", bench_db, lambda: measure("close", target, closes, LOAD))
    assert result.written is not None and result.written >= result.succeeded > 0
    assert result.wrapped == 0


def test_a_scenario_that_repeats_its_bodies_fails_naming_it(
    bench_db: BenchDatabase, target: Target, tmp_path: Path
) -> None:
    """What the bench did before: fixed PATCH bodies replayed, so all but the first are no-ops."""
    updates, to_close = write_targets_after_creates(bench_db)
    fixed = [
        (method, path, json.dumps({"priority": "high", "title": f"Updated {n}"}))
        for n, (method, path, _body) in enumerate(updates[:3])
    ]
    replay = _replay(tmp_path / "update.txt", fixed)
    with pytest.raises(WritesMissing, match=r"write scenario 'update'.* measured reads"):
        measure_writes("update", bench_db, lambda: measure("update", target, replay, LOAD))

    # A close replayed on one ticket: closing a closed ticket changes nothing either.
    again = _replay(tmp_path / "close.txt", [("POST", f"{API}/{to_close[0]}/close", None)])
    with pytest.raises(WritesMissing, match="write scenario 'close'"):
        measure_writes("close", bench_db, lambda: measure("close", target, again, LOAD))
