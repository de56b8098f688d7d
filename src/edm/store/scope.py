"""The one place that decides which rows a caller may touch.

Every query of a record table goes through `scope_clause`, run with the
caller's `scope_parameters`: tenant, then integration app, then (for
requesters) ownership, then soft deletion. A row outside that scope does
not exist for the caller. Requesters never see deleted rows: for them
`include_deleted` is ignored (SPEC 4, "Deleted records").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Table, and_, bindparam, false

from edm.identity import Principal
from edm.manifest import Resource

_TENANT = "scope_tenant_id"
_APP = "scope_app_id"
_SUBJECT = "scope_subject"


def in_tenant(table: Table, tenant_id: str) -> ColumnElement[bool]:
    """Tenant-wide lookups the server makes on a caller's behalf (e.g. the
    default SLA policy, which applies whatever app the caller acts for)."""
    return table.c.tenant_id == tenant_id


@dataclass(frozen=True, slots=True)
class ScopeShape:
    """What a caller's scope clause looks like, whatever its tenant, app or subject."""

    has_app: bool
    requester_only: bool
    include_deleted: bool

    @classmethod
    def of(cls, principal: Principal, *, include_deleted: bool = False) -> ScopeShape:
        requester_only = principal.is_requester_only
        return cls(
            principal.app_id is not None, requester_only, include_deleted and not requester_only
        )


def _caller(name: str) -> BindParameter[Any]:
    return bindparam(name, required=True)


def scope_clause(res: Resource, table: Table, shape: ScopeShape) -> ColumnElement[bool]:
    """The scope of callers of `shape`, run with a caller's `scope_parameters`.

    The caller is left as bind parameters, so a statement built on it can
    be cached and run for any caller of the same shape. A parameter left
    out fails the query; it never matches all.
    """
    clauses: list[ColumnElement[bool]] = [table.c.tenant_id == _caller(_TENANT)]
    if shape.has_app:
        clauses.append(table.c.app_id == _caller(_APP))
    if shape.requester_only:
        if res.owner_field is not None:
            clauses.append(table.c[res.owner_field] == _caller(_SUBJECT))
        elif res.requester_visible_field is not None:
            clauses.append(table.c[res.requester_visible_field].is_(True))
        else:
            clauses.append(false())
    if not shape.include_deleted:
        clauses.append(table.c.is_deleted.is_(False))
    return and_(*clauses)


def scope_parameters(principal: Principal) -> dict[str, Any]:
    """The values of `scope_clause`'s parameters for `principal`."""
    return {_TENANT: principal.tenant_id, _APP: principal.app_id, _SUBJECT: principal.subject}
