"""One inspection on site: sections on the left, items in the middle, the item and the findings on the right.

Keys: 1/2/3/4 = 合格/不合格/不适用/未检 on the selected item (then the next item is selected), ↑/↓ to move,
F2 edits the selected finding, Ins adds one, Ctrl+Enter finishes the inspection. Every answer, note and
finding edit is written at once through the serial write pool; nothing waits for a "save" button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from inspector import clock
from inspector.domain.enums import InspectionMode, InspectionStatus, ItemResultValue
from inspector.inspections import findings as finding_service
from inspector.inspections import walk
from inspector.inspections.queries import FindingFilter, FindingRow, InspectionDetail, inspection_detail, list_findings
from inspector.inspections.service import add_finding, finish_inspection, reopen_inspection
from inspector.quiz.service import QuizResult, QuizRow, failed_people, quizzes_of
from inspector.store.db import Store
from inspector.ui.dialogs import FindingDialog, FindingEdit
from inspector.ui.documents_page import NewDocumentDialog
from inspector.ui.gallery import Gallery
from inspector.ui.ops import run_op, run_write, user_message
from inspector.ui.quiz_ui import QuizResultDialog, start_quiz_flow
from inspector.ui.table_model import Column, RowTableModel, display_text

RESULT_KEYS = {
    Qt.Key.Key_1: ItemResultValue.PASS,
    Qt.Key.Key_2: ItemResultValue.FAIL,
    Qt.Key.Key_3: ItemResultValue.NOT_APPLICABLE,
    Qt.Key.Key_4: ItemResultValue.NOT_CHECKED,
}
RESULT_COLOURS = {
    ItemResultValue.PASS: "#2e7d32",
    ItemResultValue.FAIL: "#c62828",
    ItemResultValue.NOT_APPLICABLE: "#6d6d6d",
    ItemResultValue.NOT_CHECKED: "#ef6c00",
}
# What one load of the screen brings: header, checklist rows, findings, quizzes taken.
_Loaded = tuple[InspectionDetail, list[walk.ItemRow], list[FindingRow], list[QuizRow]]
FILTER_ALL, FILTER_UNANSWERED, FILTER_FAILED = "全部检查项", "只看未填写", "只看不合格"


class ChecklistTable(QTableView):
    """The item list; number keys answer the selected item."""

    answer_requested = Signal(object)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        result = RESULT_KEYS.get(Qt.Key(event.key()))
        if result is not None and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.answer_requested.emit(result)
            return
        super().keyPressEvent(event)


def _item_columns() -> list[Column[walk.ItemRow]]:
    return [
        Column("序号", lambda r: r.position + 1),
        Column(
            "检查内容",
            lambda r: ("【重大】" if r.failure_grade == "重大事故隐患" else "") + r.content,
        ),
        Column(
            "结果",
            lambda r: r.result.value if r.result else "",
            colour=lambda r: RESULT_COLOURS.get(r.result) if r.result else None,
        ),
    ]


def _finding_columns() -> list[Column[FindingRow]]:
    return [
        Column("隐患描述", lambda r: r.description),
        Column("等级", lambda r: r.grade, colour=lambda r: "#b71c1c" if r.grade == "重大事故隐患" else None),
        Column("处理措施", lambda r: r.measure),
        Column("整改期限", lambda r: r.deadline),
        Column("状态", lambda r: r.status),
        Column("依据", lambda r: r.basis),
    ]


class InspectionView(QWidget):
    """The working screen of one inspection (or of a 复查, which lists the findings to review instead)."""

    closed = Signal()
    loaded = Signal()
    saved = Signal()  # a write finished (tests and the status line wait on it)
    failed = Signal(str)
    document_created = Signal(str)  # a draft 执法文书 was created from this inspection: the window shows it

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("InspectionView")
        self.store = store
        self.inspection_id: str | None = None
        self.detail: InspectionDetail | None = None
        self.rows: list[walk.ItemRow] = []
        self.visible_rows: list[walk.ItemRow] = []
        self._loading_note = False

        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.back = QPushButton("← 返回列表")
        self.back.clicked.connect(self.closed)
        self.title = QLabel()
        self.title.setObjectName("pageHeading")
        self.title.setWordWrap(True)
        top.addWidget(self.back)
        top.addWidget(self.title, 1)
        self.reopen_button = QPushButton("重新打开")
        self.reopen_button.clicked.connect(self.reopen)
        self.finish_button = QPushButton("完成检查 (Ctrl+Enter)")
        self.finish_button.setObjectName("primary")
        self.finish_button.clicked.connect(self.finish)
        self.quiz_button = QPushButton("逢查必考…")
        self.quiz_button.clicked.connect(self.start_quiz)
        top.addWidget(self.quiz_button)
        self.documents_button = QPushButton("出具文书…")
        self.documents_button.setToolTip("为本次检查创建执法文书草稿，然后在“执法文书”中预览、签名、签发")
        self.documents_button.clicked.connect(self.new_document)
        self.documents_button.setEnabled(False)
        self.document_dialog: NewDocumentDialog | None = None
        top.addWidget(self.documents_button)
        top.addWidget(self.reopen_button)
        top.addWidget(self.finish_button)
        outer.addLayout(top)
        self.facts = QLabel()
        self.facts.setObjectName("subtle")
        self.facts.setWordWrap(True)
        outer.addWidget(self.facts)
        progress_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setFormat("已检 %v / %m")
        self.progress_text = QLabel()
        self.filter = QComboBox()
        self.filter.addItems([FILTER_ALL, FILTER_UNANSWERED, FILTER_FAILED])
        self.filter.currentIndexChanged.connect(self._apply_filter)
        self.section_na = QPushButton("本节不适用")
        self.section_na.clicked.connect(self.mark_section_not_applicable)
        progress_row.addWidget(self.progress, 2)
        progress_row.addWidget(self.progress_text)
        progress_row.addWidget(self.filter)
        progress_row.addWidget(self.section_na)
        outer.addLayout(progress_row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.sections = QListWidget()
        self.sections.setObjectName("sections")
        self.sections.currentRowChanged.connect(self._apply_filter)
        splitter.addWidget(self.sections)

        self.item_model: RowTableModel[walk.ItemRow] = RowTableModel(_item_columns(), self)
        self.items = ChecklistTable()
        self.items.setModel(self.item_model)
        self.items.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.items.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items.verticalHeader().setVisible(False)
        self.items.setWordWrap(True)
        header = self.items.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.items.answer_requested.connect(self.answer)
        self.items.selectionModel().currentRowChanged.connect(self._show_item)
        splitter.addWidget(self.items)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.item_text = QLabel()
        self.item_text.setWordWrap(True)
        self.item_text.setTextFormat(Qt.TextFormat.RichText)
        self.item_text.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.item_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right_layout.addWidget(self.item_text, 2)
        buttons = QHBoxLayout()
        for key, result in zip("1234", ItemResultValue, strict=True):
            button = QPushButton(f"{key} {result.value}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, r=result: self.answer(r))
            buttons.addWidget(button)
        right_layout.addLayout(buttons)
        right_layout.addWidget(QLabel("备注（先选择结果；输入即保存）"))
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(80)
        self.note.textChanged.connect(self._note_changed)
        right_layout.addWidget(self.note)
        findings_tab = QWidget()
        findings_layout = QVBoxLayout(findings_tab)
        findings_layout.setContentsMargins(0, 4, 0, 0)
        findings_bar = QHBoxLayout()
        self.findings_label = QLabel("本次检查发现的隐患")
        findings_bar.addWidget(self.findings_label, 1)
        self.add_button = QPushButton("新增隐患 (Ins)")
        self.add_button.clicked.connect(self.add_manual_finding)
        self.edit_button = QPushButton("编辑 (F2)")
        self.edit_button.clicked.connect(self.edit_selected_finding)
        self.delete_button = QPushButton("删除")
        self.delete_button.clicked.connect(self.delete_selected_finding)
        self.pass_button = QPushButton("复查合格并销号")
        self.pass_button.clicked.connect(lambda: self.review_selected(passed=True))
        self.fail_button = QPushButton("复查不合格")
        self.fail_button.clicked.connect(lambda: self.review_selected(passed=False))
        for b in (self.add_button, self.edit_button, self.delete_button, self.pass_button, self.fail_button):
            findings_bar.addWidget(b)
        findings_layout.addLayout(findings_bar)
        self.finding_model: RowTableModel[FindingRow] = RowTableModel(_finding_columns(), self)
        self.findings = QTableView()
        self.findings.setModel(self.finding_model)
        self.findings.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.findings.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.findings.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.findings.verticalHeader().setVisible(False)
        self.findings.horizontalHeader().setStretchLastSection(True)
        self.findings.doubleClicked.connect(lambda _i: self.edit_selected_finding())
        findings_layout.addWidget(self.findings, 1)
        self.findings.selectionModel().currentRowChanged.connect(self._finding_selected)
        self.gallery = Gallery(store)
        self.gallery.reloaded.connect(self._photos_counted)
        self.gallery.changed.connect(self.saved.emit)
        self.tabs = QTabWidget()
        self.tabs.addTab(findings_tab, "隐患")
        self.tabs.addTab(self.gallery, "照片证据")
        right_layout.addWidget(self.tabs, 3)
        splitter.addWidget(right)
        splitter.setSizes([300, 560, 520])
        outer.addWidget(splitter, 1)
        self.status = QLabel()
        self.status.setObjectName("subtle")
        outer.addWidget(self.status)

        QShortcut(QKeySequence("Ctrl+Return"), self, self.finish)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.finish)
        QShortcut(QKeySequence(Qt.Key.Key_F2), self, self.edit_selected_finding)
        QShortcut(QKeySequence(Qt.Key.Key_Insert), self, self.add_manual_finding)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(0)  # save at the next turn of the event loop, i.e. as typed
        self._note_timer.timeout.connect(self._save_note)

    # ─── loading ──────────────────────────────────────────────────────────────────────────────────

    @property
    def is_review(self) -> bool:
        return self.detail is not None and self.detail.mode == InspectionMode.REVIEW.value

    @property
    def editable(self) -> bool:
        return self.detail is not None and self.detail.status is InspectionStatus.ON_SITE

    def open(self, inspection_id: str) -> None:
        self.inspection_id = inspection_id
        self.reload()

    def reload(self, *, keep_item: str | None = None) -> None:
        inspection_id = self.inspection_id
        if inspection_id is None:
            return
        today = clock.local_today()

        def load(session: Session) -> _Loaded:
            detail = inspection_detail(session, inspection_id)
            rows = walk.checklist_rows(session, inspection_id)
            source = detail.review_of_inspection_id if detail.mode == InspectionMode.REVIEW.value else None
            findings = list_findings(
                session, today=today, f=FindingFilter(open_only=False, inspection_id=source or inspection_id)
            )
            quizzes = quizzes_of(session, inspection_id)
            if source:
                # Who failed the quiz at the inspection under review is examined again now.
                retake = [
                    q for q in failed_people(session, source) if q.person_name not in {t.person_name for t in quizzes}
                ]
                quizzes += [
                    QuizRow(q.id, q.person_name, q.person_post, q.mode, None, q.pass_mark, "待重新考核") for q in retake
                ]
            return detail, rows, findings, quizzes

        def show(result: _Loaded) -> None:
            detail, rows, findings, quizzes = result
            self._show(detail, rows, findings, keep_item=keep_item)
            if quizzes:
                taken = "；".join(
                    f"{q.person_post}{q.person_name} {q.score if q.score is not None else '—'}分 {q.status}"
                    for q in quizzes
                )
                self.facts.setText(f"{self.facts.text()}\n逢查必考：{taken}")
            self.loaded.emit()

        run_op(self.store, load, on_done=show, on_error=self._error)

    def _show(
        self,
        detail: InspectionDetail,
        rows: list[walk.ItemRow],
        findings: list[FindingRow],
        *,
        keep_item: str | None,
    ) -> None:
        self.detail = detail
        self.rows = rows
        started = display_text(detail.started_at)
        self.title.setText(f"{detail.enterprise_name} · {detail.mode} · {detail.status.value}")
        facts = [
            f"到达 {started}",
            f"执法人员 {'、'.join(detail.inspectors)}",
            f"检查场所 {detail.place}",
        ]
        if detail.on_site_person_name:
            facts.append(f"现场负责人 {detail.on_site_person_name}（{detail.on_site_person_post}）")
        if all(detail.unannounced_facts):
            facts.append("四不两直：不发通知、不打招呼、不听汇报、不用陪同接待，直奔基层、直插现场")
        self.facts.setText("；".join(facts))
        selected = self.sections.currentItem()
        current_section = selected.data(Qt.ItemDataRole.UserRole) if selected else None
        self.sections.blockSignals(True)
        self.sections.clear()
        progress = walk.progress_of(rows)
        all_item = QListWidgetItem(f"全部 ({progress.answered}/{progress.total})")
        all_item.setData(Qt.ItemDataRole.UserRole, None)
        self.sections.addItem(all_item)
        for s in progress.sections:
            item = QListWidgetItem(f"{s.title} ({s.answered}/{s.total})" + (f" ✗{s.failed}" if s.failed else ""))
            item.setData(Qt.ItemDataRole.UserRole, s.section_code)
            item.setToolTip(s.title)
            self.sections.addItem(item)
            if s.section_code == current_section:
                self.sections.setCurrentItem(item)
        if self.sections.currentRow() < 0:
            self.sections.setCurrentRow(0)
        self.sections.blockSignals(False)
        self.progress.setMaximum(max(progress.total, 1))
        self.progress.setValue(progress.answered)
        self.progress_text.setText(f"不合格 {progress.failed} 项" if rows else "本次检查未使用检查表")
        self.finding_model.set_rows(findings)
        self.findings.resizeColumnsToContents()
        for column in range(self.finding_model.columnCount()):
            if self.findings.columnWidth(column) > 320:
                self.findings.setColumnWidth(column, 320)
        review = self.is_review
        self.findings_label.setText("需复查的隐患" if review else f"本次检查发现的隐患（{len(findings)}）")
        for widget in (self.add_button, self.edit_button, self.delete_button):
            widget.setVisible(not review)
            widget.setEnabled(self.editable)
        for widget in (self.pass_button, self.fail_button):
            widget.setVisible(review)
            widget.setEnabled(self.editable)
        self.finish_button.setEnabled(self.editable)
        self.quiz_button.setEnabled(self.editable)
        self.documents_button.setEnabled(True)
        self.reopen_button.setVisible(detail.status is InspectionStatus.FINISHED)
        self.section_na.setEnabled(self.editable and bool(rows))
        self.tabs.setTabText(0, f"隐患（{len(findings)}）")
        self.gallery.set_inspection(
            detail.id,
            editable=detail.status in (InspectionStatus.ON_SITE, InspectionStatus.FINISHED),
            findings=findings,
            added_by_id=detail.lead_inspector_id,
        )
        self._apply_filter(keep_item=keep_item)

    def _apply_filter(self, *_args: Any, keep_item: str | None = None) -> None:
        current = self.sections.currentItem()
        section = current.data(Qt.ItemDataRole.UserRole) if current else None
        mode = self.filter.currentText()
        selected = keep_item or (self._current_item_id())
        rows = [r for r in self.rows if section is None or r.section_code == section]
        if mode == FILTER_UNANSWERED:
            rows = [r for r in rows if r.result is None or r.item_id == selected]
        elif mode == FILTER_FAILED:
            rows = [r for r in rows if r.result is ItemResultValue.FAIL]
        self.visible_rows = rows
        self.item_model.set_rows(rows)
        self.items.resizeRowsToContents()
        target = next((n for n, r in enumerate(rows) if r.item_id == selected), 0 if rows else -1)
        if target >= 0:
            self.select_row(target)
        else:
            self._show_item(QModelIndex(), QModelIndex())

    # ─── items ────────────────────────────────────────────────────────────────────────────────────

    def select_row(self, row: int) -> None:
        index = self.item_model.index(row, 0)
        self.items.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.items.scrollTo(index)

    def _current_item_id(self) -> str | None:
        row = self.current_row()
        return row.item_id if row else None

    def current_row(self) -> walk.ItemRow | None:
        index = self.items.selectionModel().currentIndex() if self.items.selectionModel() else QModelIndex()
        if not index.isValid() or index.row() >= len(self.visible_rows):
            return None
        return self.visible_rows[index.row()]

    def _show_item(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.current_row()
        self.gallery.set_current_item((row.item_id, row.code) if row else None)
        self._loading_note = True
        if row is None:
            self.item_text.setText("")
            self.note.setPlainText("")
            self.note.setEnabled(False)
        else:
            quote = f"<p style='color:#444'>“{row.basis_text}”</p>" if row.basis_text else ""
            flag = "<p style='color:#ef6c00'>（条文未经官方原文核对）</p>" if row.unconfirmed else ""
            self.item_text.setText(
                f"<p><b>{row.code}</b> · {row.section}</p><p><b>检查内容：</b>{row.content}</p>"
                f"<p><b>检查方法：</b>{row.method}</p><p><b>依据：</b>{row.basis}</p>{quote}{flag}"
                f"<p><b>不合格时：</b>{row.failure_grade}</p>"
                + (f"<p><b>未检原因：</b>{row.unchecked_reason}</p>" if row.unchecked_reason else "")
            )
            self.note.setPlainText(row.note)
            self.note.setEnabled(self.editable and row.result is not None)
        self._loading_note = False

    def answer(self, result: ItemResultValue) -> None:
        row = self.current_row()
        if row is None or self.inspection_id is None or not self.editable:
            return
        reason = None
        if result is ItemResultValue.NOT_CHECKED:
            text, ok = QInputDialog.getText(self, "未检原因", "请说明该项未检查的原因：", text=row.unchecked_reason)
            if not ok or not text.strip():
                self.status.setText("未检须说明原因，未记录。")
                return
            reason = text.strip()
        inspection_id, item_id = self.inspection_id, row.item_id
        # Show the answer at once and move on; the write follows in order on the write thread.
        index = self.visible_rows.index(row)
        updated = walk.ItemRow(**{**row.__dict__, "result": result, "unchecked_reason": reason or row.unchecked_reason})
        self.visible_rows[index] = updated
        self.rows[self.rows.index(row)] = updated
        self.item_model.set_rows(self.visible_rows)
        if index + 1 < len(self.visible_rows):
            self.select_row(index + 1)
        else:
            self.select_row(index)
        refresh_needed = result is ItemResultValue.FAIL or row.result is ItemResultValue.FAIL

        def write(session: Session) -> None:
            walk.record_result(
                session, inspection_id=inspection_id, item_id=item_id, result=result, unchecked_reason=reason
            )

        def done(_: Any) -> None:
            self.saved.emit()
            self.status.setText(f"已保存：{row.code} {result.value}")
            if refresh_needed:
                self.reload(keep_item=self._current_item_id())
            else:
                self._refresh_progress()

        run_write(self.store, write, on_done=done, on_error=self._error)

    def _refresh_progress(self) -> None:
        progress = walk.progress_of(self.rows)
        self.progress.setMaximum(max(progress.total, 1))
        self.progress.setValue(progress.answered)
        self.progress_text.setText(f"不合格 {progress.failed} 项")
        by_code = {s.section_code: s for s in progress.sections}
        for n in range(self.sections.count()):
            item = self.sections.item(n)
            code = item.data(Qt.ItemDataRole.UserRole)
            if code is None:
                item.setText(f"全部 ({progress.answered}/{progress.total})")
            elif code in by_code:
                s = by_code[code]
                item.setText(f"{s.title} ({s.answered}/{s.total})" + (f" ✗{s.failed}" if s.failed else ""))

    def _note_changed(self) -> None:
        if not self._loading_note:
            self._note_timer.start()

    def _save_note(self) -> None:
        row = self.current_row()
        if row is None or self.inspection_id is None or row.result is None:
            return
        inspection_id, item_id, note = self.inspection_id, row.item_id, self.note.toPlainText()
        updated = walk.ItemRow(**{**row.__dict__, "note": note})
        self.visible_rows[self.visible_rows.index(row)] = updated
        self.rows[self.rows.index(row)] = updated
        run_write(
            self.store,
            lambda s: walk.set_note(s, inspection_id=inspection_id, item_id=item_id, note=note),
            on_done=lambda _r: self.saved.emit(),
            on_error=self._error,
        )

    def mark_section_not_applicable(self) -> None:
        current = self.sections.currentItem()
        section = current.data(Qt.ItemDataRole.UserRole) if current else None
        if section is None or self.inspection_id is None:
            self.status.setText("请先在左侧选择一节。")
            return
        reason, ok = QInputDialog.getText(self, "本节不适用", "说明（如：本企业不涉及该工艺）：")
        if not ok:
            return
        inspection_id = self.inspection_id
        self._write(
            lambda s: walk.mark_section(
                s,
                inspection_id=inspection_id,
                section_code=section,
                result=ItemResultValue.NOT_APPLICABLE,
                reason=reason,
            ),
            "本节未填写的检查项已标为不适用。",
        )

    # ─── findings ─────────────────────────────────────────────────────────────────────────────────

    def selected_finding(self) -> FindingRow | None:
        index = self.findings.selectionModel().currentIndex()
        if not index.isValid():
            return None
        return self.finding_model.row_at(index.row())

    def _finding_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        finding = self.finding_model.row_at(current.row()) if current.isValid() else None
        self.gallery.set_selected_finding(finding.id if finding else None)

    def _photos_counted(self, total: int) -> None:
        self.tabs.setTabText(1, f"照片证据（{total}）")

    def add_manual_finding(self) -> None:
        if self.inspection_id is None or not self.editable or self.is_review:
            return
        from inspector.domain.enums import FindingMeasure, HazardGrade

        dialog = FindingDialog(
            FindingEdit("", HazardGrade.GENERAL, "", FindingMeasure.RECTIFY_BY_DEADLINE, None),
            title="新增隐患（检查表外）",
            parent=self,
        )
        if not dialog.exec():
            return
        edit = dialog.value()
        inspection_id = self.inspection_id
        self._write(
            lambda s: add_finding(
                s,
                inspection_id=inspection_id,
                description=edit.description,
                grade=edit.grade,
                basis=edit.basis,
                measure=edit.measure,
                deadline=edit.deadline,
            ),
            "隐患已新增。",
        )

    def edit_selected_finding(self) -> None:
        row = self.selected_finding()
        if row is None or not self.editable or self.is_review:
            return
        from datetime import date

        from inspector.domain.enums import FindingMeasure, HazardGrade

        dialog = FindingDialog(
            FindingEdit(row.description, HazardGrade(row.grade), row.basis, FindingMeasure(row.measure), row.deadline),
            parent=self,
        )
        if not dialog.exec():
            return
        edit = dialog.value()
        deadline: date | None = edit.deadline
        self._write(
            lambda s: finding_service.update_finding(
                s,
                finding_id=row.id,
                description=edit.description,
                grade=edit.grade,
                basis=edit.basis,
                measure=edit.measure,
                deadline=deadline,
                clear_deadline=deadline is None,
            ),
            "隐患已保存。",
        )

    def delete_selected_finding(self) -> None:
        row = self.selected_finding()
        if row is None or not self.editable:
            return
        answer = QMessageBox.question(self, "删除隐患", f"删除这条隐患？\n{row.description}")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._write(lambda s: finding_service.delete_finding(s, finding_id=row.id), "隐患已删除。")

    def review_selected(self, *, passed: bool) -> None:
        row = self.selected_finding()
        if row is None or self.inspection_id is None or not self.editable:
            return
        note, ok = QInputDialog.getText(self, "复查意见", "复查情况：")
        if not ok:
            return
        review_id = self.inspection_id
        self._write(
            lambda s: finding_service.review_finding(
                s, review_inspection_id=review_id, finding_id=row.id, passed=passed, note=note
            ),
            "已记录复查结果。",
        )

    # ─── 逢查必考 ───────────────────────────────────────────────────────────────────────────────────

    def start_quiz(self) -> None:
        if self.inspection_id is None or not self.editable:
            return
        self.quiz_dialog = start_quiz_flow(self, self.store, self.inspection_id, self._quiz_done)
        self.quiz_dialog.open()

    def _quiz_done(self, result: QuizResult | None) -> None:
        if result is not None:
            self.quiz_result = QuizResultDialog(result, self)
            self.quiz_result.open()
            self.status.setText(f"{result.person_name} 得分 {result.score}，{result.status.value}。")
        self.reload()

    # ─── 执法文书 ───────────────────────────────────────────────────────────────────────────────────

    def new_document(self) -> NewDocumentDialog | None:
        """Ask for the kind and its inputs; the draft created is shown on the 执法文书 page."""
        if self.inspection_id is None or self.detail is None:
            return None
        dialog = NewDocumentDialog(self.store, self.inspection_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(self._document_created)
        self.document_dialog = dialog
        dialog.open()
        return dialog

    def _document_created(self, document_id: str) -> None:
        self.status.setText("文书草稿已创建。")
        self.document_created.emit(document_id)

    # ─── inspection ───────────────────────────────────────────────────────────────────────────────

    def finish(self) -> None:
        if self.inspection_id is None or not self.editable:
            return
        inspection_id = self.inspection_id
        self._write(lambda s: finish_inspection(s, inspection_id=inspection_id), "检查已完成。", dialog=True)

    def reopen(self) -> None:
        if self.inspection_id is None:
            return
        inspection_id = self.inspection_id
        self._write(lambda s: reopen_inspection(s, inspection_id=inspection_id), "检查已重新打开。")

    def _write(self, fn: Callable[[Session], Any], message: str, *, dialog: bool = False) -> None:
        def done(_: Any) -> None:
            self.status.setText(message)
            self.saved.emit()
            self.reload(keep_item=self._current_item_id())

        def error(exc: Exception) -> None:
            self._error(exc)
            if dialog:
                QMessageBox.warning(self, "无法完成", user_message(exc))

        run_write(self.store, fn, on_done=done, on_error=error)

    def _error(self, exc: Exception) -> None:
        message = user_message(exc)
        self.status.setText(f"出错：{message}")
        self.failed.emit(message)
