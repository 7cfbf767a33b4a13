"""Push and pull: the office's copy of every synced record, scoped to the caller's county.

Push applies a batch in one transaction, once per (device, batch_id). Each change's county comes from the row
itself (OWN_COUNTY), from its parent as the office has it, or as it is earlier in the same batch (PARENT_OF),
is "*" for the global tables (only supervisors push those) and the device's own county for DEVICE_TABLES. One
change outside the caller's county refuses the whole batch.

Conflicts resolve the same way whatever order the laptops sync in. A laptop sends, with each record, the columns
it changed, each with a hybrid-logical-clock stamp and the value it changed from; the office merges column by
column, the later stamp winning (`merge`). Two laptops that changed the same column from the same value
offline are in conflict: whichever value loses is written to the conflict log (`syncconflict` records, pulled
by supervisors), with the same id whichever laptop synced first. A delete wins over any upsert of the same
record (record ids are UUIDv7, never reused, and a delete carries no clock).
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Text,
    and_,
    bindparam,
    cast,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from inspector import clock
from inspector.office.auth import Device
from inspector.office.db import (
    SEQ_COUNTER,
    advance_counter,
    office_batch,
    office_blob,
    office_counter,
    office_device,
    office_record,
    office_user,
    reading,
    writing,
)
from inspector.office.errors import conflict, forbidden, invalid
from inspector.store import hlc
from inspector.store.db import NEW_RECORD, STAMP_COLUMNS
from inspector.store.ids import stable_id
from inspector.sync.protocol import (
    BLOB_COLUMNS,
    DEVICE_TABLES,
    GLOBAL_SCOPE,
    GLOBAL_TABLES,
    OFFICE_TABLES,
    OWN_COUNTY,
    PARENT_OF,
    SHA256,
    SUPERVISOR_TABLES,
    PullResponse,
    PushRequest,
    PushResponse,
    RecordChange,
)

KNOWN_TABLES = frozenset(OWN_COUNTY) | frozenset(PARENT_OF) | GLOBAL_TABLES | DEVICE_TABLES
BLOB_COLUMN: dict[str, str] = dict(BLOB_COLUMNS)
_NO_TIME = datetime.min.replace(tzinfo=UTC)
PUSH_ATTEMPTS = 3
PROVISIONAL_SPAN = 1 << 20  # more rows than one batch can write (records and their conflict log)
MAX_CLOCK_LEAD_MS = 5 * 60 * 1000  # a laptop's clock may run ahead of the office's by this much, no more
OFFICE_DEVICE = "office"
CONFLICT_TABLE = "syncconflict"
# What the office's columns (and a laptop's SQLite, which pulls the rows back) can hold.
MAX_INTEGER = (1 << 63) - 1
MAX_VERSION = (1 << 31) - 1  # office_record.version is a 32-bit INTEGER
MAX_DEVICE_ID = 36  # office_record.origin_device

Key = tuple[str, str]  # (table, record id)


@dataclass(frozen=True)
class StoredRecord:
    county_code: str
    version: int
    updated_at: datetime | None
    origin_device: str
    pushed_by: str
    deleted: bool
    data: dict[str, Any] | None
    stamps: dict[str, str] | None
    seq: int
    in_database: bool  # False: first written by this batch (an INSERT, not an UPDATE)


@dataclass(frozen=True)
class Merged:
    """What the office holds after a change arrived."""

    deleted: bool
    data: dict[str, Any] | None
    stamps: dict[str, str] | None
    version: int
    updated_at: datetime | None
    origin_device: str


@dataclass(frozen=True)
class Conflict:
    """Two devices changed one column from the same value; `kept` is what the office holds now."""

    table: str
    record_id: str
    field_name: str
    label: str
    kept_value: Any
    kept_stamp: str
    lost_value: Any
    lost_stamp: str
    kept_by: str = ""  # the enrolled device whose push brought the value (names are looked up for the log)
    lost_by: str = ""

    @property
    def id(self) -> str:
        return stable_id(CONFLICT_TABLE, self.table, self.record_id, self.field_name, self.kept_stamp, self.lost_stamp)


# ─── push ────────────────────────────────────────────────────────────────────────────────────────────


def push(engine: Engine, device: Device, request: PushRequest) -> PushResponse:
    for attempt in range(PUSH_ATTEMPTS):
        try:
            return _push_once(engine, device, request)
        except IntegrityError:
            # Another push committed the same batch (a retry racing its original) or first wrote the same new
            # record meanwhile; run again on what it left: already applied, or an update instead of an insert.
            if attempt == PUSH_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _push_once(engine: Engine, device: Device, request: PushRequest) -> PushResponse:
    _check_storable(request.batch_id, "batch_id")
    with writing(engine) as conn:
        done = conn.execute(
            select(office_batch.c.applied, office_batch.c.cursor).where(
                office_batch.c.device_id == device.id, office_batch.c.batch_id == request.batch_id
            )
        ).first()
        if done is not None:
            return PushResponse(
                batch_id=request.batch_id, status="already_applied", applied=done.applied, cursor=done.cursor
            )
        for change in request.changes:
            _check_shape(change)
        # The records this batch touches are locked (PostgreSQL; SQLite has one writer anyway) in a fixed order,
        # so two pushes of the same record take turns and never deadlock.
        state = _load(conn, _keys_to_load(request.changes), lock=True)
        present_blobs = _present_blobs(conn, _referenced_blobs(request.changes))
        missing_blobs: list[str] = []
        written: dict[Key, StoredRecord] = {}
        conflicts: list[tuple[str, Conflict]] = []  # (county, conflict)
        clock_limit_ms = int(clock.now().timestamp() * 1000) + MAX_CLOCK_LEAD_MS
        for change in request.changes:
            key = (change.table, change.id)
            stored = state.get(key)
            county = _county_of(change, device, state)
            _check_scope(change, device, county, stored)
            blob = _blob_of(change)
            if blob and blob not in present_blobs and blob not in missing_blobs:
                missing_blobs.append(blob)
            found: list[Conflict] = []
            merged = merge(change, stored, clock_limit_ms, found, pusher=device.id)
            conflicts.extend((county, c) for c in found)
            if merged is None:
                continue
            new = StoredRecord(
                county_code=county,
                version=merged.version,
                updated_at=merged.updated_at,
                origin_device=merged.origin_device,
                pushed_by=device.id,
                deleted=merged.deleted,
                data=merged.data,
                stamps=merged.stamps,
                seq=len(written),  # the order within the batch; the real seq is given at the end
                in_database=stored.in_database if stored else False,
            )
            state[key] = written[key] = new
        if missing_blobs:
            raise conflict(
                "missing_blob",
                f"Upload these blobs before the rows that reference them: {', '.join(missing_blobs)}",
                f"有{len(missing_blobs)}个文件尚未上传到办公室，请先上传文件。",
            )
        applied = len(written)
        _log_conflicts(conn, conflicts, written)
        base = _write_provisionally(conn, written)
        received = {
            "device_id": device.id,
            "batch_id": request.batch_id,
            "received_at": clock.now(),
            "applied": applied,
        }
        if not written:
            cursor = _current_seq(conn)
            conn.execute(insert(office_batch).values(**received, cursor=cursor))
            return PushResponse(batch_id=request.batch_id, status="applied", applied=0, cursor=cursor)
        # Only now the counter lock, held to the commit: seqs are handed out, and become visible, in commit
        # order, so a pull never skips a change committed late. Everything slow happened before it, and the
        # lock is held for as few round trips as the database allows: every push waits its turn for it.
        cursor = _publish(conn, base, len(written), received)
    return PushResponse(batch_id=request.batch_id, status="applied", applied=applied, cursor=cursor)


def _current_seq(conn: Connection) -> int:
    value = conn.execute(select(office_counter.c.value).where(office_counter.c.name == SEQ_COUNTER)).scalar()
    return int(value or 0)


_PUBLISH_PG = text(
    """
    WITH bump AS (
        UPDATE office_counter SET value = value + :n WHERE name = :counter RETURNING value
    ), renumbered AS (
        UPDATE office_record SET seq = (SELECT value FROM bump) - :n + 1 - :base - seq
        WHERE seq <= -:base AND seq > -:base - :n
        RETURNING seq
    )
    INSERT INTO office_batch (device_id, batch_id, received_at, applied, cursor)
    SELECT :device_id, :batch_id, :received_at, :applied, value FROM bump
    RETURNING cursor
    """
).bindparams(bindparam("received_at", type_=office_batch.c.received_at.type))


def _publish(conn: Connection, base: int, n: int, received: dict[str, Any]) -> int:
    """Give the `n` provisional rows of this push (seqs -base … -base-n+1) the next `n` seqs, in order, and
    record the batch with the new cursor; returns the cursor."""
    if conn.dialect.name == "postgresql":
        # The counter's row is made when the database is opened (open_office_db).
        return int(conn.execute(_PUBLISH_PG, {"n": n, "base": base, "counter": SEQ_COUNTER, **received}).scalar_one())
    cursor = advance_counter(conn, SEQ_COUNTER, n)  # SQLite: one writer at a time anyway
    rc = office_record.c
    conn.execute(
        update(office_record).where(rc.seq <= -base, rc.seq > -base - n).values(seq=cursor - n + 1 - base - rc.seq)
    )
    conn.execute(insert(office_batch).values(**received, cursor=cursor))
    return cursor


def _name(change: RecordChange) -> str:
    return f"{change.table} {change.id}"


def _check_shape(change: RecordChange) -> None:
    if change.table not in KNOWN_TABLES:
        raise invalid(f"Unknown table {change.table!r} ({_name(change)}).", "未知的数据表。", code="unknown_table")
    _check_storable([change.id, change.origin_device, change.data, change.fields], _name(change))
    if change.version > MAX_VERSION:
        raise invalid(f"{_name(change)}: version {change.version} is larger than {MAX_VERSION}.")
    if len(change.origin_device) > MAX_DEVICE_ID:
        raise invalid(f"{_name(change)}: origin_device is longer than {MAX_DEVICE_ID} characters.")
    try:
        _utc(change.updated_at)
    except OverflowError as exc:  # a year-1 or year-9999 time that leaves the calendar when moved to UTC
        raise invalid(f"{_name(change)}: updated_at {change.updated_at} is out of range.") from exc
    if change.table in OFFICE_TABLES:
        raise forbidden(
            "office_table",
            f"{change.table} records are written by the office only ({_name(change)}).",
            "同步冲突记录由办公室生成，执法终端不能提交。",
        )
    if change.op == "upsert":
        if change.data is None:
            raise invalid(f"An upsert needs its data ({_name(change)}).")
        if change.data.get("id", change.id) != change.id:
            raise invalid(f"The data's id differs from the change's id ({_name(change)}).")
        if change.table in PARENT_OF:
            column = PARENT_OF[change.table][0]
            parent_id = change.data.get(column)
            if not isinstance(parent_id, str) or not parent_id:
                raise invalid(f"{_name(change)} names no {column}.")
        if change.table in OWN_COUNTY and not isinstance(change.data.get(OWN_COUNTY[change.table]), str):
            raise invalid(f"{_name(change)} has no {OWN_COUNTY[change.table]}.")
        blob = _blob_of(change)
        if blob and not SHA256.match(blob):
            raise invalid(f"{_name(change)}: {BLOB_COLUMN[change.table]} is not a SHA-256 hex digest.")


def _check_storable(value: Any, where: str) -> None:
    """Refuse what PostgreSQL cannot store or a laptop cannot read back, as a 422 instead of a database error:
    NUL characters, unpaired surrogates (JSON's "\\ud800", not Unicode), NaN and infinity, integers beyond
    64 bits. JSON arrives nested at most as deep as the parser allows, so a stack walk is enough."""
    stack = [value]
    while stack:
        item = stack.pop()
        problem = ""
        if isinstance(item, str):
            if "\x00" in item:
                problem = "a NUL character"
            elif not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    problem = "an unpaired surrogate, which is not Unicode text"
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if abs(item) > MAX_INTEGER:
                problem = "an integer larger than 64 bits"
        elif isinstance(item, float):
            if not math.isfinite(item):
                problem = "NaN or infinity, which JSON does not have"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        if problem:
            raise invalid(
                f"{where} holds {problem}; nothing of the batch was applied.",
                "提交的数据中含有无法保存的内容（空字符、无效的 Unicode 字符或超出范围的数值），本批数据未被接收。",
                code="unstorable",
            )


def _blob_of(change: RecordChange) -> str:
    if change.op != "upsert" or change.data is None or change.table not in BLOB_COLUMN:
        return ""
    value = change.data.get(BLOB_COLUMN[change.table])
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(f"{_name(change)}: {BLOB_COLUMN[change.table]} is not a string.")
    return value


def _referenced_blobs(changes: Iterable[RecordChange]) -> set[str]:
    return {blob for change in changes if (blob := _blob_of(change))}


def _present_blobs(conn: Connection, hashes: set[str]) -> set[str]:
    if not hashes:
        return set()
    rows = conn.execute(select(office_blob.c.sha256).where(office_blob.c.sha256.in_(sorted(hashes))))
    return {r.sha256 for r in rows}


def _keys_to_load(changes: Iterable[RecordChange]) -> set[Key]:
    keys: set[Key] = set()
    for change in changes:
        keys.add((change.table, change.id))
        if change.op == "upsert" and change.table in PARENT_OF and change.data is not None:
            column, parent_table = PARENT_OF[change.table]
            keys.add((parent_table, str(change.data[column])))
    return keys


def _load(conn: Connection, keys: set[Key], *, lock: bool = False) -> dict[Key, StoredRecord]:
    by_table: dict[str, list[str]] = {}
    for table, record_id in keys:
        by_table.setdefault(table, []).append(record_id)
    state: dict[Key, StoredRecord] = {}
    rc = office_record.c
    for table, ids in sorted(by_table.items()):
        for start in range(0, len(ids), 500):
            query = (
                select(office_record)
                .where(rc.table_name == table, rc.record_id.in_(sorted(ids[start : start + 500])))
                .order_by(rc.record_id)
            )
            rows = conn.execute(query.with_for_update() if lock else query)
            for r in rows:
                state[(r.table_name, r.record_id)] = StoredRecord(
                    county_code=r.county_code,
                    version=r.version,
                    updated_at=r.updated_at,
                    origin_device=r.origin_device,
                    pushed_by=r.pushed_by,
                    deleted=r.deleted,
                    data=r.data,
                    stamps=r.field_stamps,
                    seq=r.seq,
                    in_database=True,
                )
    return state


def _county_of(change: RecordChange, device: Device, state: dict[Key, StoredRecord]) -> str:
    if change.table in SUPERVISOR_TABLES and not device.is_supervisor:
        raise forbidden(
            "supervisor_table",
            f"Only a supervisor may change {change.table} ({_name(change)}).",
            "年度计划和举报由管理人员维护，执法终端不能修改。",
        )
    if change.table in GLOBAL_TABLES:
        if not device.is_supervisor:
            raise forbidden(
                "global_table",
                f"Only a supervisor may change {change.table} ({_name(change)}); laptops never edit the shared "
                "checklists and question banks.",
                "检查表和题库由管理员统一维护，执法终端不能修改。",
            )
        return GLOBAL_SCOPE
    if change.table in DEVICE_TABLES:
        return device.county_code
    stored = state.get((change.table, change.id))
    if change.op == "delete":
        # A delete carries no data: the record keeps the county it has (the caller's for one never seen).
        return stored.county_code if stored else device.county_code
    assert change.data is not None
    if change.table in OWN_COUNTY:
        return str(change.data[OWN_COUNTY[change.table]])
    column, parent_table = PARENT_OF[change.table]
    parent_id = str(change.data[column])
    parent = state.get((parent_table, parent_id))
    if parent is None:
        raise conflict(
            "missing_parent",
            f"{_name(change)} refers to {parent_table} {parent_id}, which the office does not have; "
            "push the parent first (or in the same batch, before the child).",
            "上级记录尚未同步到办公室，请先同步上级记录。",
        )
    return parent.county_code


def _check_scope(change: RecordChange, device: Device, county: str, stored: StoredRecord | None) -> None:
    allowed = {GLOBAL_SCOPE} if change.table in GLOBAL_TABLES else {device.county_code}
    if county not in allowed:
        raise forbidden(
            "other_jurisdiction",
            f"{_name(change)} belongs to county {county or '(none)'}, not to this device's county "
            f"{device.county_code}; nothing of the batch was applied.",
            "提交的数据中有不属于本辖区的记录，本批数据未被接收。",
        )
    if stored is not None and stored.county_code not in allowed:
        raise forbidden(
            "other_jurisdiction",
            f"{_name(change)} is held by the office for county {stored.county_code}; "
            f"a device of county {device.county_code} cannot change it. Nothing of the batch was applied.",
            "提交的数据中有不属于本辖区的记录，本批数据未被接收。",
        )
    if (
        change.table in DEVICE_TABLES
        and stored is not None
        and stored.pushed_by != device.id
        and not device.is_supervisor
    ):
        raise forbidden(
            "other_device",
            f"{_name(change)} belongs to another device; nothing of the batch was applied.",
            "该记录属于其他执法终端，本批数据未被接收。",
        )


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _row_stamp(updated_at: datetime | None, version: int, device: str) -> str:
    """The stamp of a column known only by its row (pushed by a laptop that sent no field stamps): its time,
    then its version, then its device, as rows were ordered before columns were."""
    moment = _utc(updated_at) or _NO_TIME
    ms = max(0, int(moment.timestamp() * 1000)) if moment != _NO_TIME else 0
    return hlc.format_stamp(ms, min(max(version, 0), 99_999), device)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _incoming(change: RecordChange, clock_limit_ms: int) -> dict[str, tuple[str, bool, Any]]:
    """{column: (stamp, whether the value before the change is known, that value)} of an upsert."""
    assert change.data is not None
    fallback = _row_stamp(change.updated_at, change.version, change.origin_device)
    columns = [name for name in change.data if name not in STAMP_COLUMNS]
    if change.fields is None:
        return dict.fromkeys(columns, (fallback, False, None))
    if NEW_RECORD in change.fields:
        stamp = _clamped(str(change.fields[NEW_RECORD][0]), clock_limit_ms)
        return dict.fromkeys(columns, (stamp, False, None))
    incoming: dict[str, tuple[str, bool, Any]] = {}
    for name, value in change.fields.items():
        if name in STAMP_COLUMNS or name not in change.data:
            continue
        stamp = _clamped(str(value[0]), clock_limit_ms)
        incoming[name] = (stamp, len(value) > 1, value[1] if len(value) > 1 else None)
    return incoming


def _clamped(stamp: str, clock_limit_ms: int) -> str:
    """A stamp from a laptop whose clock runs far ahead is pulled back, so that it cannot win every merge."""
    try:
        ms, counter, device = hlc.parse_stamp(stamp)
    except ValueError as exc:
        raise invalid(f"{stamp!r} is not a clock stamp.") from exc
    return hlc.format_stamp(min(ms, clock_limit_ms), counter, device) if ms > clock_limit_ms else stamp


def _label(table: str, data: dict[str, Any]) -> str:
    for key in ("name", "title", "description", "content", "person_name", "case_number"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value[:60]
    return table


def merge(
    change: RecordChange, stored: StoredRecord | None, clock_limit_ms: int, found: list[Conflict], pusher: str = ""
) -> Merged | None:
    """What the office holds after `change` arrives, or None if it changes nothing.

    Column by column the later stamp wins, so the result is the same in every order of arrival. A column two
    devices changed from the same value, to different values, is a conflict: appended to `found`."""
    if change.op == "delete":
        if stored is not None and stored.deleted:
            return None
        return Merged(
            deleted=True,
            data=None,
            stamps=None,
            version=max(change.version, stored.version) if stored else change.version,
            updated_at=stored.updated_at if stored else None,
            origin_device=stored.origin_device if stored else change.origin_device,
        )
    assert change.data is not None
    incoming = _incoming(change, clock_limit_ms)
    if stored is None:
        fallback = _row_stamp(change.updated_at, change.version, change.origin_device)
        stamps = {
            name: incoming[name][0] if name in incoming else fallback
            for name in change.data
            if name not in STAMP_COLUMNS
        }
        return Merged(False, change.data, stamps, change.version, _utc(change.updated_at), change.origin_device)
    if stored.deleted or stored.data is None:
        return None
    data = dict(stored.data)
    stamps = dict(stored.stamps or {})
    stored_fallback = _row_stamp(stored.updated_at, stored.version, stored.origin_device)
    changed = False
    for name, (stamp, has_base, base) in incoming.items():
        value = change.data[name]
        current = data.get(name)
        current_stamp = stamps.get(name, stored_fallback)
        if value == current:
            if stamp > current_stamp:  # the same value from a later change: the stamps still agree everywhere
                stamps[name] = stamp
                changed = True
            continue
        concurrent = has_base and base != current and hlc.device_of(current_stamp) != hlc.device_of(stamp)
        kept, lost = (value, stamp, pusher), (current, current_stamp, stored.pushed_by)
        # The later stamp wins; equal stamps (only from rows without field stamps) go by the value itself.
        if (stamp, _canonical(value)) > (current_stamp, _canonical(current)):
            data[name] = value
            stamps[name] = stamp
            changed = True
        else:
            kept, lost = lost, kept
        if concurrent:
            found.append(
                Conflict(
                    change.table,
                    change.id,
                    name,
                    _label(change.table, data),
                    kept_value=kept[0],
                    kept_stamp=kept[1],
                    lost_value=lost[0],
                    lost_stamp=lost[1],
                    kept_by=kept[2],
                    lost_by=lost[2],
                )
            )
    # Row-level bookkeeping is order-free too: the highest version, the latest time, one origin device (the
    # record's maker, the same in every push of a real laptop; max() settles the odd case).
    incoming_time = _utc(change.updated_at) or _NO_TIME
    stored_time = stored.updated_at or _NO_TIME
    version = max(change.version, stored.version)
    origin = max(change.origin_device, stored.origin_device)
    if not changed and version == stored.version and incoming_time <= stored_time and origin == stored.origin_device:
        return None
    if incoming_time > stored_time:
        data["updated_at"] = change.data.get("updated_at")
    data["version"] = version
    data["origin_device"] = origin
    updated_at = max(incoming_time, stored_time)
    return Merged(False, data, stamps, version, None if updated_at == _NO_TIME else updated_at, origin)


def _device_names(conn: Connection, device_ids: set[str]) -> dict[str, str]:
    """ "王一（王一的笔记本）" for each enrolled device: who a value in the conflict log came from."""
    ids = sorted(d for d in device_ids if d)
    if not ids:
        return {}
    rows = conn.execute(
        select(office_device.c.id, office_device.c.name, office_user.c.name.label("user_name"))
        .join(office_user, office_user.c.id == office_device.c.user_id)
        .where(office_device.c.id.in_(ids))
    )
    return {r.id: f"{r.user_name}（{r.name}）" for r in rows}


def _log_conflicts(conn: Connection, conflicts: list[tuple[str, Conflict]], written: dict[Key, StoredRecord]) -> None:
    """Conflict records for supervisors (once each: the same conflict has the same id in either order)."""
    if not conflicts:
        return
    ids = sorted({c.id for _, c in conflicts})
    known = {
        r.record_id
        for r in conn.execute(
            select(office_record.c.record_id).where(
                office_record.c.table_name == CONFLICT_TABLE, office_record.c.record_id.in_(ids)
            )
        )
    }
    now = clock.now()
    stamp_of_now = now.isoformat().replace("+00:00", "Z")
    names = _device_names(conn, {c.kept_by for _, c in conflicts} | {c.lost_by for _, c in conflicts})
    for county, found in conflicts:
        if found.id in known:
            continue
        known.add(found.id)
        data = {
            "id": found.id,
            "created_at": stamp_of_now,
            "updated_at": stamp_of_now,
            "origin_device": OFFICE_DEVICE,
            "version": 1,
            "county_code": county,
            "table_name": found.table,
            "record_id": found.record_id,
            "record_label": found.label,
            "field_name": found.field_name,
            "kept_value": found.kept_value,
            "kept_device": hlc.device_of(found.kept_stamp),
            "kept_stamp": found.kept_stamp,
            "lost_value": found.lost_value,
            "lost_device": hlc.device_of(found.lost_stamp),
            "lost_stamp": found.lost_stamp,
            "kept_by": names.get(found.kept_by, ""),
            "lost_by": names.get(found.lost_by, ""),
            "detected_at": stamp_of_now,
        }
        written[(CONFLICT_TABLE, found.id)] = StoredRecord(
            county_code=county,
            version=1,
            updated_at=now,
            origin_device=OFFICE_DEVICE,
            pushed_by=OFFICE_DEVICE,
            deleted=False,
            data=data,
            stamps=None,
            seq=len(written),
            in_database=False,
        )


def _write_provisionally(conn: Connection, written: dict[Key, StoredRecord]) -> int:
    """Write the rows under negative seqs -(base + order), unique to this transaction, invisible to pulls;
    returns the base. The real seqs replace them under the counter lock, in one statement."""
    base = secrets.randbelow(1 << 40) * PROVISIONAL_SPAN + 1
    rows: list[dict[str, Any]] = []
    for (table, record_id), record in sorted(written.items(), key=lambda item: item[1].seq):
        values = {
            "county_code": record.county_code,
            "version": record.version,
            "updated_at": record.updated_at,
            "origin_device": record.origin_device,
            "pushed_by": record.pushed_by,
            "deleted": record.deleted,
            "data": record.data,
            "field_stamps": record.stamps,
            "max_stamp": max(record.stamps.values(), default="") if record.stamps else "",
            "blob_sha256": _blob_in(table, record.data),
            "seq": -(base + record.seq),
        }
        if record.in_database:
            conn.execute(
                update(office_record)
                .where(office_record.c.table_name == table, office_record.c.record_id == record_id)
                .values(**values)
            )
        else:
            rows.append({"table_name": table, "record_id": record_id, **values})
    if rows:
        conn.execute(insert(office_record), rows)
    return base


def _blob_in(table: str, data: dict[str, Any] | None) -> str | None:
    if data is None or table not in BLOB_COLUMN:
        return None
    value = data.get(BLOB_COLUMN[table])
    return value if isinstance(value, str) and value else None


# ─── pull ────────────────────────────────────────────────────────────────────────────────────────────


def pull(engine: Engine, device: Device, cursor: int, limit: int) -> PullResponse:
    return PullResponse.model_validate_json(pull_json(engine, device, cursor, limit))


def pull_json(engine: Engine, device: Device, cursor: int, limit: int) -> bytes:
    """The PullResponse as JSON, each record's data spliced in as the database holds it.

    A laptop pulling a busy county gets hundreds of records a page; decoding each row's JSON, validating it and
    encoding it again cost most of a pull's time, and the office is CPU-bound when a whole county syncs."""
    rc = office_record.c
    scope: ColumnElement[bool] = rc.county_code.in_([device.county_code, GLOBAL_SCOPE])
    if not device.is_supervisor:
        # A laptop's own numbers and draws are its own: another inspector's laptop never receives them. The
        # conflict log, plans and complaints (with reporters' names) are for supervisors.
        scope = and_(
            scope,
            rc.table_name.not_in(sorted(OFFICE_TABLES | SUPERVISOR_TABLES)),
            or_(rc.table_name.not_in(sorted(DEVICE_TABLES)), rc.pushed_by == device.id, rc.origin_device == device.id),
        )
    with reading(engine) as conn:
        rows = conn.execute(
            select(
                rc.table_name,
                rc.record_id,
                rc.deleted,
                rc.version,
                rc.updated_at,
                rc.origin_device,
                cast(rc.data, Text).label("data_text"),
                rc.max_stamp,
                rc.seq,
            )
            .where(rc.seq > cursor, scope)
            .order_by(rc.seq)
            .limit(limit + 1)
        ).all()
    page = rows[:limit]
    changes = []
    for r in page:
        head = json.dumps(
            {
                "table": r.table_name,
                "id": r.record_id,
                "op": "delete" if r.deleted else "upsert",
                "version": r.version,
                "updated_at": r.updated_at.isoformat() if r.updated_at is not None else None,
                "origin_device": r.origin_device,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        data = "null" if r.deleted or r.data_text is None else r.data_text
        changes.append(f'{head[:-1]},"data":{data}}}')
    tail = json.dumps(
        {
            "cursor": page[-1].seq if page else cursor,
            "more": len(rows) > limit,
            "stamp": max((r.max_stamp or "" for r in page), default=""),
        },
        separators=(",", ":"),
    )
    return f'{{"changes":[{",".join(changes)}],{tail[1:]}'.encode()


def in_scope_blob(conn: Connection, device: Device, sha256: str) -> bool:
    """Whether a record the device may see references the blob."""
    rc = office_record.c
    row = conn.execute(
        select(rc.record_id)
        .where(
            rc.blob_sha256 == sha256,
            rc.deleted.is_(False),
            rc.county_code.in_([device.county_code, GLOBAL_SCOPE]),
            rc.table_name.in_(sorted(BLOB_COLUMN)),
        )
        .limit(1)
    ).first()
    return row is not None
