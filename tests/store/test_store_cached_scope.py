"""Lookups run statements built once per caller shape: the caller's tenant,
app and subject are parameters of each execution, never baked in."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy.exc import StatementError

from edm.helpdesk.tickets import TICKETS
from edm.identity import Principal, Role
from edm.store.records import RecordStore
from edm.store.scope import ScopeShape
from edm.store.writes import ConnectionWrites

PATH = "/api/v1/helpdesk/tickets"


def _principal(tenant: str, *, app_id: str | None = None, role: Role = Role.AGENT) -> Principal:
    return Principal(subject="reader", tenant_id=tenant, app_id=app_id, roles=frozenset({role}))


def test_the_same_number_in_two_tenants_finds_each_callers_own(app_db, caller) -> None:
    tenants = [f"cache-{uuid4().hex[:6]}" for _ in range(2)]
    created = {
        tenant: caller("agent", tenant_id=tenant).post(PATH, json={"title": tenant}).json()
        for tenant in tenants
    }
    store = RecordStore(TICKETS)
    for tenant in [*tenants, *tenants]:  # alternate callers on the one cached statement
        with app_db.read(tenant) as conn:
            record = store.find(ConnectionWrites(conn), _principal(tenant), "TKT-0001")
        assert record is not None and record.id == created[tenant]["id"]


def test_an_app_caller_does_not_find_the_tenants_other_records(app_db, caller) -> None:
    tenant = f"cache-{uuid4().hex[:6]}"
    human = caller("agent", tenant_id=tenant).post(PATH, json={"title": "human"}).json()
    store = RecordStore(TICKETS)
    with app_db.read(tenant) as conn:
        writes = ConnectionWrites(conn)
        assert store.find(writes, _principal(tenant, app_id="crm"), human["id"]) is None
        assert store.find(writes, _principal(tenant), human["id"]) is not None


def test_a_cached_statement_without_its_caller_fails_instead_of_matching_all(app_db) -> None:
    store = RecordStore(TICKETS)
    statement = store._find_statement(
        app_db.engine.dialect,
        ScopeShape.of(_principal("t")),
        by_number=False,
        for_update=False,
        response_only=False,
    )
    with pytest.raises(StatementError, match="scope_tenant_id"), app_db.read("t") as conn:
        conn.execute(statement, {"record_key": "anything"})
