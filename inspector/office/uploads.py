"""Blob uploads that survive a dropped connection, into the same content-addressed layout as the laptop's.

Photos go up many to a request (a pack, `receive_pack`); a blob too large for a pack, or one a pack did not
finish, goes by offset in requests of its own (`receive`, `offset`, `complete`).

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
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from anyio import to_thread
from pydantic import ValidationError
from sqlalchemy import Engine, select

from inspector import clock
from inspector.office.auth import Device
from inspector.office.db import insert_ignoring_duplicate, office_blob, reading, writing
from inspector.office.errors import conflict, invalid, not_found
from inspector.office.records import in_scope_blob
from inspector.store.blobs import BlobStore
from inspector.sync.protocol import (
    MAX_PACK_MANIFEST,
    PackEntry,
    PackManifest,
    PackOutcome,
    PackReceipt,
    UploadOffset,
)

WRITE_BUFFER = 256 << 10  # gathered before one write and hash on a worker thread: 256 KiB beat 1 and 4 MiB
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
            await _write_streamed(fh, body, digest)
            if device is None:
                return UploadOffset(sha256=sha256, offset=fh.tell())
            return await to_thread.run_sync(self._finish, sha256, part, fh, digest, device)

    async def receive_pack(self, body: AsyncIterator[bytes], device: Device) -> PackReceipt:
        """Store the blobs of a pack: a manifest line, then each blob's bytes whole, in order.

        Each blob is written to its part file and hashed as it arrives, as a single upload is. A good one is
        fsynced and moved into place on a worker thread while the next arrives; their folders are fsynced and
        their rows written once, for the whole pack, at the end. So a pack of photos costs about what one
        stream of the same bytes does, and still nothing is acknowledged before it is on disk. When the bytes
        end early (a cut, a cancel) the blobs already whole are kept all the same, and the part of the one cut
        short stays for a resume by offset."""
        stream = _PackStream(body)
        manifest = _parse_manifest(await stream.line(MAX_PACK_MANIFEST))
        missing = set(await to_thread.run_sync(self.missing, [e.sha256 for e in manifest.blobs]))
        await to_thread.run_sync(lambda: self.upload_dir.mkdir(parents=True, exist_ok=True))
        outcomes: list[PackOutcome] = []
        kept: list[asyncio.Future[_Kept]] = []
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(1, thread_name_prefix="pack-keeper") as keeper:
            try:
                for entry in manifest.blobs:
                    if entry.sha256 not in missing:
                        got = await stream.skip(entry.size)
                        outcomes.append(PackOutcome(sha256=entry.sha256, status="present", offset=got))
                        if got < entry.size:
                            break
                        continue
                    if await stream.at_end():
                        break
                    outcome, verified = await self._receive_whole(stream, entry)
                    outcomes.append(outcome)
                    if verified is not None:
                        kept.append(loop.run_in_executor(keeper, _keep, verified, self.store))
                    if outcome.status == "incomplete":
                        break
            finally:
                # Also after a dropped connection: whatever arrived whole is kept and recorded.
                done: list[_Kept] = []
                failed: list[BaseException] = []
                for future in kept:
                    try:
                        done.append(await future)
                    except OSError as exc:  # disk full: the others are still recorded
                        failed.append(exc)
                if done:
                    await to_thread.run_sync(self._record_kept, done, device)
                if failed:
                    raise failed[0]
        return PackReceipt(blobs=outcomes)

    async def _receive_whole(self, stream: _PackStream, entry: PackEntry) -> tuple[PackOutcome, _Verified | None]:
        part = self.part_path(entry.sha256)
        fh = await to_thread.run_sync(_lock_part_or_none, part)
        if fh is None:
            await stream.skip(entry.size)
            return PackOutcome(sha256=entry.sha256, status="busy"), None
        handed_over = False
        try:
            await to_thread.run_sync(fh.truncate, 0)  # the pack brings the blob whole: a leftover part goes
            digest = hashlib.sha256()
            received = await _write_streamed(fh, stream.take(entry.size), digest)
            if received < entry.size:
                return PackOutcome(sha256=entry.sha256, status="incomplete", offset=received), None
            if digest.hexdigest() != entry.sha256:
                _close_before_rename(fh)
                await to_thread.run_sync(lambda: part.unlink(missing_ok=True))
                return PackOutcome(sha256=entry.sha256, status="hash_mismatch"), None
            handed_over = True
            return PackOutcome(sha256=entry.sha256, status="stored", offset=received), _Verified(
                entry.sha256, part, fh, received
            )
        finally:
            if not handed_over:
                fh.close()

    def _record_kept(self, kept: list[_Kept], device: Device) -> None:
        folders = {k.folder for k in kept}
        for folder in sorted(folders):
            _fsync_dir(folder)
        if any(k.new_shard for k in kept):
            _fsync_dir(self.store.root)
        now = clock.now()
        with writing(self.engine) as conn:
            for k in kept:
                insert_ignoring_duplicate(
                    conn, office_blob, {"sha256": k.sha256, "size": k.size, "stored_at": now, "uploaded_by": device.id}
                )

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


@dataclass(frozen=True)
class _Verified:
    """A pack's blob whose part file hashed right; its handle is still open (and locked)."""

    sha256: str
    part: Path
    fh: BinaryIO
    size: int


