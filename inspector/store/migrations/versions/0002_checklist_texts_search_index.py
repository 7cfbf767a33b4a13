"""Checklist clause texts and notes, GPS source, draw sizes, and the inspection full-text index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FTS = "inspection_fts"
KEY = "inspection_fts_key"
GRAMS = "inspection_fts_grams"


def _add(batch_op, name: str, type_: sa.types.TypeEngine, default: str | None) -> None:
    # Existing rows get the default; afterwards the column has none, like the model says.
    batch_op.add_column(sa.Column(name, type_, nullable=default is None, server_default=default))


def upgrade() -> None:
    with op.batch_alter_table("checklistitem", schema=None) as batch_op:
        _add(batch_op, "section_code", sa.String(), "")
        _add(batch_op, "basis_text", sa.String(), "")
        _add(batch_op, "note", sa.String(), "")
    with op.batch_alter_table("checklistitem", schema=None) as batch_op:
        for name in ("section_code", "basis_text", "note"):
            batch_op.alter_column(name, server_default=None)

    with op.batch_alter_table("inspection", schema=None) as batch_op:
        _add(batch_op, "gps_source", sa.String(), "")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.alter_column("gps_source", server_default=None)

    with op.batch_alter_table("randomdraw", schema=None) as batch_op:
        _add(batch_op, "year", sa.Integer(), None)
        _add(batch_op, "enterprise_count", sa.Integer(), "0")
        _add(batch_op, "inspector_count", sa.Integer(), "0")
    with op.batch_alter_table("randomdraw", schema=None) as batch_op:
        for name in ("enterprise_count", "inspector_count"):
            batch_op.alter_column(name, server_default=None)

    # The inspection search index (see inspector.store.search_index as of this revision), filled from the rows
    # already there. Rowids follow the start time (seconds << 16, plus a counter).
    op.execute(f"CREATE TABLE {KEY} (rowid INTEGER PRIMARY KEY, inspection_id TEXT NOT NULL UNIQUE)")
    op.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5(inspection_id UNINDEXED, body, tokenize='trigram')")
    op.execute(f"CREATE VIRTUAL TABLE {GRAMS} USING fts5(grams, tokenize='unicode61')")
    seconds = "CAST(strftime('%s', COALESCE(i.started_at, i.created_at, '1970-01-01')) AS INTEGER)"
    op.execute(
        f"INSERT INTO {KEY} (rowid, inspection_id) "
        f"SELECT ({seconds} << 16) + row_number() OVER (PARTITION BY {seconds} ORDER BY i.id) - 1, i.id "
        "FROM inspection i"
    )
    op.execute(
        f"""
        INSERT INTO {FTS} (rowid, inspection_id, body)
        SELECT k.rowid, i.id,
               e.name || ' ' || e.credit_code || ' ' || e.township || ' ' || e.industry || ' ' || i.mode || ' ' ||
               i.place || ' ' || i.purpose || ' ' || i.notes || ' ' || i.on_site_person_name || ' ' ||
               COALESCE(f.descriptions, '')
        FROM inspection i
        JOIN enterprise e ON e.id = i.enterprise_id
        JOIN {KEY} k ON k.inspection_id = i.id
        LEFT JOIN (SELECT inspection_id, group_concat(description, ' ') AS descriptions
                   FROM finding GROUP BY inspection_id) f ON f.inspection_id = i.id
        """
    )
    conn = op.get_bind()
    rows = conn.execute(sa.text(f"SELECT rowid, body FROM {FTS}")).all()
    if rows:
        conn.execute(
            sa.text(f"INSERT INTO {GRAMS} (rowid, grams) VALUES (:k, :g)"),
            [{"k": key, "g": _bigrams(body)} for key, body in rows],
        )


def _bigrams(body: str) -> str:
    lowered = body.lower()
    pairs = (lowered[n : n + 2] for n in range(len(lowered) - 1))
    return " ".join(dict.fromkeys(p for p in pairs if p.isalnum()))


def downgrade() -> None:
    op.execute(f"DROP TABLE IF EXISTS {FTS}")
    op.execute(f"DROP TABLE IF EXISTS {GRAMS}")
    op.execute(f"DROP TABLE IF EXISTS {KEY}")
    with op.batch_alter_table("randomdraw", schema=None) as batch_op:
        batch_op.drop_column("inspector_count")
        batch_op.drop_column("enterprise_count")
        batch_op.drop_column("year")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_column("gps_source")
    with op.batch_alter_table("checklistitem", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("basis_text")
        batch_op.drop_column("section_code")
