"""The laptop's `inspector sync` SIGKILLed mid-sync, again and again, then run to completion: nothing lost or doubled.

A real office server process (SQLite, `inspector office serve`) and a laptop data folder with work to send: the
demo, 12 more inspections with their checklist answers (~1,600 records to push: 4 batches of 500, 4 pull pages)
and 10 more photos (~19 MB of blobs in all, sent in 1 MiB chunks). `python -m inspector --data-dir X sync` runs
as a child process (the first run enrols with --office/--code) and is SIGKILLed once per run, seven runs in a
row per a seeded plan, each a random delay after a point of the sync: the first blobs, a resumed blob, a push
batch in flight or being acknowledged (twice), a pull page being applied or the next one fetched (twice), and
once counted from the process start (interpreter start, opening the store, or wherever the sync has got to);
every run resumes what the one before left. The delays are measured from the progress line the sync prints on
entering that point (its stderr is a pseudo-terminal, so it prints them): delays counted from the process start
alone would land in a different phase on a slower or busier machine.

After every kill the laptop's database must pass PRAGMA integrity_check. After the last kill the sync runs to
completion; then the laptop holds exactly the records it had plus the office's number block, the office holds
exactly the laptop's records at their versions and exactly its blobs (no part file left), the outbox is empty,
one more sync moves nothing, and a colleague's laptop pulling afterwards receives the same records and blobs.
The seed, the plan and what each run printed before its kill are printed, so a failure shows them.
"""

from __future__ import annotations

import contextlib
import os
import pty
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.checklists.service import current_template_for_industry, template_items
from inspector.demo.seed import seed_demo
from inspector.domain.enums import ItemResultValue
from inspector.evidence.samples import write_sample_photo
from inspector.evidence.service import ingest_photos
from inspector.inspections.service import start_inspection
from inspector.registry.service import active_inspectors
from inspector.store.bulk import insert_synced
from inspector.store.db import open_store
from inspector.store.models import Enterprise, ItemResult
from inspector.sync.client import http_client, office_link, sync_once

from .test_faults import OfficeServer, check_invariants, local_records, office_with_two_codes, referenced_blobs

INSPECTOR = [sys.executable, "-m", "inspector"]
COUNTY = "140522"
SEEDS = (7001,)  # one trial of seven kills: a fresh office and laptop per seed cost ~20 s
EXTRA_INSPECTIONS = 12  # each with an answer per checklist item: ~1,330 item results
EXTRA_PHOTOS = 10  # 2400×1800 photo-like JPEGs of ~1.4 MB: two chunks each
PHOTO_SIZE = (2400, 1800)
RUN_TIMEOUT = 60.0
PROGRESS = re.compile(r"(upload|push|pull): (\d+)/(\d+)")


@dataclass(frozen=True)
class Kill:
    """SIGKILL the sync `delay` seconds after the `line`-th progress line of `stage` (or after the process start)."""

    stage: str  # upload, push, pull, or start
    line: int
    delay: float

    def describe(self) -> str:
        anchor = "process start" if self.stage == "start" else f"{self.stage} progress line #{self.line}"
        return f"{self.delay * 1000:.0f} ms after {anchor}"


def make_plan(seed: int) -> list[Kill]:
    """One kill per run, in the order a sync gets there; each run resumes where the last one was cut."""
    rng = random.Random(seed)
    return [
        Kill("upload", 0, rng.uniform(0.0, 0.05)),  # the first blobs (the run that enrols)
        Kill("upload", rng.randint(1, 3), rng.uniform(0.0, 0.04)),  # a blob, perhaps one resumed at its offset
        Kill("push", rng.randint(0, 1), rng.uniform(0.0, 0.1)),  # a batch in flight or being acknowledged
        Kill("push", 0, rng.uniform(0.0, 0.1)),  # the first of the batches left, perhaps one the office has
        Kill("pull", rng.randint(0, 1), rng.uniform(0.0, 0.12)),  # a page being applied, or the next fetched
        Kill("pull", 0, rng.uniform(0.0, 0.12)),  # the first of the pages left
        Kill("start", 0, rng.uniform(0.1, 1.0)),  # anywhere: starting up, opening the store, finishing the pull
    ]


