"""Alembic environment: migrations run against the URL the caller configured."""

from __future__ import annotations

from alembic import context

from edm.store.database import build_engine
from edm.store.outside_metadata import include_in_autogenerate
from edm.store.schema import metadata

config = context.config


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_name=include_in_autogenerate,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = build_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        context.configure(
            connection=conn, target_metadata=metadata, include_name=include_in_autogenerate
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
