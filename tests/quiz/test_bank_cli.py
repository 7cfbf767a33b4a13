"""`inspector bank …`: template, spreadsheet import (all or nothing unless --valid-only), list, validate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from inspector.cli import main
from inspector.quiz.spreadsheet import read_question_rows
from inspector.store.db import open_store
from inspector.store.stats import row_counts

HEADER = ["题型", "适用岗位", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "依据", "难度"]


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


GOOD = [
    "单选",
    "主要负责人",
    "主要负责人是本单位安全生产的（　）。",
    "第一责任人",
    "监督人",
    "",
    "",
    "A",
    "第五条",
    "《安全生产法》第五条",
    1,
]
BAD = ["单选", "主要负责人", "答案不在选项里的题", "甲", "乙", "", "", "E", "", "", 2]


def test_template_reads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "模板.xlsx"
    assert main(["bank", "template", str(target)]) == 0
    assert read_question_rows(target).problems == []


def test_a_file_with_errors_imports_nothing_unless_asked(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _sheet(tmp_path / "题库.xlsx", [GOOD, BAD])
    assert main(["--data-dir", str(data_dir), "bank", "import", str(path), "--bank", "office"]) == 1
    err = capsys.readouterr().err
    assert "row 3" in err and "不在选项之中" in err and "nothing imported" in err
    store = open_store(data_dir)
    before = row_counts(store)
    store.close()
    assert before["question"] == 0
    assert main(["--data-dir", str(data_dir), "bank", "import", str(path), "--bank", "office", "--valid-only"]) == 0
    assert "1 questions added" in capsys.readouterr().out
    # Again: the same question is recognised, not doubled.
    main(["--data-dir", str(data_dir), "bank", "import", str(path), "--bank", "office", "--valid-only"])
    assert "0 questions added, 1 already in the bank" in capsys.readouterr().out


def test_list_shows_shipped_and_imported_banks(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--data-dir", str(data_dir), "bank", "import", str(_sheet(tmp_path / "a.xlsx", [GOOD])), "--bank", "office"])
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "bank", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_title = {r["title"]: r for r in rows}
    assert by_title["a"]["question_count"] == 1
    assert sum(r["question_count"] for r in rows) >= 600
    assert len({r["industry"] for r in rows} - {"通用"}) >= 8


def test_broken_spreadsheet_is_one_clear_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"not a zip at all")
    assert main(["--data-dir", str(data_dir), "bank", "import", str(broken), "--bank", "x"]) == 2
    assert capsys.readouterr().err.startswith("inspector: error:")
