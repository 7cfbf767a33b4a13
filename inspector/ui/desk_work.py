"""监管台's working tabs: 审核 (decisions before issue, batch export), 年度计划 (draft, approve, dispatch), 举报.

All rules live in `inspector.desk` and `inspector.documents.review`; these screens gather the inputs, run the
calls on the database thread and show the result or the Chinese error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCharts import QChartView
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session, col, select

from inspector import clock
from inspector.desk.complaints import (
    ComplaintRow,
    close_complaint,
    complaint_to_task,
    list_complaints,
    register_complaint,
)
from inspector.desk.dispatch import dispatch_task
from inspector.desk.plans import EntryProgress, PlanProgress, approve_plan, draft_plan, plan_progress
from inspector.documents.queries import DocumentRow, list_documents
from inspector.documents.review import ReviewRow, approve, documents_awaiting_review, return_with_comment
from inspector.domain.enums import ComplaintChannel, DocumentStatus, InspectorRole
from inspector.errors import InspectorError
from inspector.store.db import Store
from inspector.store.models import AnnualPlan, Enterprise, Inspector
from inspector.store.settings import agency_county_code
from inspector.ui.desk import bar_chart  # one chart style for the whole desk
from inspector.ui.documents_page import CaseExport, DocumentExport, print_pdfs
from inspector.ui.ops import run_write, user_message
from inspector.ui.pages import Page, make_table
from inspector.ui.table_model import Column, RowTableModel

ERROR_RED = "#c62828"


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    cert_no: str
    supervisor: bool

    @property
    def label(self) -> str:
        return f"{self.name}（{self.cert_no}）"


def load_officers(session: Session) -> list[Officer]:
    rows = session.exec(select(Inspector).where(col(Inspector.active)).order_by(col(Inspector.cert_no)))
    return [Officer(i.id, i.name, i.cert_no, i.role == InspectorRole.SUPERVISOR) for i in rows]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class WorkTab(Page):
    """A desk tab that writes: `done` carries the message of a finished action, `failed` the error."""

    done = Signal(str)

    def __init__(self, store: Store, officer: Callable[[], Officer | None], parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.current_officer = officer
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)

    def _write(self, fn: Callable[[Session], Any], success: str) -> None:
        def finished(_result: Any) -> None:
            self._say(success, error=False)
            self.done.emit(success)
            self.refresh()

        def failed(exc: Exception) -> None:
            self._say(user_message(exc), error=True)
            self.failed.emit(user_message(exc))

        run_write(self.store, fn, on_done=finished, on_error=failed)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_RED};" if error else "")

    def _supervisor_id(self) -> str | None:
        officer = self.current_officer()
        if officer is None or not officer.supervisor:
            self._say("请先在上方选择审批的管理人员（须为管理人员角色）。", error=True)
            return None
        return officer.id


# ─── dispatch: two officers and a due date ───────────────────────────────────────────────────────────


class DispatchDialog(QDialog):
    """派发任务: two different officers (never one alone) and the due date."""

    def __init__(
        self, officers: list[Officer], *, title: str, due: date, parent: QWidget | None = None, heading: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(heading or "派发检查任务")
        self.setMinimumWidth(420)
        form = QFormLayout(self)
        self.title_edit = QLineEdit(title)
        self.first = QComboBox()
        self.second = QComboBox()
        for box in (self.first, self.second):
            for officer in officers:
                box.addItem(officer.label, officer.id)
        if len(officers) > 1:
            self.second.setCurrentIndex(1)
        self.due = QDateEdit(_qdate(due))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        form.addRow("任务名称", self.title_edit)
        form.addRow("主办人员", self.first)
        form.addRow("协办人员", self.second)
        form.addRow("完成期限", self.due)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("派发")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, list[str], date]:
        return (
            self.title_edit.text().strip(),
            [self.first.currentData(), self.second.currentData()],
            _pydate(self.due.date()),
        )


# ─── 审核 ─────────────────────────────────────────────────────────────────────────────────────────────


class ReviewTab(WorkTab):
    """Decisions waiting for a supervisor, approve or return with a comment; the month's issued documents
    exported in one batch (progress and cancel)."""

    title = "文书审核"
    export_done = Signal(object)  # CaseExport
    printed = Signal(int)  # pages sent to the printer

    def __init__(self, store: Store, officer: Callable[[], Officer | None], parent: QWidget | None = None) -> None:
        super().__init__(store, officer, parent)
        self.export_job: DocumentExport | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("待审核的决定书（现场处理措施、强制措施、行政处罚须经管理人员批准后方可出具）"))
        self.model: RowTableModel[ReviewRow] = RowTableModel(
            [
                Column("文书", lambda r: r.kind),
                Column("企业", lambda r: r.enterprise_name),
                Column("提交时间", lambda r: r.submitted_at),
                Column("上次退回意见", lambda r: r.comment),
            ],
            self,
        )
        self.view = make_table(self.model, sortable=False)
        layout.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        self.approve_button = QPushButton("批准")
        self.return_button = QPushButton("退回…")
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.return_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        batch = QHBoxLayout()
        self.month_box = QComboBox()
        today = clock.local_today()
        year, month = today.year, today.month
        for _ in range(12):
            self.month_box.addItem(f"{year}年{month}月", (year, month))
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        self.export_button = QPushButton("批量导出该月已出具文书…")
        self.print_button = QPushButton("批量打印…")
        batch.addWidget(QLabel("批量打印"))
        batch.addWidget(self.month_box)
        batch.addWidget(self.print_button)
        batch.addWidget(self.export_button)
        batch.addStretch(1)
        layout.addLayout(batch)
        self.approve_button.clicked.connect(lambda: self.approve_selected())  # noqa: PLW0108
        self.return_button.clicked.connect(lambda: self.return_selected())  # noqa: PLW0108 (`checked` ≠ comment)
        self.export_button.clicked.connect(self.choose_export_folder)
        self.print_button.clicked.connect(lambda: self.print_month())  # noqa: PLW0108 (`checked` ≠ printer)

    def refresh(self) -> None:
        self._load(documents_awaiting_review, self._show)

    def _show(self, rows: list[ReviewRow]) -> None:
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()
        if rows:
            self.view.selectRow(0)

    def selected(self) -> ReviewRow | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def approve_selected(self) -> None:
        row, supervisor = self.selected(), self._supervisor_id()
        if row is None or supervisor is None:
            return
        self._write(lambda s: approve(s, row.document_id, supervisor), f"已批准：{row.kind}（{row.enterprise_name}）")

    def return_selected(self, comment: str | None = None) -> None:
        row, supervisor = self.selected(), self._supervisor_id()
        if row is None or supervisor is None:
            return
        if comment is None:
            comment, ok = QInputDialog.getMultiLineText(self, "退回修改", "退回意见（必填）：")
            if not ok:
                return
        text = comment.strip()
        if not text:
            self._say("退回时须写明退回意见。", error=True)
            return
        self._write(
            lambda s: return_with_comment(s, row.document_id, supervisor, text),
            f"已退回：{row.kind}（{row.enterprise_name}）",
        )

    # ─── batch export ───

    def choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择导出文件夹")
        if folder:
            self.export_month_to(Path(folder))

    def _issued_in_month(self) -> Callable[[Session], list[DocumentRow]]:
        year, month = self.month_box.currentData()

        def issued(session: Session) -> list[DocumentRow]:
            rows = list_documents(session, limit=100_000)
            return [
                r
                for r in reversed(rows)  # oldest first: the order they were issued in
                if r.status in (DocumentStatus.ISSUED, DocumentStatus.SERVED)
                and r.issued_at is not None
                and (clock.to_local(r.issued_at).year, clock.to_local(r.issued_at).month) == (year, month)
            ]

        return issued

    def export_month_to(self, folder: Path) -> None:
        if self.export_job is not None:
            return
        self._load(self._issued_in_month(), lambda rows: self._start_export(rows, folder))

    def print_month(self, printer: QPrinter | None = None) -> None:
        """The month's issued documents as one print job, oldest first; cancel stops after a document."""
        issued = self._issued_in_month()
        blobs = self.store.blobs

        def load(session: Session) -> list[tuple[DocumentRow, bytes]]:
            return [(row, blobs.read(row.pdf_sha256)) for row in issued(session) if row.pdf_sha256]

        self._load(load, lambda documents: self._print_documents(documents, printer))

    def _print_documents(self, documents: list[tuple[DocumentRow, bytes]], printer: QPrinter | None) -> None:
        if not documents:
            self._say("该月没有已出具的文书。", error=False)
            self.printed.emit(0)
            return
        if printer is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
            printer.setDocName(f"执法文书（{self.month_box.currentText()}）")
            dialog = QPrintDialog(printer, self)
            dialog.setWindowTitle(f"批量打印：{len(documents)} 份文书")
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
        progress = QProgressDialog("正在打印文书…", "取消", 0, len(documents), self)
        progress.setWindowTitle("批量打印")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)

        sent = [0]

        def each_done(number: int) -> bool:
            sent[0] = number
            progress.setValue(number)
            QApplication.processEvents()  # paints the bar and lets 取消 be clicked between documents
            return not progress.wasCanceled()

        try:
            pages = print_pdfs([pdf for _row, pdf in documents], printer, each_done=each_done)
        except InspectorError as exc:
            self._say(exc.message_zh, error=True)
            self.failed.emit(exc.message_zh)
            return
        finally:
            progress.reset()
            progress.deleteLater()
        stopped = "（其余已取消）" if sent[0] < len(documents) else ""
        self._say(f"已发送打印：{sent[0]} 份文书，共 {pages} 页{stopped}。", error=False)
        self.printed.emit(pages)

    def _start_export(self, rows: list[DocumentRow], folder: Path) -> None:
        if not rows:
            self._say("该月没有已出具的文书。", error=False)
            self.export_done.emit(CaseExport(str(folder), 0))
            return
        job = DocumentExport(self.store, rows, folder, self)
        self.export_job = job
        progress = QProgressDialog("正在导出文书…", "取消", 0, len(rows), self)
        progress.setWindowTitle("批量导出文书")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)
        progress.canceled.connect(job.cancel)
        job.progressed.connect(lambda done, total: progress.setValue(min(done, total)))
        job.finished.connect(lambda report: self._export_finished(report, progress))
        job.start()

    def _export_finished(self, report: CaseExport, progress: QProgressDialog) -> None:
        progress.reset()
        progress.deleteLater()
        self.export_job = None
        self._say(report.summary_zh(), error=bool(report.error))
        self.export_done.emit(report)


