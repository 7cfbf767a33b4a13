"""Full-text index of inspections (SQLite FTS5), kept current in the same transaction as each change.

One entry per inspection holds the words a user searches by: the enterprise, its credit code and township,
the place, the purpose, the notes, the person met on site and every finding's description. Chinese has no
word breaks, so the index works on character n-grams:
- `inspection_fts` (trigram tokenizer) matches any substring of three or more characters;
- `inspection_fts_grams` holds each entry's distinct character pairs as words, so a two-character query
  (液氨, 粉尘, 瓦斯 — most Chinese search terms) is an index lookup too; one character is a plain scan.

FTS5 finds a row quickly only by its integer rowid, and inspections have text ids; `inspection_fts_key`
gives each inspection an integer: its start time in seconds shifted left 16 bits, plus a counter. Rowid
order is then start-time order, and "the newest 200 matches" is read straight off the index.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession

from inspector.store.models import Enterprise, Finding, Inspection

FTS_TABLE = "inspection_fts"
GRAMS_TABLE = "inspection_fts_grams"
KEY_TABLE = "inspection_fts_key"  # the three are made by migration 0002
SHIFT = 16

# Seconds since 1970 of the start (or, for a draft, the creation) of inspection `i`.
START_SECONDS = "CAST(strftime('%s', COALESCE(i.started_at, i.created_at, '1970-01-01')) AS INTEGER)"
_BODY = (
    "e.name || ' ' || e.credit_code || ' ' || e.township || ' ' || e.industry || ' ' || i.mode || ' ' || "
    "i.place || ' ' || i.purpose || ' ' || i.notes || ' ' || i.on_site_person_name"
)
_ONE_BODY = text(
    f"""
    SELECT {_BODY} || ' ' ||
           COALESCE((SELECT group_concat(f.description, ' ') FROM finding f WHERE f.inspection_id = i.id), '')
    FROM inspection i JOIN enterprise e ON e.id = i.enterprise_id
    WHERE i.id = :inspection_id
    """
)


def bigrams(body: str) -> str:
    """The distinct pairs of neighbouring characters, lower-cased, as space-separated words."""
    lowered = body.lower()
    pairs = (lowered[n : n + 2] for n in range(len(lowered) - 1))
    return " ".join(dict.fromkeys(p for p in pairs if p.isalnum()))


def phrase(query: str) -> str:
    """A user's text as one quoted FTS5 string, so that no character acts as query syntax."""
    return '"' + query.replace('"', '""') + '"'


def _key(conn: Connection, inspection_id: str) -> int | None:
    """The inspection's index rowid, moved when its start time changed; None when it is not here (yet)."""
    seconds = conn.execute(
        text(f"SELECT {START_SECONDS} FROM inspection i WHERE i.id = :i"), {"i": inspection_id}
    ).scalar_one_or_none()
    if seconds is None:
        return None  # a finding pulled before its inspection: indexed when the inspection arrives
    base = int(seconds) << SHIFT
    found = conn.execute(
        text(f"SELECT rowid FROM {KEY_TABLE} WHERE inspection_id = :i"), {"i": inspection_id}
    ).scalar_one_or_none()
    if found is not None and int(found) >> SHIFT == base >> SHIFT:
        return int(found)
    if found is not None:
        _drop(conn, int(found))
    top = conn.execute(
        text(f"SELECT max(rowid) FROM {KEY_TABLE} WHERE rowid >= :lo AND rowid < :hi"),
        {"lo": base, "hi": base + (1 << SHIFT)},
    ).scalar_one()
    key = base if top is None else int(top) + 1
    conn.execute(
        text(f"INSERT INTO {KEY_TABLE} (rowid, inspection_id) VALUES (:k, :i)"), {"k": key, "i": inspection_id}
    )
    return key


def _drop(conn: Connection, key: int) -> None:
    for table in (FTS_TABLE, GRAMS_TABLE, KEY_TABLE):
        conn.execute(text(f"DELETE FROM {table} WHERE rowid = :k"), {"k": key})


def reindex(conn: Connection, inspection_ids: Iterable[str]) -> None:
    for inspection_id in set(inspection_ids):
        key = _key(conn, inspection_id)
        if key is None:
            continue
        body = conn.execute(_ONE_BODY, {"inspection_id": inspection_id}).scalar_one()
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :k"), {"k": key})
        conn.execute(text(f"DELETE FROM {GRAMS_TABLE} WHERE rowid = :k"), {"k": key})
        conn.execute(
            text(f"INSERT INTO {FTS_TABLE} (rowid, inspection_id, body) VALUES (:k, :i, :b)"),
            {"k": key, "i": inspection_id, "b": body},
        )
        conn.execute(text(f"INSERT INTO {GRAMS_TABLE} (rowid, grams) VALUES (:k, :g)"), {"k": key, "g": bigrams(body)})


def unindex(conn: Connection, inspection_ids: Iterable[str]) -> None:
    for inspection_id in set(inspection_ids):
        key = conn.execute(
            text(f"SELECT rowid FROM {KEY_TABLE} WHERE inspection_id = :i"), {"i": inspection_id}
        ).scalar_one_or_none()
        if key is not None:
            _drop(conn, int(key))


def rebuild(conn: Connection) -> None:
    """Index every inspection again in bulk (after a migration, or a bulk load that bypassed the session)."""
    for table in (FTS_TABLE, GRAMS_TABLE, KEY_TABLE):
        conn.execute(text(f"DELETE FROM {table}"))
    conn.execute(
        text(
            f"INSERT INTO {KEY_TABLE} (rowid, inspection_id) "
            f"SELECT ({START_SECONDS} << {SHIFT}) + row_number() OVER (PARTITION BY {START_SECONDS} ORDER BY i.id) - 1,"
            " i.id FROM inspection i"
        )
    )
    conn.execute(
        text(
            f"""
            INSERT INTO {FTS_TABLE} (rowid, inspection_id, body)
            SELECT k.rowid, i.id, {_BODY} || ' ' || COALESCE(f.descriptions, '')
            FROM inspection i
            JOIN enterprise e ON e.id = i.enterprise_id
            JOIN {KEY_TABLE} k ON k.inspection_id = i.id
            LEFT JOIN (SELECT inspection_id, group_concat(description, ' ') AS descriptions
                       FROM finding GROUP BY inspection_id) f ON f.inspection_id = i.id
            """
        )
    )
    rows = conn.execute(text(f"SELECT rowid, body FROM {FTS_TABLE}")).all()
    if rows:
        conn.execute(
            text(f"INSERT INTO {GRAMS_TABLE} (rowid, grams) VALUES (:k, :g)"),
            [{"k": key, "g": bigrams(body)} for key, body in rows],
        )


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
