"""Failed enrolments and token checks per client address, for the rate limit.

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
    op.create_table(
        "office_failure",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_office_failure"),
    )
    op.create_index("ix_office_failure_key_at", "office_failure", ["key", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_office_failure_key_at", table_name="office_failure")
    op.drop_table("office_failure")
