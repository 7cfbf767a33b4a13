"""Question spreadsheets (.xlsx, .csv): clean, clerk-made and broken files, the template, and odd bytes."""

from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.domain.enums import QuestionType
from inspector.errors import InspectorError
from inspector.quiz.spreadsheet import (
    TEMPLATE_HEADERS,
    RowProblem,
    SheetResult,
    SpreadsheetError,
    read_question_rows,
    split_options,
    write_template,
)

HEADER = ["题型", "适用岗位", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "依据", "难度"]
LAW = "《中华人民共和国安全生产法》"
CHINESE = re.compile(r"[\u4e00-\u9fff]")

Cells = Sequence[object]


def _row(
    qtype: str,
    stem: str,
    options: Sequence[str] = (),
    answer: object = "",
    *,
    posts: str = "安全管理人员",
    difficulty: object = "",
) -> list[object]:
    padded = [*options, "", "", "", ""][:4]
    return [qtype, posts, stem, *padded, answer, "解析文字", f"{LAW}第三条", difficulty]


FOUR = ("甲", "乙", "丙", "丁")
CLEAN_ROWS = [
    _row("判断", "生产经营单位的主要负责人是本单位安全生产第一责任人。", answer="对", difficulty=1),
    _row("单选", "安全生产工作应当坚持（　　）的方针。", FOUR, "A"),
    _row("多选", "从业人员有权（　　）。", FOUR, "ABC", posts="从业人员、班组长", difficulty=3),
    _row("简答", "主要负责人有哪些职责？", answer="建立健全并落实全员安全生产责任制……"),
]


