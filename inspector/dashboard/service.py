"""Counts for the 工作台: today's tasks, open findings, overdue rectifications, unsynced records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from inspector.domain.enums import HazardGrade, InspectionStatus, TaskStatus
from inspector.domain.rules import OPEN_FINDING_STATES
from inspector.store.models import Finding, Inspection, InspectionTask, OutboxEntry


@dataclass(frozen=True)
class WorkbenchCounts:
    tasks_today: int
    open_tasks: int
    inspections_on_site: int
    open_findings: int
    open_major_findings: int
    overdue_findings: int
    unsynced_records: int


def _count(session: Session, stmt: object) -> int:
    return int(session.exec(stmt).one())  # type: ignore[call-overload]


def workbench_counts(session: Session, *, today: date) -> WorkbenchCounts:
    open_findings = select(func.count()).select_from(Finding).where(col(Finding.status).in_(OPEN_FINDING_STATES))
    return WorkbenchCounts(
        tasks_today=_count(
            session,
            select(func.count())
            .select_from(InspectionTask)
            .where(col(InspectionTask.status).in_((TaskStatus.PLANNED, TaskStatus.IN_PROGRESS)))
            .where(or_(col(InspectionTask.planned_date) == today, col(InspectionTask.due_date) == today)),
        ),
        open_tasks=_count(
            session,
            select(func.count())
            .select_from(InspectionTask)
            .where(col(InspectionTask.status).in_((TaskStatus.PLANNED, TaskStatus.IN_PROGRESS))),
        ),
        inspections_on_site=_count(
            session,
            select(func.count()).select_from(Inspection).where(Inspection.status == InspectionStatus.ON_SITE),
        ),
        open_findings=_count(session, open_findings),
        open_major_findings=_count(session, open_findings.where(Finding.grade == HazardGrade.MAJOR)),
        overdue_findings=_count(session, open_findings.where(col(Finding.deadline) < today)),
        unsynced_records=_count(
            session, select(func.count(func.distinct(OutboxEntry.record_id))).select_from(OutboxEntry)
        ),
    )
