"""The bulk path stores tickets exactly as the API would, numbered in sequence."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import bindparam, select, text

from edm.cli.seed import People, TicketFaker, seed
from edm.helpdesk.tickets import TICKETS
from edm.store.bulk import BulkLoader
from edm.store.database import Database
from edm.store.migrate import upgrade
from edm.store.schema import TABLES, counters, rank_column
from edm.store.search import search_table_name

PATH = "/api/v1/helpdesk/tickets"


def _faker(tenant: str, size: int) -> TicketFaker:
    rng = random.Random(11)
    return TicketFaker(tenant, size, rng, People.make(rng))


def bulk_load(db: Database, tenant: str, size: int) -> int:
    with db.write(tenant) as conn:
        return BulkLoader(TICKETS).load(conn, tenant, _faker(tenant, size).tickets(), size)


def test_numbers_stay_gapless_between_api_creates_and_bulk_loads(db, agent, tenant) -> None:
    before = [agent.post(PATH, json={"title": f"api {i}"}).json()["number"] for i in range(2)]
    first = bulk_load(db, tenant, 5)
    after = agent.post(PATH, json={"title": "api after"}).json()["number"]

    listed = agent.get(PATH, params={"order": "number", "limit": 200}).json()["data"]
    assert first == 3
    assert [t["number"] for t in listed] == [TICKETS.number.format(n) for n in range(1, 9)]
    assert before == ["TKT-0001", "TKT-0002"] and after == "TKT-0008"


def test_bulk_rows_read_back_and_update_through_the_api(db, agent, tenant) -> None:
    bulk_load(db, tenant, 12)
    by_number = agent.get(f"{PATH}/TKT-0002")
    active = agent.get(PATH, params={"status": "open,in_progress,pending"}).json()["data"][0]
    patched = agent.patch(f"{PATH}/{active['id']}", json={"title": "changed"})

    assert by_number.status_code == 200
    assert by_number.headers["etag"] == f'"{by_number.json()["id"]}.1"'
    assert set(by_number.json()) == {f.name for f in TICKETS.fields}
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] == f'"{active["id"]}.2"'


def test_hidden_columns_are_derived_from_the_manifest(db, tenant) -> None:
    bulk_load(db, tenant, 40)
    table = TABLES[TICKETS.name]
    priority = TICKETS.field("priority")
    with db.read(tenant) as conn:
        rows = conn.execute(select(table).where(table.c.tenant_id == tenant)).all()

    assert {row.revision for row in rows} == {1}
    assert sorted(row.number_seq for row in rows) == list(range(1, 41))
    assert all(row.number == TICKETS.number.format(row.number_seq) for row in rows)
    assert all(
        getattr(row, rank_column(priority)) == priority.enum.index(row.priority) for row in rows
    )
    assert {row.sla_paused_us for row in rows} == {TICKETS.internal_fields[1].default}


def test_a_wrong_row_count_rolls_the_whole_load_back(db, tenant) -> None:
    with pytest.raises(ValueError, match="announced"), db.write(tenant) as conn:
        BulkLoader(TICKETS).load(conn, tenant, _faker(tenant, 3).tickets(), 4)

    with db.read(tenant) as conn:
        counter = conn.execute(select(counters.c.value).where(counters.c.tenant_id == tenant))
        assert counter.one_or_none() is None


def test_seed_command_loads_the_big_tenant_and_the_small_ones(database_url, caller, tenant):
    seed(
        tenant=tenant,
        tickets=25,
        small_tenants=3,
        small_tenant_tickets=2,
        database_url=database_url,
    )

    big = caller("agent", tenant_id=tenant).get(PATH, params={"limit": 200}).json()["data"]
    small = caller("agent", tenant_id=f"{tenant}-small-0002").get(PATH).json()["data"]
    assert len(big) == 25 and len(small) == 2
    assert big[0]["number"] == "TKT-0025"  # newest first: created_at follows the number


def test_seed_vacuums_the_tickets_and_their_search_copy_on_postgresql(postgresql_url, db, tenant):
    tables = (TICKETS.name, search_table_name(TICKETS))

    def vacuums() -> dict[str, int]:
        with db.read() as conn:
            rows = conn.execute(
                text(
                    "SELECT relname, vacuum_count FROM pg_stat_user_tables WHERE relname IN :t"
                ).bindparams(bindparam("t", expanding=True)),
                {"t": tables},
            )
            return dict(rows.all())

    before = vacuums()
    seed(tenant=tenant, tickets=5, small_tenants=0, database_url=postgresql_url)

    after = vacuums()
    assert all(after[table] > before.get(table, 0) for table in tables), (before, after)


def test_seed_merges_the_search_index_on_sqlite(tmp_path) -> None:
    """A load of one transaction per tenant leaves FTS5 a segment per load,
    which every search reads and whose merges later creates would pay."""
    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    upgrade(url)
    seed(tenant="acme", tickets=30, small_tenants=2, small_tenant_tickets=3, database_url=url)

    index = search_table_name(TICKETS)
    db = Database(url, pool_size=1)
    with db.read() as conn:
        segments = conn.execute(text(f"SELECT count(DISTINCT segid) FROM {index}_idx"))
        found = conn.execute(
            text(f"SELECT count(*) FROM {index} WHERE {index} MATCH :text"),
            {"text": '"TKT-0030"'},
        )
        assert (segments.scalar_one(), found.scalar_one()) == (1, 1)
    db.dispose()
