"""The spreadsheet: merged headers, one row per township and a 合计 row that is the sum and the report's figures."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from inspector.errors import InspectorError
from inspector.reports.monthly import Figures, MonthlyReport, monthly_report
from inspector.reports.xlsx import COLUMNS, FIRST_DATA_ROW, write_xlsx
from inspector.store.db import Store
from tests.reports.conftest import TODAY, County


@pytest.fixture
def report(store: Store, county: County) -> MonthlyReport:
    with store.session() as session:
        return monthly_report(session, (2025, 3), today=TODAY)


def _expected(figures: Figures) -> list[object]:
    values = []
    for column in COLUMNS:
        value = column.value(figures)
        values.append("—" if value is None else float(value))
    return values


def _table(ws: object, labels: int) -> list[tuple[object, ...]]:
    """The data rows and the total row (the last row with a value in its last figure column)."""
    rows = []
    for row in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True):
        if row[labels + len(COLUMNS) - 1] is None:
            break
        rows.append(row)
    return rows


def test_the_township_sheet(tmp_path: Path, report: MonthlyReport) -> None:
    path = tmp_path / "out" / "月报.xlsx"
    size = write_xlsx(report, path)
    assert size == path.stat().st_size
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary file left
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "按乡镇（本月）",
        "按乡镇（本年累计）",
        "按行业（本月）",
        "按行业（本年累计）",
        "按执法人员（本月）",
        "按执法人员（本年累计）",
        "说明",
    ]
    ws = wb["按乡镇（本月）"]
    assert ws["A1"].value == "阳城县应急管理局安全生产监管执法统计月报（2025年3月）"
    merged = {str(r) for r in ws.merged_cells.ranges}
    # Title and subtitle across the table; 乡镇 down the three header rows; the groups across their columns.
    assert {"A1:V1", "A2:V2", "A3:A5", "B3:D3", "E3:L3", "M3:P3", "Q3:S3", "T3:V3", "E4:G4", "K4:L4", "B4:B5"} <= merged
    assert [ws[c].value for c in ("B3", "E3", "M3", "Q3", "T3")] == [
        "检查",
        "隐患排查治理",
        "执法措施",
        "行政处罚",
        "逢查必考",
    ]
    assert [ws[c].value for c in ("E4", "E5", "F5", "G5", "J4", "K4", "K5", "L5")] == [
        "发现隐患（条）", "合计", "一般", "重大", "整改率", "重大隐患（条）", "挂牌督办", "销号",
    ]  # fmt: skip
    assert ws.freeze_panes == "B6"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$5"
    assert ws.column_dimensions["A"].width == 14

    rows = _table(ws, 1)
    body, total = rows[:-1], rows[-1]
    assert [r[0] for r in body] == [r.label for r in report.by_township]
    assert total[0] == "合计"
    assert list(total[1:]) == _expected(report.totals.month)
    for n, column in enumerate(COLUMNS, start=1):
        if column.number_format != "0.0%":
            assert sum(float(r[n]) for r in body) == pytest.approx(float(total[n])), column.path
    assert ws.cell(row=FIRST_DATA_ROW + len(body), column=10).number_format == "0.0%"
    assert ws["S4"].value == "罚款金额（元）" and ws.cell(row=FIRST_DATA_ROW, column=19).number_format == "#,##0.00"


def test_year_to_date_and_inspector_sheets(tmp_path: Path, report: MonthlyReport) -> None:
    path = tmp_path / "月报.xlsx"
    write_xlsx(report, path)
    wb = openpyxl.load_workbook(path)
    ytd = _table(wb["按乡镇（本年累计）"], 1)
    assert list(ytd[-1][1:]) == _expected(report.totals.year_to_date)
    industry = _table(wb["按行业（本月）"], 1)
    assert [r[0] for r in industry] == ["煤矿", "危险化学品", "工贸", "合计"]

    ws = wb["按执法人员（本月）"]
    assert {"A3:A5", "B3:B5", "C3:E3"} <= {str(r) for r in ws.merged_cells.ranges}
    assert ws.freeze_panes == "C6"
    rows = _table(ws, 2)
    assert [(r[0], r[1]) for r in rows[:-1]] == [
        ("王一", "14052200901"),
        ("赵二", "14052200902"),
        ("钱三", "14052200903"),
    ]
    # Each inspection counts for each of its inspectors: the total is the county's, not the rows' sum.
    assert rows[-1][0] == "全局合计（不重复计）" and list(rows[-1][2:]) == _expected(report.totals.month)
    assert rows[0][2] == 3 and sum(r[2] for r in rows[:-1]) == 8
    assert wb["说明"]["A3"].value == "统计期间"


def test_an_unwritable_path_is_an_error_and_leaves_nothing(tmp_path: Path, report: MonthlyReport) -> None:
    folder = tmp_path / "out" / "folder.xlsx"
    folder.mkdir(parents=True)
    with pytest.raises(InspectorError, match="Cannot write"):
        write_xlsx(report, folder)
    assert list(folder.parent.iterdir()) == [folder] and not list(folder.iterdir())
