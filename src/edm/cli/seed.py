"""`edm seed`: load many synthetic tickets fast, for demos and the benchmark.

One tenant gets `--tickets` tickets and `--small-tenants` tenants beside it
get a few each, through the bulk path (COPY on PostgreSQL, one executemany
on SQLite), each tenant in one transaction with its numbers taken as one
block of its counter. Content is deterministic for a given `--seed`:
enum values come from the manifest, texts from small vocabularies, and
every description names a host (`host_name`) shared by about
`HOST_SHARE` tickets of its tenant, which gives the benchmark searches
with a bounded number of hits at any size.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import typer
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from ulid import ULID

from edm.cli.database import DatabaseURL, display_url
from edm.cli.errors import CLIError
from edm.helpdesk.tickets import TICKETS, status_stamps
from edm.identity import Principal, Role
from edm.settings import Settings
from edm.stamps import creation_stamps
from edm.store.bulk import BulkLoader
from edm.store.database import Database
from edm.store.migrate import is_up_to_date
from edm.store.search import search_table_name

HOST_SHARE = 20  # tickets per host name, so a host search has ~20 hits in a tenant of any size
SPAN = timedelta(days=365)  # created_at spreads over the year before the seed runs

SUBJECTS = (
    "Printer", "Laptop", "VPN", "Email", "Monitor", "Password", "Wi-Fi", "Badge reader",
    "Payroll app", "CRM", "Docking station", "Phone", "Shared drive", "Calendar", "Database",
)  # fmt: skip
PROBLEMS = (
    "not working", "very slow", "keeps disconnecting", "shows an error", "access denied",
    "needs a replacement", "crashes on start", "cannot sign in", "request for access",
    "lost after update",
)  # fmt: skip
WORDS = (
    "since this morning", "after the latest update", "for the whole team", "on the third floor",
    "when working remotely", "with error code 0x80070005", "every few minutes", "intermittently",
    "for several customers", "before the quarterly close", "on the new hardware",
)  # fmt: skip
CATEGORIES = ("Hardware", "Software", "Network", "Access", "Email", "Facilities")
TAGS = ("vip", "outage", "onboarding", "security", "billing", "remote", "hardware")


def host_name(number: int) -> str:
    """A distinct host name per number below 26**5, e.g. `srv-qzkfa`."""
    scrambled = number * 7919 % 26**5  # 7919 is prime to 26: a bijection
    letters = ""
    for _ in range(5):
        scrambled, letter = divmod(scrambled, 26)
        letters += chr(ord("a") + letter)
    return f"srv-{letters}"


@dataclass(frozen=True, slots=True)
class People:
    """Reference pools, so filters on people and teams select a realistic share."""

    submitters: tuple[str, ...]
    agents: tuple[str, ...]
    teams: tuple[str, ...]

    @classmethod
    def make(cls, rng: random.Random) -> People:
        def uuids(n: int) -> tuple[str, ...]:
            return tuple(str(UUID(int=rng.getrandbits(128), version=4)) for _ in range(n))

        return cls(submitters=uuids(500), agents=uuids(50), teams=uuids(8))


class TicketFaker:
    """Synthetic ticket values for one tenant, as the API would have stored them."""

    def __init__(self, tenant_id: str, size: int, rng: random.Random, people: People) -> None:
        self.tenant_id = tenant_id
        self.size = size
        self.rng = rng
        self.people = people
        self.hosts = max(1, size // HOST_SHARE)
        self.start = datetime.now(UTC) - SPAN
        self.enums = {f.name: f.enum for f in TICKETS.writable_fields if f.enum}

    def created_at(self, index: int) -> datetime:
        """Increasing with the ticket's number, like tickets created through the API."""
        return self.start + SPAN * (index / self.size)

    def ticket(self, index: int) -> dict[str, Any]:
        rng = self.rng
        created_at = self.created_at(index)
        submitter = rng.choice(self.people.submitters)
        principal = Principal(submitter, self.tenant_id, None, frozenset({Role.REQUESTER}))
        values = creation_stamps(TICKETS, principal, created_at)
        values["id"] = f"{TICKETS.id_prefix}_{ULID.from_datetime(created_at)}"
        values.update({name: rng.choice(enum) for name, enum in self.enums.items()})
        status = values["status"]
        values |= {
            "title": f"{rng.choice(SUBJECTS)} {rng.choice(PROBLEMS)}",
            "description": (
                f"{rng.choice(SUBJECTS)} on host {host_name(index % self.hosts)} "
                f"{rng.choice(PROBLEMS)} {rng.choice(WORDS)}; {rng.choice(WORDS)}."
            ),
            "category": rng.choice(CATEGORIES),
            "submitted_by_id": submitter,
            "assigned_to_id": rng.choice((None, *self.people.agents)),
            "team_id": rng.choice(self.people.teams),
            "tags": rng.sample(TAGS, rng.randint(0, 2)),
            "source_type": "api",
            "pending_since": created_at if status == "pending" else None,
            **status_stamps(None, status, None, created_at),
        }
        return values

    def tickets(self) -> Iterator[dict[str, Any]]:
        return (self.ticket(i) for i in range(self.size))


