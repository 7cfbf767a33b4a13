"""The monthly report against the hand-built county of conftest.py: every figure worked out by hand."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, timedelta
from decimal import Decimal

import pytest

from inspector.errors import ValidationError
from inspector.reports.monthly import FIGURE_NAMES, Figures, MonthlyReport, monthly_report
from inspector.store.db import Store
from tests.reports.conftest import TODAY, County

# March 2025 as of 2025-03-20. Month: R2, I5, I3, I4; their findings F7–F10. Year to date: I6, I1, R1, I2 too,
# with F11 and F1–F6 (I7 is last year's, I0 a draft).
MARCH = Figures(
    inspections=4,
    review_inspections=1,
    enterprises=4,  # E1 (R2), E5, E3, E2
    hazards_general=4,  # F7, F8, F9, F10
    hazards_major=0,
    rectified=2,  # F9, F10 当场改正
    overdue=1,  # F7: deadline 03-15
    orders=2,  # I3, I5
    coercive_measures=1,
    penalties=2,  # the voided and the draft decision do not count
    penalties_on_persons=1,
    fines_cents=3_800_050,  # 30000.00 + 8000.50
    quizzes=3,
    quizzes_passed=2,
)
MARCH_YTD = Figures(
    inspections=8,  # I6, I1, R1, I2, R2, I5, I3, I4
    review_inspections=2,
    enterprises=4,  # E1, E2, E3, E5 (E4 never)
    hazards_general=9,  # F11, F1, F2, F4, F5, F7, F8, F9, F10
    hazards_major=2,  # F3, F6
    rectified=6,  # F11, F1 (02-18), F3 (03-05), F4, F9, F10
    overdue=3,  # F2 (02-25), F5 (03-10), F7 (03-15)
    major_supervised=1,  # F3; F6 not yet
    major_closed=1,  # F3
    orders=4,  # I1, I2, I3, I5
    on_site_measures=1,
    coercive_measures=1,
    suspended_enterprises=1,  # E1 (F3)
    penalties=3,  # with I6's in January
    penalties_on_persons=1,
    fines_cents=4_300_050,
    quizzes=5,
    quizzes_passed=3,
)
# February as of 02-28: F3 was closed on 03-05, so in February it is not rectified yet.
FEBRUARY = Figures(
    inspections=3,  # I1, R1, I2
    review_inspections=1,
    enterprises=2,
    hazards_general=4,  # F1, F2, F4, F5
    hazards_major=2,  # F3, F6
    rectified=2,  # F1, F4
    overdue=1,  # F2; F5's deadline (03-10) is after 02-28
    major_supervised=1,
    major_closed=0,
    orders=2,
    on_site_measures=1,
    suspended_enterprises=1,
    quizzes=2,
    quizzes_passed=1,
)
FEBRUARY_YTD = Figures(
    inspections=4,
    review_inspections=1,
    enterprises=3,
    hazards_general=5,
    hazards_major=2,
    rectified=3,  # F11, F1, F4
    overdue=1,
    major_supervised=1,
    orders=2,
    on_site_measures=1,
    suspended_enterprises=1,
    penalties=1,
    fines_cents=500_000,
    quizzes=2,
    quizzes_passed=1,
)


def _report(store: Store, month: tuple[int, int], county: str | None = None) -> MonthlyReport:
    with store.session() as session:
        return monthly_report(session, month, county, today=TODAY)


def _sum(rows: list[Figures]) -> Figures:
    total = Figures()
    for f in rows:
        total += f
    return total


def test_march_totals(store: Store, county: County) -> None:
    report = _report(store, (2025, 3))
    assert (report.period_start, report.period_end, report.as_of) == (date(2025, 3, 1), date(2025, 3, 31), TODAY)
    assert report.totals.month == MARCH
    assert report.totals.year_to_date == MARCH_YTD
    assert report.totals.month.rectification_rate == pytest.approx(0.5)
    assert report.totals.year_to_date.rectification_rate == pytest.approx(6 / 11)
    assert report.totals.month.pass_rate == pytest.approx(2 / 3)
    assert report.totals.year_to_date.fines_yuan == Decimal("43000.50")
    assert report.title == "阳城县应急管理局安全生产监管执法统计月报（2025年3月）"


def test_february_is_as_of_its_last_day(store: Store, county: County) -> None:
    report = _report(store, (2025, 2))
    assert report.as_of == date(2025, 2, 28)
    assert report.totals.month == FEBRUARY
    assert report.totals.year_to_date == FEBRUARY_YTD
    assert report.totals.month.rectification_rate == pytest.approx(2 / 6)


def test_a_date_names_its_month(store: Store, county: County) -> None:
    assert _report(store, (2025, 3)) == _report_from_date(store, date(2025, 3, 7))


def _report_from_date(store: Store, day: date) -> MonthlyReport:
    with store.session() as session:
        return monthly_report(session, day, today=TODAY)


def test_march_by_township(store: Store, county: County) -> None:
    report = _report(store, (2025, 3))
    rows = {r.label: r for r in report.by_township}
    # Every township with an enterprise, quiet or not, in pinyin order.
    assert list(rows) == ["北留镇", "凤城镇", "嘉峰镇", "润城镇"]
    assert rows["润城镇"].month == Figures() and rows["润城镇"].year_to_date == Figures()
    assert rows["北留镇"].month == Figures(
        inspections=1, review_inspections=1, enterprises=1, penalties=2, penalties_on_persons=1, fines_cents=3_800_050
    )
    assert rows["凤城镇"].month == Figures(
        inspections=2,  # I3 (E3), I4 (E2)
        enterprises=2,
        hazards_general=3,
        rectified=1,
        overdue=1,
        orders=1,
        coercive_measures=1,
        quizzes=3,
        quizzes_passed=2,
    )
    assert rows["嘉峰镇"].month == Figures(inspections=1, enterprises=1, hazards_general=1, rectified=1, orders=1)
    assert rows["北留镇"].year_to_date == Figures(
        inspections=3,  # I1, R1, R2
        review_inspections=2,
        enterprises=1,
        hazards_general=3,  # F1, F2, F4
        hazards_major=1,  # F3
        rectified=3,
        overdue=1,
        major_supervised=1,
        major_closed=1,
        orders=1,
        on_site_measures=1,
        suspended_enterprises=1,
        penalties=2,
        penalties_on_persons=1,
        fines_cents=3_800_050,
        quizzes=2,
        quizzes_passed=1,
    )


def test_township_and_industry_rows_add_up_to_the_totals(store: Store, county: County) -> None:
    for month in ((2025, 1), (2025, 2), (2025, 3)):
        report = _report(store, month)
        for rows in (report.by_township, report.by_industry):
            assert _sum([r.month for r in rows]) == report.totals.month
            assert _sum([r.year_to_date for r in rows]) == report.totals.year_to_date


def test_march_by_industry(store: Store, county: County) -> None:
    report = _report(store, (2025, 3))
    assert [r.label for r in report.by_industry] == ["煤矿", "危险化学品", "工贸"]  # the Industry order
    coal, chemicals, trade = (r.month for r in report.by_industry)
    assert coal.inspections == 2 and coal.enterprises == 2  # R2 (E1), I5 (E5)
    assert chemicals == Figures(inspections=1, enterprises=1, quizzes=1)  # I4
    assert trade.hazards_general == 3 and trade.overdue == 1 and trade.orders == 1


def test_march_by_inspector_counts_each_inspection_for_each_inspector(store: Store, county: County) -> None:
    report = _report(store, (2025, 3))
    rows = {r.key: r for r in report.by_inspector}
    a, b, c = (rows[county.inspectors[k]] for k in "ABC")
    assert (a.label, a.detail) == ("王一", "14052200901")
    # R2 (A, B), I5 (A, B), I3 (A, C), I4 (B, C); the penalties belong to I1 (A, B).
    assert a.month == Figures(
        inspections=3,
        review_inspections=1,
        enterprises=3,
        hazards_general=4,
        rectified=2,
        overdue=1,
        orders=2,
        coercive_measures=1,
        penalties=2,
        penalties_on_persons=1,
        fines_cents=3_800_050,
        quizzes=2,
        quizzes_passed=2,
    )
    assert b.month == Figures(
        inspections=3,
        review_inspections=1,
        enterprises=3,
        hazards_general=1,
        rectified=1,
        orders=1,
        penalties=2,
        penalties_on_persons=1,
        fines_cents=3_800_050,
        quizzes=1,
    )
    assert c.month == Figures(
        inspections=2,
        enterprises=2,
        hazards_general=3,
        rectified=1,
        overdue=1,
        orders=1,
        coercive_measures=1,
        quizzes=3,
        quizzes_passed=2,
    )
    # Every inspection here has two inspectors, so each additive figure is counted exactly twice.
    for period in ("month", "year_to_date"):
        people = _sum([getattr(r, period) for r in report.by_inspector])
        total = getattr(report.totals, period)
        for name in FIGURE_NAMES:
            if name not in ("enterprises", "suspended_enterprises"):  # distinct counts do not add up
                assert getattr(people, name) == 2 * getattr(total, name), (period, name)


def test_a_county_leaves_out_the_others(store: Store, county: County) -> None:
    report = _report(store, (2025, 3), county="140522")
    assert "嘉峰镇" not in [r.label for r in report.by_township]
    assert report.totals.month == Figures(
        **{
            **{f.name: getattr(MARCH, f.name) for f in fields(Figures)},
            "inspections": 3,
            "enterprises": 3,
            "hazards_general": 3,
            "rectified": 1,
            "orders": 1,
        }
    )


def test_rates_without_a_denominator_are_none() -> None:
    assert Figures().rectification_rate is None
    assert Figures().pass_rate is None
    assert Figures().to_json()["rectification_rate"] is None


@pytest.mark.parametrize("month", [(2025, 13), (2025, 0), (1999, 5)])
def test_a_bad_month_is_refused(store: Store, month: tuple[int, int]) -> None:
    with pytest.raises(ValidationError) as info, store.session() as session:
        monthly_report(session, month, today=TODAY)
    assert info.value.code == "bad_month"


def test_a_month_not_begun_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError, match="not begun"), store.session() as session:
        monthly_report(session, TODAY + timedelta(days=15), today=TODAY)


def test_json_has_every_figure(store: Store, county: County) -> None:
    data = _report(store, (2025, 3)).to_json()
    assert data["month"] == "2025-03" and data["as_of"] == "2025-03-20"
    month = data["totals"]["month"]
    assert month["fines_yuan"] == 38000.5 and month["rectification_rate"] == 0.5 and month["hazards"] == 4
    assert len(data["by_township"]) == 4 and len(data["by_inspector"]) == 3
