"""Filling a document from the record: the fields each form's placeholders name, per kind.

A filler reads the inspection (and what the inspector typed for the kinds that need words of their own:
a penalty's facts, a 复查 opinion) and returns plain values: strings for placeholders, lists of dicts for
items and tables. What the user types is declared per kind as `InputField`s, so the screen can ask for it
and the CLI can take it as `--set key=value`. Fillers only read the session; a bad input is a
ValidationError that names the field in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from inspector import clock
from inspector.documents.money import capital, figures, parse_amount
from inspector.domain.enums import (
    DocumentKind,
    DocumentStatus,
    FindingMeasure,
    FindingStatus,
    HazardGrade,
    InspectionMode,
    ItemResultValue,
)
from inspector.domain.identifiers import id_number_sex, validate_id_number
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
    InspectionTask,
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
    seized = [n for n, f in enumerate(findings, 1) if f.measure is FindingMeasure.SEAL_OR_SEIZE]
    handled = []
    if by_deadline:
        handled.append(f"第{numbers_text(by_deadline)}项责令限期整改，另行出具《责令限期整改指令书》")
    if on_site:
        handled.append(f"第{numbers_text(on_site)}项采取现场处理措施，另行出具《现场处理措施决定书》")
    if seized:
        handled.append(f"第{numbers_text(seized)}项依法查封扣押，另行出具《强制措施决定书》")
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


# ─── what the inspector types ────────────────────────────────────────────────────────────────────────


def _text(inputs: dict[str, Any], key: str) -> str:
    value = inputs.get(key)
    return "" if value is None else str(value).strip()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _clause(text: str, joiner: str = "；") -> str:
    """Typed words that the form sets inside its own sentence: one line, no closing 。 and no 的规定 twice."""
    parts = [line.rstrip("。；;，,、 ") for line in _lines(text)]
    joined = joiner.join(p for p in parts if p)
    return joined.removesuffix("的规定").rstrip("。；;，,、 ")


def _issued(session: Session, inspection_id: str, *kinds: DocumentKind) -> list[Document]:
    """Documents of the inspection that are issued or served (not drafts, not void), oldest first."""
    query = select(Document).where(
        Document.inspection_id == inspection_id,
        col(Document.status).in_((DocumentStatus.ISSUED, DocumentStatus.SERVED)),
    )
    if kinds:
        query = query.where(col(Document.kind).in_(kinds))
    return list(session.exec(query.order_by(col(Document.issued_at))))


# ─── 现场检查方案 ────────────────────────────────────────────────────────────────────────────────────


def _plan(session: Session, inspection: Inspection, inputs: dict[str, Any]) -> dict[str, Any]:
    """Made before the visit: the inspection may still be a draft with no start time."""
    task = session.get(InspectionTask, inspection.task_id) if inspection.task_id else None
    template = (
        session.get(ChecklistTemplate, inspection.checklist_template_id) if inspection.checklist_template_id else None
    )
    planned = _text(inputs, "planned_time")
    if not planned and task is not None and task.planned_date is not None:
        planned = cn_date(task.planned_date)
    if not planned:
        planned = cn_time(inspection.started_at)
    matters = _lines(_text(inputs, "matters"))
    if not matters and template is not None:
        count = session.exec(
            select(func.count()).select_from(ChecklistItem).where(ChecklistItem.template_id == template.id)
        ).one()
        matters = [f"依据《{template.title}》逐项检查（共{count}项）"]
    return {
        "checklist_title": template.title if template else "",
        "planned_time": planned,
        "plan_source": task.source if task is not None and task.source else "",
        "purpose": inspection.purpose or (task.purpose if task is not None else ""),
        "matters": [{"text": m} for m in matters],
        "requirements": _clause(_text(inputs, "requirements")),
    }


# ─── 强制措施决定书 (查封 / 扣押) ─────────────────────────────────────────────────────────────────────

SEIZURE_MEASURES = ("查封", "扣押")
SEIZURE_MAX_DAYS = 30  # 行政强制法 第二十五条: 不得超过三十日 (an extension is a separate written decision)


def parse_seized_items(text: str) -> list[dict[str, str]]:
    """The 查封扣押 list typed one thing a line as 名称|规格|数量|地点 (规格 may be empty)."""
    items: list[dict[str, str]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) != 4:
            raise ValidationError(
                f"Line {n} of the seized items, {line!r}, has {len(parts)} parts; write 名称|规格|数量|地点.",
                f"查封扣押清单第{n}行“{line}”格式不正确：应为“名称|规格|数量|地点”四项，用“|”分隔，现为{len(parts)}项。",
            )
        name, spec, quantity, location = parts
        if not name or not quantity:
            raise ValidationError(
                f"Line {n} of the seized items, {line!r}, lacks the name or the quantity.",
                f"查封扣押清单第{n}行“{line}”缺少名称或数量。",
            )
        items.append({"name": name, "spec": spec, "quantity": quantity, "location": location})
    if not items:
        raise ValidationError("No seized item is listed.", "请填写查封扣押清单：每行一项，名称|规格|数量|地点。")
    return items


def _period_days(text: str) -> int:
    digits = text.removesuffix("日").removesuffix("天").strip()
    days = int(digits) if digits.isdigit() else 0
    if not 1 <= days <= SEIZURE_MAX_DAYS:
        raise ValidationError(
            f"The period {text!r} must be 1 to {SEIZURE_MAX_DAYS} days.",
            f"查封扣押期限“{text}”不正确：应为1至{SEIZURE_MAX_DAYS}日（行政强制法第二十五条）。",
        )
    return days


def _coercive(session: Session, inspection: Inspection, inputs: dict[str, Any]) -> dict[str, Any]:
    findings = [f for f in _findings(session, inspection.id) if f.measure is FindingMeasure.SEAL_OR_SEIZE]
    if not findings:
        raise ValidationError(
            "No finding of this inspection calls for sealing or seizure.",
            "本次检查没有需要查封扣押的问题，不能出具强制措施决定书。",
        )
    return {
        "findings": [_finding_entry(f) for f in findings],
        "seizure": _text(inputs, "measure"),  # not "measure": each finding entry has its own
        "seized_items": parse_seized_items(_text(inputs, "items")),
        "period_days": str(_period_days(_text(inputs, "period_days"))),
        "reason": _clause(_text(inputs, "reason")) + "。" if _text(inputs, "reason") else "",
    }


# ─── 询问通知书 ──────────────────────────────────────────────────────────────────────────────────────

INQUIRY_MATERIALS = ("身份证", "营业执照", "法定代表人身份证明或者委托书")


def _materials_line(text: str) -> str:
    """□身份证 □营业执照 … with √ in place of the box for what the person is to bring; the rest under 其它."""
    wanted = [w.strip() for w in _split_list(text)]
    marks = [("√" if m in wanted else "□") + m for m in INQUIRY_MATERIALS]
    others = [w for w in wanted if w not in INQUIRY_MATERIALS]
    marks.append("√其它：" + "、".join(others) if others else "□其它＿＿＿＿＿＿")
    return "　".join(marks)


def _split_list(text: str) -> list[str]:
    for sep in ("、", "，", ",", "；", ";"):
        text = text.replace(sep, "\n")
    return _lines(text)


def _inquiry(session: Session, inspection: Inspection, inputs: dict[str, Any]) -> dict[str, Any]:
    agency = agency_of(session)
    place = _text(inputs, "inquiry_place") or agency.address
    if not place:
        raise ValidationError(
            "Give the place of the inquiry (the agency has no address set).",
            "请填写询问地点（本机关地址未设置）。",
        )
    person = _text(inputs, "person")
    enterprise = session.get(Enterprise, inspection.enterprise_id)
    assert enterprise is not None
    officers = _inspectors(session, inspection.id)
    return {
        "addressee": person or enterprise.name,
        "you": "你" if person else "你单位",
        "reason": _clause(_text(inputs, "reason")),
        "inquiry_time": _text(inputs, "inquiry_time"),
        "inquiry_place": place,
        "materials_line": _materials_line(_text(inputs, "materials")),
        "contact": _text(inputs, "contact") or (officers[0].name if officers else ""),
    }


# ─── 行政处罚告知书 / 决定书 ─────────────────────────────────────────────────────────────────────────


def _facts(text: str) -> str:
    """The facts after the form's own 经查，你（单位）: the same words typed in front are dropped."""
    facts = _clause(text)
    for prefix in ("经查，", "经查,", "经查：", "经查"):
        facts = facts.removeprefix(prefix)
    for prefix in ("你单位", "你"):
        facts = facts.removeprefix(prefix)
    return facts.lstrip("，,：: ")


