"""A finished inspection of the test mine with one finding per kind of handling, an agency and a number block."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from inspector.demo.catalog import AGENCY
from inspector.documents.numbers import add_block
from inspector.documents.review import approve, submit_for_review
from inspector.documents.service import create_draft, issue_document
from inspector.domain.enums import DocumentKind, FindingMeasure, HazardGrade, InspectorRole
from inspector.domain.identifiers import id_number_check_char
from inspector.inspections.findings import review_finding, start_review_inspection
from inspector.inspections.service import (
    OnSitePerson,
    add_finding,
    finish_inspection,
    inspection_inspectors,
    start_inspection,
)
from inspector.registry.service import register_inspector
from inspector.store.db import Store
from inspector.store.models import Document, Inspector
from inspector.store.settings import AGENCY_KEY, set_setting
from tests.conftest import Basics, photograph

ARRIVAL = datetime(2024, 5, 6, 1, 30, tzinfo=UTC)  # 09:30 in 阳城
ISSUED_AT = datetime(2024, 5, 6, 6, 0, tzinfo=UTC)  # 14:00 the same day
AGENCY_SETTING = {**AGENCY.as_dict(), "address": "山西省晋城市阳城县凤城镇新阳东街88号", "phone": "0356-4212345"}
PERSON_ID = "14052219800101123" + id_number_check_char("14052219800101123")

# Valid inputs for every kind that takes any.
INPUTS: dict[DocumentKind, dict[str, str]] = {
    DocumentKind.INSPECTION_PLAN: {
        "planned_time": "2024年5月6日上午",
        "matters": "主要负责人履职情况\n重大事故隐患排查整治情况",
    },
    DocumentKind.RECTIFICATION_ORDER: {"review_date": "2024年5月21日"},
    DocumentKind.COERCIVE_MEASURES: {
        "measure": "扣押",
        "items": "乳化炸药|Φ32mm 2号岩石|48千克|井下3号炸药发放硐室\n电雷管||120发|井下3号炸药发放硐室",
        "period_days": "30",
    },
    DocumentKind.INQUIRY_NOTICE: {
        "reason": "你单位涉嫌未按规定建立事故隐患排查治理制度",
        "inquiry_time": "2024年5月8日9时00分",
        "materials": "身份证\n营业执照\n安全生产责任制文件",
    },
    DocumentKind.PENALTY_NOTICE: {
        "facts": "未采取措施消除井下主要通风机风电闭锁装置失效的事故隐患",
        "evidence": "现场检查记录\n现场照片2张\n询问笔录",
        "violated": "《中华人民共和国安全生产法》第四十一条第二款",
        "basis": "《中华人民共和国安全生产法》第一百零二条的规定",
        "amount": "20000",
        "hearing": "是",
    },
    DocumentKind.PENALTY_DECISION_UNIT: {
        "facts": "未采取措施消除井下主要通风机风电闭锁装置失效的事故隐患。",
        "evidence": "现场检查记录、现场照片2张、询问笔录",
        "violated": "《中华人民共和国安全生产法》第四十一条第二款",
        "basis": "《中华人民共和国安全生产法》第一百零二条",
        "amount": "20000",
        "statement": "你单位在规定期限内未提出陈述、申辩，也未要求听证",
        "bank": "中国工商银行阳城支行",
    },
    DocumentKind.PENALTY_DECISION_PERSON: {
        "person_name": "张三",
        "person_id_number": PERSON_ID,
        "person_post": "矿长",
        "person_address": "山西省晋城市阳城县凤城镇东关村12号",
        "facts": "作为阳城县测试煤业有限公司主要负责人，未督促、检查本单位的安全生产工作，及时消除生产安全事故隐患",
        "evidence": "现场检查记录、询问笔录",
        "violated": "《中华人民共和国安全生产法》第二十一条第（五）项",
        "basis": "《中华人民共和国安全生产法》第九十四条第一款",
        "amount": "10000.05",
    },
    DocumentKind.SERVICE_RECEIPT: {"method": "直接送达", "receiver": "张三"},
}

# Documents of the inspection in the order they are issued (the receipt last: it lists the others).
CASE_KINDS = (
    DocumentKind.INSPECTION_PLAN,
    DocumentKind.INSPECTION_RECORD,
    DocumentKind.RECTIFICATION_ORDER,
    DocumentKind.ON_SITE_MEASURES,
    DocumentKind.COERCIVE_MEASURES,
    DocumentKind.INQUIRY_NOTICE,
    DocumentKind.PENALTY_NOTICE,
    DocumentKind.PENALTY_DECISION_UNIT,
    DocumentKind.PENALTY_DECISION_PERSON,
    DocumentKind.SERVICE_RECEIPT,
)


@dataclass(frozen=True)
class Case:
    inspection_id: str
    finding_ids: dict[str, str]


@pytest.fixture
def case(store: Store, basics: Basics) -> Case:
    return build_case(store, basics)


def build_case(store: Store, basics: Basics) -> Case:
    with store.session() as session:
        set_setting(session, AGENCY_KEY, AGENCY_SETTING)
        add_block(session, short_name="阳", year=2024, first=1, last=50, device_id=store.device_id)
        inspection = start_inspection(
            session,
            enterprise_id=basics.mine_id,
            inspector_ids=basics.inspector_ids[:2],
            started_at=ARRIVAL,
            purpose="对你单位安全生产管理情况进行日常监督检查。",
            on_site_person=OnSitePerson("孙五", "安全副矿长", "13812345678"),
        )
        day = date(2024, 5, 6)
        findings = {
            "major": add_finding(
                session,
                inspection_id=inspection.id,
                description="井下主要通风机风电闭锁装置失效",
                grade=HazardGrade.MAJOR,
                measure=FindingMeasure.STOP_EQUIPMENT,
                deadline=day + timedelta(days=7),
            ),
            "general": add_finding(
                session, inspection_id=inspection.id, description="安全培训档案不全", deadline=day + timedelta(days=14)
            ),
            "seize": add_finding(
                session,
                inspection_id=inspection.id,
                description="井下3号炸药发放硐室超量存放民用爆炸物品",
                measure=FindingMeasure.SEAL_OR_SEIZE,
                deadline=day + timedelta(days=7),
            ),
        }
        photograph(session, store, inspection_id=inspection.id, finding_id=findings["major"].id)
        finish_inspection(session, inspection_id=inspection.id, ended_at=ARRIVAL + timedelta(hours=3))
        return Case(inspection.id, {k: f.id for k, f in findings.items()})


def start_review(store: Store, case: Case) -> str:
    """A finished 复查 of the case (its order issued first): the general finding still open, the others passed."""
    issue(store, DocumentKind.RECTIFICATION_ORDER, case.inspection_id)
    with store.session() as session:
        review = start_review_inspection(
            session,
            of_inspection_id=case.inspection_id,
            inspector_ids=[i.id for i in inspection_inspectors(session, case.inspection_id)],
            started_at=ARRIVAL + timedelta(days=8),
        )
        for key, finding_id in case.finding_ids.items():
            review_finding(session, review_inspection_id=review.id, finding_id=finding_id, passed=key != "general")
        finish_inspection(session, inspection_id=review.id, ended_at=ARRIVAL + timedelta(days=8, hours=1))
        return review.id


SUPERVISOR_CERT = "14052200999"


def supervisor_id(session: Session) -> str:
    """The test agency's supervisor (审核人), registered the first time one is needed."""
    found = session.exec(select(Inspector).where(Inspector.cert_no == SUPERVISOR_CERT)).first()
    if found is not None:
        return found.id
    return register_inspector(
        session, name="周审核", cert_no=SUPERVISOR_CERT, unit="阳城县应急管理局", county_code="140522",
        role=InspectorRole.SUPERVISOR,
    ).id  # fmt: skip


