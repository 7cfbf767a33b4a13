"""举报: anonymity kept, a check task for two officers due at the deadline, the result fed back on closing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from inspector import clock
from inspector.desk.complaints import close_complaint, complaint_to_task, list_complaints, register_complaint
from inspector.desk.dispatch import task_inspector_ids
from inspector.domain.enums import ComplaintChannel, ComplaintStatus, HazardGrade, InspectionMode, TaskStatus
from inspector.errors import TransitionError, ValidationError
from inspector.inspections.service import add_finding, finish_inspection, start_inspection
from inspector.store.db import Store
from inspector.store.models import Complaint, InspectionTask
from tests.conftest import photograph
from tests.desk.conftest import COUNTY, County

CONTENT = "该企业夜间违规组织生产，车间消防通道被货物堵塞"


def _deadline(days: int = 15) -> date:
    return clock.local_today() + timedelta(days=days)


def test_an_anonymous_complaint_never_keeps_the_reporters_identity(store: Store, county: County) -> None:
    for name, phone in (("张某", ""), ("", "13812345678"), ("张某", "13812345678")):
        with pytest.raises(ValidationError) as err, store.session() as session:
            register_complaint(
                session, channel="12350", content=CONTENT, deadline=_deadline(), anonymous=True,
                reporter_name=name, reporter_phone=phone, enterprise_id=county.general_ids[0],
            )  # fmt: skip
        assert err.value.code == "anonymous_identity" and "匿名举报不得登记" in err.value.message_zh
    with store.session() as session:
        assert session.exec(select(Complaint)).all() == []  # nothing was saved
        quiet = register_complaint(
            session, channel=ComplaintChannel.LETTER, content=CONTENT, deadline=_deadline(), place="町店镇某砖厂"
        )
        named = register_complaint(
            session, channel="电话", content=CONTENT, deadline=_deadline(), reporter_name=" 张某 ",
            reporter_phone="138 1234 5678", enterprise_id=county.general_ids[0],
        )  # fmt: skip
    assert quiet.anonymous and (quiet.reporter_name, quiet.reporter_phone) == ("", "")  # anonymous unless named
    assert quiet.county_code == COUNTY  # from the agency, as no enterprise is named
    assert not named.anonymous and (named.reporter_name, named.reporter_phone) == ("张某", "13812345678")
    # The database refuses it too, whatever the path.
    with pytest.raises(IntegrityError, match="ck_complaint_anonymous"), store.session() as session:
        row = session.get(Complaint, quiet.id)
        assert row is not None
        row.reporter_name = "李某"
        session.add(row)


def test_a_complaint_needs_content_a_target_a_valid_channel_and_deadline(store: Store, county: County) -> None:
    good = {"channel": "网络", "content": CONTENT, "deadline": _deadline(), "place": "某地"}
    for bad in (
        {"content": "  "},
        {"place": ""},
        {"channel": "微信"},
        {"deadline": clock.local_today() - timedelta(days=1)},
        {"enterprise_id": "no-such-enterprise"},
        {"reporter_name": "张某", "reporter_phone": "12345"},
    ):
        with pytest.raises(ValidationError), store.session() as session:
            register_complaint(session, **{**good, **bad})  # type: ignore[arg-type]


def test_a_complaint_becomes_a_task_for_two_officers_due_at_its_deadline(store: Store, county: County) -> None:
    deadline = _deadline(10)
    with store.session() as session:
        complaint = register_complaint(
            session, channel="来访", content=CONTENT, deadline=deadline, enterprise_id=county.general_ids[0]
        )
        with pytest.raises(ValidationError):  # one officer, named twice
            complaint_to_task(session, complaint.id, [county.officer_ids[0], county.officer_ids[0]])
        task = complaint_to_task(session, complaint.id, county.officer_ids[1:3])
        assert task_inspector_ids(session, task.id) == county.officer_ids[1:3]
        stored = session.get(Complaint, complaint.id)
        assert stored is not None
    assert (task.source, task.mode, task.due_date, task.status) == (
        "举报",
        InspectionMode.COMPLAINT,
        deadline,
        TaskStatus.PLANNED,
    )
    assert task.enterprise_id == county.general_ids[0] and task.title.startswith("举报核查：")
    assert CONTENT in task.purpose
    assert stored.status is ComplaintStatus.CHECKING and stored.task_id == task.id
    with pytest.raises(TransitionError), store.session() as session:  # one task per complaint
        complaint_to_task(session, complaint.id, county.officer_ids[:2])


def test_a_complaint_about_a_place_is_checked_at_the_enterprise_named_then(store: Store, county: County) -> None:
    with store.session() as session:
        complaint = register_complaint(session, channel="电话", content=CONTENT, deadline=_deadline(), place="凤城镇")
        with pytest.raises(ValidationError) as err:
            complaint_to_task(session, complaint.id, county.officer_ids[:2])
        assert "请指定要核查的单位" in err.value.message_zh
        task = complaint_to_task(session, complaint.id, county.officer_ids[:2], enterprise_id=county.general_ids[3])
        assert session.get(Complaint, complaint.id).enterprise_id == county.general_ids[3]  # type: ignore[union-attr]
    assert task.enterprise_id == county.general_ids[3]


def test_closing_waits_for_the_check_and_feeds_its_result_back(store: Store, county: County) -> None:
    with store.session() as session:
        complaint = register_complaint(
            session, channel="12350", content=CONTENT, deadline=_deadline(), enterprise_id=county.general_ids[0]
        )
        task = complaint_to_task(session, complaint.id, county.officer_ids[:2])
        with pytest.raises(TransitionError) as err:
            close_complaint(session, complaint.id, "已核查")
        assert "尚未完成" in err.value.message_zh
        inspection = start_inspection(
            session,
            enterprise_id=task.enterprise_id,
            inspector_ids=county.officer_ids[:2],
            mode=InspectionMode.COMPLAINT,
            task_id=task.id,
        )
        major = add_finding(
            session,
            inspection_id=inspection.id,
            description="车间安全出口被货物堵塞",
            grade=HazardGrade.MAJOR,
            deadline=clock.local_today() + timedelta(days=3),
        )
        add_finding(
            session,
            inspection_id=inspection.id,
            description="灭火器过期",
            deadline=clock.local_today() + timedelta(days=7),
        )
        photograph(session, store, inspection_id=inspection.id, finding_id=major.id)
        with pytest.raises(TransitionError):  # on site still
            close_complaint(session, complaint.id, "已核查")
        finish_inspection(session, inspection_id=inspection.id)
        assert session.get(InspectionTask, task.id).status is TaskStatus.DONE  # type: ignore[union-attr]
        closed = close_complaint(session, complaint.id)  # no text: the inspection's findings say it
        assert closed.inspection_id == inspection.id and closed.closed_at is not None
        assert closed.status is ComplaintStatus.CLOSED
        assert "现场核查，发现事故隐患2项（其中重大事故隐患1项），已依法责令整改" in closed.result
        with pytest.raises(TransitionError):
            close_complaint(session, complaint.id, "再办结一次")


def test_a_complaint_without_a_check_is_closed_with_a_result(store: Store, county: County) -> None:
    with store.session() as session:
        complaint = register_complaint(
            session, channel="信函", content="某路段渣土车超载", deadline=_deadline(), place="某路"
        )
        with pytest.raises(ValidationError):
            close_complaint(session, complaint.id, "  ")
        closed = close_complaint(session, complaint.id, "不属于本部门职责，已转交县交通运输局办理")
    assert closed.status is ComplaintStatus.CLOSED and closed.result.startswith("不属于本部门职责")


def test_the_list_shows_open_complaints_first_and_marks_the_overdue(store: Store, county: County) -> None:
    today = clock.local_today()
    with store.session() as session:
        late = register_complaint(
            session, channel="电话", content="逾期未办", deadline=today, place="甲地",
            received_at=clock.now() - timedelta(days=20),
        )  # fmt: skip
        late.deadline = today - timedelta(days=1)  # its deadline has passed since
        session.add(late)
        named = register_complaint(
            session, channel="电话", content="实名举报", deadline=today + timedelta(days=5),
            reporter_name="王某", enterprise_id=county.general_ids[0],
        )  # fmt: skip
        done = register_complaint(session, channel="网络", content="已办结", deadline=today, place="乙地")
        close_complaint(session, done.id, "已核实处理")
        rows = list_complaints(session)
        open_rows = list_complaints(session, status=ComplaintStatus.REGISTERED)
    assert [r.id for r in rows] == [late.id, named.id, done.id]
    assert [r.overdue for r in rows] == [True, False, False]
    assert [r.reporter for r in rows] == ["匿名", "王某", "匿名"]
    assert rows[1].about.startswith("阳城县") and rows[0].about == "甲地"
    assert {r.id for r in open_rows} == {late.id, named.id}
    assert rows[2].to_json()["status"] == "已办结"
