"""Reading the project's TOML data files (checklists, question banks) with line numbers for every problem."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from inspector.errors import InspectorError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file: where (file, line, item) and why."""

    file: str
    line: int | None
    where: str
    reason: str

    def __str__(self) -> str:
        location = f"{self.file}:{self.line}" if self.line else self.file
        return f"{location}: {self.where}: {self.reason}" if self.where else f"{location}: {self.reason}"


class ProblemsError(InspectorError):
    """A data file that cannot be used; `problems` lists every one found, not just the first."""

    kind_en: ClassVar[str] = "data file"
    kind_zh: ClassVar[str] = "数据文件"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        summary = "\n".join(str(p) for p in problems)
        super().__init__(
            f"{len(problems)} problem(s) in {self.kind_en}:\n{summary}",
            f"{self.kind_zh}有{len(problems)}处错误：\n{summary}",
        )


class DataFileError(Exception):
    """A data file that cannot be read at all: (line or None, reason)."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def code_lines(text: str) -> dict[str, list[int]]:
    """Line numbers of every `code = "…"` in the file, in order (tomllib reports no positions)."""
    lines: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"""^\s*code\s*=\s*(?:"([^"]*)"|'([^']*)')""", line)
        if match:
            lines.setdefault(match.group(1) if match.group(1) is not None else match.group(2), []).append(number)
    return lines


class LineFinder:
    """The line of each visited `code = "<code>"`, so a duplicate code points at itself, not the first."""

    def __init__(self, text: str) -> None:
        self._lines = code_lines(text)
        self._used: dict[str, int] = {}

    def next_line(self, code: str) -> int | None:
        seen = self._used.get(code, 0)
        self._used[code] = seen + 1
        lines = self._lines.get(code, [])
        return lines[seen] if seen < len(lines) else (lines[-1] if lines else None)


def loads(text: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.14 gives exc.lineno; before that the line is only in the message.
        found = re.search(r"at line (\d+)", str(exc))
        line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
        raise DataFileError(line, f"not valid TOML: {exc}") from exc


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError(None, f"cannot read: {exc.strerror or exc}") from exc
    try:
        return raw.decode("utf-8-sig")  # Windows editors may save with a byte-order mark
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        # TOML is UTF-8 only. Notepad and WPS on a Chinese Windows save "ANSI", which is GBK: name it, so the
        # fix is obvious; decoding it as GBK would be a guess that can turn bytes into the wrong characters.
        reason = f"not UTF-8 text (byte 0x{raw[exc.start]:02X} cannot be decoded)"
        try:
            raw.decode("gb18030")
        except UnicodeDecodeError:
            raise DataFileError(line, f"{reason}; save the file as UTF-8") from exc
        raise DataFileError(line, f"{reason}; it looks GBK-encoded: save it as UTF-8 (另存为 UTF-8 编码)") from exc
