"""The checklist TOML format: what parses, and every kind of problem with its file, line and item code."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.checklists.schema import (
    MAX_TEXT,
    ChecklistFileError,
    Problem,
    parse_checklist_file,
    parse_checklist_text,
)
from inspector.domain.enums import HazardGrade
from inspector.errors import InspectorError

VALID = """\
# 演示检查表
[checklist]
code = "demo"
revision = 1
title = "演示检查表"
industry = "煤矿"
sources = ["《演示标准》（演示〔2024〕1号）"]

[[sections]]
code = "demo-01"
title = "第一节 人员"

[[sections.items]]
code = "demo-01-01"
content = "检查内容一"
method = "检查方法一"
basis = "《演示标准》（演示〔2024〕1号）第一条"
basis_text = "第一条原文。"
grade = "重大事故隐患"
unconfirmed = false

[[sections.items]]
code = "demo-01-02"
content = "检查内容二"
method = "检查方法二"
basis = "《演示标准》（演示〔2024〕1号）第二条"
grade = "重大事故隐患"
unconfirmed = true
note = "取自转载页，未核对"

[[sections]]
code = "demo-02"
title = "第二节 设备"

[[sections.items]]
code = "demo-02-01"
content = "检查内容三"
method = "检查方法三"
basis = "《演示标准》（演示〔2024〕1号）第三条"
grade = "一般隐患"
"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the `occurrence`-th line containing `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} occurs {len(hits)} time(s)"
    return hits[occurrence - 1]


def problems_of(text: str, name: str = "demo.toml") -> list[Problem]:
    with pytest.raises(ChecklistFileError) as info:
        parse_checklist_text(text, name=name)
    assert info.value.problems, "a ChecklistFileError must carry at least one problem"
    return info.value.problems


