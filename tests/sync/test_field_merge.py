"""Two laptops edit the same enterprise offline: column by column the later edit wins, in either order of
sync, and a column both changed lands in the conflict log on the supervisor's laptop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from inspector.domain.enums import Industry
from inspector.domain.identifiers import make_credit_code
from inspector.registry.service import register_enterprise
from inspector.store.db import Store
from inspector.store.models import Enterprise, OutboxEntry, SyncConflict
from inspector.sync.client import SyncReport, office_link, pull, sync_once
from tests.sync.conftest import Office, laptop


def _register(store: Store) -> str:
    with store.session() as session:
        row = register_enterprise(
            session,
            name="阳城县东冶煤业有限公司",
            credit_code=make_credit_code("140522", "MA0K0077"),
            industry=Industry.COAL,
            county_code="140522",
            address="东冶镇",
            contact_phone="0356-4000000",
        )
        return row.id


def _edit(store: Store, record_id: str, **values: Any) -> None:
    with store.session() as session:
        row = session.get(Enterprise, record_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)


def _columns(store: Store, record_id: str) -> tuple[str, str, str, str]:
    with store.session() as session:
        row = session.get(Enterprise, record_id)
        assert row is not None
        return row.name, row.address, row.contact_phone, row.legal_representative


@pytest.mark.parametrize("order", ["a syncs first", "b syncs first"])
def test_offline_edits_of_one_enterprise_merge_the_same_in_either_order(
    office: Office, tmp_path: Path, order: str
) -> None:
    a, http_a = laptop(office, tmp_path, "a")
    b, http_b = laptop(office, tmp_path, "b")
    boss, http_boss = laptop(office, tmp_path, "boss", role="supervisor")
    try:
        ent = _register(a)
        sync_once(a, http_a)
        sync_once(b, http_b)
        # Offline: both rename it; a also fixes the address, b the phone and the legal representative.
        _edit(a, ent, name="阳城县东冶煤业有限公司（甲）", address="东冶镇东冶村")
        _edit(b, ent, name="阳城县东冶煤业有限公司（乙）", contact_phone="13903560000")
        _edit(b, ent, legal_representative="张三")  # a second edit before syncing: one pending change
        first, second = ((a, http_a), (b, http_b)) if order == "a syncs first" else ((b, http_b), (a, http_a))
        sync_once(*first)
        sync_once(*second)
        sync_once(*first)
        expected = ("阳城县东冶煤业有限公司（乙）", "东冶镇东冶村", "13903560000", "张三")  # b renamed it later
        assert _columns(a, ent) == _columns(b, ent) == expected
        for store in (a, b):
            with store.session() as session:
                assert session.exec(select(OutboxEntry)).all() == []
        sync_once(boss, http_boss)
        assert _columns(boss, ent) == expected
        with boss.session() as session:
            logged = session.exec(select(SyncConflict)).all()
        assert len(logged) == 1
        [conflict] = logged
        assert (conflict.table_name, conflict.record_id, conflict.field_name) == ("enterprise", ent, "name")
        assert conflict.kept_value == "阳城县东冶煤业有限公司（乙）"
        assert conflict.lost_value == "阳城县东冶煤业有限公司（甲）"
        assert (conflict.kept_device, conflict.lost_device) == (b.device_id, a.device_id)
        assert (conflict.kept_by, conflict.lost_by) == ("执法b（b）", "执法a（a）")
        for store in (a, b):  # inspectors' laptops do not receive the log
            with store.session() as session:
                assert session.exec(select(SyncConflict)).all() == []
    finally:
        for store in (a, b, boss):
            store.close()


def test_an_edit_made_while_pulling_is_kept_and_wins_later(office: Office, tmp_path: Path) -> None:
    a, http_a = laptop(office, tmp_path, "a")
    b, http_b = laptop(office, tmp_path, "b")
    try:
        ent = _register(a)
        sync_once(a, http_a)
        sync_once(b, http_b)
        _edit(b, ent, contact_phone="13900000001", address="润城镇")
        sync_once(b, http_b)
        _edit(a, ent, contact_phone="13900000002")  # after b's edit; not yet pushed
        with a.session() as session:
            link = office_link(session)
        assert link is not None
        pull(a, http_a, link, SyncReport())  # the office's copy arrives while a's change is pending
        assert _columns(a, ent)[1:3] == ("润城镇", "13900000002")  # b's address taken, a's phone kept
        sync_once(a, http_a)
        sync_once(b, http_b)
        assert _columns(a, ent) == _columns(b, ent)
        assert _columns(b, ent)[1:3] == ("润城镇", "13900000002")
    finally:
        a.close()
        b.close()


def test_plans_and_complaints_reach_supervisors_only(office: Office, tmp_path: Path) -> None:
    from datetime import timedelta

    from inspector import clock
    from inspector.desk.complaints import register_complaint
    from inspector.domain.enums import ComplaintChannel
    from inspector.store.models import Complaint
    from inspector.sync.client import SyncError

    boss, http_boss = laptop(office, tmp_path, "boss", role="supervisor", demo=True)
    deputy, http_deputy = laptop(office, tmp_path, "deputy", role="supervisor")
    a, http_a = laptop(office, tmp_path, "a")
    try:
        with boss.session() as session:
            complaint = register_complaint(
                session,
                channel=ComplaintChannel.PHONE,
                content="某加油站夜间违规卸油",
                deadline=clock.local_today() + timedelta(days=10),
                place="润城镇",
                anonymous=False,
                reporter_name="举报人甲",
                reporter_phone="13900000009",
            )
            complaint_id = complaint.id
        sync_once(boss, http_boss)
        sync_once(deputy, http_deputy)
        sync_once(a, http_a)
        with deputy.session() as session:
            got = session.get(Complaint, complaint_id)
            assert got is not None and got.reporter_name == "举报人甲"
        with a.session() as session:
            assert session.exec(select(Complaint)).all() == []  # never on an inspector's laptop
        # And an inspector's laptop cannot send one.
        with a.session() as session:
            forged = register_complaint(
                session, channel=ComplaintChannel.PHONE, content="x", deadline=clock.local_today(), place="y"
            )
            assert forged.anonymous
        with pytest.raises(SyncError) as err:
            sync_once(a, http_a)
        assert err.value.code == "forbidden"
    finally:
        for store in (boss, deputy, a):
            store.close()
