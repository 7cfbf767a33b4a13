"""Sync through a faulty network: a real office server process behind a fault-injecting proxy (faultproxy.py).

A demo laptop (~2,000 records, 5 photos, 2 PDFs; blobs sent in 256 KiB chunks, records in batches of 50) syncs
through the proxy, which cuts, resets or stalls connections mid-request and mid-response and drops answers the
server already committed, per a seeded plan; the laptop retries until a sync goes through, then syncs once more
on a clean path. Then nothing may be lost or doubled: the outbox is empty, the office holds exactly the laptop's
records at their versions and its audit chain event for event, every referenced blob is stored whole with no
part file left, and a second laptop of the same county receives exactly the same records. One more trial
SIGKILLs the server mid-upload, mid-complete and mid-push, restarting it on the same port, database and blob
folder each time.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from inspector.demo.seed import seed_demo
from inspector.office.admin import add_user, enroll_device
from inspector.office.db import open_office_db
from inspector.shipped import install_shipped_content
from inspector.store.blobs import BlobStore
from inspector.store.db import Store, open_store
from inspector.store.models import SYNCED_TABLES, AuditEvent, OutboxEntry
from inspector.sync import client as sync_client
from inspector.sync.client import SyncError, enroll, http_client, office_link, sync_once
from inspector.sync.protocol import BLOB_COLUMNS, DEVICE_TABLES, GLOBAL_TABLES

from .faultproxy import Fault, FaultProxy

INSPECTOR = [sys.executable, "-m", "inspector"]
COUNTY = "140522"
SMALL_CHUNK = 256 * 1024  # 7 blobs of 0.1–1 MB: 1–5 chunks each, ~20 PUTs
SMALL_BATCH = 50  # ~230 records to push: 5 batches
SMALL_PAGE = 100  # pulls of 3 pages
TRIALS = 12
MAX_ATTEMPTS = 12
RETRYABLE = {"network", "unreachable"}
PUSH = b"POST /api/v1/push"
PUT_CHUNK = b"PUT /api/v1/blobs/"
FINAL_CHUNK = b"final=true HTTP"  # the last chunk of a blob: the office checks the hash and keeps it
MARKERS = (PUSH, PUSH, PUT_CHUNK, PUT_CHUNK, FINAL_CHUNK, b"GET /api/v1/pull", b"POST /api/v1/blobs/missing")
BYTES = {"up": 4_300_000, "down": 160_000}  # a clean first sync: 4.5 MB up, 170 KB down


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OfficeServer:
    """`inspector office serve` as a child process; restartable on the same port, database and blob folder."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.killed = 0

    @property
    def office_dir(self) -> Path:
        return self.data_dir / "office"

    def start(self) -> None:
        cmd = [*INSPECTOR, "--data-dir", str(self.data_dir), "office", "serve", "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/docs", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the office server did not start (exit {self.proc.poll()})")
            time.sleep(0.1)

    def sigkill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.killed += 1

    def restart_if_dead(self) -> bool:
        assert self.proc is not None
        if self.killed and self.proc.poll() is None:
            self.proc.wait(timeout=10)  # a kill was sent: let it land
        if self.proc.poll() is None:
            return False
        self.start()
        return True

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def demo_laptop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded demo data folder; every trial syncs a copy (seeding takes seconds)."""
    path = tmp_path_factory.mktemp("demo") / "laptop"
    store = open_store(path)
    try:
        seed_demo(store)
    finally:
        store.close()
    return path


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[OfficeServer, list[str]]]:
    """A fresh office server (SQLite) with one inspector of COUNTY and two enrollment codes for her laptops."""
    yield from office_with_two_codes(tmp_path)


def office_with_two_codes(tmp_path: Path) -> Iterator[tuple[OfficeServer, list[str]]]:
    server = OfficeServer(tmp_path / "office-data")
    engine = open_office_db(f"sqlite:///{server.office_dir / 'office.sqlite'}")
    try:
        user = add_user(engine, name="王建军", role="inspector", county_code=COUNTY)
        codes = [enroll_device(engine, user), enroll_device(engine, user)]
    finally:
        engine.dispose()
    server.start()
    try:
        yield server, codes
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_client, "CHUNK", SMALL_CHUNK)  # a photo or PDF goes up in several chunks
    monkeypatch.setattr(sync_client, "MAX_BATCH", SMALL_BATCH)  # several push batches, each acknowledged
    monkeypatch.setattr(sync_client, "PULL_LIMIT", SMALL_PAGE)  # several pull pages


# ─── plans ───────────────────────────────────────────────────────────────────────────────────────────


def make_plan(seed: int) -> list[Fault]:
    """2–5 faults, one per connection, the first connections of the trial; at least one lost push answer."""
    rng = random.Random(seed)
    faults: list[Fault] = []
    for _ in range(rng.randint(2, 5)):
        kind = rng.choice(["cut", "cut", "reset", "stall", "drop_response", "drop_response"])
        if kind == "drop_response":
            marker = rng.choice(MARKERS)
            occurrence = {PUSH: rng.randint(1, 4), PUT_CHUNK: rng.randint(1, 18)}.get(marker, 1)
            faults.append(Fault("drop_response", "down", marker=marker, occurrence=occurrence))
            continue
        direction = rng.choice(["up", "down"])
        after = int(math.exp(rng.uniform(math.log(200), math.log(BYTES[direction]))))
        stall = round(rng.uniform(0.3, 1.2), 2) if kind == "stall" else 0.0
        faults.append(Fault(kind, direction, after=after, stall=stall))
    if not any(f.kind == "drop_response" and f.marker == PUSH for f in faults):
        faults.insert(rng.randint(0, len(faults)), Fault("drop_response", "down", marker=PUSH, occurrence=1))
    return faults


# ─── helpers ─────────────────────────────────────────────────────────────────────────────────────────


def copy_laptop(template: Path, target: Path) -> Store:
    shutil.copytree(template, target)
    return open_store(target)


def enroll_laptop(store: Store, url: str, code: str, name: str) -> str:
    with http_client(url) as http:
        return enroll(store, http, url=url, code=code, device_name=name).token


def sync_until_done(
    store: Store, url: str, token: str, *, server: OfficeServer | None = None, between: object = None
) -> tuple[int, list[str]]:
    """Retry a sync on network errors until one goes through; (attempts, error codes seen)."""
    errors: list[str] = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if server is not None and server.restart_if_dead() and callable(between):
            between()
        with http_client(url, token) as http:
            try:
                sync_once(store, http)
            except SyncError as exc:
                assert exc.code in RETRYABLE, f"attempt {attempt}: not a network error: {exc.code}: {exc.message_en}"
                errors.append(exc.code)
                continue
        return attempt, errors
    raise AssertionError(f"no sync went through in {MAX_ATTEMPTS} attempts: {errors}")


def local_records(store: Store, *, skip: frozenset[str] = GLOBAL_TABLES) -> dict[tuple[str, str], int]:
    records: dict[tuple[str, str], int] = {}
    with store.session() as session:
        for model in SYNCED_TABLES:
            table = model.__tablename__
            if table in skip:
                continue
            for row in session.exec(select(model)):
                records[(str(table), row.id)] = row.version
    return records


def office_records(office_dir: Path) -> list[tuple[str, str, int, bool]]:
    with sqlite3.connect(office_dir / "office.sqlite") as conn:
        rows = conn.execute("SELECT table_name, record_id, version, deleted FROM office_record").fetchall()
    return [(t, r, int(v), bool(d)) for t, r, v, d in rows]


def referenced_blobs(store: Store) -> set[str]:
    hashes: set[str] = set()
    with sqlite3.connect(store.data_dir / "inspector.sqlite") as conn:
        for table, column in BLOB_COLUMNS:
            hashes |= {h for (h,) in conn.execute(f"SELECT {column} FROM {table}") if h}
    return hashes


def check_invariants(store: Store, server: OfficeServer, second_code: str, tmp_path: Path) -> None:
    with store.session() as session:
        left = session.exec(select(OutboxEntry)).all()
    assert left == [], f"{len(left)} outbox entries left, e.g. {left[:3]}"

    mine = local_records(store)
    rows = office_records(server.office_dir)
    keys = [(t, r) for t, r, _, _ in rows]
    assert len(keys) == len(set(keys)), "an office record is doubled"
    theirs = {(t, r): v for t, r, v, _ in rows}
    lost = set(mine) - set(theirs)
    extra = set(theirs) - set(mine)
    assert not lost, f"{len(lost)} records never reached the office, e.g. {sorted(lost)[:3]}"
    assert not extra, f"{len(extra)} office records the laptop does not have, e.g. {sorted(extra)[:3]}"
    assert not [k for t, r, _, d in rows if d for k in [(t, r)]], "the office holds deletions the laptop never made"
    stale = {k: (mine[k], theirs[k]) for k in mine if mine[k] != theirs[k]}
    assert not stale, f"versions differ (laptop, office): {list(stale.items())[:3]}"

    hashes = referenced_blobs(store)
    assert len(hashes) >= 7  # 5 photos and 2 PDFs, at least
    blobs = BlobStore(server.office_dir / "blobs")
    with sqlite3.connect(server.office_dir / "office.sqlite") as conn:
        recorded = {h for (h,) in conn.execute("SELECT sha256 FROM office_blob")}
    for sha in sorted(hashes):
        path = blobs.path_of(sha)
        assert path.is_file(), f"blob {sha} missing at the office"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha, f"blob {sha} stored with other bytes"
        assert sha in recorded, f"blob {sha} on disk but not in office_blob"
        part = server.office_dir / "blobs" / ".uploads" / f"{sha}.part"
        assert not part.exists(), f"part file left for the completed blob {sha}"

    # The office holds the laptop's audit chain exactly: every event once, in the laptop's order.
    with store.session() as session:
        link = office_link(session)
        chain = [(e.id, e.hash) for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.seq)))]
    assert link is not None
    with sqlite3.connect(server.office_dir / "office.sqlite") as conn:
        held = conn.execute(
            "SELECT position, event_id, hash FROM office_audit_event WHERE device_id = ? ORDER BY position",
            (link.device_id,),
        ).fetchall()
    assert [p for p, _, _ in held] == list(range(1, len(held) + 1)), "the office's audit chain has gaps"
    assert [(i, h) for _, i, h in held] == chain, f"office holds {len(held)} audit events, the laptop {len(chain)}"

    # A colleague's laptop in the same county receives exactly the same records, with their blobs.
    colleague = open_store(tmp_path / "laptop-b")
    try:
        with colleague.session() as session:
            install_shipped_content(session)  # what the app does at start
        token = enroll_laptop(colleague, server.url, second_code, "b")
        with http_client(server.url, token) as http:
            sync_once(colleague, http)
        skip = GLOBAL_TABLES | DEVICE_TABLES  # a laptop's number blocks and draws stay its own
        got = set(local_records(colleague, skip=skip))
        want = set(local_records(store, skip=skip))
        assert got == want, f"colleague lacks {sorted(want - got)[:3]}, has extra {sorted(got - want)[:3]}"
        for sha in sorted(referenced_blobs(colleague)):
            assert colleague.blobs.verify(sha).status == "ok", sha
    finally:
        colleague.close()


# ─── trials ──────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("seed", range(TRIALS))
def test_sync_through_a_faulty_network_loses_and_doubles_nothing(
    seed: int, demo_laptop: Path, office: tuple[OfficeServer, list[str]], tmp_path: Path
) -> None:
    server, (code_a, code_b) = office
    plan = make_plan(1000 + seed)
    store = copy_laptop(demo_laptop, tmp_path / "laptop-a")
    try:
        token = enroll_laptop(store, server.url, code_a, "a")
        with FaultProxy(server.port, plan) as proxy:
            attempts, errors = sync_until_done(store, proxy.url, token)
            fired = proxy.fired()
        assert fired, f"no fault of {[f.describe() for f in plan]} fired"
        assert len(errors) == attempts - 1
        with http_client(server.url, token) as http:
            sync_once(store, http)  # once more on a clean path
        check_invariants(store, server, code_b, tmp_path)
    finally:
        store.close()
    print(f"seed {seed}: {attempts} attempts; fired {fired}")


def test_sync_survives_the_server_being_killed_mid_upload_and_mid_push(
    demo_laptop: Path, office: tuple[OfficeServer, list[str]], tmp_path: Path
) -> None:
    server, (code_a, code_b) = office
    store = copy_laptop(demo_laptop, tmp_path / "laptop-a")
    kills = [(PUT_CHUNK, 5, 0.02), (FINAL_CHUNK, 1, 0.0), (PUSH, 3, 0.05)]
    try:
        token = enroll_laptop(store, server.url, code_a, "a")
        with FaultProxy(server.port) as proxy:

            def arm_next() -> None:
                if kills:
                    marker, occurrence, delay = kills.pop(0)
                    proxy.kill_on(marker, occurrence, server.sigkill, delay=delay)

            arm_next()
            attempts, errors = sync_until_done(store, proxy.url, token, server=server, between=arm_next)
            fired = proxy.fired()
        assert server.killed == 3 and not kills, (server.killed, fired)
        assert attempts == 4 and len(errors) == 3 and set(errors) <= RETRYABLE, (attempts, errors)
        with http_client(server.url, token) as http:
            sync_once(store, http)
        check_invariants(store, server, code_b, tmp_path)
    finally:
        store.close()
