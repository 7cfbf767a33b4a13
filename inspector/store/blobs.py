"""The one content-addressed blob store: photos, signatures and PDFs kept under their SHA-256.

`blobs/ab/abcdef…` holds the bytes whose SHA-256 is `abcdef…`, untouched. A blob is written to a temporary
file in the same folder, flushed to disk (fsync), then renamed into place, so a crash never leaves a
half-written blob under a real name; the same bytes added twice are stored once.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from inspector.errors import InspectorError

_HASH = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


class BlobError(InspectorError):
    code = "blob"


@dataclass(frozen=True)
class BlobCheck:
    sha256: str
    status: str  # ok / missing / changed


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        if not _HASH.match(sha256):
            raise BlobError(f"{sha256!r} is not a SHA-256 hex digest.", "文件标识不正确。")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def put_bytes(self, data: bytes) -> str:
        return self.put_stream(_chunks_of(data))

    def put_file(self, source: Path) -> str:
        """Store a file's bytes as they are (the original is evidence: never re-encoded)."""
        try:
            with source.open("rb") as fh:
                return self.put_stream(_read_chunks(fh))
        except OSError as exc:
            raise BlobError(
                f"Cannot read {source}: {exc.strerror or exc}", f"无法读取文件：{source.name}（{exc.strerror or exc}）"
            ) from exc

    def put_stream(self, chunks: Iterable[bytes]) -> str:
        """Hash while writing to a temporary file; rename it into place only when complete and on disk."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        tmp = self.root / f".incoming-{os.getpid()}-{os.urandom(6).hex()}"
        try:
            with tmp.open("wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path_of(sha)
            if target.exists():
                tmp.unlink()
                return sha
            new_shard = not target.parent.is_dir()
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.replace(target)
            _fsync_dir(target.parent)
            if new_shard:
                _fsync_dir(self.root)  # the new shard folder's own entry must be on disk too
            return sha
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise BlobError(
                f"Could not store the file: {exc.strerror or exc}",
                f"文件保存失败（{exc.strerror or exc}），请检查磁盘空间。已保存的数据不受影响。",
            ) from exc

    def read(self, sha256: str) -> bytes:
        path = self.path_of(sha256)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise BlobError(f"Blob {sha256} is missing.", "文件缺失。") from exc

    def verify(self, sha256: str) -> BlobCheck:
        """Hash the stored bytes again: ok, missing, or changed since they were stored."""
        path = self.path_of(sha256)
        if not path.is_file():
            return BlobCheck(sha256, "missing")
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in _read_chunks(fh):
                digest.update(chunk)
        return BlobCheck(sha256, "ok" if digest.hexdigest() == sha256 else "changed")

    def all_hashes(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                for path in sorted(folder.iterdir()):
                    if _HASH.match(path.name):
                        yield path.name

    def leftovers(self) -> list[Path]:
        """Temporary files of writes that never finished (a crash): never visible as blobs, safe to remove."""
        return sorted(self.root.glob(".incoming-*")) if self.root.is_dir() else []


def _chunks_of(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), _CHUNK):
        yield data[start : start + _CHUNK]
    if not data:
        yield b""


def _read_chunks(fh: BinaryIO) -> Iterator[bytes]:
    while chunk := fh.read(_CHUNK):
        yield chunk


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the folder entry is on disk; Windows has no directory fsync.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
