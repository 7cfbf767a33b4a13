"""Opening a data folder: migrate to head, refuse what is not ours or too new, back up before migrating."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, String, inspect, text
from sqlmodel import SQLModel, select

from inspector.errors import StoreError
from inspector.store import migrate
from inspector.store.db import DB_FILENAME, open_store
from inspector.store.migrate import current_revision, head_revision, is_model_table
from inspector.store.models import Setting

MODEL_TABLES = set(SQLModel.metadata.tables)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sqlite_rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    # immutable: read without locks, so no -wal/-shm files are left next to the file being checked.
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# ─── a fresh folder ────────────────────────────────────────────────────────────────────────────────


def test_fresh_folder_is_migrated_to_head(data_dir: Path) -> None:
    assert not data_dir.exists()
    store = open_store(data_dir)
    try:
        assert current_revision(store.engine) == head_revision()
        tables = set(inspect(store.engine).get_table_names())
        assert tables >= MODEL_TABLES
        fts = {t for t in tables if not is_model_table(t)}
        assert "inspection_fts" in fts  # the search index, made by hand in migration 0002
        assert tables - MODEL_TABLES - fts == {"alembic_version"}
        assert store.db_path == data_dir / DB_FILENAME
        assert store.db_path.is_file()
        assert store.blob_dir.is_dir()
    finally:
        store.close()
    # Nothing to back up when the database is new.
    assert not (data_dir / "backups").exists()


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    # The FTS5 search index is created by a migration by hand, not from a model.
    return type_ != "table" or is_model_table(name)


def test_migrations_match_the_models(data_dir: Path) -> None:
    store = open_store(data_dir)
    try:
        with store.engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={"compare_type": True, "compare_server_default": True, "include_name": include_name},
            )
            diff = compare_metadata(context, SQLModel.metadata)
    finally:
        store.close()
    assert diff == []


def test_schema_comparison_is_not_blind(data_dir: Path) -> None:
    """The empty diff above means something: the same comparison sees a missing column and wrong types."""
    changed = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["setting"].append_column(Column("extra", String()))
    changed.tables["enterprise"].c["credit_code"].type = String(20)  # VARCHAR(18) in the migration
    changed.tables["auditevent"].c["at"].type = Integer()  # a UTCDateTime (DATETIME) column
    store = open_store(data_dir)
    try:
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
            diff = compare_metadata(context, changed)
    finally:
        store.close()
    flat = [d[0] if isinstance(d, list) else d for d in diff]
    found = {(d[0], d[2], d[3] if d[0] == "modify_type" else d[3].name) for d in flat}
    assert found == {
        ("add_column", "setting", "extra"),
        ("modify_type", "enterprise", "credit_code"),
        ("modify_type", "auditevent", "at"),
    }


def test_opening_twice_is_idempotent_and_keeps_device_id(data_dir: Path) -> None:
    first = open_store(data_dir)
    device_id = first.device_id
    first.close()
    second = open_store(data_dir)
    try:
        assert second.device_id == device_id
        assert current_revision(second.engine) == head_revision()
        with second.session() as session:
            rows = session.exec(select(Setting).where(Setting.key == "device_id")).all()
            assert [row.value for row in rows] == [device_id]
    finally:
        second.close()
    assert not (data_dir / "backups").exists()


# ─── files that must be refused and left alone ─────────────────────────────────────────────────────


def _make_newer(data_dir: Path) -> Path:
    store = open_store(data_dir)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_newer'"))
    store.close()
    return store.db_path


def test_database_from_newer_app_is_refused_untouched(data_dir: Path) -> None:
    db_path = _make_newer(data_dir)
    before = _sha256(db_path)
    with pytest.raises(StoreError) as excinfo:
        open_store(data_dir)
    assert excinfo.value.code == "newer_schema"
    assert "升级软件" in excinfo.value.message_zh
    assert _sha256(db_path) == before
    assert _sqlite_rows(db_path, "SELECT version_num FROM alembic_version") == [("ffff_newer",)]
    assert not (data_dir / "backups").exists()


def test_non_sqlite_file_is_refused_untouched(data_dir: Path) -> None:
    data_dir.mkdir()
    db_path = data_dir / DB_FILENAME
    db_path.write_bytes(b"hello" * 100)
    before = _sha256(db_path)
    with pytest.raises(StoreError) as excinfo:
        open_store(data_dir)
    assert excinfo.value.code == "store"
    assert "未做任何改动" in excinfo.value.message_zh
    assert _sha256(db_path) == before
    assert sorted(p.name for p in data_dir.iterdir()) == [DB_FILENAME]


def _foreign_sqlite(db_path: Path, *, journal_mode: str) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA journal_mode={journal_mode}")
    conn.execute("CREATE TABLE 台账 (id INTEGER PRIMARY KEY, 名称 TEXT)")
    conn.execute("INSERT INTO 台账 (名称) VALUES ('别的软件的数据')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("journal_mode", ["wal", "delete"])
def test_foreign_sqlite_database_is_refused(data_dir: Path, journal_mode: str) -> None:
    data_dir.mkdir()
    db_path = data_dir / DB_FILENAME
    _foreign_sqlite(db_path, journal_mode=journal_mode)
    with pytest.raises(StoreError) as excinfo:
        open_store(data_dir)
    assert "不是本软件的数据库" in excinfo.value.message_zh
    assert _sqlite_rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'") == [("台账",)]
    assert _sqlite_rows(db_path, "SELECT 名称 FROM 台账") == [("别的软件的数据",)]
    assert not (data_dir / "backups").exists()


def test_foreign_wal_sqlite_database_is_left_byte_identical(data_dir: Path) -> None:
    data_dir.mkdir()
    db_path = data_dir / DB_FILENAME
    _foreign_sqlite(db_path, journal_mode="wal")
    before = _sha256(db_path)
    with pytest.raises(StoreError):
        open_store(data_dir)
    assert _sha256(db_path) == before


def test_foreign_rollback_journal_sqlite_database_is_left_byte_identical(data_dir: Path) -> None:
    data_dir.mkdir()
    db_path = data_dir / DB_FILENAME
    _foreign_sqlite(db_path, journal_mode="delete")
    before_bytes = db_path.read_bytes()
    with pytest.raises(StoreError) as excinfo:
        open_store(data_dir)
    assert "left untouched" in excinfo.value.message_en
    after_bytes = db_path.read_bytes()
    changed_offsets = [i for i, (a, b) in enumerate(zip(before_bytes, after_bytes, strict=True)) if a != b]
    assert changed_offsets == []


def _real_database_bytes(tmp_path: Path) -> bytes:
    source = tmp_path / "source"
    store = open_store(source)
    with store.session() as session:
        for i in range(200):
            session.add(Setting(key=f"键{i}", value={"说明": "安全生产" * 40}))
    store.close()
    return store.db_path.read_bytes()


@pytest.mark.parametrize("keep", [16, 100, 4096, "half"])
def test_truncated_sqlite_file_is_refused_untouched(tmp_path: Path, data_dir: Path, keep: int | str) -> None:
    good = _real_database_bytes(tmp_path)
    cut = len(good) // 2 if keep == "half" else int(keep)
    data_dir.mkdir()
    db_path = data_dir / DB_FILENAME
    db_path.write_bytes(good[:cut] + b"\xab\xcd" * 700)
    assert db_path.read_bytes()[:16] == b"SQLite format 3\x00"
    before = _sha256(db_path)
    with pytest.raises(StoreError) as excinfo:  # not a raw sqlalchemy DatabaseError
        open_store(data_dir)
    assert "无法读取" in excinfo.value.message_zh
    assert excinfo.value.__cause__ is not None
    assert _sha256(db_path) == before
    assert sorted(p.name for p in data_dir.iterdir()) == [DB_FILENAME]


# ─── unusable folders ──────────────────────────────────────────────────────────────────────────────


def test_folder_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    with pytest.raises(StoreError) as excinfo:
        open_store(blocker / "data")
    assert "无法创建数据文件夹" in excinfo.value.message_zh
    assert isinstance(excinfo.value.__cause__, OSError)


def test_folder_that_cannot_be_written_is_a_store_error(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Path, data: bytes) -> int:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_bytes", refuse)
    with pytest.raises(StoreError) as excinfo:
        open_store(data_dir)
    assert "不可写入" in excinfo.value.message_zh
    assert "not writable" in excinfo.value.message_en
    assert isinstance(excinfo.value.__cause__, PermissionError)
    assert not (data_dir / DB_FILENAME).exists()


# ─── backup before migrating ───────────────────────────────────────────────────────────────────────

NEXT_REVISION = "9001"

NEXT_REVISION_SOURCE = '''"""Test-only revision: a nullable column on setting.

