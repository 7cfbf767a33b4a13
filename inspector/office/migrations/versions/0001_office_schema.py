"""The office schema: users, enrollment codes, devices, the records, the change counter, batches, blobs, numbers.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_user",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_office_user"),
    )
    op.create_table(
        "office_enrollment",
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["office_user.id"], name="fk_office_enrollment_user_id_office_user"),
        sa.PrimaryKeyConstraint("code_sha256", name="pk_office_enrollment"),
    )
    op.create_table(
        "office_device",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["office_user.id"], name="fk_office_device_user_id_office_user"),
        sa.PrimaryKeyConstraint("id", name="pk_office_device"),
        sa.UniqueConstraint("token_sha256", name="uq_office_device_token_sha256"),
    )
    op.create_table(
        "office_record",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("pushed_by", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("blob_sha256", sa.String(length=64), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "record_id", name="pk_office_record"),
    )
    op.create_index("ix_office_record_seq", "office_record", ["seq"], unique=True)
    op.create_index("ix_office_record_county_seq", "office_record", ["county_code", "seq"])
    op.create_index("ix_office_record_blob_sha256", "office_record", ["blob_sha256"])
    op.create_table(
        "office_counter",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_office_counter"),
    )
    op.create_table(
        "office_batch",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["office_device.id"], name="fk_office_batch_device_id_office_device"),
        sa.PrimaryKeyConstraint("device_id", "batch_id", name="pk_office_batch"),
    )
    op.create_table(
        "office_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("sha256", name="pk_office_blob"),
    )
    op.create_table(
        "office_number_block",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("agency_short_name", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["office_device.id"], name="fk_office_number_block_device_id_office_device"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_office_number_block"),
    )
    op.create_index("ix_office_number_block_device_year", "office_number_block", ["device_id", "year"])
    op.create_index("ix_office_number_block_agency_year", "office_number_block", ["agency_short_name", "year"])


def downgrade() -> None:
    op.drop_table("office_number_block")
    op.drop_table("office_blob")
    op.drop_table("office_batch")
    op.drop_table("office_counter")
    op.drop_index("ix_office_record_blob_sha256", table_name="office_record")
    op.drop_index("ix_office_record_county_seq", table_name="office_record")
    op.drop_index("ix_office_record_seq", table_name="office_record")
    op.drop_table("office_record")
    op.drop_table("office_device")
    op.drop_table("office_enrollment")
    op.drop_table("office_user")
