"""The office schema (SQLAlchemy Core on its own MetaData), the engine, Alembic at start, counters under a lock.

The office keeps a copy of every synced record in `office_record`, its columns as JSON, so a new laptop column
needs no office migration. Every applied change gets the next number of the `seq` counter; the counter row is
locked (SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) until the transaction commits, so
sequence numbers become visible in the order they were given and a pull never skips a change committed late.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from inspector.errors import InspectorError
from inspector.store.types import UTCDateTime

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
DB_FILENAME = "office.sqlite"
SEQ_COUNTER = "seq"
_WRITE = "office_write"  # execution option: this transaction writes (BEGIN IMMEDIATE on SQLite)


class OfficeError(InspectorError):
    code = "office"


# Constraint names as the migration spells them, so that the schema and the migrations compare equal.
metadata = MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
    }
)

_Json = JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")

office_user = Table(
    "office_user",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("role", String(16), nullable=False),  # inspector / supervisor
    Column("county_code", String(6), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

office_enrollment = Table(
    "office_enrollment",
    metadata,
    Column("code_sha256", String(64), primary_key=True),
    Column("user_id", String(36), ForeignKey("office_user.id"), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
)

office_device = Table(
    "office_device",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("office_user.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("county_code", String(6), nullable=False),
    Column("role", String(16), nullable=False),
    Column("revoked", Boolean(), nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=True),
)

office_record = Table(
    "office_record",
    metadata,
    Column("table_name", String(64), primary_key=True),
    Column("record_id", String(36), primary_key=True),
    Column("county_code", String(6), nullable=False),  # a county code, or "*" for the global tables
    Column("version", Integer(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=True),
    Column("origin_device", String(36), nullable=False),  # as the laptop sent it (the device that made the row)
    Column("pushed_by", String(36), nullable=False),  # the enrolled device whose push wrote this state
    Column("deleted", Boolean(), nullable=False),
    Column("data", _Json, nullable=True),
    Column("blob_sha256", String(64), nullable=True),  # the blob the row references (BLOB_COLUMNS), for GET
    Column("field_stamps", _Json, nullable=True),  # {column: clock stamp of its value}: the per-field merge
    Column("max_stamp", String(100), nullable=False, server_default=""),  # the newest of them, for pulls
    Column("seq", BigInteger(), nullable=False),
    Index("ix_office_record_seq", "seq", unique=True),
    Index("ix_office_record_county_seq", "county_code", "seq"),
    Index("ix_office_record_blob_sha256", "blob_sha256"),
)

office_counter = Table(
    "office_counter",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("value", BigInteger(), nullable=False),
)

office_batch = Table(
    "office_batch",
    metadata,
    Column("device_id", String(36), ForeignKey("office_device.id"), primary_key=True),
    Column("batch_id", String(100), primary_key=True),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("applied", Integer(), nullable=False),
    Column("cursor", BigInteger(), nullable=False),
)

office_blob = Table(
    "office_blob",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger(), nullable=False),
    Column("stored_at", UTCDateTime(), nullable=False),
    Column("uploaded_by", String(36), nullable=True),  # the device that completed the upload
)

office_number_block = Table(
    "office_number_block",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("device_id", String(36), ForeignKey("office_device.id"), nullable=False),
    Column("agency_short_name", String(32), nullable=False),
    Column("year", Integer(), nullable=False),
    Column("first_number", Integer(), nullable=False),
    Column("last_number", Integer(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_office_number_block_device_year", "device_id", "year"),
    Index("ix_office_number_block_agency_year", "agency_short_name", "year"),
)

office_void_number = Table(
    "office_void_number",
    metadata,
    Column("agency_short_name", String(32), primary_key=True),
    Column("year", Integer(), primary_key=True),
    Column("number", Integer(), primary_key=True),
    Column("device_id", String(36), nullable=True),  # the laptop whose block held it
    Column("reason", String(200), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

office_failure = Table(
    "office_failure",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("key", String(100), nullable=False),  # "enroll:<address>" / "token:<address>"
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_office_failure_key_at", "key", "at"),
)

# Each laptop's hash-chained audit log as the office received it (DESIGN.md §3): where the office's copy ends,
# the events themselves, and the batches refused because they did not continue it.
office_audit_chain = Table(
    "office_audit_chain",
    metadata,
    Column("device_id", String(36), ForeignKey("office_device.id"), primary_key=True),
    Column("chain_id", String(36), nullable=False),  # the laptop's own device id, as its events carry it
    Column("length", BigInteger(), nullable=False),  # events held: positions 1 … length
    Column("last_seq", BigInteger(), nullable=False),  # the laptop's seq of the newest held (0: none)
    Column("last_hash", String(64), nullable=False),  # its hash (GENESIS: none)
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_office_audit_chain_chain_id", "chain_id"),
)

office_audit_event = Table(
    "office_audit_event",
    metadata,
    Column("device_id", String(36), ForeignKey("office_device.id"), primary_key=True),
    Column("position", BigInteger(), primary_key=True),  # 1, 2, … in the chain's order
    Column("event_id", String(36), nullable=False),
    Column("seq", BigInteger(), nullable=False),  # the laptop's seq
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(32), nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("record_id", String(36), nullable=False),
    # The event as received (canonical JSON text, not JSON/JSONB: the hash is recomputed from exactly this).
    Column("body", Text(), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Index("ix_office_audit_event_device_event", "device_id", "event_id", unique=True),
    Index("ix_office_audit_event_record", "table_name", "record_id"),
)

office_audit_break = Table(
    "office_audit_break",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("device_id", String(36), ForeignKey("office_device.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # hash / link / rewritten / order
    Column("position", BigInteger(), nullable=False),  # where in the office's chain
    Column("seq", BigInteger(), nullable=False),  # the laptop's seq of the event that broke it
    Column("event_id", String(36), nullable=False),
    Column("expected", String(64), nullable=False),
    Column("got", String(64), nullable=False),
    Column("detail", String(500), nullable=False),
    Column("first_at", UTCDateTime(), nullable=False),
    Column("last_at", UTCDateTime(), nullable=False),
    Column("attempts", Integer(), nullable=False),  # the same refused batch sent again counts here
    Index("ix_office_audit_break_device", "device_id"),
)


# ─── engine ──────────────────────────────────────────────────────────────────────────────────────────


def default_db_url(office_dir: Path) -> str:
    return f"sqlite:///{office_dir / DB_FILENAME}"


def create_office_engine(url: str) -> Engine:
    """SQLite (WAL, foreign keys on, writers take the lock at BEGIN) or PostgreSQL through psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise OfficeError(f"Not a database URL: {url!r}", "数据库地址格式不正确。") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_pragmas(engine)
        return engine
    if backend == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise OfficeError(
        f"The office runs on SQLite or PostgreSQL, not {backend!r}.", "办公室服务器只支持 SQLite 或 PostgreSQL 数据库。"
    )


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock up front: a deferred transaction that reads, then writes, can fail
        # with "database is locked" instead of waiting when another writer got in between.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: commits on success, rolls back on error."""
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