def _penalty_words(inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "facts": _facts(_text(inputs, "facts")),
        "evidence": _clause(_text(inputs, "evidence"), "、"),
        "violated": _clause(_text(inputs, "violated"), "、"),
        "basis": _clause(_text(inputs, "basis"), "、"),
    }


def _penalty_notice(session: Session, inspection: Inspection, inputs: dict[str, Any]) -> dict[str, Any]:
    enterprise = session.get(Enterprise, inspection.enterprise_id)
    assert enterprise is not None
    party = _text(inputs, "party")
    hearing = _text(inputs, "hearing") == "是"
    officers = _inspectors(session, inspection.id)
    return {
        **_penalty_words(inputs),
        "party_name": party or enterprise.name,
        "you": "你" if party else "你单位",
        "hearing_right": "是" if hearing else "",
        "rights_words": "进行陈述、申辩或者要求听证" if hearing else "进行陈述、申辩",
        "contact": _text(inputs, "contact") or (officers[0].name if officers else ""),
    }


def _notice_line(session: Session, inspection: Inspection, party_name: str, you: str) -> str:
    """The 告知 this decision follows (行政处罚法 第六十二条: no decision without it), when one was issued."""
    notices = [
        d
        for d in _issued(session, inspection.id, DocumentKind.PENALTY_NOTICE)
        if d.fields.get("party_name") == party_name
    ]
    if not notices:
        return ""
    notice = notices[-1]
    rights = "陈述、申辩、要求听证等权利" if notice.fields.get("hearing_right") else "陈述、申辩的权利"
    return (
        f"本机关于{cn_date(notice.issued_at)}以{notice.number_text}《行政处罚告知书》告知{you}"
        f"拟作出行政处罚的内容及事实、理由、依据，以及{you}依法享有的{rights}。"
    )


