"""Writes whose only statement is their record's run on PostgreSQL without a
transaction (`Database.writes(transaction=False)`): a change reads the
record unlocked and writes it only at the revision it read, reading again
when another write came first. These tests make that other write happen
between the read and the write, which only PostgreSQL allows (SQLite
serialises writers for the whole write).

Each runs the service under test on both PostgreSQL paths: a synchronous
engine's (psycopg under SQLAlchemy's connection, as scripts and the CLI
write) and the server's (the asyncpg connections, awaited from `run`'s
greenlet)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import exc

from database_views import View
from edm.errors import PreconditionFailed
from edm.helpdesk.sla_policies import SlaPolicyService
from edm.helpdesk.tickets import TicketService
from edm.identity import Principal, Role
from edm.service import Changes, Record, etag_of
from edm.store.database import Database
from edm.store.writes import ConnectionWrites, Writes


@pytest.fixture
def principal() -> Principal:
    return Principal("agent-1", f"tenant-{uuid4().hex[:10]}", None, frozenset({Role.ADMIN}))


class RacedTickets(TicketService):
    """Tickets whose first `races` changes meet another write of the same
    ticket (its title set to "raced N") after they read it."""

    def __init__(self, db: Database, other: TicketService, races: int) -> None:
        super().__init__(db)
        self.other, self.races, self.reads = other, races, 0

    def _prepare_update(
        self,
        writes: Writes,
        principal: Principal,
        current: Record,
        now: datetime,
        changes: Changes,
    ) -> Changes:
        self.reads += 1
        if self.reads <= self.races:
            self.other.update(principal, current.id, {"title": f"raced {self.reads}"})
        return super()._prepare_update(writes, principal, current, now, changes)


def history(service: TicketService, principal: Principal, ticket_id: str) -> list[Any]:
    assert service.history is not None
    with service.db.read(principal.tenant_id) as conn:
        table = service.history.store.table
        query = table.select().where(table.c.ticket_id == ticket_id).order_by(table.c.at)
        return list(conn.execute(query))


def test_a_change_raced_after_its_read_is_read_again_not_lost(
    view: View, app_db: Database, principal: Principal
) -> None:
    other = TicketService(app_db)
    ticket = other.create(principal, {"title": "first", "priority": "low"})
    raced = RacedTickets(view.db, other, races=1)

    changed = view.call(raced.update, principal, ticket.id, {"title": "mine", "priority": "high"})

    assert raced.reads == 2
    assert (changed.title, changed.priority, changed.revision) == ("mine", "high", 3)
    events = history(other, principal, ticket.id)
    assert [e.action for e in events] == ["create", "update", "update"]
    assert events[2].changes == {"title": ["raced 1", "mine"], "priority": ["low", "high"]}


def test_a_precondition_is_checked_again_after_a_race(
    view: View, app_db: Database, principal: Principal
) -> None:
    other = TicketService(app_db)
    ticket = other.create(principal, {"title": "first"})
    raced = RacedTickets(view.db, other, races=1)

    with pytest.raises(PreconditionFailed):
        view.call(raced.update, principal, ticket.id, {"title": "mine"}, if_match=etag_of(ticket))

    with other.db.read(principal.tenant_id) as conn:
        assert other.find(ConnectionWrites(conn), principal, ticket.id).title == "raced 1"
    assert [e.action for e in history(other, principal, ticket.id)] == ["create", "update"]


def test_a_change_that_keeps_meeting_races_waits_for_the_lock(
    view: View, app_db: Database, principal: Principal
) -> None:
    other = TicketService(app_db)
    ticket = other.create(principal, {"title": "first"})
    raced = RacedTickets(view.db, other, races=3)

    changed = view.call(raced.update, principal, ticket.id, {"title": "mine"})

    assert raced.reads == 4  # three unlocked tries, then one holding the row's lock
    assert (changed.title, changed.revision) == ("mine", 5)


class CarelessPolicies(SlaPolicyService):
    """Clears the other policies' default flag without declaring that it writes."""

    writes_beside_record = False


def test_a_write_outside_a_transaction_cannot_write_more_than_its_record(
    view: View, app_db: Database, principal: Principal
) -> None:
    policies = SlaPolicyService(app_db)
    first = policies.create(principal, {"name": "Standard", "is_default": True})

    careless = CarelessPolicies(view.db)
    with pytest.raises(RuntimeError, match=r"open it with Database.writes\(transaction=True\)"):
        view.call(careless.create, principal, {"name": "Gold", "is_default": True})

    with policies.db.read(principal.tenant_id) as conn:
        table = policies.store.table
        rows = conn.execute(table.select().where(table.c.tenant_id == principal.tenant_id)).all()
    assert [(r.id, r.is_default) for r in rows] == [(first.id, True)]


def test_a_create_whose_event_fails_writes_nothing_and_keeps_its_number(
    view: View, app_db: Database, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    tickets = TicketService(view.db)
    first = view.call(tickets.create, principal, {"title": "first"})
    first_event_id = history(TicketService(app_db), principal, first.id)[0].id
    real_event = tickets._event

    def clashing_event(*args: Any) -> dict[str, Any] | None:
        event = real_event(*args)
        assert event is not None
        return {**event, "id": first_event_id}

    monkeypatch.setattr(tickets, "_event", clashing_event)
    with pytest.raises(exc.IntegrityError):
        view.call(tickets.create, principal, {"title": "lost"})
    monkeypatch.undo()

    second = view.call(tickets.create, principal, {"title": "second"})
    assert second.number == "TKT-0002"
    with app_db.read(principal.tenant_id) as conn:
        table = tickets.store.table
        titles = conn.execute(
            table.select()
            .where(table.c.tenant_id == principal.tenant_id)
            .with_only_columns(table.c.title)
        ).scalars()
        assert sorted(titles) == ["first", "second"]
