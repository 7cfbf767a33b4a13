"""检查任务 and 隐患整改 pages: filters and the actions that move the work on."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialog, QInputDialog
from pytestqt.qtbot import QtBot
from sqlmodel import select

from inspector.domain.enums import FindingStatus, HazardGrade, Industry
from inspector.store.db import Store
from inspector.store.models import Finding, RandomDraw
from inspector.ui.app import wait_for_background_work
from inspector.ui.main_window import MainWindow
from inspector.ui.work_pages import DrawDialog, FindingsPage, TasksPage


def settle() -> None:
    app = QApplication.instance()
    assert app is not None
    wait_for_background_work(app)  # type: ignore[arg-type]


def test_findings_filters(qtbot: QtBot, window: MainWindow) -> None:
    page = window.pages["隐患整改"]
    assert isinstance(page, FindingsPage)
    window.show_page("隐患整改")
    settle()
    assert page.model.rowCount() == 4
    page.major_only.setChecked(True)
    settle()
    assert {page.model.row_at(r).grade for r in range(page.model.rowCount())} == {"重大事故隐患"}
    page.major_only.setChecked(False)
    page.overdue_only.setChecked(True)
    settle()
    assert page.model.rowCount() >= 1 and all(page.model.row_at(r).overdue for r in range(page.model.rowCount()))
    page.overdue_only.setChecked(False)
    page.include_closed.setChecked(True)
    settle()
    assert page.model.rowCount() == 5  # the one corrected on the spot is closed
    page.enterprise.setCurrentIndex(page.enterprise.findText("阳城县瑞霖化工有限公司"))
    settle()
    assert page.model.rowCount() == 0


def test_mark_rectifying_and_supervise(qtbot: QtBot, window: MainWindow, demo_store: Store, monkeypatch) -> None:
    page = window.pages["隐患整改"]
    assert isinstance(page, FindingsPage)
    window.show_page("隐患整改")
    settle()
    general = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).grade == HazardGrade.GENERAL.value)
    finding_id = page.model.row_at(general).id
    page.view.selectRow(general)
    page.mark_rectifying()
    settle()
    with demo_store.session() as session:
        finding = session.get(Finding, finding_id)
        assert finding is not None and finding.status is FindingStatus.RECTIFYING
    major = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).grade == HazardGrade.MAJOR.value)
    major_id = page.model.row_at(major).id
    page.view.selectRow(major)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("晋城市应急管理局", True)))
    page.supervise()
    settle()
    with demo_store.session() as session:
        finding = session.get(Finding, major_id)
        assert finding is not None and finding.supervised_by == "晋城市应急管理局"


def test_review_request_opens_the_start_dialog_in_review_mode(qtbot: QtBot, window: MainWindow, monkeypatch) -> None:
    page = window.pages["隐患整改"]
    assert isinstance(page, FindingsPage)
    window.show_page("隐患整改")
    settle()
    seen: list[tuple[str, str | None, bool]] = []

    def fake_exec(dialog: QDialog) -> int:
        seen.append((dialog.windowTitle(), dialog.review_of_inspection_id, dialog.template.isEnabled()))
        return 0

    monkeypatch.setattr(QDialog, "exec", fake_exec)
    page.view.selectRow(0)
    page.request_review()
    settle()
    assert window.current_page() is window.inspections
    assert seen == [("复查（现场）", page.model.row_at(0).inspection_id, False)]


def test_double_random_draw_from_the_tasks_page(
    qtbot: QtBot, window: MainWindow, demo_store: Store, monkeypatch
) -> None:
    page = window.pages["检查任务"]
    assert isinstance(page, TasksPage)
    window.show_page("检查任务")
    settle()
    before = page.model.rowCount()

    def fake_exec(dialog: DrawDialog) -> int:
        dialog.industry.setCurrentIndex(dialog.industry.findData(Industry.COAL))
        dialog.count.setValue(2)
        dialog.seed.setText("测试种子")
        return 1

    monkeypatch.setattr(DrawDialog, "exec", fake_exec)
    page.draw()
    settle()
    assert page.model.rowCount() == before + 2
    assert "测试种子" in page.status.text()
    with demo_store.session() as session:
        draw = session.exec(select(RandomDraw)).one()
        assert draw.seed == "测试种子" and len(draw.chosen_enterprise_ids) == 2


def test_inspection_list_filters(qtbot: QtBot, window: MainWindow) -> None:
    page = window.inspections
    window.show_page("现场检查")
    settle()
    assert page.model.rowCount() == 1
    for combo, value, expected in (
        (page.status_filter, "检查完成", 0),
        (page.status_filter, "文书已出具", 1),
        (page.status_filter, "草稿", 0),
        (page.industry_filter, "煤矿", 0),  # still 草稿 from above
    ):
        combo.setCurrentIndex(combo.findText(value))
        settle()
        assert page.model.rowCount() == expected, (combo, value)
    page.status_filter.setCurrentIndex(0)
    settle()
    assert page.model.rowCount() == 1
    page.industry_filter.setCurrentIndex(page.industry_filter.findText("消防"))
    settle()
    assert page.model.rowCount() == 0 and "没有符合条件" in page.count_label.text()
    page.industry_filter.setCurrentIndex(0)
    page.search.setText("闭锁")
    settle()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert page.count_label.text() == "共 1 次检查"
