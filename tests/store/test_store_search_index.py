"""`q` is served by a trigram index (pg_trgm GIN / SQLite FTS5) and stays exact."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any
from uuid import uuid4

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from psycopg import sql
from sqlalchemy import inspect, select, text

from edm.cli.seed import People, TicketFaker, host_name
from edm.helpdesk.tickets import TICKETS
from edm.identity import Principal, Role
from edm.settings import Settings
from edm.store.bulk import BulkLoader
from edm.store.database import Database
from edm.store.listing import ListQuery, page_statement
from edm.store.migrate import alembic_config, upgrade
from edm.store.outside_metadata import include_in_autogenerate
from edm.store.reads import Reads
from edm.store.records import RecordStore
from edm.store.schema import TABLES, metadata
from edm.store.search import (
    RareTrigrams,
    SearchPlan,
    count_function,
    matches_function,
    search_table_name,
    trigram_index_name,
)
from scratch_databases import new_postgresql_database

PATH = "/api/v1/helpdesk/tickets"
BIG_TENANT = "search-big"
WINDOW_TENANT = "search-window"
RARE_AMONG_COMMON = "red fox red"  # each trigram in every WINDOW_TENANT ticket, the text in 60


def _load_window_tenant(db: Database, rng: random.Random) -> None:
    """More tickets than `RecordStore.SEARCH_WINDOW`, each holding every
    trigram of `RARE_AMONG_COMMON`; only the oldest 60 hold the text."""
    size = RecordStore.SEARCH_WINDOW + 100
    faker = TicketFaker(WINDOW_TENANT, size, rng, People.make(rng))

    def tickets() -> Iterator[dict[str, Any]]:
        for index, ticket in enumerate(faker.tickets()):
            foxes = "red fox red fox." if index < 60 else "red fox. fox red."
            yield ticket | {"description": f"{ticket['description']} {foxes}"}

    with db.write(WINDOW_TENANT) as conn:
        BulkLoader(TICKETS).load(conn, WINDOW_TENANT, tickets(), size)


def _load(db: Database, tenant: str, size: int, rng: random.Random) -> None:
    with db.write(tenant) as conn:
        faker = TicketFaker(tenant, size, rng, People.make(rng))
        BulkLoader(TICKETS).load(conn, tenant, faker.tickets(), size)


@pytest.fixture(scope="module")
def search_db(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A database of its own: one big tenant beside a middling one
    (`_load_window_tenant`) and 5 small ones, analyzed.

    SQLite's planner chooses by statistics, so the big tenant must be big
    enough that reading its rows costs more than the index. The database is
    loaded as the login role and yielded acting as the application's role,
    under row-level security like the server.
    """
    with ExitStack() as cleanup:
        if database_url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'search.db'}"
        else:
            url = cleanup.enter_context(new_postgresql_database(database_url, "edm_test_search"))
        upgrade(url)
        loader = Database(url, pool_size=1)
        rng = random.Random(3)
        _load(loader, BIG_TENANT, 3000, rng)
        _load_window_tenant(loader, rng)
        for i in range(5):
            _load(loader, f"search-small-{i}", 5, rng)
        with loader.write() as conn:
            conn.execute(text("ANALYZE"))
        loader.dispose()
        db = Database(url, pool_size=1, app_role=settings.db_app_role)
        yield db
        db.dispose()


def _search_plan(db: Database, q: str) -> SearchPlan:
    """How the server asks the index about `q`."""

    async def run() -> SearchPlan:
        async with db.reading(BIG_TENANT) as reads:
            return await RareTrigrams(TICKETS).plan(reads, q)

    return asyncio.run(run())


def _rare_trigrams(db: Database, q: str) -> dict[str, str]:
    """The values that ask the index for the rarest trigrams of `q`."""
    return _search_plan(db, q).parameters


def _plan(db: Database, q: str) -> str:
    """The database's plan for the first page of a search in the big tenant.

    PostgreSQL rightly prefers reading a table this small in full, so its
    plan is asked for with sequential and plain index scans priced out: the
    question is whether the trigram index can answer the query under
    row-level security, not whether it must (docs/performance.md shows the
    plans it picks by itself at 1,000,000 tickets).
    """
    principal = Principal("bench", BIG_TENANT, None, frozenset({Role.AGENT}))
    stmt, values = page_statement(TICKETS, principal, ListQuery("created_at", True, 50, search=q))
    values |= _rare_trigrams(db, q)  # as the server asks
    # A transaction (reads are not one on PostgreSQL), for the SET LOCALs below.
    with db.write(BIG_TENANT) as conn:
        compiled = stmt.compile(dialect=conn.dialect)
        params: Any = compiled.construct_params(values)
        if compiled.positiontup is not None:
            params = tuple(params[name] for name in compiled.positiontup)
        if db.is_sqlite:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params).all()
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
            rows = conn.exec_driver_sql(f"EXPLAIN {compiled}", params).all()
    return "\n".join(str(row[-1]) for row in rows)


