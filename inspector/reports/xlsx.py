"""The monthly report as the spreadsheet a county sends up: one sheet per breakdown and period, A4 landscape.

Each table has a title row, a subtitle with the periods, three merged header rows (检查 | 隐患排查治理 |
执法措施 | 行政处罚 | 逢查必考, then their columns), one row per township (industry, inspector) and a 合计
row. Figures are written as values, not formulas, so the file reads the same in any program; the 说明
sheet states what each column counts.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from inspector.files import write_atomically
from inspector.reports.monthly import Figures, MonthlyReport, ReportRow

COUNT = "#,##0"
RATE = "0.0%"
MONEY = "#,##0.00"
FIRST_DATA_ROW = 6  # title, subtitle, three header rows
HEADER_ROWS = (3, 4, 5)

Value = int | float | Decimal | None


@dataclass(frozen=True)
class Column:
    """A figure column: its header path (one to three levels), how to read it, its format and width."""

    path: tuple[str, ...]
    value: Callable[[Figures], Value]
    number_format: str = COUNT
    width: float = 7.5


COLUMNS: tuple[Column, ...] = (
    Column(("检查", "检查次数"), lambda f: f.inspections),
    Column(("检查", "其中复查"), lambda f: f.review_inspections),
    Column(("检查", "检查企业（家）"), lambda f: f.enterprises),
    Column(("隐患排查治理", "发现隐患（条）", "合计"), lambda f: f.hazards),
    Column(("隐患排查治理", "发现隐患（条）", "一般"), lambda f: f.hazards_general),
    Column(("隐患排查治理", "发现隐患（条）", "重大"), lambda f: f.hazards_major),
    Column(("隐患排查治理", "已整改（条）"), lambda f: f.rectified),
    Column(("隐患排查治理", "逾期未整改（条）"), lambda f: f.overdue),
    Column(("隐患排查治理", "整改率"), lambda f: f.rectification_rate, RATE),
    Column(("隐患排查治理", "重大隐患（条）", "挂牌督办"), lambda f: f.major_supervised),
    Column(("隐患排查治理", "重大隐患（条）", "销号"), lambda f: f.major_closed),
    Column(("执法措施", "责令限期整改（份）"), lambda f: f.orders, width=9),
    Column(("执法措施", "现场处理措施（份）"), lambda f: f.on_site_measures, width=9),
    Column(("执法措施", "强制措施（份）"), lambda f: f.coercive_measures),
    Column(("执法措施", "责令停产停业（家）"), lambda f: f.suspended_enterprises, width=9),
    Column(("行政处罚", "次数"), lambda f: f.penalties),
    Column(("行政处罚", "其中对个人"), lambda f: f.penalties_on_persons),
    Column(("行政处罚", "罚款金额（元）"), lambda f: f.fines_yuan, MONEY, 12),
    Column(("逢查必考", "考试人次"), lambda f: f.quizzes),
    Column(("逢查必考", "合格人次"), lambda f: f.quizzes_passed),
    Column(("逢查必考", "合格率"), lambda f: f.pass_rate, RATE),
)

DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("统计期间", "本月为该月1日至月末；本年累计为1月1日至该月月末。日期按北京时间。"),
    ("截至日期", "整改、逾期、挂牌督办、销号情况按“截至日期”的状态统计：该月月末，或报表生成当日（如早于月末）。"),
    ("检查次数", "统计期间内到达现场（非草稿）的现场检查次数，含复查。"),
    ("其中复查", "检查方式为“复查”的现场检查次数。"),
    ("检查企业（家）", "上述检查涉及的生产经营单位家数，同一单位多次检查计一家。"),
    (
        "发现隐患（条）",
        "统计期间内各次检查记录的隐患条数，按一般隐患、重大事故隐患分列；隐患计入发现它的检查所在期间。",
    ),
    ("已整改（条）", "上述隐患中，截至日期已复查合格或已销号的条数（当场改正计为已整改）。"),
    ("逾期未整改（条）", "上述隐患中，整改期限早于截至日期且截至日期仍未整改的条数。"),
    ("整改率", "已整改条数 ÷ 发现隐患条数（同一批隐患）。未发现隐患的显示“—”。"),
    ("重大隐患·挂牌督办", "统计期间发现的重大事故隐患中，截至日期已挂牌督办的条数。"),
    ("重大隐患·销号", "统计期间发现的重大事故隐患中，截至日期已经现场复查合格销号的条数。"),
    (
        "执法措施（份）",
        "统计期间内签发（已出具或已送达，不含草稿和作废）的责令限期整改指令书、现场处理措施决定书、强制措施决定书份数。",
    ),
    ("责令停产停业（家）", "统计期间发现的隐患中，处理措施为“暂时停产停业”的生产经营单位家数。"),
    ("行政处罚", "统计期间内签发且未作废的行政处罚决定书（单位、个人）份数及罚款金额；一案双罚分别计数。"),
    ("逢查必考", "统计期间内开始且已评定合格或不合格的考试人次（中止的不计）；合格率 = 合格人次 ÷ 考试人次。"),
    ("按执法人员", "每次检查及其隐患、文书、考试计入参加该次检查的每一名执法人员，故各行之和大于全局合计。"),
)

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_BODY_FONT = Font(name="宋体", size=10)
_BOLD_FONT = Font(name="宋体", size=10, bold=True)
_TITLE_FONT = Font(name="黑体", size=16, bold=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")


def _cn(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _write_headers(ws: Any, labels: Sequence[tuple[str, float]]) -> None:
    """Three header rows: the label columns span all three; figure groups merge across and down."""
    top, bottom = HEADER_ROWS[0], HEADER_ROWS[-1]
    for n, (label, width) in enumerate(labels, start=1):
        ws.cell(row=top, column=n, value=label)
        ws.merge_cells(start_row=top, start_column=n, end_row=bottom, end_column=n)
        ws.column_dimensions[get_column_letter(n)].width = width
    first = len(labels) + 1
    for level, row in enumerate(HEADER_ROWS):
        n = 0
        while n < len(COLUMNS):
            path = COLUMNS[n].path
            if len(path) <= level:
                n += 1
                continue
            run = n + 1
            while run < len(COLUMNS) and COLUMNS[run].path[: level + 1] == path[: level + 1]:
                run += 1
            start, end = first + n, first + run - 1
            ws.cell(row=row, column=start, value=path[level])
            last_level = len(path) == level + 1
            if last_level and row < bottom:
                ws.merge_cells(start_row=row, start_column=start, end_row=bottom, end_column=end)
            elif end > start:
                ws.merge_cells(start_row=row, start_column=start, end_row=row, end_column=end)
            n = run
    for n, column in enumerate(COLUMNS):
        ws.column_dimensions[get_column_letter(first + n)].width = column.width
    for row in HEADER_ROWS:
        ws.row_dimensions[row].height = 30 if row > top else 20
        for n in range(1, first + len(COLUMNS)):
            cell = ws.cell(row=row, column=n)
            cell.font, cell.alignment, cell.border, cell.fill = _BOLD_FONT, _CENTER, _BORDER, _HEADER_FILL


def _write_row(ws: Any, row: int, labels: Sequence[str], figures: Figures, *, total: bool = False) -> None:
    for n, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=n, value=label)
        cell.alignment = _CENTER if total else _LEFT
    first = len(labels) + 1
    for n, column in enumerate(COLUMNS):
        value = column.value(figures)
        cell = ws.cell(row=row, column=first + n)
        if value is None:
            cell.value, cell.alignment = "—", _CENTER
        else:
            cell.value = float(value) if isinstance(value, Decimal) else value
            cell.number_format, cell.alignment = column.number_format, _RIGHT
    for n in range(1, first + len(COLUMNS)):
        cell = ws.cell(row=row, column=n)
        cell.border = _BORDER
        cell.font = _BOLD_FONT if total else _BODY_FONT
        if total:
            cell.fill = _TOTAL_FILL


def _page_setup(ws: Any, label_count: int) -> None:
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=label_count + 1).coordinate
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROWS[0]}:{HEADER_ROWS[-1]}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"


def _write_table(
    wb: Any,
    report: MonthlyReport,
    *,
    sheet: str,
    labels: Sequence[tuple[str, float]],
    rows: Sequence[ReportRow],
    year_to_date: bool,
    adds_up: bool,
) -> None:
    ws = wb.create_sheet(sheet)
    width = len(labels) + len(COLUMNS)
    ws.cell(row=1, column=1, value=report.title).font = _TITLE_FONT
    ws.cell(row=1, column=1).alignment = _CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 30
    if year_to_date:
        period = f"本年累计：{_cn(report.year_start)}至{_cn(report.period_end)}"
    else:
        period = f"本月：{_cn(report.period_start)}至{_cn(report.period_end)}"
    county = f"    行政区划代码：{report.county_code}" if report.county_code else ""
    subtitle = f"{sheet.split('（', maxsplit=1)[0]}    {period}    整改情况截至{_cn(report.as_of)}{county}"
    ws.cell(row=2, column=1, value=subtitle).font = _BODY_FONT
    ws.cell(row=2, column=1).alignment = _LEFT
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    _write_headers(ws, labels)

    def figures_of(r: ReportRow) -> Figures:
        return r.year_to_date if year_to_date else r.month

    row = FIRST_DATA_ROW
    for r in rows:
        texts = [r.label, r.detail][: len(labels)]
        _write_row(ws, row, texts, figures_of(r))
        row += 1
    total_label = "合计" if adds_up else "全局合计（不重复计）"
    _write_row(ws, row, [total_label, ""][: len(labels)], figures_of(report.totals), total=True)
    if len(labels) > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(labels))
    row += 1
    if not adds_up:
        note = "注：每次检查及其隐患、文书、考试计入参加检查的每一名执法人员，各行之和大于全局合计。"
        ws.cell(row=row, column=1, value=note).font = _BODY_FONT
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        row += 1
    row += 1
    footer = (
        f"填报单位：{report.agency_name}（盖章）        填表人：              审核人：              "
        f"填报日期：    年  月  日        统计口径见“说明”工作表。"
    )
    ws.cell(row=row, column=1, value=footer).font = _BODY_FONT
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    _page_setup(ws, len(labels))


def _write_definitions(wb: Any, report: MonthlyReport) -> None:
    ws = wb.create_sheet("说明")
    ws.cell(row=1, column=1, value=f"{report.title}统计口径").font = Font(name="黑体", size=14, bold=True)
    ws.merge_cells("A1:B1")
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 100
    for n, (term, text) in enumerate(DEFINITIONS, start=3):
        ws.cell(row=n, column=1, value=term).font = _BOLD_FONT
        ws.cell(row=n, column=2, value=text).font = _BODY_FONT
        for c in (1, 2):
            ws.cell(row=n, column=c).alignment = _LEFT
            ws.cell(row=n, column=c).border = _BORDER
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def workbook(report: MonthlyReport) -> Any:
    """The report as an openpyxl Workbook (sheets: township, industry, inspector × 本月, 本年累计; 说明)."""
    wb = Workbook()
    wb.remove(wb.active)
    tables = (
        ("按乡镇", (("乡镇", 14.0),), report.by_township, True),
        ("按行业", (("行业领域", 14.0),), report.by_industry, True),
        ("按执法人员", (("执法人员", 10.0), ("执法证号", 13.0)), report.by_inspector, False),
    )
    for name, labels, rows, adds_up in tables:
        for year_to_date in (False, True):
            sheet = f"{name}（{'本年累计' if year_to_date else '本月'}）"
            _write_table(wb, report, sheet=sheet, labels=labels, rows=rows, year_to_date=year_to_date, adds_up=adds_up)
    _write_definitions(wb, report)
    wb.properties.title = report.title
    wb.properties.creator = report.agency_name
    return wb


def xlsx_bytes(report: MonthlyReport) -> bytes:
    buffer = io.BytesIO()
    workbook(report).save(buffer)
    return buffer.getvalue()


def write_xlsx(report: MonthlyReport, path: Path) -> int:
    """Write the report to `path` whole or not at all; returns the size in bytes."""
    data = xlsx_bytes(report)
    write_atomically(Path(path), data)
    return len(data)
