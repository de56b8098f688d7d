"""`edm import tickets` against a live `edm serve`, as a user runs it (SPEC 11)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

EDM = str(Path(sys.executable).with_name("edm"))
TICKETS = "/api/v1/helpdesk/tickets"


def all_tickets(server: Any, token: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    tickets: list[dict[str, Any]] = []
    cursor = None
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        while True:
            params = {"limit": 200, "order": "number", **({"cursor": cursor} if cursor else {})}
            page = client.get(TICKETS, params=params).json()
            tickets += page["data"]
            if not page["has_more"]:
                return tickets
            cursor = page["next_cursor"]


def importer(server: Any, token: str, cwd: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    env = {**os.environ, "EDM_BASE_URL": server.url, "EDM_TOKEN": token, "COLUMNS": "200"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EDM, "import", "tickets", *args],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


def test_killed_import_resumed_creates_every_row_exactly_once(
    live_server: Callable[..., Any], mint: Callable[..., str], tenant: str, tmp_path: Path
) -> None:
    server = live_server()
    token = mint(tenant_id=tenant, subject="importer", roles=["admin"])
    rows = 3000
    source = tmp_path / "tickets.jsonl"
    source.write_text("".join(json.dumps({"title": f"row {i:05d}"}) + "\n" for i in range(rows)))
    state = tmp_path / "tickets.jsonl.import-state.json"
    env = {**os.environ, "EDM_BASE_URL": server.url, "EDM_TOKEN": token}
    process = subprocess.Popen(
        [EDM, "import", "tickets", str(source), "--chunk-size", "50"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if state.exists() and json.loads(state.read_text())["chunks_done"] >= 5:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done_when_killed = json.loads(state.read_text())["chunks_done"]
    assert 5 <= done_when_killed < rows // 50, "the kill landed mid-import"

    again = importer(server, token, tmp_path)(str(source))
    assert again.returncode != 0 and "--resume" in again.stderr, "no second import by accident"

    resumed = importer(server, token, tmp_path)(str(source), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"Imported {rows} rows" in resumed.stdout

    titles = Counter(t["title"] for t in all_tickets(server, token))
    assert titles == Counter(f"row {i:05d}" for i in range(rows))
    numbers = [t["number"] for t in all_tickets(server, token)]
    assert numbers == [f"TKT-{n:04d}" for n in range(1, rows + 1)]

    finished = importer(server, token, tmp_path)(str(source), "--resume")
    assert finished.returncode == 0, finished.stderr
    assert len(all_tickets(server, token)) == rows


def test_csv_import_with_tags_and_a_report_of_rejected_rows(
    live_server: Callable[..., Any], mint: Callable[..., str], tenant: str, tmp_path: Path
) -> None:
    server = live_server()
    token = mint(tenant_id=tenant, subject="importer")
    source = tmp_path / "legacy.csv"
    with source.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["title", "priority", "tags", "category"])
        writer.writerow(["VPN down", "high", "vpn, remote", "Network"])
        writer.writerow(["Bad priority", "extreme", "", ""])
        writer.writerow(["JSON tags", "", '["a","b"]', ""])
        writer.writerow(["", "low", "", ""])
    report = tmp_path / "rejected.jsonl"
    done = importer(server, token, tmp_path)(str(source), "--report", str(report))
    assert done.returncode == 0, done.stderr
    assert "4 rows" in done.stdout and "2 created, 2 rejected" in done.stdout

    tickets = {t["title"]: t for t in all_tickets(server, token)}
    assert tickets["VPN down"]["tags"] == ["vpn", "remote"]
    assert tickets["VPN down"]["category"] == "Network"
    assert tickets["JSON tags"]["tags"] == ["a", "b"]
    assert tickets["JSON tags"]["priority"] == "medium"
    rejected = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(r["row"], r["status"]) for r in rejected] == [(2, 422), (4, 422)]
    assert rejected[0]["errors"][0]["field"] == "priority"
    assert rejected[0]["data"]["title"] == "Bad priority"


def test_jsonl_import_preserving_timestamps_and_reporting_unreadable_lines(
    live_server: Callable[..., Any], mint: Callable[..., str], tenant: str, tmp_path: Path
) -> None:
    server = live_server()
    token = mint(tenant_id=tenant, subject="importer", roles=["admin"])
    source = tmp_path / "history.jsonl"
    created = "2025-03-01T09:00:00.000000Z"
    source.write_text(
        json.dumps({"title": "old", "status": "closed", "created_at": created}) + "\n"
        "not json\n"
        "\n" + json.dumps(["not", "an", "object"]) + "\n"
    )
    done = importer(server, token, tmp_path)(str(source), "--preserve-timestamps")
    assert done.returncode == 0, done.stderr
    assert "1 created, 2 rejected" in done.stdout
    (ticket,) = all_tickets(server, token)
    assert ticket["created_at"] == ticket["updated_at"] == ticket["resolved_at"] == created
    report = tmp_path / "history.jsonl.rejected.jsonl"
    assert [json.loads(line)["row"] for line in report.read_text().splitlines()] == [2, 3]


def test_resume_replays_chunks_the_server_committed_but_the_state_missed(
    live_server: Callable[..., Any], mint: Callable[..., str], tenant: str, tmp_path: Path
) -> None:
    server = live_server()
    token = mint(tenant_id=tenant, subject="importer")
    source = tmp_path / "tickets.jsonl"
    source.write_text("".join(json.dumps({"title": f"t{i}"}) + "\n" for i in range(30)))
    run = importer(server, token, tmp_path)
    assert run(str(source), "--chunk-size", "10").returncode == 0
    state_path = tmp_path / "tickets.jsonl.import-state.json"
    state = json.loads(state_path.read_text())
    # As if killed after the server committed the chunks, before the state said so.
    state |= {"chunks_done": 1, "rows_done": 10, "finished": False}
    state_path.write_text(json.dumps(state))
    resumed = run(str(source), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert len(all_tickets(server, token)) == 30
