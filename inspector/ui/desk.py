"""监管台: the supervisor's desk — 执法统计 with charts and the monthly workbook, and 一企一档.

Every figure comes from `inspector.reports`; this module only lays them out. Loads run on the database
thread through `Page._load`, so the window stays usable while a year of figures is computed.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMarginsF, Qt, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session, col, select

from inspector import clock
from inspector.reports.enterprise import EnterpriseFile, FileDocument, FileFinding, FileInspection, FileQuiz
from inspector.reports.enterprise import enterprise_file as load_enterprise_file
from inspector.reports.monthly import Figures, MonthlyReport, ReportRow, monthly_report
from inspector.store.db import Store
from inspector.store.models import Enterprise
from inspector.ui.ops import run_op, user_message

if TYPE_CHECKING:
    from inspector.ui.desk_work import Officer
from inspector.ui.pages import Page, make_table, page_heading
from inspector.ui.table_model import Column, RowTableModel, display_text

GROUPS = {"按乡镇": "by_township", "按行业": "by_industry", "按执法人员": "by_inspector"}
MONTHS_OFFERED = 24


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def yuan(figures: Figures) -> str:
    return f"{figures.fines_yuan:,.2f}"


def figure_columns(label: str) -> list[Column[ReportRow]]:
    """The month's figures of a report row, as the monthly report lays them out."""

    def m(row: ReportRow) -> Figures:
        return row.month

    return [
        Column(label, lambda r: r.label),
        Column("检查(次)", lambda r: m(r).inspections),
        Column("企业(家)", lambda r: m(r).enterprises),
        Column("一般隐患", lambda r: m(r).hazards_general),
        Column("重大隐患", lambda r: m(r).hazards_major),
        Column("已整改", lambda r: m(r).rectified),
        Column("逾期未改", lambda r: m(r).overdue),
        Column("整改率", lambda r: percent(m(r).rectification_rate)),
        Column("挂牌督办", lambda r: m(r).major_supervised),
        Column("责令整改", lambda r: m(r).orders),
        Column("现场处理", lambda r: m(r).on_site_measures),
        Column("处罚(次)", lambda r: m(r).penalties),
        Column("罚款(元)", lambda r: yuan(m(r))),
        Column("考试(人次)", lambda r: m(r).quizzes),
        Column("合格率", lambda r: percent(m(r).pass_rate)),
        Column("本年检查", lambda r: r.year_to_date.inspections),
        Column("本年隐患", lambda r: r.year_to_date.hazards),
        Column("本年整改率", lambda r: percent(r.year_to_date.rectification_rate)),
    ]


def months_back(today: date, count: int) -> list[tuple[int, int]]:
    year, month = today.year, today.month
    out: list[tuple[int, int]] = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


@dataclass(frozen=True)
class StatsData:
    report: MonthlyReport
    by_month: tuple[tuple[int, Figures], ...]  # the year's months up to the chosen one: (month, figures)


def load_stats(session: Session, year: int, month: int) -> StatsData:
    report = monthly_report(session, (year, month))
    by_month = [(m, monthly_report(session, (year, m)).totals.month) for m in range(1, month)]
    by_month.append((month, report.totals.month))
    return StatsData(report, tuple(by_month))


