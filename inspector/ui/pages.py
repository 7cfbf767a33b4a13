"""The navigation pages of the main window. Each renders what a service returns and refreshes off-thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from inspector import clock
from inspector.dashboard.service import WorkbenchCounts, workbench_counts
from inspector.domain.enums import Industry
from inspector.inspections.queries import (
    FindingRow,
    TaskRow,
    list_findings,
    list_tasks,
)
from inspector.registry.service import EnterpriseRow, search_enterprises
from inspector.store.db import Store
from inspector.store.models import SyncConflict
from inspector.sync.client import OfficeLink, SyncReport, office_link
from inspector.sync.status import (
    SyncStatus,
    field_text,
    recent_conflicts,
    sync_status,
    table_text,
    value_text,
)
from inspector.ui.ops import run_op, user_message
from inspector.ui.sync_page import BackgroundJob, EnrollDialog, HttpFactory, role_text, run_sync, stage_text
from inspector.ui.table_model import Column, RowTableModel, display_text

OVERDUE_RED = "#c62828"
MAJOR_RED = "#b71c1c"


class Page(QWidget):
    """A navigation page. `refreshed` fires when data from a refresh has been shown (tests wait on it)."""

    refreshed = Signal()
    failed = Signal(str)
    title = ""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setObjectName(type(self).__name__)
        self._generation = 0

    def refresh(self) -> None:
        self.refreshed.emit()

    def _load(self, fn: Callable[[Session], Any], show: Callable[[Any], None]) -> None:
        # Loads run on a pool of threads and may finish out of order: only the newest one is shown.
        self._generation += 1
        generation = self._generation

        def done(result: Any) -> None:
            if generation != self._generation:
                return
            show(result)
            self.refreshed.emit()

        def error(exc: Exception) -> None:
            if generation == self._generation:
                self.failed.emit(user_message(exc))

        run_op(self.store, fn, on_done=done, on_error=error)


def make_table(model: RowTableModel[Any], *, sortable: bool = True) -> QTableView:
    view = QTableView()
    if sortable:
        proxy = QSortFilterProxyModel(view)
        proxy.setSourceModel(model)
        proxy.setSortRole(Qt.ItemDataRole.DisplayRole)
        view.setModel(proxy)
        view.setSortingEnabled(True)
        view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    else:
        view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setWordWrap(False)
    return view


def fit_columns(view: QTableView, *, max_width: int = 380) -> None:
    """Size columns to their contents, but keep a long description from pushing the rest off screen."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    for column in range(header.count()):
        if header.sectionSize(column) > max_width:
            header.resizeSection(column, max_width)


def page_heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("pageHeading")
    return label


# ─── 工作台 ──────────────────────────────────────────────────────────────────────────────────────────


