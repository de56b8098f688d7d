"""search copy row security: the application's role reaches the tickets'
search copy only through functions bound to its tenant (PostgreSQL)

Until now the copy of the searchable columns (migration 0002) had no
row-level security and the application's role could read and write every
tenant's rows of it, see them in `pg_stats`, and read every tenant's
common trigrams through `tickets_search_common_trigrams()` (migration 0004).

Under row-level security PostgreSQL will not use an index for ILIKE (not
leakproof) on the table, which is why the copy exists; so the copy gets
the tenant policy without FORCE, and the role loses every privilege on it.
It reaches the copy only through `SECURITY DEFINER` functions of the
copy's owner, each bound to the tenant in `edm.tenant_id` by its own
WHERE clause:

- the sync trigger's function (it writes the copy of a ticket the role
  could write, and tickets force row-level security);
- `tickets_search_matches(p0, p1, p2, q, with_number)`: the ids of the
  tenant's tickets one of whose columns holds the three LIKE patterns
  (served by the trigram indexes) and the text (the exact test); the
  number column only when `with_number`;
- `tickets_search_count(pattern, cap)`: how many of the tenant's tickets,
  up to `cap`, hold the LIKE pattern: what a search counts to find the
  rarest trigrams of its text, instead of every tenant's statistics.

The common-trigrams function and its statistics are dropped. The column
list is frozen here, as a migration must be.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 21:30:00
"""

from collections.abc import Sequence

from alembic import context, op
from sqlalchemy import text

from edm.store.row_security import POLICY, TENANT_SETTING, enable_rls

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH = "tickets_search"
COLUMNS = ("number", "title", "description")
APP_ROLE = "edm_app"  # created by 0001
MATCHES = f"{SEARCH}_matches"
COUNT = f"{SEARCH}_count"
SYNC = f"{SEARCH}_sync"
# No index condition: the trigram indexes find the candidates, never a walk
# over the tenant's rows (which a search of a common text would make long).
_TENANT = f"(s.tenant_id || '') = current_setting('{TENANT_SETTING}', true)"


def _holds(column: str, patterns: Sequence[str]) -> str:
    return " AND ".join(f"s.{column} ILIKE {p}" for p in patterns)


def _matches_body() -> str:
    """Each column's patterns and exact test; NULL patterns when the number is left out
    (a strict operator with a NULL key makes its index scan read nothing)."""
    tests = []
    for column in COLUMNS:
        patterns: tuple[str, ...] = ("p0", "p1", "p2")
        if column == "number":
            patterns = tuple(f"CASE WHEN with_number THEN {p} END" for p in patterns)
        exact = f"lower(s.{column}) ~ ('***=' || lower(q))"  # as edm.store.search tests it
        tests.append(f"({_holds(column, patterns)} AND {exact})")
    return f"SELECT s.id FROM {SEARCH} AS s WHERE {_TENANT} AND ({' OR '.join(tests)})"


def _count_body() -> str:
    holds = " OR ".join(f"s.{column} ILIKE pattern" for column in COLUMNS)
    return (
        f"SELECT count(*)::integer FROM (SELECT 1 FROM {SEARCH} AS s "
        f"WHERE {_TENANT} AND ({holds}) LIMIT cap) AS found"
    )


def _definer(signature: str, returns: str, body: str, schema: str) -> None:
    op.execute(
        f"CREATE FUNCTION {signature} RETURNS {returns} LANGUAGE sql STABLE "
        f"SECURITY DEFINER SET search_path = pg_catalog, {schema} AS $$ {body} $$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(text("SELECT current_schema()")).scalar_one()
    op.execute(f"DROP FUNCTION IF EXISTS {SEARCH}_common_trigrams()")
    for column in COLUMNS:
        op.execute(f"DROP STATISTICS IF EXISTS {SEARCH}_{column}_trigrams")
    op.execute(f"REVOKE ALL ON {SEARCH} FROM {APP_ROLE}")
    enable_rls(SEARCH, force=False)
    op.execute(f"ALTER FUNCTION {SYNC}() SECURITY DEFINER SET search_path = pg_catalog, {schema}")
    _definer(
        f"{MATCHES}(p0 text, p1 text, p2 text, q text, with_number boolean)",
        "SETOF varchar",
        _matches_body(),
        schema,
    )
    _definer(f"{COUNT}(pattern text, cap integer)", "integer", _count_body(), schema)
    for function in (f"{MATCHES}(text, text, text, text, boolean)", f"{COUNT}(text, integer)"):
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {APP_ROLE}")
    op.execute(f"ANALYZE {SEARCH}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION IF EXISTS {MATCHES}(text, text, text, text, boolean)")
    op.execute(f"DROP FUNCTION IF EXISTS {COUNT}(text, integer)")
    op.execute(f"ALTER FUNCTION {SYNC}() SECURITY INVOKER RESET search_path")
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {SEARCH}")
    op.execute(f"ALTER TABLE {SEARCH} DISABLE ROW LEVEL SECURITY")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {SEARCH} TO {APP_ROLE}")
    # Migration 0004's statistics and function, made as it makes them.
    context.script.get_revision("0004").module.upgrade()
