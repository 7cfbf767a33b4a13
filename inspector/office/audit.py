"""Each laptop's hash-chained audit log as the office received it (DESIGN.md §3): the office keeps the chain.

A laptop sends its events oldest first (POST /audit). The office recomputes every event's hash with the laptop's
own function (`inspector.store.audit.event_hash`) and checks that the first new event links to the last one it
holds for that device, so the copy here only ever grows along one chain. Events it holds already are skipped
when they come again unchanged (a batch resent after a lost answer), so sending is idempotent and resumes
wherever the office's copy ends (GET /audit says where).

A batch that does not continue the chain — an event altered after it was hashed, a chain rewritten or cut short
on the laptop, an event the office holds coming back changed — is refused whole (409 audit_chain_broken) and
the break is recorded (device, position, expected and received hash), so that a supervisor sees it in
`inspector office verify-audit` even though the laptop's own log no longer shows it. Nothing is merged.

A device sends only its own chain: the events name the laptop they were written on (its own device id), and a
chain first received from one enrolled device is refused from a device of another user.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from inspector import clock
from inspector.office.auth import Device
from inspector.office.db import (
    insert_ignoring_duplicate,
    office_audit_break,
    office_audit_chain,
    office_audit_event,
    office_device,
    office_user,
    reading,
    writing,
)
from inspector.office.errors import ApiError, conflict, forbidden
from inspector.store.audit import GENESIS, canonical, event_hash
from inspector.sync.protocol import AuditEventBody, AuditPush, AuditPushResponse, AuditState

log = logging.getLogger(__name__)

BROKEN = "audit_chain_broken"
FOREIGN = "foreign_chain"
PAGE = 2000  # events read at a time by verify_chains


# ─── receiving ───────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Break:
    """Why a batch does not continue the chain the office holds."""

    kind: str  # hash / link / rewritten / order
    position: int  # in the office's copy: where the event would go, or where the office holds it
    seq: int
    event_id: str
    expected: str
    got: str
    detail: str


@dataclass(frozen=True)
class Tip:
    """Where the office's copy of a chain ends."""

    length: int
    last_seq: int
    last_hash: str


def chain_state(engine: Engine, device: Device) -> AuditState:
    with reading(engine) as conn:
        row = conn.execute(select(office_audit_chain).where(office_audit_chain.c.device_id == device.id)).first()
    if row is None:
        return AuditState(position=0, last_seq=0, last_hash=GENESIS)
    return AuditState(position=row.length, last_seq=row.last_seq, last_hash=row.last_hash)


def receive(engine: Engine, device: Device, push: AuditPush) -> AuditPushResponse:
    """Keep the events that continue this device's chain; refuse (and record) a batch that does not."""
    try:
        return _receive(engine, device, push, look_up_all=False)
    except IntegrityError:
        # An event the office holds came again under a later seq (a chain renumbered on the laptop): with every
        # id looked up, the batch is refused as a break, and recorded.
        return _receive(engine, device, push, look_up_all=True)


def _receive(engine: Engine, device: Device, push: AuditPush, *, look_up_all: bool) -> AuditPushResponse:
    chain_id = push.events[0].device_id
    if any(e.device_id != chain_id for e in push.events):
        raise _foreign(device, "The batch mixes events of several devices.")
    now = clock.now()
    with writing(engine) as conn:
        tip = _lock_chain(conn, device.id, now)
        if tip.chain_id and tip.chain_id != chain_id:
            raise _foreign(device, f"This device's chain is {tip.chain_id}'s, not {chain_id}'s.")
        if not tip.chain_id:
            _check_owner(conn, device, chain_id)
        length, last_seq, last_hash = int(tip.length), int(tip.last_seq), str(tip.last_hash)
        # Only events at or before the office's newest can be held already: a batch that continues the chain
        # (every sync but a repeated one) needs no lookup.
        again = [e.id for e in push.events if look_up_all or e.seq <= last_seq]
        held = _held(conn, device.id, again) if again else {}
        rows: list[dict[str, Any]] = []
        broken: Break | None = None
        for event in push.events:
            broken = _check(event, held.get(event.id), Tip(length, last_seq, last_hash), after_new=bool(rows))
            if broken is not None:
                break
            if event.id in held:
                continue  # sent before (an answer lost on the way): nothing to do
            length += 1
            rows.append(_row(device.id, length, event, now))
            last_seq, last_hash = event.seq, event.hash
        if broken is not None:
            _record_break(conn, device, broken, now)  # committed: the refusal itself is what supervisors see
        else:
            if rows:
                _insert_events(conn, rows)
            conn.execute(
                update(office_audit_chain)
                .where(office_audit_chain.c.device_id == device.id)
                .values(chain_id=chain_id, length=length, last_seq=last_seq, last_hash=last_hash, updated_at=now)
            )
    if broken is not None:
        log.warning("audit chain of device %s broken at %d: %s", device.id, broken.position, broken.detail)
        raise conflict(
            BROKEN,
            f"Refused: {broken.detail}. Expected {broken.expected}, got {broken.got}. The office recorded the break.",
            "本机的审计日志与办公室已保存的不一致（可能被改动过），办公室已拒收并记录，请联系主管核查。",
        )
    return AuditPushResponse(
        status="received" if rows else "already_received",
        received=len(rows),
        position=length,
        last_seq=last_seq,
        last_hash=last_hash,
    )