@dataclass
class Run:
    """One `inspector sync` child: what it printed (seconds after spawn) and whether the kill landed."""

    argv: list[str]
    kill: Kill | None
    lines: list[tuple[float, str]] = field(default_factory=list)
    killed_at: float | None = None
    returncode: int | None = None

    def last_progress(self) -> str:
        before = [text for at, text in self.lines if self.killed_at is None or at <= self.killed_at]
        return before[-1] if before else "(nothing printed yet)"

    def phase(self) -> str:
        """Where the kill landed, as far as the output tells: the stage last reported, or starting, or done."""
        last = self.last_progress()
        if last.startswith("stdout: pushed"):
            return "done"  # the report was printed: the kill hit the process on its way out
        found = PROGRESS.search(last)
        return found.group(1) if found else "starting"

    def describe(self) -> str:
        if self.kill is None:
            return f"ran to the end: exit {self.returncode}, printed {[t for _, t in self.lines][-2:]}"
        if self.killed_at is None:
            return f"kill {self.kill.describe()} never fired (exit {self.returncode})"
        return (
            f"killed {self.kill.describe()} = {self.killed_at:.3f} s after spawn, in {self.phase()} "
            f"(last printed: '{self.last_progress()}')"
        )


def run_sync(data_dir: Path, extra: list[str], kill: Kill | None) -> Run:
    """`inspector --data-dir … sync` with its stderr on a pseudo-terminal (progress lines), killed per `kill`."""
    run = Run(argv=[*INSPECTOR, "--data-dir", str(data_dir), "sync", *extra], kill=kill)
    master, slave = pty.openpty()
    started = time.monotonic()
    proc = subprocess.Popen(
        run.argv,
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    os.close(slave)
    lock = threading.Lock()
    seen: dict[str, int] = {}

    def fire() -> None:
        with lock:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                run.killed_at = time.monotonic() - started

    def arm() -> None:
        assert kill is not None
        timer = threading.Timer(kill.delay, fire)
        timer.daemon = True
        timer.start()

    def note(text: str) -> None:
        run.lines.append((time.monotonic() - started, text))
        found = PROGRESS.search(text)
        if kill is None or found is None:
            return
        stage = found.group(1)
        seen[stage] = seen.get(stage, 0) + 1
        if stage == kill.stage and seen[stage] == kill.line + 1:
            arm()

    def read_terminal() -> None:
        pending = b""
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child and every copy of the terminal's other end are gone
                break
            if not data:
                break
            pending += data
            *done, pending = re.split(rb"[\r\n]", pending)
            for part in done:
                if part.strip():
                    note(part.decode(errors="replace").strip())

    def read_stdout() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            if raw.strip():
                note("stdout: " + raw.decode(errors="replace").strip())

    readers = [threading.Thread(target=read_terminal, daemon=True), threading.Thread(target=read_stdout, daemon=True)]
    for reader in readers:
        reader.start()
    if kill is not None and kill.stage == "start":
        arm()
    try:
        run.returncode = proc.wait(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"`inspector sync` hung for {RUN_TIMEOUT:.0f} s: {run.lines[-5:]}") from None
    finally:
        for reader in readers:
            reader.join(timeout=5)
        os.close(master)
        if proc.stdout is not None:
            proc.stdout.close()
    return run


def integrity(db_path: Path) -> tuple[str, list[tuple[object, ...]]]:
    """PRAGMA integrity_check and foreign_key_check of a laptop database, as the app would open it next."""
    conn = sqlite3.connect(db_path)
    try:
        check = ", ".join(str(row[0]) for row in conn.execute("PRAGMA integrity_check"))
        dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return check, dangling


# ─── fixtures ────────────────────────────────────────────────────────────────────────────────────────


def _photo(args: tuple[Path, int]) -> None:
    folder, i = args
    write_sample_photo(
        folder / f"IMG_{i:04d}.jpg",
        size=PHOTO_SIZE,
        seed=100 + i,
        taken_at=datetime(2026, 3, 2, 9, 0) + timedelta(minutes=4 * i),
        gps=(35.4861 + i * 0.0001, 112.4156),
        label=f"现场照片 {i}",
    )


@pytest.fixture(scope="module")
def busy_laptop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[tuple[str, str], int]]:
    """A data folder with a lot to send, seeded once (every trial syncs a copy); and the records it holds."""
    root = tmp_path_factory.mktemp("busy")
    photos = root / "phone"
    photos.mkdir()
    with ThreadPoolExecutor(max_workers=2) as pool:  # Pillow releases the GIL while it encodes
        list(pool.map(_photo, [(photos, i) for i in range(EXTRA_PHOTOS)]))
    path = root / "laptop"
    store = open_store(path)
    try:
        seed_demo(store)
        with store.session() as session:
            people = [i.id for i in active_inspectors(session)][:2]
            enterprises = list(session.exec(select(Enterprise).order_by(Enterprise.name)))
        inspections: list[str] = []
        for k in range(EXTRA_INSPECTIONS):
            with store.session() as session:
                enterprise = enterprises[k % len(enterprises)]
                template = current_template_for_industry(session, enterprise.industry)
                inspection = start_inspection(
                    session,
                    enterprise_id=enterprise.id,
                    inspector_ids=people,
                    checklist_template_id=template.id if template else None,
                )
                inspections.append(inspection.id)
                if template is not None:
                    answers = [
                        {"inspection_id": inspection.id, "item_id": item.id, "result": ItemResultValue.PASS}
                        for item in template_items(session, template.id)
                    ]
                    insert_synced(session, ItemResult, answers)
        added = ingest_photos(store, inspections[0], sorted(photos.iterdir()))
        assert len(added.added) == EXTRA_PHOTOS, added.rejected
        records = local_records(store)
    finally:
        store.close()
    shutil.rmtree(photos)
    return path, records


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[OfficeServer, list[str]]]:
    """A fresh office server process (SQLite) with one inspector of COUNTY and codes for two of her laptops."""
    yield from office_with_two_codes(tmp_path)