Revision ID: {revision}
Revises: {down_revision}
"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("setting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra", sa.String(), nullable=True))


def downgrade():
    with op.batch_alter_table("setting", schema=None) as batch_op:
        batch_op.drop_column("extra")
'''


@pytest.fixture
def migrations_with_next_revision(tmp_path: Path) -> tuple[Path, str]:
    base = head_revision()
    assert base != NEXT_REVISION, "the real migrations already have a 9001; pick another test revision id"
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "versions" / f"{NEXT_REVISION}_test_extra.py").write_text(
        NEXT_REVISION_SOURCE.format(revision=NEXT_REVISION, down_revision=base), encoding="utf-8"
    )
    return copy, base


def test_backup_is_made_before_migrating(
    data_dir: Path, migrations_with_next_revision: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    patched_dir, base = migrations_with_next_revision
    old = open_store(data_dir)
    with old.session() as session:
        session.add(Setting(key="机关简称", value={"简称": "阳", "全称": "阳城县应急管理局"}))
    device_id = old.device_id
    old.close()

    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", patched_dir)
    # A real new migration bumps the fast-path constant too (tests/store/test_head_revision.py checks it).
    monkeypatch.setattr(migrate, "HEAD_REVISION", NEXT_REVISION, raising=False)
    assert head_revision() == NEXT_REVISION

    store = open_store(data_dir)
    try:
        assert current_revision(store.engine) == NEXT_REVISION
        assert store.device_id == device_id
        assert "extra" in {c["name"] for c in inspect(store.engine).get_columns("setting")}
    finally:
        store.close()
    assert _sqlite_rows(store.db_path, "SELECT value FROM setting WHERE key = '机关简称'") != []

    backups = sorted((data_dir / "backups").iterdir())
    assert len(backups) == 1
    backup = backups[0]
    assert base in backup.name
    assert _sqlite_rows(backup, "SELECT version_num FROM alembic_version") == [(base,)]
    assert "extra" not in {row[1] for row in _sqlite_rows(backup, "PRAGMA table_info(setting)")}
    [(value,)] = _sqlite_rows(backup, "SELECT value FROM setting WHERE key = '机关简称'")
    assert json.loads(str(value)) == {"简称": "阳", "全称": "阳城县应急管理局"}
    assert _sqlite_rows(backup, "SELECT value FROM setting WHERE key = 'device_id'") != []

    again = open_store(data_dir)
    try:
        assert current_revision(again.engine) == NEXT_REVISION
    finally:
        again.close()
    assert sorted((data_dir / "backups").iterdir()) == backups
