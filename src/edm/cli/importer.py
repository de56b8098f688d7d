"""`edm import tickets FILE`: a file of tickets through the batch API, resumably.

The file is JSON Lines (one create body per line) or, named `*.csv`, CSV
whose header row names manifest fields. A CSV cell is a field's value as
text: an empty cell leaves the field out, `tags` is a JSON array
(`["vpn","laptop"]`) or comma-separated (`vpn, laptop`), booleans are
`true`/`false`, objects JSON.

Rows are read as they are sent (memory does not grow with the file) and
sent in chunks through the SDK's `batch_create`. Each chunk carries an
`Idempotency-Key` made of the file's digest, the run's id and the chunk's
index, and a state file beside the input records, after each chunk, how
many chunks are done. An interrupted import started again with
`--resume` skips the chunks done and sends the next with its old key: if
the server had committed it before the interruption, it answers that
chunk's first response and creates nothing again. Rejected rows go to a
report (JSON Lines: row, status, detail, errors, the row), which a resume
cuts back to what the last recorded chunk had written.
"""

from __future__ import annotations

import csv
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from edm.cli.errors import CLIError
from edm.cli.tickets import make_client
from edm.client import BatchResult, Client, Ticket
from edm.manifest import FieldType, OperationKind, resource

TICKETS = resource("tickets")
BATCH = next(op for op in TICKETS.operations if op.kind is OperationKind.BATCH_CREATE)
MAX_CHUNK = BATCH.max_items or 1
_READ_BLOCK = 1 << 20

import_app = typer.Typer(help="Import records from files through the batch API.")


@dataclass(slots=True)
class ImportState:
    """What the state file beside the input records between chunks."""

    digest: str  # of the input file: a resume of another file is refused
    run: str  # this import's id, part of every chunk's Idempotency-Key
    chunk_size: int
    preserve_timestamps: bool
    chunks_done: int = 0
    rows_done: int = 0
    created: int = 0
    rejected: int = 0
    report_bytes: int = 0  # the report's length after the last chunk done
    finished: bool = False

    def key(self, chunk: int) -> str:
        return f"edm-import-{self.digest[:32]}-{self.run}-{chunk}"

    def save(self, path: Path) -> None:
        draft = path.with_name(path.name + ".tmp")
        draft.write_text(json.dumps(asdict(self)) + "\n")
        draft.replace(path)

    @classmethod
    def load(cls, path: Path) -> ImportState | None:
        try:
            return cls(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError) as exc:
            raise CLIError(f"{path} is not an import state file ({exc}); remove it") from None


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # the row's place among the file's records, from 1
    body: dict[str, Any] | None  # None: the row could not be read
    problem: str = ""


