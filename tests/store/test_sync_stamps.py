"""The flush hook: synced rows get timestamps, version and origin device, and an outbox entry per change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from inspector import clock
from inspector.domain.enums import Industry, OutboxOp
from inspector.store.db import Store
from inspector.store.models import SYNCED_TABLES, Enterprise, Finding, OutboxEntry, Setting, SyncedRecord
from inspector.store.types import UTCDateTime


def _enterprise(**kw: Any) -> Enterprise:
    values: dict[str, Any] = {
        "name": "阳城县示范煤业有限公司",
        "credit_code": "91140522MA0K1234X5",
        "industry": Industry.COAL,
        "address": "山西省晋城市阳城县凤城镇",
    }
    values.update(kw)
    return Enterprise(**values)


def _outbox(store: Store) -> list[OutboxEntry]:
    with store.session() as session:
        return list(session.exec(select(OutboxEntry).order_by(OutboxEntry.seq)).all())  # type: ignore[arg-type]


def _insert(store: Store, **kw: Any) -> Enterprise:
    enterprise = _enterprise(**kw)
    with store.session() as session:
        session.add(enterprise)
    return enterprise


def test_insert_stamps_row_and_writes_one_upsert(store: Store) -> None:
    before = clock.now()
    enterprise = _insert(store)
    after = clock.now()

    with store.session() as session:
        loaded = session.get(Enterprise, enterprise.id)
        assert loaded is not None
        assert loaded.created_at is not None
        assert loaded.updated_at is not None
        assert loaded.created_at.tzinfo is not None
        assert loaded.updated_at.tzinfo is not None
        assert before <= loaded.created_at <= after
        assert loaded.updated_at == loaded.created_at
        assert loaded.origin_device == store.device_id
        assert loaded.version == 1

    entries = _outbox(store)
    assert len(entries) == 1
    (entry,) = entries
    assert entry.table_name == "enterprise"
    assert entry.record_id == enterprise.id
    assert entry.op is OutboxOp.UPSERT
    assert entry.record_version == 1
    assert entry.created_at == loaded.created_at


def test_update_bumps_version_and_replaces_the_unsent_upsert(store: Store) -> None:
    enterprise = _insert(store)
    assert enterprise.updated_at is not None
    first_updated = enterprise.updated_at

    with store.session() as session:
        loaded = session.get(Enterprise, enterprise.id)
        assert loaded is not None
        loaded.address = "山西省晋城市阳城县东冶镇"

    with store.session() as session:
        reloaded = session.get(Enterprise, enterprise.id)
        assert reloaded is not None
        assert reloaded.version == 2
        assert reloaded.updated_at is not None
        assert reloaded.updated_at >= first_updated
        assert reloaded.created_at == enterprise.created_at
        assert reloaded.origin_device == store.device_id
        assert reloaded.address == "山西省晋城市阳城县东冶镇"

    # The push sends a record's current state, so one pending upsert per record is enough: the newer
    # entry replaces the older (with a new sequence number, so an in-flight ack cannot swallow it).
    entries = _outbox(store)
    assert [(e.op, e.record_id, e.record_version) for e in entries] == [(OutboxOp.UPSERT, enterprise.id, 2)]
    assert entries[0].seq is not None and entries[0].seq > 1


def test_flush_without_changes_writes_nothing(store: Store) -> None:
    enterprise = _insert(store)
    with store.session() as session:
        loaded = session.get(Enterprise, enterprise.id)
        assert loaded is not None
        session.flush()
    with store.session() as session:
        loaded = session.get(Enterprise, enterprise.id)
        assert loaded is not None
        loaded.name = loaded.name  # assigned, but to the same value
        assert loaded in session.dirty
        session.flush()
    with store.session() as session:
        reloaded = session.get(Enterprise, enterprise.id)
        assert reloaded is not None
        assert reloaded.version == 1
        assert reloaded.updated_at == enterprise.updated_at
    assert len(_outbox(store)) == 1


def test_delete_writes_delete_entry(store: Store) -> None:
    enterprise = _insert(store)
    with store.session() as session:
        loaded = session.get(Enterprise, enterprise.id)
        assert loaded is not None
        session.delete(loaded)
    with store.session() as session:
        assert session.get(Enterprise, enterprise.id) is None
    # The pending upsert is replaced: the office only needs to hear that the record is gone.
    entries = _outbox(store)
    assert [(e.op, e.record_id, e.table_name) for e in entries] == [(OutboxOp.DELETE, enterprise.id, "enterprise")]
    assert entries[-1].record_version == 1


def test_applying_remote_keeps_given_stamps_and_writes_no_outbox(store: Store) -> None:
    created = datetime(2024, 4, 1, 1, 2, 3, tzinfo=UTC)
    updated = created + timedelta(days=3)
    remote = _enterprise(version=5, origin_device="office-device-0001", created_at=created, updated_at=updated)
    with store.session(applying_remote=True) as session:
        session.add(remote)
    with store.session(applying_remote=True) as session:
        loaded = session.get(Enterprise, remote.id)
        assert loaded is not None
        assert (loaded.version, loaded.origin_device) == (5, "office-device-0001")
        assert (loaded.created_at, loaded.updated_at) == (created, updated)
        loaded.notes = "办公室下发的更正"
        loaded.version = 6
    with store.session(applying_remote=True) as session:
        loaded = session.get(Enterprise, remote.id)
        assert loaded is not None
        session.delete(loaded)
    with store.session() as session:
        assert session.get(Enterprise, remote.id) is None
    assert _outbox(store) == []


def test_remote_change_then_local_edit_continues_from_remote_version(store: Store) -> None:
    remote = _enterprise(version=5, origin_device="office-device-0001")
    with store.session(applying_remote=True) as session:
        session.add(remote)
    with store.session() as session:
        loaded = session.get(Enterprise, remote.id)
        assert loaded is not None
        loaded.contact_phone = "0356-4221234"
    with store.session() as session:
        loaded = session.get(Enterprise, remote.id)
        assert loaded is not None
        assert loaded.version == 6
        assert loaded.origin_device == "office-device-0001"  # the row was made elsewhere
    assert [(e.op, e.record_version) for e in _outbox(store)] == [(OutboxOp.UPSERT, 6)]


def test_rolled_back_session_leaves_neither_row_nor_outbox(store: Store) -> None:
    enterprise = _enterprise()
    with pytest.raises(RuntimeError, match="断电"), store.session() as session:
        session.add(enterprise)
        session.flush()  # the row and its outbox entry are written inside the transaction …
        assert session.exec(select(OutboxEntry)).all() != []
        raise RuntimeError("断电")  # … and must go with it
    with store.session() as session:
        assert session.get(Enterprise, enterprise.id) is None
    assert _outbox(store) == []
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM enterprise")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM outboxentry")).scalar() == 0


def test_local_tables_write_no_outbox(store: Store) -> None:
    with store.session() as session:
        session.add(Setting(key="机关简称", value="阳"))
    assert _outbox(store) == []


def test_every_synced_model_is_listed_in_synced_tables() -> None:
    mapped = {cls for cls in _subclasses(SyncedRecord) if isinstance(getattr(cls, "__table__", None), Table)}
    assert mapped == set(SYNCED_TABLES)
    assert len(SYNCED_TABLES) == len(set(SYNCED_TABLES))
    for model in SYNCED_TABLES:
        table = model.__table__  # type: ignore[attr-defined]
        assert table.name in SQLModel.metadata.tables
        assert isinstance(table.c["created_at"].type, UTCDateTime)
        assert isinstance(table.c["updated_at"].type, UTCDateTime)


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    sub: type
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_foreign_keys_are_enforced(store: Store) -> None:
    enterprise = _insert(store)
    orphan = Finding(
        inspection_id="01a22330-0000-7000-8000-000000000000",
        enterprise_id=enterprise.id,
        description="配电室未配备绝缘手套",
    )
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), store.session() as session:
        session.add(orphan)
    with store.session() as session:
        assert session.get(Finding, orphan.id) is None
    assert [e.table_name for e in _outbox(store)] == ["enterprise"]


def test_connections_use_wal_and_foreign_keys(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


# ─── what changed, for the office's per-field merge ──────────────────────────────────────────────────


def _acknowledge(store: Store) -> None:
    with store.session() as session:
        for entry in session.exec(select(OutboxEntry)):
            session.delete(entry)


def _edit(store: Store, record_id: str, **values: Any) -> None:
    with store.session() as session:
        row = session.get(Enterprise, record_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)


def test_a_new_record_is_new_in_every_column_until_acknowledged(store: Store) -> None:
    enterprise = _insert(store)
    _edit(store, enterprise.id, address="北留镇")
    [entry] = _outbox(store)
    assert list(entry.fields or {}) == ["*"]
    stamp_device = (entry.fields or {})["*"][0].split(".", 2)[2]
    assert stamp_device == store.device_id


def test_an_edit_names_its_columns_with_the_value_before_the_first_pending_edit(store: Store) -> None:
    enterprise = _insert(store, contact_phone="0356-1")
    _acknowledge(store)
    _edit(store, enterprise.id, address="北留镇", industry=Industry.HAZARDOUS_CHEMICALS)
    [first] = _outbox(store)
    fields = first.fields or {}
    assert sorted(fields) == ["address", "industry"]
    assert fields["address"][1] == "山西省晋城市阳城县凤城镇"
    assert fields["industry"][1] == Industry.COAL.value  # JSON-ready, as the office holds it
    _edit(store, enterprise.id, address="润城镇", contact_phone="13800000000")
    [second] = _outbox(store)
    merged = second.fields or {}
    assert sorted(merged) == ["address", "contact_phone", "industry"]
    assert merged["address"][1] == "山西省晋城市阳城县凤城镇"  # still the value the office last had
    assert merged["contact_phone"][1] == "0356-1"
    assert merged["address"][0] > fields["address"][0]  # the newer edit's stamp
    assert merged["industry"] == fields["industry"]


def test_stamps_keep_order_past_a_clock_seen_from_the_office(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from inspector.store import hlc

    # A clock of its own: the process-wide one must not stay an hour ahead for the tests that follow (the
    # office pulls stamps that far ahead back to its own time, which would reorder their edits).
    monkeypatch.setattr(hlc, "_clock", hlc._Clock())
    far = hlc.format_stamp(int(datetime.now(UTC).timestamp() * 1000) + 3_600_000, 7, "office-laptop")
    hlc.observe(far)
    enterprise = _insert(store)
    _acknowledge(store)
    _edit(store, enterprise.id, address="北留镇")
    [entry] = _outbox(store)
    assert (entry.fields or {})["address"][0] > far


def test_a_delete_carries_no_columns(store: Store) -> None:
    enterprise = _insert(store)
    _acknowledge(store)
    _edit(store, enterprise.id, address="北留镇")
    with store.session() as session:
        row = session.get(Enterprise, enterprise.id)
        session.delete(row)
    [entry] = _outbox(store)
    assert entry.op == OutboxOp.DELETE and entry.fields is None