def _check(event: AuditEventBody, held: tuple[int, str] | None, tip: Tip, *, after_new: bool) -> Break | None:
    """Why `event` does not continue the chain that ends at `tip`, if it does not. `held`: (position, hash) when
    the office holds an event of that id already; `after_new`: new events came before it in the batch."""
    length, last_seq, last_hash = tip.length, tip.last_seq, tip.last_hash
    received = event_hash(event.prev_hash, event)
    if held is not None:
        position, stored = held
        if received != stored or event.hash != stored:
            return Break(
                kind="rewritten",
                position=position,
                seq=event.seq,
                event_id=event.id,
                expected=stored,
                got=received if received != stored else event.hash,
                detail=f"audit event {event.seq} came again changed: the office holds it at position {position} "
                "with another hash (altered or re-chained on the laptop after it was sent)",
            )
        if after_new:
            return Break(
                kind="order",
                position=position,
                seq=event.seq,
                event_id=event.id,
                expected=last_hash,
                got=event.prev_hash,
                detail=f"audit event {event.seq}, held at position {position}, comes after new events",
            )
        return None
    if received != event.hash:
        return Break(
            kind="hash",
            position=length + 1,
            seq=event.seq,
            event_id=event.id,
            expected=received,
            got=event.hash,
            detail=f"audit event {event.seq}'s hash does not match its content: altered after it was written",
        )
    if event.prev_hash != last_hash:
        return Break(
            kind="link",
            position=length + 1,
            seq=event.seq,
            event_id=event.id,
            expected=last_hash,
            got=event.prev_hash,
            detail=f"audit event {event.seq} does not link to the last event the office holds "
            f"({_where(length, last_seq)}): the laptop's chain was rewritten or events were removed",
        )
    if event.seq <= last_seq:
        return Break(
            kind="order",
            position=length + 1,
            seq=event.seq,
            event_id=event.id,
            expected=f"> {last_seq}",
            got=str(event.seq),
            detail=f"audit event {event.seq} comes after event {last_seq}: the laptop's log was renumbered",
        )
    return None


def _where(length: int, last_seq: int) -> str:
    return f"position {length}, laptop event {last_seq}" if length else "none yet: the chain's start"


def _foreign(device: Device, why: str) -> ApiError:
    log.warning("device %s (%s) sent audit events of another device: %s", device.id, device.name, why)
    return forbidden(FOREIGN, f"A device sends only its own audit log. {why}", "只能上传本机的审计日志。")


def _lock_chain(conn: Connection, device_id: str, now: datetime) -> Any:
    """The device's chain row (made empty the first time), locked until the transaction ends: two requests of
    the same device (a retry while the first still runs) take turns."""
    insert_ignoring_duplicate(
        conn,
        office_audit_chain,
        {"device_id": device_id, "chain_id": "", "length": 0, "last_seq": 0, "last_hash": GENESIS, "updated_at": now},
    )
    return conn.execute(_CHAIN_FOR_UPDATE, {"device_id": device_id}).one()


