"""The renderer: a pure function from a document's content to the bytes of its A4 PDF.

Layout follows the official 式样: the title block (安全生产行政执法文书 / title / number), the body blocks
of the form, signature and seal blocks, the copy footer, a continuation page (附页) for a list that does
not fit its box, and the 证据照片附页. Text is set in the shipped 宋体 (GB2312); a character the 宋体 lacks
(rare characters in names, e.g. 堃, 喆) falls back to the shipped 文泉驿微米黑 for that character only, so
nothing prints as a blank box. Both fonts are embedded (subset) so the PDF prints the same anywhere.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from string import Formatter
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as paragraph_module
from reportlab.platypus.doctemplate import LayoutError

from inspector.documents.forms import Block, Form, SignatureRole
from inspector.domain.enums import DocumentKind
from inspector.errors import InspectorError
from inspector.resources import DOCUMENT_FONT_FILE, UI_FONT_FILE, resource_path

SONG = "InspectorSong"  # 宋体 (GB2312 coverage)
FALLBACK = "InspectorFallback"  # 文泉驿微米黑: rare characters, titles
BLANK = "＿＿＿＿＿＿"  # an empty field prints as a line to fill in by hand
MARGIN_X = 25 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
BODY_SIZE = 12  # 小四
LEADING = 21


class RenderError(InspectorError):
    code = "render"


@dataclass(frozen=True)
class SignatureMark:
    role: str
    name: str
    cert_no: str = ""
    image_png: bytes | None = None
    signed_at: str = ""
    refused: bool = False
    refusal_witness: str = ""


@dataclass(frozen=True)
class AppendixPhoto:
    jpeg: bytes  # the print copy (upright, annotated, watermark strip)
    caption: str
    sha256: str  # of the original
    taken_at: str


@dataclass(frozen=True)
class DocumentContent:
    kind: DocumentKind
    number_text: str
    fields: dict[str, Any]
    agency_name: str
    signatures: tuple[SignatureMark, ...] = ()
    photos: tuple[AppendixPhoto, ...] = ()
    draft: bool = True
    created_at: datetime | None = field(default=None, compare=False)

    def content_sha256(self) -> str:
        """The hash the QR code carries: of the number, the kind and every field, not of the PDF bytes."""
        canonical = json.dumps(
            {"kind": self.kind.value, "number": self.number_text, "fields": self.fields},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ─── fonts ───────────────────────────────────────────────────────────────────────────────────────────


@cache
def _register_fonts() -> tuple[frozenset[int], frozenset[int]]:
    song = TTFont(SONG, str(resource_path(*DOCUMENT_FONT_FILE)))
    fallback = TTFont(FALLBACK, str(resource_path(*UI_FONT_FILE)), subfontIndex=0)
    pdfmetrics.registerFont(song)
    pdfmetrics.registerFont(fallback)
    # Binary streams: reportlab's ASCII85 encoding of embedded JPEGs is slow pure Python and 25 % larger.
    rl_config.useA85 = 0
    # 避头点: Chinese punctuation never starts a line (reportlab's list lacks the full-width ones).
    paragraph_module.ALL_CANNOT_START += "，。、；：？！）》〕」』”’"
    return frozenset(song.face.charToGlyph), frozenset(fallback.face.charToGlyph)


def markup(text: str) -> str:
    """Escape text for a Paragraph and switch to the fallback font for characters the 宋体 lacks."""
    song, fallback = _register_fonts()
    out: list[str] = []
    run: list[str] = []
    in_fallback = False
    for ch in text:
        code = ord(ch)
        needs = code not in song and code > 0x7F and ch not in "\n" and code in fallback
        if needs != in_fallback and run:
            chunk = escape("".join(run))
            out.append(f'<font name="{FALLBACK}">{chunk}</font>' if in_fallback else chunk)
            run = []
        in_fallback = needs
        run.append(ch)
    if run:
        chunk = escape("".join(run))
        out.append(f'<font name="{FALLBACK}">{chunk}</font>' if in_fallback else chunk)
    return "".join(out).replace("\n", "<br/>")


def missing_glyphs(text: str) -> set[str]:
    """Characters neither shipped font can print (tests and the renderer's own check)."""
    song, fallback = _register_fonts()
    return {ch for ch in text if ord(ch) > 0x7F and ord(ch) not in song and ord(ch) not in fallback and ch != "\n"}


# ─── styles ──────────────────────────────────────────────────────────────────────────────────────────


@cache
def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = ParagraphStyle("body", fontName=SONG, fontSize=BODY_SIZE, leading=LEADING, wordWrap="CJK")
    return {
        "body": base,
        "indent": ParagraphStyle("indent", parent=base, firstLineIndent=2 * BODY_SIZE),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10.5, leading=15),
        "head": ParagraphStyle("head", parent=base, fontSize=10.5, leading=15, alignment=TA_CENTER),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "series": ParagraphStyle("series", parent=base, fontSize=14, leading=20, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title", parent=base, fontName=FALLBACK, fontSize=22, leading=30, alignment=TA_CENTER, spaceBefore=4
        ),
        "number": ParagraphStyle("number", parent=base, alignment=TA_CENTER, spaceBefore=6, spaceAfter=10),
        "appendix": ParagraphStyle("appendix", parent=base, fontName=FALLBACK, fontSize=15, leading=22),
        "left": ParagraphStyle("left", parent=base, alignment=TA_LEFT),
    }


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(markup(text), _styles()[style])


