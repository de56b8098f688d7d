"""Row-level security on PostgreSQL: a query that forgets its tenant filter
sees only the tenant bound to its write transaction, or to its connection's
session for a read (defence in depth)."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from edm.store.database import Database

TICKETS = "/api/v1/helpdesk/tickets"
TENANT_TABLES = (
    "tickets",
    "sla_policies",
    "comments",
    "events",
    "counters",
    "idempotency_keys",
    "applications",
    "keys",
)


@pytest.fixture
def app_db(database_url: str, settings):
    if not database_url.startswith("postgresql"):
        pytest.skip("row-level security is a PostgreSQL feature")
    db = Database(database_url, pool_size=1, app_role=settings.db_app_role)
    yield db
    db.dispose()


@pytest.fixture
def two_tenants(caller):
    first, second = f"rls-a-{uuid4().hex[:6]}", f"rls-b-{uuid4().hex[:6]}"
    for tenant in (first, second):
        agent = caller("agent", tenant_id=tenant)
        ticket = agent.post(TICKETS, json={"title": f"{tenant} secret"}).json()
        agent.post(f"{TICKETS}/{ticket['id']}/comments", json={"body": "note"})
    return first, second


def test_unfiltered_query_sees_only_the_bound_tenant(app_db, two_tenants):
    first, _ = two_tenants
    with app_db.read(first) as conn:
        for table in ("tickets", "comments", "events", "counters"):
            tenants = set(conn.execute(text(f"SELECT tenant_id FROM {table}")).scalars())
            assert tenants == {first}, table


def test_no_tenant_bound_sees_nothing(app_db, two_tenants):
    with app_db.read() as conn:
        for table in TENANT_TABLES:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0


def test_writes_into_another_tenant_are_refused(app_db, two_tenants):
    first, second = two_tenants
    with pytest.raises(DBAPIError), app_db.write(first) as conn:
        conn.execute(text("UPDATE counters SET tenant_id = :other"), {"other": second})
    with app_db.write(first) as conn:
        changed = conn.execute(
            text("UPDATE tickets SET title = 'pwned' WHERE tenant_id = :other"),
            {"other": second},
        )
        assert changed.rowcount == 0


def test_the_application_role_cannot_bypass_rls(app_db):
    with app_db.read() as conn:
        role = conn.execute(text("SELECT current_user")).scalar_one()
        bypass, superuser = conn.execute(
            text("SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user")
        ).one()
    assert role == "edm_app"
    assert (bypass, superuser) == (False, False)


def test_every_tenant_table_forces_rls(app_db):
    with app_db.read() as conn:
        rows = conn.execute(
            text(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relname = ANY(:tables)"
            ),
            {"tables": list(TENANT_TABLES)},
        ).all()
    assert {r.relname for r in rows if r.relrowsecurity and r.relforcerowsecurity} == set(
        TENANT_TABLES
    )


def test_tenant_ids_with_quotes_are_bound_literally(app_db, caller):
    """The tenant is written into the transaction's first statement: quoting must hold."""
    tenant = f"o'brien\\co-{uuid4().hex[:6]}'; SELECT 1; --"
    agent = caller("agent", tenant_id=tenant)
    created = agent.post(TICKETS, json={"title": "quoted"})
    assert created.status_code == 201, created.text
    assert agent.get(f"{TICKETS}/{created.json()['number']}").status_code == 200
    with app_db.read(tenant) as conn:
        assert set(conn.execute(text("SELECT tenant_id FROM tickets")).scalars()) == {tenant}


def _tenants_seen(conn) -> set[str]:
    return set(conn.execute(text("SELECT tenant_id FROM tickets")).scalars())


def test_a_reused_connection_is_rebound_for_every_read_and_write(app_db, two_tenants):
    """Reads bind the tenant to the session and connections remember it: a
    connection that served one tenant must never show its rows to the next."""
    first, second = two_tenants
    seen, connections = [], set()
    for use, tenant in [
        (app_db.read, first),
        (app_db.read, second),
        (app_db.read, None),
        (app_db.write, first),
        (app_db.read, first),
        (app_db.write, None),
        (app_db.read, second),
    ]:
        with use(tenant) as conn:
            seen.append(_tenants_seen(conn))
            connections.add(id(conn.connection.dbapi_connection))

    assert len(connections) == 1  # one connection served them all
    assert seen == [{first}, {second}, set(), {first}, {first}, set(), {second}]


def test_a_read_for_the_tenant_its_connection_is_bound_to_is_one_statement(app_db, two_tenants):
    first, second = two_tenants
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(app_db.engine, "before_cursor_execute", count)
    try:
        counts = []
        for tenant in (first, first, second, second):
            statements.clear()
            with app_db.read(tenant) as conn:
                _tenants_seen(conn)
            counts.append(len(statements))
    finally:
        event.remove(app_db.engine, "before_cursor_execute", count)

    assert counts == [2, 1, 2, 1]  # binding + query when the tenant changes, else the query
