"""What a create holds SQLite's write lock for, and how much of it is the schema's.

    python -m bench.sqlite_writes [--tickets 1000] [--creates 3200] [--batch 16] [--repeat 3]

SQLite has one writer, so a server can never create more tickets per
second than one over the time a create holds the write lock, however many
processes it runs. This measures that time in one process that has the
lock to itself (no HTTP, no other process waiting for the lock or
invalidating this one's page cache), on a throwaway database seeded by
`edm seed`:

- **EDM's write**: `TicketService.creation`'s writes (their values made
  first and left out of the timing, as the server makes them before the
  lock), run by `Database.run` `--batch` at a time, so that each batch is
  one transaction as under load (`edm.store.write_batches`): the SLA
  policy, the due date, the number, the row with its JSON returned, its
  search entry, its history event, the savepoints and the commit. Timed
  around each batch's `Database.run`, so the event loop's handing of the
  batch to the lock (some 30 us a create) is in it too.
- **Its rows alone**: the tickets and history events that EDM wrote, read
  back and inserted again with plain `INSERT`s on the standard library's
  `sqlite3` into a copy of the database as it was before, each with its
  counter's update, in the same transactions and savepoints: the
  database's share of the write, with no Python around it but a loop.
- The rows alone again without the FTS5 search index's trigger, without
  the ticket table's secondary indexes, and without either: what each
  costs.

Each figure is the median of `--repeat` runs of `--creates` creates.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench.dataset import TENANT, create_requests
from edm.cli.seed import seed
from edm.helpdesk.services import build_services
from edm.helpdesk.tickets import TICKETS
from edm.identity import Principal, Role
from edm.store.database import Database
from edm.store.migrate import upgrade
from edm.store.schema import counters, seq_column
from edm.store.search import search_table_name

EVENTS = "events"
_SEQ = seq_column(TICKETS)
assert _SEQ is not None, "tickets are numbered"
SEQ: str = _SEQ  # the ticket's number as an integer
WARMUP_BATCHES = 4
EDM_WRITE = "EDM's write"


@dataclass(frozen=True)
class Variant:
    """A replay of EDM's rows, on the schema as it is or with parts of it dropped."""

    label: str
    without_search: bool = False
    without_indexes: bool = False


VARIANTS = (
    Variant("its rows alone"),
    Variant("  without the FTS5 search trigger", without_search=True),
    Variant("  without the ticket's secondary indexes", without_indexes=True),
    Variant("  without either", without_search=True, without_indexes=True),
)


@dataclass(frozen=True)
class Written:
    """The rows a run of creates wrote, in creation order."""

    tickets: list[dict[str, Any]]
    events: list[dict[str, Any]]


class EdmCreates:
    """EDM's create writes on the database at `url`, as the server runs them."""

    def __init__(self, url: str) -> None:
        self.db = Database(url, event_loop=True)
        self.tickets = build_services(self.db)["tickets"]
        self.principal = Principal("bench", TENANT, None, frozenset({Role.AGENT}))
        self.bodies = [orjson.loads(body) for _method, _path, body in create_requests() if body]

    async def run(self, creates: int, batch: int) -> float:
        """Seconds per create, timed around each batch's `Database.run`."""
        spent = 0.0
        for start in range(0, creates, batch):
            end = min(start + batch, creates)
            bodies = (self.bodies[i % len(self.bodies)] for i in range(start, end))
            writes = [self.tickets.creation(self.principal, dict(body)) for body in bodies]
            began = time.perf_counter()
            await asyncio.gather(*(self.db.run(write) for write in writes))
            spent += time.perf_counter() - began
        return spent / creates


def _copy(source: Path, target: Path) -> None:
    """A consistent copy, whatever the source's WAL holds."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _connect(path: Path) -> closing[sqlite3.Connection]:
    """A connection as EDM's (`edm.store.database`): autocommit, WAL, synchronous=NORMAL."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return closing(connection)


