"""Full-text index of inspections (SQLite FTS5, trigram), kept current in the same transaction as each change.

One row per inspection holds the words a user searches by: the enterprise, its credit code and township,
the place, the purpose, the notes, the person met on site and every finding's description. The trigram
tokenizer matches any substring of three or more characters, which suits Chinese (no word breaks);
shorter queries fall back to a substring scan of the same rows.

FTS5 finds a row quickly only by its integer rowid, and inspections have text ids; `inspection_fts_key`
gives each inspection an integer, so updating one inspection's row never scans the index. The integer is
the inspection's start time in seconds, shifted left 16 bits, plus a counter: FTS rowid order is then
start-time order, and "the newest 200 matches" is read straight off the index without sorting them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession

from inspector.store.models import Enterprise, Finding, Inspection

FTS_TABLE = "inspection_fts"
KEY_TABLE = "inspection_fts_key"  # made by migration 0002, with the FTS table

_BODY = (
    "e.name || ' ' || e.credit_code || ' ' || e.township || ' ' || e.industry || ' ' || i.mode || ' ' || "
    "i.place || ' ' || i.purpose || ' ' || i.notes || ' ' || i.on_site_person_name"
)
_ONE_ROW = text(
    f"""
    INSERT INTO {FTS_TABLE} (rowid, inspection_id, body)
    SELECT :key, i.id, {_BODY} || ' ' ||
           COALESCE((SELECT group_concat(f.description, ' ') FROM finding f WHERE f.inspection_id = i.id), '')
    FROM inspection i JOIN enterprise e ON e.id = i.enterprise_id
    WHERE i.id = :inspection_id
    """
)


SHIFT = 16
# Seconds since 1970 of the start (or, for a draft, the creation) of inspection `i`.
START_SECONDS = "CAST(strftime('%s', COALESCE(i.started_at, i.created_at, '1970-01-01')) AS INTEGER)"


def _key(conn: Connection, inspection_id: str) -> int:
    """The inspection's index rowid, moved when its start time changed."""
    seconds = conn.execute(
        text(f"SELECT {START_SECONDS} FROM inspection i WHERE i.id = :i"), {"i": inspection_id}
    ).scalar_one()
    base = int(seconds) << SHIFT
    found = conn.execute(
        text(f"SELECT rowid FROM {KEY_TABLE} WHERE inspection_id = :i"), {"i": inspection_id}
    ).scalar_one_or_none()
    if found is not None and int(found) >> SHIFT == base >> SHIFT:
        return int(found)
    if found is not None:
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :k"), {"k": found})
        conn.execute(text(f"DELETE FROM {KEY_TABLE} WHERE rowid = :k"), {"k": found})
    top = conn.execute(
        text(f"SELECT max(rowid) FROM {KEY_TABLE} WHERE rowid >= :lo AND rowid < :hi"),
        {"lo": base, "hi": base + (1 << SHIFT)},
    ).scalar_one()
    key = base if top is None else int(top) + 1
    conn.execute(
        text(f"INSERT INTO {KEY_TABLE} (rowid, inspection_id) VALUES (:k, :i)"), {"k": key, "i": inspection_id}
    )
    return key


def reindex(conn: Connection, inspection_ids: Iterable[str]) -> None:
    for inspection_id in set(inspection_ids):
        key = _key(conn, inspection_id)
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :k"), {"k": key})
        conn.execute(_ONE_ROW, {"key": key, "inspection_id": inspection_id})


def unindex(conn: Connection, inspection_ids: Iterable[str]) -> None:
    for inspection_id in set(inspection_ids):
        key = conn.execute(
            text(f"SELECT rowid FROM {KEY_TABLE} WHERE inspection_id = :i"), {"i": inspection_id}
        ).scalar_one_or_none()
        if key is not None:
            conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :k"), {"k": key})
            conn.execute(text(f"DELETE FROM {KEY_TABLE} WHERE rowid = :k"), {"k": key})


REBUILD_STATEMENTS = (
    f"DELETE FROM {FTS_TABLE}",
    f"DELETE FROM {KEY_TABLE}",
    f"""
    INSERT INTO {KEY_TABLE} (rowid, inspection_id)
    SELECT ({START_SECONDS} << {SHIFT}) + row_number() OVER (PARTITION BY {START_SECONDS} ORDER BY i.id) - 1, i.id
    FROM inspection i
    """,
    f"""
    INSERT INTO {FTS_TABLE} (rowid, inspection_id, body)
    SELECT k.rowid, i.id, {_BODY} || ' ' || COALESCE(f.descriptions, '')
    FROM inspection i
    JOIN enterprise e ON e.id = i.enterprise_id
    JOIN {KEY_TABLE} k ON k.inspection_id = i.id
    LEFT JOIN (SELECT inspection_id, group_concat(description, ' ') AS descriptions
               FROM finding GROUP BY inspection_id) f ON f.inspection_id = i.id
    """,
)


def rebuild(conn: Connection) -> None:
    """Index every inspection again in bulk (after a bulk load that bypassed the session)."""
    for statement in REBUILD_STATEMENTS:
        conn.execute(text(statement))


@event.listens_for(OrmSession, "after_flush")
def _reindex_touched(session: OrmSession, _ctx: Any) -> None:
    touched: set[str] = set()
    enterprises: set[str] = set()
    deleted = {obj.id for obj in session.deleted if isinstance(obj, Inspection)}
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Inspection):
            touched.add(obj.id)
        elif isinstance(obj, Finding):
            touched.add(obj.inspection_id)
        elif isinstance(obj, Enterprise) and obj in session.dirty:
            enterprises.add(obj.id)
    if not (touched or enterprises):
        return
    conn = session.connection()
    for enterprise_id in enterprises:
        rows = conn.execute(text("SELECT id FROM inspection WHERE enterprise_id = :e"), {"e": enterprise_id})
        touched.update(row[0] for row in rows)
    unindex(conn, deleted)
    reindex(conn, touched - deleted)
