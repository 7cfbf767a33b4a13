"""监管台: the month's figures on screen match the report, the workbook is written, and 一企一档 prints."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import select

from inspector import clock
from inspector.reports.monthly import monthly_report
from inspector.store.db import Store
from inspector.store.models import Enterprise, Inspection
from inspector.ui.desk import DeskPage, EnterpriseFileTab, StatsTab, enterprise_file_html
from inspector.ui.main_window import MainWindow

WAIT = 30_000


def open_desk(qtbot: QtBot, window: MainWindow) -> DeskPage:
    page = window.pages["监管台"]
    assert isinstance(page, DeskPage)
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        window.show_page("监管台")
    return page


def test_the_months_figures_match_the_report_and_export_as_a_workbook(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path
) -> None:
    page = open_desk(qtbot, window)
    stats = page.stats
    assert isinstance(stats, StatsTab) and stats.data is not None
    today = clock.local_today()
    assert stats.month == (today.year, today.month)
    with demo_store.session() as session:
        expected = monthly_report(session, (today.year, today.month))
    assert stats.data.report.totals == expected.totals
    assert expected.totals.month.inspections >= 1  # the demo's inspection is this month's
    model = stats.model
    last = model.rowCount() - 1
    assert model.data(model.index(last, 0)) == "合计"
    assert model.data(model.index(last, 1)) == str(expected.totals.month.inspections)
    assert model.rowCount() == len(expected.by_township) + 1
    assert f"检查 {expected.totals.month.inspections} 次" in stats.summary.text()
    stats.group_box.setCurrentText("按执法人员")
    assert model.headerData(0, Qt.Orientation.Horizontal) == "执法人员"
    assert model.rowCount() == len(expected.by_inspector) + 1
    assert stats.trend_view.chart().series()[0].count() == 3  # inspections, hazards, major hazards
    target = tmp_path / "月报"
    with qtbot.waitSignal(stats.exported, timeout=WAIT) as written:
        stats.export_to(target)
    assert written.args[0].endswith("月报.xlsx")
    book = openpyxl.load_workbook(written.args[0])
    sheet = book.worksheets[0]
    assert expected.title in str(sheet["A1"].value)
    page.grab().save(str(tmp_path / "desk.png"))


def test_the_enterprise_file_shows_and_prints_one_enterprise(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path
) -> None:
    page = open_desk(qtbot, window)
    with demo_store.session() as session:
        inspection = session.exec(select(Inspection)).first()
        assert inspection is not None
        enterprise = session.get(Enterprise, inspection.enterprise_id)
        assert enterprise is not None
        name, enterprise_id = enterprise.name, enterprise.id
    tab = page.enterprise_file
    assert isinstance(tab, EnterpriseFileTab)
    with qtbot.waitSignal(tab.refreshed, timeout=WAIT):
        page.show_tab("一企一档")
    with qtbot.waitSignal(tab.refreshed, timeout=WAIT):
        tab.open_enterprise(enterprise_id)
    assert tab.current is not None and tab.current.id == enterprise_id
    assert name in tab.facts.text()
    assert tab.inspections_model.rowCount() == len(tab.current.inspections) >= 1
    assert tab.findings_model.rowCount() == len(tab.current.open_findings)
    text = enterprise_file_html(tab.current)
    assert name in text and "检查记录" in text and "<script" not in text
    pdf = tmp_path / "file.pdf"
    tab.write_pdf(pdf)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000
