"""The helpdesk's services, one per manifest resource."""

from __future__ import annotations

from edm.helpdesk.comments import CommentService
from edm.helpdesk.sla_policies import SlaPolicyService
from edm.helpdesk.tickets import TicketService
from edm.manifest import resource
from edm.service import ResourceService
from edm.store.database import Database


def build_services(db: Database) -> dict[str, ResourceService]:
    tickets = TicketService(db)
    return {
        "tickets": tickets,
        "sla_policies": SlaPolicyService(db),
        "comments": CommentService(db, parent=tickets),
        "events": ResourceService(resource("events"), db, parent=tickets),
    }