class CountCard(QFrame):
    def __init__(self, caption: str, *, alert: bool = False) -> None:
        super().__init__()
        self.setObjectName("countCardAlert" if alert else "countCard")
        layout = QVBoxLayout(self)
        self.value = QLabel("–")
        self.value.setObjectName("countValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("countCaption")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_value(self, value: int) -> None:
        self.value.setText(str(value))


def task_columns() -> list[Column[TaskRow]]:
    return [
        Column("被检查单位", lambda r: r.enterprise_name),
        Column("行业领域", lambda r: r.industry),
        Column("检查方式", lambda r: r.mode),
        Column("任务", lambda r: r.title),
        Column("计划日期", lambda r: r.planned_date),
        Column("截止日期", lambda r: r.due_date),
        Column("状态", lambda r: r.status),
    ]


def finding_columns() -> list[Column[FindingRow]]:
    return [
        Column("被检查单位", lambda r: r.enterprise_name),
        Column("隐患描述", lambda r: r.description),
        Column("等级", lambda r: r.grade, colour=lambda r: MAJOR_RED if r.grade == "重大事故隐患" else None),
        Column("处理措施", lambda r: r.measure),
        Column(
            "整改期限",
            lambda r: r.deadline,
            colour=lambda r: OVERDUE_RED if r.overdue else None,
        ),
        Column(
            "状态",
            lambda r: "已逾期" if r.overdue else r.status,
            colour=lambda r: OVERDUE_RED if r.overdue else None,
        ),
        Column("挂牌督办", lambda r: r.supervised_by),
    ]


class WorkbenchPage(Page):
    title = "工作台"

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(page_heading("工作台"))
        self.date_label = QLabel()
        self.date_label.setObjectName("subtle")
        layout.addWidget(self.date_label)

        grid = QGridLayout()
        self.cards = {
            "tasks_today": CountCard("今日检查任务"),
            "open_tasks": CountCard("待办检查任务"),
            "open_findings": CountCard("未整改隐患"),
            "open_major_findings": CountCard("重大事故隐患（未销号）", alert=True),
            "overdue_findings": CountCard("逾期未整改", alert=True),
            "unsynced_records": CountCard("待同步记录"),
        }
        for i, card in enumerate(self.cards.values()):
            grid.addWidget(card, 0, i)
        layout.addLayout(grid)

        layout.addWidget(QLabel("待办检查任务"))
        self.task_model: RowTableModel[TaskRow] = RowTableModel(task_columns(), self)
        self.task_view = make_table(self.task_model)
        layout.addWidget(self.task_view, 1)

        layout.addWidget(QLabel("未整改隐患（逾期的标红）"))
        self.finding_model: RowTableModel[FindingRow] = RowTableModel(finding_columns(), self)
        self.finding_view = make_table(self.finding_model)
        layout.addWidget(self.finding_view, 1)

    def refresh(self) -> None:
        today = clock.local_today()
        self.date_label.setText(f"今天是 {today:%Y年%m月%d日}")

        def load(session: Session) -> tuple[WorkbenchCounts, list[TaskRow], list[FindingRow]]:
            return (
                workbench_counts(session, today=today),
                list_tasks(session),
                list_findings(session, today=today),
            )

        def show(result: tuple[WorkbenchCounts, list[TaskRow], list[FindingRow]]) -> None:
            counts, tasks, findings = result
            for key, card in self.cards.items():
                card.set_value(getattr(counts, key))
            self.task_model.set_rows(tasks)
            self.finding_model.set_rows(findings)
            for view in (self.task_view, self.finding_view):
                fit_columns(view)

        self._load(load, show)


# ─── 企业 ────────────────────────────────────────────────────────────────────────────────────────────


def enterprise_columns() -> list[Column[EnterpriseRow]]:
    return [
        Column("单位名称", lambda r: r.name),
        Column("统一社会信用代码", lambda r: r.credit_code),
        Column("行业领域", lambda r: r.industry),
        Column("乡镇", lambda r: r.township),
        Column("法定代表人", lambda r: r.legal_representative),
        Column("联系电话", lambda r: r.contact_phone),
        Column("风险等级", lambda r: r.risk_level),
        Column("重点监管", lambda r: r.is_key),
        Column("地址", lambda r: r.address),
    ]


class EnterprisePage(Page):
    title = "企业"
    ALL_INDUSTRIES = "全部行业"

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(page_heading("企业（生产经营单位）"))
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索单位名称、信用代码、地址、乡镇或法定代表人")
        self.search.setClearButtonEnabled(True)
        self.industry = QComboBox()
        self.industry.addItem(self.ALL_INDUSTRIES, None)
        for industry in Industry:
            self.industry.addItem(industry.value, industry)
        self.count_label = QLabel()
        bar.addWidget(self.search, 3)
        bar.addWidget(self.industry, 1)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)
        self.model: RowTableModel[EnterpriseRow] = RowTableModel(enterprise_columns(), self)
        self.view = make_table(self.model)
        layout.addWidget(self.view, 1)
        # Typing refreshes after a short pause, not on every keystroke.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._debounce.start)
        self.industry.currentIndexChanged.connect(self.refresh)

    def refresh(self) -> None:
        text = self.search.text()
        chosen = self.industry.currentData()  # Qt hands a StrEnum back as a plain str
        industry = Industry(chosen) if chosen else None

        def show(rows: list[EnterpriseRow]) -> None:
            self.model.set_rows(rows)
            self.count_label.setText(f"共 {len(rows)} 家")
            fit_columns(self.view)

        self._load(lambda s: search_enterprises(s, text=text, industry=industry), show)


