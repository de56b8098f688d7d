"""Row-level security for migrations: the one tenant policy, applied to a
table named as data.

The application's role (`edm_app`) sees a table's rows of the tenant named
in the session's `edm.tenant_id` only, and writes rows of that tenant only.
"""

from __future__ import annotations

from alembic import op

TENANT_SETTING = "edm.tenant_id"
POLICY = "tenant_isolation"


def enable_rls(table: str, *, force: bool = True) -> None:
    """Bind `table` to the tenant in `edm.tenant_id`; with `force`, its owner too.

    Without `force`, the owner's `SECURITY DEFINER` functions read the
    table unbound, and must bind the tenant themselves.
    """
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    if force:
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    tenant = f"tenant_id = current_setting('{TENANT_SETTING}', true)"
    op.execute(f"CREATE POLICY {POLICY} ON {table} USING ({tenant}) WITH CHECK ({tenant})")
