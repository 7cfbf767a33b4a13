"""Alembic at open: refuse a newer schema, back the file up, upgrade to head inside one transaction.

Alembic is imported only when the database is not at HEAD_REVISION already, which keeps it off the
start-up path of every ordinary launch (a test checks HEAD_REVISION against the migration scripts).
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import OperationalError

from inspector.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

    from inspector.store.crypto import FolderKey

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
HEAD_REVISION = "0008"  # the newest script in migrations/versions; bump with every new migration


def is_model_table(name: str | None) -> bool:
    """Tables Alembic compares with the models; the derived indexes (search, posts) are made by hand."""
    return not (name or "").startswith(("inspection_fts", "question_post"))


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        # The engine itself, not its URL: an encrypted database's URL holds its key, and a URL-encoded
        # non-ASCII path (a Chinese user name) holds "%", which Alembic's config would read as interpolation.
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
        except OperationalError as exc:
            if "no such table" in str(exc.orig):
                return None
            raise


def upgrade_to_head(engine: Engine, db_path: Path, *, backup_dir: Path, key: FolderKey | None = None) -> None:
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    if current == head:
        return
    if current is not None:
        known = {rev.revision for rev in script.walk_revisions()}
        if current not in known:
            raise StoreError(
                f"{db_path} was written by a newer version of Inspector (schema {current}); "
                "update the app. The file was left untouched.",
                "该数据文件由更新版本的软件创建，当前版本无法打开。请升级软件；数据文件未做任何改动。",
                code="newer_schema",
            )
        backup: Path | None = backup_database(db_path, backup_dir, label=current, key=key)
    else:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        if tables:
            raise StoreError(
                f"{db_path} is a SQLite file but not an Inspector database; it was left untouched.",
                f"该文件不是本软件的数据库：{db_path}。文件未做任何改动。",
            )
        backup = None
    log.info("migrating %s from %s to %s", db_path, current, head)
    try:
        command.upgrade(alembic_config(engine), "head")
    except Exception as exc:
        # Every migration runs in one transaction, so a failure leaves the database as it was.
        saved = f"; a copy taken before is at {backup}" if backup else ""
        raise StoreError(
            f"Upgrading {db_path} from schema {current} failed ({exc}); the database was left as it was{saved}.",
            "数据库升级失败，数据保持升级前的状态，未丢失。请联系管理员。",
            code="migration_failed",
        ) from exc


def backup_database(db_path: Path, backup_dir: Path, *, label: str, key: FolderKey | None = None) -> Path:
    """A consistent copy through SQLite's backup API (a plain file copy could miss pages still in the WAL);
    an encrypted database's copy is encrypted with the same key."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"{db_path.stem}-{label}-{stamp}.sqlite"
    if key is not None:
        from inspector.store.encryption import connect_encrypted

        src = connect_encrypted(db_path, key)
    else:
        src = sqlite3.connect(db_path)
    try:
        dst = sqlite3.connect(target) if key is None else connect_encrypted(target, key)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    log.info("backed up %s to %s", db_path, target)
    return target


def autogenerate(message: str, rev_id: str) -> Path:
    """Developer tool: write a new migration script from the difference between the models and head."""
    import tempfile

    from alembic import command
    from sqlalchemy import create_engine

    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'head.sqlite'}")
        try:
            command.upgrade(alembic_config(engine), "head")
            script = command.revision(alembic_config(engine), message=message, autogenerate=True, rev_id=rev_id)
        finally:
            engine.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