def test_search_is_answered_from_the_trigram_index(search_db: Database) -> None:
    plan = _plan(search_db, host_name(42))

    if search_db.is_sqlite:
        assert f"{search_table_name(TICKETS)} VIRTUAL TABLE" in plan, plan
        assert "USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
        assert "(tenant_id=?)" not in plan, plan  # no walk over the tenant's rows
    else:
        assert matches_function(TICKETS) in plan, plan  # the tenant's matches in the copy
        assert "Seq Scan" not in plan, plan
        assert "Index Scan Backward" not in plan, plan  # no walk over the tenant's rows
        matches = _matches_plan(search_db, host_name(42))
        index = trigram_index_name(TICKETS, "description")
        assert f"Bitmap Index Scan on {index}" in matches, matches


def _matches_plan(db: Database, q: str) -> str:
    """PostgreSQL: the generic plan (as a SQL function's) of the body of the
    function that finds a tenant's matches in the search copy, as its owner
    runs it, sequential scans priced out as `_plan` prices them."""
    owner = Database(db.engine.url.render_as_string(hide_password=False), pool_size=1)
    try:
        with owner.write(BIG_TENANT) as conn:
            body = conn.execute(
                text("SELECT prosrc FROM pg_proc WHERE proname = :name"),
                {"name": matches_function(TICKETS)},
            ).scalar_one()
            for number, name in enumerate(("p0", "p1", "p2", "q", "with_number"), 1):
                body = re.sub(rf"\b{name}\b", f"${number}", body)
            conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # as `_plan` does
            conn.exec_driver_sql(f"PREPARE matches (text, text, text, text, boolean) AS {body}")
            values = _rare_trigrams(db, q)
            pieces = tuple(values[f"q_piece_{i}"] for i in range(3))
            literals = ", ".join(sql.Literal(v).as_string(None) for v in (*pieces, q))
            explain = f"EXPLAIN EXECUTE matches ({literals}, false)".replace("%", "%%")
            rows = conn.exec_driver_sql(explain)
            plan = "\n".join(str(row[0]) for row in rows)
            conn.exec_driver_sql("DEALLOCATE matches")
            return plan
    finally:
        owner.dispose()


def test_index_covers_exactly_the_manifest_searchable_fields(search_db: Database) -> None:
    searchable = {f.name for f in TICKETS.searchable_fields}
    with search_db.read() as conn:
        if search_db.is_sqlite:
            columns = {c["name"] for c in inspect(conn).get_columns(search_table_name(TICKETS))}
            assert columns == searchable
        else:
            trigram_indexes = text(
                "SELECT indexname FROM pg_indexes "
                "WHERE tablename = :t AND indexdef LIKE '%gin_trgm_ops%'"
            )
            found = conn.execute(trigram_indexes, {"t": search_table_name(TICKETS)})
            indexes = set(found.scalars())
            assert indexes == {trigram_index_name(TICKETS, name) for name in searchable}


def _found(agent, q: str) -> set[str]:
    response = agent.get(PATH, params={"q": q, "limit": 200})
    assert response.status_code == 200, response.text
    return {t["id"] for t in response.json()["data"]}


@pytest.mark.parametrize("q", ["Printer", "PRINTER JAM", "ja", 'say "hi"', "é"])
def test_search_never_returns_another_tenants_tickets(caller, agent, q: str) -> None:
    other = caller("agent", tenant_id=f"tenant-{uuid4().hex[:10]}")
    title = f'Printer jam, say "hi" café {uuid4().hex[:6]}'
    mine = agent.post(PATH, json={"title": title}).json()
    other.post(PATH, json={"title": title})

    assert _found(agent, q) == {mine["id"]}


