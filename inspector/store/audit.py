"""The one audit log: who did what to which record, hash-chained, written in the same transaction as the change.

Every change of a synced record — made here (create / update / delete) or applied from the office (sync) —
adds an event with the changed columns' old and new values and the SHA-256 of the whole record after the
change. Services add their own events too (issue, sign, review …) through `record_event`.

Each event holds the hash of the event before it (DESIGN.md §3). Events are chained after they are inserted,
in `after_flush`: by then this transaction holds SQLite's write lock, so no other writer can add an event in
between, and the previous event is final. `verify_audit` walks the chain and compares every record with the
state its last event recorded, so an event altered, removed or inserted, or a record edited behind the app's
back (direct SQL), is named.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import event as sa_event
from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from inspector import clock
from inspector.store.models import SYNCED_TABLES, AuditEvent, SyncedRecord

SYSTEM_ACTOR = "system"
# Events the store writes for every record change; services add their own actions (issue, approve …).
RECORD_ACTIONS = frozenset({"create", "update", "delete", "sync", "baseline"})
ACTOR_KEY = "actor"  # Session.info: the inspector on whose behalf the session writes, when known
_PENDING = "audit_pending"  # Session.info: this flush adds events, to be chained in after_flush
GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def record_state(values: dict[str, Any]) -> str:
    """SHA-256 of a record's columns as JSON (as `model_dump(mode="json")` gives them)."""
    return hashlib.sha256(canonical(values).encode()).hexdigest()


def normalized(row: SyncedRecord) -> dict[str, Any]:
    """The record's columns as JSON, times in UTC as the database gives them back (a time set in 北京时间 and
    read back must hash the same)."""
    values = row.model_dump()
    for name, value in values.items():
        if isinstance(value, datetime):
            values[name] = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return dict(to_jsonable_python(values))


def state_of(row: SyncedRecord) -> str:
    return record_state(normalized(row))


