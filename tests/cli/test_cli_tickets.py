"""`edm tickets ...` in-process: the real `edm` entry point, the SDK, and the app.

`run(...)` calls `edm.cli.main()` (the console script's function) inside a
`CliRunner` isolation, so output, exit codes and the one-line error format
are what a user sees. `cli(...)` does the same with the commands' SDK client
(`edm.cli.tickets.make_client`) wired to the in-process app as `agent`.
"""

from __future__ import annotations

import json
import re
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from typer.main import get_command
from typer.testing import CliRunner

import edm
from edm.cli import app, main, tickets
from edm.manifest import resource

BASE_URL = "http://testserver"
TICKETS = "/api/v1/helpdesk/tickets"
POLICIES = "/api/v1/helpdesk/sla_policies"
ERROR_LINE = re.compile(r"error: (\d{3}) (\w+): .+ \(request_id=req_\w+\)\n")


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


Runner = Callable[..., Run]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Runner:
    """`run("tickets", "list")`: `edm tickets list` in-process, through `edm.cli.main`."""

    def invoke(*args: str) -> Run:
        monkeypatch.setattr(sys, "argv", ["edm", *args])
        # A wide, colourless terminal: rows stay on one line, no escape codes.
        env = {"COLUMNS": "200", "FORCE_COLOR": None}
        with CliRunner().isolation(env=env) as (out, err, _):
            with pytest.raises(SystemExit) as exited:
                main()
            stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
        return Run(int(exited.value.code or 0), stdout, stderr)

    return invoke


@pytest.fixture
def cli(run: Runner, http: httpx.Client, agent: Any, monkeypatch: pytest.MonkeyPatch) -> Runner:
    """`run`, with the commands talking to the in-process app as `agent`."""
    monkeypatch.setattr(
        tickets, "make_client", lambda: edm.Client(BASE_URL, agent.token, http_client=http)
    )
    return run


def create(caller: Any, **fields: Any) -> dict[str, Any]:
    response = caller.post(TICKETS, json={"title": "A ticket", **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def row_of(number: str, table: str) -> str:
    [row] = [line for line in table.splitlines() if line.strip().startswith(number)]
    return row


def test_create_prints_the_new_number_and_id(cli: Runner, agent: Any) -> None:
    result = cli(
        "tickets", "create", "--title", "VPN down", "--priority", "urgent",
        "--tag", "vpn", "--tag", "remote",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    match = re.fullmatch(r"Created (TKT-\d{4,}) \((tkt_\w{26})\)\n", result.stdout)
    assert match, result.stdout
    stored = agent.get(f"{TICKETS}/{match[2]}").json()
    assert (stored["number"], stored["title"], stored["priority"], stored["tags"]) == (
        match[1],
        "VPN down",
        "urgent",
        ["vpn", "remote"],
    )


def test_list_table_shows_number_title_and_every_column(cli: Runner, agent: Any) -> None:
    first = create(agent, title="Printer jammed")
    second = create(agent, title="Cannot log in", priority="high")

    result = cli("tickets", "list")

    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0].split()
    assert header == ["number", "status", "priority", "title", "assignee", "due"]
    assert "Printer jammed" in row_of(first["number"], result.stdout)
    assert "Cannot log in" in row_of(second["number"], result.stdout)


def test_list_json_is_the_api_page(cli: Runner, agent: Any) -> None:
    for title in ("one", "two", "three"):
        create(agent, title=title)

    result = cli("tickets", "list", "--limit", "2", "--order", "-number", "--json")

    assert result.exit_code == 0, result.stderr
    api = agent.get(TICKETS, params={"limit": 2, "order": "-number"}).json()
    assert api["has_more"]
    assert json.loads(result.stdout) == api


def test_list_all_walks_every_page(cli: Runner, agent: Any) -> None:
    numbers = [create(agent, title=f"ticket {i}")["number"] for i in range(5)]

    result = cli("tickets", "list", "--all", "--limit", "2")

    assert result.exit_code == 0, result.stderr
    assert all(row_of(number, result.stdout) for number in numbers)


def test_list_all_json_is_one_array_of_every_record(cli: Runner, agent: Any) -> None:
    for i in range(5):
        create(agent, title=f"ticket {i}")

    result = cli("tickets", "list", "--all", "--limit", "2", "--json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == agent.get(TICKETS, params={"limit": 200}).json()["data"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--priority", "urgent", "--priority", "high"], {"VPN", "Laptop"}),
        (["--tag", "vpn", "--tag", "remote"], {"VPN"}),
        (["--type", "service_request"], {"Account"}),
        (["--q", "laptop"], {"Laptop"}),
        (["--category", "null"], {"Laptop", "Account"}),
    ],
)
def test_list_filters_reach_the_api(
    cli: Runner, agent: Any, options: list[str], expected: set[str]
) -> None:
    create(agent, title="VPN", priority="urgent", tags=["vpn", "remote"], category="Network")
    create(agent, title="Laptop", priority="high", tags=["vpn"])
    create(agent, title="Account", priority="low", type="service_request")

    result = cli("tickets", "list", *options, "--json")

    assert result.exit_code == 0, result.stderr
    assert {t["title"] for t in json.loads(result.stdout)["data"]} == expected


