"""The office schema: Alembic builds exactly the tables of inspector.office.db, and starting twice is harmless."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from inspector.office.app import create_app
from inspector.office.db import create_office_engine, metadata, open_office_db
from tests.office.conftest import Office


def test_migrations_match_the_tables(office: Office) -> None:
    with office.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        tables = set(inspect(conn).get_table_names())
    assert diff == []
    assert version == "0004"
    assert tables == {*metadata.tables, "alembic_version"}


def test_a_second_server_on_the_same_database(office: Office, db_url: str, tmp_path: Path) -> None:
    office.enroll()
    second = create_app(db_url, tmp_path / "blobs")  # migrations at start find the schema at head
    engine = second.state.office.engine
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM office_device")).scalar_one() == 1
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    engine = open_office_db(f"sqlite:///{tmp_path / 'deep' / 'office.sqlite'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        engine.dispose()
    assert create_office_engine("postgresql://u@h/db").url.drivername == "postgresql+psycopg"
