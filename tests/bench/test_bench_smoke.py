"""The benchmark runs end to end in its quickest mode (SQLite only, no timing asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bench.report import rate
from bench.run import CEILING_OF, READS, WRITES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """One quick run of the bench (SQLite, 200 tickets): its JSON report and Markdown."""
    workdir = tmp_path_factory.mktemp("bench")
    report_path, markdown_path = workdir / "bench.json", workdir / "bench.md"
    command = [
        sys.executable, "-m", "bench.run", "--quick", "--databases", "sqlite",
        "--sizes", "200", "--small-tenants", "3", "--json", str(report_path),
        "--markdown", str(markdown_path),
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=120)
    return json.loads(report_path.read_text()), markdown_path.read_text()


def test_quick_bench_reports_every_operation_without_errors(
    quick: tuple[dict[str, Any], str],
) -> None:
    report, text = quick
    (block,) = report["blocks"]
    results = {r["op"]: r for r in block["results"]}
    assert set(results) == set(CEILING_OF)
    assert {op: r["errors"] for op, r in results.items()} == dict.fromkeys(CEILING_OF, 0)
    assert all(r["requests"] > 0 for r in results.values())
    assert all(r["runs_rps"] == [r["rps"]] for r in results.values())  # --quick: one run
    assert set(report["ceiling"]) == set(report["bare_ceiling"]) == set(CEILING_OF.values())
    assert all(r["ratio"] and r["bare_ratio"] for r in results.values())

    # The block's ratios are of its own ceiling, measured just before it; bare is the run's.
    ceiling = block["ceiling"]
    assert set(ceiling) == set(CEILING_OF.values())
    assert all(r["errors"] == 0 and r["rps"] > 0 for r in ceiling.values())
    for op, r in results.items():
        assert r["ratio"] == pytest.approx(r["rps"] / ceiling[CEILING_OF[op]]["rps"])
        assert r["bare_ratio"] == pytest.approx(
            r["rps"] / report["bare_ceiling"][CEILING_OF[op]]["rps"]
        )
    figures = ", ".join(f"{name} {rate(r['rps'])}" for name, r in ceiling.items())
    # between the block's heading and its table
    under_heading = text.split("### sqlite, 200 tickets", 1)[1]
    assert f"(its x ceiling): {figures} req/s" in under_heading.split("\n|", 1)[0]


def test_quick_bench_write_scenarios_wrote_for_every_successful_request(
    quick: tuple[dict[str, Any], str],
) -> None:
    """The run checks it itself (bench.writes) and would have stopped; the report shows it."""
    report, text = quick
    (block,) = report["blocks"]
    results = {r["op"]: r for r in block["results"]}
    writes = {op: (r["written"], r["succeeded"]) for op, r in results.items() if r["written"]}
    assert set(writes) == set(WRITES)
    assert all(written >= succeeded > 0 for written, succeeded in writes.values())
    assert all(results[op]["written"] is None for op in READS)
    checked = ", ".join(f"{op} {w:,} / {s:,}" for op, (w, s) in writes.items())
    assert f"(history events written / successful requests, warm-up and runs): {checked}" in text


def test_floor_answers_real_tickets_beside_the_ceilings() -> None:
    """On SQLite, and on PostgreSQL when the suite runs there."""
    postgres_url = os.environ.get("EDM_TEST_DATABASE_URL")
    kinds = ["sqlite", "postgresql"] if postgres_url else ["sqlite"]
    command = [
        sys.executable, "-m", "bench.floor", "--tickets", "50", "--databases", ",".join(kinds),
        "--duration", "1", "--warmup", "0", "--repeat", "1",
    ]  # fmt: skip
    if postgres_url:
        command += ["--postgres-url", postgres_url]
    done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=180)

    lines = done.stdout.decode().splitlines()

    def line(start: str) -> str:
        return next(line for line in lines if line.startswith(start))

    # wrk counts any answer but a 2xx as an error: every floor get found its
    # ticket, and every floor create stored one (201).
    ceilings = [
        f"{which} {method}" for method in ("GET", "POST") for which in ("ceiling", "bare ceiling")
    ]
    floors = [f"floor {kind} {op}" for kind in kinds for op in ("get", "create")]
    for name in (*ceilings, *floors):
        rate = line(name + " ").removeprefix(name).split()[0]
        assert "errors 0" in line(name + " ") and rate != "0", line(name + " ")
    for kind in kinds:
        assert "/ bare ceiling GET" in line(f"floor {kind} get / ceiling GET")
        assert "/ bare ceiling POST" in line(f"floor {kind} create / ceiling POST")


def test_sqlite_writes_replays_every_create_in_each_variant() -> None:
    """The tool asserts itself that each replay inserted every ticket EDM created."""
    command = [
        sys.executable, "-m", "bench.sqlite_writes", "--tickets", "50", "--creates", "40",
        "--batch", "16", "--repeat", "1",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=120)

    report = done.stdout.decode().split("a create under SQLite's write lock", 1)[1]
    heading, *lines = report.splitlines()
    assert "16 creates a transaction, median of 1 x 40" in heading
    figures = {line[:44].strip(): line[44:].split() for line in lines}
    assert list(figures) == [
        "EDM's write",
        "its rows alone",
        "without the FTS5 search trigger",
        "without the ticket's secondary indexes",
        "without either",
    ]
    assert all(float(us) > 0 and unit == "us" for us, unit, *_ in figures.values())