def _identity(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and its line count (for the progress bar), in one pass."""
    digest, lines = hashlib.sha256(), 0
    with path.open("rb") as file:
        while block := file.read(_READ_BLOCK):
            digest.update(block)
            lines += block.count(b"\n")
    return digest.hexdigest(), lines


def _csv_value(name: str, text: str) -> Any:
    field = TICKETS.field(name) if TICKETS.has_field(name) else None
    kind = field.type if field is not None else FieldType.STRING
    if kind is FieldType.TAGS:
        if text.lstrip().startswith("["):
            return json.loads(text)
        return [tag.strip() for tag in text.split(",") if tag.strip()]
    if kind is FieldType.OBJECT:
        return json.loads(text)
    if kind is FieldType.BOOLEAN:
        return {"true": True, "false": False}.get(text.strip().lower(), text)
    if kind is FieldType.INTEGER:
        return int(text)
    return text


def _csv_rows(file: IO[str]) -> Iterator[Row]:
    for number, record in enumerate(csv.DictReader(file), start=1):
        try:
            body = {name: _csv_value(name, text) for name, text in record.items() if text}
        except ValueError as exc:
            yield Row(number, None, f"unreadable cell: {exc}")
            continue
        yield Row(number, body)


def _jsonl_rows(file: IO[str]) -> Iterator[Row]:
    number = 0
    for line in file:
        if not line.strip():
            continue
        number += 1
        try:
            body = json.loads(line)
        except ValueError as exc:
            yield Row(number, None, f"not JSON: {exc}")
            continue
        if not isinstance(body, dict):
            yield Row(number, None, "not a JSON object")
            continue
        yield Row(number, body)


def _rows(file: IO[str], path: Path) -> Iterator[Row]:
    return _csv_rows(file) if path.suffix.lower() == ".csv" else _jsonl_rows(file)


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "- rows/s", style="progress.data.speed")


def _report_line(row: Row, status: int, detail: str, errors: list[dict[str, Any]]) -> str:
    entry = {"row": row.number, "status": status, "detail": detail, "errors": errors}
    return json.dumps({**entry, "data": row.body}, default=str) + "\n"


def _start(state_path: Path, digest: str, *, resume: bool, size: int, keep: bool) -> ImportState:
    state = ImportState.load(state_path)
    if state is not None and state.digest != digest:
        raise CLIError(f"{state_path} records an import of another file; remove it to start over")
    if state is not None and not resume:
        what = "was imported" if state.finished else "was interrupted"
        raise CLIError(
            f"this file {what} ({state_path}); pass --resume to continue it, "
            "or remove the state file to import it again"
        )
    if state is None or not resume:
        state = ImportState(digest, secrets.token_hex(8), size, keep)
        state.save(state_path)
    return state


def _send(
    client: Client, rows: list[Row], state: ImportState, index: int, report: IO[str]
) -> tuple[int, int]:
    """Send one chunk; its rejected rows go to `report`. (created, rejected)."""
    sendable = [row for row in rows if row.body is not None]
    rejected = 0
    for row in rows:
        if row.body is None:
            report.write(_report_line(row, 400, row.problem, []))
            rejected += 1
    results: list[BatchResult[Ticket]] = []
    if sendable:
        results = client.helpdesk.tickets.batch_create(
            [row.body for row in sendable if row.body is not None],
            preserve_timestamps=state.preserve_timestamps,
            idempotency_key=state.key(index),
        )
    created = 0
    for row, result in zip(sendable, results, strict=True):
        if result.error is None:
            created += 1
            continue
        errors = [asdict(e) for e in result.error.errors]
        report.write(_report_line(row, result.status, result.error.detail, errors))
        rejected += 1
    return created, rejected


@import_app.command("tickets")
def import_tickets(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines, or CSV (*.csv).")
    ],
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted import of FILE.")
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Rejected rows (JSON Lines); default FILE.rejected.jsonl."),
    ] = None,
    preserve_timestamps: Annotated[
        bool,
        typer.Option(
            "--preserve-timestamps",
            help="Keep the rows' created_at, updated_at, resolved_at, first_response_at (admins).",
        ),
    ] = False,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=1, max=MAX_CHUNK, help="Rows per batch request.")
    ] = MAX_CHUNK,
) -> None:
    """Create the tickets of FILE through the batch API, with a progress bar."""
    started = time.monotonic()
    digest, lines = _identity(file)
    state_path = file.with_name(file.name + ".import-state.json")
    report_path = report or file.with_name(file.name + ".rejected.jsonl")
    state = _start(state_path, digest, resume=resume, size=chunk_size, keep=preserve_timestamps)
    total = max(lines - (1 if file.suffix.lower() == ".csv" else 0), state.rows_done)
    resumed_at = state.rows_done
    console = Console(stderr=True)
    with (
        make_client() as client,
        file.open(newline="", encoding="utf-8") as source,
        report_path.open("a+", encoding="utf-8") as out,
        Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        ) as progress,
    ):
        out.truncate(state.report_bytes)
        out.seek(state.report_bytes)
        task = progress.add_task("importing rows", total=total, completed=state.rows_done)
        rows = _rows(source, file)
        for _ in islice(rows, state.rows_done):
            pass
        while chunk := list(islice(rows, state.chunk_size)):
            created, rejected = _send(client, chunk, state, state.chunks_done, out)
            out.flush()
            state.chunks_done += 1
            state.rows_done += len(chunk)
            state.created += created
            state.rejected += rejected
            state.report_bytes = out.tell()
            state.save(state_path)
            progress.update(task, completed=state.rows_done)
        progress.update(task, total=state.rows_done, completed=state.rows_done)
    state.finished = True
    state.save(state_path)
    elapsed = time.monotonic() - started
    rate = (state.rows_done - resumed_at) / elapsed if elapsed else 0.0
    typer.echo(
        f"Imported {state.rows_done} rows of {file.name}: {state.created} created, "
        f"{state.rejected} rejected"
        + (f" (see {report_path})" if state.rejected else "")
        + f"; {elapsed:.1f} s, {rate:,.0f} rows/s"
    )