def test_search_follows_updates_and_deletes(agent, admin) -> None:
    word, new_word = f"alpha{uuid4().hex[:6]}", f"omega{uuid4().hex[:6]}"
    ticket = agent.post(PATH, json={"title": f"About {word}"}).json()
    agent.patch(f"{PATH}/{ticket['id']}", json={"title": f"About {new_word}"})

    assert _found(agent, word) == set()
    assert _found(agent, new_word) == {ticket["id"]}
    admin.delete(f"{PATH}/{ticket['id']}")
    assert _found(agent, new_word) == set()


def _search(db: Database, q: str) -> set[str]:
    """Every ticket of the big tenant a search for `q` finds, the way the server searches."""
    principal = Principal("bench", BIG_TENANT, None, frozenset({Role.AGENT}))

    async def run() -> set[str]:
        async with db.reading(BIG_TENANT) as reads:
            query = ListQuery("created_at", True, 10_000, search=q)
            return {row.id for row in await RecordStore(TICKETS).page(reads, principal, query)}

    return asyncio.run(run())


def _containing(db: Database, q: str) -> set[str]:
    """Every ticket of the big tenant whose number, title or description contains `q` (ASCII)."""
    tickets = TABLES["tickets"]
    with db.read(BIG_TENANT) as conn:
        rows = conn.execute(
            select(tickets.c.id, tickets.c.number, tickets.c.title, tickets.c.description).where(
                tickets.c.tenant_id == BIG_TENANT
            )
        )
        return {r.id for r in rows if any(q.lower() in (v or "").lower() for v in r[1:])}


@pytest.mark.parametrize(
    "q",
    [
        host_name(42),
        host_name(42).upper(),
        f"on host {host_name(7)}",
        host_name(3)[2:],
        "on host srv-",
        'a "quoted" host',
        f"host {host_name(42)[4:]}",  # its rare trigrams are in tickets that do not hold it
        f"{host_name(42)[4:]} srv",
        "TKT-0042",
        "tkt-00",
        "ça va",
    ],
)
def test_a_search_by_its_rarest_trigrams_finds_exactly_the_tickets_containing_it(
    search_db: Database, q: str
) -> None:
    assert _search(search_db, q) == _containing(search_db, q)


def _pieces(db: Database, q: str) -> list[str]:
    """What the index is asked for: FTS5's phrases, or PostgreSQL's LIKE patterns."""
    values = _rare_trigrams(db, q)
    if db.is_sqlite:
        (query,) = values.values()
        return re.findall(r'"((?:[^"]|"")*)"', query)
    return sorted(value for name, value in values.items() if name.startswith("q_piece_"))


def test_the_index_is_asked_for_the_rarest_trigrams_of_the_text_only(search_db: Database) -> None:
    host = host_name(42)  # "srv" and "rv-" are in every ticket, its letters in a few
    pieces = _pieces(search_db, host)

    if not search_db.is_sqlite:
        assert all(p.startswith("%") and p.endswith("%") for p in pieces), pieces
        pieces = [p.strip("%") for p in pieces]
    assert len(set(pieces)) == RareTrigrams.PICK, pieces
    assert all(len(piece) == 3 and piece in host for piece in pieces)
    assert not {"srv", "rv-"} & set(pieces)


def test_a_trigram_in_few_records_is_rare_however_large_its_share(search_db: Database) -> None:
    """`printer` is in about an eighth of the 4,100 tickets: short lists to read."""
    pieces = [p.strip("%") for p in _pieces(search_db, "printer")]

    assert pieces and all(len(piece) == 3 and piece in "printer" for piece in pieces), pieces
    assert _search_plan(search_db, "printer").common_share == 0.0


def test_a_text_of_common_trigrams_only_is_asked_for_by_bounded_pieces(
    search_db: Database,
) -> None:
    text = "on host srv-"
    pieces = _pieces(search_db, text)

    if search_db.is_sqlite:  # its trigrams, each alone: never a phrase
        assert len(pieces) == RareTrigrams.PICK, pieces
        assert all(len(piece) == 3 and piece in text for piece in pieces), pieces
    else:
        assert pieces == [f"%{text}%"] * RareTrigrams.PICK
    assert _search_plan(search_db, text).common_share > 0.9  # its trigrams are in every ticket
    assert _search_plan(search_db, host_name(42)).common_share == 0.0


