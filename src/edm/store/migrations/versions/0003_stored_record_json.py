"""records kept as JSON on PostgreSQL: a `record_json` column written by a trigger

Every record table gets a `record_json` text column holding the record as
clients see it, set by a `BEFORE INSERT OR UPDATE` trigger from the row
being written (so by the writing statement, `COPY` included), and filled
here for the rows already stored. Reads select the column instead of
building the JSON: building it was most of the database's CPU for a list
page (docs/performance.md). SQLite keeps building it per read
(`edm.store.record_json`), which costs it little.

The encoding is SQL the metadata cannot express, so the column lives
outside it (`edm.store.outside_metadata`). The field lists are frozen
here, as a migration must be; a migration that changes a resource's
fields replaces its function and rewrites its rows (`UPDATE ... SET
record_json = NULL` runs the trigger), and a test checks the stored JSON
of every resource against the manifest.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 07:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMN = "record_json"
# RFC 3339 in UTC with microseconds, as `edm.timestamps.json_value` writes them.
TIMESTAMP_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
BASE = (
    "id",
    "tenant_id",
    "app_id",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "source",
    "source_type",
    "is_deleted",
    "deleted_at",
    "deleted_by",
    "schema_version",
)
FIELDS = {
    "tickets": (
        *BASE,
        "number",
        "title",
        "description",
        "type",
        "status",
        "priority",
        "category",
        "submitted_by_id",
        "assigned_to_id",
        "team_id",
        "sla_policy",
        "first_response_at",
        "resolved_at",
        "due_at",
        "related_asset_id",
        "related_vulnerability_id",
        "tags",
    ),
    "sla_policies": (*BASE, "name", "description", "is_default", "targets", "business_hours"),
    "comments": (*BASE, "ticket_id", "body", "public", "author_id"),
    "events": (*BASE, "ticket_id", "actor", "action", "changes", "at"),
}
TIMESTAMPS = frozenset(
    {"created_at", "updated_at", "deleted_at", "first_response_at", "resolved_at", "due_at", "at"}
)


def _value(field: str) -> str:
    if field in TIMESTAMPS:
        return f"to_char(timezone('UTC', NEW.{field}), '{TIMESTAMP_FORMAT}')"
    return f"NEW.{field}"


def _encoding(table: str) -> str:
    """The record's JSON, built from the row being written (`NEW`)."""
    pairs = ", ".join(f"'{field}', {_value(field)}" for field in FIELDS[table])
    return f"json_build_object({pairs})::text"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in FIELDS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN {COLUMN} text")
        op.execute(
            f"""
            CREATE FUNCTION {table}_{COLUMN}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.{COLUMN} := {_encoding(table)};
                RETURN NEW;
            END $$
            """
        )
        op.execute(
            f"CREATE TRIGGER {table}_{COLUMN} BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_{COLUMN}()"
        )
        # Row-level security is forced on the owner too (0001); this fills every tenant's rows.
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"UPDATE {table} SET {COLUMN} = NULL")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {COLUMN} SET NOT NULL")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in FIELDS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_{COLUMN} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_{COLUMN}()")
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {COLUMN}")
