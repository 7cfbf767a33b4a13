"""执法文书 page: the documents with a filter and a search, the selected one previewed as its PDF, and what
can be done with it — sign, issue, serve, void, delete a draft, print, save, export the whole case file.

The PDF comes from `render_pdf` on the database thread (an issued document is its frozen bytes, a draft is
rendered afresh) and is shown with QtPdf from a buffer the page keeps alive. Exporting a case writes one
document per database operation and queues the next when it is written, so the progress dialog can
cancel between files and edits made meanwhile do not wait for the whole export.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QDate,
    QIODevice,
    QObject,
    QPointF,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from inspector import clock
from inspector.documents.fill import INPUTS, InputField, fill_fields
from inspector.documents.queries import DocumentRow, list_documents
from inspector.documents.service import (
    create_draft,
    delete_draft,
    export_document,
    export_file_name,
    issue_document,
    render_pdf,
    serve_document,
    void_document,
)
from inspector.domain.enums import DocumentKind, DocumentStatus
from inspector.errors import InspectorError
from inspector.files import write_atomically
from inspector.store.db import Store
from inspector.ui.ops import SteppedJob, run_op, run_write, user_message
from inspector.ui.pages import Page, fit_columns, make_table, page_heading
from inspector.ui.signature_pad import SignatureDialog
from inspector.ui.table_model import Column, RowTableModel, display_text

FILTER_ALL = "全部"
STATUS_FILTERS: tuple[tuple[str, DocumentStatus | None], ...] = (
    (FILTER_ALL, None),
    *((status.value, status) for status in DocumentStatus),
)
STATUS_COLOURS = {
    DocumentStatus.DRAFT.value: "#ef6c00",
    DocumentStatus.ISSUED.value: "#1f3a5f",
    DocumentStatus.SERVED.value: "#2e7d32",
    DocumentStatus.VOID.value: "#8a8f98",
}
MAX_PRINT_DPI = 300  # an A4 page at 300 dpi is a 35 MB image; the printers on site print no finer
ERROR_STYLE = "color: #b71c1c;"
GREY = "#8a8f98"
OK_STYLE = "color: #2e5e2e;"


def document_columns() -> list[Column[DocumentRow]]:
    return [
        Column("种类", lambda r: r.kind),
        Column("文号", lambda r: r.number_text or "（签发时编号）", colour=lambda r: None if r.number_text else GREY),
        Column("被检查单位", lambda r: r.enterprise_name),
        Column("状态", lambda r: r.status, colour=lambda r: STATUS_COLOURS.get(r.status)),
        Column("出具时间", lambda r: clock.to_local(r.issued_at).date() if r.issued_at else None),
    ]


# ─── printing ────────────────────────────────────────────────────────────────────────────────────────


def load_pdf(data: bytes) -> tuple[QPdfDocument, QBuffer]:
    """A QPdfDocument reading `data` through a buffer; keep the buffer as long as the document."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    return document, buffer


