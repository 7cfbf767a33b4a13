"""Everything about one enterprise (一企一档): its inspections, open findings, documents, quizzes and penalties.

Five queries, each read off an index on the enterprise (inspection by enterprise and start, finding,
document and quiz session by enterprise), so the file of a much-inspected enterprise stays quick.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlmodel import Session, col
from sqlmodel import select as select_rows

from inspector import clock
from inspector.domain.enums import DocumentKind, DocumentStatus, HazardGrade, QuizStatus
from inspector.domain.rules import OPEN_FINDING_STATES, is_overdue
from inspector.errors import ValidationError
from inspector.reports.monthly import fine_cents
from inspector.store.models import (
    Document,
    Enterprise,
    Finding,
    Inspection,
    InspectionInspector,
    Inspector,
    QuizSession,
)

_PENALTY_KINDS = (DocumentKind.PENALTY_DECISION_UNIT, DocumentKind.PENALTY_DECISION_PERSON)


@dataclass(frozen=True)
class FileInspection:
    id: str
    started_at: datetime | None
    ended_at: datetime | None
    mode: str
    status: str
    inspectors: str  # names in order (主办 first), joined with 、
    findings: int
    major_findings: int
    case_year: int | None
    case_number: int | None


@dataclass(frozen=True)
class FileFinding:
    id: str
    inspection_id: str
    found_at: datetime | None  # the start of the inspection that recorded it
    description: str
    grade: str
    measure: str
    deadline: date | None
    status: str
    overdue: bool
    supervised_by: str


@dataclass(frozen=True)
class FileDocument:
    id: str
    inspection_id: str | None
    kind: str
    number_text: str
    status: str
    issued_at: datetime | None
    fine_yuan: Decimal | None  # penalty decisions only


@dataclass(frozen=True)
class FileQuiz:
    id: str
    inspection_id: str | None
    person_name: str
    person_post: str
    mode: str
    started_at: datetime | None
    score: float | None
    pass_mark: int
    status: str


@dataclass(frozen=True)
class EnterpriseFile:
    """One enterprise's record, newest first; `penalties` are the issued, not voided, 行政处罚决定书."""

    id: str
    name: str
    credit_code: str
    industry: str
    township: str
    address: str
    legal_representative: str
    risk_level: str
    is_key: bool
    inspections: tuple[FileInspection, ...]
    open_findings: tuple[FileFinding, ...]
    documents: tuple[FileDocument, ...]
    quizzes: tuple[FileQuiz, ...]
    penalties: tuple[FileDocument, ...]

    @property
    def findings(self) -> int:
        return sum(i.findings for i in self.inspections)

    @property
    def major_findings(self) -> int:
        return sum(i.major_findings for i in self.inspections)

    @property
    def overdue_findings(self) -> int:
        return sum(1 for f in self.open_findings if f.overdue)

    @property
    def fines_yuan(self) -> Decimal:
        return sum((p.fine_yuan or Decimal(0) for p in self.penalties), Decimal(0))

    @property
    def quiz_pass_rate(self) -> float | None:
        done = [q for q in self.quizzes if q.status in (QuizStatus.PASSED.value, QuizStatus.FAILED.value)]
        return sum(q.status == QuizStatus.PASSED.value for q in done) / len(done) if done else None


