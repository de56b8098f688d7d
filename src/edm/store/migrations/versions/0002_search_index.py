"""search index: trigram indexes behind the tickets' `q` filter

SQLite: an FTS5 trigram table over the searchable columns with the
tickets table as its external content, kept in sync by triggers (so in the
writing transaction). PostgreSQL: a copy of the searchable columns kept by
a trigger, with pg_trgm GIN indexes; a copy because row-level security on
tickets stops ILIKE (not leakproof) from using an index there. The copy
has no row-level security (until migration 0005): it is only ever joined to the tickets table,
which has. See edm.store.search.

The column list is frozen here, as a migration must be; a test checks it
against the manifest's searchable fields.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "tickets"
COLUMNS = ("number", "title", "description")
SEARCH = f"{TABLE}_search"
APP_ROLE = "edm_app"  # created by 0001


def _fts_row(kind: str, *, delete: bool = False) -> str:
    """The FTS5 statement that adds (or, with `delete`, removes) one row's text."""
    names = ", ".join(COLUMNS)
    values = ", ".join(f"{kind}.{c}" for c in COLUMNS)
    if delete:
        return f"INSERT INTO {SEARCH}({SEARCH}, rowid, {names}) VALUES ('delete', old.rowid, {values});"
    return f"INSERT INTO {SEARCH}(rowid, {names}) VALUES (new.rowid, {values});"


def _sqlite_upgrade() -> None:
    op.execute(
        f"CREATE VIRTUAL TABLE {SEARCH} USING fts5({', '.join(COLUMNS)}, "
        f"content='{TABLE}', tokenize='trigram', columnsize=0)"
    )
    op.execute(f"CREATE TRIGGER {SEARCH}_ai AFTER INSERT ON {TABLE} BEGIN {_fts_row('new')} END")
    op.execute(
        f"CREATE TRIGGER {SEARCH}_ad AFTER DELETE ON {TABLE} BEGIN {_fts_row('old', delete=True)} END"
    )
    op.execute(
        f"CREATE TRIGGER {SEARCH}_au AFTER UPDATE OF {', '.join(COLUMNS)} ON {TABLE} "
        f"BEGIN {_fts_row('old', delete=True)} {_fts_row('new')} END"
    )
    op.execute(f"INSERT INTO {SEARCH}({SEARCH}) VALUES ('rebuild')")


def _postgresql_upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        f"CREATE TABLE {SEARCH} (tenant_id varchar(255) NOT NULL, id varchar(64) NOT NULL, "
        "number varchar(32) NOT NULL, title varchar(200) NOT NULL, description text, "
        f"CONSTRAINT pk_{SEARCH} PRIMARY KEY (tenant_id, id))"
    )
    names = ", ".join(COLUMNS)
    op.execute(
        f"""
        CREATE FUNCTION {SEARCH}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM {SEARCH} WHERE tenant_id = OLD.tenant_id AND id = OLD.id;
            ELSE
                INSERT INTO {SEARCH} (tenant_id, id, {names})
                VALUES (NEW.tenant_id, NEW.id, {", ".join(f"NEW.{c}" for c in COLUMNS)})
                ON CONFLICT (tenant_id, id) DO UPDATE SET
                {", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS)};
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"CREATE TRIGGER {SEARCH}_sync AFTER INSERT OR DELETE OR UPDATE OF {names} ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {SEARCH}_sync()"
    )
    op.execute(
        f"INSERT INTO {SEARCH} (tenant_id, id, {names}) SELECT tenant_id, id, {names} FROM {TABLE}"
    )
    for column in COLUMNS:
        op.execute(
            f"CREATE INDEX ix_{SEARCH}_{column}_trgm ON {SEARCH} USING gin ({column} gin_trgm_ops)"
        )
    op.execute(f"CREATE INDEX ix_{SEARCH}_id ON {SEARCH} (id)")  # probed by id from a list walk
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {SEARCH} TO {APP_ROLE}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        _postgresql_upgrade()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {SEARCH}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {SEARCH}")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {SEARCH}_sync ON {TABLE}")
        op.execute(f"DROP FUNCTION IF EXISTS {SEARCH}_sync()")
        op.execute(f"DROP TABLE IF EXISTS {SEARCH}")
