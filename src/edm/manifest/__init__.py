"""The resource manifest: the one source of truth for every EDM resource.

Tables, request validation, OpenAPI, the SDK and the playground all derive
from `RESOURCES`; nothing else restates a field list.
"""

from __future__ import annotations

from typing import Any

from edm.manifest.applications import platform_resources, scope_names
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

_DATA: tuple[Resource, ...] = (TICKETS, SLA_POLICIES, COMMENTS, EVENTS)
# What an application's `scopes` may name, derived from the resources it may use.
SCOPES = scope_names(_DATA)
APPLICATIONS, API_KEYS = platform_resources(SCOPES)
RESOURCES: tuple[Resource, ...] = (*_DATA, APPLICATIONS, API_KEYS)


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
    "API_KEYS",
    "APPLICATIONS",
    "BATCH_KINDS",
    "RESOURCES",
    "SCOPES",
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
