"""Throwaway databases, seeded through `edm seed`, and the requests to replay on them."""

from __future__ import annotations

import contextlib
import io
import json
import random
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.load import write_requests
from edm.cli.seed import HOST_SHARE, host_name, seed
from edm.helpdesk.tickets import ACTIVE, TICKETS
from edm.store.database import Database, normalize_url
from edm.store.schema import TABLES

API = TICKETS.path
TENANT = "bench"
SAMPLE = 5000  # distinct ids, numbers, hosts... each random operation draws from
DEEP_CURSORS = 20
SEEDED_PER_ACTIVE = 2  # tickets to seed per active one wanted: the seed draws 3 statuses in 5
Request = tuple[str, str, str | None]
UNIQUE = "{unique}"  # requests.lua sends a value here that no other request has sent


@dataclass
class BenchDatabase:
    """A database created for one run and dropped after it."""

    kind: str
    url: str
    admin_url: str | None = None
    name: str | None = None

    @classmethod
    def create(cls, kind: str, workdir: Path, postgres_url: str) -> BenchDatabase:
        if kind == "sqlite":
            path = workdir / f"bench-{uuid4().hex[:8]}.db"
            return cls(kind, f"sqlite:///{path}")
        name = f"edm_bench_{uuid4().hex[:10]}"
        admin = create_engine(normalize_url(postgres_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        return cls(kind, url, postgres_url, name)

    def migrate(self) -> None:
        edm = str(Path(sys.executable).with_name("edm"))
        subprocess.run(
            [edm, "db", "upgrade", "--database-url", self.url], check=True, capture_output=True
        )

    def drop(self) -> None:
        if self.kind == "sqlite":
            path = Path(make_url(self.url).database or "")
            for suffix in ("", "-wal", "-shm", "-lock"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            return
        admin = create_engine(normalize_url(self.admin_url or ""), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        admin.dispose()


def seed_database(db: BenchDatabase, size: int, small_tenants: int) -> None:
    seed(tenant=TENANT, tickets=size, small_tenants=small_tenants, database_url=db.url)


def _ids(
    db: BenchDatabase, *, statuses: frozenset[str] | None, limit: int, after: int = 0
) -> list[str]:
    """The tenant's newest tickets (numbered above `after`) in these statuses."""
    table = TABLES[TICKETS.name]
    stmt = select(table.c.id).where(table.c.tenant_id == TENANT, table.c.number_seq > after)
    if statuses is not None:
        stmt = stmt.where(table.c.status.in_(sorted(statuses)))
    database = Database(db.url, pool_size=1)
    try:
        with database.read(TENANT) as conn:
            return list(
                conn.execute(stmt.order_by(table.c.number_seq.desc()).limit(limit)).scalars()
            )
    finally:
        database.dispose()


def _last_number(db: BenchDatabase) -> int:
    table = TABLES[TICKETS.name]
    stmt = select(func.max(table.c.number_seq)).where(table.c.tenant_id == TENANT)
    database = Database(db.url, pool_size=1)
    try:
        with database.read(TENANT) as conn:
            return int(conn.execute(stmt).scalar() or 0)
    finally:
        database.dispose()


def _created_at_of(db: BenchDatabase, numbers: list[int]) -> list[str]:
    table = TABLES[TICKETS.name]
    stmt = select(table.c.created_at).where(
        table.c.tenant_id == TENANT, table.c.number_seq.in_(numbers)
    )
    database = Database(db.url, pool_size=1)
    try:
        with database.read(TENANT) as conn:
            return [value.isoformat() for value in conn.execute(stmt).scalars()]
    finally:
        database.dispose()


def _get_json(url: str, token: str) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def deep_cursors(db: BenchDatabase, base_url: str, token: str, size: int) -> list[str]:
    """Cursors positioned between a quarter of the way down and the oldest page.

    Taken through the API: a `created_before` page of one ticket returns a
    cursor for that position, and cursors are bound to the order, not the
    filters, so it continues the unfiltered newest-first list from there.
    """
    rng = random.Random(5)
    depths = sorted(
        {rng.randrange(size // 4, max(size // 4 + 1, size - 50)) for _ in range(DEEP_CURSORS)}
    )
    cursors = []
    for created_at in _created_at_of(db, [size - depth for depth in depths]):
        query = urllib.parse.urlencode({"created_before": created_at, "limit": 1})
        page = _get_json(f"{base_url}{API}?{query}", token)
        if page["next_cursor"]:
            cursors.append(str(page["next_cursor"]))
    return cursors


def get_requests(db: BenchDatabase, size: int, rng: random.Random) -> list[Request]:
    """Gets by id of up to `SAMPLE` of the tenant's tickets, in random order."""
    ids = _ids(db, statuses=None, limit=size)
    rng.shuffle(ids)
    return [("GET", f"{API}/{i}", None) for i in ids[:SAMPLE]]


def read_requests(
    db: BenchDatabase, base_url: str, token: str, size: int
) -> dict[str, list[Request]]:
    """The read operations' requests, drawn from the seeded data."""
    rng = random.Random(1)
    gets = get_requests(db, size, rng)
    statuses = TICKETS.field("status").enum or ()
    priorities = TICKETS.field("priority").enum or ()
    hosts = max(1, size // HOST_SHARE)
    numbers = rng.sample(range(1, size + 1), min(size, SAMPLE))
    return {
        "get_id": gets,
        "get_number": [("GET", f"{API}/{TICKETS.number.format(n)}", None) for n in numbers],  # type: ignore[union-attr]
        "list": [("GET", f"{API}?limit=50", None)],
        "list_filtered": [
            ("GET", f"{API}?status={s}&priority={p}", None) for s in statuses for p in priorities
        ],
        "list_deep": [
            ("GET", f"{API}?cursor={c}", None) for c in deep_cursors(db, base_url, token, size)
        ],
        "search": [
            ("GET", f"{API}?q={host_name(k)}", None)
            for k in rng.sample(range(hosts), min(hosts, SAMPLE))
        ],
    }


def create_requests() -> list[Request]:
    rng = random.Random(2)
    priorities = TICKETS.field("priority").enum or ()
    return [
        (
            "POST",
            API,
            json.dumps(
                {
                    "title": f"Bench ticket {i}",
                    "description": f"Created by the benchmark on host {host_name(10**6 + i)}.",
                    "priority": rng.choice(priorities),
                    "category": "Bench",
                    "tags": ["bench"],
                }
            ),
        )
        for i in range(200)
    ]


def write_targets_after_creates(db: BenchDatabase) -> tuple[list[Request], list[str]]:
    """Updates on a pool of active tickets; the other active tickets, shuffled, to close.

    Each update's title holds requests.lua's `{unique}`, filled differently for
    every request sent, so that each one changes its ticket (a `PATCH` of the
    values a ticket already holds writes nothing).
    """
    rng = random.Random(3)
    active = _ids(db, statuses=ACTIVE, limit=200_000)
    rng.shuffle(active)
    split = max(1, min(1000, len(active) // 4))
    pool, to_close = active[:split], active[split:]
    priorities = TICKETS.field("priority").enum or ()
    updates: list[Request] = [
        (
            "PATCH",
            f"{API}/{i}",
            json.dumps({"priority": rng.choice(priorities), "title": f"Updated {UNIQUE}"}),
        )
        for i in pool
    ]
    return updates, to_close


class CloseTargets:
    """`close` requests on distinct active tickets, in a request file grown on demand.

    Replayed in sequential mode, each line closes its ticket once over the
    warm-up and every run (bench.load.Replay), so repeated runs need about
    rate x (warm-up + runs x duration) lines: tens of thousands at a
    thousand closes a second, more than the active tickets seeded and
    created at the smaller sizes. `extend` then bulk-loads more tickets into
    the tenant (`edm seed`, numbers continuing its sequence) and appends the
    active ones. The tenant grows by them only before `close`, the last
    operation measured on it, which finds its ticket by id.
    """

    def __init__(self, db: BenchDatabase, ids: list[str], path: Path) -> None:
        self.db = db
        self.ids = ids
        self.path = path
        self._write()

    def extend(self, lines: int) -> None:
        """At least `lines` requests in the file."""
        before, started = len(self.ids), time.monotonic()
        while len(self.ids) < lines:
            self.ids += self._seed(SEEDED_PER_ACTIVE * (lines - len(self.ids)))
        if len(self.ids) > before:
            self._write()
            print(
                f"  (seeded {len(self.ids) - before:,} more active tickets to close "
                f"in {time.monotonic() - started:.1f} s)",
                flush=True,
            )

    def _seed(self, tickets: int) -> list[str]:
        """Bulk-load `tickets` more tickets into the tenant: the active ones' ids."""
        last = _last_number(self.db)
        with contextlib.redirect_stdout(io.StringIO()):  # seed's own summary line
            seed(tenant=TENANT, tickets=tickets, small_tenants=0, database_url=self.db.url)
        return _ids(self.db, statuses=ACTIVE, limit=tickets, after=last)

    def _write(self) -> None:
        write_requests(self.path, [("POST", f"{API}/{i}/close", None) for i in self.ids])