def _xlsx(
    folder: Path,
    rows: Sequence[Cells],
    *,
    name: str = "bank.xlsx",
    merges: Sequence[str] = (),
    title: str | None = None,
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for ref in merges:
        sheet.merge_cells(ref)
    path = folder / name
    book.save(path)
    return path


def _csv(
    folder: Path, rows: Sequence[Cells], *, encoding: str = "utf-8", delimiter: str = ",", name: str = "bank.csv"
) -> Path:
    path = folder / name
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def _problem(result: SheetResult, row: int) -> RowProblem:
    found = [p for p in result.problems if p.row == row]
    assert len(found) == 1, (row, result.problems)
    return found[0]


def _rows_accounted(result: SheetResult) -> set[int]:
    return {n for n, _ in result.questions} | {p.row for p in result.problems}


# --- clean files and the template -------------------------------------------------------------------------------


def test_clean_xlsx_imports_every_row(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, [HEADER, *CLEAN_ROWS])

    result = read_question_rows(path, industry="煤矿")

    assert result.problems == []
    assert result.header_row == 1
    assert result.total_rows == 4
    assert [n for n, _ in result.questions] == [2, 3, 4, 5]
    tf, single, multi, short = (q for _, q in result.questions)
    assert (tf.qtype, tf.answer, tf.difficulty) == (QuestionType.TRUE_FALSE, "对", 1)
    assert (single.qtype, single.answer, single.options, single.difficulty) == (
        QuestionType.SINGLE_CHOICE,
        "A",
        FOUR,
        2,
    )
    assert (multi.answer, multi.posts, multi.difficulty) == ("ABC", ("从业人员", "班组长"), 3)
    assert short.qtype is QuestionType.SHORT_ANSWER
    assert short.basis == f"{LAW}第三条"
    assert short.explanation == "解析文字"
    assert all(q.industry == "煤矿" for _, q in result.questions)


def test_template_reads_back_as_valid_questions(tmp_path: Path) -> None:
    path = tmp_path / "题库模板.xlsx"
    write_template(path)

    result = read_question_rows(path)

    assert result.problems == []
    assert result.sheet == "题库"
    assert result.header_row == 1
    assert [n for n, _ in result.questions] == [2, 3, 4, 5]
    assert {q.qtype for _, q in result.questions} == set(QuestionType)
    assert all("示例" in q.stem and LAW in q.basis for _, q in result.questions)
    assert [q.answer for _, q in result.questions][:3] == ["对", "A", "ABC"]


def test_template_layout(tmp_path: Path) -> None:
    path = tmp_path / "模板.xlsx"
    write_template(path)

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["题库", "说明"]
    sheet = book["题库"]
    assert [c.value for c in sheet[1]] == list(TEMPLATE_HEADERS)
    assert TEMPLATE_HEADERS[3:9] == tuple(f"选项{ch}" for ch in "ABCDEF")
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width >= 40
    lists = {str(rule.sqref): rule.formula1 for rule in sheet.data_validations.dataValidation}
    assert lists == {"A2:A1048576": '"判断,单选,多选,简答"', "M2:M1048576": '"1,2,3"'}
    help_text = "\n".join(str(c.value) for row in book["说明"].iter_rows() for c in row if c.value)
    for word in ("题型", "适用岗位", "题干", "答案", "√/×", "正确/错误", "难度"):
        assert word in help_text


def test_template_needs_an_xlsx_name(tmp_path: Path) -> None:
    with pytest.raises(SpreadsheetError) as caught:
        write_template(tmp_path / "模板.csv")
    assert ".xlsx" in caught.value.message_zh


# --- the office clerk's spreadsheet -----------------------------------------------------------------------------


def test_office_clerk_spreadsheet(tmp_path: Path) -> None:
    posts = "主要负责人、安全管理人员"
    rest = ["答案解析", "出处", "难易程度"]
    opts = ("建立责任制", "制定规章制度", "保证安全投入", "组织应急演练")

    def q(qtype: str | None, stem: str, answer: object, level: object, options: Sequence[str] = opts) -> list[object]:
        return [None, qtype, posts, stem, *[*options, "", "", "", ""][:4], answer, "", "《安全生产法》", level]

    rows: list[Cells] = [
        ["阳城县XX公司安全培训题库"],
        ["序号", "题目类型", "适用岗位", "试题内容", "选项", None, None, None, "正 确 答 案", *rest],
        [None, None, None, None, "A", "B", "Ｃ", "D"],
        q("单选题", "单选一", "Ｂ", "易"),
        q("多项选择题", "多选一", "Ａ，Ｂ", "中"),
        q("多选", "多选二", "Ａ、Ｃ", "难"),
        q("多选", "多选三", "AB", 2),
        q("多选", "多选四", "A、B", 3.0),
        q("判断", "判断一", "对", "易", ()),
        q(None, "判断二", "错", "易", ()),  # 题型 merged down from the row above
        q(None, "判断三", "√", "中", ()),
        q("判断题", "判断四", "×", "中", ()),
        q("判断题", "判断五", "正确", "难", ()),
        q("判断题", "判断六", "错误", "难", ()),
        q("简答题", "简答一", "见《安全生产法》第二十一条", "", ()),
    ]
    path = _xlsx(
        tmp_path,
        rows,
        merges=["A1:L1", "E2:H2", *(f"{col}2:{col}3" for col in "ABCDIJKL"), "B9:B11"],
    )

    result = read_question_rows(path)

    assert result.problems == []
    assert result.header_row == 3
    assert result.total_rows == 12
    got = {q.stem: (n, q.qtype, q.answer, q.difficulty) for n, q in result.questions}
    assert got == {
        "单选一": (4, QuestionType.SINGLE_CHOICE, "B", 1),
        "多选一": (5, QuestionType.MULTIPLE_CHOICE, "AB", 2),
        "多选二": (6, QuestionType.MULTIPLE_CHOICE, "AC", 3),
        "多选三": (7, QuestionType.MULTIPLE_CHOICE, "AB", 2),
        "多选四": (8, QuestionType.MULTIPLE_CHOICE, "AB", 3),
        "判断一": (9, QuestionType.TRUE_FALSE, "对", 1),
        "判断二": (10, QuestionType.TRUE_FALSE, "错", 1),
        "判断三": (11, QuestionType.TRUE_FALSE, "对", 2),
        "判断四": (12, QuestionType.TRUE_FALSE, "错", 2),
        "判断五": (13, QuestionType.TRUE_FALSE, "对", 3),
        "判断六": (14, QuestionType.TRUE_FALSE, "错", 3),
        "简答一": (15, QuestionType.SHORT_ANSWER, "见《安全生产法》第二十一条", 2),
    }
    first = result.questions[0][1]
    assert first.posts == ("主要负责人", "安全管理人员")
    assert first.options == opts


def test_two_row_header_without_merges(tmp_path: Path) -> None:
    rows: list[Cells] = [
        ["题型", "岗位", "题目", "选项", None, None, "答案"],
        [None, None, None, "A", "B", "C"],
        ["单选", "班组长", "题一", "甲", "乙", "丙", "C"],
    ]
    result = read_question_rows(_xlsx(tmp_path, rows))
    assert result.header_row == 2
    assert [(n, q.options, q.answer) for n, q in result.questions] == [(3, ("甲", "乙", "丙"), "C")]


def test_merged_options_header_over_plain_columns(tmp_path: Path) -> None:
    rows: list[Cells] = [
        ["题型", "适用岗位", "题干", "选项", None, None, None, "答案"],
        ["单选", "班组长", "题一", "甲", "乙", "丙", "丁", "D"],
    ]
    result = read_question_rows(_xlsx(tmp_path, rows, merges=["D1:G1"]))
    assert [(q.options, q.answer) for _, q in result.questions] == [(FOUR, "D")]


def test_header_aliases_notes_and_full_width(tmp_path: Path) -> None:
    options = ["Ａ", "B选项", "选项三", "(D)"]
    header = ["类型", "考核岗位", "试题", *options, "标准答案*", "说明", "法规依据", "难度（1-3）"]
    row = ["多选", "瓦斯检查工/安全员", "题一", *FOUR, "A，D", "", "", "1"]
    result = read_question_rows(_xlsx(tmp_path, [header, row]))
    assert result.problems == []
    (_, question) = result.questions[0]
    assert (question.answer, question.posts, question.difficulty) == ("AD", ("瓦斯检查工", "安全员"), 1)


def test_cells_read_as_written(tmp_path: Path) -> None:
    rows: list[Cells] = [
        HEADER,
        ["判断", "安全管理人员", 80, None, None, None, None, True, 1.5, 12345, 1.0],
        ["单选", "安全管理人员", "题二", 10, 20.5, 3.0, "  丁  ", "c", "", "", 2],
    ]
    result = read_question_rows(_xlsx(tmp_path, rows))
    assert result.problems == []
    first, second = (q for _, q in result.questions)
    assert (first.stem, first.answer, first.difficulty) == ("80", "对", 1)
    assert (first.explanation, first.basis) == ("1.5", "12345")
    assert (second.options, second.answer) == (("10", "20.5", "3", "丁"), "C")


def test_question_sheet_found_after_a_notes_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active.append(["请按下表格式填写"])
    sheet = book.create_sheet("单选题")
    sheet.append(HEADER)
    sheet.append(CLEAN_ROWS[1])
    path = tmp_path / "book.xlsx"
    book.save(path)

    result = read_question_rows(path)

    assert result.sheet == "单选题"
    assert [n for n, _ in result.questions] == [2]


# --- broken files -----------------------------------------------------------------------------------------------


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "答案"]
    path = _xlsx(tmp_path, [header, ["单选", "安全管理人员", "题一", *FOUR, "", "", ""]])

    with pytest.raises(SpreadsheetError) as caught:
        read_question_rows(path)

    assert isinstance(caught.value, InspectorError)
    assert "答案" in caught.value.message_zh
    assert "缺少" in caught.value.message_zh
    assert "答案" in caught.value.message_en


