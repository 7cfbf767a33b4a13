"""Evidence keeps its EXIF orientation and how it was taken; a quiz may hold the person's photo.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("orientation", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("source", sa.String(length=32), nullable=False, server_default="文件导入"))
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.alter_column("orientation", server_default=None)
        batch_op.alter_column("source", server_default=None)
    with op.batch_alter_table("evidencelink", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidencelink_item_id"), ["item_id"], unique=False)
    with op.batch_alter_table("quizsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_photo_evidence_id", sa.String(), nullable=True))
        batch_op.create_foreign_key(
            "fk_quizsession_person_photo_evidence_id_evidence", "evidence", ["person_photo_evidence_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("quizsession", schema=None) as batch_op:
        batch_op.drop_constraint("fk_quizsession_person_photo_evidence_id_evidence", type_="foreignkey")
        batch_op.drop_column("person_photo_evidence_id")
    with op.batch_alter_table("evidencelink", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidencelink_item_id"))
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("source")
        batch_op.drop_column("orientation")
