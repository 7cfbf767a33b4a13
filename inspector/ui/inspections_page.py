"""现场检查 page: the filtered list of inspections, and the working screen of one inspection."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from inspector.checklists.service import current_template_for_industry, list_templates
from inspector.domain.enums import Industry, InspectionMode, InspectionStatus
from inspector.inspections.findings import start_review_inspection
from inspector.inspections.queries import (
    COUNT_CAP,
    InspectionFilter,
    InspectionRow,
    count_inspections,
    inspection_detail,
    list_inspections,
    task_assignment,
)
from inspector.inspections.service import OnSitePerson, start_inspection, update_site_details
from inspector.registry.service import active_inspectors, search_enterprises
from inspector.store.db import Store
from inspector.ui.dialogs import Choice, StartInspectionDialog, StartRequest
from inspector.ui.inspection_view import InspectionView
from inspector.ui.ops import run_op, run_write, user_message
from inspector.ui.pages import Page, fit_columns, make_table, page_heading
from inspector.ui.table_model import Column, RowTableModel

PAGE_SIZE = 200
# A page of rows, the total count, and (on the first load) the inspectors and enterprises to filter by.
_Loaded = tuple[list[InspectionRow], int, list[tuple[str, str]], list[tuple[str, str]]]


def _columns() -> list[Column[InspectionRow]]:
    return [
        Column("被检查单位", lambda r: r.enterprise_name),
        Column("行业领域", lambda r: r.industry),
        Column("检查方式", lambda r: r.mode),
        Column("状态", lambda r: r.status),
        Column("开始时间", lambda r: r.started_at),
        Column("执法人员", lambda r: r.inspectors),
        Column("隐患", lambda r: r.finding_count),
        Column("重大", lambda r: r.major_count, colour=lambda r: "#b71c1c" if r.major_count else None),
        Column("检查场所", lambda r: r.place),
    ]


def _to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class StartData:
    """Everything the start dialog offers, loaded in one go off the GUI thread."""

    def __init__(self, session: Session, task_id: str | None) -> None:
        self.enterprises = [Choice(r.id, r.name, r.industry) for r in search_enterprises(session)]
        self.inspectors = [Choice(i.id, i.name, i.cert_no) for i in active_inspectors(session)]
        templates = list_templates(session)
        self.templates = [
            Choice(t.id, f"{t.title}（第{t.revision}版，{t.item_count}项）", t.industry) for t in templates
        ]
        self.defaults: dict[str, str] = {}
        for industry in Industry:
            template = current_template_for_industry(session, industry.value)
            if template is not None:
                self.defaults[industry.value] = template.id
        self.task = task_assignment(session, task_id) if task_id else None


class InspectionsPage(Page):
    title = "现场检查"
    opened = Signal(str)  # an inspection was opened in the working screen

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack)

        self.list_widget = QWidget()
        lay = QVBoxLayout(self.list_widget)
        head = QHBoxLayout()
        head.addWidget(page_heading("现场检查"), 1)
        self.new_button = QPushButton("开始新检查 (Ctrl+N)")
        self.new_button.setObjectName("primary")
        self.new_button.setShortcut("Ctrl+N")
        self.new_button.clicked.connect(self._new_clicked)
        self.review_button = QPushButton("对所选检查发起复查")
        self.review_button.clicked.connect(self.start_review_of_selected)
        head.addWidget(self.review_button)
        head.addWidget(self.new_button)
        lay.addLayout(head)

        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索单位、信用代码、场所、隐患描述…")
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.addItem("全部状态", None)
        for s in InspectionStatus:
            self.status_filter.addItem(s.value, s)
        self.industry_filter = QComboBox()
        self.industry_filter.addItem("全部行业", None)
        for i in Industry:
            self.industry_filter.addItem(i.value, i)
        self.inspector_filter = QComboBox()
        self.inspector_filter.addItem("全部执法人员", None)
        self.enterprise_filter = QComboBox()
        self.enterprise_filter.addItem("全部单位", None)
        self.enterprise_filter.setMaximumWidth(220)
        self.use_dates = QCheckBox("日期")
        self.date_from = QDateEdit(QDate.currentDate().addMonths(-3))
        self.date_to = QDateEdit(QDate.currentDate())
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        bar.addWidget(self.search, 3)
        filters = (self.status_filter, self.industry_filter, self.enterprise_filter, self.inspector_filter)
        for widget in (*filters, self.use_dates, self.date_from):
            bar.addWidget(widget)
        bar.addWidget(QLabel("至"))
        bar.addWidget(self.date_to)
        lay.addLayout(bar)
        self.count_label = QLabel()
        self.count_label.setObjectName("subtle")
        lay.addWidget(self.count_label)
        self.model: RowTableModel[InspectionRow] = RowTableModel(_columns(), self)
        self.view = make_table(self.model, sortable=False)
        self.view.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.view.activated.connect(lambda index: self.open_row(index.row()))
        lay.addWidget(self.view, 1)
        self.stack.addWidget(self.list_widget)

        self.inspection = InspectionView(store)
        self.inspection.closed.connect(self.show_list)
        self.stack.addWidget(self.inspection)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._debounce.start)
        for combo in filters:
            combo.currentIndexChanged.connect(self.refresh)
        self.use_dates.toggled.connect(self.refresh)
        self.date_from.dateChanged.connect(self._debounce.start)
        self.date_to.dateChanged.connect(self._debounce.start)
        self._inspectors_loaded = False

    # ─── list ─────────────────────────────────────────────────────────────────────────────────────

    def current_filter(self) -> InspectionFilter:
        date_from: date | None = None
        date_to: date | None = None
        if self.use_dates.isChecked():
            date_from, date_to = _to_date(self.date_from.date()), _to_date(self.date_to.date())
        return InspectionFilter(
            text=self.search.text(),
            # Qt hands a StrEnum back as a plain str: turn it into the enum again.
            status=InspectionStatus(status) if (status := self.status_filter.currentData()) else None,
            industry=Industry(industry) if (industry := self.industry_filter.currentData()) else None,
            inspector_id=self.inspector_filter.currentData(),
            enterprise_id=self.enterprise_filter.currentData(),
            date_from=date_from,
            date_to=date_to,
        )

    def refresh(self) -> None:
        if self.stack.currentWidget() is self.inspection:
            self.inspection.reload()
            self.refreshed.emit()
            return
        f = self.current_filter()
        load_inspectors = not self._inspectors_loaded

        def load(session: Session) -> _Loaded:
            people = [(i.id, i.name) for i in active_inspectors(session)] if load_inspectors else []
            names = [(e.id, e.name) for e in search_enterprises(session)] if load_inspectors else []
            return list_inspections(session, f, limit=PAGE_SIZE), count_inspections(session, f), people, names

        def show(result: _Loaded) -> None:
            rows, total, people, names = result
            if people or names:
                for combo, choices in ((self.inspector_filter, people), (self.enterprise_filter, names)):
                    combo.blockSignals(True)
                    for value, label in choices:
                        combo.addItem(label, value)
                    combo.blockSignals(False)
                self._inspectors_loaded = True
            self.model.set_rows(rows)
            shown = f"（显示最近 {len(rows)} 条）" if total > len(rows) else ""
            amount = f"{COUNT_CAP} 次以上" if total > COUNT_CAP else f"{total} 次"
            self.count_label.setText(f"共 {amount}检查{shown}" if total else "没有符合条件的现场检查。")
            fit_columns(self.view)

        self._load(load, show)

    def selected_row(self) -> InspectionRow | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def open_row(self, row: int) -> None:
        self.open_inspection(self.model.row_at(row).id)

    def open_inspection(self, inspection_id: str) -> None:
        self.stack.setCurrentWidget(self.inspection)
        self.inspection.open(inspection_id)
        self.inspection.items.setFocus()
        self.opened.emit(inspection_id)

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_widget)
        self.refresh()

    # ─── starting ─────────────────────────────────────────────────────────────────────────────────

    def _new_clicked(self) -> None:
        self.start_new()

    def start_new(self, task_id: str | None = None) -> None:
        run_op(
            self.store,
            lambda s: StartData(s, task_id),
            on_done=lambda data: self._ask_start(data, task_id=task_id),
            on_error=self._fail,
        )

    def start_review_of_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            QMessageBox.information(self, "复查", "请先在列表中选择要复查的那次检查。")
            return
        if row.finding_count == 0:
            QMessageBox.information(self, "复查", "该次检查没有发现隐患，无需复查。")
            return
        self.start_review(row.id)

    def start_review(self, inspection_id: str) -> None:
        """Ask for the 复查's inspectors and details, then start it on the earlier inspection's findings."""

        def load(session: Session) -> tuple[StartData, str]:
            return StartData(session, None), inspection_detail(session, inspection_id).enterprise_id

        run_op(
            self.store,
            load,
            on_done=lambda r: self._ask_start(r[0], review_of=inspection_id, enterprise_id=r[1]),
            on_error=self._fail,
        )

    def make_dialog(
        self,
        data: StartData,
        *,
        task_id: str | None = None,
        review_of: str | None = None,
        enterprise_id: str | None = None,
    ) -> StartInspectionDialog:
        task = data.task
        default_mode = InspectionMode.REVIEW if review_of else InspectionMode.UNANNOUNCED
        return StartInspectionDialog(
            enterprises=data.enterprises,
            inspectors=data.inspectors,
            templates=data.templates,
            default_template_by_industry=data.defaults,
            preset_enterprise_id=task.enterprise_id if task else enterprise_id,
            preset_mode=InspectionMode(task.mode) if task else default_mode,
            preset_inspector_ids=task.inspector_ids if task else None,
            preset_purpose=task.purpose if task else "",
            task_id=task_id,
            review_of_inspection_id=review_of,
            parent=self,
        )

    def _ask_start(
        self,
        data: StartData,
        *,
        task_id: str | None = None,
        review_of: str | None = None,
        enterprise_id: str | None = None,
    ) -> None:
        dialog = self.make_dialog(data, task_id=task_id, review_of=review_of, enterprise_id=enterprise_id)
        if dialog.exec():
            self.create_from(dialog.request())

    def create_from(self, request: StartRequest) -> None:
        """Start the inspection the dialog describes and open it."""

        def create(session: Session) -> str:
            person = OnSitePerson(request.person_name, request.person_post, request.person_phone)
            if request.review_of_inspection_id:
                inspection = start_review_inspection(
                    session,
                    of_inspection_id=request.review_of_inspection_id,
                    inspector_ids=request.inspector_ids,
                    started_at=request.started_at,
                    on_site_person=person,
                )
            else:
                inspection = start_inspection(
                    session,
                    enterprise_id=request.enterprise_id,
                    inspector_ids=request.inspector_ids,
                    mode=request.mode,
                    started_at=request.started_at,
                    place=request.place,
                    purpose=request.purpose,
                    task_id=request.task_id,
                    on_site_person=person,
                    checklist_template_id=request.template_id,
                )
            inspection.no_advance_notice, inspection.no_escort, inspection.straight_to_site = request.unannounced_facts
            session.add(inspection)
            update_site_details(
                session,
                inspection_id=inspection.id,
                witness=request.witness,
                experts=request.experts,
                place=request.place or None,
                latitude=request.latitude,
                longitude=request.longitude,
            )
            return inspection.id

        run_write(self.store, create, on_done=self.open_inspection, on_error=self._fail)

    def _fail(self, exc: Exception) -> None:
        QMessageBox.warning(self, "无法开始检查", user_message(exc))
        self.failed.emit(user_message(exc))
