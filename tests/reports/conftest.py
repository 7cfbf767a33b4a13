"""A small hand-built county (January to March 2025) whose every figure is worked out by hand in the tests.

Today is 2025-03-20. Enterprises: E1 北留镇 煤矿, E2 凤城镇 危险化学品, E3 凤城镇 工贸, E4 润城镇 工贸 (never
inspected), E5 嘉峰镇 煤矿 of another county (140521). Inspectors A, B, C; every inspection has two.

  2024-12-20 I7  E1 A,B  (last year: in no figure of 2025)
  2025-01-15 I6  E3 A,B  F11 一般 当场改正
  2025-02-05 I0  E3 A,B  草稿 (never on site) with F0: counted nowhere
  2025-02-10 I1  E1 A,B  F1 一般 限期 02-20, 销号 02-18 at R1 · F2 一般 限期 02-25, R1 复查不合格
                         F3 重大 停产停业 限期 03-31, 挂牌 02-11, 销号 03-05 at R2 · F4 一般 当场改正
  2025-02-18 R1  E1 A,C  复查 of I1
  2025-02-27 I2  E2 B,C  F5 一般 限期 03-10 整改中 · F6 重大 限期 04-30 待整改, not yet 挂牌
  2025-03-05 R2  E1 A,B  复查 of I1
  2025-03-11 I5  E5 A,B  F10 一般 当场改正
  2025-03-12 I3  E3 A,C  F7 一般 限期 03-15 待整改 · F8 一般 限期 03-25 待整改 · F9 一般 当场改正
  2025-03-18 I4  E2 B,C  no findings

Documents (已出具/已送达 unless said): I1 责改 02-10, 现决 02-10, 记录 02-10; I2 责改 02-27; I3 责改 and 强措
03-12; I5 责改 03-11; I1 罚（单位）30000.00元 and 罚（个人）8000.50元 03-03, a voided 罚 99999元 03-04 and a draft
罚; I6 罚（单位）5000元 01-20. Quizzes: I1 合格, 不合格, 中止 (02-10); I3 合格 ×2; I4 不合格; I2 one still 答题中.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
from sqlmodel import Session

from inspector import clock
from inspector.domain.enums import (
    DocumentKind,
    DocumentStatus,
    FindingMeasure,
    FindingStatus,
    HazardGrade,
    Industry,
    InspectionMode,
    InspectionStatus,
    QuizStatus,
)
from inspector.domain.identifiers import make_credit_code
from inspector.store.db import Store
from inspector.store.models import (
    Document,
    Enterprise,
    Finding,
    Inspection,
    InspectionInspector,
    Inspector,
    QuizSession,
)
from inspector.store.settings import AGENCY_KEY, set_setting

TODAY = date(2025, 3, 20)


def at(day: str, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=clock.CHINA_TZ)


@dataclass(frozen=True)
class County:
    enterprises: dict[str, str]  # E1 … → id
    inspectors: dict[str, str]  # A, B, C → id
    inspections: dict[str, str]  # I1 … → id


def _enterprise(session: Session, key: str, township: str, industry: Industry, county: str = "140522") -> str:
    row = Enterprise(
        name=f"测试{key}有限公司",
        credit_code=make_credit_code(county, f"MA0TXT{key[1]}0"),
        industry=industry,
        township=township,
        county_code=county,
    )
    session.add(row)
    session.flush()
    return row.id


def _inspection(
    session: Session,
    enterprise_id: str,
    started: datetime,
    people: list[str],
    *,
    mode: InspectionMode = InspectionMode.ROUTINE,
    status: InspectionStatus = InspectionStatus.DOCUMENTS_ISSUED,
    review_of: str | None = None,
) -> str:
    row = Inspection(
        enterprise_id=enterprise_id,
        mode=mode,
        status=status,
        started_at=started,
        ended_at=started.replace(hour=started.hour + 2),
        review_of_inspection_id=review_of,
    )
    session.add(row)
    session.flush()
    for position, person in enumerate(people):
        session.add(InspectionInspector(inspection_id=row.id, inspector_id=person, position=position))
    return row.id


def _finding(
    session: Session,
    inspection_id: str,
    enterprise_id: str,
    *,
    grade: HazardGrade = HazardGrade.GENERAL,
    measure: FindingMeasure = FindingMeasure.RECTIFY_BY_DEADLINE,
    deadline: str | None = None,
    status: FindingStatus = FindingStatus.OPEN,
    closed_at: datetime | None = None,
    supervised_since: str | None = None,
    review_inspection_id: str | None = None,
) -> None:
    session.add(
        Finding(
            inspection_id=inspection_id,
            enterprise_id=enterprise_id,
            description="测试隐患",
            grade=grade,
            measure=measure,
            deadline=date.fromisoformat(deadline) if deadline else None,
            status=status,
            closed_at=closed_at,
            supervised_by="阳城县人民政府安全生产委员会办公室" if supervised_since else "",
            supervised_since=date.fromisoformat(supervised_since) if supervised_since else None,
            review_inspection_id=review_inspection_id,
        )
    )


def _document(
    session: Session,
    inspection_id: str,
    enterprise_id: str,
    kind: DocumentKind,
    issued: datetime | None,
    *,
    status: DocumentStatus = DocumentStatus.SERVED,
    amount: str | None = None,
) -> None:
    fields: dict[str, object] = {"input": {}}
    if amount is not None:
        fields = {"input": {"amount": amount}, "amount_figures": f"{amount}元"}
    session.add(
        Document(
            inspection_id=inspection_id,
            enterprise_id=enterprise_id,
            kind=kind,
            status=status,
            issued_at=issued,
            fields=fields,
        )
    )


def _quiz(session: Session, inspection_id: str, enterprise_id: str, started: datetime, status: QuizStatus) -> None:
    session.add(
        QuizSession(
            inspection_id=inspection_id,
            enterprise_id=enterprise_id,
            person_name="测试人",
            person_post="主要负责人",
            started_at=started,
            status=status,
            score=None if status in (QuizStatus.IN_PROGRESS, QuizStatus.ABANDONED) else 90.0,
        )
    )


def build_county(store: Store) -> County:
    with store.session() as session:
        set_setting(session, AGENCY_KEY, {"name": "阳城县应急管理局", "short_name": "阳"})
        e = {
            "E1": _enterprise(session, "E1", "北留镇", Industry.COAL),
            "E2": _enterprise(session, "E2", "凤城镇", Industry.HAZARDOUS_CHEMICALS),
            "E3": _enterprise(session, "E3", "凤城镇", Industry.INDUSTRY_TRADE),
            "E4": _enterprise(session, "E4", "润城镇", Industry.INDUSTRY_TRADE),
            "E5": _enterprise(session, "E5", "嘉峰镇", Industry.COAL, county="140521"),
        }
        people = {}
        for key, name, cert in (
            ("A", "王一", "14052200901"),
            ("B", "赵二", "14052200902"),
            ("C", "钱三", "14052200903"),
        ):
            officer = Inspector(name=name, cert_no=cert, county_code="140522")
            session.add(officer)
            session.flush()
            people[key] = officer.id
        a, b, c = people["A"], people["B"], people["C"]
        i = {
            "I7": _inspection(session, e["E1"], at("2024-12-20"), [a, b]),
            "I6": _inspection(session, e["E3"], at("2025-01-15"), [a, b]),
            "I0": _inspection(session, e["E3"], at("2025-02-05"), [a, b], status=InspectionStatus.DRAFT),
            "I1": _inspection(session, e["E1"], at("2025-02-10"), [a, b], mode=InspectionMode.UNANNOUNCED),
        }
        i["R1"] = _inspection(session, e["E1"], at("2025-02-18"), [a, c], mode=InspectionMode.REVIEW, review_of=i["I1"])
        i["I2"] = _inspection(session, e["E2"], at("2025-02-27", 14), [b, c])
        i["R2"] = _inspection(
            session, e["E1"], at("2025-03-05", 10), [a, b], mode=InspectionMode.REVIEW, review_of=i["I1"]
        )
        i["I5"] = _inspection(session, e["E5"], at("2025-03-11"), [a, b])
        i["I3"] = _inspection(session, e["E3"], at("2025-03-12", 9, 30), [a, c], mode=InspectionMode.DOUBLE_RANDOM)
        i["I4"] = _inspection(session, e["E2"], at("2025-03-18", 10), [b, c], mode=InspectionMode.SPECIAL)

        on_site = {"measure": FindingMeasure.CORRECTED_ON_SITE, "status": FindingStatus.CLOSED}
        _finding(session, i["I7"], e["E1"], deadline="2024-12-30")
        _finding(session, i["I6"], e["E3"], closed_at=at("2025-01-15", 10), **on_site)
        _finding(session, i["I0"], e["E3"], deadline="2025-02-10")
        # I1: F1–F4
        _finding(session, i["I1"], e["E1"], deadline="2025-02-20", status=FindingStatus.CLOSED,
                 closed_at=at("2025-02-18", 10), review_inspection_id=i["R1"])  # fmt: skip
        _finding(session, i["I1"], e["E1"], deadline="2025-02-25", status=FindingStatus.REVIEW_FAILED,
                 review_inspection_id=i["R1"])  # fmt: skip
        _finding(session, i["I1"], e["E1"], grade=HazardGrade.MAJOR, measure=FindingMeasure.SUSPEND_PRODUCTION,
                 deadline="2025-03-31", status=FindingStatus.CLOSED, closed_at=at("2025-03-05", 11),
                 supervised_since="2025-02-11", review_inspection_id=i["R2"])  # fmt: skip
        _finding(session, i["I1"], e["E1"], closed_at=at("2025-02-10", 10), **on_site)
        # I2: F5, F6
        _finding(session, i["I2"], e["E2"], deadline="2025-03-10", status=FindingStatus.RECTIFYING)
        _finding(session, i["I2"], e["E2"], grade=HazardGrade.MAJOR, deadline="2025-04-30")
        # I5: F10; I3: F7–F9
        _finding(session, i["I5"], e["E5"], closed_at=at("2025-03-11", 10), **on_site)
        _finding(session, i["I3"], e["E3"], deadline="2025-03-15")
        _finding(session, i["I3"], e["E3"], deadline="2025-03-25")
        _finding(session, i["I3"], e["E3"], closed_at=at("2025-03-12", 10), **on_site)

        doc = DocumentKind
        _document(session, i["I1"], e["E1"], doc.INSPECTION_RECORD, at("2025-02-10", 12))
        _document(session, i["I1"], e["E1"], doc.RECTIFICATION_ORDER, at("2025-02-10", 12))
        _document(session, i["I1"], e["E1"], doc.ON_SITE_MEASURES, at("2025-02-10", 12), status=DocumentStatus.ISSUED)
        _document(session, i["I2"], e["E2"], doc.RECTIFICATION_ORDER, at("2025-02-27", 16))
        _document(session, i["I3"], e["E3"], doc.RECTIFICATION_ORDER, at("2025-03-12", 12))
        _document(session, i["I3"], e["E3"], doc.COERCIVE_MEASURES, at("2025-03-12", 12))
        _document(session, i["I5"], e["E5"], doc.RECTIFICATION_ORDER, at("2025-03-11", 12))
        _document(session, i["I1"], e["E1"], doc.PENALTY_DECISION_UNIT, at("2025-03-03"), amount="30000.00")
        _document(session, i["I1"], e["E1"], doc.PENALTY_DECISION_PERSON, at("2025-03-03"), amount="8000.50")
        _document(session, i["I1"], e["E1"], doc.PENALTY_DECISION_UNIT, at("2025-03-04"), amount="99999.00",
                  status=DocumentStatus.VOID)  # fmt: skip
        _document(session, i["I1"], e["E1"], doc.PENALTY_DECISION_UNIT, None, amount="77777.00",
                  status=DocumentStatus.DRAFT)  # fmt: skip
        _document(session, i["I6"], e["E3"], doc.PENALTY_DECISION_UNIT, at("2025-01-20"), amount="5000.00")

        _quiz(session, i["I1"], e["E1"], at("2025-02-10", 10), QuizStatus.PASSED)
        _quiz(session, i["I1"], e["E1"], at("2025-02-10", 10, 30), QuizStatus.FAILED)
        _quiz(session, i["I1"], e["E1"], at("2025-02-10", 11), QuizStatus.ABANDONED)
        _quiz(session, i["I2"], e["E2"], at("2025-02-27", 15), QuizStatus.IN_PROGRESS)
        _quiz(session, i["I3"], e["E3"], at("2025-03-12", 10), QuizStatus.PASSED)
        _quiz(session, i["I3"], e["E3"], at("2025-03-12", 10, 30), QuizStatus.PASSED)
        _quiz(session, i["I4"], e["E2"], at("2025-03-18", 11), QuizStatus.FAILED)
        return County(enterprises=e, inspectors=people, inspections=i)


@pytest.fixture
def county(store: Store) -> County:
    return build_county(store)