def bar_chart(title: str, categories: list[str], sets: list[tuple[str, list[int]]], *, horizontal: bool) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    series = QHorizontalBarSeries() if horizontal else QBarSeries()
    top = 0
    for name, values in sets:
        bar = QBarSet(name)
        bar.append([float(v) for v in values])
        series.append(bar)
        top = max([top, *values])
    chart.addSeries(series)
    category_axis = QBarCategoryAxis()
    category_axis.append(categories)
    category_axis.setTruncateLabels(False)  # industry names are short; "…" would hide them all
    value_axis = QValueAxis()
    value_axis.setRange(0, max(1, top) * 1.1)
    value_axis.applyNiceNumbers()
    value_axis.setLabelFormat("%d")
    chart.addAxis(category_axis, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(category_axis)
    series.attachAxis(value_axis)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(QMarginsF(4, 4, 4, 4).toMargins())
    return chart


class StatsTab(Page):
    """执法统计: the month's figures by township, industry or inspector, two charts, and the workbook."""

    title = "执法统计"
    exported = Signal(str)  # the path written

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.data: StatsData | None = None
        layout = QVBoxLayout(self)
        controls = QHBoxLayout()
        self.month_box = QComboBox()
        for year, month in months_back(clock.local_today(), MONTHS_OFFERED):
            self.month_box.addItem(f"{year}年{month}月", (year, month))
        self.group_box = QComboBox()
        self.group_box.addItems(list(GROUPS))
        self.export_button = QPushButton("导出月报（Excel）…")
        controls.addWidget(QLabel("月份"))
        controls.addWidget(self.month_box)
        controls.addWidget(QLabel("分组"))
        controls.addWidget(self.group_box)
        controls.addStretch(1)
        controls.addWidget(self.export_button)
        layout.addLayout(controls)
        self.summary = QLabel("正在计算…")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.model: RowTableModel[ReportRow] = RowTableModel(figure_columns("乡镇"), self)
        self.view = make_table(self.model)
        splitter.addWidget(self.view)
        charts = QSplitter(Qt.Orientation.Horizontal)
        self.trend_view = QChartView()
        self.trend_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.industry_view = QChartView()
        self.industry_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        charts.addWidget(self.trend_view)
        charts.addWidget(self.industry_view)
        splitter.addWidget(charts)
        splitter.setSizes([320, 300])
        layout.addWidget(splitter, 1)
        self.month_box.currentIndexChanged.connect(lambda _n: self.refresh())
        self.group_box.currentIndexChanged.connect(lambda _n: self._show_rows())
        self.export_button.clicked.connect(self.choose_export)

    @property
    def month(self) -> tuple[int, int]:
        year, month = self.month_box.currentData()
        return int(year), int(month)

    def refresh(self) -> None:
        year, month = self.month
        self.summary.setText(f"正在计算{year}年{month}月的统计…")
        self._load(lambda session: load_stats(session, year, month), self._show)

    def _show(self, data: StatsData) -> None:
        self.data = data
        report, t = data.report, data.report.totals.month
        y = data.report.totals.year_to_date
        self.summary.setText(
            f"{report.title}（统计至 {report.as_of.isoformat()}）\n"
            f"本月：检查 {t.inspections} 次（复查 {t.review_inspections}），企业 {t.enterprises} 家；"
            f"隐患 {t.hazards} 项（一般 {t.hazards_general}，重大 {t.hazards_major}），已整改 {t.rectified}，"
            f"逾期 {t.overdue}，整改率 {percent(t.rectification_rate)}；处罚 {t.penalties} 次，罚款 {yuan(t)} 元；"
            f"逢查必考 {t.quizzes} 人次，合格率 {percent(t.pass_rate)}。\n"
            f"本年累计：检查 {y.inspections} 次，隐患 {y.hazards} 项，整改率 {percent(y.rectification_rate)}，"
            f"罚款 {yuan(y)} 元。"
        )
        self._show_rows()
        months = [f"{m}月" for m, _ in data.by_month]
        self.trend_view.setChart(
            bar_chart(
                f"{report.year}年各月检查与隐患",
                months,
                [
                    ("检查(次)", [f.inspections for _, f in data.by_month]),
                    ("隐患(项)", [f.hazards for _, f in data.by_month]),
                    ("重大隐患", [f.hazards_major for _, f in data.by_month]),
                ],
                horizontal=False,
            )
        )
        industries = [r for r in report.by_industry if r.month.inspections or r.month.hazards]
        self.industry_view.setChart(
            bar_chart(
                f"{report.month}月各行业隐患",
                [r.label for r in industries] or ["（无）"],
                [
                    ("一般隐患", [r.month.hazards_general for r in industries] or [0]),
                    ("重大隐患", [r.month.hazards_major for r in industries] or [0]),
                ],
                horizontal=True,
            )
        )

    def _show_rows(self) -> None:
        if self.data is None:
            return
        group = self.group_box.currentText()
        rows: tuple[ReportRow, ...] = getattr(self.data.report, GROUPS[group])
        label = group.removeprefix("按")
        self.model.set_columns(figure_columns(label))
        self.model.set_rows([*rows, self.data.report.totals])
        self.view.resizeColumnsToContents()

    def choose_export(self) -> None:
        year, month = self.month
        path, _filter = QFileDialog.getSaveFileName(
            self, "导出执法统计月报", f"执法统计月报-{year}年{month:02d}月.xlsx", "Excel 工作簿 (*.xlsx)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        year, month = self.month
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")

        def write(session: Session) -> str:
            from inspector.reports.xlsx import write_xlsx  # openpyxl: ≈ 0.2 s of import, kept off start-up

            write_xlsx(monthly_report(session, (year, month)), path)
            return str(path)

        def done(written: str) -> None:
            self.summary.setText(f"月报已导出：{written}\n" + self.summary.text().split("\n", 1)[-1])
            self.exported.emit(written)

        run_op(self.store, write, on_done=done, on_error=lambda exc: self.failed.emit(user_message(exc)))


# ─── 一企一档 ─────────────────────────────────────────────────────────────────────────────────────────


def finding_status(finding: FileFinding) -> str:
    return finding.status + ("（逾期）" if finding.overdue else "")


def enterprise_file_html(f: EnterpriseFile) -> str:
    """The enterprise file as a printable page (tables with borders, 宋体-like serif left to the printer)."""

    def table(title: str, headers: list[str], rows: list[list[object]]) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
        body = (
            "".join("<tr>" + "".join(f"<td>{html.escape(display_text(v))}</td>" for v in row) + "</tr>" for row in rows)
            or f"<tr><td colspan='{len(headers)}'>（无）</td></tr>"
        )
        frame = "border='1' cellspacing='0' cellpadding='3' width='100%'"
        return f"<h3>{html.escape(title)}（{len(rows)}）</h3><table {frame}><tr>{head}</tr>{body}</table>"

    key = "是" if f.is_key else "否"
    facts = (
        f"统一社会信用代码：{f.credit_code}　行业：{f.industry}　乡镇：{f.township or '—'}<br>"
        f"地址：{f.address or '—'}　法定代表人：{f.legal_representative or '—'}　"
        f"风险等级：{f.risk_level or '—'}　重点监管：{key}"
    )
    return (
        f"<h2>一企一档：{html.escape(f.name)}</h2><p>{facts}</p>"
        + table(
            "检查记录",
            ["检查时间", "方式", "状态", "执法人员", "隐患", "重大"],
            [[i.started_at, i.mode, i.status, i.inspectors, i.findings, i.major_findings] for i in f.inspections],
        )
        + table(
            "未整改隐患",
            ["发现时间", "隐患", "等级", "措施", "期限", "状态"],
            [[x.found_at, x.description, x.grade, x.measure, x.deadline, finding_status(x)] for x in f.open_findings],
        )
        + table(
            "执法文书",
            ["文书", "文号", "状态", "出具时间"],
            [[d.kind, d.number_text, d.status, d.issued_at] for d in f.documents],
        )
        + table(
            "行政处罚",
            ["文书", "文号", "出具时间", "罚款(元)"],
            [[d.kind, d.number_text, d.issued_at, d.fine_yuan] for d in f.penalties],
        )
        + table(
            "逢查必考",
            ["时间", "姓名", "岗位", "得分", "结果"],
            [[q.started_at, q.person_name, q.person_post, q.score, q.status] for q in f.quizzes],
        )
        + f"<p>打印时间：{display_text(clock.now())}</p>"
    )


class EnterpriseFileTab(Page):
    """一企一档: everything known of one enterprise on one screen, printable."""

    title = "一企一档"

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.current: EnterpriseFile | None = None
        self._wanted: str | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.enterprise_box = QComboBox()
        self.enterprise_box.setEditable(True)
        self.enterprise_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.enterprise_box.setMinimumWidth(380)
        self.print_button = QPushButton("打印…")
        self.pdf_button = QPushButton("导出 PDF…")
        top.addWidget(QLabel("企业"))
        top.addWidget(self.enterprise_box, 1)
        top.addWidget(self.print_button)
        top.addWidget(self.pdf_button)
        layout.addLayout(top)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.facts)
        self.sections = QTabWidget()
        self.inspections_model: RowTableModel[FileInspection] = RowTableModel(
            [
                Column("检查时间", lambda i: i.started_at),
                Column("方式", lambda i: i.mode),
                Column("状态", lambda i: i.status),
                Column("执法人员", lambda i: i.inspectors),
                Column("隐患", lambda i: i.findings),
                Column("重大隐患", lambda i: i.major_findings),
            ],
            self,
        )
        self.findings_model: RowTableModel[FileFinding] = RowTableModel(
            [
                Column("发现时间", lambda x: x.found_at),
                Column("隐患", lambda x: x.description),
                Column("等级", lambda x: x.grade),
                Column("措施", lambda x: x.measure),
                Column("整改期限", lambda x: x.deadline),
                Column("状态", finding_status),
                Column("挂牌督办", lambda x: x.supervised_by),
            ],
            self,
        )
        self.documents_model: RowTableModel[FileDocument] = RowTableModel(
            [
                Column("文书", lambda d: d.kind),
                Column("文号", lambda d: d.number_text),
                Column("状态", lambda d: d.status),
                Column("出具时间", lambda d: d.issued_at),
                Column("罚款(元)", lambda d: "" if d.fine_yuan is None else f"{d.fine_yuan:,.2f}"),
            ],
            self,
        )
        self.quizzes_model: RowTableModel[FileQuiz] = RowTableModel(
            [
                Column("时间", lambda q: q.started_at),
                Column("姓名", lambda q: q.person_name),
                Column("岗位", lambda q: q.person_post),
                Column("得分", lambda q: "" if q.score is None else f"{q.score:g}"),
                Column("结果", lambda q: q.status),
            ],
            self,
        )
        self.section_views = []
        for name, model in (
            ("检查记录", self.inspections_model),
            ("未整改隐患", self.findings_model),
            ("执法文书与处罚", self.documents_model),
            ("逢查必考", self.quizzes_model),
        ):
            view = make_table(model)
            self.section_views.append(view)
            self.sections.addTab(view, name)
        layout.addWidget(self.sections, 1)
        self.enterprise_box.activated.connect(lambda _n: self._open_selected())
        self.print_button.clicked.connect(self.print_file)
        self.pdf_button.clicked.connect(self.choose_pdf)

    def refresh(self) -> None:
        def names(session: Session) -> list[tuple[str, str]]:
            rows = session.exec(select(Enterprise.id, Enterprise.name).order_by(col(Enterprise.name)))
            return [(str(i), str(n)) for i, n in rows]

        self._load(names, self._show_names)

    def _show_names(self, names: list[tuple[str, str]]) -> None:
        chosen = self._wanted or (self.current.id if self.current else None)
        self.enterprise_box.blockSignals(True)
        self.enterprise_box.clear()
        for record_id, name in names:
            self.enterprise_box.addItem(name, record_id)
        self.enterprise_box.blockSignals(False)
        if chosen is not None:
            index = self.enterprise_box.findData(chosen)
            if index >= 0:
                self.enterprise_box.setCurrentIndex(index)
        self._open_selected()

    def open_enterprise(self, enterprise_id: str) -> None:
        self._wanted = enterprise_id
        index = self.enterprise_box.findData(enterprise_id)
        if index >= 0:
            self.enterprise_box.setCurrentIndex(index)
            self._open_selected()
        else:
            self.refresh()

    def _open_selected(self) -> None:
        record_id = self.enterprise_box.currentData()
        if not record_id:
            return
        self._wanted = None
        self._load(lambda session: load_enterprise_file(session, str(record_id)), self._show_file)

    def _show_file(self, f: EnterpriseFile) -> None:
        self.current = f
        key = "（重点监管）" if f.is_key else ""
        self.facts.setText(
            f"{f.name}{key}　统一社会信用代码 {f.credit_code}　{f.industry}　{f.township or '—'}\n"
            f"地址：{f.address or '—'}　法定代表人：{f.legal_representative or '—'}　风险等级：{f.risk_level or '—'}\n"
            f"检查 {len(f.inspections)} 次，未整改隐患 {len(f.open_findings)} 项，文书 {len(f.documents)} 份，"
            f"行政处罚 {len(f.penalties)} 次，考试 {len(f.quizzes)} 人次"
        )
        self.inspections_model.set_rows(list(f.inspections))
        self.findings_model.set_rows(list(f.open_findings))
        self.documents_model.set_rows([*f.documents])
        self.quizzes_model.set_rows(list(f.quizzes))
        for view in self.section_views:
            view.resizeColumnsToContents()

    def _document(self) -> QTextDocument | None:
        if self.current is None:
            return None
        doc = QTextDocument()
        doc.setHtml(enterprise_file_html(self.current))
        return doc

    def _printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        return printer

    def print_file(self) -> None:
        doc = self._document()
        if doc is None:
            return
        printer = self._printer()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            doc.print_(printer)

    def choose_pdf(self) -> None:
        if self.current is None:
            return
        suggested = f"一企一档-{self.current.name}.pdf"
        path, _filter = QFileDialog.getSaveFileName(self, "导出一企一档", suggested, "PDF (*.pdf)")
        if path:
            self.write_pdf(Path(path))

    def write_pdf(self, path: Path) -> None:
        doc = self._document()
        if doc is None:
            return
        printer = self._printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        doc.print_(printer)


class DeskPage(Page):
    """监管台: the supervisor's tabs. A tab loads when it is shown."""

    title = "监管台"

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        from inspector.ui.desk_work import ComplaintTab, PlanTab, ReviewTab

        super().__init__(store, parent)
        self.officers: list[Officer] = []
        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        header.addWidget(page_heading("监管台"))
        header.addStretch(1)
        header.addWidget(QLabel("当前管理人员"))
        self.officer_box = QComboBox()
        self.officer_box.setMinimumWidth(220)
        header.addWidget(self.officer_box)
        layout.addLayout(header)
        self.tabs = QTabWidget()
        self.stats = StatsTab(store)
        self.review = ReviewTab(store, self.current_officer)
        self.plan = PlanTab(store, self.current_officer)
        self.complaints = ComplaintTab(store, self.current_officer)
        self.enterprise_file = EnterpriseFileTab(store)
        self.tab_pages: list[Page] = [self.stats, self.review, self.plan, self.complaints, self.enterprise_file]
        for tab in self.tab_pages:
            self.tabs.addTab(tab, tab.title)
            tab.refreshed.connect(self.refreshed)
            tab.failed.connect(self.failed)
        self.tabs.currentChanged.connect(lambda _n: self.refresh())
        layout.addWidget(self.tabs, 1)

    def current_officer(self) -> Officer | None:
        officer_id = self.officer_box.currentData()
        return next((o for o in self.officers if o.id == officer_id), None)

    def refresh(self) -> None:
        from inspector.ui.desk_work import load_officers

        current = self.tabs.currentWidget()
        if not self.officers:
            run_op(self.store, load_officers, on_done=self._show_officers)
        if isinstance(current, Page):
            current.refresh()

    def _show_officers(self, officers: list[Officer]) -> None:
        self.officers = officers
        self.officer_box.clear()
        for officer in officers:
            if officer.supervisor:
                self.officer_box.addItem(officer.label, officer.id)

    def show_tab(self, title: str) -> Page:
        for n, tab in enumerate(self.tab_pages):
            if tab.title == title:
                self.tabs.setCurrentIndex(n)
                return tab
        raise KeyError(title)
