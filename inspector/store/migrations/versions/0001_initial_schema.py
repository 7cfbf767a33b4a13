"""Initial schema: the whole enforcement workflow (DESIGN.md §3).

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "auditevent",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("table_name", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("old_values", sa.JSON(), nullable=True),
        sa.Column("new_values", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditevent_record_id"), ["record_id"], unique=False)

    op.create_table(
        "checklisttemplate",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("industry", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", "revision"),
    )
    with op.batch_alter_table("checklisttemplate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklisttemplate_code"), ["code"], unique=False)

    op.create_table(
        "enterprise",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("industry", sa.String(length=32), nullable=False),
        sa.Column("sector", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("township", sa.String(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("legal_representative", sa.String(), nullable=False),
        sa.Column("contact_phone", sa.String(), nullable=False),
        sa.Column("risk_level", sa.String(), nullable=False),
        sa.Column("is_key", sa.Boolean(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("licence_no", sa.String(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("notes", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credit_code"),
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_county_code"), ["county_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_industry"), ["industry"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_name"), ["name"], unique=False)

    op.create_table(
        "inspector",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("cert_no", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cert_no"),
    )
    op.create_table(
        "numberblock",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("agency_short_name", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("next_number", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("numberblock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_numberblock_year"), ["year"], unique=False)

    op.create_table(
        "outboxentry",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("table_name", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("op", sa.String(length=32), nullable=False),
        sa.Column("record_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("outboxentry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outboxentry_record_id"), ["record_id"], unique=False)

    op.create_table(
        "questionbank",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("industry", sa.String(), nullable=False),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", "revision"),
    )
    with op.batch_alter_table("questionbank", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionbank_code"), ["code"], unique=False)

    op.create_table(
        "randomdraw",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(), nullable=True),
        sa.Column("seed", sa.String(), nullable=False),
        sa.Column("industry", sa.String(), nullable=False),
        sa.Column("area", sa.String(), nullable=False),
        sa.Column("candidate_enterprise_ids", sa.JSON(), nullable=False),
        sa.Column("candidate_inspector_ids", sa.JSON(), nullable=False),
        sa.Column("chosen_enterprise_ids", sa.JSON(), nullable=False),
        sa.Column("chosen_inspector_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "syncstate",
        sa.Column("office_url", sa.String(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("pull_cursor", sa.Integer(), nullable=False),
        sa.Column("last_push_at", sa.DateTime(), nullable=True),
        sa.Column("last_pull_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("office_url"),
    )
    op.create_table(
        "voidnumber",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("agency_short_name", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency_short_name", "year", "number"),
    )
    op.create_table(
        "checklistitem",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.String(), nullable=False),
        sa.Column("section", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("basis", sa.String(), nullable=False),
        sa.Column("failure_grade", sa.String(length=32), nullable=False),
        sa.Column("unconfirmed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklisttemplate.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("template_id", "code"),
    )
    with op.batch_alter_table("checklistitem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklistitem_template_id"), ["template_id"], unique=False)

    op.create_table(
        "inspectiontask",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.String(), nullable=False),
        sa.Column("mode", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("random_draw_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["random_draw_id"],
            ["randomdraw.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inspectiontask", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspectiontask_due_date"), ["due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspectiontask_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspectiontask_status"), ["status"], unique=False)

    op.create_table(
        "question",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.String(), nullable=False),
        sa.Column("qtype", sa.String(length=32), nullable=False),
        sa.Column("posts", sa.JSON(), nullable=False),
        sa.Column("stem", sa.String(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("answer", sa.String(), nullable=False),
        sa.Column("explanation", sa.String(), nullable=False),
        sa.Column("basis", sa.String(), nullable=False),
        sa.Column("difficulty", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["questionbank.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.create_index("ix_question_bank_type", ["bank_id", "qtype"], unique=False)
        batch_op.create_index(batch_op.f("ix_question_content_sha256"), ["content_sha256"], unique=False)

    op.create_table(
        "inspection",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(), nullable=True),
        sa.Column("enterprise_id", sa.String(), nullable=False),
        sa.Column("mode", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("checklist_template_id", sa.String(), nullable=True),
        sa.Column("review_of_inspection_id", sa.String(), nullable=True),
        sa.Column("case_year", sa.Integer(), nullable=True),
        sa.Column("case_number", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("place", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("on_site_person_name", sa.String(), nullable=False),
        sa.Column("on_site_person_post", sa.String(), nullable=False),
        sa.Column("on_site_person_phone", sa.String(), nullable=False),
        sa.Column("witness", sa.String(), nullable=False),
        sa.Column("experts", sa.String(), nullable=False),
        sa.Column("no_advance_notice", sa.Boolean(), nullable=False),
        sa.Column("no_escort", sa.Boolean(), nullable=False),
        sa.Column("straight_to_site", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checklist_template_id"],
            ["checklisttemplate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["review_of_inspection_id"],
            ["inspection.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["inspectiontask.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index("ix_inspection_enterprise_started", ["enterprise_id", "started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_status"), ["status"], unique=False)

    op.create_table(
        "taskinspector",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(), nullable=False),
        sa.Column("inspector_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["inspectiontask.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "inspector_id"),
    )

    op.create_table(
        "document",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.String(), nullable=True),
        sa.Column("enterprise_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("number_text", sa.String(), nullable=False),
        sa.Column("case_year", sa.Integer(), nullable=True),
        sa.Column("case_number", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("template_version", sa.String(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.Column("served_at", sa.DateTime(), nullable=True),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.Column("void_reason", sa.String(), nullable=False),
        sa.Column("replaces_document_id", sa.String(), nullable=True),
        sa.Column("review_status", sa.String(), nullable=False),
        sa.Column("review_comment", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
        ),
        sa.ForeignKeyConstraint(
            ["replaces_document_id"],
            ["document.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_inspection_id"), ["inspection_id"], unique=False)
        batch_op.create_index("ix_document_kind_year_number", ["kind", "case_year", "case_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_status"), ["status"], unique=False)

    op.create_table(
        "evidence",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(), nullable=False),
        sa.Column("media_type", sa.String(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("captured_at_exif", sa.String(), nullable=False),
        sa.Column("captured_at_device", sa.DateTime(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("camera_model", sa.String(), nullable=False),
        sa.Column("added_by_id", sa.String(), nullable=True),
        sa.Column("caption", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("annotations", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["inspector.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inspection_id", "sha256"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_inspection_id"), ["inspection_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_sha256"), ["sha256"], unique=False)

    op.create_table(
        "finding",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.String(), nullable=False),
        sa.Column("enterprise_id", sa.String(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=False),
        sa.Column("basis", sa.String(), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("supervised_by", sa.String(), nullable=False),
        sa.Column("supervised_since", sa.Date(), nullable=True),
        sa.Column("review_inspection_id", sa.String(), nullable=True),
        sa.Column("review_note", sa.String(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["checklistitem.id"],
        ),
        sa.ForeignKeyConstraint(
            ["review_inspection_id"],
            ["inspection.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_finding_inspection_id"), ["inspection_id"], unique=False)
        batch_op.create_index("ix_finding_status_deadline", ["status", "deadline"], unique=False)

    op.create_table(
        "inspectioninspector",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.String(), nullable=False),
        sa.Column("inspector_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inspection_id", "inspector_id"),
    )
    with op.batch_alter_table("inspectioninspector", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspectioninspector_inspector_id"), ["inspector_id"], unique=False)

    op.create_table(
        "itemresult",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.String(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("result", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("unchecked_reason", sa.String(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["checklistitem.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inspection_id", "item_id"),
    )

    op.create_table(
        "evidencelink",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.String(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=True),
        sa.Column("finding_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["finding.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["checklistitem.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidencelink", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidencelink_evidence_id"), ["evidence_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidencelink_finding_id"), ["finding_id"], unique=False)

    op.create_table(
        "quizsession",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.String(), nullable=True),
        sa.Column("enterprise_id", sa.String(), nullable=False),
        sa.Column("bank_id", sa.String(), nullable=True),
        sa.Column("person_name", sa.String(), nullable=False),
        sa.Column("person_post", sa.String(), nullable=False),
        sa.Column("person_id_number", sa.String(), nullable=False),
        sa.Column("person_staff_no", sa.String(), nullable=False),
        sa.Column("mode", sa.String(length=32), nullable=False),
        sa.Column("seed", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("examiner_id", sa.String(), nullable=True),
        sa.Column("finding_id", sa.String(), nullable=True),
        sa.Column("paper_evidence_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["questionbank.id"],
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["examiner_id"],
            ["inspector.id"],
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["finding.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
        ),
        sa.ForeignKeyConstraint(
            ["paper_evidence_id"],
            ["evidence.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quizsession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quizsession_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quizsession_inspection_id"), ["inspection_id"], unique=False)

    op.create_table(
        "signature",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("signer_name", sa.String(), nullable=False),
        sa.Column("inspector_id", sa.String(), nullable=True),
        sa.Column("image_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("refusal_witness", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signature_document_id"), ["document_id"], unique=False)

    op.create_table(
        "quizanswer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("question_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("option_order", sa.JSON(), nullable=False),
        sa.Column("given", sa.String(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("points", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["quizsession.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "position"),
    )
    with op.batch_alter_table("quizanswer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quizanswer_session_id"), ["session_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("quizanswer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quizanswer_session_id"))

    op.drop_table("quizanswer")
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signature_document_id"))

    op.drop_table("signature")
    with op.batch_alter_table("quizsession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quizsession_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_quizsession_enterprise_id"))

    op.drop_table("quizsession")
    with op.batch_alter_table("evidencelink", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidencelink_finding_id"))
        batch_op.drop_index(batch_op.f("ix_evidencelink_evidence_id"))

    op.drop_table("evidencelink")

    op.drop_table("itemresult")
    with op.batch_alter_table("inspectioninspector", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspectioninspector_inspector_id"))

    op.drop_table("inspectioninspector")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_status_deadline")
        batch_op.drop_index(batch_op.f("ix_finding_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_finding_enterprise_id"))

    op.drop_table("finding")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_sha256"))
        batch_op.drop_index(batch_op.f("ix_evidence_inspection_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_status"))
        batch_op.drop_index("ix_document_kind_year_number")
        batch_op.drop_index(batch_op.f("ix_document_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_document_enterprise_id"))

    op.drop_table("document")

    op.drop_table("taskinspector")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_status"))
        batch_op.drop_index(batch_op.f("ix_inspection_started_at"))
        batch_op.drop_index("ix_inspection_enterprise_started")

    op.drop_table("inspection")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_content_sha256"))
        batch_op.drop_index("ix_question_bank_type")

    op.drop_table("question")
    with op.batch_alter_table("inspectiontask", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspectiontask_status"))
        batch_op.drop_index(batch_op.f("ix_inspectiontask_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_inspectiontask_due_date"))

    op.drop_table("inspectiontask")
    with op.batch_alter_table("checklistitem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklistitem_template_id"))

    op.drop_table("checklistitem")
    op.drop_table("voidnumber")
    op.drop_table("syncstate")
    op.drop_table("setting")
    op.drop_table("randomdraw")
    with op.batch_alter_table("questionbank", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionbank_code"))

    op.drop_table("questionbank")
    with op.batch_alter_table("outboxentry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outboxentry_record_id"))

    op.drop_table("outboxentry")
    with op.batch_alter_table("numberblock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_numberblock_year"))

    op.drop_table("numberblock")
    op.drop_table("inspector")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_name"))
        batch_op.drop_index(batch_op.f("ix_enterprise_industry"))
        batch_op.drop_index(batch_op.f("ix_enterprise_county_code"))

    op.drop_table("enterprise")
    with op.batch_alter_table("checklisttemplate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklisttemplate_code"))

    op.drop_table("checklisttemplate")
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditevent_record_id"))

    op.drop_table("auditevent")
