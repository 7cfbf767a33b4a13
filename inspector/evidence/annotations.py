"""Annotations drawn on a photo's print copy: arrows, circles, rectangles and text, kept as data.

Coordinates are fractions (0–1) of the upright photo's width and height, so one annotation fits the
original, the thumbnail and the print copy alike, and editing never touches the original bytes.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from inspector.errors import ValidationError

KINDS = ("arrow", "circle", "rect", "text")
KIND_NAMES = {"arrow": "箭头", "circle": "圆圈", "rect": "方框", "text": "文字"}
DEFAULT_COLOR = "#E53935"
MAX_ANNOTATIONS = 200
MAX_TEXT = 200
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Annotation:
    kind: str
    x1: float
    y1: float
    x2: float
    y2: float
    text: str = ""
    color: str = DEFAULT_COLOR

    def to_data(self) -> dict[str, Any]:
        return asdict(self)


def _bad(index: int, en: str, zh: str) -> ValidationError:
    return ValidationError(f"Annotation {index + 1}: {en}", f"第{index + 1}个标注：{zh}")


def parse_annotation(data: Any, index: int = 0) -> Annotation:
    if not isinstance(data, dict):
        raise _bad(index, "not an object.", "格式不正确。")
    kind = data.get("kind")
    if kind not in KINDS:
        raise _bad(index, f"unknown kind {kind!r}.", f"未知的标注类型“{kind}”。")
    coords: list[float] = []
    for key in ("x1", "y1", "x2", "y2"):
        value = data.get(key, 0.0 if kind == "text" and key in ("x2", "y2") else None)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
            raise _bad(index, f"{key} must be a number from 0 to 1.", "位置超出照片范围。")
        coords.append(float(value))
    text = data.get("text", "")
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise _bad(index, f"text must be a string of at most {MAX_TEXT} characters.", f"文字不能超过{MAX_TEXT}字。")
    if kind == "text" and not text.strip():
        raise _bad(index, "a text annotation needs text.", "文字标注不能为空。")
    color = data.get("color", DEFAULT_COLOR)
    if not isinstance(color, str) or not _COLOR.match(color):
        raise _bad(index, f"color {color!r} is not #RRGGBB.", "颜色格式不正确。")
    x1, y1, x2, y2 = coords
    return Annotation(kind, x1, y1, x2, y2, text=text.strip(), color=color.upper())


def parse_annotations(data: Any) -> list[Annotation]:
    if not isinstance(data, list):
        raise ValidationError("Annotations must be a list.", "标注数据格式不正确。")
    if len(data) > MAX_ANNOTATIONS:
        raise ValidationError(
            f"At most {MAX_ANNOTATIONS} annotations per photo.", f"每张照片最多{MAX_ANNOTATIONS}个标注。"
        )
    return [parse_annotation(item, i) for i, item in enumerate(data)]