def _on_white(image: QImage) -> QImage:
    """QtPdf renders on transparent; paper is white."""
    page = QImage(image.size(), QImage.Format.Format_RGB32)
    page.fill(QColor("white"))
    painter = QPainter(page)
    painter.drawImage(0, 0, image)
    painter.end()
    return page


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Paint each page of the PDF on the printer as an image at its resolution (≤ 300 dpi); the page count.

    The page fills the paper (its margins are those of the form), centred and scaled to fit."""
    return print_pdfs([pdf], printer)


def print_pdfs(pdfs: list[bytes], printer: QPrinter, *, each_done: Callable[[int], bool] | None = None) -> int:
    """Several PDFs as one print job (a batch), in order; the pages printed.

    `each_done(n)` is called after the n-th document; returning False stops the batch there (cancel)."""
    printer.setFullPage(True)
    painter = QPainter()
    if not painter.begin(printer):
        raise InspectorError("The printer cannot be opened.", "无法开始打印：打印机不可用，或无法写入打印文件。")
    printed = 0
    try:
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        paper = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
        for number, pdf in enumerate(pdfs, start=1):
            document, buffer = load_pdf(pdf)
            try:
                pages = document.pageCount()
                if document.status() != QPdfDocument.Status.Ready or pages < 1:
                    raise InspectorError("The PDF cannot be read.", "无法读取文书的 PDF，未能打印。")
                for page in range(pages):
                    if printed and not printer.newPage():
                        raise InspectorError("The printer refused a new page.", "打印机无法换页，打印未完成。")
                    points = document.pagePointSize(page)
                    pixels = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
                    image = _on_white(document.render(page, pixels))
                    scale = min(paper.width() / pixels.width(), paper.height() / pixels.height())
                    width, height = pixels.width() * scale, pixels.height() * scale
                    target = QRectF((paper.width() - width) / 2, (paper.height() - height) / 2, width, height)
                    painter.drawImage(target, image)
                    printed += 1
            finally:
                document.close()
                buffer.close()
            if each_done is not None and not each_done(number):
                break
    finally:
        painter.end()
    return printed


# ─── batch export ────────────────────────────────────────────────────────────────────────────────────


@dataclass
class CaseExport:
    """What an export of a case file wrote (full paths), whether it was cancelled, and why it stopped."""

    folder: str
    total: int
    written: list[str] = field(default_factory=list)
    cancelled: bool = False
    error: str = ""

    def summary_zh(self) -> str:
        text = f"已导出 {len(self.written)}/{self.total} 份文书到 {self.folder}"
        if self.error:
            return f"{text}；导出中断：{self.error}"
        if self.cancelled:
            return f"{text}；其余已取消。"
        return f"{text}。"


class DocumentExport(SteppedJob):
    """The documents of one case written to a folder, one per database operation, with progress and cancel."""

    def __init__(self, store: Store, rows: list[DocumentRow], folder: Path, parent: QObject) -> None:
        super().__init__(len(rows), CaseExport(str(folder), len(rows)), parent)
        self.store, self.rows, self.folder = store, rows, folder
        self._names: set[str] = set()

    def current_name(self) -> str:
        if self._next >= len(self.rows):
            return ""
        row = self.rows[self._next]
        return export_file_name(DocumentKind(row.kind), row.number_text, row.id)

    def run_step(self, index: int) -> None:
        store, row, folder, taken = self.store, self.rows[index], self.folder, set(self._names)
        run_op(
            store,
            lambda session: str(export_document(session, store, row.id, folder, taken=taken)),
            on_done=self._written,
            on_error=self._failed,
        )

    def _written(self, path: str) -> None:
        self.report.written.append(path)
        self._names.add(Path(path).name)
        self.step_done()

    def _failed(self, exc: Exception) -> None:
        self.report.error = user_message(exc)
        self.finished.emit(self.report)


# ─── the page ────────────────────────────────────────────────────────────────────────────────────────


class DocumentsPage(Page):
    title = "执法文书"

    preview_ready = Signal(str)  # the id of the document whose PDF is now shown
    preview_failed = Signal(str)
    action_done = Signal(str)  # the message of a finished action (sign, issue, serve, void, delete)
    action_failed = Signal(str)
    pdf_saved = Signal(str)  # the path written by 另存为PDF
    export_started = Signal(object)  # the DocumentExport under way
    export_done = Signal(object)  # CaseExport

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.rows: list[DocumentRow] = []  # everything loaded; the table shows the filtered part
        self.pdf_bytes: bytes | None = None  # the PDF in the preview
        self.pdf_id: str | None = None  # whose PDF that is
        self._preview_key: tuple[str, str, str] | None = None  # (id, status, pdf sha) shown or being loaded
        self._preview_generation = 0
        self._pdf_buffer: QBuffer | None = None  # what the QPdfDocument reads: kept as long as it is shown
        self._pending_select: str | None = None
        self._busy = False
        self._export: DocumentExport | None = None
        self._progress: QProgressDialog | None = None
        self.sign_dialog: SignatureDialog | None = None

        layout = QVBoxLayout(self)
        layout.addWidget(page_heading("执法文书"))
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索文号或被检查单位")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._apply_filter())
        self.status_filter = QComboBox()
        for text, status in STATUS_FILTERS:
            self.status_filter.addItem(text, status.value if status else None)
        self.status_filter.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.count_label = QLabel()
        self.count_label.setObjectName("subtle")
        bar.addWidget(QLabel("状态"))
        bar.addWidget(self.status_filter)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.model: RowTableModel[DocumentRow] = RowTableModel(document_columns(), self)
        self.view = make_table(self.model)
        self.view.selectionModel().currentRowChanged.connect(lambda _c, _p: self._selection_changed())
        self.view.doubleClicked.connect(lambda _i: self.open_signing())
        left_layout.addWidget(self.view, 1)

        self.sign_button = QPushButton("签名…")
        self.sign_button.setToolTip("在草稿上签名，或记录拒签及见证人")
        self.sign_button.clicked.connect(self.open_signing)
        self.issue_button = QPushButton("签发")
        self.issue_button.setObjectName("primary")
        self.issue_button.setToolTip("取号并固定文书内容；签发后不能再修改")
        self.issue_button.clicked.connect(lambda _checked=False: self.issue_selected())
        self.serve_button = QPushButton("送达")
        self.serve_button.setToolTip("记录文书已送达被检查单位")
        self.serve_button.clicked.connect(self.serve_selected)
        self.void_button = QPushButton("作废…")
        self.void_button.setToolTip("作废已出具的文书（文号保留，须说明原因）")
        self.void_button.clicked.connect(self.void_selected)
        self.delete_button = QPushButton("删除草稿")
        self.delete_button.clicked.connect(self.delete_selected)
        self.print_button = QPushButton("打印…")
        self.print_button.clicked.connect(self.print_selected)
        self.save_button = QPushButton("另存为PDF…")
        self.save_button.clicked.connect(self.save_selected_as)
        self.export_button = QPushButton("导出本案全部文书…")
        self.export_button.setToolTip("把所选文书所属检查的全部文书导出为 PDF 文件")
        self.export_button.clicked.connect(self.export_case)
        actions = QHBoxLayout()
        for button in (self.sign_button, self.issue_button, self.serve_button, self.void_button, self.delete_button):
            actions.addWidget(button)
        actions.addStretch(1)
        left_layout.addLayout(actions)
        outputs = QHBoxLayout()
        for button in (self.print_button, self.save_button, self.export_button):
            outputs.addWidget(button)
        outputs.addStretch(1)
        left_layout.addLayout(outputs)
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.preview_title = QLabel()
        self.preview_title.setWordWrap(True)
        self.preview_title.setStyleSheet("font-weight: bold;")
        right_layout.addWidget(self.preview_title)
        self.preview_stack = QStackedWidget()
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("background: #e4e9f0; color: #4a5563; font-size: 15px; padding: 24px;")
        self.pdf_document = QPdfDocument(self)
        self.pdf_view = QPdfView()
        self.pdf_view.setDocument(self.pdf_document)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf_view.setPageSpacing(12)
        self.pdf_view.setStyleSheet("background: #8a939f;")
        self.preview_stack.addWidget(self.placeholder)
        self.preview_stack.addWidget(self.pdf_view)
        right_layout.addWidget(self.preview_stack, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([650, 470])
        layout.addWidget(splitter, 1)

        self.message = QLabel()
        self.message.setObjectName("subtle")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self._show_placeholder("请选择一份文书，在此预览。")
        self._update_buttons()

    # ─── the list ─────────────────────────────────────────────────────────────────────────────────

    def refresh(self) -> None:
        if self.pdf_id is not None and self._preview_key is not None and self._preview_key[1] == "草稿":
            self._preview_key = None  # a draft is filled from the record: shown again, it is rendered again

        def show(rows: list[DocumentRow]) -> None:
            self.rows = rows
            self._apply_filter()

        self._load(list_documents, show)

    def show_document(self, document_id: str) -> None:
        """Show every document again and select this one once the list is loaded (a new draft, say)."""
        self._pending_select = document_id
        self._reset_filters()
        self.refresh()

    def _filtered(self) -> list[DocumentRow]:
        chosen = self.status_filter.currentData()
        text = self.search.text().strip().lower()
        return [
            r
            for r in self.rows
            if (chosen is None or r.status == chosen)
            and (not text or text in r.number_text.lower() or text in r.enterprise_name.lower())
        ]

    def _reset_filters(self) -> None:
        for widget in (self.search, self.status_filter):
            widget.blockSignals(True)
        self.search.clear()
        self.status_filter.setCurrentIndex(0)
        for widget in (self.search, self.status_filter):
            widget.blockSignals(False)

    def set_status_filter(self, text: str) -> None:
        index = self.status_filter.findText(text)
        if index < 0:
            raise ValueError(f"unknown status filter {text!r}")
        self.status_filter.setCurrentIndex(index)

    def visible_rows(self) -> list[DocumentRow]:
        """The rows of the table in the order shown (sorted as the user sorted them)."""
        proxy = self.view.model()
        assert isinstance(proxy, QSortFilterProxyModel)
        return [self.model.row_at(proxy.mapToSource(proxy.index(n, 0)).row()) for n in range(proxy.rowCount())]

    def _apply_filter(self) -> None:
        current = self.selected_row()
        wanted = self._pending_select or (current.id if current else None)
        rows = self._filtered()
        if self._pending_select is not None and all(r.id != wanted for r in rows):
            # The document asked for (a new draft, one just issued) is shown even if the filter hid it.
            self._reset_filters()
            rows = self._filtered()
        self._pending_select = None
        self.model.set_rows(rows)
        fit_columns(self.view)
        if not self.rows:
            self.count_label.setText("暂无执法文书。")
        elif len(rows) == len(self.rows):
            self.count_label.setText(f"共 {len(rows)} 份")
        else:
            self.count_label.setText(f"{len(rows)} 份（共 {len(self.rows)} 份）")
        if wanted is None or not self.select_document(wanted):
            self._selection_changed()

    def select_document(self, document_id: str) -> bool:
        """Select the document in the table if it is shown; its preview loads."""
        proxy = self.view.model()
        assert isinstance(proxy, QSortFilterProxyModel)
        for n in range(self.model.rowCount()):
            if self.model.row_at(n).id == document_id:
                index = proxy.mapFromSource(self.model.index(n, 0))
                selection = self.view.selectionModel()
                selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows)
                self.view.scrollTo(index)
                self._selection_changed()  # also when it was the current row already
                return True
        return False

    def selected_row(self) -> DocumentRow | None:
        index = self.view.selectionModel().currentIndex()
        proxy = self.view.model()
        if not index.isValid() or not isinstance(proxy, QSortFilterProxyModel):
            return None
        source = proxy.mapToSource(index)
        if not source.isValid() or source.row() >= self.model.rowCount():
            return None
        return self.model.row_at(source.row())

    def _selection_changed(self) -> None:
        row = self.selected_row()
        self._update_buttons()
        if row is None:
            self._clear_preview()
        else:
            self._load_preview(row)

    def _update_buttons(self) -> None:
        row = self.selected_row()
        status = row.status if row else None
        free = not self._busy
        draft = status == DocumentStatus.DRAFT.value
        self.sign_button.setEnabled(free and draft)
        self.issue_button.setEnabled(free and draft)
        self.delete_button.setEnabled(free and draft)
        self.serve_button.setEnabled(free and status == DocumentStatus.ISSUED.value)
        self.void_button.setEnabled(free and status in (DocumentStatus.ISSUED.value, DocumentStatus.SERVED.value))
        self.print_button.setEnabled(row is not None)
        self.save_button.setEnabled(row is not None)
        self.export_button.setEnabled(row is not None and row.inspection_id is not None and self._export is None)

    def _tell(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message.setText(text)

    # ─── the preview ──────────────────────────────────────────────────────────────────────────────

    def _show_placeholder(self, text: str) -> None:
        self.placeholder.setText(text)
        self.preview_stack.setCurrentWidget(self.placeholder)

    def _clear_preview(self) -> None:
        self._preview_generation += 1
        self._preview_key = None
        self.preview_title.setText("")
        self._set_pdf(None, None)
        if self.rows:
            self._show_placeholder("请选择一份文书，在此预览。")
        else:
            self._show_placeholder("暂无执法文书。\n在“现场检查”中打开一次检查，点击“出具文书…”创建文书草稿。")

    def _title_of(self, row: DocumentRow, pages: int | None = None) -> str:
        parts = [row.status]
        if row.issued_at is not None:
            parts.append(f"出具于 {display_text(row.issued_at)}")
        if pages:
            parts.append(f"共 {pages} 页")
        title = f"《{row.kind}》 {row.number_text}".strip() + "\n" + " · ".join(parts)
        if row.status == DocumentStatus.VOID.value and row.void_reason:
            title += f"\n作废原因：{row.void_reason}"
        return title

    def _load_preview(self, row: DocumentRow, *, force: bool = False) -> None:
        key = (row.id, row.status, row.pdf_sha256)
        if key == self._preview_key and not force:
            return
        self._preview_key = key
        self._preview_generation += 1
        generation = self._preview_generation
        self.preview_title.setText(self._title_of(row))
        self._show_placeholder("正在生成预览…" if row.status == DocumentStatus.DRAFT.value else "正在读取文书…")
        store, document_id = self.store, row.id

        def done(data: bytes) -> None:
            if generation == self._preview_generation:
                self._show_pdf(row, data)

        def error(exc: Exception) -> None:
            if generation != self._preview_generation:
                return
            text = user_message(exc)
            self._set_pdf(None, None)
            self._show_placeholder(f"无法生成预览：\n{text}")
            self._tell(f"无法生成预览：{text}", error=True)
            self.preview_failed.emit(text)

        run_op(store, lambda session: render_pdf(session, store, document_id), on_done=done, on_error=error)

    def _set_pdf(self, document_id: str | None, data: bytes | None) -> None:
        self.pdf_document.close()
        old = self._pdf_buffer
        self._pdf_buffer = None
        self.pdf_id, self.pdf_bytes = document_id, data
        if data is not None:
            buffer = QBuffer(self)
            buffer.setData(QByteArray(data))
            buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self._pdf_buffer = buffer
            self.pdf_document.load(buffer)
        if old is not None:
            old.close()
            old.deleteLater()

    def _show_pdf(self, row: DocumentRow, data: bytes) -> None:
        self._set_pdf(row.id, data)
        if self.pdf_document.status() != QPdfDocument.Status.Ready:
            text = "文书的 PDF 无法显示。"
            self._show_placeholder(text)
            self.preview_failed.emit(text)
            return
        self.preview_title.setText(self._title_of(row, self.pdf_document.pageCount()))
        self.preview_stack.setCurrentWidget(self.pdf_view)
        self.pdf_view.pageNavigator().jump(0, QPointF(0, 0))
        self.preview_ready.emit(row.id)

    def _with_pdf(self, row: DocumentRow, use: Callable[[bytes], None], what: str) -> None:
        """`use` the document's PDF: the one in the preview when it is this document's, else read it now."""
        if (
            self.pdf_id == row.id
            and self.pdf_bytes is not None
            and self._preview_key
            == (
                row.id,
                row.status,
                row.pdf_sha256,
            )
        ):
            use(self.pdf_bytes)
            return
        store, document_id = self.store, row.id

        def error(exc: Exception) -> None:
            self._fail(what, exc)

        run_op(store, lambda session: render_pdf(session, store, document_id), on_done=use, on_error=error)

    # ─── actions ──────────────────────────────────────────────────────────────────────────────────

    def _fail(self, what: str, exc: Exception | str) -> None:
        text = exc if isinstance(exc, str) else user_message(exc)
        self._tell(f"未能{what}：{text}", error=True)
        self.action_failed.emit(text)
        self.failed.emit(text)
        QMessageBox.warning(self, f"未能{what}", text)

    def _act(self, what: str, fn: Callable[[Session], Any], message: Callable[[Any], str]) -> None:
        """Run a change of the selected document; the list and the preview follow it."""
        self._busy = True
        self._update_buttons()
        self._tell(f"正在{what}…")

        def done(result: Any) -> None:
            self._busy = False
            text = message(result)
            self._tell(text)
            self._preview_key = None  # signatures, number, status: the PDF is another one now
            self.refresh()
            self.action_done.emit(text)

        def error(exc: Exception) -> None:
            self._busy = False
            self._update_buttons()
            self._fail(what, exc)

        run_write(self.store, fn, on_done=done, on_error=error)

    def open_signing(self) -> SignatureDialog | None:
        row = self.selected_row()
        if row is None or row.status != DocumentStatus.DRAFT.value or self._busy:
            return None
        dialog = SignatureDialog(self.store, row, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.signed.connect(lambda _id: self._signed(row))
        self.sign_dialog = dialog
        dialog.open()
        return dialog

    def _signed(self, row: DocumentRow) -> None:
        text = f"已在《{row.kind}》上记录签名。"
        self._tell(text)
        self._preview_key = None
        self.refresh()
        self.action_done.emit(text)

    def issue_selected(self, *, issued_at: datetime | None = None) -> None:
        """签发: draw the number and freeze the PDF, after the user confirms (`issued_at`: now if not given)."""
        row = self.selected_row()
        if row is None or row.status != DocumentStatus.DRAFT.value or self._busy:
            return
        answer = QMessageBox.question(
            self,
            "签发文书",
            f"签发《{row.kind}》？\n\n签发时将取得文书编号，文书内容（PDF）随即固定，之后不能再修改或补签；"
            "如有错误，只能作废后另行出具。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        store, document_id = self.store, row.id
        self._pending_select = row.id
        self._act(
            "签发",
            lambda s: issue_document(s, store, document_id=document_id, issued_at=issued_at).number_text,
            lambda number: f"已签发《{row.kind}》{number}。",
        )

    def serve_selected(self) -> None:
        row = self.selected_row()
        if row is None or row.status != DocumentStatus.ISSUED.value or self._busy:
            return
        document_id = row.id
        self._act(
            "记录送达",
            lambda s: serve_document(s, document_id=document_id),
            lambda _r: f"已记录送达：《{row.kind}》{row.number_text}。",
        )

    def void_selected(self) -> None:
        row = self.selected_row()
        if row is None or row.status not in (DocumentStatus.ISSUED.value, DocumentStatus.SERVED.value) or self._busy:
            return
        reason, ok = QInputDialog.getText(
            self, "作废文书", f"作废《{row.kind}》{row.number_text}\n文号保留不再使用。作废原因："
        )
        if not ok:
            return
        document_id = row.id
        self._act(
            "作废",
            lambda s: void_document(s, document_id=document_id, reason=reason),
            lambda _r: f"已作废《{row.kind}》{row.number_text}。",
        )

    def delete_selected(self) -> None:
        row = self.selected_row()
        if row is None or row.status != DocumentStatus.DRAFT.value or self._busy:
            return
        answer = QMessageBox.question(
            self,
            "删除草稿",
            f"删除《{row.kind}》草稿？已有的签名一并删除。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        document_id = row.id
        self._act(
            "删除草稿",
            lambda s: delete_draft(s, document_id=document_id),
            lambda _r: f"已删除《{row.kind}》草稿。",
        )

    # ─── output ───────────────────────────────────────────────────────────────────────────────────

    def print_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._with_pdf(row, lambda data: self._print(row, data), "打印")

    def _print(self, row: DocumentRow, data: bytes) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setDocName(export_file_name(DocumentKind(row.kind), row.number_text, row.id).removesuffix(".pdf"))
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印文书")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            pages = print_pdf(data, printer)
        except InspectorError as exc:
            self._fail("打印", exc)
            return
        finally:
            QApplication.restoreOverrideCursor()
        self._tell(f"已发送打印：《{row.kind}》，共 {pages} 页。")

    def default_file_name(self, row: DocumentRow) -> str:
        return export_file_name(DocumentKind(row.kind), row.number_text, row.id)

    def save_selected_as(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        name, _filter = QFileDialog.getSaveFileName(
            self, "另存为PDF", str(Path.home() / self.default_file_name(row)), "PDF 文件 (*.pdf)"
        )
        if name:
            path = Path(name)
            if path.suffix.lower() != ".pdf":
                path = path.with_name(path.name + ".pdf")
            self.save_pdf(path)

    def save_pdf(self, path: Path) -> None:
        """Write the selected document's PDF to `path` (issued: its frozen bytes); `pdf_saved` when written."""
        row = self.selected_row()
        if row is None:
            return
        self._tell("正在保存 PDF…")

        def write(data: bytes) -> None:
            def done(written: str) -> None:
                self._tell(f"已保存：{written}")
                self.pdf_saved.emit(written)

            def write_file(_session: Session) -> str:
                write_atomically(path, data)
                return str(path)

            run_op(self.store, write_file, on_done=done, on_error=lambda exc: self._fail("保存 PDF", exc))

        self._with_pdf(row, write, "保存 PDF")

    def export_case(self) -> None:
        row = self.selected_row()
        if row is None or row.inspection_id is None or self._export is not None:
            return
        folder = QFileDialog.getExistingDirectory(self, "导出本案全部文书到文件夹")
        if folder:
            self.export_case_to(row.inspection_id, Path(folder))

    def export_case_to(self, inspection_id: str, folder: Path) -> None:
        """Every document of the inspection into `folder`, one file each; `export_done` when it stops."""
        if self._export is not None:
            return
        self._tell("正在准备导出…")

        def start(rows: list[DocumentRow]) -> None:
            rows = list(reversed(rows))  # oldest first: the record before what it led to
            job = DocumentExport(self.store, rows, folder, self)
            self._export = job
            self._update_buttons()
            progress = QProgressDialog("正在导出文书…", "取消", 0, len(rows), self)
            progress.setWindowTitle("导出本案全部文书")
            progress.setWindowModality(Qt.WindowModality.WindowModal)
            progress.setMinimumDuration(400)
            progress.canceled.connect(job.cancel)
            job.progressed.connect(lambda done, total: _set_progress(progress, job, done, total))
            job.finished.connect(self._export_finished)
            self._progress = progress
            _set_progress(progress, job, 0, len(rows))
            self.export_started.emit(job)
            job.start()

        run_op(
            self.store,
            lambda session: list_documents(session, inspection_id=inspection_id),
            on_done=start,
            on_error=lambda exc: self._fail("导出", exc),
        )

    def _export_finished(self, report: CaseExport) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress.deleteLater()
            self._progress = None
        if self._export is not None:
            self._export.deleteLater()
            self._export = None
        self._update_buttons()
        self._tell(report.summary_zh(), error=bool(report.error))
        self.export_done.emit(report)
        if report.error:
            self.action_failed.emit(report.error)
            QMessageBox.warning(self, "导出未完成", report.summary_zh() + "\n已导出的文件保留。")


