"""Penalty amounts as the documents service freezes them in an issued decision, summed by the report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from inspector.documents.service import void_document
from inspector.domain.enums import DocumentKind
from inspector.reports.enterprise import enterprise_file
from inspector.reports.monthly import monthly_report
from inspector.store.db import Store
from tests.conftest import Basics
from tests.documents.conftest import INPUTS, build_case, issue


def test_issued_decisions_are_summed_to_the_fen(store: Store, basics: Basics) -> None:
    case = build_case(store, basics)  # a finished inspection of the mine on 2024-05-06
    issue(store, DocumentKind.RECTIFICATION_ORDER, case.inspection_id)
    unit = {**INPUTS[DocumentKind.PENALTY_DECISION_UNIT], "amount": "530,000"}
    person = {**INPUTS[DocumentKind.PENALTY_DECISION_PERSON], "amount": "1500.5元"}
    issue(store, DocumentKind.PENALTY_DECISION_UNIT, case.inspection_id, unit)
    issue(store, DocumentKind.PENALTY_DECISION_PERSON, case.inspection_id, person)
    voided = issue(store, DocumentKind.PENALTY_DECISION_UNIT, case.inspection_id, unit)
    with store.session() as session:
        void_document(session, document_id=voided.id, reason="金额有误")

    with store.session() as session:
        report = monthly_report(session, (2024, 5), today=date(2024, 6, 3))
        file = enterprise_file(session, basics.mine_id, today=date(2024, 6, 3))
    month = report.totals.month
    assert (month.penalties, month.penalties_on_persons) == (2, 1)
    assert month.fines_yuan == Decimal("531500.50")
    assert month.orders == 1 and month.coercive_measures == 0
    assert (month.inspections, month.hazards_general, month.hazards_major) == (1, 2, 1)
    assert month.major_supervised == 0  # not put under 挂牌督办
    assert month.overdue == 3 and month.rectified == 0  # deadlines 05-13 and 05-20, nothing rectified by 05-31
    assert [p.fine_yuan for p in file.penalties] == [Decimal("1500.50"), Decimal("530000.00")]
    assert file.fines_yuan == Decimal("531500.50")
    assert len(file.documents) == 4 and len(file.open_findings) == 3 and file.overdue_findings == 3