@pytest.fixture
def late_and_due(admin: Any, agent: Any, clock: Any) -> tuple[str, str]:
    """Two tickets under a 1-hour policy: one created 2 hours ago (overdue), one just now."""
    targets = {"first_response_minutes": 30, "resolution_minutes": 60}
    priorities = resource("tickets").field("priority").enum or ()
    policy = admin.post(
        POLICIES, json={"name": "1h", "targets": dict.fromkeys(priorities, targets)}
    ).json()
    clock.now = datetime.now(UTC) - timedelta(hours=2)
    late = create(agent, title="Late", sla_policy=policy["id"])
    clock.now = datetime.now(UTC)
    due = create(agent, title="Due soon", sla_policy=policy["id"])
    return late["number"], due["number"]


def test_list_marks_overdue_tickets(cli: Runner, late_and_due: tuple[str, str]) -> None:
    late, due = late_and_due

    result = cli("tickets", "list")

    assert result.exit_code == 0, result.stderr
    assert "overdue" in row_of(late, result.stdout)
    assert "overdue" not in row_of(due, result.stdout)


@pytest.mark.parametrize(("flag", "wanted"), [("--overdue", 0), ("--no-overdue", 1)])
def test_overdue_filter(cli: Runner, late_and_due: tuple[str, str], flag: str, wanted: int) -> None:
    result = cli("tickets", "list", flag, "--json")

    assert result.exit_code == 0, result.stderr
    assert [t["number"] for t in json.loads(result.stdout)["data"]] == [late_and_due[wanted]]


def test_get_shows_every_field(cli: Runner, agent: Any) -> None:
    ticket = create(agent, title="Screen flickers", description="Since the update")

    result = cli("tickets", "get", ticket["number"])

    assert result.exit_code == 0, result.stderr
    shown = re.findall(r"^│ (\w+) ", result.stdout, re.MULTILINE)
    assert shown == [f.name for f in resource("tickets").fields]
    assert re.search(r"│ description +Since the update ", result.stdout)


@pytest.mark.parametrize("command", ["get", "close", "reopen"])
def test_record_json_is_the_api_record(cli: Runner, agent: Any, command: str) -> None:
    ticket = create(agent, status="resolved")

    result = cli("tickets", command, ticket["number"], "--json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == agent.get(f"{TICKETS}/{ticket['id']}").json()


def test_update_sends_only_the_given_fields(cli: Runner, agent: Any) -> None:
    ticket = create(agent, description="Keep me", category="Hardware", tags=["a"])

    result = cli(
        "tickets", "update", ticket["id"], "--priority", "high",
        "--clear", "category", "--clear", "tags",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Updated {ticket['number']} ({ticket['id']})\n"
    stored = agent.get(f"{TICKETS}/{ticket['id']}").json()
    assert (stored["priority"], stored["category"], stored["tags"]) == ("high", None, [])
    assert (stored["title"], stored["description"]) == ("A ticket", "Keep me")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([], "error: nothing to change: give a field option or --clear FIELD (see --help)\n"),
        (
            ["--category", "X", "--clear", "category"],
            "error: category is both set and cleared; choose one\n",
        ),
    ],
)
def test_update_refuses_an_empty_or_contradictory_change(
    cli: Runner, agent: Any, options: list[str], message: str
) -> None:
    ticket = create(agent)

    result = cli("tickets", "update", ticket["number"], *options)

    assert (result.exit_code, result.stderr) == (1, message)


