"""Upgrading a real 0001 database with data in it: rows survive, new columns get defaults, the index fills."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from inspector.store.db import DB_FILENAME, open_store
from inspector.store.migrate import alembic_config, current_revision, head_revision
from inspector.store.models import ChecklistItem, Finding, Inspection
from inspector.store.search_index import FTS_TABLE

NOW = "2024-05-06 01:30:00.000000"


def _make_0001_database(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        command.upgrade(alembic_config(engine), "0001")
        with engine.begin() as conn:
            common = "created_at, updated_at, origin_device, version"
            vals = f"'{NOW}', '{NOW}', 'dev', 1"
            conn.execute(
                text(
                    f"INSERT INTO enterprise (id, {common}, name, credit_code, industry, sector, address, township, "
                    "county_code, legal_representative, contact_phone, risk_level, is_key, licence_no, notes) "
                    f"VALUES ('e1', {vals}, '阳城县老数据煤业有限公司', '91140522MA0TEXT10X', '煤矿', '', '', "
                    "'北留镇', "
                    "'140522', '', '', 'A', 1, '', '')"
                )
            )
            conn.execute(
                text(
                    f"INSERT INTO inspection (id, {common}, enterprise_id, mode, status, started_at, place, purpose, "
                    "on_site_person_name, on_site_person_post, on_site_person_phone, witness, experts, "
                    "no_advance_notice, no_escort, straight_to_site, notes) "
                    f"VALUES ('i1', {vals}, 'e1', '四不两直暗查暗访', '检查完成', '{NOW}', '井下中央变电所', '', "
                    "'郭某', '', '', '', '', 1, 1, 1, '')"
                )
            )
            conn.execute(
                text(
                    f"INSERT INTO finding (id, {common}, inspection_id, enterprise_id, position, description, grade, "
                    "basis, measure, status, source, supervised_by, review_note) "
                    f"VALUES ('f1', {vals}, 'i1', 'e1', 0, '风电闭锁装置失效', '重大事故隐患', '《标准》', "
                    "'撤出作业人员', '待整改', 'manual', '', '')"
                )
            )
            conn.execute(
                text(
                    f"INSERT INTO checklisttemplate (id, {common}, code, revision, title, industry, source, "
                    f"content_sha256, is_current) VALUES ('t1', {vals}, 'coal', 1, '旧检查表', '煤矿', '', '', 1)"
                )
            )
            conn.execute(
                text(
                    f"INSERT INTO checklistitem (id, {common}, template_id, section, position, code, content, "
                    f"method, basis, failure_grade, unconfirmed) VALUES ('c1', {vals}, 't1', '一', 0, 'coal-01-01', "
                    "'检查内容', '', '', '重大事故隐患', 0)"
                )
            )
    finally:
        engine.dispose()


def test_upgrade_keeps_rows_and_indexes_them(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    _make_0001_database(data_dir / DB_FILENAME)
    store = open_store(data_dir)
    try:
        assert current_revision(store.engine) == head_revision()
        with store.session() as session:
            inspection = session.get(Inspection, "i1")
            assert inspection is not None and inspection.gps_source == ""
            finding = session.get(Finding, "f1")
            assert finding is not None and finding.description == "风电闭锁装置失效"
            item = session.get(ChecklistItem, "c1")
            assert item is not None and (item.section_code, item.basis_text, item.note) == ("", "", "")
        with store.engine.connect() as conn:
            body = conn.execute(text(f"SELECT body FROM {FTS_TABLE} WHERE inspection_id = 'i1'")).scalar_one()
            assert "阳城县老数据煤业有限公司" in body and "风电闭锁装置失效" in body
            pairs = conn.execute(
                text("SELECT count(*) FROM inspection_fts_grams WHERE inspection_fts_grams MATCH '风电'")
            )
            assert pairs.scalar_one() == 1
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    finally:
        store.close()
    backups = list((data_dir / "backups").glob("*.sqlite"))
    assert len(backups) == 1 and "-0001-" in backups[0].name