# ─── filling placeholders ────────────────────────────────────────────────────────────────────────────


class _Filler(Formatter):
    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, int):
            raise RenderError(f"positional placeholder {{{key}}} in a form", "文书模板有误。")
        if key not in kwargs:
            raise RenderError(f"The form needs field {key!r}, which the document does not have.", "文书缺少字段。")
        return kwargs[key]

    def format_field(self, value: Any, format_spec: str) -> str:
        # {name:opt} is an optional part of a sentence: empty prints nothing instead of a blank line.
        if value is None or value == "":
            return "" if format_spec == "opt" else BLANK
        return str(super().format_field(value, "" if format_spec == "opt" else format_spec))


_FILLER = _Filler()


def fill(template: str, values: dict[str, Any]) -> str:
    return _FILLER.vformat(template, (), values)


def _truthy(values: dict[str, Any], condition: str) -> bool:
    if not condition:
        return True
    negate = condition.startswith("!")
    value = values.get(condition.lstrip("!"))
    return (not value) if negate else bool(value)


# ─── blocks ──────────────────────────────────────────────────────────────────────────────────────────

_TEXT_WIDTH = A4[0] - 2 * MARGIN_X


def _fields_table(block: Block, values: dict[str, Any]) -> Table:
    rows: list[list[Any]] = []
    widest = max(len(row) for row in block.rows)
    for row in block.rows:
        cells: list[Any] = []
        for label, template in row:
            cells.append(_p(f"{label}：", "cell"))
            cells.append(_p(fill(template, values), "cell"))
        span = (widest - len(row)) * 2
        cells.extend([""] * span)
        rows.append(cells)
    label_widths = [
        min(46 * mm, max((len(row[c][0]) + 1) * 10.5 + 6 for row in block.rows if len(row) > c)) for c in range(widest)
    ]
    value_width = (_TEXT_WIDTH - sum(label_widths)) / widest
    table = Table(rows, colWidths=[w for lw in label_widths for w in (lw, value_width)])
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), SONG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for n, row in enumerate(block.rows):
        if len(row) < widest:  # a single wide field spans the rest of the line
            style.append(("SPAN", (len(row) * 2 - 1, n), (-1, n)))
        for c in range(len(row)):
            style.append(("LINEBELOW", (c * 2 + 1, n), (c * 2 + 1 if len(row) == widest else -1, n), 0.4, colors.grey))
    table.setStyle(TableStyle(style))
    return table


def _entries(values: dict[str, Any], source: str) -> list[dict[str, Any]]:
    entries = values.get(source, [])
    if not isinstance(entries, list):
        raise RenderError(f"Field {source!r} must be a list.", "文书数据有误。")
    return [dict(values, **e, n=n) for n, e in enumerate(entries, start=1)]


def _items(block: Block, values: dict[str, Any], continuation: list[Flowable]) -> list[Flowable]:
    entries = _entries(values, block.source)
    if not entries:
        return [_p(block.empty or "（无）", "indent")]
    limit = block.first_page_limit or len(entries)
    shown = [_p(f"{e['n']}. {fill(block.item, e)}", "indent") for e in entries[:limit]]
    rest = entries[limit:]
    if rest:
        shown.append(_p(f"（此栏不够，另附页：续第{limit + 1}—{len(entries)}项）", "indent"))
        continuation.append(_p(f"（续）{fill(block.text, values) if block.text else ''}", "body"))
        continuation.extend(_p(f"{e['n']}. {fill(block.item, e)}", "indent") for e in rest)
    return shown