def only_problem(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# ─── a valid checklist ──────────────────────────────────────────────────────────────────────────────


def test_valid_checklist_parses_with_sections_items_and_grades() -> None:
    definition = parse_checklist_text(VALID, name="demo.toml")
    assert definition.code == "demo"
    assert definition.revision == 1
    assert definition.title == "演示检查表"
    assert definition.industry == "煤矿"
    assert definition.sources == ("《演示标准》（演示〔2024〕1号）",)
    assert definition.include == ()
    assert [(s.code, s.title) for s in definition.sections] == [("demo-01", "第一节 人员"), ("demo-02", "第二节 设备")]
    assert [[i.code for i in s.items] for s in definition.sections] == [["demo-01-01", "demo-01-02"], ["demo-02-01"]]
    assert definition.item_count == 3

    first, second = definition.sections[0].items
    third = definition.sections[1].items[0]
    assert first.grade is HazardGrade.MAJOR
    assert isinstance(first.grade, HazardGrade)
    assert first.basis_text == "第一条原文。"
    assert first.unconfirmed is False
    assert first.note == ""
    assert second.unconfirmed is True
    assert second.note == "取自转载页，未核对"
    assert second.basis_text == ""
    assert third.grade is HazardGrade.GENERAL
    assert third.unconfirmed is False  # the default when the key is left out
    assert third.content == "检查内容三" and third.method == "检查方法三"

    assert definition.sha256 == hashlib.sha256(VALID.encode("utf-8")).hexdigest()
    assert definition.item_lines == {
        "demo-01-01": line_of(VALID, 'code = "demo-01-01"'),
        "demo-01-02": line_of(VALID, 'code = "demo-01-02"'),
        "demo-02-01": line_of(VALID, 'code = "demo-02-01"'),
    }
    assert definition.item_lines["demo-01-01"] == 14


def test_sha256_changes_with_any_byte_of_the_text() -> None:
    a = parse_checklist_text(VALID)
    b = parse_checklist_text(VALID + "\n# 注释\n")
    assert a.sha256 != b.sha256
    assert len(a.sha256) == 64


def test_text_values_are_stripped_and_include_is_kept() -> None:
    text = replace_once(VALID, 'content = "检查内容三"', 'content = "  检查内容三  "')
    text = replace_once(text, "sources = [", 'include = ["general"]\nsources = [')
    definition = parse_checklist_text(text)
    assert definition.sections[1].items[0].content == "检查内容三"
    assert definition.include == ("general",)


def test_parse_checklist_file_reads_utf8_and_records_path(tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(VALID, encoding="utf-8")
    definition = parse_checklist_file(path)
    assert definition.path == path
    assert definition.code == "demo"
    assert definition.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


# ─── each kind of problem ──────────────────────────────────────────────────────────────────────────


def test_error_is_an_inspector_error_with_both_languages() -> None:
    text = replace_once(VALID, 'grade = "一般隐患"', 'grade = "一般"')
    with pytest.raises(ChecklistFileError) as info:
        parse_checklist_text(text, name="demo.toml")
    error = info.value
    assert isinstance(error, InspectorError)
    assert error.code == "checklist_file"
    assert error.message_en.startswith("1 problem(s) in checklist file:")
    assert error.message_zh.startswith("检查表文件有1处错误")
    assert "demo.toml:" in error.message_en and "item demo-02-01" in error.message_en


def test_invalid_toml_reports_the_decoder_line() -> None:
    # Line 4 lacks its value.
    text = replace_once(VALID, "revision = 1\n", "revision =\n")
    problem = only_problem(text)
    assert problem.file == "demo.toml"
    assert "not valid TOML" in problem.reason
    assert "line 4" in problem.reason  # the decoder's own message names it …
    assert problem.line == 4  # … and the Problem must carry it, so that the CLI prints demo.toml:4:


def test_invalid_toml_line_further_down_the_file() -> None:
    text = replace_once(VALID, 'method = "检查方法三"', 'method = "检查方法三')  # unterminated string
    problem = only_problem(text)
    assert "not valid TOML" in problem.reason
    assert problem.line == line_of(text, 'method = "检查方法三')


def test_missing_checklist_table() -> None:
    text = VALID.replace("[checklist]\n", "[header]\n")
    problem = only_problem(text)
    assert problem.where == "[checklist]"
    assert "missing" in problem.reason


def test_checklist_as_array_of_tables_is_missing_checklist_table() -> None:
    text = VALID.replace("[checklist]\n", "[[checklist]]\n")
    problem = only_problem(text)
    assert problem.where == "[checklist]"
    assert "[checklist] table is missing" in problem.reason


def test_bad_checklist_code_pattern_points_at_its_line() -> None:
    text = replace_once(VALID, 'code = "demo"\n', 'code = "Demo_1"\n')
    problem = only_problem(text)
    assert problem.where == "[checklist]"
    assert "'Demo_1'" in problem.reason and "a-z, 0-9" in problem.reason
    assert problem.line == 3


@pytest.mark.parametrize("bad", ["demo-01-", "demo--01", "DEMO-01", "demo_01", "demo 01", "演示-01"])
def test_bad_item_code_pattern_points_at_the_item(bad: str) -> None:
    text = replace_once(VALID, 'code = "demo-02-01"', f'code = "{bad}"')
    problem = only_problem(text)
    assert problem.where == f"item {bad}"
    assert "a-z, 0-9" in problem.reason
    assert problem.line == line_of(text, f'code = "{bad}"')


@pytest.mark.parametrize("value", ["0", "-1", '"1"', "1.0", "true", "false", "[1]"])
def test_revision_must_be_a_positive_int_not_bool(value: str) -> None:
    text = replace_once(VALID, "revision = 1\n", f"revision = {value}\n")
    problem = only_problem(text)
    assert problem.where == "[checklist]"
    assert "revision must be a whole number from 1 to 1000000" in problem.reason


def test_missing_revision() -> None:
    text = replace_once(VALID, "revision = 1\n", "")
    assert "revision must be a whole number from 1 to 1000000" in only_problem(text).reason


def test_revision_above_one_is_kept() -> None:
    assert parse_checklist_text(replace_once(VALID, "revision = 1\n", "revision = 7\n")).revision == 7


def test_unknown_industry() -> None:
    text = replace_once(VALID, 'industry = "煤矿"', 'industry = "煤炭"')
    problem = only_problem(text)
    assert problem.where == "[checklist]"
    assert "industry '煤炭' is not one of" in problem.reason
    assert "煤矿" in problem.reason and "通用" in problem.reason


def test_general_industry_is_accepted() -> None:
    assert parse_checklist_text(replace_once(VALID, 'industry = "煤矿"', 'industry = "通用"')).industry == "通用"


@pytest.mark.parametrize("value", ["[]", '[""]', '["  "]', '"《演示标准》"', "[1]", '["《演示标准》", 2]'])
def test_sources_must_be_a_non_empty_list_of_texts(value: str) -> None:
    text = replace_once(VALID, 'sources = ["《演示标准》（演示〔2024〕1号）"]', f"sources = {value}")
    problem = only_problem(text)
    assert problem.where == "[checklist]"
    assert "sources must be a non-empty list" in problem.reason


def test_missing_sources() -> None:
    text = replace_once(VALID, 'sources = ["《演示标准》（演示〔2024〕1号）"]\n', "")
    assert "sources must be a non-empty list" in only_problem(text).reason


@pytest.mark.parametrize("value", ['"general"', "[1]"])
def test_include_must_be_a_list_of_codes(value: str) -> None:
    text = replace_once(VALID, "sources = [", f"include = {value}\nsources = [")
    assert "include must be a list" in only_problem(text).reason


def test_unknown_item_key_typo_points_at_the_item() -> None:
    text = replace_once(VALID, 'content = "检查内容二"', 'contnet = "检查内容二"')
    problems = problems_of(text)
    item_line = line_of(text, 'code = "demo-01-02"')
    assert all(p.where == "item demo-01-02" and p.line == item_line for p in problems), problems
    reasons = [p.reason for p in problems]
    assert any("unknown key 'contnet'" in r for r in reasons), reasons
    assert any("content is missing" in r for r in reasons), reasons  # the typo also leaves content empty
    assert len(problems) == 2


def test_unknown_header_section_and_top_level_keys() -> None:
    text = replace_once(VALID, "revision = 1\n", "revision = 1\nrevison = 2\n")
    text = replace_once(text, 'title = "第二节 设备"', 'title = "第二节 设备"\ntitel = "x"')
    text = "version = 3\n" + text
    problems = problems_of(text)
    by_where = {p.where: p for p in problems}
    assert set(by_where) == {"top level", "[checklist]", "section demo-02"}, problems
    assert "unknown key 'version'" in by_where["top level"].reason
    assert "unknown key 'revison'" in by_where["[checklist]"].reason
    assert "unknown key 'titel'" in by_where["section demo-02"].reason
    assert by_where["section demo-02"].line == line_of(text, 'code = "demo-02"')


def test_duplicate_item_code_points_at_the_second_occurrence() -> None:
    text = replace_once(VALID, 'code = "demo-02-01"', 'code = "demo-01-01"')
    problem = only_problem(text)
    assert problem.where == "item demo-01-01"
    assert problem.reason == "item code used twice"
    first, second = line_of(text, 'code = "demo-01-01"', 1), line_of(text, 'code = "demo-01-01"', 2)
    assert first == 14
    assert problem.line == second
    assert second > first


def test_duplicate_item_code_after_an_earlier_problem_still_points_at_itself() -> None:
    text = replace_once(VALID, 'code = "demo-01-02"', 'code = "demo-01-01"')
    text = replace_once(text, 'code = "demo-02-01"', 'code = "demo-01-01"')
    problems = problems_of(text)
    assert [p.reason for p in problems] == ["item code used twice", "item code used twice"]
    assert [p.line for p in problems] == [
        line_of(text, 'code = "demo-01-01"', 2),
        line_of(text, 'code = "demo-01-01"', 3),
    ]


def test_duplicate_section_code_points_at_the_second_section() -> None:
    text = replace_once(VALID, 'code = "demo-02"\n', 'code = "demo-01"\n')
    problem = only_problem(text)
    assert problem.where == "section demo-01"
    assert problem.reason == "section code used twice"
    assert problem.line == line_of(text, 'code = "demo-01"', 2)


def test_sections_without_code_are_each_reported_once() -> None:
    """Two sections that both lack a code are two 'missing' problems, not also a 'used twice' one."""
    text = replace_once(VALID, 'code = "demo-01"\n', "")
    text = replace_once(text, 'code = "demo-02"\n', "")
    problems = problems_of(text)
    assert [(p.where, p.reason) for p in problems] == [
        ("section 1", "code is missing or empty"),
        ("section 2", "code is missing or empty"),
    ]


@pytest.mark.parametrize("key", ["content", "method", "basis"])
def test_missing_required_item_text(key: str) -> None:
    lines = VALID.splitlines(keepends=True)
    item_line = line_of(VALID, 'code = "demo-02-01"')
    # Drop the key from the last item only; the lines before it keep their numbers.
    drop = next(n for n in range(item_line, len(lines)) if lines[n].startswith(f"{key} = "))
    text = "".join(lines[:drop] + lines[drop + 1 :])
    problem = only_problem(text)
    assert problem.where == "item demo-02-01"
    assert problem.reason == f"{key} is missing or empty"
    assert problem.line == item_line


@pytest.mark.parametrize("key", ["content", "method", "basis"])
def test_blank_required_item_text(key: str) -> None:
    old = {"content": 'content = "检查内容三"', "method": 'method = "检查方法三"'}.get(
        key, 'basis = "《演示标准》（演示〔2024〕1号）第三条"'
    )
    text = replace_once(VALID, old, f'{key} = "   "')
    problem = only_problem(text)
    assert (problem.where, problem.reason) == ("item demo-02-01", f"{key} is missing or empty")


def test_non_text_value_is_reported() -> None:
    text = replace_once(VALID, 'content = "检查内容三"', "content = 3")
    reasons = [p.reason for p in problems_of(text)]
    assert "content must be text" in reasons


def test_basis_must_name_the_standard_in_book_title_marks() -> None:
    text = replace_once(VALID, 'basis = "《演示标准》（演示〔2024〕1号）第三条"', 'basis = "演示标准第三条"')
    problem = only_problem(text)
    assert problem.where == "item demo-02-01"
    assert "《》" in problem.reason
    assert problem.line == line_of(text, 'code = "demo-02-01"')


@pytest.mark.parametrize("grade", ['"一般"', '"重大隐患"', '""', "1", "true"])
def test_bad_grade(grade: str) -> None:
    text = replace_once(VALID, 'grade = "一般隐患"', f"grade = {grade}")
    problem = only_problem(text)
    assert problem.where == "item demo-02-01"
    assert problem.reason.startswith("grade must be 一般隐患 or 重大事故隐患")
    assert problem.line == line_of(text, 'code = "demo-02-01"')


def test_missing_grade_is_reported() -> None:
    text = replace_once(VALID, 'grade = "一般隐患"\n', "")
    assert only_problem(text).reason.startswith("grade must be")


def test_major_item_needs_basis_text() -> None:
    text = replace_once(VALID, 'basis_text = "第一条原文。"\n', "")
    problem = only_problem(text)
    assert problem.where == "item demo-01-01"
    assert "basis_text" in problem.reason and "重大事故隐患" in problem.reason
    assert problem.line == line_of(text, 'code = "demo-01-01"')


def test_major_item_with_blank_basis_text_is_reported() -> None:
    text = replace_once(VALID, 'basis_text = "第一条原文。"', 'basis_text = "  "')
    assert "basis_text" in only_problem(text).reason


def test_unconfirmed_major_item_without_basis_text_is_allowed_with_a_note() -> None:
    # demo-01-02 in VALID is exactly that case.
    item = parse_checklist_text(VALID).sections[0].items[1]
    assert item.grade is HazardGrade.MAJOR and item.unconfirmed and not item.basis_text and item.note


def test_unconfirmed_without_note() -> None:
    text = replace_once(VALID, 'note = "取自转载页，未核对"\n', "")
    problem = only_problem(text)
    assert problem.where == "item demo-01-02"
    assert "note" in problem.reason
    assert problem.line == line_of(text, 'code = "demo-01-02"')


def test_unconfirmed_must_be_a_bool() -> None:
    text = replace_once(VALID, "unconfirmed = false", 'unconfirmed = "no"')
    problem = only_problem(text)
    assert (problem.where, problem.reason) == ("item demo-01-01", "unconfirmed must be true or false")


@pytest.mark.parametrize("key", ["content", "method", "basis_text", "note"])
def test_text_longer_than_max_text(key: str) -> None:
    long_value = "字" * (MAX_TEXT + 1)
    old = {
        "content": 'content = "检查内容二"',
        "method": 'method = "检查方法二"',
        "basis_text": 'basis = "《演示标准》（演示〔2024〕1号）第二条"',
        "note": 'note = "取自转载页，未核对"',
    }[key]
    new = f'{key} = "{long_value}"'
    if key == "basis_text":  # demo-01-02 has no basis_text: add one after its basis
        new = f"{old}\n{new}"
    text = replace_once(VALID, old, new)
    problem = only_problem(text)
    assert problem.where == "item demo-01-02"
    assert problem.reason == f"{key} is longer than {MAX_TEXT} characters"
    assert problem.line == line_of(text, 'code = "demo-01-02"')


def test_text_of_exactly_max_text_is_accepted() -> None:
    text = replace_once(VALID, 'content = "检查内容二"', f'content = "{"字" * MAX_TEXT}"')
    assert len(parse_checklist_text(text).sections[0].items[1].content) == MAX_TEXT


def test_section_without_items_and_checklist_without_sections() -> None:
    no_items = VALID[: VALID.index('[[sections.items]]\ncode = "demo-02-01"')]
    problem = only_problem(no_items)
    assert (problem.where, problem.reason) == ("section demo-02", "a section needs at least one item")
    assert problem.line == line_of(no_items, 'code = "demo-02"')

    header_only = VALID[: VALID.index("[[sections]]")]
    problem = only_problem(header_only)
    assert (problem.where, problem.reason) == ("[[sections]]", "a checklist needs at least one section")


def test_non_utf8_file_reports_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    raw = VALID.encode("utf-8")
    target = 'content = "检查内容二"'.encode()
    assert raw.count(target) == 1
    raw = raw.replace(target, 'content = "检查内容二"'.encode("gbk"))  # a GBK-saved line in a UTF-8 file
    path = tmp_path / "gbk.toml"
    path.write_bytes(raw)
    with pytest.raises(ChecklistFileError) as info:
        parse_checklist_file(path)
    [problem] = info.value.problems
    assert problem.file == "gbk.toml"
    assert problem.reason.startswith("not UTF-8 text")
    assert problem.line == line_of(VALID, 'content = "检查内容二"')


def test_non_utf8_on_the_first_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b"\xff\xfe" + VALID.encode("utf-16-le"))
    with pytest.raises(ChecklistFileError) as info:
        parse_checklist_file(path)
    assert [(p.line, p.reason) for p in info.value.problems] == [
        (1, "not UTF-8 text (byte 0xFF cannot be decoded); save the file as UTF-8")
    ]


def test_unreadable_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ChecklistFileError) as info:
        parse_checklist_file(missing)
    [problem] = info.value.problems
    assert problem.file == str(missing)
    assert problem.line is None
    assert problem.reason.startswith("cannot read")
    assert "No such file" in problem.reason


