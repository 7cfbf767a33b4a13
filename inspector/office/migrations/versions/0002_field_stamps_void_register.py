"""Per-field clock stamps of each record (the merge), and the office's void register of case numbers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "office_record",
        sa.Column("field_stamps", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
    )
    op.add_column("office_record", sa.Column("max_stamp", sa.String(length=100), nullable=False, server_default=""))
    op.create_table(
        "office_void_number",
        sa.Column("agency_short_name", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("agency_short_name", "year", "number", name="pk_office_void_number"),
    )


def downgrade() -> None:
    op.drop_table("office_void_number")
    op.drop_column("office_record", "max_stamp")
    op.drop_column("office_record", "field_stamps")
