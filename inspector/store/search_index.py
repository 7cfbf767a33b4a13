"""Full-text index of inspections (SQLite FTS5, trigram), kept current in the same transaction as each change.

One row per inspection holds the words a user searches by: the enterprise, its credit code and township,
the place, the purpose, the notes, the person met on site and every finding's description. The trigram
tokenizer matches any substring of three or more characters, which suits Chinese (no word breaks);
shorter queries fall back to a substring scan of the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession

from inspector.store.models import Enterprise, Finding, Inspection

FTS_TABLE = "inspection_fts"

# The table itself is created by migration 0002, which also fills it from the rows already there.
_BODY_SQL = text(
    f"""
    INSERT INTO {FTS_TABLE} (inspection_id, body)
    SELECT i.id,
           e.name || ' ' || e.credit_code || ' ' || e.township || ' ' || e.industry || ' ' || i.mode || ' ' ||
           i.place || ' ' || i.purpose || ' ' || i.notes || ' ' || i.on_site_person_name || ' ' ||
           COALESCE((SELECT group_concat(f.description, ' ') FROM finding f WHERE f.inspection_id = i.id), '')
    FROM inspection i JOIN enterprise e ON e.id = i.enterprise_id
    WHERE i.id = :inspection_id
    """
)


def reindex(conn: Connection, inspection_ids: Iterable[str]) -> None:
    for inspection_id in set(inspection_ids):
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE inspection_id = :i"), {"i": inspection_id})
        conn.execute(_BODY_SQL, {"inspection_id": inspection_id})


def rebuild(conn: Connection) -> None:
    """Index every inspection again (after a migration or a bulk load that bypassed the session)."""
    conn.execute(text(f"DELETE FROM {FTS_TABLE}"))
    ids = [row[0] for row in conn.execute(text("SELECT id FROM inspection"))]
    reindex(conn, ids)


@event.listens_for(OrmSession, "after_flush")
def _reindex_touched(session: OrmSession, _ctx: Any) -> None:
    touched: set[str] = set()
    enterprises: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Inspection) and obj not in session.deleted:
            touched.add(obj.id)
        elif isinstance(obj, Finding):
            touched.add(obj.inspection_id)
        elif isinstance(obj, Enterprise) and obj in session.dirty:
            enterprises.add(obj.id)
    conn = session.connection()
    if enterprises:
        for enterprise_id in enterprises:
            rows = conn.execute(text("SELECT id FROM inspection WHERE enterprise_id = :e"), {"e": enterprise_id})
            touched.update(row[0] for row in rows)
    deleted = {obj.id for obj in session.deleted if isinstance(obj, Inspection)}
    for inspection_id in deleted:
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE inspection_id = :i"), {"i": inspection_id})
    if touched - deleted:
        reindex(conn, touched - deleted)