def test_directory_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(ChecklistFileError) as info:
        parse_checklist_file(tmp_path)
    assert info.value.problems[0].reason.startswith("cannot read")


def test_problem_str_formats() -> None:
    assert str(Problem("a.toml", 3, "item x-1", "bad")) == "a.toml:3: item x-1: bad"
    assert str(Problem("a.toml", None, "item x-1", "bad")) == "a.toml: item x-1: bad"
    assert str(Problem("a.toml", 3, "", "bad")) == "a.toml:3: bad"
    assert str(Problem("a.toml", None, "", "bad")) == "a.toml: bad"


def test_every_problem_of_a_file_is_reported_in_one_error() -> None:
    text = replace_once(VALID, "revision = 1\n", "revision = 0\n")
    text = replace_once(text, 'industry = "煤矿"', 'industry = "煤炭"')
    text = replace_once(text, 'basis_text = "第一条原文。"\n', "")  # demo-01-01: 重大 without clause
    text = replace_once(text, 'note = "取自转载页，未核对"\n', "")  # demo-01-02: unconfirmed without note
    text = replace_once(text, 'code = "demo-02"\n', 'code = "demo-01"\n')  # duplicate section
    text = replace_once(text, 'grade = "一般隐患"', 'grade = "一般"')  # demo-02-01: bad grade
    text = replace_once(text, 'method = "检查方法三"', 'mehtod = "检查方法三"')  # demo-02-01: typo
    problems = problems_of(text)
    summary = [(p.where, p.reason.split(" (")[0].split(",")[0]) for p in problems]
    assert ("[checklist]", "revision must be a whole number from 1 to 1000000") in summary
    assert any(w == "[checklist]" and r.startswith("industry '煤炭'") for w, r in summary)
    assert ("item demo-01-01", "a 重大事故隐患 item must quote its clause in basis_text") in summary
    assert ("item demo-01-02", "an unconfirmed item must say in note where its text came from") in summary
    assert ("section demo-01", "section code used twice") in summary
    assert ("item demo-02-01", "unknown key 'mehtod'") in summary
    assert ("item demo-02-01", "method is missing or empty") in summary
    assert any(w == "item demo-02-01" and r.startswith("grade must be") for w, r in summary)
    assert len(problems) == 8
    lines = {p.where: p.line for p in problems if p.where.startswith("item")}
    assert lines == {
        "item demo-01-01": line_of(text, 'code = "demo-01-01"'),
        "item demo-01-02": line_of(text, 'code = "demo-01-02"'),
        "item demo-02-01": line_of(text, 'code = "demo-02-01"'),
    }
    assert all(p.file == "demo.toml" for p in problems)


