"""The one engine factory and unit of work: SQLite pragmas, migrations at open, and the synced-row hooks.

Opening a data folder: check the folder is writable and the file is SQLite, refuse a database made by a
newer app, back the file up, then migrate to head. Every session flush stamps synced rows (timestamps,
version, origin device) and writes an outbox entry in the same transaction as the change.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import URL, Engine, create_engine, delete, event, func, inspect, select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, col

from inspector import clock
from inspector.domain.enums import OutboxOp
from inspector.errors import StoreError
from inspector.store import (
    audit,
    crypto,
    hlc,
    migrate,
    plan_lock,  # noqa: F401  (registers the approved-plan guard)
    search_index,  # noqa: F401  (registers the search index hook)
)
from inspector.store.blobs import BlobStore
from inspector.store.crypto import FolderKey
from inspector.store.ids import uuid7
from inspector.store.models import OutboxEntry, Setting, SyncedRecord, SyncState

log = logging.getLogger(__name__)

DB_FILENAME = "inspector.sqlite"
SQLITE_HEADER = b"SQLite format 3\x00"
DEVICE_ID_KEY = "device_id"
AUDIT_BASELINE_KEY = "audit.baseline"

# Session.info key: rows applied from the office are not echoed back into the outbox.
APPLYING_REMOTE = "applying_remote"


def create_sqlite_engine(path: Path, key: FolderKey | None = None) -> Engine:
    """An engine whose every connection runs in WAL with foreign keys on and synchronous=NORMAL; with a key,
    through SQLCipher (the dialect sets the raw key first on every connection)."""
    url: str | URL = f"sqlite:///{path}"
    options: dict[str, Any] = {}
    if key is not None:
        url = URL.create("sqlite+pysqlcipher", password=key.sqlcipher_key(), database=str(path))
        options["poolclass"] = QueuePool  # the dialect's default keeps one connection per thread and closes others'
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # pysqlite opens transactions lazily and not for DDL; let SQLAlchemy emit BEGIN itself.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


@dataclass
class Store:
    """An open data folder: the engine, the blob folder, this device's id and, if encrypted, its key."""

    data_dir: Path
    engine: Engine
    device_id: str
    key: FolderKey | None = None
    locked: bool = False

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def blobs(self) -> BlobStore:
        return BlobStore(self.blob_dir, None if self.key is None else self.key.file_cipher())

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    def lock(self) -> None:
        """Close every connection and forget the key; nothing reads or writes until `unlock`."""
        if self.key is None:
            return
        self.engine.dispose()
        self.key.forget()
        self.locked = True

    def unlock(self, passphrase: str) -> None:
        key = crypto.unlock(self.data_dir, passphrase)
        self.engine.dispose()
        self.engine = create_sqlite_engine(self.db_path, key)
        self.key, self.locked = key, False

    @contextmanager
    def session(self, *, applying_remote: bool = False) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error."""
        if self.locked:
            raise crypto.LockedError("The data folder is locked.", "数据已锁定，请输入口令解锁。")
        with Session(self.engine, expire_on_commit=False) as session:
            session.info["device_id"] = self.device_id
            session.info[APPLYING_REMOTE] = applying_remote
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()


def _check_folder(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"Cannot create data folder {data_dir}: {exc.strerror or exc}",
            f"无法创建数据文件夹：{data_dir}（{exc.strerror or exc}）",
        ) from exc
    probe = data_dir / f".write-test-{uuid7()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StoreError(
            f"Data folder {data_dir} is not writable: {exc.strerror or exc}",
            f"数据文件夹不可写入：{data_dir}。请检查权限或磁盘空间。",
        ) from exc


def _check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not our database before anything writes to it (even a journal-mode pragma)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise StoreError(
            f"{path} is not an Inspector database (not a SQLite file); it was left untouched.",
            f"数据文件已损坏或不是本软件的数据库：{path}。文件未做任何改动，请联系管理员恢复备份。",
        )
    # Without a -wal beside it, open as immutable so that SQLite creates no -wal/-shm next to a file we may
    # refuse; with one, a read-only open reads the pages still in the WAL.
    has_wal = path.with_name(path.name + "-wal").exists()
    mode = "mode=ro" if has_wal else "immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} cannot be read as a database ({exc}); it was left untouched.",
            f"数据文件无法读取，可能已损坏：{path}。文件未做任何改动，请联系管理员恢复备份。",
        ) from exc
    if tables and "alembic_version" not in tables:
        raise StoreError(
            f"{path} is a SQLite file but not an Inspector database; it was left untouched.",
            f"该文件不是本软件的数据库：{path}。文件未做任何改动。",
        )


def open_store(
    data_dir: Path, *, passphrase: str | None = None, key: FolderKey | None = None, migrate_to_head: bool = True
) -> Store:
    """Open (creating if needed) the data folder, migrating its database to the schema this app knows.

    An encrypted folder needs its key, or the passphrase to unwrap it (else $INSPECTOR_PASSPHRASE); without
    either it raises `crypto.LockedError`. A folder whose encryption was interrupted is finished first."""
    data_dir = Path(data_dir)
    _check_folder(data_dir)
    db_path = data_dir / DB_FILENAME
    if crypto.is_encrypted(data_dir):
        if key is None:
            passphrase = passphrase if passphrase is not None else os.environ.get(crypto.PASSPHRASE_ENV)
            if not passphrase:
                raise crypto.LockedError(
                    f"{data_dir} is encrypted: give its passphrase (${crypto.PASSPHRASE_ENV} for scripts).",
                    "数据已加密，请输入口令。",
                )
            key = crypto.unlock(data_dir, passphrase)
        from inspector.store import encryption

        encryption.finish_interrupted(data_dir, key)
    else:
        _check_sqlite_file(db_path)
    engine = create_sqlite_engine(db_path, key)
    try:
        if migrate_to_head:
            migrate.upgrade_to_head(engine, db_path, backup_dir=data_dir / "backups", key=key)
        device_id = _ensure_device_id(engine)
        if migrate_to_head:
            _resume_clock(engine)
            _ensure_audit_baseline(engine, device_id)
    except DatabaseError as exc:
        engine.dispose()
        if key is not None:
            raise StoreError(
                f"{db_path} cannot be decrypted with this folder's key ({exc.orig}); it was left untouched.",
                f"数据文件无法解密，可能已损坏或不属于本文件夹：{db_path}。文件未做任何改动，请联系管理员恢复备份。",
            ) from exc
        raise StoreError(
            f"{db_path} cannot be read as a database ({exc.orig}); it was left untouched.",
            f"数据文件无法读取，可能已损坏：{db_path}。文件未做任何改动，请联系管理员恢复备份。",
        ) from exc
    except BaseException:
        engine.dispose()
        raise
    (data_dir / "blobs").mkdir(exist_ok=True)
    store = Store(data_dir=data_dir, engine=engine, device_id=device_id, key=key)
    removed = store.blobs.remove_stale_leftovers()
    if removed:
        log.info("removed %d unfinished file write(s) left by a crash", removed)
    return store


def _ensure_device_id(engine: Engine) -> str:
    with Session(engine) as session:
        row = session.get(Setting, DEVICE_ID_KEY)
        if row is not None and isinstance(row.value, str):
            return row.value
        device_id = uuid7()
        session.add(Setting(key=DEVICE_ID_KEY, value=device_id))
        session.commit()
        return device_id


# Columns the store stamps itself: never merged field by field.
STAMP_COLUMNS = frozenset({"id", "created_at", "updated_at", "origin_device", "version"})
NEW_RECORD = "*"  # outbox fields key: the whole record is new


def _ensure_audit_baseline(engine: Engine, device_id: str) -> None:
    """Once per data folder: an audit event for every record from before the audit log kept record states."""
    with Session(engine) as session:
        if session.get(Setting, AUDIT_BASELINE_KEY) is not None:
            return
        session.info["device_id"] = device_id
        added = audit.baseline(session)
        session.add(Setting(key=AUDIT_BASELINE_KEY, value={"at": clock.now().isoformat(), "records": added}))
        session.commit()


def _resume_clock(engine: Engine) -> None:
    """The clock starts past the newest stamp pulled before, even if this laptop's clock is behind."""
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(col(SyncState.last_stamp)))).scalar()
    if newest:
        hlc.observe(newest)


