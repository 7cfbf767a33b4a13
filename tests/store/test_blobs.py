"""The content-addressed blob store: stored once, never half-written, checked again on demand."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from inspector.store.blobs import BlobError, BlobStore
from inspector.store.db import Store


def test_bytes_are_stored_under_their_hash_once(store: Store) -> None:
    blobs = store.blobs
    data = b"\xff\xd8\xff\xe0 a photo" * 1000
    sha = blobs.put_bytes(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert blobs.path_of(sha) == store.blob_dir / sha[:2] / sha
    assert blobs.read(sha) == data
    assert blobs.put_bytes(data) == sha  # the same photo twice is stored once
    assert list(blobs.all_hashes()) == [sha]
    assert blobs.leftovers() == []


def test_files_and_empty_input(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    source = tmp_path / "现场 照片 (1).jpg"
    source.write_bytes(os.urandom(3 * (1 << 20) + 17))  # spans several chunks
    sha = blobs.put_file(source)
    assert blobs.read(sha) == source.read_bytes()
    empty = blobs.put_bytes(b"")
    assert empty == hashlib.sha256(b"").hexdigest() and blobs.read(empty) == b""
    with pytest.raises(BlobError) as err:
        blobs.put_file(tmp_path / "missing.jpg")
    assert "无法读取" in err.value.message_zh


def test_verify_reports_changed_and_missing(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    kept, changed, gone = (blobs.put_bytes(x) for x in (b"kept", b"changed", b"gone"))
    blobs.path_of(changed).write_bytes(b"edited behind the app's back")
    blobs.path_of(gone).unlink()
    assert [blobs.verify(s).status for s in (kept, changed, gone)] == ["ok", "changed", "missing"]


def test_a_path_that_is_not_a_hash_is_refused(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    for bad in ("../../etc/passwd", "ab" * 40, "A" * 64, ""):
        with pytest.raises(BlobError):
            blobs.path_of(bad)


def test_a_failing_write_stores_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    first = blobs.put_bytes(b"already here")

    def disk_full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(BlobError) as err:
        blobs.put_bytes(b"new photo")
    assert "磁盘空间" in err.value.message_zh
    monkeypatch.undo()
    assert list(blobs.all_hashes()) == [first] and blobs.leftovers() == []

    def broken() -> object:
        yield b"half a photo"
        raise OSError(errno.EIO, "read error")

    with pytest.raises(BlobError):
        blobs.put_stream(broken())  # type: ignore[arg-type]
    assert list(blobs.all_hashes()) == [first] and blobs.leftovers() == []


def test_killed_mid_write_leaves_no_blob_under_a_real_name(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    child = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from inspector.store.blobs import BlobStore
        def slow():
            for _ in range(1000):
                yield b"x" * 65536
                print("chunk", flush=True)
                time.sleep(0.01)
        BlobStore(Path({str(root)!r})).put_stream(slow())
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for _ in range(5):
        assert proc.stdout.readline() == "chunk\n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    blobs = BlobStore(root)
    assert list(blobs.all_hashes()) == []
    assert len(blobs.leftovers()) == 1  # the unfinished temporary file, never visible as a blob


def test_a_killed_writers_temporary_file_is_removed_at_the_next_open(tmp_path: Path) -> None:
    from inspector.store.db import open_store

    store = open_store(tmp_path / "data")
    store.close()
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    dead_pid = int(gone.stdout)  # a process that has exited: its unfinished write will never be finished
    root = tmp_path / "data" / "blobs"
    abandoned = root / f".incoming-{dead_pid}-abcdef"
    abandoned.write_bytes(b"half a photo")
    writing = root / f".incoming-{os.getpid()}-123456"  # a write still going on in a live process
    writing.write_bytes(b"a photo being written")
    open_store(tmp_path / "data").close()
    assert not abandoned.exists()
    assert writing.exists()
