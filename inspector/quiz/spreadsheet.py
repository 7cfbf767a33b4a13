"""Question banks from office spreadsheets (.xlsx, .csv): read them row by row, and write the blank template.

表格格式（每行一题）/ Layout (one question per row):

    题型 | 适用岗位 | 题干 | 选项A … 选项H | 答案 | 解析 | 依据 | 难度

表头名称在全角转半角、去掉空格后比较，以下写法均可 / Accepted header names (compared after NFKC folding,
spaces removed; notes in brackets such as “答案（必填）” and a leading/trailing “*” are ignored):

    题型      题型、类型、题目类型、试题类型                       (required / 必填)
    适用岗位  适用岗位、岗位、考核岗位、适用对象、适用人员           (required / 必填)
    题干      题干、题目、试题、试题内容、题目内容                   (required / 必填)
    选项A…H   选项A、A、A选项、(A)、选项一、选项1 …（至选项H）
    选项      one column holding every option: “A．… B．…”, “A、…<换行>B、…”, “A.…;B.…”
    答案      答案、正确答案、参考答案、标准答案                     (required / 必填)
    解析      解析、答案解析、说明、试题解析
    依据      依据、出处、法规依据、考核依据、依据条款
    难度      难度、难易程度、难易度（1、2、3 或 易、中、难；空着按 2）

The header is the first of the first 10 rows holding at least three of the required names, so a title row above
it is fine; so is a two-row header with a merged “选项” over “A B C D”. Other columns are ignored. Rows that are
empty in every column read are skipped; every other row ends up either as a question or as a RowProblem
(题型/答案 etc. are checked by questions.make_question, duplicates inside the file are reported on the later row).
CSV files may be UTF-8 (with or without BOM) or GBK/GB18030, separated by commas, tabs or semicolons.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from inspector.errors import InspectorError
from inspector.quiz.questions import LETTERS, QuestionDef, QuestionError, make_question

__all__ = [
    "HEADER_ALIASES",
    "REQUIRED",
    "TEMPLATE_HEADERS",
    "RowProblem",
    "SheetResult",
    "SpreadsheetError",
    "read_question_rows",
    "split_options",
    "write_template",
]

HEADER_SCAN_ROWS = 10
# Stray cells far to the right, or a merge across a whole row, must not make every row thousands of cells wide.
MAX_COLUMNS = 256
REQUIRED = ("题型", "适用岗位", "题干", "答案")
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "题型": ("题型", "类型", "题目类型", "试题类型"),
    "适用岗位": ("适用岗位", "岗位", "考核岗位", "适用对象", "适用人员"),
    "题干": ("题干", "题目", "试题", "试题内容", "题目内容"),
    "选项": ("选项",),
    "答案": ("答案", "正确答案", "参考答案", "标准答案"),
    "解析": ("解析", "答案解析", "说明", "试题解析"),
    "依据": ("依据", "出处", "法规依据", "考核依据", "依据条款"),
    "难度": ("难度", "难易程度", "难易度"),
}
TEMPLATE_HEADERS = ("题型", "适用岗位", "题干", *(f"选项{ch}" for ch in LETTERS[:6]), "答案", "解析", "依据", "难度")
TEMPLATE_SHEET = "题库"
HELP_SHEET = "说明"

_OPTIONS = "选项"
_ALIAS_LOOKUP = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
_OPTION_HEADER = re.compile(r"(?:选项)?\(?([A-H])\)?(?:选项)?|选项([一二三四五六七八1-8])")
_CHINESE_ORDINALS = "一二三四五六七八"
_HEADER_NOTES = re.compile(r"\(.*?\)|\[.*?\]|【.*?】")
# An option marker inside one 选项 cell: “A．”, “Ｂ、”, “(C)”, “D:”; not when glued to a preceding letter or digit,
# so “PPE.” or “3B.” inside an option's text is not taken for a marker.
_OPTION_MARK = re.compile(r"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])[(（]?([A-HＡ-Ｈ])\s*(?:[)）]|[.．、:：])")
_OPTION_TRAIL = " \t\r\n;；,，、|"
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=[\"']([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)[\"']")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CSV_SAMPLE_CHARS = 64 * 1024
_OLD_EXCEL_SUFFIXES = {".xls", ".et", ".wps", ".xlsb"}


class SpreadsheetError(InspectorError):
    """The file as a whole cannot be read as a question spreadsheet (wrong type, corrupt, no usable header)."""

    code = "spreadsheet"


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based, as Excel shows it
    column: str  # the header text as written in the file, or "" for the whole row
    reason: str  # Chinese, for the clerk who made the file

    def __str__(self) -> str:
        where = f"第{self.row}行" + (f"“{self.column}”" if self.column else "")
        return f"{where}：{self.reason}"


@dataclass(frozen=True)
class SheetResult:
    questions: list[tuple[int, QuestionDef]]
    problems: list[RowProblem]
    header_row: int  # the (last) header row; data starts on the next one
    total_rows: int  # non-empty data rows = rows in questions + rows with a problem
    sheet: str = ""  # the worksheet read ("" for CSV)


@dataclass(frozen=True)
class _Layout:
    header_row: int
    columns: dict[str, int]  # canonical name → 0-based column
    names: dict[str, str]  # canonical name → header text as written
    options: tuple[int, ...] = ()  # columns of 选项A, 选项B, … in letter order
    option_names: tuple[str, ...] = ()
    used: tuple[int, ...] = field(default=())  # every column read, to tell an empty row


Row = tuple[int, Sequence[object]]


def read_question_rows(path: Path, *, industry: str = "") -> SheetResult:
    """Read every question row of an .xlsx or .csv file; raise SpreadsheetError only when the file as a whole fails."""
    suffix = path.suffix.lower()
    if suffix in _OLD_EXCEL_SUFFIXES:
        raise SpreadsheetError(
            f"{path.name}: old Excel/WPS formats ({suffix}) are not supported; save it as .xlsx first",
            f"不支持“{suffix}”格式的文件，请在 Excel 或 WPS 中“另存为” Excel 工作簿（.xlsx）后再导入",
        )
    if suffix not in (".xlsx", ".csv"):
        raise SpreadsheetError(
            f"{path.name}: only .xlsx and .csv files can be imported",
            f"不支持“{path.suffix or '无扩展名'}”文件，请使用 Excel 工作簿（.xlsx）或 CSV 文件（.csv）",
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SpreadsheetError(f"{path}: cannot be opened ({exc})", f"找不到或无法打开文件：{path}") from exc
    if not path.is_file():
        raise SpreadsheetError(f"{path}: not a file", f"“{path.name}”不是文件")
    if size == 0:
        raise SpreadsheetError(f"{path.name}: the file is empty", f"文件“{path.name}”是空的（0 字节）")
    if suffix == ".csv":
        return _read_sheets(path, [("", _csv_rows(path))], industry)
    with _open_workbook(path) as book:
        return _read_sheets(path, _xlsx_sheets(path, book), industry)


# ---------------------------------------------------------------------------------------------------------------
# Rows → questions


def _read_sheets(path: Path, sheets: Iterable[tuple[str, Iterator[Row]]], industry: str) -> SheetResult:
    """Use the first sheet whose first rows hold a header; a workbook may carry a 说明 sheet before or after it."""
    any_rows = False
    best: tuple[int, int, list[str]] = (0, 0, [])  # required names found, on row, which
    for sheet, rows in sheets:
        head: list[Row] = []
        for row in rows:
            head.append(row)
            if len(head) == HEADER_SCAN_ROWS:
                break
        any_rows = any_rows or any(_text(v) for _, values in head for v in values)
        if not any_rows and len(head) == HEADER_SCAN_ROWS:
            # Content below ten blank rows: the message must be “no header”, not “empty file”.
            any_rows = any(_text(v) for _, values in rows for v in values)
        layout, found = _find_layout(head)
        if layout is not None:
            return _read_body(layout, sheet, head, rows, industry)
        if isinstance(rows, Generator):
            rows.close()  # releases the sheet's XML stream now rather than when collected
        if found[0] > best[0]:
            best = found
    if not any_rows:
        raise SpreadsheetError(f"{path.name}: the file holds no rows", f"文件“{path.name}”里没有任何内容")
    hint = f"（第{best[1]}行只找到：{'、'.join(best[2])}）" if best[2] else ""
    raise SpreadsheetError(
        f"{path.name}: no header row in the first {HEADER_SCAN_ROWS} rows "
        f"(it needs at least three of {', '.join(REQUIRED)})",
        f"在前{HEADER_SCAN_ROWS}行中找不到表头：表头须含有“{'、'.join(REQUIRED)}”这几列{hint}",
    )


def _read_body(layout: _Layout, sheet: str, head: list[Row], rest: Iterator[Row], industry: str) -> SheetResult:
    questions: list[tuple[int, QuestionDef]] = []
    problems: list[RowProblem] = []
    first_row: dict[str, int] = {}  # fingerprint → row it was first seen on
    total = 0
    cols = layout.columns

    def cell(values: Sequence[object], name: str) -> str:
        col = cols.get(name)
        return _text(values[col]) if col is not None and col < len(values) else ""

    def rows() -> Iterator[Row]:
        yield from (row for row in head if row[0] > layout.header_row)
        yield from rest

    for number, values in rows():
        if not any(_text(values[c]) for c in layout.used if c < len(values)):
            continue
        total += 1
        qtype, stem = cell(values, "题型"), cell(values, "题干")
        # A sheet pasted together from several files repeats its header; say so rather than fail on 题型“题型”.
        if _header_key(qtype) == "题型" and _header_key(stem) == "题干":
            problems.append(RowProblem(number, "", "这一行是重复的表头，已跳过"))
            continue
        options, option_problem = _row_options(values, layout)
        if option_problem is not None:
            problems.append(RowProblem(number, option_problem[0], option_problem[1]))
            continue
        try:
            question = make_question(
                qtype=qtype,
                stem=stem,
                options=options,
                answer=cell(values, "答案"),
                posts=cell(values, "适用岗位"),
                explanation=cell(values, "解析"),
                basis=cell(values, "依据"),
                difficulty=cell(values, "难度"),
                industry=industry,
            )
        except QuestionError as exc:
            problems.append(RowProblem(number, _column_of(str(exc), layout), str(exc)))
            continue
        except ValueError:
            # make_question should only raise QuestionError; a stray ValueError (an exotic Unicode digit in 难度,
            # say) must still not stop the import of the other rows.
            problems.append(RowProblem(number, "", "这一行含有无法识别的字符，请检查各列内容"))
            continue
        earlier = first_row.setdefault(question.fingerprint, number)
        if earlier != number:
            problems.append(RowProblem(number, "", f"与第{earlier}行重复（题型、题干和选项相同）"))
            continue
        questions.append((number, question))
    return SheetResult(questions, problems, layout.header_row, total, sheet)


def _row_options(values: Sequence[object], layout: _Layout) -> tuple[list[str], tuple[str, str] | None]:
    if layout.options:
        texts = [_text(values[c]) if c < len(values) else "" for c in layout.options]
        while texts and not texts[-1]:
            texts.pop()
        if "" in texts:
            # make_question drops empty options, which would shift the letters after the gap and break the answer.
            gap = texts.index("")
            letter = LETTERS[gap]
            return [], (
                layout.option_names[gap],
                f"选项{letter}是空的，但后面还有选项；选项须从A开始连续填写，否则答案字母会对不上",
            )
        return texts, None
    col = layout.columns.get(_OPTIONS)
    if col is None:
        return [], None
    text = _text(values[col]) if col < len(values) else ""
    if not text:
        return [], None
    options = split_options(text)
    if options is None:
        return [], (
            layout.names[_OPTIONS],
            "选项无法拆分：每个选项前须标字母，如“A．……  B．……”或每个选项单独一行“A、……”",
        )
    return options, None


def split_options(text: str) -> list[str] | None:
    """“A．甲 B．乙”, “A、甲\\nB、乙”, “A.甲;B.乙” → ["甲", "乙"]; None when the text does not start with “A”."""
    starts: list[tuple[int, int]] = []  # (marker start, text start)
    expected = 0
    for match in _OPTION_MARK.finditer(text):
        # Markers must come in order A, B, C …; any other letter with a dot is part of an option's text.
        if expected < len(LETTERS) and unicodedata.normalize("NFKC", match.group(1)) == LETTERS[expected]:
            starts.append((match.start(), match.end()))
            expected += 1
    if not starts or text[: starts[0][0]].strip():
        return None
    ends = [start for start, _ in starts[1:]] + [len(text)]
    return [text[body:end].strip().rstrip(_OPTION_TRAIL).strip() for (_, body), end in zip(starts, ends, strict=True)]


def _column_of(message: str, layout: _Layout) -> str:
    """The header of the column a make_question message is about, when all of its parts are about one column."""
    names = {_field_of(part) for part in message.split("；")}
    if len(names) != 1:
        return ""
    name = names.pop()
    if name == _OPTIONS:
        if layout.option_names:
            return layout.option_names[0]
        return layout.names.get(_OPTIONS, "")
    return layout.names.get(name, "") if name else ""


def _field_of(message: str) -> str | None:
    for name in ("题型", "题干", "适用岗位", "难度"):
        if message.startswith(name):
            return name
    if "答案" in message:
        return "答案"
    if "选项" in message:
        return _OPTIONS
    return None


# ---------------------------------------------------------------------------------------------------------------
# Header


def _header_key(text: str) -> str | None:
    """The canonical column name ("题型", "选项", "选项A" …) of a header cell, or None for an unknown column."""
    if not text or len(text) > 40:
        return None
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    for candidate in (key, _HEADER_NOTES.sub("", key).strip("*:")):
        match = _OPTION_HEADER.fullmatch(candidate)
        if match:
            if match.group(1):
                return _OPTIONS + match.group(1)
            ordinal = match.group(2)
            index = int(ordinal) - 1 if ordinal.isdigit() else _CHINESE_ORDINALS.index(ordinal)
            return _OPTIONS + LETTERS[index]
        if candidate in _ALIAS_LOOKUP:
            return _ALIAS_LOOKUP[candidate]
    return None


def _is_option_letter(key: str | None) -> bool:
    return key is not None and len(key) == len(_OPTIONS) + 1 and key.startswith(_OPTIONS)


def _find_layout(head: list[Row]) -> tuple[_Layout | None, tuple[int, int, list[str]]]:
    """The layout from the first row with ≥3 required names, or None and the best partial match (for the message)."""
    best: tuple[int, int, list[str]] = (0, 0, [])
    for index, (number, values) in enumerate(head):
        texts = [_text(v) for v in values]
        keys = [_header_key(t) for t in texts]
        found = [name for name in REQUIRED if name in keys]
        if len(found) < 3:
            if len(found) > best[0]:
                best = (len(found), number, found)
            continue
        below = head[index + 1] if index + 1 < len(head) else None
        return _layout(number, texts, keys, below), best
    return None, best


def _layout(number: int, texts: list[str], keys: list[str | None], below: Row | None) -> _Layout:
    header_row = number
    if below is not None:
        low_texts = [_text(v) for v in below[1]]
        low_keys = [_header_key(t) for t in low_texts]
        under = [
            c
            for c, key in enumerate(low_keys)
            if _is_option_letter(key) and (c >= len(keys) or keys[c] in (None, _OPTIONS))
        ]
        # Two header rows: a (merged) “选项” above “A B C D”. Bare letters under a data header never occur twice.
        if len(under) >= 2:
            header_row = below[0]
            width = max(len(texts), len(low_texts))
            texts += [""] * (width - len(texts))
            keys += [None] * (width - len(keys))
            for c in under:
                top = texts[c] if keys[c] == _OPTIONS else ""
                texts[c], keys[c] = top + low_texts[c], low_keys[c]
            for c, key in enumerate(low_keys):
                if keys[c] is None and key is not None and not _is_option_letter(key):
                    texts[c], keys[c] = low_texts[c], key
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    groups: list[int] = []  # columns headed just “选项”
    duplicates: list[str] = []
    for c, key in enumerate(keys):
        if key is None:
            continue
        if key == _OPTIONS:
            groups.append(c)
            continue
        if key in columns:
            duplicates.append(f"“{texts[c]}”（第{_column_letter(columns[key])}列和第{_column_letter(c)}列）")
            continue
        columns[key] = c
        names[key] = texts[c]
    if duplicates:
        raise SpreadsheetError(
            f"header row {header_row}: the same column appears more than once",
            f"第{header_row}行表头中有重复的列：{'、'.join(duplicates)}，请删除或改名其中一列",
        )
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise SpreadsheetError(
            f"header row {header_row}: required column(s) missing: {', '.join(missing)}",
            f"表头（第{header_row}行）缺少必需的列：{'、'.join(missing)}",
        )
    letters = sorted(key[-1] for key in columns if _is_option_letter(key))
    if not letters and len(groups) > 1:
        # “选项” merged over several columns with nothing below: those columns are A, B, C … in order.
        for letter, c in zip(LETTERS, groups, strict=False):
            columns[_OPTIONS + letter] = c
            names[_OPTIONS + letter] = texts[c] + letter
        letters = list(LETTERS[: min(len(groups), len(LETTERS))])
    elif not letters and groups:
        columns[_OPTIONS] = groups[0]
        names[_OPTIONS] = texts[groups[0]]
    if letters and "".join(letters) != LETTERS[: len(letters)]:
        absent = [f"选项{ch}" for ch in LETTERS[: LETTERS.index(letters[-1])] if ch not in letters]
        raise SpreadsheetError(
            f"header row {header_row}: option column(s) missing: {', '.join(absent)}",
            f"表头（第{header_row}行）缺少选项列：{'、'.join(absent)}（选项须从A开始连续排列）",
        )
    option_keys = [_OPTIONS + ch for ch in letters]
    return _Layout(
        header_row=header_row,
        columns=columns,
        names=names,
        options=tuple(columns[k] for k in option_keys),
        option_names=tuple(names[k] for k in option_keys),
        used=tuple(sorted(set(columns.values()))),
    )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _text(value: object) -> str:
    """A cell as the clerk sees it: 80 → "80", 1.0 → "1", TRUE stays TRUE, text trimmed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel shows 15 significant digits, so 0.1 + 0.2 reads “0.3” and 1.0 reads “1”.
        return format(value, ".15g")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


