"""Audit events record the SHA-256 of the whole record after each change (tamper evidence).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_sha256", sa.String(length=64), nullable=False, server_default=""))
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.alter_column("record_sha256", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_column("record_sha256")
