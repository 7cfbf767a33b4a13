"""The inspection use cases. Each takes a session and returns plain model objects; rules live in domain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from inspector import clock
from inspector.domain.enums import (
    FindingMeasure,
    FindingStatus,
    HazardGrade,
    InspectionMode,
    InspectionStatus,
    ItemResultValue,
    TaskStatus,
)
from inspector.domain.rules import check_inspection_transition, check_inspector_count, check_task_transition
from inspector.errors import TransitionError, ValidationError
from inspector.store.models import (
    ChecklistItem,
    Enterprise,
    Evidence,
    EvidenceLink,
    Finding,
    Inspection,
    InspectionInspector,
    InspectionTask,
    Inspector,
    ItemResult,
)


@dataclass(frozen=True)
class OnSitePerson:
    """现场负责人 met on arrival."""

    name: str = ""
    post: str = ""
    phone: str = ""


def start_inspection(
    session: Session,
    *,
    enterprise_id: str,
    inspector_ids: Sequence[str],
    mode: InspectionMode = InspectionMode.UNANNOUNCED,
    started_at: datetime | None = None,
    place: str = "",
    purpose: str = "",
    task_id: str | None = None,
    on_site_person: OnSitePerson | None = None,
    checklist_template_id: str | None = None,
    review_of_inspection_id: str | None = None,
) -> Inspection:
    """Record the arrival on site. Refuses fewer than two inspectors holding 执法证."""
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise ValidationError(f"No enterprise {enterprise_id}.", "找不到被检查单位。")
    inspectors = [session.get(Inspector, i) for i in dict.fromkeys(inspector_ids)]
    if any(i is None for i in inspectors):
        raise ValidationError("Unknown inspector id given.", "执法人员不存在。")
    check_inspector_count([i.cert_no for i in inspectors if i is not None])
    person = on_site_person or OnSitePerson()
    unannounced = mode is InspectionMode.UNANNOUNCED
    inspection = Inspection(
        task_id=task_id,
        enterprise_id=enterprise_id,
        mode=mode,
        status=InspectionStatus.ON_SITE,
        checklist_template_id=checklist_template_id,
        review_of_inspection_id=review_of_inspection_id,
        started_at=started_at or clock.now(),
        place=place or enterprise.address,
        purpose=purpose,
        latitude=enterprise.latitude,
        longitude=enterprise.longitude,
        on_site_person_name=person.name,
        on_site_person_post=person.post,
        on_site_person_phone=person.phone,
        no_advance_notice=unannounced,
        no_escort=unannounced,
        straight_to_site=unannounced,
    )
    session.add(inspection)
    session.flush()
    for position, inspector in enumerate(inspectors):
        assert inspector is not None
        session.add(InspectionInspector(inspection_id=inspection.id, inspector_id=inspector.id, position=position))
    if task_id is not None:
        task = session.get(InspectionTask, task_id)
        if task is None:
            raise ValidationError(f"No task {task_id}.", "找不到检查任务。")
        check_task_transition(task.status, TaskStatus.IN_PROGRESS)
        task.status = TaskStatus.IN_PROGRESS
        session.add(task)
    session.flush()
    return inspection


def add_finding(
    session: Session,
    *,
    inspection_id: str,
    description: str,
    grade: HazardGrade = HazardGrade.GENERAL,
    basis: str = "",
    measure: FindingMeasure = FindingMeasure.RECTIFY_BY_DEADLINE,
    deadline: date | None = None,
    item_id: str | None = None,
    source: str = "manual",
) -> Finding:
    inspection = get_inspection(session, inspection_id)
    description = description.strip()
    if not description:
        raise ValidationError("A finding needs a description.", "隐患描述不能为空。")
    if measure.needs_deadline and measure is FindingMeasure.RECTIFY_BY_DEADLINE and deadline is None:
        raise ValidationError("A rectification order needs a deadline.", "责令限期整改的隐患须填写整改期限。")
    started = inspection.started_at
    if deadline is not None and started is not None and deadline < clock.to_local(started).date():
        raise ValidationError("The deadline is before the inspection date.", "整改期限不能早于检查日期。")
    position = session.exec(
        select(func.count()).select_from(Finding).where(Finding.inspection_id == inspection_id)
    ).one()
    status = FindingStatus.CLOSED if measure is FindingMeasure.CORRECTED_ON_SITE else FindingStatus.OPEN
    if measure is FindingMeasure.CORRECTED_ON_SITE and grade is HazardGrade.MAJOR:
        raise ValidationError(
            "A major accident hazard cannot be closed as corrected on site.",
            "重大事故隐患不能按“当场改正”处理，须整改后经现场复查销号。",
        )
    finding = Finding(
        inspection_id=inspection_id,
        enterprise_id=inspection.enterprise_id,
        item_id=item_id,
        position=int(position),
        description=description,
        grade=grade,
        basis=basis.strip(),
        measure=measure,
        deadline=deadline,
        status=status,
        source=source,
        closed_at=clock.now() if status is FindingStatus.CLOSED else None,
    )
    session.add(finding)
    session.flush()
    return finding


def finish_inspection(session: Session, *, inspection_id: str, ended_at: datetime | None = None) -> Inspection:
    """Close the on-site part: every checklist item must be answered (未检 with a reason)."""
    inspection = get_inspection(session, inspection_id)
    check_inspection_transition(inspection.status, InspectionStatus.FINISHED)
    if inspection.checklist_template_id is not None:
        total = session.exec(
            select(func.count())
            .select_from(ChecklistItem)
            .where(ChecklistItem.template_id == inspection.checklist_template_id)
        ).one()
        results = list(session.exec(select(ItemResult).where(ItemResult.inspection_id == inspection_id)))
        missing_reason = [
            r for r in results if r.result is ItemResultValue.NOT_CHECKED and not r.unchecked_reason.strip()
        ]
        if len(results) < total:
            raise ValidationError(
                f"{total - len(results)} checklist items are not answered yet.",
                f"还有{total - len(results)}项检查内容未填写结果。",
            )
        if missing_reason:
            raise ValidationError(
                f"{len(missing_reason)} items are marked not checked without a reason.",
                f"有{len(missing_reason)}项标为“未检”但未说明原因。",
            )
    unphotographed = major_findings_without_photo(session, inspection_id)
    if unphotographed:
        raise ValidationError(
            f"{len(unphotographed)} major-hazard finding(s) have no photo linked.",
            f"有{len(unphotographed)}条重大事故隐患还没有关联照片，请先拍照或导入照片并关联到该隐患。",
            code="major_needs_photo",
        )
    ended = ended_at or clock.now()
    if inspection.started_at is not None and ended < inspection.started_at:
        raise ValidationError("The end time is before the start time.", "检查结束时间早于开始时间。")
    inspection.ended_at = ended
    inspection.status = InspectionStatus.FINISHED
    session.add(inspection)
    if inspection.task_id is not None:
        task = session.get(InspectionTask, inspection.task_id)
        if task is not None and task.status is TaskStatus.IN_PROGRESS:
            task.status = TaskStatus.DONE
            session.add(task)
    session.flush()
    return inspection


def major_findings_without_photo(session: Session, inspection_id: str) -> list[Finding]:
    """重大事故隐患 of the inspection that no photo proves yet: each needs at least one before finishing.

    A photo proves a finding when it is linked to the finding, or to the checklist item the finding came
    from (the inspector photographed the item while on it)."""
    by_finding = select(EvidenceLink.finding_id).where(col(EvidenceLink.finding_id).is_not(None))
    by_item = (
        select(EvidenceLink.item_id)
        .join(Evidence, col(Evidence.id) == EvidenceLink.evidence_id)
        .where(Evidence.inspection_id == inspection_id, col(EvidenceLink.item_id).is_not(None))
    )
    return list(
        session.exec(
            select(Finding)
            .where(
                Finding.inspection_id == inspection_id,
                Finding.grade == HazardGrade.MAJOR,
                col(Finding.id).not_in(by_finding),
                or_(col(Finding.item_id).is_(None), col(Finding.item_id).not_in(by_item)),
            )
            .order_by(col(Finding.position))
        )
    )


def reopen_inspection(session: Session, *, inspection_id: str) -> Inspection:
    """Back on site to correct something, as long as no document has been issued from it."""
    inspection = get_inspection(session, inspection_id)
    check_inspection_transition(inspection.status, InspectionStatus.ON_SITE)
    inspection.status = InspectionStatus.ON_SITE
    inspection.ended_at = None
    session.add(inspection)
    session.flush()
    return inspection


def update_site_details(
    session: Session,
    *,
    inspection_id: str,
    place: str | None = None,
    purpose: str | None = None,
    on_site_person: OnSitePerson | None = None,
    witness: str | None = None,
    experts: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    gps_source: str | None = None,
    notes: str | None = None,
) -> Inspection:
    """Details typed while on site; refused once the inspection is finished."""
    inspection = get_inspection(session, inspection_id)
    if inspection.status is not InspectionStatus.ON_SITE:
        raise TransitionError("Only an inspection on site can be edited.", "只能修改现场检查中的记录。")
    if (latitude is None) != (longitude is None):
        raise ValidationError("Give both latitude and longitude.", "经纬度须同时填写。")
    if latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValidationError("Latitude/longitude out of range.", "经纬度超出范围。")
        inspection.latitude, inspection.longitude = latitude, longitude
        inspection.gps_source = gps_source or "手工输入"
    for name, value in (("place", place), ("purpose", purpose), ("witness", witness), ("experts", experts)):
        if value is not None:
            setattr(inspection, name, value.strip())
    if notes is not None:
        inspection.notes = notes.strip()
    if on_site_person is not None:
        inspection.on_site_person_name = on_site_person.name.strip()
        inspection.on_site_person_post = on_site_person.post.strip()
        inspection.on_site_person_phone = on_site_person.phone.strip()
    session.add(inspection)
    session.flush()
    return inspection


def inspection_inspectors(session: Session, inspection_id: str) -> list[Inspector]:
    stmt = (
        select(Inspector)
        .join(InspectionInspector, col(InspectionInspector.inspector_id) == col(Inspector.id))
        .where(InspectionInspector.inspection_id == inspection_id)
        .order_by(col(InspectionInspector.position))
    )
    return list(session.exec(stmt))


def get_inspection(session: Session, inspection_id: str) -> Inspection:
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise ValidationError(f"No inspection {inspection_id}.", "找不到该现场检查。")
    return inspection