def test_no_header_at_all(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, [["单选", "安全管理人员", "题一", "甲", "乙", "A"]] * 12)
    with pytest.raises(SpreadsheetError) as caught:
        read_question_rows(path)
    assert "表头" in caught.value.message_zh


def test_repeated_column_is_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, [[*HEADER, "正确答案"], CLEAN_ROWS[0]])
    with pytest.raises(SpreadsheetError) as caught:
        read_question_rows(path)
    assert "正确答案" in caught.value.message_zh


def test_gap_in_option_columns_is_refused(tmp_path: Path) -> None:
    header = ["题型", "适用岗位", "题干", "选项A", "选项B", "选项D", "答案"]
    with pytest.raises(SpreadsheetError) as caught:
        read_question_rows(_xlsx(tmp_path, [header]))
    assert "选项C" in caught.value.message_zh


def test_broken_rows_are_reported_by_row_while_good_rows_import(tmp_path: Path) -> None:
    rows: list[Cells] = [
        ["阳城县XX公司安全培训题库"],
        HEADER,
        _row("单选", "好题一", FOUR, "A"),  # 3
        _row("单选", "没有答案", FOUR, ""),  # 4
        _row("单选", "答案不在选项中", FOUR, "E"),  # 5
        [],  # 6: empty, skipped
        _row("单选", "单选两个答案", FOUR, "AB"),  # 7
        _row("多选", "多选一个答案", FOUR, "A"),  # 8
        _row("填空", "未知题型", (), "安全"),  # 9
        _row("单选", "好题一", FOUR, "B"),  # 10: same type, stem and options as row 3
        _row("判断", "好题二", (), "对"),  # 11
        ["单选", "安全管理人员", "选项有空缺", "甲", None, "丙", "丁", "A"],  # 12
        _row("判断", "", (), "对", posts=""),  # 13: two problems in one row
        HEADER,  # 14: a second header pasted in
        ["", "", "", "", "", "", "", "", "", "", "", "序号 99"],  # 15: only an ignored column → empty
    ]
    result = read_question_rows(_xlsx(tmp_path, rows, merges=["A1:K1"]))

    assert result.header_row == 2
    assert [(n, q.stem) for n, q in result.questions] == [(3, "好题一"), (11, "好题二")]
    expected = {
        4: ("答案", "答案不能为空"),
        5: ("答案", "不在选项之中"),
        7: ("答案", "单选题只能有一个答案"),
        8: ("答案", "多选题答案应至少有两个选项"),
        9: ("题型", "题型“填空”无法识别"),
        10: ("", "与第3行重复"),
        12: ("选项B", "选项B是空的"),
        13: ("", "题干不能为空"),
        14: ("", "重复的表头"),
    }
    for row, (column, words) in expected.items():
        problem = _problem(result, row)
        assert problem.column == column, problem
        assert words in problem.reason, problem
        assert CHINESE.search(problem.reason)
    assert "适用岗位" in _problem(result, 13).reason
    assert len(result.problems) == len(expected)
    assert result.total_rows == len(_rows_accounted(result)) == 11
    assert str(_problem(result, 10)).startswith("第10行：")


