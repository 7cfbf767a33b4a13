"""Push and pull: the office's copy of every synced record, scoped to the caller's county.

Push applies a batch in one transaction, once per (device, batch_id). Each change's county comes from the row
itself (OWN_COUNTY), from its parent as the office has it, or as it is earlier in the same batch (PARENT_OF),
is "*" for the global tables (only supervisors push those) and the device's own county for DEVICE_TABLES. One
change outside the caller's county refuses the whole batch.

Conflicts resolve the same way whatever order the laptops sync in: a row replaces the stored one when its
(updated_at, version, origin_device) is greater, the canonical JSON of the data breaking a last tie; a delete
wins over any upsert of the same record (record ids are UUIDv7, never reused, and a delete carries no clock).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, insert, or_, select, update

from inspector import clock
from inspector.office.auth import Device
from inspector.office.db import (
    SEQ_COUNTER,
    lock_counter,
    office_batch,
    office_blob,
    office_record,
    reading,
    set_counter,
    writing,
)
from inspector.office.errors import conflict, forbidden, invalid
from inspector.sync.protocol import (
    BLOB_COLUMNS,
    DEVICE_TABLES,
    GLOBAL_SCOPE,
    GLOBAL_TABLES,
    OWN_COUNTY,
    PARENT_OF,
    SHA256,
    PullResponse,
    PushRequest,
    PushResponse,
    RecordChange,
)

KNOWN_TABLES = frozenset(OWN_COUNTY) | frozenset(PARENT_OF) | GLOBAL_TABLES | DEVICE_TABLES
BLOB_COLUMN: dict[str, str] = dict(BLOB_COLUMNS)
_NO_TIME = datetime.min.replace(tzinfo=UTC)

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
    seq: int
    in_database: bool  # False: first written by this batch (an INSERT, not an UPDATE)


# ─── push ────────────────────────────────────────────────────────────────────────────────────────────


def push(engine: Engine, device: Device, request: PushRequest) -> PushResponse:
    with writing(engine) as conn:
        # The counter lock serializes pushes: seqs are handed out, and become visible, in commit order.
        cursor = lock_counter(conn, SEQ_COUNTER)
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
        state = _load(conn, _keys_to_load(request.changes))
        present_blobs = _present_blobs(conn, _referenced_blobs(request.changes))
        missing_blobs: list[str] = []
        written: dict[Key, StoredRecord] = {}
        applied = 0
        for change in request.changes:
            key = (change.table, change.id)
            stored = state.get(key)
            county = _county_of(change, device, state)
            _check_scope(change, device, county, stored)
            blob = _blob_of(change)
            if blob and blob not in present_blobs and blob not in missing_blobs:
                missing_blobs.append(blob)
            if not _wins(change, stored):
                continue
            cursor += 1
            applied += 1
            new = StoredRecord(
                county_code=county,
                version=max(change.version, stored.version) if change.op == "delete" and stored else change.version,
                updated_at=_utc(change.updated_at) or (stored.updated_at if stored else None),
                origin_device=change.origin_device,
                pushed_by=device.id,
                deleted=change.op == "delete",
                data=None if change.op == "delete" else change.data,
                seq=cursor,
                in_database=stored.in_database if stored else False,
            )
            state[key] = written[key] = new
        if missing_blobs:
            raise conflict(
                "missing_blob",
                f"Upload these blobs before the rows that reference them: {', '.join(missing_blobs)}",
                f"有{len(missing_blobs)}个文件尚未上传到办公室，请先上传文件。",
            )
        _write(conn, written)
        set_counter(conn, SEQ_COUNTER, cursor)
        conn.execute(
            insert(office_batch).values(
                device_id=device.id, batch_id=request.batch_id, received_at=clock.now(), applied=applied, cursor=cursor
            )
        )
    return PushResponse(batch_id=request.batch_id, status="applied", applied=applied, cursor=cursor)


def _name(change: RecordChange) -> str:
    return f"{change.table} {change.id}"


def _check_shape(change: RecordChange) -> None:
    if change.table not in KNOWN_TABLES:
        raise invalid(f"Unknown table {change.table!r} ({_name(change)}).", "未知的数据表。", code="unknown_table")
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


def _load(conn: Connection, keys: set[Key]) -> dict[Key, StoredRecord]:
    by_table: dict[str, list[str]] = {}
    for table, record_id in keys:
        by_table.setdefault(table, []).append(record_id)
    state: dict[Key, StoredRecord] = {}
    rc = office_record.c
    for table, ids in sorted(by_table.items()):
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                select(office_record).where(rc.table_name == table, rc.record_id.in_(sorted(ids[start : start + 500])))
            )
            for r in rows:
                state[(r.table_name, r.record_id)] = StoredRecord(
                    county_code=r.county_code,
                    version=r.version,
                    updated_at=r.updated_at,
                    origin_device=r.origin_device,
                    pushed_by=r.pushed_by,
                    deleted=r.deleted,
                    data=r.data,
                    seq=r.seq,
                    in_database=True,
                )
    return state


def _county_of(change: RecordChange, device: Device, state: dict[Key, StoredRecord]) -> str:
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


def _canonical(data: dict[str, Any] | None) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _wins(change: RecordChange, stored: StoredRecord | None) -> bool:
    """Whether the change replaces what the office holds (the same answer in either order of arrival)."""
    if stored is None:
        return True
    if change.op == "delete":
        return not stored.deleted
    if stored.deleted:
        return False
    incoming = (_utc(change.updated_at) or _NO_TIME, change.version, change.origin_device, _canonical(change.data))
    current = (stored.updated_at or _NO_TIME, stored.version, stored.origin_device, _canonical(stored.data))
    return incoming > current


def _write(conn: Connection, written: dict[Key, StoredRecord]) -> None:
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
            "blob_sha256": _blob_in(table, record.data),
            "seq": record.seq,
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


def _blob_in(table: str, data: dict[str, Any] | None) -> str | None:
    if data is None or table not in BLOB_COLUMN:
        return None
    value = data.get(BLOB_COLUMN[table])
    return value if isinstance(value, str) and value else None


# ─── pull ────────────────────────────────────────────────────────────────────────────────────────────


def pull(engine: Engine, device: Device, cursor: int, limit: int) -> PullResponse:
    rc = office_record.c
    scope: ColumnElement[bool] = rc.county_code.in_([device.county_code, GLOBAL_SCOPE])
    if not device.is_supervisor:
        # A laptop's own numbers and draws are its own: another inspector's laptop never receives them.
        scope = and_(
            scope,
            or_(rc.table_name.not_in(sorted(DEVICE_TABLES)), rc.pushed_by == device.id, rc.origin_device == device.id),
        )
    with reading(engine) as conn:
        rows = conn.execute(
            select(
                rc.table_name, rc.record_id, rc.deleted, rc.version, rc.updated_at, rc.origin_device, rc.data, rc.seq
            )
            .where(rc.seq > cursor, scope)
            .order_by(rc.seq)
            .limit(limit + 1)
        ).all()
    page = rows[:limit]
    return PullResponse(
        changes=[
            RecordChange(
                table=r.table_name,
                id=r.record_id,
                op="delete" if r.deleted else "upsert",
                version=r.version,
                updated_at=r.updated_at,
                origin_device=r.origin_device,
                data=None if r.deleted else r.data,
            )
            for r in page
        ],
        cursor=page[-1].seq if page else cursor,
        more=len(rows) > limit,
    )


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
