"""Per-field merge: the outbox says which columns changed and from what; supervisors see sync conflicts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outboxentry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fields", sa.JSON(), nullable=True))
    with op.batch_alter_table("syncstate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_stamp", sa.String(), nullable=False, server_default=""))
    with op.batch_alter_table("syncstate", schema=None) as batch_op:
        batch_op.alter_column("last_stamp", server_default=None)
    op.create_table(
        "syncconflict",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("table_name", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("record_label", sa.String(), nullable=False),
        sa.Column("field_name", sa.String(), nullable=False),
        sa.Column("kept_value", sa.JSON(), nullable=False),
        sa.Column("kept_device", sa.String(length=36), nullable=False),
        sa.Column("kept_stamp", sa.String(), nullable=False),
        sa.Column("lost_value", sa.JSON(), nullable=False),
        sa.Column("lost_device", sa.String(length=36), nullable=False),
        sa.Column("lost_stamp", sa.String(), nullable=False),
        sa.Column("kept_by", sa.String(), nullable=False),
        sa.Column("lost_by", sa.String(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("syncconflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_syncconflict_county_code"), ["county_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_syncconflict_record_id"), ["record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("syncconflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_syncconflict_record_id"))
        batch_op.drop_index(batch_op.f("ix_syncconflict_county_code"))
    op.drop_table("syncconflict")
    with op.batch_alter_table("syncstate", schema=None) as batch_op:
        batch_op.drop_column("last_stamp")
    with op.batch_alter_table("outboxentry", schema=None) as batch_op:
        batch_op.drop_column("fields")