def enterprise_file(session: Session, enterprise_id: str, *, today: date | None = None) -> EnterpriseFile:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise ValidationError(f"No enterprise {enterprise_id}.", "找不到该生产经营单位。")
    today = today or clock.local_today()
    conn = session.connection()

    counts = (
        select(
            col(Finding.inspection_id).label("inspection_id"),
            func.count().label("findings"),
            func.sum(case((col(Finding.grade) == HazardGrade.MAJOR, 1), else_=0)).label("major"),
        )
        .where(col(Finding.enterprise_id) == enterprise_id)
        .group_by(col(Finding.inspection_id))
        .subquery()
    )
    inspection_rows = conn.execute(
        select(
            col(Inspection.id),
            col(Inspection.started_at),
            col(Inspection.ended_at),
            col(Inspection.mode),
            col(Inspection.status),
            col(Inspection.case_year),
            col(Inspection.case_number),
            func.coalesce(counts.c.findings, 0),
            func.coalesce(counts.c.major, 0),
        )
        .outerjoin(counts, counts.c.inspection_id == col(Inspection.id))
        .where(col(Inspection.enterprise_id) == enterprise_id)
        .order_by(col(Inspection.started_at).desc())
    ).all()
    names: dict[str, list[str]] = defaultdict(list)
    for inspection_id, name in conn.execute(
        select(col(InspectionInspector.inspection_id), col(Inspector.name))
        .join(Inspector, col(Inspector.id) == col(InspectionInspector.inspector_id))
        .join(Inspection, col(Inspection.id) == col(InspectionInspector.inspection_id))
        .where(col(Inspection.enterprise_id) == enterprise_id)
        .order_by(col(InspectionInspector.inspection_id), col(InspectionInspector.position))
    ):
        names[inspection_id].append(name)
    inspections = tuple(
        FileInspection(
            id=r[0],
            started_at=r[1],
            ended_at=r[2],
            mode=str(r[3]),
            status=str(r[4]),
            inspectors="、".join(names.get(r[0], [])),
            findings=int(r[7]),
            major_findings=int(r[8]),
            case_year=r[5],
            case_number=r[6],
        )
        for r in inspection_rows
    )

    open_findings = tuple(
        FileFinding(
            id=f.id,
            inspection_id=f.inspection_id,
            found_at=found_at,
            description=f.description,
            grade=f.grade.value,
            measure=f.measure.value,
            deadline=f.deadline,
            status=f.status.value,
            overdue=is_overdue(f.deadline, f.status, today),
            supervised_by=f.supervised_by,
        )
        for f, found_at in session.exec(
            select_rows(Finding, col(Inspection.started_at))
            .join(Inspection, col(Inspection.id) == col(Finding.inspection_id))
            .where(col(Finding.enterprise_id) == enterprise_id, col(Finding.status).in_(OPEN_FINDING_STATES))
            .order_by(col(Finding.deadline), col(Inspection.started_at), col(Finding.position))
        )
    )

    documents = tuple(
        FileDocument(
            id=r[0],
            inspection_id=r[1],
            kind=str(r[2]),
            number_text=r[3],
            status=str(r[4]),
            issued_at=r[5],
            fine_yuan=Decimal(int(r[6])) / 100 if r[2] in _PENALTY_KINDS else None,
        )
        for r in conn.execute(
            select(
                col(Document.id),
                col(Document.inspection_id),
                col(Document.kind),
                col(Document.number_text),
                col(Document.status),
                col(Document.issued_at),
                case((col(Document.kind).in_(_PENALTY_KINDS), fine_cents()), else_=0),
            )
            .where(col(Document.enterprise_id) == enterprise_id)
            .order_by(col(Document.issued_at).desc(), col(Document.kind))
        )
    )
    penalties = tuple(
        d
        for d in documents
        if d.kind in _PENALTY_KINDS and d.status in (DocumentStatus.ISSUED.value, DocumentStatus.SERVED.value)
    )

    quizzes = tuple(
        FileQuiz(
            id=q.id,
            inspection_id=q.inspection_id,
            person_name=q.person_name,
            person_post=q.person_post,
            mode=q.mode.value,
            started_at=q.started_at,
            score=q.score,
            pass_mark=q.pass_mark,
            status=q.status.value,
        )
        for q in session.scalars(
            select(QuizSession)
            .where(col(QuizSession.enterprise_id) == enterprise_id)
            .order_by(col(QuizSession.started_at).desc())
        )
    )
    return EnterpriseFile(
        id=enterprise.id,
        name=enterprise.name,
        credit_code=enterprise.credit_code,
        industry=enterprise.industry.value,
        township=enterprise.township,
        address=enterprise.address,
        legal_representative=enterprise.legal_representative,
        risk_level=enterprise.risk_level,
        is_key=enterprise.is_key,
        inspections=inspections,
        open_findings=open_findings,
        documents=documents,
        quizzes=quizzes,
        penalties=penalties,
    )
