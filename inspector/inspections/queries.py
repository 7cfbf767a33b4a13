"""Read-side lists of tasks, inspections and findings as plain rows for screens and the command line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from inspector import clock
from inspector.domain.enums import HazardGrade, Industry, InspectionStatus, TaskStatus
from inspector.domain.rules import OPEN_FINDING_STATES, is_overdue
from inspector.errors import ValidationError
from inspector.store.models import (
    Enterprise,
    Finding,
    Inspection,
    InspectionInspector,
    InspectionTask,
    Inspector,
    TaskInspector,
)
from inspector.store.search_index import FTS_TABLE

# The trigram index matches substrings of at least this many characters; shorter ones are scanned.
MIN_INDEXED_QUERY = 3


@dataclass(frozen=True)
class TaskRow:
    id: str
    enterprise_name: str
    industry: str
    mode: str
    title: str
    planned_date: date | None
    due_date: date | None
    status: str


@dataclass(frozen=True)
class InspectionRow:
    id: str
    enterprise_name: str
    industry: str
    mode: str
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    place: str
    inspectors: str = ""  # names, in order, joined with 、
    finding_count: int = 0
    major_count: int = 0


@dataclass(frozen=True)
class InspectionFilter:
    """What the inspection list is narrowed to; every field is optional."""

    text: str = ""
    status: InspectionStatus | None = None
    enterprise_id: str | None = None
    industry: Industry | None = None
    date_from: date | None = None  # local dates, inclusive
    date_to: date | None = None
    inspector_id: str | None = None
    review_of_inspection_id: str | None = None


@dataclass(frozen=True)
class FindingRow:
    id: str
    inspection_id: str
    enterprise_name: str
    description: str
    grade: str
    measure: str
    deadline: date | None
    status: str
    overdue: bool
    supervised_by: str
    basis: str = ""
    enterprise_id: str = ""


@dataclass(frozen=True)
class FindingFilter:
    open_only: bool = True
    overdue_only: bool = False
    major_only: bool = False
    enterprise_id: str | None = None
    inspection_id: str | None = None


def list_tasks(session: Session, *, open_only: bool = True) -> list[TaskRow]:
    stmt = select(InspectionTask, Enterprise).join(Enterprise, col(Enterprise.id) == col(InspectionTask.enterprise_id))
    if open_only:
        stmt = stmt.where(col(InspectionTask.status).in_((TaskStatus.PLANNED, TaskStatus.IN_PROGRESS)))
    stmt = stmt.order_by(col(InspectionTask.due_date), col(Enterprise.name))
    return [
        TaskRow(
            id=t.id,
            enterprise_name=e.name,
            industry=str(e.industry),
            mode=str(t.mode),
            title=t.title,
            planned_date=t.planned_date,
            due_date=t.due_date,
            status=str(t.status),
        )
        for t, e in session.exec(stmt)
    ]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=clock.CHINA_TZ)


def _filtered(stmt: Any, f: InspectionFilter) -> Any:
    if f.status is not None:
        stmt = stmt.where(Inspection.status == f.status)
    if f.enterprise_id:
        stmt = stmt.where(Inspection.enterprise_id == f.enterprise_id)
    if f.industry is not None:
        stmt = stmt.where(Enterprise.industry == f.industry)
    if f.date_from is not None:
        stmt = stmt.where(col(Inspection.started_at) >= _day_start(f.date_from))
    if f.date_to is not None:
        stmt = stmt.where(col(Inspection.started_at) < _day_start(f.date_to + timedelta(days=1)))
    if f.review_of_inspection_id:
        stmt = stmt.where(Inspection.review_of_inspection_id == f.review_of_inspection_id)
    if f.inspector_id:
        officers = select(InspectionInspector.inspection_id).where(InspectionInspector.inspector_id == f.inspector_id)
        stmt = stmt.where(col(Inspection.id).in_(officers))
    query = f.text.strip()
    if query:
        if len(query) >= MIN_INDEXED_QUERY:
            # A quoted FTS5 string is one phrase: with trigrams, a plain substring match.
            phrase = '"' + query.replace('"', '""') + '"'
            matched = text(f"SELECT inspection_id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q").bindparams(q=phrase)
        else:
            matched = text(f"SELECT inspection_id FROM {FTS_TABLE} WHERE instr(body, :q) > 0").bindparams(q=query)
        stmt = stmt.where(col(Inspection.id).in_(matched))
    return stmt


def count_inspections(session: Session, f: InspectionFilter | None = None) -> int:
    stmt = (
        select(func.count())
        .select_from(Inspection)
        .join(Enterprise, col(Enterprise.id) == col(Inspection.enterprise_id))
    )
    return int(session.exec(_filtered(stmt, f or InspectionFilter())).one())


def list_inspections(
    session: Session, f: InspectionFilter | None = None, *, limit: int = 200, offset: int = 0
) -> list[InspectionRow]:
    """Newest first; one page of rows with their inspectors and finding counts."""
    stmt = select(Inspection, Enterprise).join(Enterprise, col(Enterprise.id) == col(Inspection.enterprise_id))
    stmt = _filtered(stmt, f or InspectionFilter())
    stmt = stmt.order_by(col(Inspection.started_at).desc(), col(Inspection.id).desc()).limit(limit).offset(offset)
    pairs = list(session.exec(stmt))
    ids = [i.id for i, _ in pairs]
    names = _inspector_names(session, ids)
    counts = _finding_counts(session, ids)
    return [
        InspectionRow(
            id=i.id,
            enterprise_name=e.name,
            industry=str(e.industry),
            mode=str(i.mode),
            status=str(i.status),
            started_at=i.started_at,
            ended_at=i.ended_at,
            place=i.place,
            inspectors="、".join(names.get(i.id, [])),
            finding_count=counts.get(i.id, (0, 0))[0],
            major_count=counts.get(i.id, (0, 0))[1],
        )
        for i, e in pairs
    ]


def _inspector_names(session: Session, inspection_ids: Sequence[str]) -> dict[str, list[str]]:
    if not inspection_ids:
        return {}
    stmt = (
        select(InspectionInspector.inspection_id, Inspector.name)
        .join(Inspector, col(Inspector.id) == col(InspectionInspector.inspector_id))
        .where(col(InspectionInspector.inspection_id).in_(inspection_ids))
        .order_by(col(InspectionInspector.inspection_id), col(InspectionInspector.position))
    )
    names: dict[str, list[str]] = {}
    for inspection_id, name in session.exec(stmt):
        names.setdefault(str(inspection_id), []).append(str(name))
    return names


def _finding_counts(session: Session, inspection_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
    if not inspection_ids:
        return {}
    major = func.sum(func.iif(Finding.grade == HazardGrade.MAJOR, 1, 0))
    stmt = (
        select(Finding.inspection_id, func.count(), major)
        .where(col(Finding.inspection_id).in_(inspection_ids))
        .group_by(col(Finding.inspection_id))
    )
    return {str(i): (int(n), int(m or 0)) for i, n, m in session.exec(stmt)}


def list_findings(
    session: Session, *, today: date, open_only: bool = True, f: FindingFilter | None = None
) -> list[FindingRow]:
    f = f or FindingFilter(open_only=open_only)
    stmt = select(Finding, Enterprise).join(Enterprise, col(Enterprise.id) == col(Finding.enterprise_id))
    if f.open_only or f.overdue_only:
        stmt = stmt.where(col(Finding.status).in_(OPEN_FINDING_STATES))
    if f.overdue_only:
        stmt = stmt.where(col(Finding.deadline) < today)
    if f.major_only:
        stmt = stmt.where(Finding.grade == HazardGrade.MAJOR)
    if f.enterprise_id:
        stmt = stmt.where(Finding.enterprise_id == f.enterprise_id)
    if f.inspection_id:
        stmt = stmt.where(Finding.inspection_id == f.inspection_id)
    stmt = stmt.order_by(col(Finding.deadline), col(Finding.inspection_id), col(Finding.position))
    return [
        FindingRow(
            id=finding.id,
            inspection_id=finding.inspection_id,
            enterprise_name=e.name,
            description=finding.description,
            grade=str(finding.grade),
            measure=str(finding.measure),
            deadline=finding.deadline,
            status=str(finding.status),
            overdue=is_overdue(finding.deadline, finding.status, today),
            supervised_by=finding.supervised_by,
            basis=finding.basis,
            enterprise_id=e.id,
        )
        for finding, e in session.exec(stmt)
    ]


@dataclass(frozen=True)
class InspectionDetail:
    """The header of the inspection screen."""

    id: str
    enterprise_id: str
    enterprise_name: str
    industry: str
    address: str
    mode: str
    status: InspectionStatus
    started_at: datetime | None
    ended_at: datetime | None
    place: str
    purpose: str
    inspectors: list[str]
    checklist_template_id: str | None
    review_of_inspection_id: str | None
    on_site_person_name: str
    on_site_person_post: str
    on_site_person_phone: str
    witness: str
    experts: str
    latitude: float | None
    longitude: float | None
    notes: str
    unannounced_facts: tuple[bool, bool, bool]  # no advance notice, no escort, straight to the site


def inspection_detail(session: Session, inspection_id: str) -> InspectionDetail:
    row = session.exec(
        select(Inspection, Enterprise)
        .join(Enterprise, col(Enterprise.id) == col(Inspection.enterprise_id))
        .where(Inspection.id == inspection_id)
    ).first()
    if row is None:
        raise ValidationError(f"No inspection {inspection_id}.", "找不到该现场检查。")
    i, e = row
    return InspectionDetail(
        id=i.id,
        enterprise_id=e.id,
        enterprise_name=e.name,
        industry=str(e.industry),
        address=e.address,
        mode=str(i.mode),
        status=i.status,
        started_at=i.started_at,
        ended_at=i.ended_at,
        place=i.place,
        purpose=i.purpose,
        inspectors=_inspector_names(session, [i.id]).get(i.id, []),
        checklist_template_id=i.checklist_template_id,
        review_of_inspection_id=i.review_of_inspection_id,
        on_site_person_name=i.on_site_person_name,
        on_site_person_post=i.on_site_person_post,
        on_site_person_phone=i.on_site_person_phone,
        witness=i.witness,
        experts=i.experts,
        latitude=i.latitude,
        longitude=i.longitude,
        notes=i.notes,
        unannounced_facts=(i.no_advance_notice, i.no_escort, i.straight_to_site),
    )


@dataclass(frozen=True)
class TaskAssignment:
    task_id: str
    enterprise_id: str
    mode: str
    purpose: str
    inspector_ids: list[str]


def task_assignment(session: Session, task_id: str) -> TaskAssignment:
    task = session.get(InspectionTask, task_id)
    if task is None:
        raise ValidationError(f"No task {task_id}.", "找不到检查任务。")
    officers = session.exec(
        select(TaskInspector.inspector_id).where(TaskInspector.task_id == task_id).order_by(col(TaskInspector.position))
    )
    return TaskAssignment(task.id, task.enterprise_id, str(task.mode), task.purpose, [str(i) for i in officers])