@pytest.mark.parametrize("text", ["é" * 200, "a" * 199 + "c", "on host srv-" * 16])
def test_a_long_text_asks_the_index_for_a_bounded_part_of_it(search_db: Database, text) -> None:
    """However long the text, and however few its distinct trigrams, the
    index is given at most PICK trigrams (SQLite) or pieces of at most
    PIECE_CHARACTERS characters (PostgreSQL): never the whole text."""
    pieces = [p.strip("%") for p in _pieces(search_db, text)]

    longest = 3 if search_db.is_sqlite else RareTrigrams.PIECE_CHARACTERS
    assert 0 < len(set(pieces)) <= RareTrigrams.PICK, pieces
    assert all(len(piece) <= longest and piece in text for piece in pieces), pieces


class _Recorded:
    """Reads that remember the SQL of each statement they run."""

    def __init__(self, reads: Reads) -> None:
        self._reads = reads
        self.dialect = reads.dialect
        self.sql: list[str] = []

    async def first(self, statement: Any, params: dict[str, Any]) -> Any:
        self.sql.append(str(statement))
        return await self._reads.first(statement, params)

    async def all(self, statement: Any, params: dict[str, Any]) -> list[Any]:
        self.sql.append(str(statement))
        return await self._reads.all(statement, params)


def _pages(
    db: Database,
    store: RecordStore,
    q: str,
    limit: int,
    count: int,
    after: Any = None,
    tenant: str = BIG_TENANT,
) -> list[tuple[list[str], list[str]]]:
    """`count` pages of a search for `q` in `tenant` (ids, and the SQL of the
    statements that read tickets for it), the first after the keyset
    position `after`, each other after the last one's cursor."""
    principal = Principal("bench", tenant, None, frozenset({Role.AGENT}))

    async def run() -> list[tuple[list[str], list[str]]]:
        nonlocal after
        pages = []
        for _ in range(count):
            async with db.reading(tenant) as reads:
                recorded = _Recorded(reads)
                query = ListQuery("created_at", True, limit, search=q, after=after)
                rows = (await store.page(recorded, principal, query))[: limit + 1]
            pages.append(([r.id for r in rows], [s for s in recorded.sql if "FROM tickets " in s]))
            if len(rows) > limit:
                after = (rows[limit - 1].created_at, rows[limit - 1].id)
        return pages

    return asyncio.run(run())


def _in_list_order(db: Database, q: str, tenant: str = BIG_TENANT) -> list[str]:
    """The ids of `tenant`'s tickets containing `q` (ASCII), newest first."""
    tickets = TABLES["tickets"]
    with db.read(tenant) as conn:
        columns = (tickets.c.number, tickets.c.title, tickets.c.description)
        rows = conn.execute(
            select(tickets.c.id, tickets.c.created_at, *columns).where(
                tickets.c.tenant_id == tenant
            )
        ).all()
    found = [r for r in rows if any(q.lower() in (v or "").lower() for v in r[2:])]
    found.sort(key=lambda r: (r.created_at, r.id), reverse=True)
    return [r.id for r in found]


def _reads(statements: list[str]) -> tuple[bool, bool, bool]:
    """Whether the records after the cursor were read for matches (the
    window), whether they were counted past the window, and whether the
    index was asked."""
    window = any("AS recent" in s for s in statements)
    beyond = any("AS following" in s for s in statements)
    index = any("AS recent" not in s and "AS following" not in s for s in statements)
    return window, beyond, index


def test_a_common_text_finds_its_page_among_the_records_after_the_cursor(
    search_db: Database,
) -> None:
    text = "on host srv-"  # in every ticket
    expected = _in_list_order(search_db, text)

    pages = _pages(search_db, RecordStore(TICKETS), text, 50, 3)

    for number, (ids, statements) in enumerate(pages):
        assert ids == expected[50 * number : 50 * number + 51]
        assert _reads(statements) == (True, False, False)  # the index was not asked


def _position(db: Database, ticket_id: str) -> tuple[Any, str]:
    """The keyset position (created_at, id) of a ticket in the list."""
    tickets = TABLES["tickets"]
    with db.read(BIG_TENANT) as conn:
        row = conn.execute(select(tickets.c.created_at).where(tickets.c.id == ticket_id)).one()
    return row.created_at, ticket_id


def test_a_common_text_among_the_last_records_is_found_without_the_index(
    search_db: Database,
) -> None:
    """Fewer than a page, but the window read every record after the cursor."""
    text = "on host srv-"
    expected = _in_list_order(search_db, text)
    near_the_end = _position(search_db, expected[-31])  # 30 records follow it

    ((ids, statements),) = _pages(search_db, RecordStore(TICKETS), text, 50, 1, near_the_end)

    assert ids == expected[-30:]
    assert _reads(statements) == (True, True, False)


