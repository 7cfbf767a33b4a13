"""Alembic environment of the office schema: the engine is handed in by inspector.office.db.upgrade_office_schema."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine, text

from inspector.office.db import metadata

config = context.config
target_metadata = metadata
_MIGRATION_LOCK = 0x1A5C_0FF1CE  # pg_advisory_xact_lock key: one process migrates at a time


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    if not isinstance(engine, Engine):
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as connection:
        # SQLite: take the write lock at BEGIN (see inspector.office.db), so that two processes starting together
        # take turns instead of both creating the tables.
        connection.execution_options(office_write=True)
        context.configure(connection=connection, target_metadata=target_metadata, transaction_per_migration=False)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Several server processes may start together; the others wait here, then find the schema at head.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            context.run_migrations()
        connection.commit()


run_migrations()
