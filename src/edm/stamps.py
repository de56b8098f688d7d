"""Server stamps of the platform base fields (SPEC section 4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ulid import ULID

from edm.errors import FieldError, ValidationFailed
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


def preserved_base_stamps(preserved: dict[str, Any], now: datetime) -> dict[str, Any]:
    """`created_at` and `updated_at` of an imported record: as given (in the
    past, `updated_at` not before `created_at`), `updated_at` defaulting
    to `created_at` and `created_at` to now; 422 naming the field otherwise."""
    created_at = preserved.get("created_at") or now
    updated_at = preserved.get("updated_at") or created_at
    errors = [
        FieldError(name, "in_future", "must not be later than now")
        for name, value in (("created_at", created_at), ("updated_at", updated_at))
        if value > now
    ]
    if updated_at < created_at:
        errors.append(FieldError("updated_at", "before_created_at", "must not precede created_at"))
    if errors:
        raise ValidationFailed(errors)
    return {"created_at": created_at, "updated_at": updated_at}
