"""举报: register a complaint, check it by an inspection task, close it with the result fed back.

阳政发〔2024〕1号 §十 asks for a 规范办理流程 of 举报 (交办转办、核查); here: 登记 → 核查中 (a 举报核查 task
with two officers, due at the complaint's deadline) → 已办结 (the result, from the finished inspection).
A reporter may stay anonymous; an anonymous complaint never stores who made it (also a check constraint).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from inspector import clock
from inspector.desk.dispatch import COMPLAINT_SOURCE, dispatch_task
from inspector.domain.enums import (
    ComplaintChannel,
    ComplaintStatus,
    HazardGrade,
    InspectionMode,
    InspectionStatus,
    TaskStatus,
)
from inspector.domain.identifiers import validate_phone
from inspector.domain.rules import check_complaint_transition
from inspector.errors import TransitionError, ValidationError
from inspector.store.models import Complaint, Enterprise, Finding, Inspection, InspectionTask
from inspector.store.settings import agency_county_code

_FINISHED = (InspectionStatus.FINISHED, InspectionStatus.DOCUMENTS_ISSUED, InspectionStatus.CLOSED)


def _channel(value: ComplaintChannel | str) -> ComplaintChannel:
    try:
        return ComplaintChannel(value)
    except ValueError:
        known = "、".join(c.value for c in ComplaintChannel)
        raise ValidationError(f"Unknown channel {value!r}; one of {known}.", f"举报渠道应为：{known}。") from None


def register_complaint(
    session: Session,
    *,
    channel: ComplaintChannel | str,
    content: str,
    deadline: date,
    received_at: datetime | None = None,
    anonymous: bool | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    enterprise_id: str | None = None,
    place: str = "",
) -> Complaint:
    """登记 a complaint. `anonymous` None: anonymous unless the reporter gave a name or phone; True with either
    of them is refused, so that an anonymous reporter's identity is never written down."""
    name, phone = reporter_name.strip(), reporter_phone.strip()
    if anonymous and (name or phone):
        raise ValidationError(
            "An anonymous complaint keeps no reporter's name or phone.",
            "匿名举报不得登记举报人姓名或联系电话。",
            code="anonymous_identity",
        )
    content = content.strip()
    if not content:
        raise ValidationError("What is reported is empty.", "举报内容不能为空。")
    county = agency_county_code(session)
    if enterprise_id is not None:
        enterprise = session.get(Enterprise, enterprise_id)
        if enterprise is None:
            raise ValidationError(f"No enterprise {enterprise_id}.", "找不到被举报单位。")
        county = enterprise.county_code or county
    elif not place.strip():
        raise ValidationError("Name the enterprise or the place reported.", "请填写被举报单位或举报地点。")
    received = received_at or clock.now()
    if received.tzinfo is None:
        raise ValidationError("The time received needs a time zone.", "受理时间缺少时区。")
    if deadline < clock.to_local(received).date():
        raise ValidationError("The deadline is before the complaint was received.", "办理期限早于受理日期。")
    complaint = Complaint(
        county_code=county,
        received_at=received,
        channel=_channel(channel),
        anonymous=not (name or phone) if anonymous is None else anonymous,
        reporter_name=name,
        reporter_phone=validate_phone(phone) if phone else "",
        enterprise_id=enterprise_id,
        place=place.strip(),
        content=content,
        deadline=deadline,
        status=ComplaintStatus.REGISTERED,
    )
    session.add(complaint)
    session.flush()
    return complaint


def get_complaint(session: Session, complaint_id: str) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise ValidationError(f"No complaint {complaint_id}.", "找不到该举报件。")
    return complaint


def complaint_to_task(
    session: Session,
    complaint_id: str,
    inspector_ids: Sequence[str],
    *,
    enterprise_id: str | None = None,
    title: str = "",
) -> InspectionTask:
    """A 举报核查 task for two or more officers with 执法证, due at the complaint's deadline."""
    complaint = get_complaint(session, complaint_id)
    check_complaint_transition(complaint.status, ComplaintStatus.CHECKING)
    if enterprise_id and complaint.enterprise_id and enterprise_id != complaint.enterprise_id:
        raise ValidationError("The complaint names another enterprise.", "举报件登记的被举报单位与所选单位不一致。")
    target = enterprise_id or complaint.enterprise_id
    if target is None:
        raise ValidationError(
            "Name the enterprise to check (the complaint gives only a place).",
            f"举报件只登记了地点（{complaint.place}），请指定要核查的单位。",
        )
    summary = complaint.content if len(complaint.content) <= 20 else complaint.content[:20] + "…"
    task = dispatch_task(
        session,
        enterprise_id=target,
        inspector_ids=inspector_ids,
        due_date=complaint.deadline,
        title=title.strip() or f"举报核查：{summary}",
        source=COMPLAINT_SOURCE,
        mode=InspectionMode.COMPLAINT,
        purpose=f"对群众举报反映的问题进行核查：{complaint.content}",
    )
    complaint.enterprise_id = target
    complaint.task_id = task.id
    complaint.status = ComplaintStatus.CHECKING
    session.add(complaint)
    session.flush()
    return task


