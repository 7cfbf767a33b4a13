"""Dispatch one inspection task to named inspectors; tasks are synced, so they reach the laptops at next sync."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from inspector import clock
from inspector.domain.enums import InspectionMode, PlanStatus, TaskStatus
from inspector.domain.rules import check_inspector_count
from inspector.errors import TransitionError, ValidationError
from inspector.store.models import AnnualPlan, Enterprise, InspectionTask, Inspector, PlanEntry, TaskInspector

PLAN_SOURCE = "年度计划"
COMPLAINT_SOURCE = "举报"
SOURCES = (PLAN_SOURCE, "双随机", COMPLAINT_SOURCE, "临时")  # InspectionTask.source

_MODES = {"双随机": InspectionMode.DOUBLE_RANDOM, COMPLAINT_SOURCE: InspectionMode.COMPLAINT}
_PURPOSES = {
    PLAN_SOURCE: "按照年度监督检查计划，对你单位安全生产法律法规执行情况进行监督检查。",
    "双随机": "对你单位安全生产法律法规执行情况进行双随机抽查。",
    COMPLAINT_SOURCE: "对群众举报反映的问题进行核查。",
    "临时": "对你单位安全生产法律法规执行情况进行监督检查。",
}


def _officers(session: Session, inspector_ids: Sequence[str]) -> list[Inspector]:
    """The distinct officers, each active and holding a 执法证; at least two (domain rule)."""
    officers: list[Inspector] = []
    for inspector_id in dict.fromkeys(inspector_ids):
        officer = session.get(Inspector, inspector_id)
        if officer is None:
            raise ValidationError(f"No inspector {inspector_id}.", "找不到该执法人员。")
        if not officer.active:
            raise ValidationError(f"{officer.name} is not active.", f"{officer.name}已停用，不能派发任务。")
        if not officer.cert_no.strip():
            # 安全生产法 第六十七条: each officer shows a valid 执法证件; without one he may only assist.
            raise ValidationError(
                f"{officer.name} holds no enforcement certificate.", f"{officer.name}没有执法证号，不能承担检查任务。"
            )
        officers.append(officer)
    check_inspector_count([o.cert_no for o in officers])
    return officers


def _check_plan_entry(session: Session, plan_entry_id: str, enterprise_id: str, due_date: date) -> None:
    entry = session.get(PlanEntry, plan_entry_id)
    if entry is None:
        raise ValidationError(f"No plan entry {plan_entry_id}.", "找不到该年度计划条目。")
    plan = session.get(AnnualPlan, entry.plan_id)
    assert plan is not None
    if entry.enterprise_id != enterprise_id:
        raise ValidationError("The plan entry is for another enterprise.", "该计划条目不是这家企业的。")
    if plan.status is not PlanStatus.APPROVED:
        raise TransitionError(
            "Tasks are dispatched from an approved plan only.", "年度监督检查计划尚未批准，不能按计划派发任务。"
        )
    if due_date.year != plan.year:
        raise ValidationError(
            f"The due date is outside the plan's year {plan.year}.", f"任务期限不在计划年度（{plan.year}年）内。"
        )
    dispatched = session.exec(
        select(func.count())
        .select_from(InspectionTask)
        .where(InspectionTask.plan_entry_id == plan_entry_id, InspectionTask.status != TaskStatus.CANCELLED)
    ).one()
    if dispatched >= entry.planned_count:
        raise ValidationError(
            f"All {entry.planned_count} planned inspections of the entry are dispatched already.",
            f"该企业年度计划检查{entry.planned_count}次，已全部派发。",
        )


def dispatch_task(
    session: Session,
    *,
    enterprise_id: str,
    inspector_ids: Sequence[str],
    due_date: date,
    title: str,
    source: str,
    plan_entry_id: str | None = None,
    mode: InspectionMode | None = None,
    purpose: str = "",
) -> InspectionTask:
    """One task for one enterprise, assigned to at least two distinct officers with 执法证 (first in charge)."""
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise ValidationError(f"No enterprise {enterprise_id}.", "找不到被检查单位。")
    title = title.strip()
    if not title:
        raise ValidationError("A task needs a title.", "任务名称不能为空。")
    if source not in SOURCES:
        raise ValidationError(f"Unknown task source {source!r}.", f"任务来源应为：{'、'.join(SOURCES)}。")
    today = clock.local_today()
    if due_date < today:
        raise ValidationError("The due date has passed.", f"任务期限（{due_date}）早于今天。")
    officers = _officers(session, inspector_ids)
    if plan_entry_id is not None:
        _check_plan_entry(session, plan_entry_id, enterprise_id, due_date)
    task = InspectionTask(
        enterprise_id=enterprise_id,
        mode=mode or _MODES.get(source, InspectionMode.UNANNOUNCED),
        title=title,
        purpose=purpose.strip() or _PURPOSES[source],
        planned_date=today,
        due_date=due_date,
        status=TaskStatus.PLANNED,
        source=source,
        plan_entry_id=plan_entry_id,
    )
    session.add(task)
    session.flush()
    for position, officer in enumerate(officers):
        session.add(TaskInspector(task_id=task.id, inspector_id=officer.id, position=position))
    session.flush()
    return task


def task_inspector_ids(session: Session, task_id: str) -> list[str]:
    return [
        str(i)
        for i in session.exec(
            select(TaskInspector.inspector_id)
            .where(TaskInspector.task_id == task_id)
            .order_by(col(TaskInspector.position))
        )
    ]
