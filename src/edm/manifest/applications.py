"""The platform domain: integration applications and their API keys (SPEC section 9).

An application's `scopes` are chosen among `<domain>.<resource>:read|write`
of the resources an application may use, derived from those resources
(`scope_names`), and `*` for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from edm.identity import Role
from edm.manifest.model import (
    Access,
    Field,
    FieldType,
    Operation,
    OperationKind,
    Parent,
    RangeFilter,
    Resource,
)
from edm.manifest.platform import base_fields

ALL_SCOPES = "*"
MAX_OVERLAP_SECONDS = 7 * 24 * 3600


def scope_names(resources: Sequence[Resource]) -> tuple[str, ...]:
    """`*` and `<domain>.<resource>:read|write` of each resource an application may use."""
    names = [ALL_SCOPES]
    for res in resources:
        if res.read_access is Access.HUMAN_ADMINS:
            continue
        names.append(f"{res.scope}:read")
        if res.write_access is not Access.NOBODY:
            names.append(f"{res.scope}:write")
    return tuple(names)


def platform_resources(scopes: tuple[str, ...]) -> tuple[Resource, Resource]:
    """The applications and their keys, whose scopes are chosen among `scopes`."""
    applications = Resource(
        domain="platform",
        name="applications",
        title="Application",
        description="An integration registered by the tenant. Its id is the app_id stamped on "
        "what its keys and tokens write, and the scope of what they read. Managed by admins "
        "acting for themselves (a token without app_id) only.",
        id_prefix="app",
        read_access=Access.HUMAN_ADMINS,
        write_access=Access.HUMAN_ADMINS,
        fields=(
            *base_fields("app"),
            Field(
                "name",
                FieldType.STRING,
                "Name of the integration, e.g. 'Monitoring bridge'.",
                required=True,
                nullable=False,
                min_length=1,
                max_length=100,
                filterable=True,
            ),
            Field(
                "description",
                FieldType.TEXT,
                "What the integration does. Markdown is supported.",
                max_length=65536,
            ),
            Field(
                "roles",
                FieldType.TAGS,
                "Roles its tokens carry (requester, agent, admin); at least one.",
                nullable=False,
                default=[Role.AGENT.value],
                enum=tuple(r.value for r in Role),
                min_items=1,
                max_items=len(Role),
            ),
            Field(
                "scopes",
                FieldType.TAGS,
                "What its tokens may do: '<domain>.<resource>:read' or ':write' (write "
                "includes read), or '*' for everything its roles allow.",
                nullable=False,
                default=[ALL_SCOPES],
                enum=scopes,
                max_items=len(scopes),
            ),
            Field(
                "is_active",
                FieldType.BOOLEAN,
                "False stops its keys and tokens (within seconds on every server) and keeps "
                "its records.",
                nullable=False,
                default=True,
                filterable=True,
            ),
            Field(
                "rate_limit_per_minute",
                FieldType.INTEGER,
                "Requests per minute shared by all its tokens; null: the tenant default.",
                minimum=1,
                maximum=1_000_000,
            ),
        ),
        operations=(
            Operation("list", OperationKind.LIST, "List applications.", cli="apps list"),
            Operation("get", OperationKind.GET, "Get an application.", cli="apps get"),
            Operation(
                "create", OperationKind.CREATE, "Register an application.", cli="apps create"
            ),
            Operation(
                "update",
                OperationKind.UPDATE,
                "Change an application; is_active false stops its keys and tokens.",
                cli="apps update",
            ),
            Operation(
                "delete",
                OperationKind.DELETE,
                "Soft-delete an application: its keys and tokens stop, its records stay.",
                cli="apps delete",
            ),
        ),
    )
    keys = Resource(
        domain="platform",
        name="keys",
        title="API Key",
        description="A secret an application authenticates with: exchanged for a token at "
        "/api/v1/oauth/token, or sent as 'Authorization: Bearer edm_sk_…'. The secret is shown "
        "once, in the response that creates it; only a hash of it is stored.",
        id_prefix="key",
        parent=Parent(applications, field="application_id", param="application_id"),
        read_access=Access.HUMAN_ADMINS,
        write_access=Access.HUMAN_ADMINS,
        internal_fields=(
            Field(
                "secret_hash",
                FieldType.STRING,
                "SHA-256 of the secret, hex.",
                nullable=False,
                max_length=64,
                lookup=True,
            ),
        ),
        revealed_fields=(
            Field(
                "secret",
                FieldType.STRING,
                "The key: 'edm_sk_' + 40 random base62 characters + a 6-character checksum. "
                "Shown in this response only; store it now.",
                read_only=True,
            ),
        ),
        fields=(
            *base_fields("key"),
            Field(
                "application_id",
                FieldType.ID,
                "The application this key authenticates.",
                required=True,
                read_only=True,
                nullable=False,
            ),
            Field(
                "name",
                FieldType.STRING,
                "A label, e.g. 'production'.",
                max_length=100,
            ),
            Field(
                "prefix",
                FieldType.STRING,
                "The key's first characters, to recognise it.",
                required=True,
                read_only=True,
                nullable=False,
                max_length=16,
            ),
            Field(
                "last4",
                FieldType.STRING,
                "The key's last four characters.",
                required=True,
                read_only=True,
                nullable=False,
                max_length=4,
            ),
            Field(
                "expires_at",
                FieldType.DATETIME,
                "When the key stops working; null: never (until revoked). A rotated key's is "
                "set to the end of the overlap.",
                range_filters=(RangeFilter.AFTER, RangeFilter.BEFORE),
            ),
            Field(
                "last_used_at",
                FieldType.DATETIME,
                "When the key was last used, to the minute.",
                read_only=True,
            ),
            Field(
                "revoked_at",
                FieldType.DATETIME,
                "When the key was revoked; null while it is not.",
                read_only=True,
            ),
        ),
        operations=(
            Operation(
                "list", OperationKind.LIST, "List an application's keys.", cli="apps keys list"
            ),
            Operation("get", OperationKind.GET, "Get a key (never its secret)."),
            Operation(
                "create",
                OperationKind.CREATE,
                "Create a key; its secret is in this response only.",
                cli="apps keys create",
                reveals=True,
            ),
            Operation(
                "revoke",
                OperationKind.ACTION,
                "Revoke the key: it stops working at once (within 5 s on every server).",
                cli="apps keys revoke",
            ),
            Operation(
                "rotate",
                OperationKind.ACTION,
                "Create a new key for the same application; the old one expires after "
                "overlap_seconds. The new secret is in this response only.",
                cli="apps keys rotate",
                reveals=True,
                fields=(
                    Field(
                        "overlap_seconds",
                        FieldType.INTEGER,
                        "How long the old key keeps working, 0..604800 seconds.",
                        nullable=False,
                        default=86400,
                        minimum=0,
                        maximum=MAX_OVERLAP_SECONDS,
                    ),
                ),
            ),
        ),
    )
    return applications, keys
