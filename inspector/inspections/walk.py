"""Walking the checklist on site: answer items (合格/不合格/不适用/未检), notes, progress.

Each answer is its own small transaction, so everything typed survives a crash. A failed item creates a
finding pre-filled from the item (text, grade, basis); the inspector edits its wording afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from inspector import clock
from inspector.domain.enums import FindingMeasure, FindingStatus, HazardGrade, InspectionStatus, ItemResultValue
from inspector.errors import TransitionError, ValidationError
from inspector.inspections.service import add_finding, get_inspection
from inspector.store.models import ChecklistItem, Finding, Inspection, ItemResult

# Default rectification periods the inspector starts from (editable per finding).
DEFAULT_DEADLINE_DAYS = {HazardGrade.GENERAL: 15, HazardGrade.MAJOR: 30}


@dataclass(frozen=True)
class ItemRow:
    """One line of the checklist screen."""

    item_id: str
    position: int
    section_code: str
    section: str
    code: str
    content: str
    method: str
    basis: str
    basis_text: str
    failure_grade: str
    unconfirmed: bool
    result: ItemResultValue | None
    note: str
    unchecked_reason: str
    finding_id: str | None


@dataclass(frozen=True)
class SectionProgress:
    section_code: str
    title: str
    answered: int
    total: int
    failed: int


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int
    failed: int
    sections: list[SectionProgress]

    @property
    def complete(self) -> bool:
        return self.answered == self.total


def _editable(inspection: Inspection) -> None:
    if inspection.status is not InspectionStatus.ON_SITE:
        raise TransitionError(
            f"Inspection is {inspection.status.value}; reopen it to change answers.",
            f"现场检查状态为“{inspection.status.value}”，不能再修改检查结果。",
        )


def _item_of(session: Session, inspection: Inspection, item_id: str) -> ChecklistItem:
    item = session.get(ChecklistItem, item_id)
    if item is None or item.template_id != inspection.checklist_template_id:
        raise ValidationError("The item is not on this inspection's checklist.", "该检查项不属于本次检查的检查表。")
    return item


def checklist_rows(session: Session, inspection_id: str) -> list[ItemRow]:
    inspection = get_inspection(session, inspection_id)
    if inspection.checklist_template_id is None:
        return []
    results = {r.item_id: r for r in session.exec(select(ItemResult).where(ItemResult.inspection_id == inspection_id))}
    findings = {
        f.item_id: f.id
        for f in session.exec(
            select(Finding).where(Finding.inspection_id == inspection_id, col(Finding.item_id).is_not(None))
        )
    }
    items = session.exec(
        select(ChecklistItem)
        .where(ChecklistItem.template_id == inspection.checklist_template_id)
        .order_by(col(ChecklistItem.position))
    )
    rows = []
    for item in items:
        result = results.get(item.id)
        rows.append(
            ItemRow(
                item_id=item.id,
                position=item.position,
                section_code=item.section_code,
                section=item.section,
                code=item.code,
                content=item.content,
                method=item.method,
                basis=item.basis,
                basis_text=item.basis_text,
                failure_grade=str(item.failure_grade),
                unconfirmed=item.unconfirmed,
                result=result.result if result else None,
                note=result.note if result else "",
                unchecked_reason=result.unchecked_reason if result else "",
                finding_id=findings.get(item.id),
            )
        )
    return rows


def progress_of(rows: list[ItemRow]) -> Progress:
    sections: dict[str, SectionProgress] = {}
    for row in rows:
        s = sections.get(row.section_code) or SectionProgress(row.section_code, row.section, 0, 0, 0)
        sections[row.section_code] = SectionProgress(
            s.section_code,
            s.title,
            s.answered + (row.result is not None),
            s.total + 1,
            s.failed + (row.result is ItemResultValue.FAIL),
        )
    listed = list(sections.values())
    return Progress(
        answered=sum(s.answered for s in listed),
        total=sum(s.total for s in listed),
        failed=sum(s.failed for s in listed),
        sections=listed,
    )


def record_result(
    session: Session,
    *,
    inspection_id: str,
    item_id: str,
    result: ItemResultValue,
    note: str | None = None,
    unchecked_reason: str | None = None,
) -> ItemResult:
    """Answer one item. 不合格 makes a finding from the item; taking 不合格 back removes that finding
    unless the inspector has already edited it."""
    inspection = get_inspection(session, inspection_id)
    _editable(inspection)
    item = _item_of(session, inspection, item_id)
    existing = session.exec(
        select(ItemResult).where(ItemResult.inspection_id == inspection_id, ItemResult.item_id == item_id)
    ).first()
    answer = existing or ItemResult(inspection_id=inspection_id, item_id=item_id, result=result)
    answer.result = result
    answer.answered_at = clock.now()
    if note is not None:
        answer.note = note.strip()
    if unchecked_reason is not None:
        answer.unchecked_reason = unchecked_reason.strip()
    session.add(answer)
    finding = session.exec(
        select(Finding).where(Finding.inspection_id == inspection_id, Finding.item_id == item_id)
    ).first()
    if result is ItemResultValue.FAIL and finding is None:
        day = clock.to_local(inspection.started_at or clock.now()).date()
        add_finding(
            session,
            inspection_id=inspection_id,
            item_id=item_id,
            description=item.content,
            grade=item.failure_grade,
            basis=item.basis,
            measure=FindingMeasure.RECTIFY_BY_DEADLINE,
            deadline=day + timedelta(days=DEFAULT_DEADLINE_DAYS[item.failure_grade]),
            source="checklist",
        )
    elif result is not ItemResultValue.FAIL and finding is not None:
        untouched = finding.source == "checklist" and finding.description == item.content
        if untouched and finding.status is FindingStatus.OPEN:
            session.delete(finding)
    session.flush()
    return answer


def set_note(session: Session, *, inspection_id: str, item_id: str, note: str) -> ItemResult | None:
    """A note on an item; kept on the answer (an unanswered item gets its note when it is answered)."""
    inspection = get_inspection(session, inspection_id)
    _editable(inspection)
    _item_of(session, inspection, item_id)
    answer = session.exec(
        select(ItemResult).where(ItemResult.inspection_id == inspection_id, ItemResult.item_id == item_id)
    ).first()
    if answer is None:
        return None
    answer.note = note.strip()
    session.add(answer)
    session.flush()
    return answer


def mark_section(
    session: Session,
    *,
    inspection_id: str,
    section_code: str,
    result: ItemResultValue,
    reason: str = "",
) -> int:
    """Mark every unanswered item of a section, e.g. a whole trade section 不适用; returns how many."""
    if result not in (ItemResultValue.NOT_APPLICABLE, ItemResultValue.NOT_CHECKED):
        raise ValidationError(
            "Only 不适用 or 未检 can be set for a whole section.", "整节只能批量标为“不适用”或“未检”。"
        )
    if result is ItemResultValue.NOT_CHECKED and not reason.strip():
        raise ValidationError("未检 needs a reason.", "标为“未检”须说明原因。")
    inspection = get_inspection(session, inspection_id)
    _editable(inspection)
    answered = {r.item_id for r in session.exec(select(ItemResult).where(ItemResult.inspection_id == inspection_id))}
    items = session.exec(
        select(ChecklistItem).where(
            ChecklistItem.template_id == inspection.checklist_template_id,
            ChecklistItem.section_code == section_code,
        )
    ).all()
    if not items:
        raise ValidationError(f"No section {section_code!r} on this checklist.", "检查表中没有该章节。")
    now = clock.now()
    count = 0
    for item in items:
        if item.id in answered:
            continue
        session.add(
            ItemResult(
                inspection_id=inspection_id,
                item_id=item.id,
                result=result,
                unchecked_reason=reason.strip() if result is ItemResultValue.NOT_CHECKED else "",
                note=reason.strip() if result is ItemResultValue.NOT_APPLICABLE else "",
                answered_at=now,
            )
        )
        count += 1
    session.flush()
    return count