# ─── 年度计划 ─────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PlanView:
    year: int
    plan: AnnualPlan | None
    progress: PlanProgress | None
    officers: list[Officer]


class PlanTab(WorkTab):
    """年度监督检查计划: draft it, approve it, dispatch its inspections, and its progress month by month."""

    title = "年度计划"

    def __init__(self, store: Store, officer: Callable[[], Officer | None], parent: QWidget | None = None) -> None:
        super().__init__(store, officer, parent)
        self.view_data: PlanView | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.year_box = QComboBox()
        this_year = clock.local_today().year
        for year in (this_year, this_year + 1):
            self.year_box.addItem(f"{year}年", year)
        self.ratio = QDoubleSpinBox()
        self.ratio.setRange(0.0, 1.0)
        self.ratio.setSingleStep(0.05)
        self.ratio.setValue(0.3)
        self.draft_button = QPushButton("生成计划草案")
        self.approve_button = QPushButton("记录批准")
        self.dispatch_button = QPushButton("派发任务…")
        top.addWidget(QLabel("年度"))
        top.addWidget(self.year_box)
        top.addWidget(QLabel("双随机抽查比例"))
        top.addWidget(self.ratio)
        top.addWidget(self.draft_button)
        top.addWidget(self.approve_button)
        top.addStretch(1)
        top.addWidget(self.dispatch_button)
        layout.addLayout(top)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.model: RowTableModel[EntryProgress] = RowTableModel(
            [
                Column("企业", lambda e: e.enterprise_name),
                Column("依据", lambda e: e.basis),
                Column("计划月份", lambda e: "、".join(f"{m}月" for m in e.months)),
                Column("计划次数", lambda e: e.planned),
                Column("已完成", lambda e: e.done),
            ],
            self,
        )
        self.view = make_table(self.model)
        split.addWidget(self.view)
        self.chart_view = QChartView()
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        split.addWidget(self.chart_view)
        split.setSizes([560, 440])
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        self.year_box.currentIndexChanged.connect(lambda _n: self.refresh())
        self.draft_button.clicked.connect(self.draft)
        self.approve_button.clicked.connect(self.approve)
        self.dispatch_button.clicked.connect(lambda: self.dispatch_selected())  # noqa: PLW0108 (`checked` ≠ answer)

    @property
    def year(self) -> int:
        return int(self.year_box.currentData())

    def refresh(self) -> None:
        year = self.year

        def load(session: Session) -> PlanView:
            county = agency_county_code(session)
            plan = session.exec(
                select(AnnualPlan).where(AnnualPlan.year == year, AnnualPlan.county_code == county)
            ).first()
            progress = plan_progress(session, plan.id) if plan is not None else None
            return PlanView(year, plan, progress, load_officers(session))

        self._load(load, self._show)

    def _show(self, data: PlanView) -> None:
        self.view_data = data
        plan, progress = data.plan, data.progress
        if plan is None or progress is None:
            self.status.setText(f"{data.year}年尚无监督检查计划。点击“生成计划草案”按重点全覆盖、一般双随机抽查生成。")
            self.model.set_rows([])
            empty = bar_chart("各月计划与完成", ["—"], [("计划", [0]), ("完成", [0])], horizontal=False)
            self.chart_view.setChart(empty)
        else:
            planned = sum(m.planned for m in progress.months)
            finished = sum(m.done for m in progress.months)
            approved = ""
            if plan.approved_at is not None:
                approved = f"，{clock.to_local(plan.approved_at).date()}批准，已锁定"
            self.status.setText(
                f"{plan.title}（{plan.status}{approved}）：{len(progress.entries)} 家企业，计划检查 {planned} 次，"
                f"已完成 {finished} 次；每家企业每年检查不超过 {plan.yearly_cap} 次。"
            )
            self.model.set_rows(progress.entries)
            self.view.resizeColumnsToContents()
            months = [f"{m.month}月" for m in progress.months]
            self.chart_view.setChart(
                bar_chart(
                    f"{data.year}年各月计划与完成",
                    months,
                    [("计划", [m.planned for m in progress.months]), ("完成", [m.done for m in progress.months])],
                    horizontal=False,
                )
            )
        draft = plan is not None and plan.approved_at is None
        self.draft_button.setEnabled(plan is None)
        self.approve_button.setEnabled(draft)
        self.dispatch_button.setEnabled(plan is not None and plan.approved_at is not None)

    def draft(self) -> None:
        year, ratio = self.year, self.ratio.value()

        def make(session: Session) -> Any:
            return draft_plan(session, year=year, county=agency_county_code(session), sample_ratio=ratio)

        self._write(make, f"已生成{year}年度监督检查计划草案。")

    def approve(self) -> None:
        supervisor = self._supervisor_id()
        data = self.view_data
        if supervisor is None or data is None or data.plan is None:
            return
        plan_id = data.plan.id
        self._write(lambda s: approve_plan(s, plan_id, supervisor), "已记录计划批准，计划已锁定。")

    def selected(self) -> EntryProgress | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        model = self.view.model()
        source = model.mapToSource(index) if hasattr(model, "mapToSource") else index
        return self.model.row_at(source.row())

    def dispatch_selected(self, answer: tuple[str, list[str], date] | None = None) -> None:
        entry, data = self.selected(), self.view_data
        if entry is None or data is None or data.progress is None:
            self._say("请先选择计划中的企业。", error=True)
            return
        if answer is None:
            month = next((m for m in entry.months if m >= clock.local_today().month), entry.months[-1])
            due = min(date(data.year, month, 28), date(data.year, 12, 31))
            title = f"{data.year}年度计划检查：{entry.enterprise_name}"
            dialog = DispatchDialog(data.officers, title=title, due=max(due, clock.local_today()), parent=self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            answer = dialog.values()
        title, officers, due_date = answer
        plan_id = data.progress.plan_id

        def dispatch(session: Session) -> Any:
            from inspector.desk.plans import plan_entries

            entry_id = next(e.id for e in plan_entries(session, plan_id) if e.enterprise_id == entry.enterprise_id)
            return dispatch_task(
                session,
                enterprise_id=entry.enterprise_id,
                inspector_ids=officers,
                due_date=due_date,
                title=title,
                source="年度计划",
                plan_entry_id=entry_id,
            )

        self._write(dispatch, f"已派发：{title}（下次同步时送达执法人员终端）")


# ─── 举报 ─────────────────────────────────────────────────────────────────────────────────────────────


class ComplaintDialog(QDialog):
    """登记举报. Anonymous unless a name or phone is given on purpose; anonymous clears and locks them."""

    def __init__(self, enterprises: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("登记举报")
        self.setMinimumWidth(480)
        form = QFormLayout(self)
        self.channel = QComboBox()
        self.channel.addItems([c.value for c in ComplaintChannel])
        self.anonymous = QCheckBox("匿名举报（不记录举报人身份）")
        self.anonymous.setChecked(True)
        self.name = QLineEdit()
        self.phone = QLineEdit()
        self.enterprise = QComboBox()
        self.enterprise.addItem("（未确定企业，填写地点）", None)
        for record_id, name in enterprises:
            self.enterprise.addItem(name, record_id)
        self.place = QLineEdit()
        self.content = QPlainTextEdit()
        self.deadline = QDateEdit(_qdate(clock.local_today() + timedelta(days=15)))
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        form.addRow("举报渠道", self.channel)
        form.addRow("", self.anonymous)
        form.addRow("举报人", self.name)
        form.addRow("联系电话", self.phone)
        form.addRow("被举报企业", self.enterprise)
        form.addRow("地点", self.place)
        form.addRow("举报内容", self.content)
        form.addRow("核查期限", self.deadline)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登记")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.anonymous.toggled.connect(self._anonymity)
        self._anonymity(True)

    def _anonymity(self, anonymous: bool) -> None:
        for edit in (self.name, self.phone):
            if anonymous:
                edit.clear()
            edit.setEnabled(not anonymous)

    def values(self) -> dict[str, Any]:
        return {
            "channel": self.channel.currentText(),
            "anonymous": self.anonymous.isChecked(),
            "reporter_name": self.name.text(),
            "reporter_phone": self.phone.text(),
            "enterprise_id": self.enterprise.currentData(),
            "place": self.place.text().strip(),
            "content": self.content.toPlainText().strip(),
            "deadline": _pydate(self.deadline.date()),
        }


@dataclass(frozen=True)
class ComplaintView:
    rows: list[ComplaintRow]
    officers: list[Officer]
    enterprises: list[tuple[str, str]]


class ComplaintTab(WorkTab):
    """举报: register, send two officers to check it, close it with the result."""

    title = "举报核查"

    def __init__(self, store: Store, officer: Callable[[], Officer | None], parent: QWidget | None = None) -> None:
        super().__init__(store, officer, parent)
        self.data: ComplaintView | None = None
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("登记举报…")
        self.task_button = QPushButton("派发核查任务…")
        self.close_button = QPushButton("办结…")
        for button in (self.add_button, self.task_button, self.close_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.model: RowTableModel[ComplaintRow] = RowTableModel(
            [
                Column("受理时间", lambda c: c.received_at),
                Column("渠道", lambda c: c.channel),
                Column("举报人", lambda c: c.reporter),
                Column("被举报对象", lambda c: c.about),
                Column("内容", lambda c: c.content),
                Column("核查期限", lambda c: c.deadline),
                Column(
                    "状态",
                    lambda c: c.status + ("（逾期）" if c.overdue else ""),
                    colour=lambda c: ERROR_RED if c.overdue else None,
                ),
                Column("办理结果", lambda c: c.result),
            ],
            self,
        )
        self.view = make_table(self.model, sortable=False)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        # Lambdas: `clicked` passes `checked`, which must not land in the optional answer parameters.
        self.add_button.clicked.connect(lambda: self.register())  # noqa: PLW0108
        self.task_button.clicked.connect(lambda: self.send_task())  # noqa: PLW0108
        self.close_button.clicked.connect(lambda: self.close_selected())  # noqa: PLW0108

    def refresh(self) -> None:
        def load(session: Session) -> ComplaintView:
            names = session.exec(select(Enterprise.id, Enterprise.name).order_by(col(Enterprise.name)))
            return ComplaintView(list_complaints(session), load_officers(session), [(str(i), str(n)) for i, n in names])

        self._load(load, self._show)

    def _show(self, data: ComplaintView) -> None:
        self.data = data
        self.model.set_rows(data.rows)
        self.view.resizeColumnsToContents()

    def selected(self) -> ComplaintRow | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def register(self, values: dict[str, Any] | None = None) -> None:
        if values is None:
            dialog = ComplaintDialog(self.data.enterprises if self.data else [], self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            values = dialog.values()
        given = dict(values)
        self._write(lambda s: register_complaint(s, **given), "举报已登记。")

    def send_task(self, answer: tuple[str, list[str], date] | None = None) -> None:
        row = self.selected()
        if row is None or self.data is None:
            self._say("请先选择一条举报。", error=True)
            return
        if answer is None:
            dialog = DispatchDialog(
                self.data.officers,
                title=f"举报核查：{row.about}",
                due=max(row.deadline, clock.local_today()),
                parent=self,
                heading="派发举报核查任务",
            )
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            answer = dialog.values()
        title, officers, _due = answer
        self._write(
            lambda s: complaint_to_task(s, row.id, officers, title=title),
            f"已派发核查任务：{title}（下次同步时送达执法人员终端）",
        )

    def close_selected(self, result: str | None = None) -> None:
        row = self.selected()
        if row is None:
            self._say("请先选择一条举报。", error=True)
            return
        if result is None:
            text, ok = QInputDialog.getMultiLineText(self, "办结举报", "办理结果（留空则按检查发现自动填写）：")
            if not ok:
                return
            result = text
        given = result.strip()
        self._write(lambda s: close_complaint(s, row.id, given), "举报已办结。")
