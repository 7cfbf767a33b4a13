"""The main window: every navigation page shows real data; the 工作台 counts match the services."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from inspector import clock
from inspector.dashboard.service import workbench_counts
from inspector.domain.enums import Industry
from inspector.store.db import Store
from inspector.ui import app as ui_app
from inspector.ui.main_window import NAV_PAGES, MainWindow
from inspector.ui.pages import EnterprisePage, ListPage, SyncPage, WorkbenchPage


def show(qtbot: QtBot, window: MainWindow, name: str) -> object:
    page = window.pages[name]
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        window.show_page(name)
    assert window.stack.currentWidget() is page
    assert page.isVisible()
    return page


def test_window_title_and_navigation_in_chinese(window: MainWindow) -> None:
    assert window.windowTitle() == "安全生产现场执法助手 — 阳城县应急管理局"
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == list(NAV_PAGES)
    assert window.current_page() is window.pages["工作台"]


def test_workbench_counts_match_the_services(window: MainWindow, demo_store: Store) -> None:
    page = window.pages["工作台"]
    assert isinstance(page, WorkbenchPage)
    with demo_store.session() as session:
        counts = workbench_counts(session, today=clock.local_today())
    shown = {key: int(card.value.text()) for key, card in page.cards.items()}
    assert shown == {
        "tasks_today": counts.tasks_today,
        "open_tasks": counts.open_tasks,
        "open_findings": counts.open_findings,
        "open_major_findings": counts.open_major_findings,
        "overdue_findings": counts.overdue_findings,
        "unsynced_records": counts.unsynced_records,
    }
    # The demo has open tasks, open and overdue findings, two of them 重大, and nothing synced yet.
    assert counts.open_tasks == 6 and counts.tasks_today >= 1
    assert counts.open_major_findings == 2 and counts.overdue_findings >= 1
    assert counts.unsynced_records > 0
    assert page.task_model.rowCount() == counts.open_tasks
    assert page.finding_model.rowCount() == counts.open_findings


@pytest.mark.parametrize("name", NAV_PAGES)
def test_each_page_shows(qtbot: QtBot, window: MainWindow, name: str) -> None:
    page = show(qtbot, window, name)
    if isinstance(page, ListPage):
        rows = page.model.rowCount()
        assert page.status.text() == (f"共 {rows} 条" if rows else page._empty_text)
    expected_rows = {"检查任务": 6, "现场检查": 1, "隐患整改": 4, "执法文书": 3, "题库": 10, "企业": 24}
    if name in expected_rows:
        model = getattr(page, "model", None)
        assert model is not None
        assert model.rowCount() == expected_rows[name]
    if name == "同步":
        assert isinstance(page, SyncPage)
        assert "待同步记录" in page.summary.text()
        assert page.model.rowCount() > 0


def test_ctrl_number_jumps_to_pages(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.pages["企业"].refreshed, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is window.pages["企业"]


def test_enterprise_search_and_industry_filter(qtbot: QtBot, window: MainWindow) -> None:
    page = show(qtbot, window, "企业")
    assert isinstance(page, EnterprisePage)
    assert page.model.rowCount() == 24
    assert page.count_label.text() == "共 24 家"
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.industry.setCurrentIndex(page.industry.findData(Industry.COAL))
    names = [page.model.row_at(r).name for r in range(page.model.rowCount())]
    assert len(names) == 4 and all("煤业" in n for n in names)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.search.insert("晟泰")  # QTest cannot type non-ASCII keys; insert() is what an IME does
    assert [page.model.row_at(r).name for r in range(page.model.rowCount())] == ["山西阳城晟泰煤业有限公司"]
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.industry.setCurrentIndex(0)
    assert [page.model.row_at(r).name for r in range(page.model.rowCount())] == ["山西阳城晟泰煤业有限公司"]
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.search.setText("不存在的单位")
    assert page.model.rowCount() == 0
    assert page.count_label.text() == "共 0 家"


def test_a_stale_load_never_overwrites_a_newer_one(qtbot: QtBot, window: MainWindow) -> None:
    page = show(qtbot, window, "企业")
    assert isinstance(page, EnterprisePage)
    # Two loads in flight: whichever finishes first, only the second (煤矿) may be shown.
    page.industry.blockSignals(True)
    page.industry.setCurrentIndex(page.industry.findData(Industry.FIRE))
    page.refresh()
    page.industry.setCurrentIndex(page.industry.findData(Industry.COAL))
    page.industry.blockSignals(False)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()
    ui_app.wait_for_background_work(QApplication.instance())
    assert {page.model.row_at(r).industry for r in range(page.model.rowCount())} == {"煤矿"}


def test_shipped_font_and_chinese_qt_strings_are_loaded(window: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert app.font().family() == "WenQuanYi Micro Hei"
    # Qt's own buttons come out in Chinese because qtbase_zh_CN is installed.
    box = QMessageBox(QMessageBox.Icon.Information, "t", "t", QMessageBox.StandardButton.Cancel)
    assert box.button(QMessageBox.StandardButton.Cancel).text() == "取消"


def test_screenshot_renders_the_named_page(demo_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "shots" / "wb.png"
    ui_app.render_screenshot(demo_store.data_dir, target, page="企业", size=(1024, 700))
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1024, 700)
    with pytest.raises(Exception, match=r"没有|unknown page"):
        ui_app.render_screenshot(demo_store.data_dir, tmp_path / "x.png", page="不存在", size=(800, 600))


def test_unusable_data_folder_shows_a_dialog(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "inspector.sqlite").write_bytes(b"not a database at all" * 20)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    assert ui_app.run_app(folder) == 1
    assert shown and "数据文件已损坏" in shown[0]
    assert "not an Inspector database" in capsys.readouterr().err
