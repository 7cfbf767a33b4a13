"""One accessor for resources/ and forms/, from a checkout and from the PyInstaller bundle alike."""

from __future__ import annotations

import sys
from pathlib import Path

from inspector.errors import InspectorError


def _root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def _resolve(base: str, parts: tuple[str, ...]) -> Path:
    top = (_root() / base).resolve()
    path = top.joinpath(*parts).resolve()
    if path != top and top not in path.parents:
        raise InspectorError(
            f"Resource path {'/'.join(parts)!r} escapes {base}/",
            "资源路径不合法。",
            code="resource_path",
        )
    return path


def resource_path(*parts: str) -> Path:
    """A path under resources/ (fonts, checklists, question banks, icons, translations)."""
    return _resolve("resources", parts)


def form_path(*parts: str) -> Path:
    """A path under forms/ (enforcement-document templates)."""
    return _resolve("forms", parts)


UI_FONT_FILE = ("fonts", "wqy-microhei.ttc")  # sans, broad coverage: screens
DOCUMENT_FONT_FILE = ("fonts", "gbsn00lp.ttf")  # GB2312 宋体: printed documents
