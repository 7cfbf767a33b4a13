"""Each laptop's hash-chained audit log as the office received it, and the batches refused as breaks.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_audit_chain",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("chain_id", sa.String(length=36), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["office_device.id"], name="fk_office_audit_chain_device_id_office_device"
        ),
        sa.PrimaryKeyConstraint("device_id", name="pk_office_audit_chain"),
    )
    op.create_index("ix_office_audit_chain_chain_id", "office_audit_chain", ["chain_id"])
    op.create_table(
        "office_audit_event",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["office_device.id"], name="fk_office_audit_event_device_id_office_device"
        ),
        sa.PrimaryKeyConstraint("device_id", "position", name="pk_office_audit_event"),
    )
    op.create_index("ix_office_audit_event_device_event", "office_audit_event", ["device_id", "event_id"], unique=True)
    op.create_index("ix_office_audit_event_record", "office_audit_event", ["table_name", "record_id"])
    op.create_table(
        "office_audit_break",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("expected", sa.String(length=64), nullable=False),
        sa.Column("got", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["office_device.id"], name="fk_office_audit_break_device_id_office_device"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_office_audit_break"),
    )
    op.create_index("ix_office_audit_break_device", "office_audit_break", ["device_id"])


def downgrade() -> None:
    op.drop_index("ix_office_audit_break_device", table_name="office_audit_break")
    op.drop_table("office_audit_break")
    op.drop_index("ix_office_audit_event_record", table_name="office_audit_event")
    op.drop_index("ix_office_audit_event_device_event", table_name="office_audit_event")
    op.drop_table("office_audit_event")
    op.drop_index("ix_office_audit_chain_chain_id", table_name="office_audit_chain")
    op.drop_table("office_audit_chain")
