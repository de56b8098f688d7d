"""The one place that decides which rows a caller may touch.

Every query of a record table goes through `visible_to`: tenant, then
integration app, then (for requesters) ownership, then soft deletion.
A row outside that scope does not exist for the caller.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, and_, false

from edm.identity import Principal
from edm.manifest import Resource


def in_tenant(table: Table, tenant_id: str) -> ColumnElement[bool]:
    """Tenant-wide lookups the server makes on a caller's behalf (e.g. the
    default SLA policy, which applies whatever app the caller acts for)."""
    return table.c.tenant_id == tenant_id


def visible_to(
    res: Resource, table: Table, principal: Principal, *, include_deleted: bool = False
) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = [in_tenant(table, principal.tenant_id)]
    if principal.app_id is not None:
        clauses.append(table.c.app_id == principal.app_id)
    if principal.is_requester_only:
        if res.owner_field is not None:
            clauses.append(table.c[res.owner_field] == principal.subject)
        elif res.requester_visible_field is not None:
            clauses.append(table.c[res.requester_visible_field].is_(True))
        else:
            clauses.append(false())
    if not include_deleted:
        clauses.append(table.c.is_deleted.is_(False))
    return and_(*clauses)
