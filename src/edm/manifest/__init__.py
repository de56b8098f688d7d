"""The resource manifest: the one source of truth for every EDM resource.

Tables, request validation, OpenAPI, the SDK and the playground all derive
from `RESOURCES`; nothing else restates a field list.
"""

from __future__ import annotations

from typing import Any

from edm.manifest.helpdesk import COMMENTS, EVENTS, SLA_POLICIES, TICKETS
from edm.manifest.model import (
    BATCH_KINDS,
    Access,
    ComputedFilter,
    Field,
    FieldType,
    NumberFormat,
    Operation,
    OperationKind,
    Parent,
    RangeFilter,
    RequesterAccess,
    Resource,
)

MANIFEST_VERSION = 1

RESOURCES: tuple[Resource, ...] = (TICKETS, SLA_POLICIES, COMMENTS, EVENTS)


def resource(name: str) -> Resource:
    """The resource called `name` (e.g. `tickets`)."""
    for res in RESOURCES:
        if res.name == name:
            return res
    raise KeyError(name)


def manifest_json() -> dict[str, Any]:
    """The manifest as served at `GET /api/v1/manifest`."""
    return {
        "version": MANIFEST_VERSION,
        "resources": [res.to_json() for res in RESOURCES],
    }


__all__ = [
    "BATCH_KINDS",
    "RESOURCES",
    "Access",
    "ComputedFilter",
    "Field",
    "FieldType",
    "NumberFormat",
    "Operation",
    "OperationKind",
    "Parent",
    "RangeFilter",
    "RequesterAccess",
    "Resource",
    "manifest_json",
    "resource",
]
