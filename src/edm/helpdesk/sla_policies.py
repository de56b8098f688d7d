"""SLA policy rules: at most one live default policy per tenant, and hours
that can spend every target.

Making a policy the default clears the flag on the tenant's other policies
in the same transaction; a partial unique index backs the rule, so two
concurrent "make default" writes cannot both win. A write whose business
hours cannot spend its targets within a year is refused (`check_spendable`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from edm.helpdesk.sla import check_spendable
from edm.identity import Principal
from edm.manifest import resource
from edm.service import Changes, Record, ResourceService
from edm.store.database import Database
from edm.store.schema import REVISION, TABLES
from edm.store.scope import in_tenant
from edm.store.writes import Writes

SLA_POLICIES = resource("sla_policies")
_policies = TABLES[SLA_POLICIES.name]


def clear_other_defaults(writes: Writes, principal: Principal, keep_id: str, now: datetime) -> None:
    writes.connection.execute(
        update(_policies)
        .where(
            in_tenant(_policies, principal.tenant_id),
            _policies.c.is_default.is_(True),
            _policies.c.id != keep_id,
        )
        .values(
            is_default=False,
            updated_at=now,
            updated_by=principal.subject,
            **{REVISION: _policies.c[REVISION] + 1},
        )
    )


class SlaPolicyService(ResourceService):
    writes_beside_record = True  # clears the other policies' default flag

    def __init__(self, db: Database, **kwargs: Any) -> None:
        super().__init__(SLA_POLICIES, db, **kwargs)

    def _prepare_create(
        self, writes: Writes, principal: Principal, values: Changes, parent: Record | None
    ) -> Changes:
        check_spendable(
            values["targets"], values.get("business_hours"), values["created_at"], blame_hours=False
        )
        if values["is_default"]:
            clear_other_defaults(writes, principal, values["id"], values["created_at"])
        return values

    def _prepare_update(
        self,
        writes: Writes,
        principal: Principal,
        current: Record,
        now: datetime,
        changes: Changes,
    ) -> Changes:
        if "targets" in changes or "business_hours" in changes:
            check_spendable(
                changes.get("targets", current.targets),
                changes.get("business_hours", current.business_hours),
                now,
                blame_hours="targets" not in changes,
            )
        if changes.get("is_default") and not current.is_default:
            clear_other_defaults(writes, principal, current.id, now)
        return changes
