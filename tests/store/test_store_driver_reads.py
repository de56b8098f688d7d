"""The server's reads run on the driver's connection (sqlite3, psycopg) directly.

They must behave as SQLAlchemy's execution does: the same rows and values
for every kind of list statement; on PostgreSQL, the caller's tenant only
under row-level security on a connection that served others, and a lost
connection reported as a database error and replaced.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from edm.helpdesk.tickets import TICKETS
from edm.identity import Principal, Role
from edm.manifest.model import RangeFilter
from edm.settings import Settings
from edm.store.database import Database, normalize_url
from edm.store.listing import AnyOf, Bound, ContainsAny, ListQuery, position_of
from edm.store.reads import ConnectionReads, Reads
from edm.store.records import RecordStore
from edm.store.schema import TABLES

PATH = "/api/v1/helpdesk/tickets"


async def _tenants_seen(reads: Reads) -> set[str]:
    """Every tenant whose tickets the reads see, with no tenant filter at all."""
    rows = await reads.all(select(TABLES["tickets"].c.tenant_id).distinct(), {})
    return {row.tenant_id for row in rows}


async def _backend(reads: Reads) -> int:
    row = await reads.first(select(func.pg_backend_pid()), {})
    assert row is not None
    return int(row[0])


def test_a_reused_connection_shows_each_read_its_own_tenant_only(
    postgresql_url: str, server_db, caller
) -> None:
    first, second = f"drv-a-{uuid4().hex[:6]}", f"drv-b-{uuid4().hex[:6]}"
    for tenant in (first, second):
        caller("agent", tenant_id=tenant).post(PATH, json={"title": f"{tenant} secret"})

    async def scenario(db: Database) -> tuple[list[set[str]], set[int]]:
        seen, backends = [], set()
        for tenant in (first, second, None, first, first, second):
            async with db.reading(tenant) as reads:
                seen.append(await _tenants_seen(reads))
                backends.add(await _backend(reads))
        return seen, backends

    seen, backends = server_db(scenario)

    assert len(backends) == 1  # one connection served them all
    assert seen == [{first}, {second}, set(), {first}, {first}, {second}]


def test_a_lost_connection_is_a_database_error_and_the_next_read_reconnects(
    postgresql_url: str, server_db, caplog: pytest.LogCaptureFixture
) -> None:
    admin = create_engine(normalize_url(postgresql_url), isolation_level="AUTOCOMMIT")

    async def scenario(db: Database) -> tuple[int, int]:
        async with db.reading("t") as reads:
            lost = await _backend(reads)
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": lost})
        with pytest.raises(DBAPIError) as failure:
            async with db.reading("t") as reads:
                await _backend(reads)
        assert failure.value.connection_invalidated
        async with db.reading("t") as reads:
            return lost, await _backend(reads)

    try:
        lost, replacement = server_db(scenario)
    finally:
        admin.dispose()

    assert replacement != lost
    # Dropped from the pool as lost, not by its reset failing (an error and a traceback in the log).
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _queries(since: datetime) -> list[ListQuery]:
    """A list statement of every kind: IN lists with and without NULL, tags,
    a time bound (a bind processor), search, and a cursor on a nullable sort."""
    return [
        ListQuery("created_at", True, 50),
        ListQuery(
            "created_at",
            False,
            50,
            filters=(
                AnyOf("priority", ("high", "urgent")),
                ContainsAny("tags", ("vip", "outage")),
                Bound("created_at", RangeFilter.AFTER, since),
            ),
        ),
        ListQuery("due_at", False, 2, filters=(AnyOf("assigned_to_id", ("a-1",), True),)),
        ListQuery("priority", True, 50, search="Printer"),
    ]


def test_driver_reads_return_what_sqlalchemy_returns_for_every_kind_of_list(
    database_url: str, settings: Settings, server_db, caller
) -> None:
    tenant = f"drv-{uuid4().hex[:6]}"
    agent = caller("agent", tenant_id=tenant)
    since = datetime.now(UTC) - timedelta(minutes=5)
    for i, (priority, tags) in enumerate(
        [("high", ["vip"]), ("urgent", ["outage", "vip"]), ("low", ["vip"]), ("high", [])]
    ):
        body = {"title": f"Printer {i}", "priority": priority, "tags": tags}
        if i % 2:
            body["assigned_to_id"] = "a-1"
        agent.post(PATH, json=body)
    principal = Principal("u", tenant, None, frozenset({Role.AGENT}))
    store = RecordStore(TICKETS)

    async def pages(reads: Reads) -> list[list[tuple[Any, ...]]]:
        found = []
        for query in _queries(since):
            rows = await store.page(reads, principal, query)
            order = query.order_field
            found.append([(r.id, r.record_json, position_of(TICKETS, order, r)) for r in rows])
            if query.limit < len(rows):  # and the page after it, from its cursor
                after = position_of(TICKETS, query.order_field, rows[query.limit - 1])
                rows = await store.page(reads, principal, replace(query, after=after))
                found.append([r.id for r in rows])
        return found

    async def by_driver(db: Database) -> list[Any]:
        async with db.reading(tenant) as reads:
            return await pages(reads)

    async def by_sqlalchemy() -> list[Any]:
        db = Database(database_url, pool_size=1, app_role=settings.db_app_role)
        try:
            with db.read(tenant) as conn:
                return await pages(ConnectionReads(conn))
        finally:
            db.dispose()

    driver = server_db(by_driver)
    expected = asyncio.run(by_sqlalchemy())

    assert all(expected), expected  # every statement found something
    assert driver == expected
