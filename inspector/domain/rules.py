"""Pure workflow rules: which status changes are allowed, and the guards the law puts on them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from inspector.domain.enums import (
    ComplaintStatus,
    DocumentStatus,
    FindingStatus,
    HazardGrade,
    InspectionStatus,
    ReviewStatus,
    TaskStatus,
)
from inspector.errors import TransitionError, ValidationError

# 行政处罚法 第四十二条 (执法人员不得少于两人) and 行政强制法 第十八条(二) (两名以上行政执法人员); 安全生产法
# 第六十七条 requires each to show a valid 执法证件, so each must have a certificate number.
MIN_INSPECTORS = 2

INSPECTION_TRANSITIONS: Mapping[InspectionStatus, frozenset[InspectionStatus]] = {
    InspectionStatus.DRAFT: frozenset({InspectionStatus.ON_SITE}),
    InspectionStatus.ON_SITE: frozenset({InspectionStatus.FINISHED}),
    # Re-opening a finished inspection is allowed until a document has been issued from it.
    InspectionStatus.FINISHED: frozenset({InspectionStatus.ON_SITE, InspectionStatus.DOCUMENTS_ISSUED}),
    InspectionStatus.DOCUMENTS_ISSUED: frozenset({InspectionStatus.CLOSED}),
    InspectionStatus.CLOSED: frozenset(),
}

FINDING_TRANSITIONS: Mapping[FindingStatus, frozenset[FindingStatus]] = {
    # OPEN → CLOSED is 当场改正 of a general hazard; a 复查 may find an open one done or not done.
    FindingStatus.OPEN: frozenset(
        {FindingStatus.RECTIFYING, FindingStatus.REVIEW_PASSED, FindingStatus.REVIEW_FAILED, FindingStatus.CLOSED}
    ),
    FindingStatus.RECTIFYING: frozenset({FindingStatus.REVIEW_PASSED, FindingStatus.REVIEW_FAILED}),
    FindingStatus.REVIEW_FAILED: frozenset({FindingStatus.RECTIFYING, FindingStatus.REVIEW_PASSED}),
    FindingStatus.REVIEW_PASSED: frozenset({FindingStatus.CLOSED}),
    FindingStatus.CLOSED: frozenset(),
}

TASK_TRANSITIONS: Mapping[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.PLANNED: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.CANCELLED}),
    TaskStatus.IN_PROGRESS: frozenset({TaskStatus.DONE, TaskStatus.PLANNED}),
    TaskStatus.DONE: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
}

DOCUMENT_TRANSITIONS: Mapping[DocumentStatus, frozenset[DocumentStatus]] = {
    DocumentStatus.DRAFT: frozenset({DocumentStatus.ISSUED, DocumentStatus.VOID}),
    DocumentStatus.ISSUED: frozenset({DocumentStatus.SERVED, DocumentStatus.VOID}),
    DocumentStatus.SERVED: frozenset({DocumentStatus.VOID}),
    DocumentStatus.VOID: frozenset(),
}


COMPLAINT_TRANSITIONS: Mapping[ComplaintStatus, frozenset[ComplaintStatus]] = {
    # A complaint may be closed without a check of its own (e.g. passed to the competent department).
    ComplaintStatus.REGISTERED: frozenset({ComplaintStatus.CHECKING, ComplaintStatus.CLOSED}),
    ComplaintStatus.CHECKING: frozenset({ComplaintStatus.CLOSED}),
    ComplaintStatus.CLOSED: frozenset(),
}

NOT_SUBMITTED = ""  # Document.review_status of a decision nobody has submitted yet
REVIEW_TRANSITIONS: Mapping[str, frozenset[ReviewStatus]] = {
    NOT_SUBMITTED: frozenset({ReviewStatus.PENDING}),
    ReviewStatus.PENDING: frozenset({ReviewStatus.RETURNED, ReviewStatus.APPROVED}),
    ReviewStatus.RETURNED: frozenset({ReviewStatus.PENDING}),
    ReviewStatus.APPROVED: frozenset(),
}


def check_inspection_transition(current: InspectionStatus, new: InspectionStatus) -> None:
    if new not in INSPECTION_TRANSITIONS[current]:
        raise TransitionError(
            f"An inspection cannot go from {current.value} to {new.value}.",
            f"现场检查不能从“{current.value}”变为“{new.value}”。",
        )


def check_task_transition(current: TaskStatus, new: TaskStatus) -> None:
    if new not in TASK_TRANSITIONS[current]:
        raise TransitionError(
            f"A task cannot go from {current.value} to {new.value}.",
            f"检查任务不能从“{current.value}”变为“{new.value}”。",
        )


def check_document_transition(current: DocumentStatus, new: DocumentStatus) -> None:
    if new not in DOCUMENT_TRANSITIONS[current]:
        raise TransitionError(
            f"A document cannot go from {current.value} to {new.value}.",
            f"文书不能从“{current.value}”变为“{new.value}”。",
        )


def check_complaint_transition(current: ComplaintStatus, new: ComplaintStatus) -> None:
    if new not in COMPLAINT_TRANSITIONS[current]:
        raise TransitionError(
            f"A complaint cannot go from {current.value} to {new.value}.",
            f"举报件不能从“{current.value}”变为“{new.value}”。",
        )


def check_review_transition(current: str, new: ReviewStatus) -> None:
    """Submit → approve or return; a returned decision is corrected and submitted again."""
    allowed = REVIEW_TRANSITIONS.get(current, frozenset())
    if new not in allowed:
        shown = current or "未提交"
        raise TransitionError(
            f"A decision's review cannot go from {shown} to {new.value}.",
            f"文书审核不能从“{shown}”变为“{new.value}”。",
            code="review_transition",
        )


def check_finding_transition(
    current: FindingStatus,
    new: FindingStatus,
    *,
    grade: HazardGrade,
    reviewed_on_site: bool = False,
) -> None:
    """Raise if the finding may not move from current to new.

    A 重大事故隐患 is closed (销号) only after a 复查 on site: 销号须经现场验收, never on paper alone, and
    it can never skip straight from open to closed.
    """
    if new not in FINDING_TRANSITIONS[current]:
        raise TransitionError(
            f"A finding cannot go from {current.value} to {new.value}.",
            f"隐患不能从“{current.value}”变为“{new.value}”。",
        )
    closing_major = grade is HazardGrade.MAJOR and new is FindingStatus.CLOSED
    if closing_major and (current is not FindingStatus.REVIEW_PASSED or not reviewed_on_site):
        raise TransitionError(
            "A major accident hazard can only be closed after an on-site review passed.",
            "重大事故隐患须经现场复查合格后方可销号。",
        )


def check_inspector_count(cert_numbers: list[str]) -> None:
    """Refuse an inspection with fewer than two distinct officers holding 执法证."""
    distinct = {c.strip() for c in cert_numbers if c.strip()}
    if len(distinct) < MIN_INSPECTORS:
        raise ValidationError(
            f"An inspection needs at least {MIN_INSPECTORS} inspectors with enforcement certificates "
            f"(got {len(distinct)}).",
            f"现场检查须由不少于{MIN_INSPECTORS}名持有执法证的执法人员进行（当前{len(distinct)}名）。",
        )


# A finding still needing work: not yet rectified and confirmed by 复查.
OPEN_FINDING_STATES: tuple[FindingStatus, ...] = (
    FindingStatus.OPEN,
    FindingStatus.RECTIFYING,
    FindingStatus.REVIEW_FAILED,
)


def is_overdue(deadline: date | None, status: FindingStatus, today: date) -> bool:
    """A finding is overdue when its deadline has passed and it is still open."""
    return deadline is not None and status in OPEN_FINDING_STATES and deadline < today
