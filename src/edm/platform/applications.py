"""Application rules: an application always grants at least one role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from edm.errors import FieldError, ValidationFailed
from edm.identity import Principal
from edm.manifest import APPLICATIONS
from edm.service import Changes, Record, ResourceService
from edm.store.database import Database
from edm.store.writes import Writes


def _check_roles(values: Changes) -> None:
    if values.get("roles") == []:
        raise ValidationFailed([FieldError("roles", "too_few_items", "name at least one role")])


class ApplicationService(ResourceService):
    def __init__(self, db: Database, **kwargs: Any) -> None:
        super().__init__(APPLICATIONS, db, **kwargs)

    def _prepare_create(
        self, writes: Writes, principal: Principal, values: Changes, parent: Record | None
    ) -> Changes:
        _check_roles(values)
        return values

    def _prepare_update(
        self,
        writes: Writes,
        principal: Principal,
        current: Record,
        now: datetime,
        changes: Changes,
    ) -> Changes:
        _check_roles(changes)
        return changes