def _rows(connection: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _written_since(path: Path, last_seq: int) -> Written:
    with _connect(path) as connection:
        tickets = _rows(
            connection,
            f"SELECT * FROM {TICKETS.name} WHERE tenant_id = ? AND {SEQ} > ? ORDER BY {SEQ}",
            (TENANT, last_seq),
        )
        events = _rows(
            connection,
            f"SELECT e.* FROM {EVENTS} e JOIN {TICKETS.name} t "
            "ON t.tenant_id = e.tenant_id AND t.id = e.ticket_id "
            f"WHERE e.tenant_id = ? AND e.action = 'create' AND t.{SEQ} > ? ORDER BY t.{SEQ}",
            (TENANT, last_seq),
        )
    return Written(tickets, events)


def _last_seq(path: Path) -> int:
    with _connect(path) as connection:
        (value,) = connection.execute(
            f"SELECT max({SEQ}) FROM {TICKETS.name} WHERE tenant_id = ?", (TENANT,)
        ).fetchone()
    return int(value)


def _insert_sql(table: str, row: dict[str, Any]) -> str:
    return f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"


def _strip(connection: sqlite3.Connection, variant: Variant) -> None:
    if variant.without_search:
        connection.execute(f"DROP TRIGGER {search_table_name(TICKETS)}_ai")
    if variant.without_indexes:
        # Not the primary key's or the unique constraints' (no `sql`: SQLite made them).
        names = connection.execute(
            "SELECT name FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (TICKETS.name,),
        ).fetchall()
        for (name,) in names:
            connection.execute(f'DROP INDEX "{name}"')
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def replay(before: Path, copy: Path, written: Written, batch: int, variant: Variant) -> float:
    """Seconds per create to insert `written` again into `copy` of `before`,
    removed afterwards."""
    _copy(before, copy)
    ticket_sql = _insert_sql(TICKETS.name, written.tickets[0])
    event_sql = _insert_sql(EVENTS, written.events[0])
    counter_sql = f"UPDATE {counters.name} SET value = ? WHERE tenant_id = ? AND name = ?"
    pairs = list(zip(written.tickets, written.events, strict=True))
    with _connect(copy) as connection:
        _strip(connection, variant)
        began = time.perf_counter()
        for start in range(0, len(pairs), batch):
            connection.execute("BEGIN IMMEDIATE")
            for ticket, event in pairs[start : start + batch]:
                connection.execute("SAVEPOINT replay")
                connection.execute(counter_sql, (ticket[SEQ], TENANT, TICKETS.name))
                connection.execute(ticket_sql, tuple(ticket.values()))
                connection.execute(event_sql, tuple(event.values()))
                connection.execute("RELEASE replay")
            connection.execute("COMMIT")
        spent = time.perf_counter() - began
        (inserted,) = connection.execute(
            f"SELECT count(*) FROM {TICKETS.name} WHERE tenant_id = ? AND {SEQ} > ?",
            (TENANT, written.tickets[0][SEQ] - 1),
        ).fetchone()
    for leftover in copy.parent.glob(copy.name + "*"):  # with its -wal and -shm, if any
        leftover.unlink()
    assert inserted == len(pairs), f"replayed {inserted} of {len(pairs)} tickets"
    return spent / len(pairs)


def measure(tickets: int, creates: int, batch: int, repeat: int, workdir: Path) -> dict[str, float]:
    """Median seconds per create of EDM's write and of each replay variant."""
    path = workdir / "bench.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    seed(tenant=TENANT, tickets=tickets, small_tenants=0, database_url=url)
    edm = EdmCreates(url)
    labels = [variant.label for variant in VARIANTS]
    asyncio.run(edm.run(WARMUP_BATCHES * batch, batch))
    figures: dict[str, list[float]] = {label: [] for label in (EDM_WRITE, *labels)}
    before, copy = workdir / "before.db", workdir / "copy.db"
    for _ in range(repeat):
        _copy(path, before)
        last_seq = _last_seq(before)
        figures[EDM_WRITE].append(asyncio.run(edm.run(creates, batch)))
        written = _written_since(path, last_seq)
        for variant in VARIANTS:
            figures[variant.label].append(replay(before, copy, written, batch, variant))
    edm.db.dispose()
    return {label: statistics.median(runs) for label, runs in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=1000, help="tickets seeded first")
    parser.add_argument("--creates", type=int, default=3200, help="creates per run")
    parser.add_argument("--batch", type=int, default=16, help="creates per transaction")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        figures = measure(args.tickets, args.creates, args.batch, args.repeat, Path(workdir))
    print(
        f"a create under SQLite's write lock ({args.tickets:,} tickets seeded, "
        f"{args.batch} creates a transaction, median of {args.repeat} x {args.creates:,}):"
    )
    for label, seconds in figures.items():
        print(f"{label:<44} {seconds * 1e6:7.1f} us  ({1 / seconds:,.0f} creates/s)")


if __name__ == "__main__":
    main()