# ─── the trial ───────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_a_laptop_killed_mid_sync_again_and_again_loses_and_doubles_nothing(
    seed: int,
    busy_laptop: tuple[Path, dict[tuple[str, str], int]],
    office: tuple[OfficeServer, list[str]],
    tmp_path: Path,
) -> None:
    template, before = busy_laptop
    server, (code_a, code_b) = office
    laptop = Path(shutil.copytree(template, tmp_path / "laptop-a"))
    plan = make_plan(seed)
    runs: list[Run] = []

    def story() -> str:
        told = [f"seed {seed}; plan: {[k.describe() for k in plan]}"]
        told += [f"  run {n}: {r.describe()}" for n, r in enumerate(runs, 1)]
        return "\n".join(told)

    try:
        for n, kill in enumerate(plan):
            extra = ["--office", server.url, "--code", code_a, "--name", "a"] if n == 0 else []
            run = run_sync(laptop, extra, kill)
            runs.append(run)
            print(f"run {n + 1}: {run.describe()}")
            if run.killed_at is not None:
                assert run.returncode == -signal.SIGKILL, story()
            else:
                # Only a kill counted from the process start may come after the sync is done.
                assert kill.stage == "start" and run.returncode == 0, story()
            check, dangling = integrity(laptop / "inspector.sqlite")
            assert check == "ok" and not dangling, f"after run {n + 1}: {check}, {dangling[:3]}\n{story()}"
        fired = [r for r in runs if r.killed_at is not None]
        assert len(fired) >= len(plan) - 1, story()
        assert {"upload", "push", "pull"} <= {r.phase() for r in fired}, story()

        final = run_sync(laptop, [], None)
        runs.append(final)
        assert final.returncode == 0, f"{final.lines[-5:]}\n{story()}"
        check, dangling = integrity(laptop / "inspector.sqlite")
        assert check == "ok" and not dangling, f"{check}, {dangling[:3]}\n{story()}"

        store = open_store(laptop)
        try:
            with store.session() as session:
                link = office_link(session)
            assert link is not None
            with http_client(server.url, link.token) as http:
                again = sync_once(store, http)
            assert (again.pushed, again.blobs_uploaded, again.pulled, again.number_blocks) == (0, 0, 0, 0), story()

            # The laptop: what it had, each record once at its version, plus the block of numbers the office gave.
            mine = local_records(store)
            assert {k: mine.get(k) for k in before} == before, story()
            added = set(mine) - set(before)
            assert len(added) == 1 and next(iter(added))[0] == "numberblock", f"{sorted(added)[:5]}\n{story()}"
            assert store.blobs.leftovers() == [], story()
            hashes = referenced_blobs(store)
            assert len(hashes) == 7 + EXTRA_PHOTOS, story()  # the demo's 5 photos and 2 PDFs, and ours
            assert all(store.blobs.verify(sha).status == "ok" for sha in hashes), story()

            # The office: exactly the laptop's blobs, no upload left half-done; then records, outbox, a colleague.
            with contextlib.closing(sqlite3.connect(server.office_dir / "office.sqlite")) as conn:
                office_blobs = {sha for (sha,) in conn.execute("SELECT sha256 FROM office_blob")}
            assert office_blobs == hashes, f"{sorted(office_blobs ^ hashes)[:3]}\n{story()}"
            uploads = server.office_dir / "blobs" / ".uploads"
            left = sorted(uploads.iterdir()) if uploads.is_dir() else []
            assert left == [], f"{left[:3]}\n{story()}"
            check_invariants(store, server, code_b, tmp_path)
        finally:
            store.close()
    except AssertionError:
        print(story())
        raise
    print(story())