def _table(block: Block, values: dict[str, Any]) -> list[Flowable]:
    entries = _entries(values, block.source)
    if not entries:
        return [_p(block.empty or "（无）", "indent")]
    total = sum(c.width for c in block.columns)
    widths = [_TEXT_WIDTH * c.width / total for c in block.columns]
    data: list[list[Any]] = [[_p(c.title, "head") for c in block.columns]]
    for e in entries:
        data.append([_p(fill("{" + c.key + ":opt}", e), "cell") for c in block.columns])
    table = Table(data, colWidths=widths, repeatRows=1)  # the header repeats on every page it continues to
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), SONG),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    out: list[Flowable] = []
    if block.text:
        out.append(_p(fill(block.text, values)))
    out.append(table)
    return out


def _signature_image(png: bytes) -> Image:
    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    height = 11 * mm
    return Image(io.BytesIO(png), width=height * w / max(h, 1), height=height)


def _signatures(block: Block, marks: Sequence[SignatureMark]) -> list[Flowable]:
    rows: list[list[Any]] = []
    for role in block.roles:
        signed = [m for m in marks if m.role == role.role]
        lines: list[SignatureMark | None] = list(signed) or [None] * role.count
        for n, mark in enumerate(lines):
            label = _p(role.label if n == 0 else "", "cell")
            rows.append([label, *_signature_cells(role, mark)])
    table = Table(rows, colWidths=[62 * mm, 48 * mm, _TEXT_WIDTH - 110 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), SONG),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [Spacer(1, 4 * mm), table]


def _signature_cells(role: SignatureRole, mark: SignatureMark | None) -> list[Any]:
    if mark is None:
        return [_p(BLANK + "＿＿", "cell"), _p(f"证号：{BLANK}" if role.with_cert else "", "cell")]
    if mark.refused:
        witness = f"，见证人：{mark.refusal_witness}" if mark.refusal_witness else ""
        return [_p(f"{mark.name}（拒绝签名{witness}）", "cell"), _p(mark.signed_at, "small")]
    who: Any = _signature_image(mark.image_png) if mark.image_png else _p(mark.name, "cell")
    detail = f"证号：{mark.cert_no}" if role.with_cert else ""
    if mark.signed_at:
        detail = f"{detail}  {mark.signed_at}".strip()
    return [who, _p(detail, "small")]


def _seal(block: Block, values: dict[str, Any], agency: str) -> list[Flowable]:
    return [
        Spacer(1, 6 * mm),
        _p(f"{agency}（印章）", "right"),
        _p(fill(block.date, values) if block.date else BLANK, "right"),
    ]


def _body(form: Form, content: DocumentContent, continuation: list[Flowable]) -> list[Flowable]:
    values = content.fields
    story: list[Flowable] = []
    for block in form.blocks:
        if not _truthy(values, block.when):
            continue
        if block.type == "addressee":
            story.append(_p(fill(block.text, values), "left"))
        elif block.type == "paragraph":
            story.append(_p(fill(block.text, values), "indent" if block.indent else "body"))
        elif block.type == "fields":
            story.append(_fields_table(block, values))
        elif block.type == "items":
            if block.text:
                story.append(_p(fill(block.text, values), "indent"))
            story.extend(_items(block, values, continuation))
        elif block.type == "table":
            story.extend(_table(block, values))
        elif block.type == "signatures":
            story.append(KeepTogether(_signatures(block, content.signatures)))
        elif block.type == "seal":
            seal = _seal(block, values, content.agency_name)
            if form.copies:  # the copy footer stays on the page of the seal
                seal += [Spacer(1, 4 * mm), _p(form.copies, "small")]
            story.append(KeepTogether(seal))
        elif block.type == "note":
            story.append(_p(fill(block.text, values), "small"))
        elif block.type == "spacer":
            story.append(Spacer(1, 5 * mm))
    if form.copies and not any(b.type == "seal" for b in form.blocks):
        story.extend([Spacer(1, 4 * mm), _p(form.copies, "small")])
    return story


def _appendix(form: Form, content: DocumentContent) -> list[Flowable]:
    story: list[Flowable] = [PageBreak(), _p("证据照片附页", "appendix"), Spacer(1, 3 * mm)]
    box_w, box_h = _TEXT_WIDTH, 92 * mm  # two photos to a page
    for n, photo in enumerate(content.photos, start=1):
        # A file object of JPEG bytes: reportlab embeds the JPEG as it is (DCTDecode), without decoding it.
        w, h = ImageReader(io.BytesIO(photo.jpeg)).getSize()
        scale = min(box_w / w, box_h / h)
        image = Image(io.BytesIO(photo.jpeg), width=w * scale, height=h * scale)
        caption = _p(f"照片{n}：{photo.caption or '（无说明）'}　拍摄：{photo.taken_at}", "cell")
        digest = _p(f"原始文件 SHA-256：{photo.sha256}", "small")
        story.append(CondPageBreak(h * scale + 20 * mm))
        story.append(KeepTogether([image, Spacer(1, 1.5 * mm), caption, digest, Spacer(1, 5 * mm)]))
    return story