# ─── never any other exception ─────────────────────────────────────────────────────────────────────


@settings(max_examples=300, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_parses_or_raises_checklist_file_error(text: str) -> None:
    try:
        parse_checklist_text(text)
    except ChecklistFileError as exc:
        assert exc.problems
        assert all(isinstance(p, Problem) for p in exc.problems)


def _toml_literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {_toml_literal(v)}" for k, v in value.items()) + "}"
        )
    raise TypeError(value)


_scalars = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "code", "x"]), inner, max_size=2),
    max_leaves=6,
)
_FIELDS = [
    ('code = "demo"', "code"),
    ("revision = 1", "revision"),
    ('industry = "煤矿"', "industry"),
    ('sources = ["《演示标准》（演示〔2024〕1号）"]', "sources"),
    ('title = "第一节 人员"', "title"),
    ('code = "demo-01-01"', "code"),
    ('basis_text = "第一条原文。"', "basis_text"),
    ('grade = "重大事故隐患"\nunconfirmed = false', "grade"),
    ("unconfirmed = true", "unconfirmed"),
    ('content = "检查内容三"', "content"),
]


@settings(max_examples=300, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_FIELDS), _values)
def test_any_value_in_any_field_parses_or_raises_checklist_file_error(field: tuple[str, str], value: object) -> None:
    old, key = field
    text = VALID.replace(old, f"{key} = {_toml_literal(value)}", 1)
    try:
        parse_checklist_text(text)
    except ChecklistFileError as exc:
        assert exc.problems


def test_crlf_file_parses_and_keeps_line_numbers(tmp_path: Path) -> None:
    text = replace_once(VALID, 'code = "demo-02-01"', 'code = "demo-01-01"')
    path = tmp_path / "crlf.toml"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    with pytest.raises(ChecklistFileError) as info:
        parse_checklist_file(path)
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.reason) == (
        "crlf.toml",
        line_of(text, 'code = "demo-01-01"', 2),
        "item code used twice",
    )


def test_single_quoted_item_code_still_gets_its_line() -> None:
    """TOML literal strings ('…') are as valid as basic ones; the problem must still point at the item."""
    text = replace_once(VALID, 'code = "demo-02-01"', "code = 'demo-02-01'")
    text = replace_once(text, 'grade = "一般隐患"', 'grade = "一般"')
    problem = only_problem(text)
    assert problem.where == "item demo-02-01"
    assert problem.line == line_of(text, "code = 'demo-02-01'")
