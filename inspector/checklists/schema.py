"""The checklist file format (TOML, one file per checklist) and its validation.

A file reads:

    [checklist]
    code = "coal"                       # a-z, 0-9 and "-"; the template's stable name
    revision = 1                        # bump on every change; started inspections keep their revision
    title = "煤矿安全检查表"
    industry = "煤矿"                   # an Industry value, or "通用" for the general section
    sources = ["《煤矿重大事故隐患判定标准》（应急管理部令第4号）"]
    include = ["general"]               # other checklists whose sections are appended (optional)

    [[sections]]
    code = "coal-01"
    title = "超能力、超强度或者超定员组织生产"

    [[sections.items]]
    code = "coal-01-01"                 # unique across the checklist and what it includes
    content = "检查内容 …"               # what to check, as the inspector reads it on site
    method = "检查方法 …"                # how to check it on site
    basis = "《…》（文号）第X条第（Y）项"   # where the rule is: standard, 文号, article/item
    basis_text = "…"                    # the clause quoted exactly (required for 重大事故隐患 items)
    grade = "重大事故隐患"               # the grade a failure implies: 一般隐患 or 重大事故隐患
    unconfirmed = false                 # true when the clause could not be checked against an official text
    note = ""                           # optional: where an unconfirmed clause came from

Every problem is reported with the file, the line and the item code where it can be located.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.domain.enums import HazardGrade, Industry
from inspector.tomlfiles import DataFileError, LineFinder, Problem, ProblemsError, code_lines, loads, read_text

GENERAL_INDUSTRY = "通用"
CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TEXT = 2000
MAX_REVISION = 1_000_000

_CHECKLIST_KEYS = {"code", "revision", "title", "industry", "sources", "include"}
_SECTION_KEYS = {"code", "title", "items"}
_ITEM_KEYS = {"code", "content", "method", "basis", "basis_text", "grade", "unconfirmed", "note"}


class ChecklistFileError(ProblemsError):
    code = "checklist_file"
    kind_en = "checklist file"
    kind_zh = "检查表文件"


@dataclass(frozen=True)
class ItemDef:
    code: str
    content: str
    method: str
    basis: str
    basis_text: str
    grade: HazardGrade
    unconfirmed: bool
    note: str


@dataclass(frozen=True)
class SectionDef:
    code: str
    title: str
    items: tuple[ItemDef, ...]


@dataclass(frozen=True)
class ChecklistDef:
    code: str
    revision: int
    title: str
    industry: str
    sources: tuple[str, ...]
    include: tuple[str, ...]
    sections: tuple[SectionDef, ...]
    path: Path | None = None
    sha256: str = ""
    item_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def item_count(self) -> int:
        return sum(len(s.items) for s in self.sections)

    def with_included(self, others: dict[str, ChecklistDef]) -> ChecklistDef:
        """This checklist with the sections of the ones it includes appended, codes still unique."""
        sections = list(self.sections)
        seen = {item.code for s in sections for item in s.items}
        for code in self.include:
            other = others.get(code)
            if other is None:
                raise ChecklistFileError([Problem(self._name, None, "include", f"unknown checklist {code!r}")])
            for section in other.sections:
                clash = seen & {item.code for item in section.items}
                if clash:
                    raise ChecklistFileError(
                        [Problem(self._name, None, "include", f"item codes also in {code!r}: {sorted(clash)}")]
                    )
                seen |= {item.code for item in section.items}
                sections.append(section)
        digest = hashlib.sha256(self.sha256.encode())
        for code in self.include:
            digest.update(others[code].sha256.encode())
        return ChecklistDef(
            code=self.code,
            revision=self.revision,
            title=self.title,
            industry=self.industry,
            sources=self.sources + tuple(s for c in self.include for s in others[c].sources),
            include=(),
            sections=tuple(sections),
            path=self.path,
            sha256=digest.hexdigest() if self.include else self.sha256,
        )

    @property
    def _name(self) -> str:
        return self.path.name if self.path else self.code


class _Collector:
    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.next_line = LineFinder(text).next_line

    def add(self, where: str, reason: str, *, line: int | None = None) -> None:
        self.problems.append(Problem(self.name, line, where, reason))

    def text_field(self, table: dict[str, Any], key: str, where: str, *, line: int | None, required: bool) -> str:
        raw = table.get(key, "")
        if not isinstance(raw, str):
            self.add(where, f"{key} must be text", line=line)
            return ""
        value = raw.strip()
        if required and not value:
            self.add(where, f"{key} is missing or empty", line=line)
        if len(value) > MAX_TEXT:
            self.add(where, f"{key} is longer than {MAX_TEXT} characters", line=line)
        return value

    def unknown_keys(self, table: dict[str, Any], allowed: set[str], where: str, *, line: int | None) -> None:
        for key in sorted(set(table) - allowed):
            self.add(where, f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})", line=line)


def parse_checklist_text(text: str, *, name: str = "<text>", path: Path | None = None) -> ChecklistDef:
    """Parse and validate one checklist; raise ChecklistFileError listing every problem."""
    try:
        data: dict[str, Any] = loads(text)
    except DataFileError as exc:
        raise ChecklistFileError([Problem(name, exc.line, "", exc.reason)]) from exc
    c = _Collector(name, text)
    head = data.get("checklist")
    if not isinstance(head, dict):
        c.add("[checklist]", "the [checklist] table is missing")
        raise ChecklistFileError(c.problems)
    c.unknown_keys(data, {"checklist", "sections"}, "top level", line=None)
    c.unknown_keys(head, _CHECKLIST_KEYS, "[checklist]", line=None)
    code = c.text_field(head, "code", "[checklist]", line=None, required=True)
    head_line = c.next_line(code) if code else None
    if code and not CODE_PATTERN.match(code):
        c.add("[checklist]", f"code {code!r} may hold only a-z, 0-9 and single hyphens", line=head_line)
    revision = head.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool) or not 1 <= revision <= MAX_REVISION:
        c.add("[checklist]", f"revision must be a whole number from 1 to {MAX_REVISION}")
        revision = 0
    title = c.text_field(head, "title", "[checklist]", line=head_line, required=True)
    industry = c.text_field(head, "industry", "[checklist]", line=head_line, required=True)
    known_industries = {i.value for i in Industry} | {GENERAL_INDUSTRY}
    if industry and industry not in known_industries:
        c.add("[checklist]", f"industry {industry!r} is not one of: {', '.join(sorted(known_industries))}")
    sources = head.get("sources", [])
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and s.strip() for s in sources):
        c.add("[checklist]", "sources must be a non-empty list of texts naming the standards (with 文号)")
        sources = []
    include = head.get("include", [])
    if not isinstance(include, list) or not all(isinstance(s, str) for s in include):
        c.add("[checklist]", "include must be a list of checklist codes")
        include = []

    raw_sections = data.get("sections")
    sections: list[SectionDef] = []
    if not isinstance(raw_sections, list) or not raw_sections:
        c.add("[[sections]]", "a checklist needs at least one section")
        raw_sections = []
    section_codes: set[str] = set()
    item_codes: set[str] = set()
    for s_index, raw in enumerate(raw_sections, start=1):
        if not isinstance(raw, dict):
            c.add(f"section {s_index}", "must be a table")
            continue
        s_code = c.text_field(raw, "code", f"section {s_index}", line=None, required=True)
        s_where = f"section {s_code or s_index}"
        s_line = c.next_line(s_code) if s_code else None
        c.unknown_keys(raw, _SECTION_KEYS, s_where, line=s_line)
        if s_code and s_code in section_codes:
            c.add(s_where, "section code used twice", line=s_line)
        section_codes.add(s_code)
        s_title = c.text_field(raw, "title", s_where, line=s_line, required=True)
        raw_items = raw.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            c.add(s_where, "a section needs at least one item", line=s_line)
            raw_items = []
        items: list[ItemDef] = []
        for i_index, item in enumerate(raw_items, start=1):
            parsed = _parse_item(c, item, f"{s_where} item {i_index}", item_codes)
            if parsed is not None:
                items.append(parsed)
        sections.append(SectionDef(code=s_code, title=s_title, items=tuple(items)))
    if c.problems:
        raise ChecklistFileError(c.problems)
    return ChecklistDef(
        code=code,
        revision=revision,
        title=title,
        industry=industry,
        sources=tuple(s.strip() for s in sources),
        include=tuple(include),
        sections=tuple(sections),
        path=path,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        item_lines={code: lines[0] for code, lines in code_lines(text).items() if code in item_codes},
    )


def _parse_item(c: _Collector, item: Any, where: str, seen: set[str]) -> ItemDef | None:
    if not isinstance(item, dict):
        c.add(where, "must be a table")
        return None
    code = c.text_field(item, "code", where, line=None, required=True)
    line = c.next_line(code) if code else None
    if code:
        where = f"item {code}"
        if not CODE_PATTERN.match(code):
            c.add(where, "code may hold only a-z, 0-9 and single hyphens", line=line)
        if code in seen:
            c.add(where, "item code used twice", line=line)
        seen.add(code)
    c.unknown_keys(item, _ITEM_KEYS, where, line=line)
    content = c.text_field(item, "content", where, line=line, required=True)
    method = c.text_field(item, "method", where, line=line, required=True)
    basis = c.text_field(item, "basis", where, line=line, required=True)
    if basis and "《" not in basis:
        c.add(where, "basis must name the standard or law in 《》 with its article", line=line)
    basis_text = c.text_field(item, "basis_text", where, line=line, required=False)
    note = c.text_field(item, "note", where, line=line, required=False)
    unconfirmed = item.get("unconfirmed", False)
    if not isinstance(unconfirmed, bool):
        c.add(where, "unconfirmed must be true or false", line=line)
        unconfirmed = False
    raw_grade = item.get("grade", "")
    try:
        grade = HazardGrade(raw_grade)
    except ValueError:
        c.add(where, f"grade must be 一般隐患 or 重大事故隐患, not {raw_grade!r}", line=line)
        return None
    if grade is HazardGrade.MAJOR and not basis_text and not unconfirmed:
        c.add(where, "a 重大事故隐患 item must quote its clause in basis_text", line=line)
    if unconfirmed and not note:
        c.add(where, "an unconfirmed item must say in note where its text came from", line=line)
    return ItemDef(
        code=code,
        content=content,
        method=method,
        basis=basis,
        basis_text=basis_text,
        grade=grade,
        unconfirmed=unconfirmed,
        note=note,
    )


def parse_checklist_file(path: Path) -> ChecklistDef:
    try:
        text = read_text(path)
    except DataFileError as exc:
        # A file that cannot be opened is named in full: its folder may be what is wrong.
        name = path.name if exc.line is not None else str(path)
        raise ChecklistFileError([Problem(name, exc.line, "", exc.reason)]) from exc
    return parse_checklist_text(text, name=path.name, path=path)
