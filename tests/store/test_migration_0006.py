"""Upgrading a 0005 database with a task and a decision in it: rows survive, the review starts empty."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from inspector.store.db import DB_FILENAME, open_store
from inspector.store.migrate import HEAD_REVISION, alembic_config, current_revision, head_revision
from inspector.store.models import Document, InspectionTask

NOW = "2026-03-02 01:30:00.000000"


def _make_0005_database(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        command.upgrade(alembic_config(engine), "0005")
        common, vals = "created_at, updated_at, origin_device, version", f"'{NOW}', '{NOW}', 'dev', 1"
        with engine.begin() as conn:
            conn.execute(
                text(
                    f"INSERT INTO enterprise (id, {common}, name, credit_code, industry, sector, address, township, "
                    "county_code, legal_representative, contact_phone, risk_level, is_key, licence_no, notes) "
                    f"VALUES ('e1', {vals}, '阳城县老数据煤业有限公司', '91140522MA0TEXT10X', '煤矿', '', '', "
                    "'北留镇', '140522', '', '', 'A', 1, '', '')"
                )
            )
            conn.execute(
                text(
                    f"INSERT INTO inspectiontask (id, {common}, enterprise_id, mode, title, purpose, status, source) "
                    f"VALUES ('t1', {vals}, 'e1', '举报核查', '群众举报核查', '', '待检查', '举报')"
                )
            )
            conn.execute(
                text(
                    f"INSERT INTO document (id, {common}, enterprise_id, kind, number_text, status, fields, "
                    "template_version, pdf_sha256, void_reason, review_status, review_comment) "
                    f"VALUES ('d1', {vals}, 'e1', '现场处理措施决定书', '', '草稿', '{{}}', '1', '', '', '', '')"
                )
            )
    finally:
        engine.dispose()


def test_upgrade_from_0005_keeps_tasks_and_documents(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    _make_0005_database(data_dir / DB_FILENAME)
    store = open_store(data_dir)
    try:
        assert current_revision(store.engine) == head_revision() == HEAD_REVISION
        with store.session() as session:
            task = session.get(InspectionTask, "t1")
            assert task is not None and task.plan_entry_id is None and task.title == "群众举报核查"
            document = session.get(Document, "d1")
            assert document is not None and document.review_status == ""
            assert (document.reviewed_by_id, document.reviewed_at, document.review_submitted_at) == (None, None, None)
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
            tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
        assert {"annualplan", "planentry", "complaint"} <= tables
        # The anonymity constraint came with the table.
        with pytest.raises(IntegrityError, match="ck_complaint_anonymous"), store.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO complaint (id, origin_device, version, county_code, received_at, channel, anonymous, "
                    "reporter_name, reporter_phone, place, content, deadline, status, result) VALUES "
                    f"('c1', '', 1, '140522', '{NOW}', '电话', 1, '张某', '', '某地', '举报', '2026-03-20', '登记', '')"
                )
            )
    finally:
        store.close()
    assert len(list((data_dir / "backups").glob("*-0005-*.sqlite"))) == 1
