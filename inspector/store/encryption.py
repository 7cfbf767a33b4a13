"""Turning a data folder's encryption on: a new folder, or a clear-text folder of an earlier version, once.

`encrypt_folder` writes the keyring first, marked as pending, and then encrypts what is in the folder: the
database (SQLCipher's `sqlcipher_export` into a new file renamed over the old one), the migration backups, and
every blob (each sealed into a temporary file and renamed over its clear copy). The derived-image cache is
deleted; it is made again, encrypted, when needed. Every step can be repeated, and a file already encrypted is
recognised and skipped, so a crash or power cut part way leaves a folder that the next `open_store` finishes
(`finish_interrupted`) before it reads anything. Only then is the pending mark removed.

A clear file overwritten this way may still be readable from the disk's free blocks (SSDs especially) until
the space is reused; the README says so.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector.errors import StoreError
from inspector.store import crypto
from inspector.store.crypto import FolderKey, NewKeyring

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
PENDING = "pending"  # keyring key: encryption of the folder's contents has not finished

# (done, total, what) — the UI shows it; raising from it stops the work, which resumes at the next open.
Progress = Callable[[int, int, str], None]


def connect_encrypted(path: Path, key: FolderKey) -> Any:
    """A plain DB-API connection to an encrypted database (backups, export)."""
    import sqlcipher3

    conn = sqlcipher3.connect(str(path))
    conn.execute(f'PRAGMA key = "{key.sqlcipher_key()}"')
    return conn


def encrypt_folder(
    data_dir: Path, passphrase: str, *, scrypt_n: int = crypto.SCRYPT_N, progress: Progress | None = None
) -> NewKeyring:
    """Encrypt the data folder under a new key (new or clear-text folder); returns the key and recovery key."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    db_path = data_dir / "inspector.sqlite"
    if db_path.exists():
        # Bring the clear database to this version's schema first, through the one way a folder is opened.
        from inspector.store.db import open_store

        open_store(data_dir).close()
    created = crypto.create_keyring(data_dir, passphrase, scrypt_n=scrypt_n)
    _set_pending(data_dir, True)
    finish_interrupted(data_dir, created.key, progress=progress)
    return created


def finish_interrupted(data_dir: Path, key: FolderKey, *, progress: Progress | None = None) -> None:
    """Complete an encryption that was started and not finished (a no-op for a finished folder)."""
    if not _pending(data_dir):
        return
    log.info("encrypting the contents of %s", data_dir)
    _encrypt_database(data_dir / "inspector.sqlite", key)
    backups = data_dir / "backups"
    if backups.is_dir():
        for backup in sorted(backups.glob("*.sqlite")):
            _encrypt_database(backup, key)
    shutil.rmtree(data_dir / "derived", ignore_errors=True)
    _encrypt_blobs(data_dir / "blobs", key, progress)
    _set_pending(data_dir, False)


def _encrypt_database(path: Path, key: FolderKey) -> None:
    if not path.exists() or not _is_clear_sqlite(path):
        return
    import sqlcipher3

    staged = path.with_name(path.name + ".encrypting")
    staged.unlink(missing_ok=True)
    plain = sqlcipher3.connect(str(path))
    try:
        # Out of WAL first, so that no clear -wal file is left beside the encrypted database.
        plain.execute("PRAGMA journal_mode=DELETE")
        plain.execute(f'ATTACH DATABASE ? AS encrypted KEY "{key.sqlcipher_key()}"', (str(staged),))
        plain.execute("SELECT sqlcipher_export('encrypted')")
        plain.execute("DETACH DATABASE encrypted")
    except sqlcipher3.DatabaseError as exc:
        staged.unlink(missing_ok=True)
        raise StoreError(
            f"Could not encrypt {path}: {exc}; the clear database was left as it was.",
            f"数据库加密失败（{exc}），原数据未改动。",
        ) from exc
    finally:
        plain.close()
    _fsync(staged)
    staged.replace(path)
    _fsync_dir(path.parent)


def _encrypt_blobs(blob_dir: Path, key: FolderKey, progress: Progress | None) -> None:
    if not blob_dir.is_dir():
        return
    for leftover in blob_dir.glob(".incoming-*"):
        leftover.unlink(missing_ok=True)  # a write that never finished: not a blob
    files = [p for shard in sorted(blob_dir.iterdir()) if shard.is_dir() for p in sorted(shard.iterdir())]
    cipher = key.file_cipher()
    for done, path in enumerate(files):
        if progress is not None:
            progress(done, len(files), path.name)
        if crypto.is_sealed(path):
            continue
        staged = path.with_name(f".{path.name}.encrypting")
        with path.open("rb") as source, staged.open("wb") as out:
            cipher.seal_stream(iter(lambda: source.read(crypto.PIECE), b""), out, path.name.encode)
            out.flush()
            os.fsync(out.fileno())
        staged.replace(path)
    for shard in blob_dir.iterdir():
        if shard.is_dir():
            _fsync_dir(shard)
    if progress is not None:
        progress(len(files), len(files), "")


def _is_clear_sqlite(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def _pending(data_dir: Path) -> bool:
    try:
        return bool(json.loads(crypto.keyring_path(data_dir).read_text(encoding="utf-8")).get(PENDING))
    except (OSError, ValueError):
        return False


def _set_pending(data_dir: Path, pending: bool) -> None:
    path = crypto.keyring_path(data_dir)
    document = json.loads(path.read_text(encoding="utf-8"))
    if pending:
        document[PENDING] = True
    else:
        document.pop(PENDING, None)
    crypto.write_keyring(path, document)


def _fsync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
