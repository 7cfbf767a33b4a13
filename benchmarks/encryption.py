"""What encryption at rest costs: the same work on a clear-text and on an encrypted data folder.

    python benchmarks/encryption.py [--edits 1000] [--blob-mb 100] [--photos 100]

Figures: unlocking (scrypt at the real cost), seeding the demo, single-record edits each in its own
transaction (as the app saves a note), writing and reading blobs, a sync's worth of reading a blob range, and
encrypting an existing clear folder once (the migration of an earlier version's folder).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import select

from inspector.demo.seed import seed_demo
from inspector.store import crypto
from inspector.store.db import Store, open_store
from inspector.store.encryption import encrypt_folder
from inspector.store.models import Enterprise

PASSPHRASE = "benchmark passphrase"


def seconds(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def open_folder(folder: Path, encrypted: bool) -> Store:
    if encrypted:
        encrypt_folder(folder, PASSPHRASE)
        return open_store(folder, passphrase=PASSPHRASE)
    return open_store(folder)


def edits_ms(store: Store, count: int) -> float:
    with store.session() as session:
        ids = list(session.exec(select(Enterprise.id)).all())
    started = time.perf_counter()
    for n in range(count):
        with store.session() as session:
            enterprise = session.get(Enterprise, ids[n % len(ids)])
            assert enterprise is not None
            enterprise.notes = f"第{n}次编辑"
            session.add(enterprise)
    return (time.perf_counter() - started) * 1000 / count


def blob_rates(store: Store, megabytes: int) -> tuple[float, float]:
    """MB/s writing then reading `megabytes` of 10 MB blobs (fresh random bytes, so nothing dedups)."""
    pieces = [os.urandom(10 << 20) for _ in range(max(1, megabytes // 10))]
    write_s, hashes = seconds(lambda: [store.blobs.put_bytes(p) for p in pieces])
    read_s, total = seconds(lambda: sum(len(b"".join(store.blobs.read_range(h))) for h in hashes))
    assert total == sum(len(p) for p in pieces)
    size_mb = total / (1 << 20)
    return size_mb / write_s, size_mb / read_s


def migration(photos: int, root: Path) -> tuple[float, float]:
    """Seconds to encrypt a clear folder holding the demo and `photos` 2 MB photos, and its MB."""
    folder = root / "migrate"
    store = open_store(folder)
    seed_demo(store)
    for n in range(photos):
        store.blobs.put_bytes(hashlib.sha256(str(n).encode()).digest() * (2 << 15))
    store.close()
    size_mb = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / (1 << 20)
    took, _ = seconds(lambda: encrypt_folder(folder, PASSPHRASE))
    return took, size_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--blob-mb", type=int, default=100)
    parser.add_argument("--photos", type=int, default=100)
    args = parser.parse_args()
    os.environ.pop(crypto.PASSPHRASE_ENV, None)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        unlocks = []
        encrypt_folder(root / "keyring-only", PASSPHRASE)
        for _ in range(3):
            took, _key = seconds(lambda: crypto.unlock(root / "keyring-only", PASSPHRASE))
            unlocks.append(took)
        rows: list[tuple[str, str, str]] = []
        results: dict[bool, dict[str, float]] = {}
        for encrypted in (False, True):
            store = open_folder(root / ("encrypted" if encrypted else "clear"), encrypted)
            seed_s, _ = seconds(lambda s=store: seed_demo(s))
            edit = edits_ms(store, args.edits)
            write, read = blob_rates(store, args.blob_mb)
            store.close()
            results[encrypted] = {"seed": seed_s, "edit": edit, "write": write, "read": read}
        clear, sealed = results[False], results[True]
        rows.append(("seed the demo (s)", f"{clear['seed']:.2f}", f"{sealed['seed']:.2f}"))
        rows.append(
            (f"one edit, own transaction (ms, mean of {args.edits})", f"{clear['edit']:.2f}", f"{sealed['edit']:.2f}")
        )
        rows.append((f"blob write ({args.blob_mb} MB, MB/s)", f"{clear['write']:.0f}", f"{sealed['write']:.0f}"))
        rows.append((f"blob read ({args.blob_mb} MB, MB/s)", f"{clear['read']:.0f}", f"{sealed['read']:.0f}"))
        took, size_mb = migration(args.photos, root)
    cost = crypto.SCRYPT_N.bit_length() - 1
    print(f"unlock (scrypt N=2^{cost}, r=8): median {statistics.median(unlocks) * 1000:.0f} ms")
    print(f"{'':<48}{'clear':>10}{'encrypted':>12}")
    for name, a, b in rows:
        print(f"{name:<48}{a:>10}{b:>12}")
    print(f"encrypting a clear folder of {size_mb:.0f} MB once: {took:.1f} s ({size_mb / took:.0f} MB/s)")
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
