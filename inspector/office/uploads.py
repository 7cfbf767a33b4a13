"""Blob uploads that survive a dropped connection, into the same content-addressed layout as the laptop's.

The bytes of an unfinished upload are in `<blob dir>/.uploads/<sha256>.part`; a chunk is appended only at the
offset the office has, so a client that lost track asks for the offset and carries on from there. Completing
hashes the part: a match is flushed to disk and renamed into `<blob dir>/ab/abcdef…` (BlobStore's layout), a
mismatch is thrown away. On POSIX an upload's part file is locked (flock) while a chunk is written or the upload
is completed, so two server processes never interleave bytes of the same blob.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from anyio import to_thread
from sqlalchemy import Engine, select

from inspector import clock
from inspector.office.auth import Device
from inspector.office.db import insert_ignoring_duplicate, office_blob, reading, writing
from inspector.office.errors import conflict, not_found
from inspector.office.records import in_scope_blob
from inspector.store.blobs import BlobStore
from inspector.sync.protocol import UploadOffset

WRITE_BUFFER = 1 << 20  # bytes gathered from the request before one write (and hash) on a worker thread
_READ_CHUNK = 1 << 20


class BlobUploads:
    def __init__(self, engine: Engine, blob_dir: Path) -> None:
        self.engine = engine
        self.store = BlobStore(blob_dir)
        self.upload_dir = Path(blob_dir) / ".uploads"

    def part_path(self, sha256: str) -> Path:
        self.store.path_of(sha256)  # checks the digest's form
        return self.upload_dir / f"{sha256}.part"

    def _stored_size(self, sha256: str) -> int | None:
        """The blob's size when the office has it, on record and on disk."""
        with reading(self.engine) as conn:
            size = conn.execute(select(office_blob.c.size).where(office_blob.c.sha256 == sha256)).scalar_one_or_none()
        if size is None or not self.store.has(sha256):
            return None
        return int(size)

    def missing(self, hashes: list[str]) -> list[str]:
        wanted = list(dict.fromkeys(hashes))
        if not wanted:
            return []
        with reading(self.engine) as conn:
            known = {
                r.sha256 for r in conn.execute(select(office_blob.c.sha256).where(office_blob.c.sha256.in_(wanted)))
            }
        return [h for h in wanted if h not in known or not self.store.has(h)]

    def offset(self, sha256: str, device: Device | None = None) -> UploadOffset:
        size = self._stored_size(sha256)
        if size is None and device is not None:
            size = self._adopt(sha256, device)
        if size is not None:
            return UploadOffset(sha256=sha256, offset=size, complete=True)
        part = self.part_path(sha256)
        return UploadOffset(sha256=sha256, offset=part.stat().st_size if part.exists() else 0)

    async def receive(
        self, sha256: str, offset: int, body: AsyncIterator[bytes], *, device: Device | None = None
    ) -> UploadOffset:
        """Append the request body to the part file, written as it arrives (never held whole in memory).

        With `device` (the last chunk) the upload is completed too: the bytes are hashed as they arrive when
        the whole blob came in this request, else the part is hashed again."""
        size = await to_thread.run_sync(self._stored_size, sha256)
        if size is not None:
            return UploadOffset(sha256=sha256, offset=size, complete=True)
        part = self.part_path(sha256)
        await to_thread.run_sync(lambda: self.upload_dir.mkdir(parents=True, exist_ok=True))
        digest = hashlib.sha256() if offset == 0 and device is not None else None
        with _locked_part(part) as fh:
            current = fh.seek(0, os.SEEK_END)
            if current != offset:
                raise conflict(
                    "offset_mismatch",
                    f"The upload of {sha256} is at offset {current}, not {offset}; ask for the offset and resume.",
                    "上传位置不一致，正在重新续传。",
                )
            buffer = bytearray()
            # The previous piece is written and hashed on a worker thread while the next one arrives.
            writing_piece: asyncio.Future[None] | None = None
            loop = asyncio.get_running_loop()
            try:
                async for chunk in body:
                    buffer += chunk
                    if len(buffer) >= WRITE_BUFFER:
                        if writing_piece is not None:
                            await writing_piece
                        writing_piece = loop.run_in_executor(None, _write_and_hash, fh, bytes(buffer), digest)
                        buffer.clear()
            finally:
                # Bytes that arrived before a dropped connection are kept: the client resumes after them.
                if writing_piece is not None:
                    await writing_piece
                if buffer:
                    await to_thread.run_sync(_write_and_hash, fh, bytes(buffer), digest)
                await to_thread.run_sync(fh.flush)
            if device is None:
                return UploadOffset(sha256=sha256, offset=fh.tell())
            return await to_thread.run_sync(self._finish, sha256, part, fh, digest, device)

    def _adopt(self, sha256: str, device: Device) -> int | None:
        """A blob on disk with no row: the office stopped between the rename and the insert. Its bytes are
        hashed again; a whole blob is recorded (no second upload), anything else is removed."""
        path = self.store.path_of(sha256)
        if not path.is_file():
            return None
        digest = hashlib.sha256()
        with path.open("rb") as source:
            while chunk := source.read(_READ_CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            path.unlink(missing_ok=True)
            return None
        size = path.stat().st_size
        with writing(self.engine) as conn:
            insert_ignoring_duplicate(
                conn, office_blob, {"sha256": sha256, "size": size, "stored_at": clock.now(), "uploaded_by": device.id}
            )
        return size

    def complete(self, sha256: str, device: Device) -> UploadOffset:
        size = self._stored_size(sha256)
        if size is not None:
            return UploadOffset(sha256=sha256, offset=size, complete=True)
        part = self.part_path(sha256)
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        with _locked_part(part) as fh:
            return self._finish(sha256, part, fh, None, device)

    def _finish(self, sha256: str, part: Path, fh: BinaryIO, digest: Any, device: Device) -> UploadOffset:
        """Check the part (hashing it again unless `digest` saw every byte), then make it the blob, durably."""
        fh.flush()
        if digest is None:
            digest = hashlib.sha256()
            with part.open("rb") as source:
                while chunk := source.read(_READ_CHUNK):
                    digest.update(chunk)
        if digest.hexdigest() != sha256:
            got = part.stat().st_size
            _close_before_rename(fh)
            part.unlink(missing_ok=True)
            raise conflict(
                "hash_mismatch",
                f"The {got} bytes uploaded hash to {digest.hexdigest()}, not {sha256}; they were discarded.",
                "文件校验失败，已丢弃，请重新上传。",
            )
        os.fsync(fh.fileno())
        size = part.stat().st_size
        target = self.store.path_of(sha256)
        new_shard = not target.parent.is_dir()
        target.parent.mkdir(parents=True, exist_ok=True)
        _close_before_rename(fh)
        part.replace(target)
        _fsync_dir(target.parent)
        if new_shard:
            _fsync_dir(self.store.root)
        with writing(self.engine) as conn:
            insert_ignoring_duplicate(
                conn, office_blob, {"sha256": sha256, "size": size, "stored_at": clock.now(), "uploaded_by": device.id}
            )
        return UploadOffset(sha256=sha256, offset=size, complete=True)

    def path_for(self, sha256: str, device: Device) -> Path:
        """The stored blob, if a record the device may see references it or the device uploaded it."""
        self.store.path_of(sha256)
        with reading(self.engine) as conn:
            row = conn.execute(select(office_blob.c.uploaded_by).where(office_blob.c.sha256 == sha256)).first()
            allowed = row is not None and (row.uploaded_by == device.id or in_scope_blob(conn, device, sha256))
        path = self.store.path_of(sha256)
        if not allowed or not path.is_file():
            raise not_found(f"No blob {sha256} for this device.", "文件不存在。")
        return path


@contextmanager
def _locked_part(part: Path) -> Iterator[BinaryIO]:
    """The part file opened for appending (made if new), locked against other processes where the OS can."""
    fh = part.open("ab")
    try:
        if sys.platform != "win32":
            import fcntl

            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise conflict(
                    "offset_mismatch",
                    f"Another upload of {part.stem} is in progress; ask for the offset and resume later.",
                    "该文件正在上传，稍后续传。",
                ) from exc
        yield fh
    finally:
        fh.close()


def _write_and_hash(fh: BinaryIO, data: bytes, digest: Any) -> None:
    fh.write(data)
    if digest is not None:
        digest.update(data)


def _close_before_rename(fh: BinaryIO) -> None:
    # Windows cannot rename or delete an open file; POSIX keeps the lock held until the rename is done.
    if sys.platform == "win32":
        fh.close()


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
