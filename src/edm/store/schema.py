"""Tables built from the manifest through one type map.

Besides the manifest's fields a record table carries hidden columns the
server maintains for indexing: `revision` (bumped on every write, the
source of the ETag), `<number>_seq` (the integer behind `TKT-0042`) and
`<enum>_rank` for sortable enums (so `priority` sorts by severity through
an index).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from edm.manifest import RESOURCES, Field, FieldType, Resource
from edm.store.types import PortableJSON, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

REVISION = "revision"


def rank_column(field: Field) -> str:
    return f"{field.name}_rank"


def seq_column(res: Resource) -> str | None:
    return f"{res.number.field}_seq" if res.number else None


def _column_type(field: Field) -> Any:
    match field.type:
        case FieldType.ID:
            return String(64)
        case FieldType.REFERENCE:
            return String(255)  # may hold a token's `sub`, e.g. submitted_by_id
        case FieldType.STRING:
            return String(field.max_length) if field.max_length else Text()
        case FieldType.TEXT:
            return Text()
        case FieldType.ENUM:
            return String(max(len(v) for v in field.enum or ("",)))
        case FieldType.BOOLEAN:
            return Boolean()
        case FieldType.INTEGER:
            return BigInteger()
        case FieldType.DATETIME:
            return UTCDateTime()
        case FieldType.TAGS | FieldType.OBJECT:
            return PortableJSON
    raise AssertionError(field.type)


def _columns(res: Resource) -> list[Column[Any]]:
    columns: list[Column[Any]] = [
        Column(f.name, _column_type(f), nullable=f.nullable)
        for f in (*res.fields, *res.internal_fields)
    ]
    columns.append(Column(REVISION, Integer(), nullable=False))
    if seq := seq_column(res):
        columns.append(Column(seq, Integer(), nullable=False))
    columns.extend(
        Column(rank_column(f), Integer(), nullable=False)
        for f in res.fields
        if f.type is FieldType.ENUM and f.sortable
    )
    return columns


def _sort_key(res: Resource, field: Field) -> str:
    """The column a sortable field is ordered by."""
    if res.number and field.name == res.number.field:
        return seq_column(res) or field.name
    if field.type is FieldType.ENUM:
        return rank_column(field)
    return field.name


def _indexes(res: Resource) -> list[Index | UniqueConstraint]:
    """Every index leads with tenant_id and ends with id for keyset paging, but lookups'."""
    constraints: list[Index | UniqueConstraint] = []
    if seq := seq_column(res):
        constraints.append(UniqueConstraint("tenant_id", seq))
    # Found across tenants by value (an API key by its hash), the one index not led by tenant_id.
    constraints.extend(Index(None, f.name) for f in (*res.fields, *res.internal_fields) if f.lookup)
    if res.parent is not None:
        # Nested lists read one parent's rows in order; they are small, so no filter indexes.
        return [*constraints, Index(None, "tenant_id", res.parent.field, "created_at", "id")]
    for field in res.fields:
        if field.one_true_per_tenant:
            only_live_true = text(f"{field.name} AND NOT is_deleted")
            constraints.append(
                Index(
                    f"uq_{res.name}_one_{field.name}_per_tenant",
                    "tenant_id",
                    unique=True,
                    sqlite_where=only_live_true,
                    postgresql_where=only_live_true,
                )
            )
    for field in res.sortable_fields:
        key = _sort_key(res, field)
        if key != seq:
            constraints.append(Index(None, "tenant_id", key, "id"))
    constraints.extend(
        Index(None, "tenant_id", f.name, "created_at", "id")
        for f in res.filterable_fields
        if f.type in (FieldType.ENUM, FieldType.REFERENCE)
    )
    return constraints


def _record_table(res: Resource) -> Table:
    return Table(
        res.name,
        metadata,
        *_columns(res),
        PrimaryKeyConstraint("tenant_id", "id"),
        *_indexes(res),
    )


counters = Table(
    "counters",
    metadata,
    Column("tenant_id", String(255), nullable=False),
    Column("name", String(64), nullable=False),
    Column("value", Integer(), nullable=False),
    PrimaryKeyConstraint("tenant_id", "name"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("tenant_id", String(255), nullable=False),
    Column("app_key", String(255), nullable=False),  # app_id, or "" for human sessions
    Column("subject", String(255), nullable=False),
    Column("key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("claimed_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("status", Integer(), nullable=True),  # null while the first request runs
    Column("headers", PortableJSON, nullable=True),
    Column("body", LargeBinary(), nullable=True),
    PrimaryKeyConstraint("tenant_id", "app_key", "subject", "key"),
    Index(None, "tenant_id", "expires_at"),
)

TABLES: dict[str, Table] = {res.name: _record_table(res) for res in RESOURCES}


def sort_column_name(res: Resource, field_name: str) -> str:
    """The column behind the sortable field `field_name`."""
    return _sort_key(res, res.field(field_name))