def _decision(inputs: dict[str, Any], notice_line: str) -> dict[str, Any]:
    bank = _text(inputs, "bank")
    statement = _clause(_text(inputs, "statement"))
    return {
        **_penalty_words(inputs),
        "procedure_line": notice_line + (statement + "。" if statement else ""),  # 告知 and 陈述申辩 (第六十二条)
        "bank_note": f"（{bank}）" if bank else "",
    }


def _penalty_unit(session: Session, inspection: Inspection, inputs: dict[str, Any]) -> dict[str, Any]:
    enterprise = session.get(Enterprise, inspection.enterprise_id)
    assert enterprise is not None
    return _decision(inputs, _notice_line(session, inspection, enterprise.name, "你单位"))


def _penalty_person(session: Session, inspection: Inspection, inputs: dict[str, Any]) -> dict[str, Any]:
    try:
        id_number = validate_id_number(_text(inputs, "person_id_number"), today=clock.local_today())
    except ValidationError as exc:
        raise ValidationError(f"身份证号: {exc.message_en}", f"身份证号：{exc.message_zh}。") from exc
    sex = id_number_sex(id_number)
    typed_sex = _text(inputs, "person_sex")
    if typed_sex and typed_sex != sex:
        raise ValidationError(
            f"The sex {typed_sex} does not match the ID number ({sex}).",
            f"性别“{typed_sex}”与身份证号（{sex}）不符。",
        )
    enterprise = session.get(Enterprise, inspection.enterprise_id)
    assert enterprise is not None
    name = _text(inputs, "person_name")
    return {
        **_decision(inputs, _notice_line(session, inspection, name, "你")),
        "person_name": name,
        "person_sex": sex,
        "person_id_number": id_number,
        "person_unit_post": f"{enterprise.name}　{_text(inputs, 'person_post')}",
        "person_address": _text(inputs, "person_address"),
    }


# ─── 文书送达回执 ────────────────────────────────────────────────────────────────────────────────────

SERVICE_METHODS = ("直接送达", "留置送达", "邮寄送达", "委托送达", "电子送达")
# Left to fill by hand: no-break spaces keep their width where a paragraph collapses ordinary (and 　) spaces.
_HAND_FILLED_TIME = (
    "\u00a0" * 10 + "年" + "\u00a0" * 5 + "月" + "\u00a0" * 5 + "日" + "\u00a0" * 5 + "时" + "\u00a0" * 5 + "分"
)


