"""Question codes and flags; what each quiz paper was drawn from, and its time limit.

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
    with op.batch_alter_table("quizsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draw_params", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("time_limit_seconds", sa.Integer(), nullable=True))
    with op.batch_alter_table("quizsession", schema=None) as batch_op:
        batch_op.alter_column("draw_params", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("quizsession", schema=None) as batch_op:
        batch_op.drop_column("time_limit_seconds")
        batch_op.drop_column("draw_params")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("unconfirmed")
        batch_op.drop_column("code")