def test_a_common_text_short_among_recent_records_asks_the_index_for_the_rest(
    search_db: Database,
) -> None:
    expected = _in_list_order(search_db, RARE_AMONG_COMMON, WINDOW_TENANT)

    ((ids, statements),) = _pages(
        search_db, RecordStore(TICKETS), RARE_AMONG_COMMON, 50, 1, tenant=WINDOW_TENANT
    )

    assert len(expected) == 60 and ids == expected[:51]
    assert _reads(statements) == (True, True, True)


class _NarrowWindow(RecordStore):
    SEARCH_WINDOW = 40


def test_a_common_text_too_rare_to_fill_a_page_among_recent_records_asks_the_index_at_once(
    search_db: Database,
) -> None:
    """In every record, the window would hold 40 matches: fewer than a page of 50."""
    text = "on host srv-"

    ((ids, statements),) = _pages(search_db, _NarrowWindow(TICKETS), text, 50, 1)

    assert ids == _in_list_order(search_db, text)[:51]
    assert _reads(statements) == (False, False, True)


def test_a_rare_text_asks_the_index_at_once(search_db: Database) -> None:
    host = host_name(42)

    ((ids, statements),) = _pages(search_db, RecordStore(TICKETS), host, 50, 1)

    assert ids == _in_list_order(search_db, host)
    assert _reads(statements) == (False, False, True)


def test_postgresql_counts_a_trigram_in_the_callers_tenant_only(search_db: Database) -> None:
    if search_db.is_sqlite:
        pytest.skip("SQLite's FTS5 table is not per tenant, and its role is no database role")
    statement = text(f"SELECT {count_function(TICKETS)}(:pattern, :cap)")

    def count(tenant: str | None, pattern: str) -> int:
        with search_db.read(tenant) as conn:  # as the application's role
            return int(conn.execute(statement, {"pattern": pattern, "cap": 1000}).scalar_one())

    assert count(BIG_TENANT, "%srv%") == 1000  # in every ticket of the big tenant: capped
    assert count(BIG_TENANT, "%tkt%") == 1000  # in every number
    assert count(BIG_TENANT, f"%{host_name(42)[4:7]}%") < 1000  # in a few tickets
    assert count("search-small-0", "%srv%") <= 5
    assert count(None, "%srv%") == 0


def test_search_survives_vacuum_on_sqlite(search_db: Database, database_url: str) -> None:
    """The FTS5 index points at rowids, which VACUUM keeps for tables with indexes."""
    if not search_db.is_sqlite:
        pytest.skip("VACUUM and rowids are SQLite's")
    principal = Principal("bench", BIG_TENANT, None, frozenset({Role.AGENT}))
    query = ListQuery("created_at", True, 200, search=host_name(7))

    def found() -> list[str]:
        with search_db.read() as conn:
            return [row.id for row in conn.execute(*page_statement(TICKETS, principal, query))]

    before = found()
    with search_db.write() as conn:
        conn.execute(text("DELETE FROM tickets WHERE tenant_id = 'search-small-0'"))
    with search_db.engine.connect() as conn:
        conn.connection.driver_connection.execute("VACUUM")  # outside any transaction

    assert before and found() == before


def test_autogenerate_leaves_only_the_objects_outside_the_metadata_out(search_db: Database) -> None:
    """The search index and the stored JSON live outside the metadata; nothing else may differ."""
    with search_db.engine.connect() as conn:
        opts = {"compare_type": True, "include_name": include_in_autogenerate}
        context = MigrationContext.configure(conn, opts=opts)
        assert compare_metadata(context, metadata) == []


def test_downgrading_row_security_of_the_search_copy_restores_what_it_replaced(
    empty_postgresql_url: str,
) -> None:
    config = alembic_config(empty_postgresql_url)
    command.upgrade(config, "head")
    command.downgrade(config, "0004")
    db = Database(empty_postgresql_url, pool_size=1)
    try:
        with db.read() as conn:
            functions = set(
                conn.execute(
                    text("SELECT proname FROM pg_proc WHERE proname LIKE 'tickets_search_%'")
                ).scalars()
            )
            usable = conn.execute(
                text("SELECT has_table_privilege('edm_app', 'tickets_search', 'SELECT')")
            ).scalar_one()
    finally:
        db.dispose()
    assert functions == {"tickets_search_common_trigrams", "tickets_search_sync"}
    assert usable
    command.upgrade(config, "head")
