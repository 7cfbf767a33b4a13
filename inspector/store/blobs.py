"""The one content-addressed blob store: photos, signatures and PDFs kept under their SHA-256.

`blobs/ab/abcdef…` holds the bytes whose SHA-256 is `abcdef…`, untouched. A blob is written to a temporary
file in the same folder, flushed to disk (fsync), then renamed into place, so a crash never leaves a
half-written blob under a real name; the same bytes added twice are stored once.

In an encrypted data folder the file holds the bytes sealed with AES-256-GCM (`crypto.FileCipher`, bound to the
blob's name); the name is still the SHA-256 of the plain bytes, so sync and document hashes do not change.
Read blobs through `read`, `open` or `read_range`, never through their path.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from inspector.errors import InspectorError
from inspector.store.crypto import CryptoError, FileCipher, plain_size

_HASH = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


class BlobError(InspectorError):
    code = "blob"


@dataclass(frozen=True)
class BlobCheck:
    sha256: str
    status: str  # ok / missing / changed


class BlobStore:
    def __init__(self, root: Path, cipher: FileCipher | None = None) -> None:
        self.root = Path(root)
        self.cipher = cipher

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
                if self.cipher is None:
                    for chunk in chunks:
                        digest.update(chunk)
                        out.write(chunk)
                else:
                    self.cipher.seal_stream(_hashing(chunks, digest), out, lambda: digest.hexdigest().encode())
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
        return b"".join(self.read_range(sha256))

    def open(self, sha256: str) -> BinaryIO:
        """The plain bytes as a file object (decrypted into memory in an encrypted folder)."""
        if self.cipher is None:
            try:
                return self.path_of(sha256).open("rb")
            except FileNotFoundError as exc:
                raise _missing(sha256) from exc
        return io.BytesIO(self.read(sha256))

    def size(self, sha256: str) -> int:
        """The plain size in bytes (0 if missing)."""
        try:
            stored = self.path_of(sha256).stat().st_size
        except FileNotFoundError:
            return 0
        return stored if self.cipher is None else plain_size(stored)

    def read_range(self, sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The plain bytes [start, end) in pieces, without holding the blob whole."""
        path = self.path_of(sha256)
        try:
            fh = path.open("rb")
        except FileNotFoundError as exc:
            raise _missing(sha256) from exc
        with fh:
            pieces = _read_chunks(fh) if self.cipher is None else self._opened(fh, sha256)
            if self.cipher is None and start:
                fh.seek(start)
                position = start
            else:
                position = 0
            for piece in pieces:
                piece_end = position + len(piece)
                if piece_end > start:
                    yield piece[max(0, start - position) : None if end is None else max(0, end - position)]
                position = piece_end
                if end is not None and position >= end:
                    return

    def _opened(self, fh: BinaryIO, sha256: str) -> Iterator[bytes]:
        assert self.cipher is not None
        try:
            yield from self.cipher.open_stream(fh, sha256.encode(), label=sha256)
        except CryptoError as exc:
            raise BlobError(exc.message_en, exc.message_zh, code="blob_damaged") from exc

    def verify(self, sha256: str) -> BlobCheck:
        """Hash the stored bytes again: ok, missing, or changed since they were stored."""
        if not self.path_of(sha256).is_file():
            return BlobCheck(sha256, "missing")
        digest = hashlib.sha256()
        try:
            for chunk in self.read_range(sha256):
                digest.update(chunk)
        except BlobError:
            return BlobCheck(sha256, "changed")
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

    def remove_stale_leftovers(self) -> int:
        """Delete the temporary files of writes whose process is gone (a crash or a kill left them); a write
        still running in another process keeps its file. Returns how many were removed."""
        removed = 0
        for path in self.leftovers():
            if _writer_alive(path):
                continue
            try:
                path.unlink()
                removed += 1
            except OSError:
                continue  # another process removed it, or it is still open on Windows: next time
        return removed


STALE_LEFTOVER_SECONDS = 24 * 3600


def _writer_alive(path: Path) -> bool:
    """Whether the process that named this temporary file (".incoming-<pid>-<random>") may still be writing."""
    if os.name != "posix":
        # No signal-0 probe on Windows (os.kill would terminate the process): a day-old file is abandoned.
        try:
            return time.time() - path.stat().st_mtime < STALE_LEFTOVER_SECONDS
        except OSError:
            return True
    try:
        pid = int(path.name.split("-")[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, another user's
    return True


def _missing(sha256: str) -> BlobError:
    return BlobError(f"Blob {sha256} is missing.", "文件缺失。")


def _hashing(chunks: Iterable[bytes], digest: Any) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk


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
