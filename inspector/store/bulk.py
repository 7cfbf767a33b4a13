"""Bulk inserts of synced rows (question-bank imports of thousands of rows) without one ORM object per row.

The rows get exactly what the flush hook in inspector.store.db gives a new row — id, timestamps, origin
device, version 1 — their outbox entries and their audit events, in the caller's transaction. Tables with
derived indexes kept by session hooks (the inspection search index) are refused: they go through the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from inspector import clock
from inspector.domain.enums import OutboxOp
from inspector.store import audit
from inspector.store.ids import uuid7
from inspector.store.models import Enterprise, Finding, Inspection, OutboxEntry, SyncedRecord

_HOOKED = (Inspection, Finding, Enterprise)
_CHUNK = 2000


def insert_synced(
    session: Session, model: type[SyncedRecord], rows: Sequence[dict[str, Any]], *, rebuilds_index: bool = False
) -> list[str]:
    """Insert new rows of `model`; returns their ids in order. `rebuilds_index`: the caller rebuilds the
    inspection search index itself afterwards, so the indexed tables are allowed."""
    if issubclass(model, _HOOKED) and not rebuilds_index:
        raise ValueError(f"{model.__name__} rows keep a search index: add them through the session")
    now = clock.now()
    device = session.info.get("device_id", "")
    table = model.__table__  # type: ignore[attr-defined]
    ids: list[str] = []
    stamped = []
    for row in rows:
        row_id = row.get("id") or uuid7()
        ids.append(row_id)
        stamped.append(
            {**row, "id": row_id, "created_at": now, "updated_at": now, "origin_device": device, "version": 1}
        )
    conn = session.connection()
    outbox = OutboxEntry.__table__  # type: ignore[attr-defined]
    for start in range(0, len(stamped), _CHUNK):
        chunk = stamped[start : start + _CHUNK]
        conn.execute(insert(table), chunk)
        conn.execute(
            insert(outbox),
            [
                {
                    "table_name": table.name,
                    "record_id": r["id"],
                    "op": OutboxOp.UPSERT,
                    "record_version": 1,
                    "created_at": now,
                }
                for r in chunk
            ],
        )
        # No flush hook sees these rows: their audit events (with each record's state) are written here.
        audit.bulk_events(session, table.name, [audit.normalized(model.model_validate(r)) for r in chunk])
    return ids
