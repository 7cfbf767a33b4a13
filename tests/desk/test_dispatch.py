"""Dispatching one task: two or more distinct officers with 执法证, a due date ahead, from an approved plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from inspector import clock
from inspector.desk.dispatch import dispatch_task, task_inspector_ids
from inspector.desk.plans import approve_plan, draft_plan, plan_entries, set_entry
from inspector.domain.enums import InspectionMode, TaskStatus
from inspector.errors import TransitionError, ValidationError
from inspector.store.db import Store
from inspector.store.models import InspectionTask, Inspector, OutboxEntry, TaskInspector
from tests.desk.conftest import COUNTY, PLAN_YEAR, County

DUE = clock.local_today() + timedelta(days=14)


def _dispatch(store: Store, county: County, **kw: object) -> InspectionTask:
    args: dict[str, object] = {
        "enterprise_id": county.general_ids[0],
        "inspector_ids": county.officer_ids[:2],
        "due_date": DUE,
        "title": "城镇燃气安全专项检查",
        "source": "临时",
    }
    with store.session() as session:
        return dispatch_task(session, **{**args, **kw})  # type: ignore[arg-type]


def test_a_task_for_two_officers_reaches_the_outbox(store: Store, county: County) -> None:
    task = _dispatch(store, county, inspector_ids=[county.officer_ids[2], county.officer_ids[0]])
    assert (task.status, task.mode, task.due_date, task.source) == (
        TaskStatus.PLANNED,
        InspectionMode.UNANNOUNCED,
        DUE,
        "临时",
    )
    with store.session() as session:
        assert task_inspector_ids(session, task.id) == [county.officer_ids[2], county.officer_ids[0]]  # in charge first
        pending = {(e.table_name, e.record_id) for e in session.exec(select(OutboxEntry))}
        assigned = session.exec(select(TaskInspector).where(TaskInspector.task_id == task.id)).all()
    # Tasks are synced records: the next sync pushes them, and the officers' laptops pull them.
    assert ("inspectiontask", task.id) in pending
    assert all(("taskinspector", a.id) in pending for a in assigned)
    assert _dispatch(store, county, source="双随机").mode is InspectionMode.DOUBLE_RANDOM


def test_fewer_than_two_distinct_officers_are_refused(store: Store, county: County) -> None:
    for ids in ([county.officer_ids[0]], [county.officer_ids[0], county.officer_ids[0]], []):
        with pytest.raises(ValidationError) as err:
            _dispatch(store, county, inspector_ids=ids)
        assert "不少于2名持有执法证" in err.value.message_zh
    with store.session() as session:
        assert session.exec(select(InspectionTask)).all() == []


def test_officers_without_a_certificate_or_inactive_are_refused(store: Store, county: County) -> None:
    with store.session() as session:
        helper = Inspector(name="协管员小周", cert_no="", county_code=COUNTY)  # 编外: assists, no 执法证
        session.add(helper)
        retired = session.get(Inspector, county.officer_ids[2])
        assert retired is not None
        retired.active = False
        session.add(retired)
    with pytest.raises(ValidationError) as no_cert:
        _dispatch(store, county, inspector_ids=[*county.officer_ids[:2], helper.id])
    assert "没有执法证号" in no_cert.value.message_zh
    with pytest.raises(ValidationError) as inactive:
        _dispatch(store, county, inspector_ids=[county.officer_ids[0], county.officer_ids[2]])
    assert "已停用" in inactive.value.message_zh


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"due_date": clock.local_today() - timedelta(days=1)}, "早于今天"),
        ({"title": " "}, "任务名称不能为空"),
        ({"source": "上级交办"}, "任务来源应为"),
        ({"enterprise_id": "no-such-enterprise"}, "找不到被检查单位"),
        ({"inspector_ids": ["no-such-officer", "another"]}, "找不到该执法人员"),
    ],
)
def test_bad_dispatches_are_refused(store: Store, county: County, change: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as err:
        _dispatch(store, county, **change)
    assert message in err.value.message_zh


def test_tasks_from_the_plan_need_an_approved_plan_and_stay_within_its_entry(store: Store, county: County) -> None:
    due = date(PLAN_YEAR, 3, 31)
    key = county.key_ids[0]
    with store.session() as session:
        draft = draft_plan(session, year=PLAN_YEAR, county=COUNTY, sample_ratio=0.0)
        entry = set_entry(session, plan_id=draft.plan_id, enterprise_id=key, planned_count=1, months=[3])
    plan_args = {"enterprise_id": key, "due_date": due, "source": "年度计划", "plan_entry_id": entry.id}
    with pytest.raises(TransitionError) as draft_refused:
        _dispatch(store, county, **plan_args)
    assert "尚未批准" in draft_refused.value.message_zh
    with store.session() as session:
        approve_plan(session, draft.plan_id, county.supervisor_id)
        other = next(e for e in plan_entries(session, draft.plan_id) if e.enterprise_id != key)
    with pytest.raises(ValidationError):  # the entry is another enterprise's
        _dispatch(store, county, **{**plan_args, "plan_entry_id": other.id})
    with pytest.raises(ValidationError):  # outside the plan's year
        _dispatch(store, county, **{**plan_args, "due_date": date(PLAN_YEAR + 1, 1, 5)})
    task = _dispatch(store, county, **plan_args)
    assert task.plan_entry_id == entry.id and "年度监督检查计划" in task.purpose
    with pytest.raises(ValidationError) as all_sent:
        _dispatch(store, county, **plan_args)
    assert "已全部派发" in all_sent.value.message_zh
    with store.session() as session:  # a cancelled task frees its place
        cancelled = session.get(InspectionTask, task.id)
        assert cancelled is not None
        cancelled.status = TaskStatus.CANCELLED
        session.add(cancelled)
    assert _dispatch(store, county, **plan_args).plan_entry_id == entry.id