# --- one 选项 column ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("A．甲 B．乙 C．丙 D．丁", ["甲", "乙", "丙", "丁"]),
        ("A、甲\nB、乙\nC、丙", ["甲", "乙", "丙"]),
        ("A.甲;B.乙;C.丙", ["甲", "乙", "丙"]),
        ("Ａ．甲　Ｂ．乙；Ｃ．丙", ["甲", "乙", "丙"]),
        ("(A)甲 (B)乙", ["甲", "乙"]),
        ("A:佩戴PPE.B:不佩戴", ["佩戴PPE.", "不佩戴"]),
        ("A.3B.级 B.四级", ["3B.级", "四级"]),
        ("A．按C．类处理 B．按D类处理", ["按C．类处理", "按D类处理"]),
        ("甲 乙", None),
        ("说明：A．甲 B．乙", None),
    ],
)
def test_split_options(text: str, options: list[str] | None) -> None:
    assert split_options(text) == options


def test_options_in_one_column(tmp_path: Path) -> None:
    header = ["题型", "适用岗位", "题干", "选项", "答案"]
    rows: list[Cells] = [
        header,
        ["单选", "安全员", "题一", "A．甲 B．乙 C．丙 D．丁", "C"],
        ["多选", "安全员", "题二", "A、甲\nB、乙\nC、丙", "A、C"],
        ["判断", "安全员", "题三", None, "√"],
        ["单选", "安全员", "题四", "甲；乙；丙", "A"],
    ]
    result = read_question_rows(_xlsx(tmp_path, rows))

    assert [(n, q.options, q.answer) for n, q in result.questions] == [
        (2, FOUR, "C"),
        (3, ("甲", "乙", "丙"), "AC"),
        (4, (), "对"),
    ]
    problem = _problem(result, 5)
    assert problem.column == "选项"
    assert "选项无法拆分" in problem.reason


# --- CSV --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8-sig", ","),
        ("utf-8", ","),
        ("gbk", ","),
        ("gb18030", ","),
        ("utf-8", "\t"),
        ("gbk", ";"),
        ("utf-16", "\t"),
    ],
)
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = _csv(tmp_path, [HEADER, *CLEAN_ROWS], encoding=encoding, delimiter=delimiter)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    result = read_question_rows(path)

    assert result.problems == []
    assert result.sheet == ""
    assert [(n, q.answer) for n, q in result.questions][:3] == [(2, "对"), (3, "A"), (4, "ABC")]
    assert result.questions[2][1].stem == "从业人员有权（　　）。"


def test_csv_counts_records_not_lines(tmp_path: Path) -> None:
    rows: list[Cells] = [
        ["题库（第一版）"],
        HEADER,
        _row("单选", "题干\n分两行", FOUR, "A"),
        _row("单选", "第二题", FOUR, "E"),
    ]
    result = read_question_rows(_csv(tmp_path, rows))
    assert [n for n, _ in result.questions] == [3]
    assert _problem(result, 4).column == "答案"


def test_exotic_digit_in_difficulty_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    # "፩" (Ethiopic one) passes str.isdigit() but not int(); make_question lets that ValueError through.
    result = read_question_rows(_csv(tmp_path, [HEADER, _row("判断", "题一", (), "对", difficulty="፩")]))
    assert result.questions == []
    assert CHINESE.search(_problem(result, 2).reason)