def approve_draft(session: Session, document_id: str) -> None:
    """Submit a draft decision and have the supervisor approve it (decisions are issued only once approved)."""
    document = session.get(Document, document_id)
    assert document is not None
    submitter = inspection_inspectors(session, str(document.inspection_id))[0].id
    submit_for_review(session, document_id, submitter)
    approve(session, document_id, supervisor_id(session))


def issue(store: Store, kind: DocumentKind, inspection_id: str, inputs: dict[str, Any] | None = None) -> Document:
    """Create a draft of the kind with its valid inputs (or the given ones), approve a decision, and issue it."""
    with store.session() as session:
        draft = create_draft(
            session, kind=kind, inspection_id=inspection_id, inputs=INPUTS.get(kind, {}) if inputs is None else inputs
        )
        if kind.needs_review:
            approve_draft(session, draft.id)
        return issue_document(session, store, document_id=draft.id, issued_at=ISSUED_AT)


def pdf_text(data: bytes) -> str:
    """The text of every page, with the line breaks the layout put in removed."""
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() or "" for page in reader.pages).replace("\n", "").replace(" ", "")


def font_embedding(path: Path) -> list[tuple[str, str]]:
    """(font name, emb column) for each font `pdffonts` lists."""
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    dashes = lines[1].split(" ")
    spans, start = [], 0
    for d in dashes:
        spans.append((start, start + len(d)))
        start += len(d) + 1
    name, emb = spans[0], spans[3]
    return [(line[name[0] : name[1]].strip(), line[emb[0] : emb[1]].strip()) for line in lines[2:]]
