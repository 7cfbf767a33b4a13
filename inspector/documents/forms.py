"""Form templates (`forms/*.toml`): the fixed wording and layout of each 执法文书 kind, as data.

A form is a list of blocks drawn top to bottom under the official title block. Text holds placeholders
`{name}` filled from the document's fields; a field left empty prints as a blank line to fill by hand,
as the paper forms do. `forms/README.md` documents every block type and field.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from inspector.domain.enums import DocumentKind
from inspector.resources import form_path
from inspector.tomlfiles import Problem, ProblemsError

BLOCK_TYPES = ("addressee", "paragraph", "fields", "items", "table", "signatures", "seal", "note", "spacer")
FORM_FILES: dict[DocumentKind, str] = {
    DocumentKind.INSPECTION_PLAN: "inspection_plan.toml",
    DocumentKind.INSPECTION_RECORD: "inspection_record.toml",
    DocumentKind.RECTIFICATION_ORDER: "rectification_order.toml",
    DocumentKind.ON_SITE_MEASURES: "on_site_measures.toml",
    DocumentKind.COERCIVE_MEASURES: "coercive_measures.toml",
    DocumentKind.REVIEW_OPINION: "review_opinion.toml",
    DocumentKind.INQUIRY_NOTICE: "inquiry_notice.toml",
    DocumentKind.PENALTY_NOTICE: "penalty_notice.toml",
    DocumentKind.PENALTY_DECISION_UNIT: "penalty_decision_unit.toml",
    DocumentKind.PENALTY_DECISION_PERSON: "penalty_decision_person.toml",
    DocumentKind.SERVICE_RECEIPT: "service_receipt.toml",
}


class FormError(ProblemsError):
    kind_en = "form template"
    kind_zh = "文书模板"


@dataclass(frozen=True)
class Column:
    title: str
    key: str
    width: float = 1.0  # relative


@dataclass(frozen=True)
class SignatureRole:
    role: str  # matches Signature.role: 检查人员 / 被检查单位负责人 / 见证人 / 专家 / 受送达人 …
    label: str  # printed: "安全生产行政执法人员（签名）："
    with_cert: bool = False  # print 证号 after each name (执法人员)
    count: int = 1  # lines printed when nobody has signed yet


@dataclass(frozen=True)
class Block:
    type: str
    text: str = ""
    when: str = ""  # print only when this field is truthy ("!name": when it is falsy)
    rows: tuple[tuple[tuple[str, str], ...], ...] = ()  # fields: rows of (label, value template)
    source: str = ""  # items / table: the list field
    item: str = ""  # items: template of one entry
    empty: str = ""  # items / table: printed when the list is empty
    first_page_limit: int = 0  # items: entries beyond this go to a continuation page (另附页)
    columns: tuple[Column, ...] = ()
    roles: tuple[SignatureRole, ...] = ()
    date: str = ""  # seal: the date template
    indent: bool = True  # paragraph: first-line indent of two characters


@dataclass(frozen=True)
class Form:
    kind: DocumentKind
    version: str
    title: str
    numbered: bool
    copies: str  # 本文书一式两份……
    blocks: tuple[Block, ...]
    photo_appendix: bool = False
    sources: tuple[str, ...] = field(default=())
    file: str = ""

    def placeholders(self) -> set[str]:
        names: set[str] = set()
        for b in self.blocks:
            for text in (b.text, b.item, b.date, *(v for row in b.rows for _, v in row)):
                names |= placeholders_in(text)
            if b.source:
                names.add(b.source)
            for key in (b.when.lstrip("!"),):
                if key:
                    names.add(key)
        return names


def placeholders_in(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


_LINE = re.compile(r"^\s*\[\[block\]\]", re.M)


def parse_form(text: str, file: str, kind: DocumentKind) -> Form:
    problems: list[Problem] = []
    block_lines = [text.count("\n", 0, m.start()) + 1 for m in _LINE.finditer(text)]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FormError([Problem(file, getattr(exc, "lineno", None), "", f"not valid TOML: {exc}")]) from exc

    def need(mapping: dict[str, Any], key: str, where: str, line: int | None, kinds: type | tuple[type, ...]) -> Any:
        value = mapping.get(key)
        if not isinstance(value, kinds):
            problems.append(Problem(file, line, where, f"{key} is missing or has the wrong type"))
            return None
        return value

    if data.get("kind") != kind.value:
        problems.append(Problem(file, 1, "", f"kind must be {kind.value!r}, found {data.get('kind')!r}"))
    version = need(data, "version", "", 1, str) or ""
    title = need(data, "title", "", 1, str) or ""
    copies = need(data, "copies", "", 1, str) or ""
    blocks: list[Block] = []
    for n, raw in enumerate(data.get("block", [])):
        line = block_lines[n] if n < len(block_lines) else None
        where = f"block {n + 1}"
        btype = raw.get("type")
        if btype not in BLOCK_TYPES:
            problems.append(
                Problem(file, line, where, f"unknown block type {btype!r} (one of {', '.join(BLOCK_TYPES)})")
            )
            continue
        try:
            blocks.append(_block(raw, btype))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(Problem(file, line, where, f"bad {btype} block: {exc}"))
            continue
        b = blocks[-1]
        if btype in ("items", "table") and not b.source:
            problems.append(Problem(file, line, where, f"a {btype} block needs source"))
        if btype == "table" and not b.columns:
            problems.append(Problem(file, line, where, "a table block needs columns"))
        if btype == "signatures" and not b.roles:
            problems.append(Problem(file, line, where, "a signatures block needs roles"))
        for template in (b.text, b.item, b.date):
            try:
                placeholders_in(template)
            except ValueError as exc:
                problems.append(Problem(file, line, where, f"bad placeholder in {template!r}: {exc}"))
    if not blocks and not problems:
        problems.append(Problem(file, None, "", "a form needs at least one block"))
    if problems:
        raise FormError(problems)
    return Form(
        kind=kind,
        version=version,
        title=title,
        numbered=bool(data.get("numbered", True)),
        copies=copies,
        blocks=tuple(blocks),
        photo_appendix=bool(data.get("photo_appendix", False)),
        sources=tuple(str(s) for s in data.get("sources", [])),
        file=file,
    )


def _block(raw: dict[str, Any], btype: str) -> Block:
    rows = tuple(tuple((str(label), str(value)) for label, value in row) for row in raw.get("rows", []))
    columns = tuple(Column(str(c["title"]), str(c["key"]), float(c.get("width", 1.0))) for c in raw.get("columns", []))
    roles = tuple(
        SignatureRole(str(r["role"]), str(r["label"]), bool(r.get("with_cert", False)), int(r.get("count", 1)))
        for r in raw.get("roles", [])
    )
    allowed = {
        "type", "text", "when", "rows", "source", "item", "empty", "first_page_limit", "columns", "roles", "date",
        "indent",
    }  # fmt: skip
    unknown = set(raw) - allowed
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    return Block(
        type=btype,
        text=str(raw.get("text", "")),
        when=str(raw.get("when", "")),
        rows=rows,
        source=str(raw.get("source", "")),
        item=str(raw.get("item", "")),
        empty=str(raw.get("empty", "")),
        first_page_limit=int(raw.get("first_page_limit", 0)),
        columns=columns,
        roles=roles,
        date=str(raw.get("date", "")),
        indent=bool(raw.get("indent", True)),
    )


def load_form_file(path: Path, kind: DocumentKind) -> Form:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormError([Problem(path.name, None, "", f"cannot be read: {exc}")]) from exc
    return parse_form(text, path.name, kind)


@cache
def load_form(kind: DocumentKind) -> Form:
    """The shipped form of a kind (cached: forms change with the app, not while it runs)."""
    return load_form_file(form_path(FORM_FILES[kind]), kind)
