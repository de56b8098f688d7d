"""The database encodes records (`record_json`) exactly as Python would encode
the same row: every field type, NULLs, microseconds, Unicode and escapes."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import orjson
import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from edm.cli.seed import People, TicketFaker
from edm.manifest import RESOURCES, Resource, resource
from edm.store.bulk import BulkLoader
from edm.store.database import Database
from edm.store.migrate import alembic_config
from edm.store.record_json import record_json
from edm.store.schema import TABLES
from edm.timestamps import json_value

TICKETS = "/api/v1/helpdesk/tickets"
POLICIES = "/api/v1/helpdesk/sla_policies"
APPLICATIONS = "/api/v1/platform/applications"
TICKETS_RESOURCE = resource("tickets")
AWKWARD = 'Ünïcode "quotes" \\ back\\slash\n\ttabs \u2028 and \x01 control 🎫'


def _python_encoding(res: Resource, row: object) -> dict[str, object]:
    mapping = row._mapping  # type: ignore[attr-defined]
    return {f.name: json_value(mapping[f.name]) for f in res.fields}


@pytest.fixture
def awkward_records(admin, agent, clock) -> None:
    clock.now = datetime(2026, 12, 23, 15, 0, 0, 0, tzinfo=UTC)  # microsecond 0
    policy = admin.post(
        POLICIES,
        json={
            "name": AWKWARD,
            "targets": {"high": {"first_response_minutes": 30, "resolution_minutes": 240}},
        },
    ).json()
    ticket = agent.post(
        TICKETS,
        json={
            "title": AWKWARD,
            "description": AWKWARD,
            "tags": ["ünï", 'a"b'],
            "priority": "high",
            "sla_policy": policy["id"],
        },
    ).json()
    clock.advance(microseconds=123457)
    agent.post(f"{TICKETS}/{ticket['id']}/comments", json={"body": AWKWARD, "public": True})
    application = admin.post(
        APPLICATIONS,
        json={"name": AWKWARD, "description": AWKWARD, "rate_limit_per_minute": 7},
    ).json()
    keys = f"{APPLICATIONS}/{application['id']}/keys"
    key = admin.post(keys, json={"name": AWKWARD, "expires_at": "2030-01-02T03:04:05.5Z"}).json()
    assert admin.post(f"{keys}/{key['id']}/revoke").status_code == 200
    gone = agent.post(TICKETS, json={"title": "gone"}).json()
    assert admin.delete(f"{TICKETS}/{gone['id']}").status_code == 200
    agent.post(TICKETS, json={"title": "no tags"})


@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r.name)
def test_database_encoding_equals_python_encoding(db, tenant, awkward_records, res) -> None:
    table = TABLES[res.name]
    with db.read(tenant) as conn:
        rows = conn.execute(
            select(table, record_json(res, db.engine.dialect)).where(table.c.tenant_id == tenant)
        ).all()
    assert rows, res.name
    for row in rows:
        assert orjson.loads(row.record_json) == _python_encoding(res, row)


def test_api_answers_carry_the_awkward_values_unchanged(agent, awkward_records) -> None:
    listed = agent.get(TICKETS, params={"include_deleted": "true"}).json()["data"]
    awkward = next(t for t in listed if t["title"] == AWKWARD)

    assert awkward["description"] == AWKWARD and awkward["tags"] == ["ünï", 'a"b']
    assert awkward["created_at"] == "2026-12-23T15:00:00.000000Z"
    assert agent.get(f"{TICKETS}/{awkward['number']}").json() == awkward
    assert {t["is_deleted"] for t in listed} == {True, False}


def test_upgrading_a_postgresql_database_stores_the_json_of_the_records_it_holds(
    empty_postgresql_url: str,
) -> None:
    """Migration 0003 fills `record_json` for rows written before it, every tenant's."""
    config = alembic_config(empty_postgresql_url)
    command.upgrade(config, "0002")
    db = Database(empty_postgresql_url, pool_size=1)
    try:
        for tenant in ("tenant-a", "tenant-b"):
            rng = random.Random(tenant)
            with db.write(tenant) as conn:
                faker = TicketFaker(tenant, 3, rng, People.make(rng))
                BulkLoader(TICKETS_RESOURCE).load(conn, tenant, faker.tickets(), 3)
        command.upgrade(config, "head")
        with db.read() as conn:
            rows = conn.execute(
                select(TABLES[TICKETS_RESOURCE.name], record_json(TICKETS_RESOURCE, conn.dialect))
            )
            encodings = [
                (orjson.loads(row.record_json), _python_encoding(TICKETS_RESOURCE, row))
                for row in rows
            ]
    finally:
        db.dispose()
    assert len(encodings) == 6
    assert all(stored == expected for stored, expected in encodings)


def test_downgrading_a_postgresql_database_drops_the_stored_json_and_its_triggers(
    empty_postgresql_url: str,
) -> None:
    config = alembic_config(empty_postgresql_url)
    command.upgrade(config, "head")
    command.downgrade(config, "0002")
    db = Database(empty_postgresql_url, pool_size=1)
    try:
        with db.read() as conn:
            present = set(inspect(conn).get_table_names())  # later migrations' tables are gone
            columns = {
                name: {c["name"] for c in inspect(conn).get_columns(name)}
                for name in TABLES
                if name in present
            }
            triggers = conn.execute(
                text("SELECT tgname FROM pg_trigger WHERE tgname LIKE '%record_json%'")
            ).all()
    finally:
        db.dispose()
    assert all("record_json" not in names for names in columns.values()), columns
    assert triggers == []