# ---------------------------------------------------------------------------------------------------------------
# .xlsx


def _broken(path: Path) -> SpreadsheetError:
    return SpreadsheetError(
        f"{path.name}: the file is damaged or not an Excel workbook (.xlsx)",
        f"文件“{path.name}”已损坏或不是 Excel 文件（.xlsx），请在 Excel 或 WPS 中打开并重新保存后再导入",
    )


@contextmanager
def _open_workbook(path: Path) -> Iterator[Any]:
    try:
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise SpreadsheetError(f"{path}: cannot be read ({exc})", f"无法读取文件“{path.name}”") from exc
    if magic == _OLE_MAGIC:
        raise SpreadsheetError(
            f"{path.name}: an old .xls or password-protected workbook",
            f"文件“{path.name}”是旧版 Excel（.xls）或加了密码的文件，"
            "请在 Excel 或 WPS 中去掉密码并另存为 .xlsx 后再导入",
        )
    if not magic.startswith(b"PK"):
        raise _broken(path)
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (extensions, slicers); they do not matter for reading.
            warnings.simplefilter("ignore")
            # read_only streams rows with flat memory; merged cells are read separately (_merged_ranges).
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged zip or XML fails in many ways inside openpyxl
        raise _broken(path) from exc
    try:
        yield book
    finally:
        book.close()


