"""Images made from an original, never replacing it: the gallery thumbnail and the print copy.

Thumbnails are a cache under `derived/thumbs/` (made at ingest, remade on demand for photos that arrived
by sync). The print copy is drawn when it is needed: the upright photo, the annotation layer on top, and a
watermark strip below it (time, place, inspection number, inspectors, the original's SHA-256), so the
strip never hides part of the evidence.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from inspector.evidence.annotations import Annotation
from inspector.evidence.images import THUMBNAIL_SIZE, decode_scaled, thumbnail_jpeg
from inspector.resources import UI_FONT_FILE, resource_path
from inspector.store.blobs import BlobError, BlobStore
from inspector.store.crypto import CryptoError

PRINT_LONG_SIDE = 2400  # ≈ 20 cm at 300 dpi: the width of an A4 page's text block
PRINT_STYLE = 1  # bump when the drawing of print copies changes: cached copies are then made again


@dataclass(frozen=True)
class Watermark:
    taken_at: str  # as shown: "2026-11-28 10:32（拍摄）"
    place: str
    inspection_label: str  # 案号 or the inspection's short number
    inspectors: str
    sha256: str

    def lines(self) -> list[str]:
        return [
            f"时间：{self.taken_at}    地点：{self.place or '—'}",
            f"检查：{self.inspection_label}    检查人员：{self.inspectors or '—'}",
            f"原始照片 SHA-256：{self.sha256}",
        ]


class DerivedImages:
    """The cache of images made from originals; in an encrypted folder its files are sealed like the blobs."""

    def __init__(self, root: Path, blobs: BlobStore) -> None:
        self.root = Path(root)
        self.blobs = blobs

    def thumbnail_file(self, sha256: str) -> Path:
        return self.root / "thumbs" / sha256[:2] / f"{sha256}-{THUMBNAIL_SIZE}.jpg"

    def save_thumbnail(self, sha256: str, data: bytes) -> Path:
        return self._save(self.thumbnail_file(sha256), data)

    def thumbnail(self, sha256: str) -> bytes:
        """The thumbnail's JPEG bytes, made from the original first if it is not cached yet."""
        target = self.thumbnail_file(sha256)
        cached = self._load(target)
        if cached is not None:
            return cached
        if not self.blobs.has(sha256):
            raise BlobError(f"The original {sha256} is missing.", "照片原件缺失，无法生成缩略图。")
        with self.blobs.open(sha256) as original:
            data = thumbnail_jpeg(original, name=sha256)
        with contextlib.suppress(OSError):  # only a cache
            self.save_thumbnail(sha256, data)
        return data

    def upright(self, sha256: str, long_side: int = PRINT_LONG_SIDE) -> Image.Image:
        with self.blobs.open(sha256) as original:
            return decode_scaled(original, long_side, name=sha256)

    def print_copy(
        self, sha256: str, annotations: list[Annotation], watermark: Watermark, *, long_side: int = PRINT_LONG_SIDE
    ) -> bytes:
        """The print copy's JPEG: drawn once per version of annotations and watermark, then reused."""
        key = hashlib.sha256(
            json.dumps(
                [sha256, [a.to_data() for a in annotations], watermark.lines(), long_side, PRINT_STYLE],
                ensure_ascii=False,
            ).encode()
        ).hexdigest()
        cached_file = self.root / "print" / key[:2] / f"{key}.jpg"
        cached = self._load(cached_file)
        if cached is not None:
            return cached
        data = render_print_copy(self.upright(sha256, long_side), annotations, watermark)
        try:
            self._save(cached_file, data)
        except OSError as exc:
            raise BlobError(
                f"Cannot write the print copy: {exc.strerror or exc}",
                f"无法生成打印副本（{exc.strerror or exc}），请检查磁盘空间。",
            ) from exc
        return data

    def _save(self, target: Path, data: bytes) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        cipher = self.blobs.cipher
        tmp = target.with_name(f".{target.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
        tmp.write_bytes(data if cipher is None else cipher.seal(data, target.name.encode()))
        tmp.replace(target)  # readers never see half a file
        return target

    def _load(self, target: Path) -> bytes | None:
        """The cached bytes, or None when absent or unreadable (a cache is made again, never trusted blindly)."""
        try:
            stored = target.read_bytes()
        except OSError:
            return None
        cipher = self.blobs.cipher
        if cipher is None:
            return stored
        try:
            return cipher.open(stored, target.name.encode(), label=target.name)
        except CryptoError:
            return None


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(resource_path(*UI_FONT_FILE)), size)


def draw_annotations(image: Image.Image, annotations: list[Annotation]) -> Image.Image:
    """A copy of `image` with the annotations drawn on it, scaled to its size."""
    out = image.convert("RGB")
    draw = ImageDraw.Draw(out)
    w, h = out.size
    stroke = max(2, round(max(w, h) / 300))
    for a in annotations:
        x1, y1, x2, y2 = a.x1 * w, a.y1 * h, a.x2 * w, a.y2 * h
        box = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
        if a.kind == "rect":
            draw.rectangle(box, outline=a.color, width=stroke)
        elif a.kind == "circle":
            draw.ellipse(box, outline=a.color, width=stroke)
        elif a.kind == "arrow":
            _arrow(draw, (x1, y1), (x2, y2), a.color, stroke)
        elif a.kind == "text":
            font = _font(max(14, round(max(w, h) / 40)))
            left, top, right, bottom = draw.textbbox((x1, y1), a.text, font=font)
            pad = stroke
            draw.rectangle((left - pad, top - pad, right + pad, bottom + pad), fill="white")
            draw.text((x1, y1), a.text, fill=a.color, font=font)
    return out


def _arrow(
    draw: ImageDraw.ImageDraw, tail: tuple[float, float], head: tuple[float, float], color: str, width: int
) -> None:
    draw.line((tail, head), fill=color, width=width)
    angle = math.atan2(head[1] - tail[1], head[0] - tail[0])
    size = width * 6
    left = (head[0] - size * math.cos(angle - math.pi / 7), head[1] - size * math.sin(angle - math.pi / 7))
    right = (head[0] - size * math.cos(angle + math.pi / 7), head[1] - size * math.sin(angle + math.pi / 7))
    draw.polygon((head, left, right), fill=color)


def render_print_copy(photo: Image.Image, annotations: list[Annotation], watermark: Watermark) -> bytes:
    annotated = draw_annotations(photo, annotations)
    w, h = annotated.size
    font_size = max(12, round(w / 60))
    font = _font(font_size)
    lines = watermark.lines()
    line_height = round(font_size * 1.45)
    strip = line_height * len(lines) + font_size
    sheet = Image.new("RGB", (w, h + strip), "white")
    sheet.paste(annotated, (0, 0))
    draw = ImageDraw.Draw(sheet)
    draw.rectangle((0, h, w, h + strip), fill="#1F3A5F")
    y = h + font_size // 2
    for line in lines:
        draw.text((font_size // 2, y), _fit(draw, line, font, w - font_size), fill="white", font=font)
        y += line_height
    out = io.BytesIO()
    sheet.save(out, "JPEG", quality=88)
    return out.getvalue()


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"
