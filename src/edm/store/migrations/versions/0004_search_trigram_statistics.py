"""search trigram statistics: which trigrams of the tickets' text are common (PostgreSQL)

pg_trgm's GIN scan reads the whole list of rows of every trigram a pattern
holds, and some trigrams are in nearly every ticket (`srv` of a host name,
`tkt` of every number), so a search asks the index for the rarest
trigrams of its text only (`edm.store.search.RareTrigrams`). Counting a
trigram's rows is itself a read of its list, so the rarity comes from
ANALYZE instead: an expression statistics object per searchable column of
the search copy keeps its most common trigrams (`show_trgm`) with their
frequencies, and autovacuum refreshes it as the table changes.

Extended statistics are visible to their table's owner only, so the
application's role reads them through a `SECURITY DEFINER` function that
returns nothing but trigrams and frequencies, aggregated over every
tenant (the search copy is not per tenant either; migration 0002). The
trigrams never reach a client: they only choose what the index reads.

The column list is frozen here, as a migration must be.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 12:30:00
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH = "tickets_search"
COLUMNS = ("number", "title", "description")
FUNCTION = f"{SEARCH}_common_trigrams"
APP_ROLE = "edm_app"  # created by 0001


def _statistics(column: str) -> str:
    return f"{SEARCH}_{column}_trigrams"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(text("SELECT current_schema()")).scalar_one()
    for column in COLUMNS:
        op.execute(
            f"CREATE STATISTICS {_statistics(column)} ON (show_trgm({column})) FROM {SEARCH}"
        )
    # most_common_elem_freqs ends with three summary numbers past the elements:
    # unnest pads the elements with NULLs there, which the WHERE drops.
    op.execute(
        f"""
        CREATE FUNCTION {FUNCTION}() RETURNS TABLE (trigram text, frequency real)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
            SELECT common.trigram, max(common.frequency)
            FROM pg_stats_ext_exprs AS s
            CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs)
                AS common (trigram, frequency)
            WHERE s.schemaname = '{schema}' AND s.tablename = '{SEARCH}'
              AND common.trigram IS NOT NULL
            GROUP BY common.trigram
        $$
        """
    )
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION}() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {FUNCTION}() TO {APP_ROLE}")
    op.execute(f"ANALYZE {SEARCH}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    for column in COLUMNS:
        op.execute(f"DROP STATISTICS IF EXISTS {_statistics(column)}")
