"""`inspector report monthly` and `inspector demo --year` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from inspector import clock
from inspector.cli import main
from inspector.store.db import Store
from tests.reports.conftest import TODAY, County


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "local_today", lambda: TODAY)


def test_monthly_report_as_json_and_xlsx(
    data_dir: Path, store: Store, county: County, today: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = data_dir.parent / "reports" / "2025-03.xlsx"
    code, stdout, _ = run_cli(capsys, "--data-dir", str(data_dir), "report", "monthly", "--month", "2025-03",
                              "--out", str(out), "--json")  # fmt: skip
    assert code == 0
    data = json.loads(stdout)
    assert data["written"] == str(out) and data["as_of"] == "2025-03-20"
    assert data["totals"]["month"]["inspections"] == 4 and data["totals"]["year_to_date"]["hazards"] == 11
    wb = openpyxl.load_workbook(out)
    assert wb["按乡镇（本月）"]["A1"].value == "阳城县应急管理局安全生产监管执法统计月报（2025年3月）"


def test_monthly_report_summary(
    data_dir: Path, store: Store, county: County, today: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = run_cli(capsys, "--data-dir", str(data_dir), "report", "monthly", "--month", "2025-3",
                              "--county", "140522")  # fmt: skip
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0] == "阳城县应急管理局安全生产监管执法统计月报（2025年3月）, as of 2025-03-20"
    assert lines[1].startswith("  month: 3 inspections (1 reviews) of 3 enterprises; 3 hazards (0 major), 1 rectified")
    assert "2 penalties (38,000.50 yuan); 3 quizzes (66.7% passed)" in lines[1]
    assert lines[2].startswith("  year to date: 7 inspections")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2025/03"], "--month wants YYYY-MM (e.g. 2025-03), not '2025/03'"),
        (["--month", "2025-13"], "2025-13 is not a month"),
        (["--month", "2025-04"], "2025-04 has not begun yet"),
        (["--month", "2025-03", "--out", "report.pdf"], "--out must name an .xlsx file"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    data_dir: Path, today: None, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, stdout, stderr = run_cli(capsys, "--data-dir", str(data_dir), "report", "monthly", *args)
    assert code == 2 and stdout == ""
    assert stderr.startswith("inspector: error: ") and message in stderr


def test_an_unwritable_out_exits_2(data_dir: Path, today: None, capsys: pytest.CaptureFixture[str]) -> None:
    target = data_dir.parent / "taken.xlsx"
    target.mkdir(parents=True)
    code, _, stderr = run_cli(capsys, "--data-dir", str(data_dir), "report", "monthly", "--month", "2025-03",
                              "--out", str(target))  # fmt: skip
    assert code == 2 and stderr.startswith(f"inspector: error: Cannot write {target}")


def test_demo_year_from_the_command_line(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--data-dir", str(data_dir), "demo", "--year", "2025", "--inspections", "60", "--enterprises", "15"]
    code, stdout, _ = run_cli(capsys, *args, "--json")
    assert code == 0
    first = json.loads(stdout)
    assert first["created"] is True and first["first_day"] == "2025-01-01" and first["last_day"] == "2025-12-31"
    assert first["counts"]["inspections"] == 60 and first["counts"]["enterprises"] == 15
    code, stdout, _ = run_cli(capsys, *args)
    assert code == 0 and stdout.startswith(f"year demo already present in {data_dir}: 2025-01-01 to 2025-12-31")
    # The plain `demo` reports the folder as the demo it is, and adds nothing.
    code, stdout, _ = run_cli(capsys, "--data-dir", str(data_dir), "demo")
    assert code == 0 and "15 enterprises" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "3"], "--seed, --inspections and --enterprises go with --year"),
        (["--year", "25"], "--year wants a year like 2025"),
        (["--year", "2999"], "--year 2999: choose a year from 2000 up to this year"),
        (["--year", "--inspections", "0"], "--inspections must be at least 1"),
    ],
)
def test_demo_year_bad_arguments(
    data_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, stderr = run_cli(capsys, "--data-dir", str(data_dir), "demo", *args)
    assert code == 2 and message in stderr
