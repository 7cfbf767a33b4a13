"""Everything about one enterprise, from the hand-built county of conftest.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from inspector.errors import ValidationError
from inspector.reports.enterprise import enterprise_file
from inspector.store.db import Store
from tests.reports.conftest import TODAY, County


def test_the_file_of_the_mine(store: Store, county: County) -> None:
    with store.session() as session:
        file = enterprise_file(session, county.enterprises["E1"], today=TODAY)
    assert (file.name, file.township, file.industry) == ("测试E1有限公司", "北留镇", "煤矿")
    ids = county.inspections
    assert [i.id for i in file.inspections] == [ids["R2"], ids["R1"], ids["I1"], ids["I7"]]  # newest first
    first = file.inspections[2]
    assert (first.inspectors, first.findings, first.major_findings, first.mode) == (
        "王一、赵二",
        4,
        1,
        "四不两直暗查暗访",
    )
    assert file.inspections[1].inspectors == "王一、钱三"
    assert (file.findings, file.major_findings) == (5, 1)
    # Open: F2 (复查不合格, deadline 02-25) and I7's (待整改, deadline 2024-12-30); both overdue on 03-20.
    assert [(f.deadline, f.status, f.overdue) for f in file.open_findings] == [
        (date(2024, 12, 30), "待整改", True),
        (date(2025, 2, 25), "复查不合格", True),
    ]
    assert file.overdue_findings == 2
    assert len(file.documents) == 7  # record, order, measures, two decisions, a voided and a draft decision
    assert [p.fine_yuan for p in file.penalties] == [Decimal("8000.50"), Decimal("30000.00")]
    assert file.fines_yuan == Decimal("38000.50")
    assert len(file.quizzes) == 3 and file.quiz_pass_rate == pytest.approx(0.5)  # 中止 does not count


def test_an_unknown_enterprise(store: Store) -> None:
    with pytest.raises(ValidationError), store.session() as session:
        enterprise_file(session, "nope")
