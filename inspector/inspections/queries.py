"""Read-side lists of tasks, inspections and findings as plain rows for screens and the command line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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
from inspector.store.search_index import FTS_TABLE, GRAMS_TABLE, KEY_TABLE, phrase
from inspector.store.types import UTCDateTime

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


def _stored(value: datetime) -> str:
    """A datetime as the store writes it (naive UTC text), for comparisons in hand-written SQL."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# Caps the total count: beyond it the list says "1000+", which keeps counting cheap over 100k inspections.
COUNT_CAP = 1000


def _plan(f: InspectionFilter) -> tuple[str, str, str, dict[str, Any]]:
    """FROM, WHERE and ORDER BY of one filtered inspection query, with its parameters.

    The driving table is chosen so that "the newest N" never sorts all matches: with a text query the FTS
    table in rowid order (its rowids follow started_at, see inspector.store.search_index); with one
    enterprise the (enterprise_id, started_at) index; otherwise the started_at index, CROSS JOIN keeping
    SQLite from looping over enterprises first.
    """
    where: list[str] = []
    params: dict[str, Any] = {}
    query = f.text.strip()
    if query:
        grams = len(query) == 2 and query.isalnum()
        index = GRAMS_TABLE if grams else FTS_TABLE
        source = (
            f"{index} s CROSS JOIN {KEY_TABLE} k ON k.rowid = s.rowid "
            "CROSS JOIN inspection i ON i.id = k.inspection_id JOIN enterprise e ON e.id = i.enterprise_id"
        )
        order = "s.rowid DESC"
        if grams:
            where.append(f"{GRAMS_TABLE} MATCH :q")  # a two-character query is one word of the pairs index
            params["q"] = phrase(query.lower())
        elif len(query) >= MIN_INDEXED_QUERY:
            where.append(f"{FTS_TABLE} MATCH :q")  # one quoted phrase: with trigrams, a substring match
            params["q"] = phrase(query)
        else:
            where.append("instr(s.body, :q) > 0")
            params["q"] = query
    elif f.enterprise_id:
        source = "inspection i JOIN enterprise e ON e.id = i.enterprise_id"
        order = "i.started_at DESC, i.id DESC"
    else:
        source = "inspection i CROSS JOIN enterprise e ON e.id = i.enterprise_id"
        order = "i.started_at DESC, i.id DESC"
    if f.status is not None:
        where.append("i.status = :status")
        params["status"] = f.status.value
    if f.enterprise_id:
        where.append("i.enterprise_id = :enterprise_id")
        params["enterprise_id"] = f.enterprise_id
    if f.industry is not None:
        where.append("e.industry = :industry")
        params["industry"] = f.industry.value
    if f.date_from is not None:
        where.append("i.started_at >= :date_from")
        params["date_from"] = _stored(_day_start(f.date_from))
    if f.date_to is not None:
        where.append("i.started_at < :date_to")
        params["date_to"] = _stored(_day_start(f.date_to + timedelta(days=1)))
    if f.review_of_inspection_id:
        where.append("i.review_of_inspection_id = :review_of")
        params["review_of"] = f.review_of_inspection_id
    if f.inspector_id:
        where.append(
            "EXISTS (SELECT 1 FROM inspectioninspector ii WHERE ii.inspection_id = i.id AND ii.inspector_id = :officer)"
        )
        params["officer"] = f.inspector_id
    return source, " AND ".join(where) or "1", order, params


def count_inspections(session: Session, f: InspectionFilter | None = None, *, cap: int = COUNT_CAP) -> int:
    """How many inspections match, counted up to `cap` + 1 (so "more than cap" can be told apart)."""
    source, where, _order, params = _plan(f or InspectionFilter())
    sql = text(f"SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {where} LIMIT :cap)")
    return int(session.connection().execute(sql, {**params, "cap": cap + 1}).scalar_one())


_ROW_COLUMNS = "i.id, e.name, e.industry, i.mode, i.status, i.started_at, i.ended_at, i.place"


def list_inspections(
    session: Session, f: InspectionFilter | None = None, *, limit: int = 200, offset: int = 0
) -> list[InspectionRow]:
    """Newest first; one page of rows with their inspectors and finding counts."""
    source, where, order, params = _plan(f or InspectionFilter())
    sql = text(
        f"SELECT {_ROW_COLUMNS} FROM {source} WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset"
    ).columns(started_at=UTCDateTime(), ended_at=UTCDateTime())
    rows = session.connection().execute(sql, {**params, "limit": limit, "offset": offset}).all()
    ids = [row[0] for row in rows]
    names = _inspector_names(session, ids)
    counts = _finding_counts(session, ids)
    return [
        InspectionRow(
            id=inspection_id,
            enterprise_name=name,
            industry=industry,
            mode=mode,
            status=status,
            started_at=started_at,
            ended_at=ended_at,
            place=place,
            inspectors="、".join(names.get(inspection_id, [])),
            finding_count=counts.get(inspection_id, (0, 0))[0],
            major_count=counts.get(inspection_id, (0, 0))[1],
        )
        for inspection_id, name, industry, mode, status, started_at, ended_at, place in rows
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
    lead_inspector_id: str | None  # 主办: position 0
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
        lead_inspector_id=session.exec(
            select(InspectionInspector.inspector_id)
            .where(InspectionInspector.inspection_id == i.id)
            .order_by(col(InspectionInspector.position))
        ).first(),
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
