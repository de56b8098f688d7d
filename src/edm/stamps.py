"""Server stamps of the platform base fields (SPEC section 4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ulid import ULID

from edm.identity import Principal
from edm.manifest import Resource


def new_id(res: Resource) -> str:
    """`<prefix>_<ULID>`, e.g. `tkt_01JD…`."""
    return f"{res.id_prefix}_{ULID()}"


def creation_stamps(res: Resource, principal: Principal, now: datetime) -> dict[str, Any]:
    """Base fields of a new record, from the caller's token and the clock."""
    return {
        "id": new_id(res),
        "tenant_id": principal.tenant_id,
        "app_id": principal.app_id,
        "created_at": now,
        "updated_at": now,
        "created_by": principal.subject,
        "updated_by": principal.subject,
        "is_deleted": False,
        "deleted_at": None,
        "deleted_by": None,
        "schema_version": 1,
    }