def event_hash(prev_hash: str, event: Any) -> str:
    """The hash of an event (an AuditEvent or a row of its table) chained to the one before it."""
    body = {
        "seq": event.seq,
        "id": event.id,
        "at": to_jsonable_python(event.at),
        "device_id": event.device_id,
        "actor": event.actor,
        "action": event.action,
        "table_name": event.table_name,
        "record_id": event.record_id,
        "old_values": event.old_values,
        "new_values": event.new_values,
        "record_sha256": event.record_sha256,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    table_name: str,
    record_id: str,
    old_values: dict[str, Any] | None = None,
    new_values: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event (actor: an inspector's id, or "system"); values are stored as JSON."""
    event = AuditEvent(
        at=clock.now(),
        device_id=str(session.info.get("device_id", "")),
        actor=actor,
        action=action,
        table_name=table_name,
        record_id=record_id,
        old_values=to_jsonable_python(old_values) if old_values is not None else None,
        new_values=to_jsonable_python(new_values) if new_values is not None else None,
    )
    session.add(event)
    session.flush()
    return event


def change_event(session: OrmSession, row: SyncedRecord, action: str, changed: dict[str, Any] | None) -> AuditEvent:
    """The event of one record's change: `changed` {column: (old, new)}; None for a whole new record."""
    table = type(row).__table__.name  # type: ignore[attr-defined]
    state = normalized(row)
    if action == "delete":
        old, new, digest = state, None, ""
    elif changed is None:
        old, new, digest = None, state, record_state(state)
    else:
        old = {name: to_jsonable_python(before) for name, (before, _after) in changed.items()}
        new = {name: state.get(name) for name in changed}
        digest = record_state(state)
    return AuditEvent(
        at=clock.now(),
        device_id=str(session.info.get("device_id", "")),
        actor=str(session.info.get(ACTOR_KEY, SYSTEM_ACTOR)),
        action=action,
        table_name=table,
        record_id=row.id,
        old_values=old,
        new_values=new,
        record_sha256=digest,
    )


def bulk_events(session: Session, table_name: str, states: list[dict[str, Any]], action: str = "create") -> None:
    """Events for rows written by a bulk insert (no ORM objects, so no flush hook sees them); `states` as
    `normalized` gives them."""
    device = str(session.info.get("device_id", ""))
    actor = str(session.info.get(ACTOR_KEY, SYSTEM_ACTOR))
    now = clock.now()
    session.add_all(
        AuditEvent(
            at=now,
            device_id=device,
            actor=actor,
            action=action,
            table_name=table_name,
            record_id=str(state["id"]),
            new_values=state,
            record_sha256=record_state(state),
        )
        for state in states
    )
    session.flush()


# ─── the chain ───────────────────────────────────────────────────────────────────────────────────────


def mark_pending(session: OrmSession) -> None:
    """This flush adds events: chain them once they are inserted."""
    session.info[_PENDING] = True


@sa_event.listens_for(OrmSession, "before_flush")
def _collect(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    if any(isinstance(obj, AuditEvent) for obj in session.new):
        mark_pending(session)


@sa_event.listens_for(OrmSession, "after_flush")
def _chain(session: OrmSession, _ctx: Any) -> None:
    if not session.info.pop(_PENDING, False):
        return
    conn = session.connection()
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    # The unchained events are the newest ones (events are chained in the flush that adds them): read back
    # from the end until the last chained event, whose hash the first new one takes.
    unchained: list[Any] = []
    prev_hash = GENESIS
    offset = 0
    while True:
        rows = conn.execute(sa_select(table).order_by(table.c.seq.desc()).offset(offset).limit(64)).all()
        offset += len(rows)
        stop = not rows
        for row in rows:
            if row.hash:
                prev_hash, stop = row.hash, True
                break
            unchained.append(row)
        if stop:
            break
    for row in reversed(unchained):
        digest = event_hash(prev_hash, row)
        conn.execute(update(table).where(table.c.seq == row.seq).values(prev_hash=prev_hash, hash=digest))
        loaded = session.identity_map.get(session.identity_key(AuditEvent, row.seq))
        if loaded is not None:
            set_committed_value(loaded, "prev_hash", prev_hash)
            set_committed_value(loaded, "hash", digest)
        prev_hash = digest


# ─── verification ────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class AuditProblem:
    kind: str  # chain / changed / unaudited / deleted
    table_name: str
    record_id: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass
class AuditReport:
    events: int = 0
    records: int = 0
    problems: list[AuditProblem] = field(default_factory=list)


def _events(session: Session) -> Iterator[AuditEvent]:
    offset = 0
    while True:
        chunk = list(session.exec(select(AuditEvent).order_by(col(AuditEvent.seq)).offset(offset).limit(5000)))
        if not chunk:
            return
        yield from chunk
        offset += len(chunk)


def verify_audit(session: Session) -> AuditReport:
    """Walk the chain and compare every synced record with the state its newest event recorded."""
    report = AuditReport()
    prev_hash = GENESIS
    last_state: dict[tuple[str, str], str] = {}  # "" after a delete
    for audit in _events(session):
        report.events += 1
        if audit.prev_hash != prev_hash or event_hash(audit.prev_hash, audit) != audit.hash:
            report.problems.append(
                AuditProblem(
                    "chain",
                    audit.table_name,
                    audit.record_id,
                    f"audit event {audit.seq} ({audit.action}, {audit.at}) does not match the chain: "
                    "altered, or an event before it was removed",
                )
            )
        prev_hash = audit.hash
        if audit.record_sha256 or audit.action == "delete":
            last_state[(audit.table_name, audit.record_id)] = audit.record_sha256
    seen: set[tuple[str, str]] = set()
    for model in SYNCED_TABLES:
        table = _table_name(model)
        for row in session.exec(select(model)):
            report.records += 1
            key = (table, row.id)
            seen.add(key)
            expected = last_state.get(key)
            if expected is None:
                report.problems.append(
                    AuditProblem("unaudited", table, row.id, "a record with no audit event: added outside the app")
                )
            elif expected != state_of(row):
                report.problems.append(
                    AuditProblem("changed", table, row.id, "the record differs from its last audited state")
                )
    for (table, record_id), expected in last_state.items():
        if expected and (table, record_id) not in seen:
            report.problems.append(
                AuditProblem("deleted", table, record_id, "the record is gone, but no deletion was audited")
            )
    return report


def _table_name(model: type[SyncedRecord]) -> str:
    return str(model.__table__.name)  # type: ignore[attr-defined]


def baseline(session: Session) -> int:
    """Events for records that have none (a data folder from before the audit log); returns how many."""
    audited = {(t, r) for t, r in session.exec(select(AuditEvent.table_name, AuditEvent.record_id).distinct())}
    added = 0
    for model in SYNCED_TABLES:
        table = _table_name(model)
        states = [normalized(row) for row in session.exec(select(model)) if (table, row.id) not in audited]
        for start in range(0, len(states), 2000):
            bulk_events(session, table, states[start : start + 2000], action="baseline")
        added += len(states)
    return added