def _finished_inspection(session: Session, task_id: str) -> Inspection | None:
    return session.exec(
        select(Inspection)
        .where(Inspection.task_id == task_id, col(Inspection.status).in_(_FINISHED))
        .order_by(col(Inspection.started_at).desc())
    ).first()


def inspection_summary(session: Session, inspection: Inspection) -> str:
    """What the check found, in the words of a 办理结果."""
    day = clock.to_local(inspection.started_at).date() if inspection.started_at else None
    when = f"{day.year}年{day.month}月{day.day}日" if day else ""
    rows = session.exec(
        select(Finding.grade, func.count()).where(Finding.inspection_id == inspection.id).group_by(col(Finding.grade))
    ).all()
    counts = {str(g): int(n) for g, n in rows}
    total, major = sum(counts.values()), counts.get(HazardGrade.MAJOR.value, 0)
    if total == 0:
        return f"经{when}现场核查，未发现举报反映的安全生产违法行为和事故隐患。"
    found = f"发现事故隐患{total}项" + (f"（其中重大事故隐患{major}项）" if major else "")
    return f"经{when}现场核查，{found}，已依法责令整改。"


def close_complaint(
    session: Session, complaint_id: str, result: str = "", *, closed_at: datetime | None = None
) -> Complaint:
    """办结: the result is fed back. With a task, its inspection must be finished first; an empty result is then
    written from what the inspection found."""
    complaint = get_complaint(session, complaint_id)
    check_complaint_transition(complaint.status, ComplaintStatus.CLOSED)
    text = result.strip()
    if complaint.task_id is not None:
        task = session.get(InspectionTask, complaint.task_id)
        if task is not None and task.status in (TaskStatus.PLANNED, TaskStatus.IN_PROGRESS):
            raise TransitionError(
                "The complaint's check is not finished yet.", "举报核查任务尚未完成（现场检查未结束），不能办结。"
            )
        inspection = _finished_inspection(session, complaint.task_id) if task is not None else None
        if inspection is not None:
            complaint.inspection_id = inspection.id
            text = text or inspection_summary(session, inspection)
    if not text:
        raise ValidationError("A closed complaint needs its result.", "办结举报须填写办理结果。")
    complaint.result = text
    complaint.status = ComplaintStatus.CLOSED
    complaint.closed_at = closed_at or clock.now()
    session.add(complaint)
    session.flush()
    return complaint


@dataclass(frozen=True)
class ComplaintRow:
    id: str
    received_at: datetime
    channel: str
    reporter: str  # "匿名" for an anonymous complaint
    about: str  # the enterprise's name, or the place
    content: str
    deadline: date
    status: str
    overdue: bool
    task_id: str | None
    result: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "received_at": self.received_at.isoformat(),
            "channel": self.channel,
            "reporter": self.reporter,
            "about": self.about,
            "content": self.content,
            "deadline": self.deadline.isoformat(),
            "status": self.status,
            "overdue": self.overdue,
            "task_id": self.task_id,
            "result": self.result,
        }


def list_complaints(session: Session, *, status: ComplaintStatus | None = None) -> list[ComplaintRow]:
    """Open complaints by deadline first, then the closed ones; overdue = not closed after its deadline."""
    stmt = select(Complaint, Enterprise.name).join(
        Enterprise, col(Enterprise.id) == col(Complaint.enterprise_id), isouter=True
    )
    if status is not None:
        stmt = stmt.where(Complaint.status == status)
    today = clock.local_today()
    rows = [
        ComplaintRow(
            id=c.id,
            received_at=c.received_at,
            channel=c.channel.value,
            reporter="匿名" if c.anonymous else c.reporter_name or "（未留姓名）",
            about=name or c.place,
            content=c.content,
            deadline=c.deadline,
            status=c.status.value,
            overdue=c.status is not ComplaintStatus.CLOSED and c.deadline < today,
            task_id=c.task_id,
            result=c.result,
        )
        for c, name in session.exec(stmt)
    ]
    return sorted(rows, key=lambda r: (r.status == ComplaintStatus.CLOSED.value, r.deadline, r.received_at))
