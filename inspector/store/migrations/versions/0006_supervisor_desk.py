"""Supervisor desk: the annual plan and its entries, complaints (举报), the review of decisions, tasks from the plan.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _desk_columns() -> list[sa.Column]:
    # The columns of a synced row (SyncedRecord): these tables sync between supervisors and the office.
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "annualplan",
        *_desk_columns(),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("sample_ratio", sa.Float(), nullable=False),
        sa.Column("yearly_cap", sa.Integer(), nullable=False),
        sa.Column("random_draw_id", sa.String(length=36), nullable=True),
        sa.Column("approved_by_id", sa.String(length=36), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("approval_ref", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("county_code", "year"),
    )
    op.create_table(
        "planentry",
        *_desk_columns(),
        sa.Column("plan_id", sa.String(), nullable=False),
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("planned_count", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=32), nullable=False),
        sa.Column("months", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["annualplan.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "enterprise_id"),
    )
    with op.batch_alter_table("planentry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planentry_enterprise_id"), ["enterprise_id"], unique=False)
    op.create_table(
        "complaint",
        *_desk_columns(),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("reporter_name", sa.String(), nullable=False),
        sa.Column("reporter_phone", sa.String(), nullable=False),
        sa.Column("enterprise_id", sa.String(length=36), nullable=True),
        sa.Column("place", sa.String(), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("inspection_id", sa.String(length=36), nullable=True),
        sa.Column("result", sa.String(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        # An anonymous complaint never stores who made it.
        sa.CheckConstraint(
            "NOT anonymous OR (reporter_name = '' AND reporter_phone = '')", name="ck_complaint_anonymous"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_county_code"), ["county_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_status"), ["status"], unique=False)

    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_submitted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by_id", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key("fk_document_reviewed_by_id_inspector", "inspector", ["reviewed_by_id"], ["id"])
    with op.batch_alter_table("inspectiontask", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_entry_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_inspectiontask_plan_entry_id"), ["plan_entry_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inspectiontask", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspectiontask_plan_entry_id"))
        batch_op.drop_column("plan_entry_id")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint("fk_document_reviewed_by_id_inspector", type_="foreignkey")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by_id")
        batch_op.drop_column("review_submitted_at")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_status"))
        batch_op.drop_index(batch_op.f("ix_complaint_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_county_code"))
    op.drop_table("complaint")
    with op.batch_alter_table("planentry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planentry_enterprise_id"))
    op.drop_table("planentry")
    op.drop_table("annualplan")