# ─── pages ───────────────────────────────────────────────────────────────────────────────────────────


def _draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """The QR code drawn as filled squares (reportlab's widget would pull in an unembedded Helvetica)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    count = code.getModuleCount()
    quiet = 2
    cell = size / (count + 2 * quiet)
    canvas.saveState()
    canvas.setFillColor(colors.black)
    for row in range(count):
        for column in range(count):
            if code.isDark(row, column):
                canvas.rect(x + (column + quiet) * cell, y + size - (row + quiet + 1) * cell, cell, cell, 0, 1)
    canvas.restoreState()


def _canvas_class(form: Form, content: DocumentContent, qr_payload: str) -> type[Canvas]:
    """A canvas that knows the page count before it draws page numbers (two passes over saved pages)."""
    number = content.number_text

    class DocumentCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for page in self._pages:
                self.__dict__.update(page)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            page = self.getPageNumber()
            width, height = A4
            self.setFont(SONG, 9)
            self.setFillColor(colors.black)
            self.drawCentredString(width / 2, 11 * mm, f"第 {page} 页  共 {total} 页")
            if page == 1:
                _draw_qr(self, qr_payload, width - MARGIN_X - 16 * mm, height - 34 * mm, 22 * mm)
                self.setFont(SONG, 6)
                self.drawRightString(width - MARGIN_X + 6 * mm, height - 37 * mm, "扫码核验")
            else:
                self.setFont(SONG, 9)
                self.drawString(MARGIN_X, height - 14 * mm, f"{form.title}（续页）")
                if number:
                    self.drawRightString(width - MARGIN_X, height - 14 * mm, number)
                self.setStrokeColor(colors.grey)
                self.line(MARGIN_X, height - 15.5 * mm, width - MARGIN_X, height - 15.5 * mm)
            if content.draft:
                self.saveState()
                self.setFont(FALLBACK, 60)
                self.setFillColor(colors.Color(0.85, 0.85, 0.85, alpha=0.45))
                self.translate(width / 2, height / 2)
                self.rotate(35)
                self.drawCentredString(0, 0, "草稿  未生效")
                self.restoreState()

    return DocumentCanvas


def qr_payload(content: DocumentContent) -> str:
    return f"INSPECTOR-DOC|{content.number_text or '草稿'}|{content.content_sha256()}"


def render_document(form: Form, content: DocumentContent) -> bytes:
    """The PDF bytes of one document: deterministic for the same content (no clock, no random ids)."""
    if form.kind is not content.kind:
        raise RenderError(f"Form {form.kind} does not match document {content.kind}.", "文书模板与文书种类不符。")
    _check_glyphs(content.fields.values())
    payload = qr_payload(content)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{form.title} {content.number_text}".strip(),
        author=content.agency_name,
        subject=payload,
        creator="Inspector 安全生产现场执法助手",
        invariant=1,  # the same content gives the same bytes (no timestamps or random ids in the file)
        initialFontName=SONG,  # not Helvetica: every font the PDF names is embedded
    )
    story: list[Flowable] = [
        _p("安全生产行政执法文书", "series"),
        _p(form.title, "title"),
        _p(content.number_text or ("（草稿，签发时编号）" if form.numbered else ""), "number"),
    ]
    continuation: list[Flowable] = []
    story.extend(_body(form, content, continuation))
    if continuation:
        story.extend([PageBreak(), _p(f"{form.title}附页", "appendix"), Spacer(1, 3 * mm), *continuation])
    if form.photo_appendix and content.photos:
        story.extend(_appendix(form, content))
    try:
        doc.build(story, canvasmaker=_canvas_class(form, content, payload))
    except LayoutError as exc:
        # A table cell taller than a page (a name or address of thousands of characters, typed or synced in):
        # reportlab cannot split it, and a PDF that silently cut it short would be a wrong document.
        raise RenderError(
            f"A field of the {form.title} is too long to fit on a page ({str(exc)[:200]}).",
            f"{form.title}中有内容过长，一页放不下（如单位名称、地址），请删减后再生成文书。",
        ) from exc
    return out.getvalue()


def _check_glyphs(values: Iterable[Any]) -> None:
    text = json.dumps(list(values), ensure_ascii=False, default=str)
    missing = missing_glyphs(text)
    if missing:
        chars = "".join(sorted(missing))
        raise RenderError(
            f"No shipped font has the characters {chars!r}.",
            f"文书中有字体无法显示的字符：{chars}，请改用常用字或同音字并注明。",
        )