_CHAIN_FOR_UPDATE = (  # built once: SQLAlchemy reuses the compiled statement as it is
    select(office_audit_chain).where(office_audit_chain.c.device_id == bindparam("device_id")).with_for_update()
)


def _check_owner(conn: Connection, device: Device, chain_id: str) -> None:
    """A laptop's chain first received from one user's device is not taken from another user's device; the same
    user's new device may send it again (the laptop enrolled anew after its token expired)."""
    others = conn.execute(
        select(office_device.c.id, office_device.c.user_id)
        .join(office_audit_chain, office_audit_chain.c.device_id == office_device.c.id)
        .where(office_audit_chain.c.chain_id == chain_id, office_device.c.id != device.id)
    ).all()
    if any(other.user_id != device.user_id for other in others):
        raise _foreign(device, f"The audit log of laptop {chain_id} belongs to another user's device.")


def _held(conn: Connection, device_id: str, event_ids: list[str]) -> dict[str, tuple[int, str]]:
    c = office_audit_event.c
    rows = conn.execute(
        select(c.event_id, c.position, c.hash).where(c.device_id == device_id, c.event_id.in_(event_ids))
    ).all()
    return {r.event_id: (int(r.position), str(r.hash)) for r in rows}


def _insert_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL takes a sync's events (one per record it pulled: tens a sync, from every laptop) by COPY, in a
    fraction of the CPU of a many-row INSERT's parameters; SQLite by executemany."""
    if conn.dialect.name != "postgresql":
        conn.execute(office_audit_event.insert(), rows)
        return
    columns = list(office_audit_event.c)
    convert = [(c.name, c.type.bind_processor(conn.dialect)) for c in columns]
    names = ", ".join(c.name for c in columns)
    raw = conn.connection.driver_connection
    assert raw is not None
    statement = f"COPY {office_audit_event.name} ({names}) FROM STDIN"
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[name] if to_db is None else to_db(row[name]) for name, to_db in convert])
    except conn.dialect.loaded_dbapi.IntegrityError as exc:  # as SQLAlchemy raises it for an INSERT
        raise IntegrityError(statement, None, exc) from exc


def _row(device_id: str, position: int, event: AuditEventBody, now: datetime) -> dict[str, Any]:
    at = datetime.fromisoformat(event.at)
    return {
        "device_id": device_id,
        "position": position,
        "event_id": event.id,
        "seq": event.seq,
        "at": at if at.tzinfo is not None else at.replace(tzinfo=UTC),
        "actor": event.actor,
        "action": event.action,
        "table_name": event.table_name,
        "record_id": event.record_id,
        "body": canonical(event.model_dump()),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "received_at": now,
    }


def _record_break(conn: Connection, device: Device, found: Break, now: datetime) -> None:
    """One row per distinct break; the same refused batch sent again counts an attempt."""
    b = office_audit_break.c
    same = conn.execute(
        select(b.id).where(
            b.device_id == device.id,
            b.kind == found.kind,
            b.position == found.position,
            b.seq == found.seq,
            b.expected == found.expected,
            b.got == found.got,
        )
    ).first()
    if same is not None:
        conn.execute(update(office_audit_break).where(b.id == same.id).values(last_at=now, attempts=b.attempts + 1))
        return
    conn.execute(
        office_audit_break.insert().values(
            device_id=device.id,
            kind=found.kind,
            position=found.position,
            seq=found.seq,
            event_id=found.event_id,
            expected=found.expected,
            got=found.got,
            detail=found.detail[:500],
            first_at=now,
            last_at=now,
            attempts=1,
        )
    )


# ─── checking what the office holds ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ChainProblem:
    kind: str  # refused at receipt: hash / link / rewritten / order; found in the office's copy: see _walk
    position: int
    seq: int
    detail: str
    expected: str = ""
    got: str = ""
    refused: bool = False  # a batch the office refused (recorded then), not a fault in what it holds
    attempts: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        values = dict(self.__dict__)
        for name in ("first_at", "last_at"):
            values[name] = values[name].isoformat() if values[name] else None
        return values


@dataclass
class ChainCheck:
    device_id: str
    device_name: str
    user_name: str
    county_code: str
    chain_id: str = ""
    events: int = 0
    last_seq: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        values = dict(self.__dict__)
        values["problems"] = [p.to_json() for p in self.problems]
        return values


