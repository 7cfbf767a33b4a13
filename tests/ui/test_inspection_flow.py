"""A 煤矿 inspection walked with the keyboard: start from a task, answer every item, finish, reopen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlmodel import select

from inspector.domain.enums import FindingStatus, InspectionStatus, ItemResultValue, TaskStatus
from inspector.evidence.samples import sample_photo
from inspector.inspections.queries import list_tasks
from inspector.store.db import Store
from inspector.store.models import Finding, Inspection, InspectionInspector, InspectionTask, ItemResult
from inspector.ui.app import wait_for_background_work
from inspector.ui.gallery import FILTER_ITEM
from inspector.ui.inspections_page import StartData
from inspector.ui.main_window import MainWindow


def settle() -> None:
    app = QApplication.instance()
    assert app is not None
    wait_for_background_work(app)  # type: ignore[arg-type]


def start_from_coal_task(qtbot: QtBot, window: MainWindow, store: Store) -> tuple[str, str]:
    with store.session() as session:
        task = next(t for t in list_tasks(session) if t.industry == "煤矿")
        data = StartData(session, task.id)
    page = window.inspections
    window.show_page("现场检查")
    dialog = page.make_dialog(data, task_id=task.id)
    qtbot.addWidget(dialog)
    # The task's two inspectors are pre-checked, the enterprise and its industry's checklist pre-selected.
    assert len(dialog.checked_inspectors()) == 2
    assert "煤矿" in dialog.template.currentText()
    dialog.person_name.setText("李矿长")
    dialog.person_post.setText("矿长")
    with qtbot.waitSignal(page.inspection.loaded, timeout=10_000):
        page.create_from(dialog.request())
    settle()
    inspection_id = page.inspection.inspection_id
    assert inspection_id is not None
    return inspection_id, task.id


def test_keyboard_walk_of_a_coal_inspection(qtbot: QtBot, window: MainWindow, demo_store: Store, monkeypatch) -> None:
    inspection_id, task_id = start_from_coal_task(qtbot, window, demo_store)
    view = window.inspections.inspection
    total = len(view.rows)
    assert total >= 80 + 60  # the 判定标准 items and the general section
    view.items.setFocus()
    # 2 = 不合格 on the first item, 4 = 未检 on the second (its reason asked for), 1 = 合格 on the rest.
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("井下该区域密闭", True)))
    qtbot.keyClick(view.items, Qt.Key.Key_2)
    qtbot.keyClick(view.items, Qt.Key.Key_4)
    settle()
    assert view.current_row() is not None and view.current_row().position == 2  # moved on by itself
    for _ in range(total - 2):
        qtbot.keyClick(view.items, Qt.Key.Key_1)
    settle()
    assert view.progress.value() == total
    # A note typed on the current item is saved as typed.
    qtbot.keyClicks(view.note, "ok")
    settle()
    # The failed item is a 重大事故隐患: finishing waits for its photo, taken while on that item.
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text: shown.append(text)))
    with qtbot.waitSignal(view.failed, timeout=10_000):
        qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert shown and "重大事故隐患还没有关联照片" in shown[0]
    view.select_row(0)
    view.gallery.filter.setCurrentText(FILTER_ITEM)
    settle()
    with qtbot.waitSignal(view.gallery.reloaded, timeout=10_000):
        view.gallery.add_camera_photo(sample_photo(size=(640, 480), seed=1))
    assert len(view.gallery.model.rows) == 1 and view.gallery.model.rows[0].item_ids == (view.rows[0].item_id,)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle()

    with demo_store.session() as session:
        inspection = session.get(Inspection, inspection_id)
        assert inspection is not None and inspection.status is InspectionStatus.FINISHED
        assert inspection.on_site_person_name == "李矿长"
        answers = session.exec(select(ItemResult).where(ItemResult.inspection_id == inspection_id)).all()
        assert len(answers) == total
        by_result = {r: sum(1 for a in answers if a.result is r) for r in ItemResultValue}
        assert by_result[ItemResultValue.FAIL] == 1 and by_result[ItemResultValue.NOT_CHECKED] == 1
        assert any(a.unchecked_reason == "井下该区域密闭" for a in answers)
        assert any(a.note == "ok" for a in answers)
        findings = session.exec(select(Finding).where(Finding.inspection_id == inspection_id)).all()
        assert len(findings) == 1 and findings[0].status is FindingStatus.OPEN
        assert findings[0].grade == "重大事故隐患"
        officers = session.exec(
            select(InspectionInspector).where(InspectionInspector.inspection_id == inspection_id)
        ).all()
        assert len(officers) == 2
        task = session.get(InspectionTask, task_id)
        assert task is not None and task.status is TaskStatus.DONE
    assert not view.finish_button.isEnabled() and view.reopen_button.isVisible()


def test_finishing_with_unanswered_items_is_refused_in_place(
    qtbot: QtBot, window: MainWindow, demo_store: Store, monkeypatch
) -> None:
    inspection_id, _ = start_from_coal_task(qtbot, window, demo_store)
    view = window.inspections.inspection
    shown: list[str] = []
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text: shown.append(text)))
    view.finish()
    settle()
    assert shown and "未填写结果" in shown[0]
    with demo_store.session() as session:
        inspection = session.get(Inspection, inspection_id)
        assert inspection is not None and inspection.status is InspectionStatus.ON_SITE


def test_filter_shows_failed_items_and_section_not_applicable(
    qtbot: QtBot, window: MainWindow, demo_store: Store, monkeypatch
) -> None:
    start_from_coal_task(qtbot, window, demo_store)
    view = window.inspections.inspection
    view.items.setFocus()
    qtbot.keyClick(view.items, Qt.Key.Key_2)
    settle()
    view.filter.setCurrentIndex(2)  # 只看不合格
    assert len(view.visible_rows) == 1 and view.visible_rows[0].result is ItemResultValue.FAIL
    view.filter.setCurrentIndex(0)
    view.sections.setCurrentRow(view.sections.count() - 1)  # the last section: 外包管理
    section_rows = len(view.visible_rows)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("无外包作业", True)))
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.mark_section_not_applicable()
    settle()
    assert all(r.result is ItemResultValue.NOT_APPLICABLE for r in view.visible_rows)
    assert view.progress.value() == 1 + section_rows