# ─── counters ────────────────────────────────────────────────────────────────────────────────────────


def lock_counter(conn: Connection, name: str) -> int:
    """The counter's value, its row locked until the transaction ends (made at 0 the first time)."""
    if conn.dialect.name == "postgresql":
        conn.execute(postgresql.insert(office_counter).values(name=name, value=0).on_conflict_do_nothing())
    else:
        conn.execute(sqlite.insert(office_counter).values(name=name, value=0).on_conflict_do_nothing())
    value = conn.execute(
        select(office_counter.c.value).where(office_counter.c.name == name).with_for_update()
    ).scalar_one()
    return int(value)


def advance_counter(conn: Connection, name: str, by: int) -> int:
    """Add `by` to the counter and return its new value, in one statement that locks its row until the
    transaction ends (made at 0 the first time)."""
    oc = office_counter.c
    bump = update(office_counter).where(oc.name == name).values(value=oc.value + by).returning(oc.value)
    value = conn.execute(bump).scalar_one_or_none()
    if value is None:
        insert_ignoring_duplicate(conn, office_counter, {"name": name, "value": 0})
        value = conn.execute(bump).scalar_one()
    return int(value)


def set_counter(conn: Connection, name: str, value: int) -> None:
    conn.execute(update(office_counter).where(office_counter.c.name == name).values(value=value))


def insert_ignoring_duplicate(conn: Connection, table: Table, values: dict[str, Any]) -> None:
    stmt = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table).values(**values)
    conn.execute(stmt.on_conflict_do_nothing())


# ─── migrations ──────────────────────────────────────────────────────────────────────────────────────


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
        cfg.attributes["engine"] = engine
    return cfg


def upgrade_office_schema(engine: Engine) -> None:
    """Alembic `upgrade head`; several processes starting at once take turns (an advisory lock in env.py)."""
    from alembic import command
    from alembic.util.exc import CommandError

    try:
        command.upgrade(alembic_config(engine), "head")
    except CommandError as exc:
        raise OfficeError(
            f"Cannot upgrade the office database {engine.url.render_as_string()}: {exc}",
            "办公室数据库无法升级（可能由更新版本的软件创建）。",
            code="newer_schema",
        ) from exc
    except SQLAlchemyError as exc:
        raise OfficeError(
            f"Cannot open the office database {engine.url.render_as_string()}: {exc}",
            "无法打开办公室数据库。",
            code="database",
        ) from exc


def open_office_db(url: str) -> Engine:
    engine = create_office_engine(url)
    try:
        upgrade_office_schema(engine)
        with writing(engine) as conn:  # a push's one statement that hands out seqs needs the row there
            insert_ignoring_duplicate(conn, office_counter, {"name": SEQ_COUNTER, "value": 0})
    except BaseException:
        engine.dispose()
        raise
    return engine