def test_close_then_reopen(cli: Runner, agent: Any) -> None:
    ticket = create(agent)
    path = f"{TICKETS}/{ticket['id']}"

    closed = cli("tickets", "close", ticket["number"])
    status_after_close = agent.get(path).json()["status"]
    reopened = cli("tickets", "reopen", ticket["number"])

    assert closed.stdout == f"Closed {ticket['number']} ({ticket['id']})\n"
    assert status_after_close == "closed"
    assert reopened.stdout == f"Reopened {ticket['number']} ({ticket['id']})\n"
    assert agent.get(path).json()["status"] == "open"


@pytest.mark.parametrize(("flags", "public"), [([], True), (["--no-public"], False)])
def test_comment(cli: Runner, agent: Any, flags: list[str], public: bool) -> None:
    ticket = create(agent)

    result = cli("tickets", "comment", ticket["number"], "--body", "On it", *flags)

    assert result.exit_code == 0, result.stderr
    [comment] = agent.get(f"{TICKETS}/{ticket['id']}/comments").json()["data"]
    assert (comment["body"], comment["public"]) == ("On it", public)
    assert comment["id"] in result.stdout


def test_history_shows_each_change_as_old_and_new(cli: Runner, agent: Any) -> None:
    ticket = create(agent, title="Printer")
    agent.patch(f"{TICKETS}/{ticket['id']}", json={"priority": "urgent"})
    agent.post(f"{TICKETS}/{ticket['id']}/close")

    result = cli("tickets", "history", ticket["number"])

    assert result.exit_code == 0, result.stderr
    assert "title: — → Printer" in result.stdout
    assert "priority: medium → urgent" in result.stdout
    assert "status: open → closed" in result.stdout
    assert re.findall(r"agent-1 +(\w+)", result.stdout) == ["create", "update", "close"]


def test_history_json_is_every_event(cli: Runner, agent: Any) -> None:
    ticket = create(agent)
    agent.post(f"{TICKETS}/{ticket['id']}/comments", json={"body": "Hello"})

    result = cli("tickets", "history", ticket["number"], "--json")

    assert result.exit_code == 0, result.stderr
    events = agent.get(f"{TICKETS}/{ticket['id']}/events").json()["data"]
    assert json.loads(result.stdout) == events


@pytest.mark.parametrize(
    ("args", "status", "code"),
    [
        (["get", "TKT-9999"], 404, "not_found"),
        (["create", "--title", "x" * 201], 422, "validation_failed"),
        (["update", "{closed}", "--title", "Too late"], 409, "ticket_closed"),
    ],
)
def test_api_error_is_one_line_with_status_code_and_request_id(
    cli: Runner, agent: Any, args: list[str], status: int, code: str
) -> None:
    closed = create(agent)
    agent.post(f"{TICKETS}/{closed['id']}/close")

    result = cli("tickets", *[arg.format(closed=closed["number"]) for arg in args])

    assert result.exit_code == 1
    assert result.stdout == ""
    match = ERROR_LINE.fullmatch(result.stderr)
    assert match, result.stderr
    assert (int(match[1]), match[2]) == (status, code)


def test_invalid_choice_is_rejected_before_any_request(cli: Runner, agent: Any) -> None:
    result = cli("tickets", "create", "--title", "x", "--priority", "critical")

    assert result.exit_code == 2
    assert "'critical' is not one of 'low', 'medium', 'high', 'urgent'" in result.stderr
    assert agent.get(TICKETS).json()["data"] == []


def test_missing_token_is_one_clear_line(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDM_TOKEN", raising=False)

    result = run("tickets", "list")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: no API token: set EDM_TOKEN")
    assert result.stderr.count("\n") == 1


def test_unreachable_server_is_one_line(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port nobody listens on once it is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("EDM_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("EDM_TOKEN", "any")

    result = run("tickets", "get", "TKT-0001")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot reach http://127.0.0.1:{port}: ")
    assert result.stderr.count("\n") == 1


def _option_names(command: str) -> set[str]:
    group: Any = get_command(app)
    return {param.name for param in group.commands["tickets"].commands[command].params}


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("create", {f.name for f in resource("tickets").writable_fields} - tickets.LEFT_TO_SERVER),
        ("update", {f.name for f in resource("tickets").writable_fields} - tickets.LEFT_TO_SERVER),
        ("list", {f.query_name for f in resource("tickets").filterable_fields} | {"overdue"}),
    ],
)
def test_field_options_follow_the_manifest(command: str, expected: set[str]) -> None:
    assert expected <= _option_names(command)
