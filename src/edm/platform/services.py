"""The platform's services, one per manifest resource."""

from __future__ import annotations

from edm.manifest import APPLICATIONS
from edm.platform.keys import KeyService
from edm.service import ResourceService
from edm.store.database import Database


def build_services(db: Database) -> dict[str, ResourceService]:
    applications = ResourceService(APPLICATIONS, db)
    return {"applications": applications, "keys": KeyService(db, parent=applications)}