@dataclass(frozen=True)
class _Kept:
    sha256: str
    size: int
    folder: Path
    new_shard: bool


def _keep(blob: _Verified, store: BlobStore) -> _Kept:
    """fsync the part and move it into place; its folder is fsynced later, once for the pack."""
    try:
        os.fsync(blob.fh.fileno())
        target = store.path_of(blob.sha256)
        new_shard = not target.parent.is_dir()
        target.parent.mkdir(parents=True, exist_ok=True)
        _close_before_rename(blob.fh)
        blob.part.replace(target)
    finally:
        blob.fh.close()
    return _Kept(blob.sha256, blob.size, target.parent, new_shard)


def _lock_part_or_none(part: Path) -> BinaryIO | None:
    """The part file opened for appending and locked; None when another upload holds it."""
    fh = part.open("ab")
    if sys.platform != "win32":
        import fcntl

        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            return None
    return fh


def _parse_manifest(line: bytes | None) -> PackManifest:
    if line is None:
        raise invalid(
            f"A pack starts with its manifest: one line of JSON of at most {MAX_PACK_MANIFEST} bytes, then a newline.",
            "文件包格式不正确。",
            code="bad_pack",
        )
    try:
        return PackManifest.model_validate_json(line)
    except ValidationError as exc:
        raise invalid(f"The pack's manifest is not valid: {exc}", "文件包格式不正确。", code="bad_pack") from exc


class _PackStream:
    """A request body read as a manifest line, then runs of exactly so many bytes."""

    def __init__(self, body: AsyncIterator[bytes]) -> None:
        self._body = body.__aiter__()
        self._held = b""
        self._ended = False

    async def _more(self) -> bool:
        if self._ended:
            return False
        try:
            chunk = await anext(self._body)
        except StopAsyncIteration:
            self._ended = True
            return False
        self._held = self._held + chunk if self._held else chunk
        return True

    async def line(self, limit: int) -> bytes | None:
        """The bytes before the first newline (which is consumed); None if none comes within `limit`."""
        while b"\n" not in self._held[: limit + 1]:
            if len(self._held) > limit or not await self._more():
                return None
        line, _, self._held = self._held.partition(b"\n")
        return line

    async def at_end(self) -> bool:
        return not self._held and not await self._more()

    async def take(self, size: int) -> AsyncIterator[bytes]:
        """Up to `size` bytes, as they arrive (fewer if the body ends)."""
        left = size
        while left > 0:
            if not self._held and not await self._more():
                return
            piece, self._held = self._held[:left], self._held[left:]
            left -= len(piece)
            yield piece

    async def skip(self, size: int) -> int:
        got = 0
        async for piece in self.take(size):
            got += len(piece)
        return got


@contextmanager
def _locked_part(part: Path) -> Iterator[BinaryIO]:
    """The part file opened for appending (made if new), locked against other processes where the OS can."""
    fh = _lock_part_or_none(part)
    if fh is None:
        raise conflict(
            "offset_mismatch",
            f"Another upload of {part.stem} is in progress; ask for the offset and resume later.",
            "该文件正在上传，稍后续传。",
        )
    with fh:
        yield fh


async def _write_streamed(fh: BinaryIO, body: AsyncIterator[bytes], digest: Any) -> int:
    """Append the body to `fh` (and `digest`) as it arrives; returns the bytes received. Each piece is written
    and hashed on a worker thread while the next one arrives. Bytes that arrived before a dropped connection
    are written too: the client resumes after them."""
    received = 0
    buffer = bytearray()
    writing_piece: asyncio.Future[None] | None = None
    loop = asyncio.get_running_loop()
    try:
        async for chunk in body:
            received += len(chunk)
            buffer += chunk
            if len(buffer) >= WRITE_BUFFER:
                if writing_piece is not None:
                    await writing_piece
                writing_piece = loop.run_in_executor(None, _write_and_hash, fh, bytes(buffer), digest)
                buffer.clear()
    finally:
        if writing_piece is not None:
            await writing_piece
        if buffer:
            await to_thread.run_sync(_write_and_hash, fh, bytes(buffer), digest)
        await to_thread.run_sync(fh.flush)
    return received


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