def test_csv_header_only_gives_no_rows(tmp_path: Path) -> None:
    result = read_question_rows(_csv(tmp_path, [HEADER, [], []]))
    assert (result.questions, result.problems, result.total_rows) == ([], [], 0)


_text_cells = st.text(st.characters(codec="utf-8"), max_size=30)
_cell = st.one_of(
    _text_cells,
    st.sampled_from(["单选", "多选", "判断", "简答", "A", "AB", "对", "×", "易", "2", "甲", "题型", "题干", ""]),
)


@settings(max_examples=200, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_cell, min_size=len(HEADER), max_size=len(HEADER) + 2))
def test_any_csv_row_gives_a_question_or_a_problem(cells: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _csv(Path(folder), [HEADER, cells])
        result = read_question_rows(path)
    assert result.header_row == 1
    assert result.total_rows in (0, 1)
    assert _rows_accounted(result) == ({2} if result.total_rows else set())
    for problem in result.problems:
        assert CHINESE.search(problem.reason)


# --- wrong, damaged and empty files -----------------------------------------------------------------------------


def _error(path: Path) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        read_question_rows(path)
    assert CHINESE.search(caught.value.message_zh)
    assert caught.value.message_en
    return caught.value


def test_other_file_types_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "题库.txt"
    text.write_text("题型,适用岗位,题干,答案\n", encoding="utf-8")
    assert "不支持" in _error(text).message_zh
    old = tmp_path / "题库.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "另存为" in _error(old).message_zh


def test_upper_case_suffix_is_fine(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, [HEADER, CLEAN_ROWS[0]], name="BANK.XLSX")
    assert len(read_question_rows(path).questions) == 1


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 8,
        b"PK\x03\x04" + b"\x00" * 200,
        b"<html><body>not a workbook</body></html>",
    ],
)
def test_random_bytes_named_xlsx(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bank.xlsx"
    path.write_bytes(content)
    assert "已损坏或不是 Excel 文件" in _error(path).message_zh


def test_truncated_xlsx(tmp_path: Path) -> None:
    good = _xlsx(tmp_path, [HEADER, *CLEAN_ROWS] * 50)
    data = good.read_bytes()
    for size in (len(data) // 2, len(data) - 30):
        cut = tmp_path / f"cut{size}.xlsx"
        cut.write_bytes(data[:size])
        assert "已损坏" in _error(cut).message_zh


def test_xlsx_with_a_damaged_sheet(tmp_path: Path) -> None:
    good = _xlsx(tmp_path, [HEADER, *CLEAN_ROWS])
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # well-formed zip, broken XML
            target.writestr(item, data)
    assert "已损坏" in _error(bad).message_zh


def test_password_protected_or_old_excel_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "bank.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500)
    assert ".xls" in _error(path).message_zh


def test_empty_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    assert "没有任何内容" in _error(path).message_zh


def test_header_below_ten_blank_rows_is_not_found(tmp_path: Path) -> None:
    assert "找不到表头" in _error(_xlsx(tmp_path, [[]] * 10 + [HEADER, CLEAN_ROWS[0]])).message_zh


def test_blank_rows_only_xlsx(tmp_path: Path) -> None:
    assert "没有任何内容" in _error(_xlsx(tmp_path, [[None, " "], [], ["\u3000"]])).message_zh


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx"])
def test_zero_byte_files(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert "空的" in _error(path).message_zh


def test_blank_csv(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    assert "没有任何内容" in _error(path).message_zh


def test_missing_file(tmp_path: Path) -> None:
    assert "找不到" in _error(tmp_path / "nowhere.csv").message_zh


def test_undecodable_csv(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_bytes("题型,适用岗位,题干,答案\n".encode() + b"\x81\x20\xff\xfe\x80\n")
    assert "编码" in _error(path).message_zh


# --- size -------------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_ten_thousand_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("题库")
    sheet.append(HEADER)
    for i in range(10_000):
        stem = f"第{i}题：生产经营单位应当对从业人员进行安全生产教育和培训吗？"
        sheet.append(_row("单选", stem, FOUR, "ABCD"[i % 4]))
    path = tmp_path / "big.xlsx"
    book.save(path)

    result = read_question_rows(path)

    assert result.problems == []
    assert len(result.questions) == result.total_rows == 10_000
    assert result.questions[-1][0] == 10_001