def _receipt(session: Session, inspection: Inspection, inputs: dict[str, Any]) -> dict[str, Any]:
    # The plan is internal (an unannounced visit is not announced) and a receipt is not served itself.
    issued = [
        d
        for d in _issued(session, inspection.id)
        if d.kind not in (DocumentKind.INSPECTION_PLAN, DocumentKind.SERVICE_RECEIPT)
    ]
    wanted = _lines(_text(inputs, "documents"))
    served: list[dict[str, str]] = []
    if not wanted:
        served = [{"name": d.kind.value, "number": d.number_text or "（无编号）", "copies": "1"} for d in issued]
    for n, line in enumerate(wanted, start=1):
        if "|" in line.replace("｜", "|"):
            name, _, number = line.replace("｜", "|").partition("|")
            served.append({"name": name.strip().strip("《》"), "number": number.strip(), "copies": "1"})
            continue
        match = [d for d in issued if line in (d.number_text, d.kind.value, f"《{d.kind.value}》")]
        if not match:
            raise ValidationError(
                f"Line {n} of the documents, {line!r}, names no issued document of this inspection.",
                f"送达文书第{n}行“{line}”不是本次检查已出具的文书（可写文书编号或名称，其他文书写“名称|文号”）。",
            )
        served.extend({"name": d.kind.value, "number": d.number_text or "（无编号）", "copies": "1"} for d in match)
    if not served:
        raise ValidationError(
            "The inspection has no issued document to serve.", "本次检查没有已出具的文书，不能制作送达回执。"
        )
    enterprise = session.get(Enterprise, inspection.enterprise_id)
    assert enterprise is not None
    return {
        "served_documents": served,
        "receiver": _text(inputs, "receiver") or enterprise.name,
        "service_place": _text(inputs, "service_place") or enterprise.address,
        "method": _text(inputs, "method") or SERVICE_METHODS[0],
        "service_time": _text(inputs, "service_time") or _HAND_FILLED_TIME,
        "note": _clause(_text(inputs, "note")),
    }


# ─── registries ──────────────────────────────────────────────────────────────────────────────────────

Filler = Callable[[Session, Inspection, dict[str, Any]], dict[str, Any]]

FILLERS: dict[DocumentKind, Filler] = {
    DocumentKind.INSPECTION_PLAN: _plan,
    DocumentKind.INSPECTION_RECORD: _record,
    DocumentKind.RECTIFICATION_ORDER: _order,
    DocumentKind.ON_SITE_MEASURES: _measures,
    DocumentKind.COERCIVE_MEASURES: _coercive,
    DocumentKind.REVIEW_OPINION: _review,
    DocumentKind.INQUIRY_NOTICE: _inquiry,
    DocumentKind.PENALTY_NOTICE: _penalty_notice,
    DocumentKind.PENALTY_DECISION_UNIT: _penalty_unit,
    DocumentKind.PENALTY_DECISION_PERSON: _penalty_person,
    DocumentKind.SERVICE_RECEIPT: _receipt,
}

_PENALTY_INPUTS = (
    InputField("facts", "违法事实", "multiline", help="写“经查，你单位”之后的事实，例如：未按规定……"),
    InputField("evidence", "证据", "multiline", help="每行一项，例如：现场检查记录、询问笔录、现场照片"),
    InputField("violated", "违反的条款", help="例如：《中华人民共和国安全生产法》第四十一条第二款"),
    InputField("basis", "处罚依据", help="例如：《中华人民共和国安全生产法》第一百零二条"),
    InputField("amount", "罚款金额（元）", "money", help="以元为单位，例如 20000"),
)
_DECISION_INPUTS = (
    *_PENALTY_INPUTS,
    InputField(
        "statement",
        "陈述申辩（听证）情况",
        "multiline",
        required=False,
        help="例如：当事人在规定期限内未提出陈述、申辩",
    ),
    InputField("bank", "指定缴款银行", required=False, help="银行名称及账号；留空则只写“指定的银行”"),
)

