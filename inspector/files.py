"""Writing a file the user asked for (a PDF, a print copy, an export): whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

from inspector.errors import InspectorError


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: a half-written file never sits under the name."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InspectorError(
            f"Cannot write {path}: {exc.strerror or exc}",
            f"无法写入文件 {path}（{exc.strerror or exc}），请检查磁盘空间和权限。",
            code="write",
        ) from exc
