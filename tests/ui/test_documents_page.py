"""The 执法文书 page: list, filter, PDF preview, sign, issue, void, print, save, export; 出具文书 from a case."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox, QPlainTextEdit
from pytestqt.qtbot import QtBot
from sqlmodel import select

from inspector import clock
from inspector.documents.service import export_file_name
from inspector.domain.enums import DocumentKind, DocumentStatus
from inspector.store.db import Store
from inspector.store.models import Document, Signature
from inspector.ui import documents_page
from inspector.ui.documents_page import (
    CaseExport,
    DateInput,
    DocumentExport,
    DocumentsPage,
    NewDocumentDialog,
    print_pdf,
)
from inspector.ui.main_window import MainWindow

ORDER, RECORD, MEASURES = "责令限期整改指令书", "现场检查记录", "现场处理措施决定书"
WAIT = 15_000


def open_page(qtbot: QtBot, window: MainWindow) -> DocumentsPage:
    page = window.documents
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        window.show_page("执法文书")
    assert window.current_page() is page
    return page


def select_kind(qtbot: QtBot, page: DocumentsPage, kind: str) -> Any:
    row = next(r for r in page.rows if r.kind == kind)
    with qtbot.waitSignal(page.preview_ready, timeout=WAIT, check_params_cb=lambda shown: shown == row.id):
        assert page.select_document(row.id)
    return row


def stored(store: Store, document_id: str) -> Document:
    with store.session() as session:
        document = session.get(Document, document_id)
        assert document is not None
        return document


def shown_texts(page: DocumentsPage) -> list[list[str]]:
    model = page.view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def answer_yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_a: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def test_the_page_lists_the_demo_documents_and_previews_the_issued_order(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    page = open_page(qtbot, window)
    assert window.pages["执法文书"] is page and page.title == "执法文书"
    assert page.model.rowCount() == 3
    assert sorted(r.kind for r in page.rows) == sorted([ORDER, RECORD, MEASURES])
    assert [page.model.headerData(c, _horizontal()) for c in range(page.model.columnCount())] == [
        "种类", "文号", "被检查单位", "状态", "出具时间",
    ]  # fmt: skip
    assert page.count_label.text() == "共 3 份"

    order = select_kind(qtbot, page, ORDER)
    assert page.pdf_document.status() == QPdfDocument.Status.Ready
    assert page.pdf_document.pageCount() >= 1
    assert page.preview_stack.currentWidget() is page.pdf_view
    assert page.pdf_bytes is not None and hashlib.sha256(page.pdf_bytes).hexdigest() == order.pdf_sha256
    assert order.number_text in page.preview_title.text()
    # What can be done with an issued document, and what cannot.
    assert page.serve_button.isEnabled() and page.void_button.isEnabled()
    assert not page.sign_button.isEnabled() and not page.issue_button.isEnabled()
    assert not page.delete_button.isEnabled()

    draft = next(r for r in page.rows if r.status == "草稿")
    page.select_document(draft.id)
    assert page.placeholder.text() == "正在生成预览…"  # a draft is rendered now, which takes a moment
    with qtbot.waitSignal(page.preview_ready, timeout=WAIT):
        pass
    assert page.pdf_document.pageCount() >= 1
    assert page.sign_button.isEnabled() and page.issue_button.isEnabled() and page.delete_button.isEnabled()
    assert not page.serve_button.isEnabled() and not page.void_button.isEnabled()


def _horizontal() -> Any:
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def test_filter_by_status_and_search_by_number_or_enterprise(qtbot: QtBot, window: MainWindow) -> None:
    page = open_page(qtbot, window)
    page.set_status_filter("草稿")
    assert [r.kind for r in page.visible_rows()] == [MEASURES]
    assert page.count_label.text() == "1 份（共 3 份）"
    page.set_status_filter("已出具")
    assert sorted(r.kind for r in page.visible_rows()) == sorted([ORDER, RECORD])
    page.set_status_filter("已作废")
    assert page.visible_rows() == []
    page.set_status_filter("全部")
    page.search.insert("责改")
    assert [r.kind for r in page.visible_rows()] == [ORDER]
    page.search.clear()
    page.search.insert("晟泰煤业")
    assert len(page.visible_rows()) == 3
    page.search.insert("不存在")
    assert page.visible_rows() == []
    assert page.preview_stack.currentWidget() is page.placeholder


def test_signing_the_draft_from_the_page(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    page = open_page(qtbot, window)
    draft = select_kind(qtbot, page, MEASURES)
    dialog = page.open_signing()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.signer.count() > 0, timeout=WAIT)
    dialog.pad.add_stroke([(30, 120), (70, 80), (110, 130), (160, 70), (210, 120)])
    with qtbot.waitSignal(page.action_done, timeout=WAIT), qtbot.waitSignal(page.preview_ready, timeout=WAIT):
        dialog.submit()
    assert "已在《现场处理措施决定书》上记录签名" in page.message.text()
    with demo_store.session() as session:
        [signature] = session.exec(select(Signature).where(Signature.document_id == draft.id)).all()
    assert signature.image_sha256 and demo_store.blobs.has(signature.image_sha256)
    assert page.selected_row() is not None and page.selected_row().id == draft.id  # type: ignore[union-attr]


def test_issuing_the_draft_with_the_records_date_numbers_it(
    qtbot: QtBot, window: MainWindow, demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, window)
    record = stored(demo_store, next(r.id for r in page.rows if r.kind == RECORD))
    assert record.issued_at is not None
    draft = select_kind(qtbot, page, MEASURES)
    page.set_status_filter("草稿")  # the issued document is shown even though the filter would hide it
    asked = answer_yes(monkeypatch)
    with qtbot.waitSignal(page.action_done, timeout=WAIT), qtbot.waitSignal(page.preview_ready, timeout=WAIT):
        page.issue_selected()  # no date given: a 现场处理措施决定书 takes the date of its 现场检查记录
    assert "不能再修改" in asked[0] and "编号" in asked[0]
    assert stored(demo_store, draft.id).issued_at == record.issued_at

    year = clock.to_local(record.issued_at).year
    number = f"（阳）应急现决〔{year}〕36号"
    issued = stored(demo_store, draft.id)
    assert issued.status is DocumentStatus.ISSUED and issued.number_text == number
    row = page.selected_row()
    assert row is not None and row.id == draft.id and row.status == "已出具"
    texts = shown_texts(page)[page.view.currentIndex().row()]
    assert number in texts and "已出具" in texts
    assert number in page.message.text() and number in page.preview_title.text()
    assert page.status_filter.currentText() == "全部"
    assert hashlib.sha256(page.pdf_bytes or b"").hexdigest() == issued.pdf_sha256
    assert page.serve_button.isEnabled() and not page.issue_button.isEnabled()


def test_issuing_on_another_day_than_the_record_is_refused_with_the_services_message(
    qtbot: QtBot, window: MainWindow, demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, window)
    draft = select_kind(qtbot, page, MEASURES)
    answer_yes(monkeypatch)
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: warnings.append(text)))
    with qtbot.waitSignal(page.action_failed, timeout=WAIT) as failed:
        page.issue_selected(issued_at=clock.now())  # today: the demo's record was issued days ago
    assert failed.args[0].startswith("现场处理措施决定书的日期须与现场检查记录")
    assert warnings == [failed.args[0]]
    assert failed.args[0] in page.message.text()
    assert stored(demo_store, draft.id).status is DocumentStatus.DRAFT
    assert page.issue_button.isEnabled()


def test_serving_and_voiding_with_a_reason(
    qtbot: QtBot, window: MainWindow, demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, window)
    order = select_kind(qtbot, page, ORDER)
    with qtbot.waitSignal(page.action_done, timeout=WAIT):
        page.serve_selected()
    assert stored(demo_store, order.id).status is DocumentStatus.SERVED
    qtbot.waitUntil(lambda: page.selected_row() is not None and page.selected_row().status == "已送达")  # type: ignore[union-attr]

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("整改期限填写错误", True)))
    with qtbot.waitSignal(page.action_done, timeout=WAIT), qtbot.waitSignal(page.preview_ready, timeout=WAIT):
        page.void_selected()
    # preview_ready may be the one still coming from the serve above; wait for the list to show the void.
    qtbot.waitUntil(lambda: page.selected_row() is not None and page.selected_row().status == "已作废")  # type: ignore[union-attr]
    voided = stored(demo_store, order.id)
    assert voided.status is DocumentStatus.VOID and voided.void_reason == "整改期限填写错误"
    row = page.selected_row()
    assert row is not None and row.status == "已作废"
    assert "作废原因：整改期限填写错误" in page.preview_title.text()
    assert not page.void_button.isEnabled() and not page.serve_button.isEnabled()
    page.set_status_filter("已作废")
    assert [r.id for r in page.visible_rows()] == [order.id]


def test_deleting_the_draft(
    qtbot: QtBot, window: MainWindow, demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, window)
    draft = select_kind(qtbot, page, MEASURES)
    answer_yes(monkeypatch)
    with qtbot.waitSignal(page.action_done, timeout=WAIT):
        page.delete_selected()
    with demo_store.session() as session:
        assert session.get(Document, draft.id) is None
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=WAIT)
    assert page.selected_row() is None
    assert page.preview_stack.currentWidget() is page.placeholder


def test_print_pdf_paints_every_page_on_a_pdf_printer(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, window)
    select_kind(qtbot, page, RECORD)  # the record carries its photo appendix: several pages
    data = page.pdf_bytes
    assert data is not None
    pages = page.pdf_document.pageCount()
    assert pages > 1
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(target))
    assert print_pdf(data, printer) == pages
    assert len(PdfReader(target).pages) == pages

    # 打印… asks with the print dialog and prints what the preview shows.
    second = tmp_path / "from-the-button.pdf"

    class FakePrintDialog:
        def __init__(self, printer: QPrinter, _parent: object) -> None:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(second))

        def setWindowTitle(self, _title: str) -> None:
            pass

        def exec(self) -> QDialog.DialogCode:
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(documents_page, "QPrintDialog", FakePrintDialog)
    page.print_selected()
    assert len(PdfReader(second).pages) == pages
    assert f"共 {pages} 页" in page.message.text()


def test_save_pdf_writes_the_frozen_bytes(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, window)
    order = select_kind(qtbot, page, ORDER)
    target = tmp_path / "指令书.pdf"
    with qtbot.waitSignal(page.pdf_saved, timeout=WAIT):
        page.save_pdf(target)
    assert (
        hashlib.sha256(target.read_bytes()).hexdigest() == order.pdf_sha256 == stored(demo_store, order.id).pdf_sha256
    )

    # 另存为PDF… proposes the export name and adds .pdf when the name has none.
    proposed: list[str] = []

    def save_name(_parent: object, _title: str, path: str, _filter: str) -> tuple[str, str]:
        proposed.append(path)
        return str(tmp_path / "另存"), "PDF 文件 (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    with qtbot.waitSignal(page.pdf_saved, timeout=WAIT) as saved:
        page.save_selected_as()
    assert Path(proposed[0]).name == export_file_name(DocumentKind.RECTIFICATION_ORDER, order.number_text, order.id)
    assert saved.args[0] == str(tmp_path / "另存.pdf")
    assert hashlib.sha256((tmp_path / "另存.pdf").read_bytes()).hexdigest() == order.pdf_sha256


def test_exporting_the_case_writes_one_file_per_document(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, window)
    select_kind(qtbot, page, ORDER)
    folder = tmp_path / "案卷"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    with qtbot.waitSignal(page.export_done, timeout=WAIT) as done:
        page.export_case()
    report: CaseExport = done.args[0]
    assert not report.cancelled and not report.error and len(report.written) == 3
    expected = {export_file_name(DocumentKind(r.kind), r.number_text, r.id): r for r in page.rows}
    assert {p.name for p in folder.iterdir()} == set(expected)
    for name, row in expected.items():
        data = (folder / name).read_bytes()
        assert data.startswith(b"%PDF")
        if row.pdf_sha256:
            assert hashlib.sha256(data).hexdigest() == row.pdf_sha256
    assert "已导出 3/3 份文书" in page.message.text()
    assert page.export_button.isEnabled()


def test_cancelling_an_export_keeps_the_files_written_and_no_partial_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, window)
    select_kind(qtbot, page, ORDER)
    folder = tmp_path / "案卷"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))

    def cancel_after_the_first(job: DocumentExport) -> None:
        job.progressed.connect(lambda done, _total: job.cancel() if done == 1 else None)

    page.export_started.connect(cancel_after_the_first)
    with qtbot.waitSignal(page.export_done, timeout=WAIT) as done:
        page.export_case()
    report: CaseExport = done.args[0]
    assert report.cancelled and len(report.written) == 1
    assert [p.name for p in folder.iterdir()] == [Path(report.written[0]).name]  # no .part left behind
    assert "其余已取消" in page.message.text()


# ─── 出具文书 from the inspection ──────────────────────────────────────────────────────────────────────


def open_inspection(qtbot: QtBot, window: MainWindow, demo_store: Store) -> Any:
    from inspector.demo.seed import seed_demo

    inspection_id = seed_demo(demo_store).finished_inspection_id
    window.show_page("现场检查")
    view = window.inspections.inspection
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        window.inspections.open_inspection(inspection_id)
    assert view.documents_button.isEnabled()
    return view


def test_a_new_inquiry_notice_from_the_inspection_is_shown_selected(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    view = open_inspection(qtbot, window, demo_store)
    dialog = view.new_document()
    assert isinstance(dialog, NewDocumentDialog) and dialog.isVisible()
    assert [dialog.kind.itemText(n) for n in range(dialog.kind.count())] == [k.value for k in DocumentKind]
    dialog.set_kind(DocumentKind.INQUIRY_NOTICE)
    assert set(dialog.inputs_widgets) == {"reason", "inquiry_time", "inquiry_place", "materials", "person", "contact"}
    assert isinstance(dialog.inputs_widgets["materials"], QPlainTextEdit)

    with qtbot.assertNotEmitted(dialog.created):
        dialog.submit()
    assert dialog.message.text() == "请填写：询问事由、询问时间。"
    assert dialog.isVisible()
    dialog.set_value("reason", "你单位涉嫌未按规定排查治理事故隐患")
    dialog.submit()
    assert dialog.message.text() == "请填写：询问时间。"

    dialog.set_value("inquiry_time", "2026年12月1日9时00分")
    page = window.documents
    with qtbot.waitSignal(page.preview_ready, timeout=WAIT) as shown:
        dialog.submit()
    assert window.current_page() is page
    row = page.selected_row()
    assert row is not None and row.id == shown.args[0]
    assert row.kind == "询问通知书" and row.status == "草稿"
    document = stored(demo_store, row.id)
    assert document.fields["input"] == {
        "reason": "你单位涉嫌未按规定排查治理事故隐患",
        "inquiry_time": "2026年12月1日9时00分",
    }
    assert page.pdf_document.pageCount() >= 1
    assert "文书草稿已创建" in view.status.text()


def test_the_form_follows_the_kind_and_a_refusal_of_the_service_keeps_the_dialog(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    view = open_inspection(qtbot, window, demo_store)
    dialog = view.new_document()
    assert dialog is not None
    dialog.set_kind(DocumentKind.INSPECTION_RECORD)
    assert dialog.inputs_widgets == {} and "无需另行填写" in dialog.note.text()
    dialog.set_kind(DocumentKind.RECTIFICATION_ORDER)
    review = dialog.inputs_widgets["review_date"]
    assert isinstance(review, DateInput) and not review.edit.isEnabled()  # optional: not filled unless ticked
    assert dialog.inputs() == {}
    dialog.set_value("review_date", "2026年12月20日")
    assert dialog.inputs() == {"review_date": "2026年12月20日"}
    dialog.set_kind(DocumentKind.PENALTY_DECISION_PERSON)
    assert "*" in dialog.note.text()

    # A 整改复查意见书 needs a 复查: the service says so and the dialog stays open with nothing created.
    dialog.set_kind(DocumentKind.REVIEW_OPINION)
    with demo_store.session() as session:
        before = len(session.exec(select(Document)).all())
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as failed:
        dialog.submit()
    assert failed.args[0] == "只有复查才能出具整改复查意见书。" == dialog.message.text()
    assert dialog.isVisible() and dialog.ok_button.isEnabled()
    with demo_store.session() as session:
        assert len(session.exec(select(Document)).all()) == before
    dialog.reject()