# ─── simple list pages ───────────────────────────────────────────────────────────────────────────────


class ListPage(Page):
    """A heading, a table and an empty-state line, filled from one query."""

    def __init__(
        self,
        store: Store,
        *,
        title: str,
        heading: str,
        columns: Sequence[Column[Any]],
        query: Callable[[Session], list[Any]],
        empty_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(store, parent)
        self.title = title
        self.setObjectName(f"ListPage-{title}")
        self._query = query
        self._empty_text = empty_text
        layout = QVBoxLayout(self)
        layout.addWidget(page_heading(heading))
        self.status = QLabel()
        self.status.setObjectName("subtle")
        layout.addWidget(self.status)
        self.model: RowTableModel[Any] = RowTableModel(columns, self)
        self.view = make_table(self.model)
        layout.addWidget(self.view, 1)

    def refresh(self) -> None:
        def show(rows: list[Any]) -> None:
            self.model.set_rows(rows)
            self.status.setText(f"共 {len(rows)} 条" if rows else self._empty_text)
            fit_columns(self.view)

        self._load(self._query, show)


class SyncPage(Page):
    """Which office this laptop is enrolled with, what waits to go up, and 立即同步 with progress and cancel.

    The sync itself runs on the worker pool (see `inspector.ui.sync_page`), never on the database thread."""

    title = "同步"
    sync_finished = Signal(object)  # SyncReport, or the Exception that stopped the sync
    sync_progressed = Signal(str, int, int)
    AUTO_SYNC_MINUTES = 10  # while the app runs, try to sync this often (quietly when the office is not there)
    FIRST_AUTO_SYNC_SECONDS = 60  # the first try after start, once the inspector has the window up
    QUIET_FAILURES = frozenset({"unreachable", "network", "not_enrolled"})  # the next try will do
    automatic_enabled = True  # tests turn the timer off, so that no sync starts in the middle of one

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.http_factory: HttpFactory | None = None  # tests hand in an in-process office
        self.link: OfficeLink | None = None
        self.job: BackgroundJob | None = None
        self.enroll_dialog: EnrollDialog | None = None
        self._office_url = ""
        self._automatic = False  # the running sync was started by the timer, not by the inspector
        self.auto_timer = QTimer(self)
        self.auto_timer.timeout.connect(self.auto_sync)
        self.auto_timer.setInterval(self.AUTO_SYNC_MINUTES * 60_000)
        if self.automatic_enabled:
            self.auto_timer.start()
            QTimer.singleShot(self.FIRST_AUTO_SYNC_SECONDS * 1000, self, self.auto_sync)
        layout = QVBoxLayout(self)
        layout.addWidget(page_heading("与办公室同步"))
        self.office_label = QLabel()
        self.office_label.setWordWrap(True)
        self.office_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.office_label)
        buttons = QHBoxLayout()
        self.enroll_button = QPushButton("登记本机…")
        self.enroll_button.clicked.connect(self.open_enroll_dialog)
        self.sync_button = QPushButton("立即同步")
        self.sync_button.setDefault(True)
        self.sync_button.clicked.connect(self.start_sync)
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.enroll_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        progress_row = QHBoxLayout()
        self.stage_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.cancel_sync)
        progress_row.addWidget(self.stage_label)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        self.progress_box.hide()
        layout.addWidget(self.progress_box)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.hide()
        layout.addWidget(self.result_label)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("待上传的记录（按类别）"))
        self.model: RowTableModel[tuple[str, int]] = RowTableModel(
            [Column("类别", lambda r: table_text(r[0])), Column("记录数", lambda r: r[1])], self
        )
        self.view = make_table(self.model)
        layout.addWidget(self.view, 1)
        # 同步冲突: shown to supervisors, whose laptops receive the office's conflict log.
        self.conflicts_label = QLabel("同步冲突（两台终端离线修改了同一字段，办公室保留了较晚的修改）")
        layout.addWidget(self.conflicts_label)
        self.conflicts_model: RowTableModel[SyncConflict] = RowTableModel(
            [
                Column("发现时间", lambda c: display_text(c.detected_at)),
                Column("记录", lambda c: f"{table_text(c.table_name)}：{c.record_label}"),
                Column("字段", lambda c: field_text(c.field_name)),
                Column("保留的值", lambda c: value_text(c.kept_value)),
                Column("保留来源", lambda c: c.kept_by or c.kept_device[:8]),
                Column("被覆盖的值", lambda c: value_text(c.lost_value)),
                Column("被覆盖来源", lambda c: c.lost_by or c.lost_device[:8]),
            ],
            self,
        )
        self.conflicts_view = make_table(self.conflicts_model)
        layout.addWidget(self.conflicts_view, 1)

    @property
    def running(self) -> bool:
        return self.job is not None

    def refresh(self) -> None:
        blobs = self.store.blobs

        def load(session: Session) -> tuple[SyncStatus, OfficeLink | None, list[SyncConflict]]:
            return sync_status(session, blobs), office_link(session), recent_conflicts(session)

        def show(result: tuple[SyncStatus, OfficeLink | None, list[SyncConflict]]) -> None:
            status, link, conflicts = result
            self.link = link
            self._office_url = link.url if link else (status.office_url or "")
            if link is None:
                self.office_label.setText("本机尚未登记到办公室服务器。请点击“登记本机…”，输入管理员提供的登记码。")
            else:
                who = link.user_name or "（未知用户）"
                self.office_label.setText(
                    f"已登记到办公室：{link.url}\n"
                    f"登记用户：{who}（{role_text(link.role)}，县区代码 {link.county_code or '未知'}）"
                )
            lines = [
                f"本机编号：{self.store.device_id}",
                f"待同步记录：{status.pending_records} 条；待上传文件：{status.pending_files} 个"
                f"（其中照片 {status.pending_photos} 张），共 {status.pending_bytes / 1_048_576:.1f} MB",
                f"上次上传：{display_text(status.last_push_at) or '从未'}",
                f"上次下载：{display_text(status.last_pull_at) or '从未'}",
            ]
            if status.last_error and not self.result_label.isVisible():
                lines.append(f"上次错误：{status.last_error}")
            self.summary.setText("\n".join(lines))
            self.model.set_rows(sorted(status.pending_by_table.items()))
            show_conflicts = bool(conflicts) or (link is not None and link.role == "supervisor")
            self.conflicts_label.setVisible(show_conflicts)
            self.conflicts_view.setVisible(show_conflicts)
            self.conflicts_model.set_rows(conflicts)
            self.conflicts_view.resizeColumnsToContents()
            self._update_buttons()

        self._load(load, show)

    def _update_buttons(self) -> None:
        enrolling = self.enroll_dialog is not None and self.enroll_dialog.isVisible()
        self.sync_button.setEnabled(not self.running and not enrolling)
        self.enroll_button.setEnabled(not self.running and not enrolling)
        self.enroll_button.setText("重新登记本机…" if self.link is not None else "登记本机…")

    # ─── enrolment ───

    def open_enroll_dialog(self) -> EnrollDialog:
        dialog = EnrollDialog(self.store, http_factory=self.http_factory, url=self._office_url, parent=self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.enrolled.connect(self._enrolled)
        dialog.finished.connect(self._enroll_closed)
        self.enroll_dialog = dialog
        dialog.open()  # not exec(): the event loop (and the window's other work) keeps running
        self._update_buttons()
        return dialog

    def _enrolled(self, link: object) -> None:
        assert isinstance(link, OfficeLink)
        self.link = link
        self._show_result(f"本机已登记到 {link.url}（{link.user_name}）。现在可以同步。", error=False)
        self.refresh()

    def _enroll_closed(self, _result: int) -> None:
        if self.enroll_dialog is not None:
            self.enroll_dialog.deleteLater()
        self.enroll_dialog = None
        self._update_buttons()

    # ─── sync ───

    def auto_sync(self) -> None:
        """The timer's sync: in the background, and silent about an office that is simply out of reach."""
        enrolling = self.enroll_dialog is not None and self.enroll_dialog.isVisible()
        if self.running or enrolling or self.store.locked:
            return
        self.start_sync(automatic=True)

    def start_sync(self, *, automatic: bool = False) -> None:
        if self.running:
            return
        self._automatic = automatic
        store, factory = self.store, self.http_factory
        job = BackgroundJob(lambda progress, cancel: run_sync(store, factory, progress, cancel), self)
        job.progressed.connect(self._progressed)
        job.succeeded.connect(self._sync_done)
        job.failed.connect(self._sync_failed)
        self.job = job
        self.stage_label.setText("正在连接办公室…")
        self.progress.setRange(0, 0)  # busy until the first stage reports its size
        self.cancel_button.setEnabled(True)
        self.progress_box.show()
        self._update_buttons()
        job.start()

    def cancel_sync(self) -> None:
        if self.job is None:
            return
        self.job.cancel()
        self.cancel_button.setEnabled(False)
        self.stage_label.setText("正在取消…（当前一步完成后停止）")

    def _progressed(self, stage: str, done: int, total: int) -> None:
        if self.job is None:
            return
        if not self.job.cancelled:
            self.stage_label.setText(f"正在{stage_text(stage)}")
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            self.progress.setFormat(f"{stage_text(stage)} %v / %m")
        else:
            self.progress.setRange(0, 0)
        self.sync_progressed.emit(stage, done, total)

    def _sync_done(self, report: object) -> None:
        assert isinstance(report, SyncReport)
        when = display_text(clock.now())
        kind = "自动同步" if self._automatic else "同步"
        if report.cancelled:
            text = f"{kind}已取消（{when}）：{report.summary_zh()}"
        else:
            text = f"{kind}完成（{when}）：{report.summary_zh()}"
        self._finish(text, error=False, outcome=report)

    def _sync_failed(self, exc: object) -> None:
        message = user_message(exc) if isinstance(exc, Exception) else str(exc)
        if self._automatic and getattr(exc, "code", "") in self.QUIET_FAILURES:
            if getattr(exc, "code", "") == "not_enrolled":
                self._finish("", error=False, outcome=exc)
            else:
                when = f"{display_text(clock.now())}，{self.AUTO_SYNC_MINUTES}分钟后自动重试"
                self._finish(f"自动同步暂未完成（{when}）：{message}", error=False, outcome=exc)
            return
        self._finish(f"同步未完成（{display_text(clock.now())}）：{message}", error=True, outcome=exc)

    def _finish(self, text: str, *, error: bool, outcome: object) -> None:
        if self.job is not None:
            self.job.deleteLater()
        self.job = None
        self.progress_box.hide()
        if text:
            self._show_result(text, error=error)
        self._update_buttons()
        self.refresh()  # the pending counts after this run
        self.sync_finished.emit(outcome)

    def _show_result(self, text: str, *, error: bool) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(f"color: {OVERDUE_RED};" if error else "")
        self.result_label.show()