def _set_progress(progress: QProgressDialog, job: DocumentExport, done: int, total: int) -> None:
    if not shiboken6.isValid(progress):
        return
    progress.setMaximum(max(total, 1))
    progress.setValue(done)
    if done < total:
        progress.setLabelText(f"正在导出第 {done + 1}/{total} 份：{job.current_name()}")


# ─── 出具文书: a new draft ─────────────────────────────────────────────────────────────────────────────


def chinese_date(day: QDate) -> str:
    return f"{day.year()}年{day.month()}月{day.day()}日"


NOT_SET = "（不填）"
ALL_KINDS = tuple(DocumentKind)


class NewDocumentDialog(QDialog):
    """Choose the kind, fill what the kind asks the inspector for, and create the draft."""

    created = Signal(str)  # the new document's id
    failed = Signal(str)  # the Chinese message shown in the dialog

    def __init__(
        self,
        store: Store,
        inspection_id: str,
        *,
        kinds: tuple[DocumentKind, ...] = ALL_KINDS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("NewDocumentDialog")
        self.setWindowTitle("出具文书")
        self.store = store
        self.inspection_id = inspection_id
        self.inputs_widgets: dict[str, QWidget] = {}
        self._saving = False

        layout = QVBoxLayout(self)
        top = QFormLayout()
        self.kind = QComboBox()
        for kind in kinds:
            self.kind.addItem(kind.value, kind.value)
        self.kind.currentIndexChanged.connect(lambda _i: self._build_form())
        top.addRow("文书种类", self.kind)
        layout.addLayout(top)
        self.note = QLabel()
        self.note.setObjectName("subtle")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.form_area = QScrollArea()
        self.form_area.setWidgetResizable(True)
        self.form_area.setFrameShape(QScrollArea.Shape.NoFrame)
        layout.addWidget(self.form_area, 1)
        self.message = QLabel()
        self.message.setObjectName("formError")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("创建草稿")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 560)
        self._build_form()

    def current_kind(self) -> DocumentKind:
        return DocumentKind(self.kind.currentData())

    def set_kind(self, kind: DocumentKind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind.value))

    def fields(self) -> tuple[InputField, ...]:
        return INPUTS.get(self.current_kind(), ())

    def _build_form(self) -> None:
        self.inputs_widgets = {}
        self.message.setText("")
        host = QWidget()
        column = QVBoxLayout(host)
        column.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        column.addLayout(form)
        column.addStretch(1)  # the fields stay together at the top however tall the dialog is
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        fields = self.fields()
        for f in fields:
            widget = _input_widget(f)
            if f.help:
                widget.setToolTip(f.help)
            label = QLabel(f"{f.label}<span style='color:#c62828'> *</span>" if f.required else f.label)
            label.setTextFormat(Qt.TextFormat.RichText)
            self.inputs_widgets[f.key] = widget
            form.addRow(label, widget)
            if f.help and f.kind in ("date", "choice"):
                hint = QLabel(f.help)
                hint.setObjectName("subtle")
                hint.setWordWrap(True)
                form.addRow("", hint)
        self.form_area.setWidget(host)
        if not fields:
            self.note.setText(
                "这种文书全部内容取自本次检查的记录，无需另行填写。创建后可在“执法文书”中预览、签名和签发。"
            )
        else:
            required = any(f.required for f in fields)
            self.note.setText(
                ("标 * 的为必填项。" if required else "以下各项均可不填。") + "其余内容取自本次检查的记录。"
            )

    def set_value(self, key: str, value: str) -> None:
        """Fill one input as a user would (tests and the keyboard-free path)."""
        widget = self.inputs_widgets[key]
        if isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        elif isinstance(widget, QLineEdit):
            widget.setText(value)
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData(value))
        elif isinstance(widget, DateInput):
            widget.set_value(value)

    def inputs(self) -> dict[str, str]:
        """What was filled in, by key; empty fields are left out."""
        values: dict[str, str] = {}
        for f in self.fields():
            widget = self.inputs_widgets[f.key]
            text = ""
            if isinstance(widget, QPlainTextEdit):
                text = widget.toPlainText().strip()
            elif isinstance(widget, QLineEdit):
                text = widget.text().strip()
            elif isinstance(widget, QComboBox):
                text = str(widget.currentData() or "")
            elif isinstance(widget, DateInput):
                text = widget.value()
            if text:
                values[f.key] = text
        return values

    def _tell(self, text: str) -> None:
        self.message.setText(text)
        if text:
            self.failed.emit(text)

    def submit(self) -> None:
        if self._saving:
            return
        kind, inputs, inspection_id = self.current_kind(), self.inputs(), self.inspection_id
        missing = [f.label for f in self.fields() if f.required and f.key not in inputs]
        if missing:
            self._tell(f"请填写：{'、'.join(missing)}。")
            return

        def create(session: Session) -> str:
            document = create_draft(session, kind=kind, inspection_id=inspection_id, inputs=inputs)
            # What cannot be filled now is said now, not at 签发: the draft is rolled back with the error.
            fill_fields(session, kind, inspection_id, inputs, None)
            return document.id

        self._saving = True
        self.ok_button.setEnabled(False)
        self.message.setText("")
        run_write(
            self.store, create, on_done=self._while_alive(self._created), on_error=self._while_alive(self._refused)
        )

    def _while_alive(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        def call(value: Any) -> None:
            if shiboken6.isValid(self):
                fn(value)

        return call

    def _created(self, document_id: str) -> None:
        self._saving = False
        self.created.emit(document_id)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self._saving = False
        self.ok_button.setEnabled(True)
        self._tell(user_message(exc))


class DateInput(QWidget):
    """A date in the form's words (2024年5月21日); an optional one is ticked before it counts."""

    def __init__(self, *, required: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox("填写")
        self.edit = QDateEdit(QDate.currentDate())
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy年M月d日")
        self.check.toggled.connect(self.edit.setEnabled)
        self.check.setChecked(required)
        self.check.setVisible(not required)
        self.edit.setEnabled(required)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)

    def value(self) -> str:
        return chinese_date(self.edit.date()) if self.check.isChecked() else ""

    def set_value(self, text: str) -> None:
        day = QDate.fromString(text, "yyyy年M月d日")
        self.check.setChecked(day.isValid())
        if day.isValid():
            self.edit.setDate(day)


def _input_widget(f: InputField) -> QWidget:
    if f.kind == "multiline":
        edit = QPlainTextEdit()
        edit.setPlaceholderText(f.help)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(72)
        return edit
    if f.kind == "date":
        return DateInput(required=f.required)
    if f.kind == "choice":
        combo = QComboBox()
        if not f.required:
            combo.addItem(NOT_SET, "")
        for choice in f.choices:
            combo.addItem(choice, choice)
        return combo
    line = QLineEdit()
    line.setPlaceholderText(f.help)
    if f.kind == "money":
        line.setAlignment(Qt.AlignmentFlag.AlignRight)
    return line
