"""What a data folder holds: schema version and row counts per table (for `inspector info`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import SQLModel

from inspector.store import migrate
from inspector.store.db import Store


def row_counts(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    with store.engine.connect() as conn:
        for table in sorted(SQLModel.metadata.sorted_tables, key=lambda t: t.name):
            counts[table.name] = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    return counts


def store_info(store: Store) -> dict[str, Any]:
    return {
        "data_dir": str(store.data_dir),
        "database": str(store.db_path),
        "schema_version": migrate.current_revision(store.engine),
        "device_id": store.device_id,
        "encrypted": store.encrypted,
        "row_counts": row_counts(store),
    }
