"""Filling a document from the record: the fields each form's placeholders name, per kind.

A filler reads the inspection (and what the inspector typed for the kinds that need words of their own:
a penalty's facts, a 复查 opinion) and returns plain values: strings for placeholders, lists of dicts for
items and tables. What the user types is declared per kind as `InputField`s, so the screen can ask for it
and the CLI can take it as `--set key=value`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from inspector import clock
from inspector.documents.money import capital_amount
from inspector.domain.enums import (
    DocumentKind,
    DocumentStatus,
    FindingMeasure,
    FindingStatus,
    HazardGrade,
    InspectionMode,
    ItemResultValue,
)
from inspector.errors import ValidationError
from inspector.quiz.service import quizzes_of
from inspector.store.models import (
    ChecklistItem,
    ChecklistTemplate,
    Document,
    Enterprise,
    Finding,
    Inspection,
    InspectionInspector,
    Inspector,
    ItemResult,
)
from inspector.store.settings import AGENCY_KEY, get_setting


@dataclass(frozen=True)
class InputField:
    key: str
    label: str
    kind: str = "text"  # text / multiline / date / money / choice
    required: bool = True
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Agency:
    name: str
    short_name: str
    review_government: str
    review_department: str
    court: str
    address: str = ""
    phone: str = ""


def agency_of(session: Session) -> Agency:
    data = get_setting(session, AGENCY_KEY) or {}
    return Agency(
        name=str(data.get("name", "")),
        short_name=str(data.get("short_name", "")),
        review_government=str(data.get("review_government", "")),
        review_department=str(data.get("review_agency", "")),
        court=str(data.get("court", "")),
        address=str(data.get("address", "")),
        phone=str(data.get("phone", "")),
    )


def cn_date(day: date | datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = clock.to_local(day).date()
    return f"{day.year}年{day.month}月{day.day}日"


def cn_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = clock.to_local(moment)
    return f"{local.year}年{local.month}月{local.day}日{local.hour:02d}时{local.minute:02d}分"


def _time_range(start: datetime | None, end: datetime | None) -> str:
    if start is None:
        return ""
    if end is None:
        return f"{cn_time(start)}起"
    s, e = clock.to_local(start), clock.to_local(end)
    end_text = f"{e.hour:02d}时{e.minute:02d}分" if s.date() == e.date() else cn_time(end)
    return f"{cn_time(start)}至{end_text}"


def numbers_text(numbers: list[int]) -> str:
    """1、2、3、5 → "1—3、5": the way a document lists item numbers."""
    if not numbers:
        return ""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}—{prev}" if prev > start + 1 else f"{start}、{prev}")
        if n is not None:
            start = prev = n
    return "、".join(parts)


# ─── the shared part ─────────────────────────────────────────────────────────────────────────────────


def _inspection(session: Session, inspection_id: str | None) -> Inspection:
    inspection = session.get(Inspection, inspection_id) if inspection_id else None
    if inspection is None:
        raise ValidationError("The document has no inspection.", "该文书没有对应的现场检查。")
    return inspection


def _inspectors(session: Session, inspection_id: str) -> list[Inspector]:
    return list(
        session.exec(
            select(Inspector)
            .join(InspectionInspector, col(InspectionInspector.inspector_id) == Inspector.id)
            .where(InspectionInspector.inspection_id == inspection_id)
            .order_by(col(InspectionInspector.position))
        )
    )


def base_fields(session: Session, inspection: Inspection, issue_day: date | None) -> dict[str, Any]:
    enterprise = session.get(Enterprise, inspection.enterprise_id)
    assert enterprise is not None
    agency = agency_of(session)
    officers = _inspectors(session, inspection.id)
    return {
        "agency_name": agency.name,
        "agency_address": agency.address,
        "agency_phone": agency.phone,
        "review_government": agency.review_government,
        "review_department": agency.review_department,
        "court": agency.court,
        "enterprise_name": enterprise.name,
        "enterprise_address": enterprise.address,
        "credit_code": enterprise.credit_code,
        "legal_representative": enterprise.legal_representative,
        "enterprise_phone": enterprise.contact_phone,
        "place": inspection.place,
        "purpose": inspection.purpose,
        "on_site_person_name": inspection.on_site_person_name,
        "on_site_person_post": inspection.on_site_person_post,
        "on_site_person_phone": inspection.on_site_person_phone,
        "witness": inspection.witness,
        "experts": inspection.experts,
        "time_range": _time_range(inspection.started_at, inspection.ended_at),
        "inspection_date": cn_date(inspection.started_at),
        "inspectors": [{"name": i.name, "cert_no": i.cert_no, "unit": i.unit} for i in officers],
        "inspectors_line": "、".join(f"{i.name}（执法证号{i.cert_no}）" for i in officers),
        "mode_line": _mode_line(inspection),
        "issue_date": cn_date(issue_day),
    }


def _mode_line(inspection: Inspection) -> str:
    if inspection.mode is InspectionMode.UNANNOUNCED and (
        inspection.no_advance_notice and inspection.no_escort and inspection.straight_to_site
    ):
        return "四不两直（不发通知、不打招呼、不听汇报、不用陪同接待，直奔基层、直插现场）"
    return str(inspection.mode.value)


def _findings(session: Session, inspection_id: str) -> list[Finding]:
    return list(
        session.exec(select(Finding).where(Finding.inspection_id == inspection_id).order_by(col(Finding.position)))
    )


def _finding_entry(f: Finding) -> dict[str, Any]:
    return {
        "description": f.description,
        "grade": f.grade.value,
        "basis": f.basis or "见检查表依据",
        "measure": f.measure.value,
        "deadline": cn_date(f.deadline),
        "major_mark": "（重大事故隐患）" if f.grade is HazardGrade.MAJOR else "",
    }


# ─── per kind ────────────────────────────────────────────────────────────────────────────────────────


def _record(session: Session, inspection: Inspection, inputs: dict[str, Any]) -> dict[str, Any]:
    template = (
        session.get(ChecklistTemplate, inspection.checklist_template_id) if inspection.checklist_template_id else None
    )
    results = session.exec(
        select(ItemResult, ChecklistItem)
        .join(ChecklistItem, col(ChecklistItem.id) == ItemResult.item_id)
        .where(ItemResult.inspection_id == inspection.id)
        .order_by(col(ChecklistItem.position))
    ).all()
    counts = dict.fromkeys(ItemResultValue, 0)
    exceptions: list[dict[str, Any]] = []
    for result, item in results:
        counts[result.result] += 1
        if result.result in (ItemResultValue.FAIL, ItemResultValue.NOT_CHECKED):
            remark = result.unchecked_reason if result.result is ItemResultValue.NOT_CHECKED else result.note
            exceptions.append(
                {"content": f"{item.code} {item.content}", "result": result.result.value, "remark": remark}
            )
    findings = _findings(session, inspection.id)
    on_site = [n for n, f in enumerate(findings, 1) if f.measure.is_on_site_measure]
    by_deadline = [n for n, f in enumerate(findings, 1) if f.measure is FindingMeasure.RECTIFY_BY_DEADLINE]
    corrected = [n for n, f in enumerate(findings, 1) if f.measure is FindingMeasure.CORRECTED_ON_SITE]
    handled = []
    if by_deadline:
        handled.append(f"第{numbers_text(by_deadline)}项责令限期整改，另行出具《责令限期整改指令书》")
    if on_site:
        handled.append(f"第{numbers_text(on_site)}项采取现场处理措施，另行出具《现场处理措施决定书》")
    if corrected:
        handled.append(f"第{numbers_text(corrected)}项已当场改正")
    quizzes = quizzes_of(session, inspection.id)
    return {
        "checklist_title": template.title if template else "检查表",
        "checked_count": sum(counts.values()),
        "failed_count": counts[ItemResultValue.FAIL],
        "na_count": counts[ItemResultValue.NOT_APPLICABLE],
        "unchecked_count": counts[ItemResultValue.NOT_CHECKED],
        "exceptions": exceptions,
        "findings": [_finding_entry(f) for f in findings],
        "quiz_line": "；".join(
            f"{q.person_post}{q.person_name}{'' if q.score is None else f' {q.score:g}分'} {q.status}" for q in quizzes
        ),
        "measures_line": "对上述问题：" + "；".join(handled) + "。" if handled else "",
    }


def _order(session: Session, inspection: Inspection, inputs: dict[str, Any]) -> dict[str, Any]:
    findings = [f for f in _findings(session, inspection.id) if f.measure is FindingMeasure.RECTIFY_BY_DEADLINE]
    if not findings:
        raise ValidationError(
            "No finding of this inspection is to be rectified by a deadline.",
            "本次检查没有需要限期整改的问题，不能出具责令限期整改指令书。",
        )
    deadlines = sorted({f.deadline for f in findings if f.deadline is not None})
    same = len(deadlines) == 1
    entries = []
    for f in findings:
        entry = _finding_entry(f)
        if not same and f.deadline is not None:
            entry["major_mark"] = f"{entry['major_mark']}（限{cn_date(f.deadline)}前整改完毕）"
        entries.append(entry)
    return {
        "findings": entries,
        "major_numbers": numbers_text([n for n, f in enumerate(findings, 1) if f.grade is HazardGrade.MAJOR]),
        "order_numbers": numbers_text(list(range(1, len(findings) + 1))),
        "deadline_text": cn_date(deadlines[0]) if same else "各项所列日期",
        "review_date": str(inputs.get("review_date", "")),
    }


def _measures(session: Session, inspection: Inspection, inputs: dict[str, Any]) -> dict[str, Any]:
    findings = [f for f in _findings(session, inspection.id) if f.measure.is_on_site_measure]
    if not findings:
        raise ValidationError(
            "No finding of this inspection calls for an on-site measure.",
            "本次检查没有需要采取现场处理措施的问题，不能出具现场处理措施决定书。",
        )
    decisions = []
    for n, f in enumerate(findings, 1):
        decisions.append({"description": f"针对第{n}项：{_MEASURE_WORDS[f.measure]}", "measure": f.measure.value})
    return {
        "findings": [_finding_entry(f) for f in findings],
        "decisions": decisions,
        "major_numbers": numbers_text([n for n, f in enumerate(findings, 1) if f.grade is HazardGrade.MAJOR]),
    }


_MEASURE_WORDS = {
    FindingMeasure.WITHDRAW_WORKERS: "责令从危险区域内撤出作业人员",
    FindingMeasure.SUSPEND_PRODUCTION: "责令暂时停产停业",
    FindingMeasure.STOP_EQUIPMENT: "责令停止使用相关设施、设备",
}


def _review(session: Session, inspection: Inspection, inputs: dict[str, Any]) -> dict[str, Any]:
    if inspection.mode is not InspectionMode.REVIEW or inspection.review_of_inspection_id is None:
        raise ValidationError("Only a 复查 inspection has a review opinion.", "只有复查才能出具整改复查意见书。")
    earlier = session.exec(
        select(Document)
        .where(
            Document.inspection_id == inspection.review_of_inspection_id,
            col(Document.kind).in_(
                (DocumentKind.RECTIFICATION_ORDER, DocumentKind.ON_SITE_MEASURES, DocumentKind.COERCIVE_MEASURES)
            ),
            col(Document.status).in_((DocumentStatus.ISSUED, DocumentStatus.SERVED)),
        )
        .order_by(col(Document.issued_at))
    ).all()
    if not earlier:
        raise ValidationError(
            "A review opinion needs an issued order, on-site measures or coercive measures document first.",
            "整改复查意见书须以已出具的责令限期整改指令书、现场处理措施决定书或强制措施决定书为前提。",
        )
    parents = "、".join(f"《{d.kind.value}》（{d.number_text}）" for d in earlier)
    findings = _findings(session, inspection.review_of_inspection_id)
    items = []
    for f in findings:
        if f.review_inspection_id == inspection.id:
            outcome = "已整改" if f.status in (FindingStatus.REVIEW_PASSED, FindingStatus.CLOSED) else "未整改"
        else:
            outcome = "未复查"
        items.append({"description": f.description, "outcome": outcome, "note": f.review_note})
    not_done = [n for n, i in enumerate(items, 1) if i["outcome"] == "未整改"]
    default_opinion = (
        "经复查，上述问题均已整改完毕，符合有关规定的要求。"
        if not not_done
        else f"经复查，第{numbers_text(not_done)}项问题未整改完毕，本机关将依法处理。"
    )
    return {
        "parent_documents": parents,
        "parent_date": cn_date(earlier[0].issued_at),
        "review_items": items,
        "opinion": str(inputs.get("opinion") or default_opinion),
        "trigger": str(inputs.get("trigger") or "现整改期限届满"),
    }


Filler = Callable[[Session, Inspection, dict[str, Any]], dict[str, Any]]

FILLERS: dict[DocumentKind, Filler] = {
    DocumentKind.INSPECTION_RECORD: _record,
    DocumentKind.RECTIFICATION_ORDER: _order,
    DocumentKind.ON_SITE_MEASURES: _measures,
    DocumentKind.REVIEW_OPINION: _review,
}

INPUTS: dict[DocumentKind, tuple[InputField, ...]] = {
    DocumentKind.INSPECTION_RECORD: (),
    DocumentKind.RECTIFICATION_ORDER: (
        InputField("review_date", "计划复查日期", "date", required=False, help="整改期满后的复查日期"),
    ),
    DocumentKind.ON_SITE_MEASURES: (),
    DocumentKind.REVIEW_OPINION: (
        InputField("trigger", "复查缘由", "choice", required=False, choices=("现整改期限届满", "应你单位申请")),
        InputField("opinion", "复查意见", "multiline", required=False, help="留空则按复查结果自动生成"),
    ),
}


def fill_fields(
    session: Session, kind: DocumentKind, inspection_id: str, inputs: dict[str, Any], issue_day: date | None
) -> dict[str, Any]:
    """Every field the kind's form needs, from the record and the user's inputs."""
    filler = FILLERS.get(kind)
    if filler is None:
        raise ValidationError(f"{kind.value} cannot be filled yet.", f"暂不支持生成《{kind.value}》。")
    missing = [f.label for f in INPUTS.get(kind, ()) if f.required and not str(inputs.get(f.key, "")).strip()]
    if missing:
        raise ValidationError(f"Missing: {', '.join(missing)}.", f"请填写：{'、'.join(missing)}。")
    inspection = _inspection(session, inspection_id)
    fields = base_fields(session, inspection, issue_day)
    fields.update(filler(session, inspection, inputs))
    for f in INPUTS.get(kind, ()):
        if f.kind == "money" and str(inputs.get(f.key, "")).strip():
            fields[f"{f.key}_capital"] = capital_amount(str(inputs[f.key]))
    return fields