INPUTS: dict[DocumentKind, tuple[InputField, ...]] = {
    DocumentKind.INSPECTION_PLAN: (
        InputField("planned_time", "检查时间", required=False, help="留空则取检查任务的计划日期"),
        InputField("matters", "检查事项", "multiline", required=False, help="每行一项；留空则按所选检查表"),
        InputField("requirements", "其他工作要求", "multiline", required=False),
    ),
    DocumentKind.INSPECTION_RECORD: (),
    DocumentKind.RECTIFICATION_ORDER: (
        InputField("review_date", "计划复查日期", "date", required=False, help="整改期满后的复查日期"),
    ),
    DocumentKind.ON_SITE_MEASURES: (),
    DocumentKind.COERCIVE_MEASURES: (
        InputField("measure", "强制措施", "choice", choices=SEIZURE_MEASURES),
        InputField("items", "查封扣押清单", "multiline", help="每行一项：名称|规格|数量|地点"),
        InputField("period_days", "期限（日）", help="不超过30日（行政强制法第二十五条）"),
        InputField("reason", "理由补充说明", "multiline", required=False),
    ),
    DocumentKind.REVIEW_OPINION: (
        InputField("trigger", "复查缘由", "choice", required=False, choices=("现整改期限届满", "应你单位申请")),
        InputField("opinion", "复查意见", "multiline", required=False, help="留空则按复查结果自动生成"),
    ),
    DocumentKind.INQUIRY_NOTICE: (
        InputField("reason", "询问事由", help="写“因”之后的事由，例如：你单位涉嫌未按规定排查治理事故隐患"),
        InputField("inquiry_time", "询问时间", help="例如：2024年5月8日9时00分"),
        InputField("inquiry_place", "询问地点", required=False, help="留空则为本机关地址"),
        InputField(
            "materials", "携带材料", "multiline", required=False,
            help="每行一项：身份证、营业执照、法定代表人身份证明或者委托书；其他材料照写",
        ),
        InputField("person", "被询问人（个人）", required=False, help="询问个人时填写姓名；留空则为被检查单位"),
        InputField("contact", "联系人", required=False, help="留空则为第一名执法人员"),
    ),
    DocumentKind.PENALTY_NOTICE: (
        InputField("party", "当事人（个人）", required=False, help="对个人告知时填写姓名；留空则为被检查单位"),
        *_PENALTY_INPUTS,
        InputField(
            "hearing", "告知听证权利", "choice", choices=("是", "否"),
            help="较大数额罚款、责令停产停业等（行政处罚法第六十三条）须告知",
        ),
        InputField("contact", "联系人", required=False, help="留空则为第一名执法人员"),
    ),
    DocumentKind.PENALTY_DECISION_UNIT: _DECISION_INPUTS,
    DocumentKind.PENALTY_DECISION_PERSON: (
        InputField("person_name", "姓名"),
        InputField("person_sex", "性别", "choice", required=False, choices=("男", "女"), help="留空则按身份证号"),
        InputField("person_id_number", "身份证号"),
        InputField("person_post", "职务", help="在被检查单位的职务，例如：矿长"),
        InputField("person_address", "住址"),
        *_DECISION_INPUTS,
    ),
    DocumentKind.SERVICE_RECEIPT: (
        InputField(
            "documents", "送达文书", "multiline", required=False,
            help="每行一件：文书编号或名称；其他文书写“名称|文号”。留空则为本次检查已出具的全部文书",
        ),
        InputField("receiver", "受送达人", required=False, help="留空则为被检查单位"),
        InputField("service_place", "送达地点", required=False, help="留空则为被检查单位地址"),
        InputField("method", "送达方式", "choice", required=False, choices=SERVICE_METHODS),
        InputField("service_time", "送达时间", required=False, help="留空则留待手填"),
        InputField("note", "备注", "multiline", required=False),
    ),
}  # fmt: skip


def _check_inputs(kind: DocumentKind, inputs: dict[str, Any]) -> dict[str, Any]:
    """Required inputs present, choices among their choices, amounts parsed: the values money fields print."""
    fields = INPUTS.get(kind, ())
    missing = [f.label for f in fields if f.required and not _text(inputs, f.key)]
    if missing:
        raise ValidationError(f"Missing: {', '.join(missing)}.", f"请填写：{'、'.join(missing)}。")
    money: dict[str, Any] = {}
    for f in fields:
        value = _text(inputs, f.key)
        if not value:
            continue
        if f.kind == "choice" and f.choices and value not in f.choices:
            raise ValidationError(
                f"{f.label}: {value!r} is not one of {', '.join(f.choices)}.",
                f"{f.label}“{value}”不正确，应为{'、'.join(f.choices)}之一。",
            )
        if f.kind == "money":
            try:
                amount = parse_amount(value)
            except ValidationError as exc:
                raise ValidationError(f"{f.label}: {exc.message_en}", f"{f.label}：{exc.message_zh}") from exc
            money[f"{f.key}_figures"] = figures(amount)
            money[f"{f.key}_capital"] = capital(amount)
    return money


def fill_fields(
    session: Session, kind: DocumentKind, inspection_id: str, inputs: dict[str, Any], issue_day: date | None
) -> dict[str, Any]:
    """Every field the kind's form needs, from the record and the user's inputs."""
    filler = FILLERS.get(kind)
    if filler is None:
        raise ValidationError(f"{kind.value} cannot be filled yet.", f"暂不支持生成《{kind.value}》。")
    money = _check_inputs(kind, inputs)
    inspection = _inspection(session, inspection_id)
    fields = base_fields(session, inspection, issue_day)
    fields.update(filler(session, inspection, inputs))
    fields.update(money)  # <key>_figures "20000.00元" and <key>_capital "贰万元整" for every money input
    return fields
