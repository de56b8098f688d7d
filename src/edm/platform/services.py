"""The platform's services, one per manifest resource."""

from __future__ import annotations

from edm.platform.applications import ApplicationService
from edm.platform.keys import KeyService
from edm.service import ResourceService
from edm.store.database import Database


def build_services(db: Database) -> dict[str, ResourceService]:
    applications = ApplicationService(db)
    return {"applications": applications, "keys": KeyService(db, parent=applications)}
