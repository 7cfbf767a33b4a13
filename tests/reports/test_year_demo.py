"""`demo --year` on a small size: the counts, the shape of the data, determinism, refusals, and its report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlmodel import col

from inspector.demo.year import YearSize, seed_year_demo, year_span
from inspector.domain.enums import DocumentKind, FindingStatus, HazardGrade, Industry, InspectionMode, QuizStatus
from inspector.errors import InspectorError, ValidationError
from inspector.reports.enterprise import enterprise_file
from inspector.reports.monthly import Figures, monthly_report
from inspector.store.db import Store, open_store
from inspector.store.models import (
    Document,
    Enterprise,
    Finding,
    Inspection,
    InspectionInspector,
    Inspector,
    OutboxEntry,
    QuizAnswer,
    QuizSession,
)
from inspector.store.search_index import FTS_TABLE
from inspector.store.settings import DEMO_KEY, set_setting

SMALL = YearSize(enterprises=40, inspectors=6, inspections=400, townships=6)
TODAY = date(2026, 3, 1)


def _count(store: Store, stmt: object) -> int:
    with store.session() as session:
        return int(session.connection().execute(stmt).scalar_one())


def test_a_small_year(store: Store) -> None:
    summary = seed_year_demo(store, year=2025, size=SMALL, today=TODAY)
    assert summary.created and (summary.first_day, summary.last_day) == (date(2025, 1, 1), date(2025, 12, 31))
    assert _count(store, select(func.count()).select_from(Enterprise)) == 40
    assert _count(store, select(func.count()).select_from(Inspector)) == 6
    assert _count(store, select(func.count(func.distinct(Enterprise.township)))) == 6
    assert _count(store, select(func.count(func.distinct(Enterprise.industry)))) >= 8
    assert _count(store, select(func.count()).select_from(Inspection)) == 400 == summary.counts["inspections"]
    with store.session() as session:
        conn = session.connection()
        # Every inspection has at least two inspectors, and all of them happened within the year.
        teams = conn.execute(
            select(func.min(text("n")), func.max(text("n"))).select_from(
                select(func.count().label("n"))
                .select_from(InspectionInspector)
                .group_by(col(InspectionInspector.inspection_id))
                .subquery()
            )
        ).one()
        assert teams[0] >= 2 and teams[1] <= 3
        first, last = conn.execute(select(func.min(Inspection.started_at), func.max(Inspection.started_at))).one()
        assert first.year == 2025 and last.year == 2025
        reviews = conn.execute(select(func.count()).where(col(Inspection.mode) == InspectionMode.REVIEW)).scalar_one()
        assert 0 < reviews < 250
        grades = dict(conn.execute(select(Finding.grade, func.count()).group_by(col(Finding.grade))).all())
        total = sum(grades.values())
        assert total > 200 and 0 < grades[HazardGrade.MAJOR] < 0.1 * total
        statuses = dict(conn.execute(select(Finding.status, func.count()).group_by(col(Finding.status))).all())
        assert statuses[FindingStatus.CLOSED] > 0.7 * total  # most are rectified
        assert statuses.get(FindingStatus.REVIEW_FAILED, 0) > 0  # some failed a 复查
        quizzes = dict(conn.execute(select(QuizSession.status, func.count()).group_by(col(QuizSession.status))).all())
        rate = quizzes[QuizStatus.PASSED] / (quizzes[QuizStatus.PASSED] + quizzes[QuizStatus.FAILED])
        assert 0.75 < rate < 0.95
        answers = conn.execute(select(func.count()).select_from(QuizAnswer)).scalar_one()
        assert answers == 10 * sum(quizzes.values())
        kinds = dict(conn.execute(select(Document.kind, func.count()).group_by(col(Document.kind))).all())
        assert kinds[DocumentKind.INSPECTION_RECORD] == 400 - reviews
        assert kinds[DocumentKind.REVIEW_OPINION] == reviews
        assert kinds[DocumentKind.RECTIFICATION_ORDER] > 0 and kinds.get(DocumentKind.PENALTY_DECISION_UNIT, 0) > 0
        # Written as the session would: in the outbox, and searchable.
        synced = conn.execute(select(func.count(func.distinct(OutboxEntry.record_id)))).scalar_one()
        assert synced > 400 + total
        assert conn.execute(text(f"SELECT count(*) FROM {FTS_TABLE}")).scalar_one() == 400

    with store.session() as session:
        report = monthly_report(session, (2025, 12), today=TODAY)
        busiest = enterprise_file(session, summary.busiest_enterprise_id, today=TODAY)
    ytd = report.totals.year_to_date
    assert ytd.inspections == 400 and ytd.review_inspections == reviews and ytd.hazards == total
    assert ytd.quizzes == sum(quizzes.values()) - quizzes.get(QuizStatus.ABANDONED, 0)
    assert sum((r.year_to_date for r in report.by_township), Figures()) == ytd
    assert len(report.by_township) == 6 and {r.key for r in report.by_industry} <= {i.value for i in Industry}
    assert busiest.inspections and max(len(busiest.inspections), 1) >= 400 / 40


def _fingerprint(data_dir: Path) -> list[tuple[object, ...]]:
    store = open_store(data_dir)
    try:
        with store.session() as session:
            conn = session.connection()
            return [
                *conn.execute(text("SELECT id, name, credit_code, township FROM enterprise ORDER BY id")).all(),
                *conn.execute(text("SELECT id, enterprise_id, started_at, mode FROM inspection ORDER BY id")).all(),
                *conn.execute(text("SELECT id, description, status, deadline, closed_at FROM finding ORDER BY id")),
                *conn.execute(text("SELECT id, number_text, issued_at, fields FROM document ORDER BY id")).all(),
                *conn.execute(text("SELECT id, person_name, score FROM quizsession ORDER BY id")).all(),
            ]
    finally:
        store.close()


def test_the_same_seed_gives_the_same_year(tmp_path: Path) -> None:
    size = YearSize(enterprises=12, inspectors=4, inspections=60, townships=3)
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        store = open_store(tmp_path / name)
        try:
            seed_year_demo(store, year=2025, seed=seed, size=size, today=TODAY)
        finally:
            store.close()
    assert _fingerprint(tmp_path / "a") == _fingerprint(tmp_path / "b")
    assert _fingerprint(tmp_path / "a") != _fingerprint(tmp_path / "c")


def test_a_second_run_adds_nothing(store: Store) -> None:
    size = YearSize(enterprises=10, inspectors=3, inspections=30, townships=2)
    first = seed_year_demo(store, size=size, today=TODAY)
    again = seed_year_demo(store, size=size, today=TODAY)
    assert not again.created and again.counts == first.counts
    assert (first.first_day, first.last_day) == (date(2025, 3, 1), date(2026, 2, 28))  # the 365 days to yesterday
    assert _count(store, select(func.count()).select_from(Inspection)) == 30


def test_a_folder_with_real_data_or_the_small_demo_is_refused(store: Store, basics: object) -> None:
    with pytest.raises(InspectorError, match="already holds real data") as info:
        seed_year_demo(store, size=SMALL, today=TODAY)
    assert info.value.code == "demo_not_empty"
    with store.session() as session:
        set_setting(session, DEMO_KEY, {"finished_inspection_id": "x"})
    with pytest.raises(InspectorError, match="already holds the small demo"):
        seed_year_demo(store, size=SMALL, today=TODAY)


def test_the_span() -> None:
    assert year_span(2026, TODAY) == (date(2026, 1, 1), date(2026, 2, 28))
    with pytest.raises(ValidationError):
        year_span(2027, TODAY)
    with pytest.raises(ValidationError):
        year_span(2026, date(2026, 1, 1))
