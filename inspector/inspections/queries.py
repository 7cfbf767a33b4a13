"""Read-side lists of tasks, inspections and findings as plain rows for screens and the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from inspector.domain.enums import TaskStatus
from inspector.domain.rules import OPEN_FINDING_STATES, is_overdue
from inspector.store.models import Enterprise, Finding, Inspection, InspectionTask


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


def list_inspections(session: Session, *, limit: int = 500) -> list[InspectionRow]:
    stmt = (
        select(Inspection, Enterprise)
        .join(Enterprise, col(Enterprise.id) == col(Inspection.enterprise_id))
        .order_by(col(Inspection.started_at).desc())
        .limit(limit)
    )
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
        )
        for i, e in session.exec(stmt)
    ]


def list_findings(session: Session, *, today: date, open_only: bool = True) -> list[FindingRow]:
    stmt = select(Finding, Enterprise).join(Enterprise, col(Enterprise.id) == col(Finding.enterprise_id))
    if open_only:
        stmt = stmt.where(col(Finding.status).in_(OPEN_FINDING_STATES))
    stmt = stmt.order_by(col(Finding.deadline), col(Finding.position))
    return [
        FindingRow(
            id=f.id,
            inspection_id=f.inspection_id,
            enterprise_name=e.name,
            description=f.description,
            grade=str(f.grade),
            measure=str(f.measure),
            deadline=f.deadline,
            status=str(f.status),
            overdue=is_overdue(f.deadline, f.status, today),
            supervised_by=f.supervised_by,
        )
        for f, e in session.exec(stmt)
    ]
