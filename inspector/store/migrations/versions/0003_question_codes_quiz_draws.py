"""Question codes and flags; what each quiz paper was drawn from, and its time limit; the post index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("unconfirmed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("note", sa.String(), nullable=False, server_default=""))
    with op.batch_alter_table("question", schema=None) as batch_op:
        for name in ("code", "unconfirmed", "note"):
            batch_op.alter_column(name, server_default=None)
    with op.batch_alter_table("questionbank", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_sha256", sa.String(length=64), nullable=False, server_default=""))
    with op.batch_alter_table("questionbank", schema=None) as batch_op:
        batch_op.alter_column("content_sha256", server_default=None)
    with op.batch_alter_table("quizsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draw_params", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("time_limit_seconds", sa.Integer(), nullable=True))
    with op.batch_alter_table("quizsession", schema=None) as batch_op:
        batch_op.alter_column("draw_params", server_default=None)

    # question_post: one row per (question, post), kept by triggers from question.posts (a JSON list), so a
    # paper is drawn by index lookups instead of scanning every question's posts (see inspector.quiz.service).
    op.execute(
        "CREATE TABLE question_post (question_id TEXT NOT NULL, post TEXT NOT NULL, qtype TEXT NOT NULL, "
        "difficulty INTEGER NOT NULL, bank_id TEXT NOT NULL, "
        "PRIMARY KEY (post, qtype, difficulty, bank_id, question_id)) WITHOUT ROWID"
    )
    op.execute("CREATE INDEX ix_question_post_question ON question_post (question_id)")
    fill = "SELECT DISTINCT {q}.id, j.value, {q}.qtype, {q}.difficulty, {q}.bank_id FROM json_each({q}.posts) j"
    op.execute(
        "CREATE TRIGGER question_post_insert AFTER INSERT ON question BEGIN "
        f"INSERT OR IGNORE INTO question_post {fill.format(q='NEW')}; END"
    )
    op.execute(
        "CREATE TRIGGER question_post_delete AFTER DELETE ON question BEGIN "
        "DELETE FROM question_post WHERE question_id = OLD.id; END"
    )
    op.execute(
        "CREATE TRIGGER question_post_update AFTER UPDATE OF posts, qtype, difficulty, bank_id ON question BEGIN "
        "DELETE FROM question_post WHERE question_id = OLD.id; "
        f"INSERT OR IGNORE INTO question_post {fill.format(q='NEW')}; END"
    )
    op.execute(
        "INSERT OR IGNORE INTO question_post "
        "SELECT DISTINCT q.id, j.value, q.qtype, q.difficulty, q.bank_id FROM question q, json_each(q.posts) j"
    )


def downgrade() -> None:
    for trigger in ("question_post_insert", "question_post_delete", "question_post_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS question_post")
    with op.batch_alter_table("quizsession", schema=None) as batch_op:
        batch_op.drop_column("time_limit_seconds")
        batch_op.drop_column("draw_params")
    with op.batch_alter_table("questionbank", schema=None) as batch_op:
        batch_op.drop_column("content_sha256")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("unconfirmed")
        batch_op.drop_column("code")
