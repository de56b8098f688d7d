"""What the CLI prints: Rich tables and panels for people, the API's JSON for programs.

Human output goes to stdout through Rich; progress goes to stderr, so
`edm tickets list --all --json > tickets.json` stays clean. Values that came
from users (titles, tags, ...) are rendered as `Text`, never as Rich markup.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import typer
from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from edm.client import APIConnectionError, APIError, APITimeoutError, EDMModel, Event, Ticket
from edm.helpdesk.tickets import DONE
from edm.manifest import resource

NOTHING = "—"
_TEXT_WIDTH = 60  # longest value shown in a history cell before it is cut
# Most severe first; the two most severe priorities stand out in tables.
_SEVERITY = tuple(reversed(resource("tickets").field("priority").enum or ()))
_SEVERITY_STYLES = ("bold red", "yellow")


def stdout() -> Console:
    """A console on stdout; created per command so it sees the current stream."""
    return Console(highlight=False)


def stderr() -> Console:
    """A console on stderr, for progress and notes that must not mix with the output."""
    return Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    """`data` as indented JSON on stdout, with nothing else (no colour, no markup)."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def page_json(records: Iterable[EDMModel], *, has_more: bool, next_cursor: str | None) -> Any:
    """A list page as the API sent it: `{"data", "has_more", "next_cursor"}`."""
    return {
        "data": [record.to_dict() for record in records],
        "has_more": has_more,
        "next_cursor": next_cursor,
    }


def readable_time(value: datetime, *, seconds: bool = False) -> str:
    """A timestamp in the local time zone: `2026-11-27 09:30:05 CET`, or `27 Nov 09:30`."""
    local = value.astimezone()
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%d %b %H:%M")


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    """The server's `overdue` rule: `due_at` has passed and the ticket is not done."""
    return ticket.due_at is not None and ticket.due_at < now and ticket.status not in DONE


def due_text(ticket: Ticket, now: datetime, *, seconds: bool = False) -> Text:
    """`due_at` in local time, in bold red with `overdue` after it when it has passed."""
    if ticket.due_at is None:
        return Text(NOTHING, style="dim")
    when = readable_time(ticket.due_at, seconds=seconds)
    if is_overdue(ticket, now):
        return Text(f"{when} overdue", style="bold red")
    return Text(when)


def priority_text(priority: str) -> Text:
    rank = _SEVERITY.index(priority) if priority in _SEVERITY else len(_SEVERITY)
    style = _SEVERITY_STYLES[rank] if rank < len(_SEVERITY_STYLES) else ""
    return Text(priority, style=style)


def tickets_table(tickets: Iterable[Ticket], now: datetime, *, caption: str | None = None) -> Table:
    """number, status, priority, title, assignee, due: one row per ticket."""
    table = _table(caption=caption)
    table.add_column("number", no_wrap=True, style="bold")
    table.add_column("status", no_wrap=True)
    table.add_column("priority", no_wrap=True)
    table.add_column("title", ratio=1)
    table.add_column("assignee", no_wrap=True, max_width=14)
    table.add_column("due", min_width=len("27 Nov 09:30"))  # "overdue" may wrap, the time not
    for ticket in tickets:
        table.add_row(
            ticket.number,
            ticket.status,
            priority_text(ticket.priority),
            Text(ticket.title),
            _value(ticket.assigned_to_id),
            due_text(ticket, now),
        )
    return table


def ticket_panel(ticket: Ticket, now: datetime) -> Panel:
    """Every field the server sent, one `name  value` line each."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    for name, value in ticket.model_dump(exclude_unset=True).items():
        shown = (
            due_text(ticket, now, seconds=True) if name == "due_at" else _value(value, seconds=True)
        )
        grid.add_row(name, shown)
    return Panel(grid, title=Text(f"{ticket.number}  {ticket.title}"), title_align="left")


def history_table(events: Iterable[Event]) -> Table:
    """at, actor, action and each change as `field: old → new`, oldest first."""
    table = _table()
    table.add_column("at", no_wrap=True)
    table.add_column("actor", no_wrap=True)
    table.add_column("action", no_wrap=True, style="bold")
    table.add_column("changes", ratio=1)
    for event in events:
        table.add_row(
            readable_time(event.at, seconds=True),
            Text(event.actor),
            event.action,
            changes_text(event.changes),
        )
    return table


def changes_text(changes: Mapping[str, Any]) -> Group:
    lines = []
    for name, change in changes.items():
        old, new = change if isinstance(change, list) and len(change) == 2 else (None, change)
        lines.append(Text(f"{name}: {_short(old)} → {_short(new)}"))
    return Group(*lines)


def records_table(records: Iterable[EDMModel], columns: Sequence[str]) -> Table:
    """The `columns` of `records`, one row each."""
    table = _table()
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column == "id")
    for record in records:
        table.add_row(*(_value(getattr(record, column)) for column in columns))
    return table


def record_panel(record: EDMModel, title: str) -> Panel:
    """Every field of one record, a line each."""
    grid = Table.grid(padding=(0, 2))
    for name in record.to_dict():
        grid.add_row(Text(name, style="bold"), _value(getattr(record, name)))
    return Panel(grid, title=title, expand=False)


def api_error_line(exc: APIError) -> str:
    """The one line `edm` prints for a failed API call (after `error: `).

    A status error reads `<status> <code>: <detail> [field errors]
    (request_id=...)`, the SDK's own wording; a connection failure names the
    server that could not be reached.
    """
    if not isinstance(exc, APIConnectionError):
        return str(exc)
    if isinstance(exc, APITimeoutError):
        reason = "timed out"
    elif exc.__cause__ is not None:  # the httpx error, e.g. "[Errno 111] Connection refused"
        reason = str(exc.__cause__) or type(exc.__cause__).__name__
    else:
        reason = exc.message
    url = exc.request.url
    return f"cannot reach {url.scheme}://{url.netloc.decode()}: {reason}"


def _table(caption: str | None = None) -> Table:
    """A plain table: a rule under the header, two spaces between columns, no frame."""
    return Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1, 0, 0),
        caption=caption,
        caption_justify="left",
    )


def _value(value: Any, *, seconds: bool = False) -> Text:
    text = _as_text(value, seconds=seconds)
    return Text(text, style="dim" if text == NOTHING else "")


def _short(value: Any) -> str:
    """A value on one line, cut to `_TEXT_WIDTH` characters."""
    text = " ".join(_as_text(value).split())
    return text if len(text) <= _TEXT_WIDTH else text[: _TEXT_WIDTH - 1] + "…"


def _as_text(value: Any, *, seconds: bool = False) -> str:
    if value is None or value == []:
        return NOTHING
    if isinstance(value, datetime):
        return readable_time(value, seconds=seconds)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