def verify_chains(engine: Engine) -> list[ChainCheck]:
    """Every device's chain rechecked from its start (hashes recomputed, links followed), plus the breaks
    recorded when batches were refused."""
    checks: list[ChainCheck] = []
    with reading(engine) as conn:
        devices = conn.execute(
            select(office_device.c.id, office_device.c.name, office_device.c.county_code, office_user.c.name)
            .join(office_user, office_user.c.id == office_device.c.user_id)
            .order_by(office_device.c.created_at, office_device.c.id)
        ).all()
        for device_id, device_name, county_code, user_name in devices:
            check = ChainCheck(device_id, device_name, user_name, county_code)
            state = conn.execute(select(office_audit_chain).where(office_audit_chain.c.device_id == device_id)).first()
            if state is not None:
                check.chain_id = str(state.chain_id)
            length, last_hash = _walk(conn, check)
            if state is not None and (state.length != length or state.last_hash != last_hash):
                check.problems.append(
                    ChainProblem(
                        kind="state",
                        position=length,
                        seq=check.last_seq,
                        detail=f"the office's record of where the chain ends (position {state.length}) does not "
                        f"match the events it holds (position {length})",
                        expected=last_hash,
                        got=str(state.last_hash),
                    )
                )
            check.problems.extend(_recorded_breaks(conn, device_id))
            checks.append(check)
    return checks


def _events(conn: Connection, device_id: str) -> Iterator[Any]:
    c = office_audit_event.c
    after = 0
    while True:
        rows = conn.execute(
            select(office_audit_event)
            .where(c.device_id == device_id, c.position > after)
            .order_by(c.position)
            .limit(PAGE)
        ).all()
        if not rows:
            return
        yield from rows
        after = int(rows[-1].position)


def _walk(conn: Connection, check: ChainCheck) -> tuple[int, str]:
    """Follow the stored chain from its start; returns (events, last hash)."""
    prev_hash = GENESIS
    expected_position = 0
    for row in _events(conn, check.device_id):
        expected_position += 1
        check.events += 1
        check.last_seq = int(row.seq)
        found: list[tuple[str, str, str, str]] = []  # kind, detail, expected, got
        if row.position != expected_position:
            found.append(
                ("missing", f"position {expected_position} is missing: removed from the office's copy", "", "")
            )
            expected_position = int(row.position)
        try:
            body = AuditEventBody.model_validate_json(row.body)
        except ValidationError:
            found.append(("corrupt", "the stored event cannot be read", "", ""))
            body = None
        if body is not None:
            if (body.id, body.seq, body.hash, body.prev_hash) != (row.event_id, row.seq, row.hash, row.prev_hash):
                found.append(("altered", "the stored event's columns differ from the event as received", "", ""))
            if check.chain_id and body.device_id != check.chain_id:
                found.append(
                    ("foreign", f"an event of laptop {body.device_id} in laptop {check.chain_id}'s chain", "", "")
                )
            if body.prev_hash != prev_hash:
                found.append(("link", "does not link to the event before it", prev_hash, body.prev_hash))
            recomputed = event_hash(body.prev_hash, body)
            if recomputed != body.hash:
                found.append(
                    ("hash", "the hash does not match the event's content: altered here", recomputed, body.hash)
                )
        check.problems.extend(
            ChainProblem(kind, int(row.position), int(row.seq), detail, expected, got)
            for kind, detail, expected, got in found
        )
        prev_hash = body.hash if body is not None else str(row.hash)
    return check.events, prev_hash


def _recorded_breaks(conn: Connection, device_id: str) -> list[ChainProblem]:
    b = office_audit_break.c
    rows = conn.execute(select(office_audit_break).where(b.device_id == device_id).order_by(b.first_at, b.id)).all()
    return [
        ChainProblem(
            kind=r.kind,
            position=int(r.position),
            seq=int(r.seq),
            detail=f"refused: {r.detail}",
            expected=r.expected,
            got=r.got,
            refused=True,
            attempts=int(r.attempts),
            first_at=r.first_at,
            last_at=r.last_at,
        )
        for r in rows
    ]
