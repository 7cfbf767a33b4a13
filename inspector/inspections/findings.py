"""The life of a finding after it is recorded: editing, 挂牌督办, rectifying, 复查 and 销号."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from inspector import clock
from inspector.domain.enums import FindingMeasure, FindingStatus, HazardGrade, InspectionMode, InspectionStatus
from inspector.domain.rules import OPEN_FINDING_STATES, check_finding_transition
from inspector.errors import TransitionError, ValidationError
from inspector.inspections.service import OnSitePerson, get_inspection, start_inspection
from inspector.store.models import Finding, Inspection

_EDITABLE_INSPECTION = (InspectionStatus.ON_SITE, InspectionStatus.FINISHED)


def get_finding(session: Session, finding_id: str) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise ValidationError(f"No finding {finding_id}.", "找不到该隐患。")
    return finding


def update_finding(
    session: Session,
    *,
    finding_id: str,
    description: str | None = None,
    grade: HazardGrade | None = None,
    basis: str | None = None,
    measure: FindingMeasure | None = None,
    deadline: date | None = None,
    clear_deadline: bool = False,
) -> Finding:
    """Edit a finding's wording and handling while its inspection's documents are not yet issued."""
    finding = get_finding(session, finding_id)
    inspection = get_inspection(session, finding.inspection_id)
    if inspection.status not in _EDITABLE_INSPECTION:
        raise TransitionError(
            "Documents have been issued for this inspection; its findings can no longer be edited.",
            "本次检查已出具文书，隐患内容不能再修改；如需更正请作废文书后重新出具。",
        )
    if description is not None:
        if not description.strip():
            raise ValidationError("A finding needs a description.", "隐患描述不能为空。")
        finding.description = description.strip()
    if grade is not None:
        finding.grade = grade
    if basis is not None:
        finding.basis = basis.strip()
    if measure is not None:
        finding.measure = measure
    if clear_deadline:
        finding.deadline = None
    elif deadline is not None:
        started = inspection.started_at
        if started is not None and deadline < clock.to_local(started).date():
            raise ValidationError("The deadline is before the inspection date.", "整改期限不能早于检查日期。")
        finding.deadline = deadline
    if finding.measure is FindingMeasure.CORRECTED_ON_SITE:
        if finding.grade is HazardGrade.MAJOR:
            raise ValidationError(
                "A major accident hazard cannot be closed as corrected on site.",
                "重大事故隐患不能按“当场改正”处理，须整改后经现场复查销号。",
            )
        finding.status = FindingStatus.CLOSED
        finding.closed_at = finding.closed_at or clock.now()
    else:
        if finding.status is FindingStatus.CLOSED and finding.review_inspection_id is None:
            finding.status = FindingStatus.OPEN  # it had been 当场改正; no longer
            finding.closed_at = None
        if finding.measure is FindingMeasure.RECTIFY_BY_DEADLINE and finding.deadline is None:
            raise ValidationError("A rectification order needs a deadline.", "责令限期整改的隐患须填写整改期限。")
    session.add(finding)
    session.flush()
    return finding


def delete_finding(session: Session, *, finding_id: str) -> None:
    finding = get_finding(session, finding_id)
    inspection = get_inspection(session, finding.inspection_id)
    if inspection.status not in _EDITABLE_INSPECTION:
        raise TransitionError("Documents have been issued; the finding stays.", "已出具文书，隐患不能删除。")
    session.delete(finding)
    session.flush()


def supervise(session: Session, *, finding_id: str, by: str, since: date) -> Finding:
    """挂牌督办 of a 重大事故隐患: who supervises it and since when."""
    finding = get_finding(session, finding_id)
    if finding.grade is not HazardGrade.MAJOR:
        raise ValidationError("Only major accident hazards are put under supervision.", "只有重大事故隐患才挂牌督办。")
    if not by.strip():
        raise ValidationError("Name who supervises.", "请填写挂牌督办单位。")
    finding.supervised_by = by.strip()
    finding.supervised_since = since
    session.add(finding)
    session.flush()
    return finding


def start_rectifying(session: Session, *, finding_id: str) -> Finding:
    finding = get_finding(session, finding_id)
    check_finding_transition(finding.status, FindingStatus.RECTIFYING, grade=finding.grade)
    finding.status = FindingStatus.RECTIFYING
    session.add(finding)
    session.flush()
    return finding


def open_findings_of(session: Session, inspection_id: str) -> list[Finding]:
    stmt = (
        select(Finding)
        .where(Finding.inspection_id == inspection_id, col(Finding.status).in_(OPEN_FINDING_STATES))
        .order_by(col(Finding.position))
    )
    return list(session.exec(stmt))


def start_review_inspection(
    session: Session,
    *,
    of_inspection_id: str,
    inspector_ids: Sequence[str],
    started_at: datetime | None = None,
    on_site_person: OnSitePerson | None = None,
) -> Inspection:
    """A 复查 on site of the open findings of an earlier inspection."""
    original = get_inspection(session, of_inspection_id)
    if not open_findings_of(session, of_inspection_id):
        raise ValidationError("The inspection has no open findings to review.", "该次检查没有需要复查的未整改隐患。")
    return start_inspection(
        session,
        enterprise_id=original.enterprise_id,
        inspector_ids=inspector_ids,
        mode=InspectionMode.REVIEW,
        started_at=started_at,
        purpose="对责令限期整改的事故隐患整改情况进行复查。",
        on_site_person=on_site_person,
        review_of_inspection_id=of_inspection_id,
    )


def review_finding(
    session: Session,
    *,
    review_inspection_id: str,
    finding_id: str,
    passed: bool,
    note: str = "",
    close: bool = True,
) -> Finding:
    """Record the 复查 result of one finding: passed (and 销号 when `close`) or failed (back to work)."""
    review = get_inspection(session, review_inspection_id)
    finding = get_finding(session, finding_id)
    if review.mode is not InspectionMode.REVIEW or review.review_of_inspection_id != finding.inspection_id:
        raise ValidationError(
            "This review inspection is not a review of the finding's inspection.",
            "该复查不是对这条隐患所在检查的复查。",
        )
    if review.status is not InspectionStatus.ON_SITE:
        raise TransitionError("The review is not on site any more.", "复查已结束，不能再记录复查结果。")
    new = FindingStatus.REVIEW_PASSED if passed else FindingStatus.REVIEW_FAILED
    check_finding_transition(finding.status, new, grade=finding.grade)
    finding.status = new
    finding.review_inspection_id = review.id
    finding.review_note = note.strip()
    if passed and close:
        check_finding_transition(finding.status, FindingStatus.CLOSED, grade=finding.grade, reviewed_on_site=True)
        finding.status = FindingStatus.CLOSED
        finding.closed_at = clock.now()
    session.add(finding)
    session.flush()
    return finding


def close_finding(session: Session, *, finding_id: str) -> Finding:
    """销号 of a finding whose 复查 passed; a 重大事故隐患 only after a review on site."""
    finding = get_finding(session, finding_id)
    on_site = finding.review_inspection_id is not None
    check_finding_transition(finding.status, FindingStatus.CLOSED, grade=finding.grade, reviewed_on_site=on_site)
    finding.status = FindingStatus.CLOSED
    finding.closed_at = clock.now()
    session.add(finding)
    session.flush()
    return finding
