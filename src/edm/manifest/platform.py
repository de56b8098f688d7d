"""The 13 base fields every EDM resource carries (seed page, SPEC section 4)."""

from __future__ import annotations

from edm.manifest.model import Field, FieldType, RangeFilter

SOURCE_TYPES = ("frontend", "backend", "server", "system", "api")


def base_fields(id_prefix: str) -> tuple[Field, ...]:
    """Base fields; of these a client writes only `source` and `source_type`."""
    return (
        Field(
            "id",
            FieldType.ID,
            f"Server-assigned ULID with type prefix (e.g. {id_prefix}_…).",
            required=True,
            read_only=True,
            nullable=False,
        ),
        Field(
            "tenant_id",
            FieldType.STRING,
            "Tenant scope — auto-stamped from the caller's JWT.",
            required=True,
            max_length=255,
            read_only=True,
            nullable=False,
        ),
        Field(
            "app_id",
            FieldType.STRING,
            "App scope. Stamped ONLY when the caller's JWT was minted for a specific "
            "Application (integration API keys). Absent for human-user sessions. "
            "Filters reads when present.",
            read_only=True,
            max_length=255,
        ),
        Field(
            "created_at",
            FieldType.DATETIME,
            "Server stamp.",
            required=True,
            read_only=True,
            nullable=False,
            sortable=True,
            range_filters=(RangeFilter.AFTER, RangeFilter.BEFORE),
        ),
        Field(
            "updated_at",
            FieldType.DATETIME,
            "Server stamp; updated on every patch.",
            required=True,
            read_only=True,
            nullable=False,
            sortable=True,
            range_filters=(RangeFilter.AFTER, RangeFilter.BEFORE),
        ),
        Field(
            "created_by",
            FieldType.STRING,
            "Person id from the caller's JWT (sub).",
            read_only=True,
            max_length=255,
        ),
        Field(
            "updated_by",
            FieldType.STRING,
            "Person id from the last writer's JWT (sub).",
            read_only=True,
            max_length=255,
        ),
        Field(
            "source",
            FieldType.STRING,
            "Provenance tag — defaults to 'edm'.",
            nullable=False,
            default="edm",
            min_length=1,
            max_length=100,
        ),
        Field(
            "source_type",
            FieldType.ENUM,
            "Where the write originated. Defaults to 'api'.",
            nullable=False,
            default="api",
            enum=SOURCE_TYPES,
        ),
        Field(
            "is_deleted",
            FieldType.BOOLEAN,
            "Soft-delete flag. Excluded from default list queries.",
            read_only=True,
            nullable=False,
            default=False,
        ),
        Field(
            "deleted_at",
            FieldType.DATETIME,
            "Stamped when soft-deleted; null otherwise.",
            read_only=True,
        ),
        Field(
            "deleted_by",
            FieldType.STRING,
            "Person id who soft-deleted; null otherwise.",
            read_only=True,
            max_length=255,
        ),
        Field(
            "schema_version",
            FieldType.INTEGER,
            "Document schema version. Bumped on incompatible writes.",
            read_only=True,
            nullable=False,
            default=1,
        ),
    )
