"""Row-level security on PostgreSQL: a query that forgets its tenant filter
sees only the tenant bound to its write transaction, or to its connection's
session for a read (defence in depth), on every table of tenant data the
application's role can reach, and through every function it may execute."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import MetaData, Table, event, insert, text
from sqlalchemy.exc import DBAPIError

from edm.manifest import RESOURCES
from edm.store.database import Database
from edm.store.schema import metadata
from edm.store.search import search_table_name

TICKETS = "/api/v1/helpdesk/tickets"
POLICIES = "/api/v1/helpdesk/sla_policies"
APPLICATIONS = "/api/v1/platform/applications"
# Every table of tenant data: the metadata's, and the search copies outside it.
TENANT_TABLES = tuple(
    [t.name for t in metadata.sorted_tables if "tenant_id" in t.c]
    + [search_table_name(res) for res in RESOURCES if res.searchable_fields]
)


@pytest.fixture
def app_db(database_url: str, settings):
    if not database_url.startswith("postgresql"):
        pytest.skip("row-level security is a PostgreSQL feature")
    db = Database(database_url, pool_size=1, app_role=settings.db_app_role)
    yield db
    db.dispose()


@pytest.fixture
def owner_db(app_db, database_url: str):
    """The login role, which owns the tables (migrations and bulk loads run as it)."""
    db = Database(database_url, pool_size=1)
    yield db
    db.dispose()


@pytest.fixture
def two_tenants(caller):
    """Two tenants, each with a row in every tenant table."""
    first, second = f"rls-a-{uuid4().hex[:6]}", f"rls-b-{uuid4().hex[:6]}"
    for tenant in (first, second):
        agent = caller("agent", tenant_id=tenant)
        key = {"Idempotency-Key": uuid4().hex}
        created = agent.post(TICKETS, json={"title": f"{tenant} secret"}, headers=key)
        ticket = created.json()
        agent.post(f"{TICKETS}/{ticket['id']}/comments", json={"body": "note"})
        admin = caller("admin", tenant_id=tenant)
        policy = {
            "name": f"{tenant} policy",
            "targets": {"high": {"first_response_minutes": 30, "resolution_minutes": 60}},
        }
        assert admin.post(POLICIES, json=policy).status_code == 201
        application = admin.post(APPLICATIONS, json={"name": f"{tenant} integration"})
        assert application.status_code == 201
        keys = f"{APPLICATIONS}/{application.json()['id']}/keys"
        assert admin.post(keys, json={"name": "production"}).status_code == 201
    return first, second


def _refused_or_nothing(app_db, tenant: str, statement: str, params: dict) -> int:
    """Rows `statement` touched as the role bound to `tenant`; -1 when refused."""
    try:
        with app_db.write(tenant) as conn:
            return conn.execute(text(statement), params).rowcount
    except DBAPIError as exc:
        assert "permission denied" in str(exc.orig) or "row-level security" in str(exc.orig)
        return -1


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_another_tenants_rows_cannot_be_read_or_changed(app_db, two_tenants, table):
    first, second = two_tenants
    other = {"other": second}
    select_other = f"SELECT * FROM {table} WHERE tenant_id <> :other OR tenant_id = :other"
    try:
        with app_db.read(first) as conn:
            seen = {row.tenant_id for row in conn.execute(text(select_other), other)}
        assert seen <= {first}, table
    except DBAPIError as exc:
        assert "permission denied" in str(exc.orig), exc
    for statement in (
        f"UPDATE {table} SET tenant_id = tenant_id WHERE tenant_id = :other",
        f"DELETE FROM {table} WHERE tenant_id = :other",
        f"UPDATE {table} SET tenant_id = :other",
    ):
        assert _refused_or_nothing(app_db, first, statement, other) <= 0, statement


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_rows_of_another_tenant_cannot_be_inserted(app_db, owner_db, two_tenants, table):
    first, second = two_tenants
    with owner_db.write(second) as conn:
        reflected = Table(table, MetaData(), autoload_with=conn)
        row = conn.execute(reflected.select().where(reflected.c.tenant_id == second)).first()
    assert row is not None, f"{table} holds no row of the second tenant"
    with pytest.raises(DBAPIError) as refused, app_db.write(first) as conn:
        conn.execute(insert(reflected).values(**row._mapping))
    message = str(refused.value.orig)
    assert "permission denied" in message or "row-level security" in message, message


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_statistics_of_tenant_tables_are_hidden(app_db, owner_db, two_tenants, table):
    """pg_stats holds a sample of every column's values, every tenant's."""
    with owner_db.write() as conn:
        conn.execute(text(f"ANALYZE {table}"))
    with app_db.read(two_tenants[0]) as conn:
        for view in ("pg_stats", "pg_stats_ext", "pg_stats_ext_exprs"):
            found = conn.execute(
                text(f"SELECT count(*) FROM {view} WHERE tablename = :t"), {"t": table}
            ).scalar_one()
            assert found == 0, (view, table)


# The functions that run as their owner (SECURITY DEFINER, the way around
# row-level security) which the role may call, and a call of each as the
# first tenant that would show the second tenant's rows if it were not bound.
DEFINER_CALLS = {
    "tickets_search_matches": "SELECT count(*) FROM tickets_search_matches("
    "'%secret%', '%secret%', '%secret%', :second, true)",
    "tickets_search_count": "SELECT tickets_search_count('%' || :second || '%', 1000)",
}


def test_no_function_the_role_may_execute_reads_another_tenant(app_db, two_tenants):
    first, second = two_tenants
    with app_db.read(first) as conn:
        definers = set(
            conn.execute(
                text(
                    "SELECT p.proname FROM pg_proc AS p JOIN pg_namespace AS n"
                    " ON n.oid = p.pronamespace WHERE p.prosecdef"
                    " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    " AND has_function_privilege(p.oid, 'EXECUTE')"
                    " AND p.prorettype <> 'trigger'::regtype"
                )
            ).scalars()
        )
        assert definers == set(DEFINER_CALLS)  # a new one needs its call below
        for name, call in DEFINER_CALLS.items():
            assert conn.execute(text(call), {"second": second}).scalar_one() == 0, name
    with app_db.read(second) as conn:  # the calls do find the second tenant's own rows
        for name, call in DEFINER_CALLS.items():
            assert conn.execute(text(call), {"second": second}).scalar_one() > 0, name


def test_unfiltered_query_sees_only_the_bound_tenant(app_db, two_tenants):
    first, _ = two_tenants
    with app_db.read(first) as conn:
        for table in ("tickets", "comments", "events", "counters", "sla_policies"):
            tenants = set(conn.execute(text(f"SELECT tenant_id FROM {table}")).scalars())
            assert tenants == {first}, table


def test_no_tenant_bound_sees_nothing(app_db, two_tenants):
    for table in TENANT_TABLES:
        try:
            with app_db.read() as conn:
                assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
        except DBAPIError as exc:
            assert "permission denied" in str(exc.orig), exc


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


def test_every_tenant_table_has_the_tenant_policy(app_db):
    """Forced on every table the role may use; the search copies, which it may
    not use at all, bind their owner's functions by their own WHERE clauses."""
    with app_db.read() as conn:
        rows = conn.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
                " has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE') AS usable,"
                " EXISTS (SELECT 1 FROM pg_policy AS p WHERE p.polrelid = c.oid) AS policy"
                " FROM pg_class AS c WHERE c.relname = ANY(:tables)"
            ),
            {"tables": list(TENANT_TABLES)},
        ).all()
    assert {r.relname for r in rows} == set(TENANT_TABLES)
    for row in rows:
        assert row.relrowsecurity and row.policy, row
        assert row.relforcerowsecurity or not row.usable, row


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