def _load_tenant(
    db: Database, tenant_id: str, size: int, rng: random.Random, people: People
) -> int:
    loader = BulkLoader(TICKETS)
    with db.write(tenant_id) as conn:
        return loader.load(
            conn, tenant_id, TicketFaker(tenant_id, size, rng, people).tickets(), size
        )


def _settle(db: Database) -> None:
    """Fresh planner statistics (the big tenant changes which plan is
    cheapest) and the search index settled as an index built in one go.

    On SQLite, FTS5's index merged into one segment: a load of one
    transaction per tenant leaves it in dozens of segments, each read by
    every search, and the merges FTS5 then owes are paid by the creates
    that follow (docs/performance.md). On PostgreSQL, a vacuum of the
    tickets and their search copy: it marks the loaded pages all-visible,
    which spares reads checking each row's visibility, and moves the
    search index's pending entries into the index, which each search would
    otherwise scan."""
    search = search_table_name(TICKETS)
    with db.write(transaction=False) as conn:
        if db.is_sqlite:
            conn.execute(text(f"INSERT INTO {search}({search}) VALUES ('optimize')"))
            conn.execute(text(f"ANALYZE {TICKETS.name}"))
            return
        for table in (TICKETS.name, search):
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))


def seed(
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant that gets --tickets tickets.")],
    tickets: Annotated[int, typer.Option("--tickets", min=1, help="Tickets in that tenant.")],
    small_tenants: Annotated[
        int, typer.Option("--small-tenants", min=0, help="Small tenants loaded beside it.")
    ] = 1000,
    small_tenant_tickets: Annotated[
        int, typer.Option("--small-tenant-tickets", min=1, help="Tickets in each small tenant.")
    ] = 10,
    database_url: DatabaseURL = None,
    random_seed: Annotated[int, typer.Option("--seed", help="Seed of the content.")] = 7,
) -> None:
    """Bulk-load synthetic tickets (numbers continue each tenant's sequence)."""
    url = database_url or Settings().database_url
    db = Database(url, pool_size=1)
    rng = random.Random(random_seed)
    people = People.make(rng)
    started = time.monotonic()
    try:
        if not is_up_to_date(db.engine):
            raise CLIError(f"the database {display_url(url)} is not migrated: run `edm db upgrade`")
        first = _load_tenant(db, tenant, tickets, rng, people)
        loaded = time.monotonic()
        for i in range(small_tenants):
            _load_tenant(db, f"{tenant}-small-{i:04d}", small_tenant_tickets, rng, people)
        _settle(db)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise CLIError(f"cannot seed {display_url(url)}: {reason}") from None
    finally:
        db.dispose()
    last = TICKETS.number.format(first + tickets - 1) if TICKETS.number else ""
    typer.echo(
        f"Seeded {tickets} tickets into {tenant} (up to {last}) in {loaded - started:.1f} s, "
        f"and {small_tenants} small tenants x {small_tenant_tickets} in "
        f"{time.monotonic() - loaded:.1f} s"
    )
