"""Alembic environment: SQLModel metadata, batch mode for SQLite, engine handed in by inspector.store.migrate."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from inspector.store import models  # noqa: F401  (registers the tables)
from inspector.store.migrate import is_model_table

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Our TypeDecorators are storage-compatible with their impl; migrations stay free of app imports.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    if type_ == "type" and type(obj).__name__ == "AutoString":
        length = getattr(obj, "length", None)
        return f"sa.String(length={length})" if length else "sa.String()"
    return False


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return type_ != "table" or is_model_table(name)


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as connection:
        # Batch mode rebuilds tables (copy, drop, rename); with foreign keys on, dropping a referenced table
        # fails. SQLite only honours this pragma outside a transaction, so it goes straight to the driver
        # before anything begins; the keys are checked before commit instead.
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None
        dbapi.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            render_item=render_item,
            include_name=include_name,
            transaction_per_migration=False,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
            connection.commit()
        finally:
            dbapi.execute("PRAGMA foreign_keys=ON")


run_migrations()