@event.listens_for(OrmSession, "before_flush")
def _stamp_synced_rows(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    if session.info.get(APPLYING_REMOTE, False):
        _audit_changes(session, remote=True)
        return
    now = clock.now()
    device_id = session.info.get("device_id", "")
    outbox: list[OutboxEntry] = []
    replaced: list[str] = []  # records that may have an older pending entry
    for obj in list(session.new):
        if isinstance(obj, SyncedRecord):
            obj.created_at = obj.created_at or now
            obj.updated_at = now
            obj.origin_device = obj.origin_device or device_id
            obj.version = max(obj.version, 0) + 1
            outbox.append(_outbox_entry(obj, OutboxOp.UPSERT, now, {NEW_RECORD: [hlc.now(device_id), None]}))
    for obj in list(session.dirty):
        if isinstance(obj, SyncedRecord) and session.is_modified(obj):
            changed = _changed_fields(obj, hlc.now(device_id))
            obj.updated_at = now
            obj.version += 1
            outbox.append(_outbox_entry(obj, OutboxOp.UPSERT, now, changed))
            replaced.append(obj.id)
    for obj in list(session.deleted):
        if isinstance(obj, SyncedRecord):
            outbox.append(_outbox_entry(obj, OutboxOp.DELETE, now, None))
            replaced.append(obj.id)
    # A record needs one pending entry: its newest. Every keystroke of a note is saved, and the outbox must
    # not grow with them. The old entry is deleted rather than updated, so that an entry already sent and
    # awaiting its ack cannot be acknowledged in place of the newer change; its changed fields carry over
    # (with the value from before the first pending edit). A new record has no old entry.
    if replaced:
        conn = session.connection()
        earlier: dict[str, dict[str, Any] | None] = {}
        for start in range(0, len(replaced), 500):
            chunk = replaced[start : start + 500]
            for record_id, fields in conn.execute(
                select(col(OutboxEntry.record_id), col(OutboxEntry.fields)).where(col(OutboxEntry.record_id).in_(chunk))
            ):
                earlier[record_id] = _merge_fields(earlier.get(record_id), fields)
            conn.execute(delete(OutboxEntry).where(col(OutboxEntry.record_id).in_(chunk)))
        for entry in outbox:
            if entry.record_id in earlier and entry.fields is not None:
                entry.fields = _merge_fields(earlier[entry.record_id], entry.fields)
    session.add_all(outbox)
    _audit_changes(session, remote=False)


def _audit_changes(session: OrmSession, *, remote: bool) -> None:
    """One audit event per synced record this flush creates, changes or deletes (after its stamps are set)."""
    events = []
    for obj in list(session.new):
        if isinstance(obj, SyncedRecord):
            events.append(audit.change_event(session, obj, "sync" if remote else "create", None))
    for obj in list(session.dirty):
        if isinstance(obj, SyncedRecord) and session.is_modified(obj):
            changes = {
                attr.key: (attr.history.deleted[0] if attr.history.deleted else None, None)
                for attr in inspect(obj).attrs
                if attr.key not in STAMP_COLUMNS and attr.history.has_changes()
            }
            events.append(audit.change_event(session, obj, "sync" if remote else "update", changes))
    for obj in list(session.deleted):
        if isinstance(obj, SyncedRecord):
            events.append(audit.change_event(session, obj, "delete", None))
    if events:
        session.add_all(events)
        audit.mark_pending(session)


def _changed_fields(obj: SyncedRecord, stamp: str) -> dict[str, Any]:
    """{column: [stamp, value before this edit]} for the columns this flush changes (no value if not loaded)."""
    changed: dict[str, Any] = {}
    for attr in inspect(obj).attrs:
        if attr.key in STAMP_COLUMNS:
            continue
        history = attr.history
        if not history.has_changes():
            continue
        changed[attr.key] = [stamp, to_jsonable_python(history.deleted[0])] if history.deleted else [stamp]
    return changed


def _merge_fields(older: dict[str, Any] | None, newer: dict[str, Any] | None) -> dict[str, Any] | None:
    """A pending entry's fields after another edit: newest stamps, the base value of the first edit."""
    if older is None:
        return newer
    if newer is None:
        return older
    if NEW_RECORD in older or NEW_RECORD in newer:
        stamps = [v[0] for v in (*older.values(), *newer.values())]
        return {NEW_RECORD: [max(stamps), None]}
    merged = dict(older)
    for name, change in newer.items():
        base = older.get(name)
        merged[name] = [change[0], *base[1:]] if base is not None else change
    return merged


def _outbox_entry(obj: SyncedRecord, op: OutboxOp, now: Any, fields: dict[str, Any] | None) -> OutboxEntry:
    return OutboxEntry(
        table_name=inspect(obj).mapper.local_table.name,
        record_id=obj.id,
        op=op,
        record_version=obj.version,
        created_at=now,
        fields=fields,
    )
