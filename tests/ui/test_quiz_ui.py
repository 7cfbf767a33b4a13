"""逢查必考 in the app: the kiosk the worker answers in, its lock, and the result screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot
from sqlmodel import select

from inspector.domain.enums import QuizStatus
from inspector.evidence.samples import write_sample_photo
from inspector.quiz import service as quiz
from inspector.quiz.bank_service import import_bank_def
from inspector.quiz.banks import parse_bank_text
from inspector.store.db import Store
from inspector.store.models import Evidence, EvidenceLink, QuizSession
from inspector.ui.app import wait_for_background_work
from inspector.ui.main_window import MainWindow
from inspector.ui.quiz_ui import QuizWindow, result_html
from tests.quiz.test_quiz_service import _bank


def settle() -> None:
    app = QApplication.instance()
    assert app is not None
    wait_for_background_work(app)  # type: ignore[arg-type]


def open_finished_inspection_for_quiz(window: MainWindow, store: Store) -> str:
    """A new inspection of the demo's coal mine, on site (the finished one already has its documents)."""
    with store.session() as session:
        import_bank_def(session, parse_bank_text(_bank("煤矿", "uiq", 8, "主要负责人")))
        from inspector.inspections.queries import list_inspections
        from inspector.inspections.service import inspection_inspectors, start_inspection
        from inspector.store.models import Inspection

        finished = session.get(Inspection, list_inspections(session)[0].id)
        assert finished is not None
        inspection_id = start_inspection(
            session,
            enterprise_id=finished.enterprise_id,
            inspector_ids=[i.id for i in inspection_inspectors(session, finished.id)],
        ).id
    window.show_page("现场检查")
    window.inspections.open_inspection(inspection_id)
    settle()
    return inspection_id


def test_kiosk_quiz_locked_until_pin_then_scored(
    qtbot: QtBot, window: MainWindow, demo_store: Store, monkeypatch
) -> None:
    inspection_id = open_finished_inspection_for_quiz(window, demo_store)
    view = window.inspections.inspection
    view.start_quiz()
    dialog = view.quiz_dialog
    dialog.name.setText("李矿长")
    dialog.post.setCurrentText("主要负责人")
    dialog.id_number.setText("11010519491231002X")
    dialog.count.setValue(5)
    dialog.pin.setText("123")
    dialog._accept()
    assert "4位以上" in dialog.error.text() and dialog.isVisible()
    dialog.pin.setText("2468")
    dialog._accept()
    settle()
    kiosk = view.property("quiz_window")
    assert isinstance(kiosk, QuizWindow)
    qtbot.addWidget(kiosk)
    settle()
    assert kiosk.isFullScreen() and len(kiosk.questions) == 5
    # The worker cannot close it, nor leave with Esc and a wrong PIN.
    kiosk.close()
    assert kiosk.isVisible() and "不能关闭" in kiosk.status.text()
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("0000", True)))
    qtbot.keyClick(kiosk, Qt.Key.Key_Escape)
    assert kiosk.isVisible()
    # Answer: all right except the first, by clicking the buttons as a worker would.
    for n, q in enumerate(kiosk.questions):
        kiosk.go(n)
        target = (
            q.answer
            if n
            else ("错" if q.answer == "对" else "对" if q.answer == "错" else "A" if q.answer != "A" else "B")
        )
        for button in kiosk.group.buttons():
            if str(button.property("answer")) in target:
                button.click()
        settle()
    with qtbot.waitSignal(kiosk.finished, timeout=10_000) as blocker:
        kiosk.hand_in()
        settle()
    result = blocker.args[0]
    assert result.score == 80.0 and result.status is QuizStatus.PASSED
    assert not kiosk.isVisible()
    html = result_html(result)
    assert "合格" in html and "正确答案" in html and "依据" in html
    with demo_store.session() as session:
        saved = session.exec(select(QuizSession).where(QuizSession.inspection_id == inspection_id)).one()
        assert saved.person_name == "李矿长" and saved.score == 80.0 and saved.seed


def test_written_score_records_a_fail_as_a_finding(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path
) -> None:
    inspection_id = open_finished_inspection_for_quiz(window, demo_store)
    view = window.inspections.inspection
    view.start_quiz()
    dialog = view.quiz_dialog
    dialog.name.setText("赵六")
    dialog.post.setCurrentText("瓦斯检查工")
    dialog.staff_no.setText("W-08")
    dialog.mode.setCurrentIndex(dialog.mode.findData("笔试"))
    dialog.written_score.setValue(60)
    dialog._accept()
    assert "须附上纸质试卷的照片" in dialog.error.text()  # a written score needs its paper
    (tmp_path / "paper.jpg").write_bytes(b"not a photo")
    dialog.paper_photo.set_path(tmp_path / "paper.jpg")
    dialog._accept()
    assert "不是可识别的图片文件" in dialog.error.text()
    dialog.paper_photo.set_path(write_sample_photo(tmp_path / "试卷.jpg", size=(800, 1100), seed=4))
    dialog.person_photo.set_path(write_sample_photo(tmp_path / "赵六.jpg", size=(300, 400), seed=5))
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        dialog._accept()
        settle()
    with demo_store.session() as session:
        failed = quiz.failed_people(session, inspection_id)
        saved = session.exec(select(QuizSession).where(QuizSession.person_name == "赵六")).one()
        paper = session.get(Evidence, saved.paper_evidence_id)
        person = session.get(Evidence, saved.person_photo_evidence_id)
        paper_links = session.exec(
            select(EvidenceLink).where(EvidenceLink.evidence_id == saved.paper_evidence_id)
        ).all()
    assert [f.person_name for f in failed] == ["赵六"]
    assert any("赵六" in r.description for r in view.finding_model._rows)
    assert paper is not None and paper.original_name == "试卷.jpg" and paper.inspection_id == inspection_id
    assert person is not None and person.original_name == "赵六.jpg"
    # The failed paper is the evidence of the finding the failure made.
    assert [link.finding_id for link in paper_links] == [saved.finding_id]


def test_bank_import_shows_row_problems_and_imports_valid_rows_on_request(
    qtbot: QtBot, window: MainWindow, tmp_path, monkeypatch
) -> None:
    from openpyxl import Workbook

    from inspector.ui.banks_page import BanksPage, ImportProblemsDialog

    page = window.pages["题库"]
    assert isinstance(page, BanksPage)
    window.show_page("题库")
    settle()
    shipped = page.model.rowCount()
    assert shipped >= 9
    wb = Workbook()
    ws = wb.active
    ws.append(["题型", "适用岗位", "题干", "选项A", "选项B", "答案"])
    ws.append(["判断", "主要负责人", "本局自编判断题。", None, None, "√"])
    ws.append(["单选", "主要负责人", "本局自编单选题。", "甲", "乙", "C"])
    path = tmp_path / "本局题库.xlsx"
    wb.save(path)
    answers = iter([0, 1])  # first time: 不导入; second time: 只导入有效行
    monkeypatch.setattr(ImportProblemsDialog, "exec", lambda self: next(answers))
    page.import_file(path, "local")
    settle()
    assert "未导入" in page.status.text() and page.model.rowCount() == shipped
    page.import_file(path, "local")
    settle()
    assert "已导入 1 道题" in page.status.text()
    assert page.model.rowCount() == shipped + 1
    template = tmp_path / "模板.xlsx"
    page.write_template_to(template)
    assert template.exists() and "模板已保存" in page.status.text()
