"""A write's own statements run on the driver's connection
(`edm.store.writes`: `sqlite3`'s and psycopg's underneath SQLAlchemy's
connection; on the server, outside a transaction, asyncpg's) and behave
as they would through SQLAlchemy: the same values, SQLAlchemy's errors,
the write's budget kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Integer, cast, exc, insert, literal, select

from database_views import View
from edm.helpdesk.tickets import TicketService
from edm.identity import Principal, Role
from edm.store.database import Database
from edm.store.reads import DriverRow
from edm.store.schema import counters
from edm.store.writes import AsyncpgWrites, ConnectionWrites

NOT_A_NUMBER = select(cast(literal("seven"), Integer))


@pytest.fixture
def principal() -> Principal:
    return Principal("agent-1", f"tenant-{uuid4().hex[:10]}", None, frozenset({Role.AGENT}))


def test_a_record_written_and_read_on_the_driver_holds_what_sqlalchemy_reads(
    app_db: Database, principal: Principal
) -> None:
    tickets = TicketService(app_db)
    created = tickets.create(
        principal, {"title": "Printer jam", "tags": ["vip", "remote"], "priority": "high"}
    )

    with app_db.writes(principal.tenant_id) as writes:
        on_driver = tickets.store.find(writes, principal, created.number)
        statement, params = tickets.store.find_query(writes.dialect, principal, created.number)
        through_sqlalchemy = dict(writes.connection.execute(statement, params).one()._mapping)

    assert isinstance(created, DriverRow) and isinstance(on_driver, DriverRow)
    assert created._mapping == on_driver._mapping == through_sqlalchemy
    assert on_driver.created_at.tzinfo is not None  # timestamps converted as SQLAlchemy does
    assert on_driver.tags == ["vip", "remote"]
    assert created.number.startswith("TKT-")  # SQLite: from the counter, on the driver too


def test_the_servers_writes_outside_a_transaction_hold_what_sqlalchemy_reads(
    view: View, app_db: Database, principal: Principal
) -> None:
    """JSON values bound and read back, timestamps made aware, on both paths."""
    tickets = TicketService(view.db)
    created = view.call(
        tickets.create, principal, {"title": "Printer jam", "tags": ["vip"], "priority": "high"}
    )
    updated = view.call(tickets.update, principal, created.id, {"tags": ["vip", "remote"]})

    with app_db.writes(principal.tenant_id) as writes:
        statement, params = tickets.store.find_query(writes.dialect, principal, created.number)
        through_sqlalchemy = dict(writes.connection.execute(statement, params).one()._mapping)
        events = TicketService(app_db).history
        assert events is not None
        table = events.store.table
        changes = writes.connection.execute(
            select(table.c.changes).where(table.c.ticket_id == created.id).order_by(table.c.at)
        )
        assert list(changes.scalars())[1] == {"tags": [["vip"], ["vip", "remote"]]}

    assert updated._mapping == through_sqlalchemy
    assert updated.tags == ["vip", "remote"] and updated.updated_at.tzinfo is not None
    assert through_sqlalchemy["number"] == created.number


def test_a_failing_write_on_the_driver_raises_sqlalchemys_error(
    app_db: Database, principal: Principal
) -> None:
    nameless = insert(counters).values(tenant_id=principal.tenant_id, name=None, value=1)

    with pytest.raises(exc.IntegrityError), app_db.writes(principal.tenant_id) as writes:
        writes.first(nameless.returning(counters.c.value), {})


def _fail_then_read(db: Database, tenant_id: str) -> Any:
    """A driver error inside a write, then a statement on the same connection."""
    with db.writes(tenant_id, transaction=False) as writes:
        with pytest.raises(exc.DataError, match="invalid input syntax for type integer"):
            writes.first(NOT_A_NUMBER, {})
        row = writes.first(select(literal(7).label("seven")), {})
    assert row is not None
    return row.seven


def test_a_driver_error_reaches_the_caller_as_sqlalchemys(view: View, principal: Principal) -> None:
    assert view.call(_fail_then_read, view.db, principal.tenant_id) == 7


def test_a_write_outside_a_transaction_writes_its_record_once(
    view: View, principal: Principal
) -> None:
    def write_twice() -> None:
        one = select(literal(1))
        with view.db.writes(principal.tenant_id, transaction=False) as writes:
            writes.first(one, {}, record_write=True)
            with pytest.raises(RuntimeError, match="writes more than its record"):
                writes.first(one, {}, record_write=True)

    view.call(write_twice)


def test_the_server_writes_outside_a_transaction_on_asyncpg_and_in_one_through_sqlalchemy(
    view: View, principal: Principal
) -> None:
    def kinds() -> tuple[type, type]:
        with view.db.writes(principal.tenant_id, transaction=False) as outside:
            outside_kind = type(outside)
        with view.db.writes(principal.tenant_id) as inside:
            inside.connection.execute(select(1))
            return outside_kind, type(inside)

    outside, inside = view.call(kinds)

    assert outside is (ConnectionWrites if view.runner is None else AsyncpgWrites)
    assert inside is ConnectionWrites


def test_a_write_on_asyncpg_has_no_sqlalchemy_connection(
    postgresql_url: str, server_db: Callable[..., Any], principal: Principal
) -> None:
    def ask_for_the_connection(db: Database) -> None:
        with db.writes(principal.tenant_id, transaction=False) as writes:
            writes.connection.execute(select(1))

    async def scenario(db: Database) -> None:
        with pytest.raises(RuntimeError, match=r"open it with Database.writes\(transaction=True\)"):
            await db.run(lambda: ask_for_the_connection(db))

    server_db(scenario)
