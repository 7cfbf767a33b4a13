"""检查任务 and 隐患整改 pages: lists with the actions that move the work on."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from inspector import clock
from inspector.domain.enums import HazardGrade, Industry
from inspector.inspections import findings as finding_service
from inspector.inspections.draw import DrawResult, draw_enterprises
from inspector.inspections.queries import FindingFilter, FindingRow, TaskRow, list_findings, list_tasks
from inspector.registry.service import search_enterprises
from inspector.store.db import Store
from inspector.ui.ops import run_write, user_message
from inspector.ui.pages import Page, finding_columns, fit_columns, make_table, page_heading, task_columns
from inspector.ui.table_model import RowTableModel


class DrawDialog(QDialog):
    """双随机: which enterprises may be drawn, and how many."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("双随机抽取")
        form = QFormLayout(self)
        self.industry = QComboBox()
        self.industry.addItem("全部行业", None)
        for i in Industry:
            self.industry.addItem(i.value, i)
        self.township = QLineEdit()
        self.township.setPlaceholderText("乡镇（可空）")
        self.count = QSpinBox()
        self.count.setRange(1, 500)
        self.count.setValue(3)
        self.seed = QLineEdit()
        self.seed.setPlaceholderText("留空则随机生成（抽取后记录在案）")
        form.addRow("行业领域", self.industry)
        form.addRow("乡镇", self.township)
        form.addRow("抽取企业数", self.count)
        form.addRow("随机种子", self.seed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("抽取")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def _warn_box(parent: QWidget, exc: Exception) -> None:
    QMessageBox.warning(parent, "无法完成", user_message(exc))


class TasksPage(Page):
    title = "检查任务"
    start_requested = Signal(str)  # task id

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(page_heading("检查任务"), 1)
        self.draw_button = QPushButton("双随机抽取…")
        self.draw_button.clicked.connect(self.draw)
        self.start_button = QPushButton("开始检查 (Enter)")
        self.start_button.setObjectName("primary")
        self.start_button.clicked.connect(self.start_selected)
        head.addWidget(self.draw_button)
        head.addWidget(self.start_button)
        layout.addLayout(head)
        self.status = QLabel()
        self.status.setObjectName("subtle")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.model: RowTableModel[TaskRow] = RowTableModel(task_columns(), self)
        self.view = make_table(self.model, sortable=False)
        self.view.activated.connect(lambda _i: self.start_selected())
        layout.addWidget(self.view, 1)

    def refresh(self) -> None:
        def show(rows: list[TaskRow]) -> None:
            self.model.set_rows(rows)
            if not self.status.text().startswith("已抽取"):
                self.status.setText(f"共 {len(rows)} 项待办任务" if rows else "暂无待办检查任务。")
            fit_columns(self.view)

        self._load(list_tasks, show)

    def _warn(self, exc: Exception) -> None:
        _warn_box(self, exc)

    def start_selected(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            self.status.setText("请先选择一项任务。")
            return
        self.start_requested.emit(self.model.row_at(index.row()).id)

    def draw(self) -> None:
        dialog = DrawDialog(self)
        if not dialog.exec():
            return
        chosen = dialog.industry.currentData()  # Qt hands a StrEnum back as a plain str
        industry = Industry(chosen) if chosen else None
        township, count, seed = dialog.township.text(), dialog.count.value(), dialog.seed.text().strip() or None

        def done(result: DrawResult) -> None:
            warning = f"；其中 {len(result.at_cap)} 家今年检查次数已达上限，请斟酌" if result.at_cap else ""
            self.status.setText(f"已抽取 {len(result.enterprise_ids)} 家企业，随机种子 {result.seed}{warning}。")
            self.refresh()

        run_write(
            self.store,
            lambda s: draw_enterprises(s, enterprise_count=count, industry=industry, township=township, seed=seed),
            on_done=done,
            on_error=self._warn,
        )


class FindingsPage(Page):
    title = "隐患整改"
    review_requested = Signal(str)  # inspection id whose open findings are to be reviewed

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(page_heading("隐患整改"))
        bar = QHBoxLayout()
        self.overdue_only = QCheckBox("只看逾期")
        self.major_only = QCheckBox("只看重大事故隐患")
        self.include_closed = QCheckBox("含已销号")
        for box in (self.overdue_only, self.major_only, self.include_closed):
            box.toggled.connect(self.refresh)
            bar.addWidget(box)
        self.enterprise = QComboBox()
        self.enterprise.addItem("全部单位", None)
        self.enterprise.currentIndexChanged.connect(self.refresh)
        bar.addWidget(self.enterprise)
        self._enterprises_loaded = False
        bar.addStretch(1)
        self.rectifying_button = QPushButton("标记整改中")
        self.rectifying_button.clicked.connect(self.mark_rectifying)
        self.supervise_button = QPushButton("挂牌督办…")
        self.supervise_button.clicked.connect(self.supervise)
        self.review_button = QPushButton("发起复查")
        self.review_button.clicked.connect(self.request_review)
        for b in (self.rectifying_button, self.supervise_button, self.review_button):
            bar.addWidget(b)
        layout.addLayout(bar)
        self.status = QLabel()
        self.status.setObjectName("subtle")
        layout.addWidget(self.status)
        self.model: RowTableModel[FindingRow] = RowTableModel(finding_columns(), self)
        self.view = make_table(self.model, sortable=False)
        layout.addWidget(self.view, 1)

    def refresh(self) -> None:
        f = FindingFilter(
            open_only=not self.include_closed.isChecked(),
            overdue_only=self.overdue_only.isChecked(),
            major_only=self.major_only.isChecked(),
            enterprise_id=self.enterprise.currentData(),
        )
        today = clock.local_today()
        load_enterprises = not self._enterprises_loaded

        def load(session: Session) -> tuple[list[FindingRow], list[tuple[str, str]]]:
            names = [(e.id, e.name) for e in search_enterprises(session)] if load_enterprises else []
            return list_findings(session, today=today, f=f), names

        def show(result: tuple[list[FindingRow], list[tuple[str, str]]]) -> None:
            rows, names = result
            if names:
                self.enterprise.blockSignals(True)
                for enterprise_id, name in names:
                    self.enterprise.addItem(name, enterprise_id)
                self.enterprise.blockSignals(False)
                self._enterprises_loaded = True
            self.model.set_rows(rows)
            overdue = sum(1 for r in rows if r.overdue)
            self.status.setText(f"共 {len(rows)} 条，逾期 {overdue} 条" if rows else "没有符合条件的隐患。")
            fit_columns(self.view)

        self._load(load, show)

    def _warn(self, exc: Exception) -> None:
        _warn_box(self, exc)

    def selected(self) -> FindingRow | None:
        index = self.view.currentIndex()
        if not index.isValid():
            self.status.setText("请先选择一条隐患。")
            return None
        return self.model.row_at(index.row())

    def _write(self, fn: Any, message: str) -> None:
        def done(_: Any) -> None:
            self.refresh()
            self.status.setText(message)

        run_write(self.store, fn, on_done=done, on_error=self._warn)

    def mark_rectifying(self) -> None:
        row = self.selected()
        if row is not None:
            self._write(lambda s: finding_service.start_rectifying(s, finding_id=row.id), "已标记为整改中。")

    def supervise(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.grade != HazardGrade.MAJOR.value:
            QMessageBox.information(self, "挂牌督办", "只有重大事故隐患才挂牌督办。")
            return
        default = row.supervised_by or "阳城县人民政府安全生产委员会办公室"
        by, ok = QInputDialog.getText(self, "挂牌督办", "督办单位：", text=default)
        if not ok:
            return
        since = clock.local_today()
        self._write(lambda s: finding_service.supervise(s, finding_id=row.id, by=by, since=since), "已挂牌督办。")

    def request_review(self) -> None:
        row = self.selected()
        if row is not None:
            self.review_requested.emit(row.inspection_id)