def _xlsx_sheets(path: Path, book: Any) -> Iterator[tuple[str, Iterator[Row]]]:
    for sheet in book.worksheets:
        if hasattr(sheet, "reset_dimensions"):
            # The stored dimension is often wrong (WPS, generators); without it rows are read as they really are.
            sheet.reset_dimensions()
        member = getattr(sheet, "_worksheet_path", "")
        merges = _merged_ranges(path, member) if isinstance(member, str) and member else []
        yield str(sheet.title), _sheet_rows(path, sheet, merges)


def _merged_ranges(path: Path, member: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges (min_col, min_row, max_col, max_row) of one sheet.

    A read-only workbook has no merged_cells, and the <mergeCells> come after all rows in the sheet's XML, too late
    for the header; so they are found by a quick scan of the raw XML first (cell text cannot hold a raw “<”).
    """
    from openpyxl.utils.cell import range_boundaries

    refs: set[bytes] = set()
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as stream:
            tail = b""
            while chunk := stream.read(1 << 20):
                buffer = tail + chunk
                refs.update(_MERGE_REF.findall(buffer))
                tail = buffer[-256:]  # a tag cut between two chunks is found in the next buffer
    except Exception as exc:  # zipfile, zlib and KeyError for a damaged archive
        raise _broken(path) from exc
    ranges = []
    for ref in refs:
        try:
            bounds = range_boundaries(ref.decode("ascii"))
        except (ValueError, TypeError):
            continue
        min_col, min_row, max_col, max_row = (int(b) for b in bounds)
        if min_col <= MAX_COLUMNS:
            ranges.append((min_col, min_row, min(max_col, MAX_COLUMNS), max_row))
    return ranges


def _sheet_rows(path: Path, sheet: Any, merges: list[tuple[int, int, int, int]]) -> Iterator[Row]:
    """(row number, values) for every row, each merged cell's value copied to every cell the merge covers."""
    starting: dict[int, list[tuple[int, int, int]]] = {}
    for min_col, min_row, max_col, max_row in merges:
        starting.setdefault(min_row, []).append((min_col, max_col, max_row))
    active: list[tuple[int, int, int, object]] = []  # min_col, max_col, max_row, value
    source = sheet.iter_rows(values_only=True)
    number = 0
    while True:
        try:
            raw = next(source)
        except StopIteration:
            return
        except Exception as exc:  # rows are parsed lazily, so a damaged sheet fails only here
            raise _broken(path) from exc
        number += 1  # openpyxl yields an empty row for each row missing from the file, so this is the row number
        values: list[object] = list(raw[:MAX_COLUMNS])
        for min_col, max_col, max_row in starting.pop(number, ()):
            active.append((min_col, max_col, max_row, values[min_col - 1] if min_col <= len(values) else None))
        if active:
            active = [merge for merge in active if merge[2] >= number]
            for min_col, max_col, _, value in active:
                if len(values) < max_col:
                    values.extend([None] * (max_col - len(values)))
                values[min_col - 1 : max_col] = [value] * (max_col - min_col + 1)
        yield number, values


# ---------------------------------------------------------------------------------------------------------------
# .csv


def _csv_rows(path: Path) -> Iterator[Row]:
    encoding = _csv_encoding(path)
    try:
        with path.open(encoding=encoding, newline="") as handle:
            sample = handle.read(_CSV_SAMPLE_CHARS)
        delimiter = _csv_delimiter(sample)
        with path.open(encoding=encoding, newline="") as handle:
            number = 0
            reader = csv.reader(handle, delimiter=delimiter)
            while True:
                number += 1  # a record, as Excel counts rows, even when a quoted cell spans lines
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise SpreadsheetError(
                        f"{path.name}: row {number} cannot be read ({exc})",
                        f"文件“{path.name}”第{number}行附近无法读取（可能是引号不配对），"
                        "请在 Excel 或 WPS 中打开并重新保存",
                    ) from exc
                yield number, cells[:MAX_COLUMNS]
    except (OSError, UnicodeError) as exc:
        raise SpreadsheetError(f"{path}: cannot be read ({exc})", f"无法读取文件“{path.name}”") from exc


def _csv_encoding(path: Path) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030 — what Excel and WPS in China save a CSV as."""
    try:
        with path.open("rb") as handle:
            start = handle.read(4)
        if start.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        for encoding in ("utf-8", "gb18030"):
            if _decodes(path, encoding):
                return encoding
    except OSError as exc:
        raise SpreadsheetError(f"{path}: cannot be read ({exc})", f"无法读取文件“{path.name}”") from exc
    raise SpreadsheetError(
        f"{path.name}: the text encoding is neither UTF-8 nor GBK",
        f"文件“{path.name}”的文字编码无法识别，请在 Excel 或 WPS 中另存为“CSV UTF-8”或 Excel 工作簿（.xlsx）",
    )


def _decodes(path: Path, encoding: str) -> bool:
    # Checked chunk by chunk so a large file is never held in memory as a whole.
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _csv_delimiter(sample: str) -> str:
    """The delimiter under which the header is found; the sniffer's guess is tried first, then comma, tab, semicolon."""
    candidates: list[str] = []
    with suppress(csv.Error):  # the sniffer gives up on one-column or irregular samples
        candidates.append(csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter)
    candidates += [d for d in (",", "\t", ";") if d not in candidates]
    for delimiter in candidates:
        head: list[Row] = []
        try:
            for number, cells in enumerate(csv.reader(io.StringIO(sample), delimiter=delimiter), start=1):
                head.append((number, cells))
                if number == HEADER_SCAN_ROWS:
                    break
        except csv.Error:
            pass  # the sample may end inside a quoted cell
        try:
            layout, _ = _find_layout(head)
        except SpreadsheetError:
            return delimiter  # a header with a problem is still the header; the real read reports the problem
        if layout is not None:
            return delimiter
    return candidates[0]


# ---------------------------------------------------------------------------------------------------------------
# Template


_EXAMPLE_MARK = "【示例，导入前请删除】"
_EXAMPLES: tuple[tuple[str, ...], ...] = (
    (
        "判断",
        "主要负责人、安全管理人员",
        _EXAMPLE_MARK + "生产经营单位的主要负责人是本单位安全生产第一责任人，对本单位的安全生产工作全面负责。",
        *[""] * 6,
        "对",
        "主要负责人是本单位安全生产第一责任人，其他负责人对职责范围内的安全生产工作负责。",
        "《中华人民共和国安全生产法》第五条",
        "1",
    ),
    (
        "单选",
        "主要负责人、安全管理人员、从业人员",
        _EXAMPLE_MARK + "安全生产工作应当坚持（　　）的方针。",
        "安全第一、预防为主、综合治理",
        "预防为主、防治结合、综合治理",
        "安全第一、效益优先、预防为主",
        "生产优先、安全兼顾、综合治理",
        "",
        "",
        "A",
        "安全生产法规定安全生产工作坚持安全第一、预防为主、综合治理的方针。",
        "《中华人民共和国安全生产法》第三条",
        "1",
    ),
    (
        "多选",
        "从业人员",
        _EXAMPLE_MARK + "根据安全生产法，生产经营单位的从业人员有权（　　）。",
        "了解其作业场所和工作岗位存在的危险因素、防范措施及事故应急措施",
        "拒绝违章指挥和强令冒险作业",
        "发现直接危及人身安全的紧急情况时，停止作业或者在采取可能的应急措施后撤离作业场所",
        "嫌麻烦时不佩戴劳动防护用品",
        "",
        "",
        "ABC",
        "A、B、C 是从业人员的知情权、拒绝权和紧急撤离权；正确佩戴和使用劳动防护用品是从业人员的义务。",
        "《中华人民共和国安全生产法》第五十三条、第五十四条、第五十五条、第五十七条",
        "2",
    ),
    (
        "简答",
        "主要负责人",
        _EXAMPLE_MARK + "生产经营单位的主要负责人对本单位安全生产工作负有哪些职责？",
        *[""] * 6,
        "建立健全并落实全员安全生产责任制，加强安全生产标准化建设；组织制定并实施安全生产规章制度和操作规程；"
        "组织制定并实施安全生产教育和培训计划；保证安全生产投入的有效实施；组织建立并落实安全风险分级管控和"
        "隐患排查治理双重预防工作机制，督促、检查安全生产工作，及时消除生产安全事故隐患；组织制定并实施"
        "生产安全事故应急救援预案；及时、如实报告生产安全事故。",
        "答出其中主要几项即可。",
        "《中华人民共和国安全生产法》第二十一条",
        "3",
    ),
)
_COLUMN_WIDTHS = {"题型": 8, "适用岗位": 22, "题干": 50, "答案": 10, "解析": 40, "依据": 34, "难度": 6}
_HELP_ROWS: tuple[tuple[str, str, str], ...] = (
    ("题型", "必填", "判断、单选、多选、简答（也可写“单选题”“单项选择题”“问答题”等）。"),
    ("适用岗位", "必填", "这道题考哪些岗位，多个岗位用顿号、逗号、分号或“/”隔开，如：主要负责人、安全管理人员。"),
    ("题干", "必填", "题目内容，不超过1000字。括号留空处可用“（　　）”。"),
    (
        "选项A～选项H",
        "选择题必填",
        "单选、多选题至少两个选项、最多八个，须从A开始连续填写；判断题、简答题不填。"
        "需要更多选项时可在“选项F”后面加“选项G”“选项H”列。"
        "也可以只用一列“选项”，写成“A．……  B．……”或每个选项一行“A、……”。",
    ),
    (
        "答案",
        "必填",
        "单选：一个字母，如 B；多选：两个及以上字母，如 ABD、A、B、D、Ａ，Ｂ 均可；"
        "判断：对/错、√/×、正确/错误 均可；简答：写参考答案。",
    ),
    ("解析", "选填", "答题后讲给被考人员听的解释。"),
    ("依据", "选填", "出题依据的法规条款，如《中华人民共和国安全生产法》第二十一条。"),
    ("难度", "选填", "1、2、3 或 易、中、难；不填按 2（中）。"),
    ("", "", ""),
    ("其他", "", "第一行是表头，表头上方可以有一行标题；表头名称可用常见写法（如“正确答案”“试题内容”“岗位”）。"),
    ("", "", "标有【示例，导入前请删除】的四行是填写示例，请删除后再填写自己的题目。"),
    ("", "", "空行会被跳过；有问题的行会逐行列出行号和原因，其他行照常导入；完全相同的题目只导入第一次出现的。"),
    ("", "", "保存为 CSV 时可选“CSV UTF-8”或普通 CSV（GBK），逗号、制表符或分号分隔均可。"),
)


def write_template(path: Path) -> None:
    """Write the blank 题库 template (.xlsx): header, drop-downs for 题型/难度, four example rows, a 说明 sheet."""
    if path.suffix.lower() != ".xlsx":
        raise SpreadsheetError(
            f"{path.name}: the template is an .xlsx workbook",
            f"题库模板须保存为 Excel 工作簿（.xlsx），而不是“{path.suffix or '无扩展名'}”",
        )
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = TEMPLATE_SHEET
    sheet.append(list(TEMPLATE_HEADERS))
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.freeze_panes = "A2"
    example_fill = PatternFill("solid", fgColor="FFF2CC")
    for row in _EXAMPLES:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            cell.fill = example_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.cell(row=2, column=3).comment = Comment(
        "黄色的四行是填写示例，请删除后再填写自己的题目。", "安全生产执法助手"
    )
    for index, header in enumerate(TEMPLATE_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _COLUMN_WIDTHS.get(header, 22)

    def drop_down(header: str, choices: str, message: str) -> None:
        letter = get_column_letter(TEMPLATE_HEADERS.index(header) + 1)
        rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        rule.error, rule.errorTitle = message, f"{header}填写有误"
        rule.prompt, rule.promptTitle = message, header
        rule.showErrorMessage = rule.showInputMessage = True
        rule.add(f"{letter}2:{letter}1048576")
        sheet.add_data_validation(rule)

    drop_down("题型", "判断,单选,多选,简答", "请从下拉列表中选择：判断、单选、多选、简答")
    drop_down("难度", "1,2,3", "请选择 1（易）、2（中）或 3（难），不填按 2")

    notes = book.create_sheet(HELP_SHEET)
    notes.append(["列名", "是否必填", "填写说明"])
    for cell in notes[1]:
        cell.font = bold
    for row in _HELP_ROWS:
        notes.append(list(row))
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 12
    notes.column_dimensions["C"].width = 90
    for cells in notes.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    try:
        book.save(path)
    except OSError as exc:
        raise SpreadsheetError(
            f"{path}: cannot be written ({exc})",
            f"无法保存“{path.name}”：文件可能正在被 Excel 或 WPS 打开，或所在文件夹不能写入",
        ) from exc
