"""Crash safety, proven: SIGKILL the app's write path at random moments, reopen, and check nothing acknowledged is lost.

    python benchmarks/crash.py [--trials 500] [--seed 1] [--workers 2] [--per-folder 10] [--fresh-interpreter]
                               [--keep] [--json] [--verbose] [--encrypted]

A trial starts a worker (benchmarks/crash_worker.py) on a data folder: it opens the store and, in a seeded random
loop, edits records, ingests photos (some a few MB) and issues documents through the core services, printing an
ACK line after each commit. The harness SIGKILLs it at a seeded point, one of TARGETS in turn: at a random moment
while it opens the store or while it runs an edit, a photo ingest or a document issue (a seeded fraction of that
operation's usual duration, measured in earlier trials, after the worker printed that it began); or inside the
blob write of one (part of a chunk written) or just before its database COMMIT. Those two last about a
millisecond, too short to hit by timing from another process: there the worker freezes itself (SIGSTOP) at the
seeded point and the harness kills it frozen. Where each kill landed is read from the last lines the worker
printed (operation, and whether inside a blob write or a commit).

Then the harness reopens the folder in-process (`open_folder`, as the worker does) and checks:
  - the database opens, `PRAGMA integrity_check` is ok and `foreign_key_check` finds nothing;
  - every ACKed edit holds its value (or the value of the edit in flight, committed before its ACK was printed:
    counted, never required), every ACKed photo and document is there with its SHA-256, and its blob verifies;
  - every blob visible under blobs/ verifies (`BlobStore.verify`): no half-written blob under a real name;
    unfinished writes (`.incoming-*`, invisible to the app) are counted; so is every cached thumbnail or print copy
    under derived/ that is not a whole JPEG;
  - every photo and document record's file exists and verifies; no two inspections share a case number;
  - the audit log verifies (`inspector.store.audit.verify_audit`, as `inspector verify` runs it).
A folder is reused for `--per-folder` trials (each later trial starts on a folder killed before), then a fresh
copy of the seeded folder is taken. Workers are forked from a zygote that imported the app once (importing costs
~1.4 s, more than a trial); `--fresh-interpreter` starts a new interpreter per trial instead (slower).
`INSPECTOR_PASSPHRASE`, if set, is passed through to the workers; `--encrypted` encrypts the seeded folder (SQLCipher
database, sealed blobs and image cache) and sets it.

Goals: edits lost, half-written blobs visible, databases failing to open clean and audit problems all 0.
Exit status 1 if any figure that must be 0 is not (the failing folders are kept and named).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from inspector import clock
from inspector.checklists.files import load_builtin_definitions
from inspector.checklists.service import import_definition, template_items
from inspector.demo.catalog import AGENCY, ENTERPRISES, INSPECTORS
from inspector.demo.seed import register_demo_enterprise
from inspector.documents.numbers import add_block
from inspector.documents.service import create_draft, issue_document
from inspector.domain.enums import DocumentKind, DocumentStatus, Industry, InspectorRole, ItemResultValue
from inspector.errors import InspectorError
from inspector.evidence.samples import sample_photo
from inspector.evidence.service import ingest_photo_bytes
from inspector.inspections import walk
from inspector.inspections.service import OnSitePerson, add_finding, finish_inspection, start_inspection
from inspector.registry.service import register_inspector
from inspector.store import search_index
from inspector.store.audit import verify_audit
from inspector.store.db import Store
from inspector.store.models import Document, Enterprise, Evidence, Finding, Inspection, ItemResult, NumberBlock
from inspector.store.settings import AGENCY_KEY, set_setting

try:  # under pytest, or `python -m benchmarks.crash`
    from benchmarks import crash_worker as worker
except ImportError:  # `python benchmarks/crash.py`: this folder is on sys.path
    import crash_worker as worker  # type: ignore[no-redef, import-not-found]

WORKER_SCRIPT = Path(worker.__file__).resolve()
GROUP_OF = worker.GROUP_OF
# Where kills are aimed: (operation group, span). "start"/"open" and "any" are killed at a random moment in that span
# (opening the store; the whole operation); "blob" and "commit" at a stop point (see crash_worker.StopPoint): the
# worker freezes itself inside its blob write or just before its database COMMIT, and is killed there.
TARGETS = (
    ("start", "open"),
    ("edit", "any"),
    ("edit", "commit"),
    ("photo", "any"),
    ("photo", "blob"),
    ("photo", "commit"),
    ("document", "any"),
    ("document", "blob"),
    ("document", "commit"),
)
# Span durations (s) assumed until some are measured: they only aim the random kills.
DEFAULT_SPANS = {("start", "open"): 0.03, ("edit", "any"): 0.03, ("photo", "any"): 0.12, ("document", "any"): 0.25}
PHOTO_SIZES = {"small": ((640, 480), 85, 0.5), "medium": ((1600, 1200), 90, 0.25), "large": ((2600, 1950), 95, 0.25)}
RUN_TIMEOUT = 30.0  # a worker not killed by then never reached its target: an error
EDIT_FIELDS: dict[str, tuple[type[Any], str]] = {
    "inspection.notes": (Inspection, "notes"),
    "finding.description": (Finding, "description"),
    "item_result.note": (ItemResult, "note"),
    "evidence.caption": (Evidence, "caption"),
    "enterprise.name": (Enterprise, "name"),
}


def open_folder(folder: Path) -> Store:
    return worker.open_folder(folder)


# ─── the seeded folder ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Base:
    """A seeded data folder to copy for each chain of trials, and the photos the workers ingest."""

    folder: Path
    onsite_inspection_id: str
    finished_inspection_id: str
    photos: dict[str, str]  # size name → path of a JPEG
    photo_weights: dict[str, float]


CRASH_PASSPHRASE = "crash harness passphrase"  # --encrypted: the folder's, passed to the workers by environment


def make_base(root: Path, *, encrypted: bool = False) -> Base:
    """The demo's agency, enterprises and inspectors, the coal-mine checklist, a number block, an inspection on site
    (answers, findings, a photo) and a finished one with its 责令限期整改指令书 issued. Not the whole demo: its
    ~2,000 shipped checklist items would make every audit verification take a second."""
    photos: dict[str, str] = {}
    weights: dict[str, float] = {}
    for name, (size, quality, weight) in PHOTO_SIZES.items():
        path = root / "photos" / f"{name}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        taken = clock.now().replace(tzinfo=None) - timedelta(hours=1)
        path.write_bytes(sample_photo(size=size, quality=quality, seed=len(photos), taken_at=taken, label=name))
        photos[name], weights[name] = str(path), weight
    folder = root / "base"
    if encrypted:
        from inspector.store.encryption import encrypt_folder

        encrypt_folder(folder, CRASH_PASSPHRASE, scrypt_n=1 << 12)
    store = open_folder(folder)
    try:
        with store.session() as session:
            set_setting(session, AGENCY_KEY, AGENCY.as_dict())
            add_block(session, short_name=AGENCY.short_name, year=clock.local_today().year, first=1, last=99_999,
                      device_id=store.device_id)  # fmt: skip
            coal = [e for e in ENTERPRISES if e.industry == Industry.COAL.value][:2]
            enterprises = [register_demo_enterprise(session, e) for e in coal]
            people = [
                register_inspector(
                    session,
                    name=i.name,
                    cert_no=i.cert_no,
                    unit=i.unit,
                    county_code=AGENCY.county_code,
                    role=InspectorRole(i.role),
                    phone=i.phone,
                )
                for i in INSPECTORS[:4]
            ]
            staff = [p.id for p in people if p.role is InspectorRole.INSPECTOR][:2]
            definition = next(d for d in load_builtin_definitions().values() if d.industry == Industry.COAL.value)
            template_id = import_definition(session, definition).template_id
            onsite = start_inspection(
                session,
                enterprise_id=enterprises[0].id,
                inspector_ids=staff,
                purpose="对你单位安全生产管理情况进行日常监督检查。",
                on_site_person=OnSitePerson("郭建平", "安全副矿长", "13935621847"),
                checklist_template_id=template_id,
            )
            for item in template_items(session, template_id)[:8]:
                walk.record_result(session, inspection_id=onsite.id, item_id=item.id, result=ItemResultValue.PASS)
            deadline = clock.local_today() + timedelta(days=14)
            for text in ("安全培训档案不全", "井下避难硐室压风管路阀门锈蚀", "调度室未保存交接班记录"):
                add_finding(session, inspection_id=onsite.id, description=text, deadline=deadline)
            finished = start_inspection(
                session,
                enterprise_id=enterprises[1].id,
                inspector_ids=staff,
                started_at=clock.now() - timedelta(hours=3),
            )
            for text in ("主要通风机房值班记录不全", "井下消防器材配备不足"):
                add_finding(session, inspection_id=finished.id, description=text, deadline=deadline)
            finish_inspection(session, inspection_id=finished.id)
            order = create_draft(
                session,
                kind=DocumentKind.RECTIFICATION_ORDER,
                inspection_id=finished.id,
                inputs={"review_date": f"{deadline.year}年{deadline.month}月{deadline.day}日"},
            )
            issue_document(session, store, document_id=order.id)
            onsite_id, finished_id = onsite.id, finished.id
        ingest_photo_bytes(store, onsite_id, Path(photos["small"]).read_bytes(), name="IMG_0001.jpg")
    finally:
        store.close()
    return Base(folder, onsite_id, finished_id, photos, weights)


# ─── running a worker ────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class TrialPlan:
    """Where to kill: `target` (see TARGETS) in the `nth` operation of its group; a random kill `fraction` of the
    way through the span's usual duration, a blob stop that far into writing its `chunk`th chunk (of 1 MiB)."""

    target: tuple[str, str]
    nth: int
    fraction: float
    chunk: int
    worker_seed: int

    @property
    def stop_at(self) -> dict[str, Any] | None:
        group, span = self.target
        if span not in ("blob", "commit"):
            return None
        # A blob stop: the whole chunk written one time in ten (the last chunk: stopped before fsync and rename).
        return {"group": group, "nth": self.nth, "phase": span, "chunk": self.chunk, "fraction": self.fraction * 1.1}


@dataclass
class ChildRun:
    """One worker's life: what it printed (seconds after it was spawned), whether and when the kill fired."""

    lines: list[tuple[float, str]] = field(default_factory=list)
    killed_at: float | None = None
    status: int | None = None
    error: str | None = None


class Lane:
    """Starts workers one at a time, forked by a zygote (or each a new interpreter), and kills them on cue."""

    def __init__(self, *, fresh_interpreter: bool) -> None:
        self.fresh = fresh_interpreter
        self.env = dict(os.environ)  # INSPECTOR_PASSPHRASE, if set, goes through to every worker
        self.zygote: subprocess.Popen[bytes] | None = None
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.spans: dict[tuple[str, str], list[float]] = {}

    def close(self) -> None:
        if self.zygote is not None:
            assert self.zygote.stdin is not None
            self.zygote.stdin.close()  # end of its commands: it exits
            self.zygote.wait(timeout=30)
            self.zygote = None

    def start_zygote(self) -> subprocess.Popen[bytes]:
        if self.zygote is None:
            proc = subprocess.Popen(
                [sys.executable, str(WORKER_SCRIPT), "zygote"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=self.env,
            )
            threading.Thread(target=self._read, args=(proc.stdout, None), daemon=True).start()
            self.zygote = proc
            _at, line = self.lines.get(timeout=120)
            if line != "WARM":
                raise RuntimeError(f"the zygote did not start: {line!r}")
        return self.zygote

    def _read(self, stream: IO[bytes], proc: subprocess.Popen[bytes] | None) -> None:
        for raw in stream:
            self.lines.put((time.monotonic(), raw.decode(errors="replace").rstrip("\n")))
        if proc is not None:  # a worker of its own interpreter: its end is the end of its output
            self.lines.put((time.monotonic(), f"EXITED {proc.pid} {proc.wait()}"))

    def span(self, key: tuple[str, str]) -> float:
        seen = self.spans.get(key)
        return statistics.median(seen[-40:]) if seen else DEFAULT_SPANS[key]

    def run(self, args: dict[str, Any], plan: TrialPlan) -> ChildRun:
        """Start a worker on `args` and SIGKILL it as `plan` says (see TARGETS)."""
        run = ChildRun()
        lock = threading.Lock()
        pid: int | None = None
        exited = False
        spawned = time.monotonic()
        args = {**args, "stop_at": plan.stop_at}
        if self.fresh:
            proc = subprocess.Popen(
                [sys.executable, str(WORKER_SCRIPT), "run", json.dumps(args)],
                stdout=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                env=self.env,
            )
            threading.Thread(target=self._read, args=(proc.stdout, proc), daemon=True).start()
        else:
            zygote = self.start_zygote()
            assert zygote.stdin is not None
            zygote.stdin.write(f"run {json.dumps(args)}\n".encode())
            zygote.stdin.flush()

        def fire() -> None:
            with lock:
                if not exited and pid is not None and run.killed_at is None:  # not reaped: the pid is the worker's
                    os.kill(pid, signal.SIGKILL)
                    run.killed_at = time.monotonic() - spawned

        def arm(at: float) -> None:
            timer = threading.Timer(max(0.0, at + plan.fraction * self.span(plan.target) - time.monotonic()), fire)
            timer.daemon = True
            timer.start()

        group, span = plan.target
        begun = 0
        deadline = time.monotonic() + RUN_TIMEOUT
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                if run.error is not None:
                    raise RuntimeError("the worker did not die after SIGKILL") from None
                run.error = f"not killed after {RUN_TIMEOUT:.0f} s: {plan} never reached"
                fire()
                deadline = time.monotonic() + RUN_TIMEOUT
                continue
            word, _, rest = line.partition(" ")
            if word == "EXITED":
                with lock:
                    exited = True
                run.status = int(rest.split()[1])
                if not self.fresh:
                    assert self.zygote is not None and self.zygote.stdin is not None
                    self.zygote.stdin.write(b"reap\n")
                    self.zygote.stdin.flush()
                break
            if word == "STARTED":
                pid, spawned = int(rest), at  # the worker's own first line: times count from here
                if group == "start":
                    arm(at)
            run.lines.append((at - spawned, line))
            if word == "ERROR":
                run.error = json.loads(rest)
            elif line == "PHASE stop":
                fire()  # the worker froze itself at its stop point
            elif word == "BEGIN" and span == "any" and GROUP_OF.get(rest.split()[0]) == group:
                begun += 1
                if begun == plan.nth:
                    arm(at)
        if run.status != -signal.SIGKILL and run.error is None:
            run.error = f"the worker ended by itself with status {run.status}"
        self._measure(run)
        return run

    def _measure(self, run: ChildRun) -> None:
        """How long opening the store and each kind of operation took in this run, to aim later random kills."""
        group, begun = "", 0.0
        for at, line in run.lines:
            word, _, rest = line.partition(" ")
            if word == "READY":
                self.spans.setdefault(("start", "open"), []).append(at)
            elif word == "BEGIN":
                group, begun = GROUP_OF.get(rest.split()[0], ""), at
            elif word == "ACK" and group:
                self.spans.setdefault((group, "any"), []).append(at - begun)
                group = ""


def landing(run: ChildRun) -> tuple[str, str]:
    """Where the kill landed: (start, open) before the store was open; else the operation in flight and whether
    it was in a commit, a blob write or elsewhere ("work"); (between, -) after an ACK and before the next BEGIN."""
    ready = acked = False
    kind = ""
    depth: Counter[str] = Counter()
    for _at, line in run.lines:
        word, _, rest = line.partition(" ")
        if word == "READY":
            ready = True
        elif word == "BEGIN":
            kind, acked, depth = rest.split()[0], False, Counter()
        elif word == "PHASE" and rest != "stop":
            depth[rest[:-1]] += 1 if rest.endswith("+") else -1
        elif word == "ACK":
            acked = True
    if not ready:
        return "start", "open"
    phase = "commit" if depth["commit"] > 0 else "blob" if depth["blob"] > 0 else "work"
    if not kind or (acked and phase == "work"):
        return "between", "-"
    return GROUP_OF[kind], phase  # (after its ACK only if the worker ACKed before its commit ended)


# ─── what must hold after a kill ─────────────────────────────────────────────────────────────────────


@dataclass
class FolderState:
    """What the workers acknowledged in one folder, across its trials, and what the checks have seen there."""

    edits: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, record id) → value
    photos: dict[str, str] = field(default_factory=dict)  # evidence id → sha256
    documents: dict[str, str] = field(default_factory=dict)  # document id → pdf sha256
    verified: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # blob → (inode, size, mtime) ok
    leftovers: int = 0
    derived_leftovers: int = 0


@dataclass
class TrialResult:
    index: int
    target: str
    landed: str = ""  # group/phase
    acks: Counter[str] = field(default_factory=Counter)  # by group
    checks: int = 0  # acknowledged values checked after the reopen (all so far in this folder)
    committed_unacked: int = 0  # the operation in flight had committed: its ACK was not printed yet
    lost: list[str] = field(default_factory=list)
    half_written: list[str] = field(default_factory=list)  # blobs visible under a real name that do not verify
    stray_files: list[str] = field(default_factory=list)  # other files under blobs/ (not .incoming-*)
    blobs_verified: int = 0
    new_leftovers: int = 0  # .incoming-* files this kill left
    derived_bad: list[str] = field(default_factory=list)  # cached images visible but not whole
    new_derived_leftovers: int = 0
    missing_files: list[str] = field(default_factory=list)  # photo/document records whose blob is bad
    open_error: str | None = None
    integrity: str = "ok"
    foreign_key_problems: int = 0
    audit_problems: list[str] = field(default_factory=list)
    number_problems: list[str] = field(default_factory=list)
    index_problems: list[str] = field(default_factory=list)  # the full-text index out of step with the records
    worker_error: str | None = None
    run_s: float = 0.0
    check_s: float = 0.0
    folder: str = ""

    @property
    def failed(self) -> bool:
        return bool(
            self.lost
            or self.half_written
            or self.stray_files
            or self.derived_bad
            or self.missing_files
            or self.open_error
            or self.integrity != "ok"
            or self.foreign_key_problems
            or self.audit_problems
            or self.number_problems
            or self.index_problems
            or self.worker_error
        )


def record_acks(run: ChildRun, state: FolderState, result: TrialResult) -> tuple[str, str] | None:
    """Take the run's ACKs into the folder's expectations; returns (kind, value) of the operation left in flight."""
    in_flight: tuple[str, str] | None = None
    for _at, line in run.lines:
        word, _, rest = line.partition(" ")
        if word == "BEGIN":
            kind, _target, value = rest.split(" ", 2)
            in_flight = (kind, value)
        elif word == "ACK":
            kind, record_id, value = rest.split(" ", 2)
            result.acks[GROUP_OF[kind]] += 1
            if kind in worker.PHOTO_KINDS:
                state.photos[record_id] = value
            elif kind in worker.DOCUMENT_KINDS:
                state.documents[record_id] = value
            else:
                state.edits[(kind, record_id)] = value
            in_flight = None
    return in_flight


def _blob_ok(store: Store, sha: str, state: FolderState) -> bool:
    """Blob files are never rewritten: one that verified once is hashed again only if its file changed."""
    path = store.blobs.path_of(sha)
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
    if state.verified.get(sha) == stamp:
        return True
    if store.blobs.verify(sha).status != "ok":
        return False
    state.verified[sha] = stamp
    return True


def check_folder(folder: Path, state: FolderState, in_flight: tuple[str, str] | None, result: TrialResult) -> bool:
    """Reopen the folder after a kill and check it; False if it could not be opened at all."""
    try:
        store = open_folder(folder)
    except Exception as exc:
        result.open_error = f"{type(exc).__name__}: {exc}"
        return False
    try:
        with store.engine.connect() as conn:
            result.integrity = ", ".join(str(r) for r in conn.exec_driver_sql("PRAGMA integrity_check").scalars())
            result.foreign_key_problems = len(conn.exec_driver_sql("PRAGMA foreign_key_check").all())
        with store.session() as session:
            for (kind, record_id), value in list(state.edits.items()):
                model, column = EDIT_FIELDS[kind]
                row = session.get(model, record_id)
                stored = getattr(row, column) if row is not None else None
                result.checks += 1
                if stored == value:
                    continue
                if in_flight is not None and in_flight == (kind, stored):
                    result.committed_unacked += 1  # the edit after it, committed; its ACK not printed yet
                    state.edits[(kind, record_id)] = in_flight[1]
                    continue
                result.lost.append(f"{kind} {record_id}: ACKed {value!r}, found {stored!r}")
            for evidence_id, sha in state.photos.items():
                evidence = session.get(Evidence, evidence_id)
                result.checks += 1
                if evidence is None or evidence.sha256 != sha or not _blob_ok(store, sha, state):
                    result.lost.append(f"photo {evidence_id} {sha}: {'no record' if evidence is None else 'bad'}")
            for document_id, sha in state.documents.items():
                document = session.get(Document, document_id)
                result.checks += 1
                if (
                    document is None
                    or document.status == DocumentStatus.DRAFT
                    or document.pdf_sha256 != sha
                    or not document.number_text
                    or not _blob_ok(store, sha, state)
                ):
                    result.lost.append(f"document {document_id} {sha}: {'no record' if document is None else 'bad'}")
            if in_flight is not None and in_flight[0] not in EDIT_FIELDS:
                _committed_in_flight(session, in_flight, state, result)
            # Every photo and document the database holds (ACKed or not) has its file, whole.
            for row in session.exec(select(Evidence)):
                if not _blob_ok(store, row.sha256, state):
                    result.missing_files.append(f"evidence {row.id} → {row.sha256}")
            for doc in session.exec(select(Document).where(col(Document.pdf_sha256) != "")):
                if not _blob_ok(store, doc.pdf_sha256, state):
                    result.missing_files.append(f"document {doc.id} → {doc.pdf_sha256}")
            # Case numbers: drawn once each, and the block's next number past every one drawn.
            numbers = Counter(
                (i.case_year, i.case_number)
                for i in session.exec(select(Inspection).where(col(Inspection.case_number).is_not(None)))
            )
            result.number_problems += [f"case number {n} used by {c} inspections" for n, c in numbers.items() if c > 1]
            for block in session.exec(select(NumberBlock)):
                drawn = [n for (y, n), _c in numbers.items() if y == block.year and n is not None]
                drawn = [n for n in drawn if block.first_number <= n <= block.last_number]
                if drawn and block.next_number <= max(drawn):
                    result.number_problems.append(f"block next number {block.next_number} ≤ drawn {max(drawn)}")
            report = verify_audit(session)
            result.audit_problems = [f"{p.kind} {p.table_name} {p.record_id}: {p.detail}" for p in report.problems]
            _check_search_index(session, state, result)
        _check_files(store, state, result)
    finally:
        store.close()
    return True


def _check_search_index(session: Session, state: FolderState, result: TrialResult) -> None:
    """The full-text index is written in the same transaction as the record: it finds the ACKed notes and finding
    descriptions (unless edited since: the value checked is the current one), and FTS5's own check passes."""
    for table in (search_index.FTS_TABLE, search_index.GRAMS_TABLE):
        try:
            session.connection().exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
        except DBAPIError as exc:
            result.index_problems.append(f"{table}: {exc.orig}")
    for (kind, record_id), value in state.edits.items():
        if kind == "inspection.notes":
            inspection_id = record_id
        elif kind == "finding.description":
            finding = session.get(Finding, record_id)
            if finding is None:
                continue  # reported as lost
            inspection_id = finding.inspection_id
        else:
            continue
        found = session.connection().exec_driver_sql(
            f"SELECT inspection_id FROM {search_index.FTS_TABLE} WHERE {search_index.FTS_TABLE} MATCH ?",
            (search_index.phrase(value),),
        )
        if inspection_id not in {row[0] for row in found}:
            result.index_problems.append(f"{kind} {record_id}: {value!r} not found by the search index")


def _committed_in_flight(session: Session, in_flight: tuple[str, str], state: FolderState, result: TrialResult) -> None:
    """A photo or document committed before its ACK was printed: found (as allowed), and expected from now on."""
    kind, value = in_flight
    if kind in worker.PHOTO_KINDS:
        for evidence in session.exec(select(Evidence).where(Evidence.sha256 == value)):
            if evidence.id not in state.photos:
                state.photos[evidence.id] = evidence.sha256
                result.committed_unacked += 1
    elif kind in worker.DOCUMENT_KINDS:
        for document in session.exec(select(Document).where(col(Document.pdf_sha256) != "")):
            if document.id not in state.documents and value in json.dumps(document.fields, ensure_ascii=False):
                state.documents[document.id] = document.pdf_sha256
                result.committed_unacked += 1


def _check_files(store: Store, state: FolderState, result: TrialResult) -> None:
    root: Path = store.blob_dir
    for path in root.iterdir():
        if path.is_dir() and len(path.name) == 2:
            for inner in path.iterdir():
                if len(inner.name) != 64 or inner.name[:2] != path.name:
                    result.stray_files.append(str(inner.relative_to(root)))
        elif not path.name.startswith(".incoming-"):
            result.stray_files.append(path.name)
    for sha in store.blobs.all_hashes():
        result.blobs_verified += 1
        if not _blob_ok(store, sha, state):
            result.half_written.append(sha)
    leftovers = len(store.blobs.leftovers())
    result.new_leftovers, state.leftovers = leftovers - state.leftovers, leftovers
    derived = store.data_dir / "derived"
    hidden = 0
    if derived.is_dir():
        for path in derived.rglob("*"):
            if not path.is_file():
                continue
            if path.name.startswith("."):
                hidden += 1  # a cache write that never finished: invisible to the app
                continue
            if path.stat().st_size < 4:
                result.derived_bad.append(str(path.relative_to(store.data_dir)))
                continue
            data = path.read_bytes()
            if store.blobs.cipher is not None:  # an encrypted folder seals its cache too
                try:
                    data = store.blobs.cipher.open(data, path.name.encode(), label=path.name)
                except InspectorError:
                    data = b""
            if data[:2] != b"\xff\xd8" or data[-2:] != b"\xff\xd9":
                result.derived_bad.append(str(path.relative_to(store.data_dir)))
    result.new_derived_leftovers, state.derived_leftovers = hidden - state.derived_leftovers, hidden


# ─── trials ──────────────────────────────────────────────────────────────────────────────────────────

_LANES: dict[int, Lane] = {}  # one per process (by pid): its zygote serves every chain the process runs


@dataclass(frozen=True)
class Chain:
    """Trials run one after another on one folder, a fresh copy of the base (again after a folder fails to open)."""

    number: int
    trials: tuple[int, ...]
    seed: int
    base: Base
    work_dir: Path
    fresh_interpreter: bool


def plan_trial(seed: int, index: int) -> TrialPlan:
    """Trial `index`'s plan: every block of len(TARGETS) trials aims at each target once, in a seeded order."""
    block = list(TARGETS)
    random.Random(seed * 7919 + index // len(TARGETS)).shuffle(block)
    rng = random.Random(seed * 1_000_003 + index)
    return TrialPlan(block[index % len(TARGETS)], rng.choice((1, 1, 2)), rng.random(), rng.randint(1, 4),
                     rng.randrange(2**31))  # fmt: skip


def run_chain(chain: Chain) -> list[TrialResult]:
    lane = _LANES.get(os.getpid())
    if lane is None:
        lane = _LANES[os.getpid()] = Lane(fresh_interpreter=chain.fresh_interpreter)
        if not chain.fresh_interpreter:
            lane.start_zygote()  # before the first trial's clock starts
    folder = chain.work_dir / f"folder-{chain.number:04d}"
    shutil.copytree(chain.base.folder, folder)
    state = FolderState()
    results: list[TrialResult] = []
    for index in chain.trials:
        plan = plan_trial(chain.seed, index)
        result = TrialResult(index=index, target="/".join(plan.target), folder=str(folder))
        args = {
            "folder": str(folder),
            "seed": plan.worker_seed,
            "focus": plan.target[0],
            "onsite_inspection_id": chain.base.onsite_inspection_id,
            "finished_inspection_id": chain.base.finished_inspection_id,
            "photos": chain.base.photos,
            "photo_weights": chain.base.photo_weights,
            "phone_dir": str(chain.work_dir / f"phone-{chain.number:04d}"),
        }
        started = time.monotonic()
        run = lane.run(args, plan)
        result.run_s = time.monotonic() - started
        result.landed = "/".join(landing(run))
        result.worker_error = run.error
        in_flight = record_acks(run, state, result)
        started = time.monotonic()
        opened = check_folder(folder, state, in_flight, result)
        result.check_s = time.monotonic() - started
        results.append(result)
        if result.failed:  # keep the evidence; go on with a fresh folder
            kept = folder.with_name(f"{folder.name}-failed-trial-{index}")
            shutil.copytree(folder, kept)
            result.folder = str(kept)
        if not opened or result.failed:
            shutil.rmtree(folder)
            shutil.copytree(chain.base.folder, folder)
            state = FolderState()
    shutil.rmtree(folder, ignore_errors=True)
    return results


def run_trials(
    trials: int,
    seed: int,
    *,
    workers: int = 1,
    per_folder: int = 10,
    fresh_interpreter: bool = False,
    work_dir: Path,
    encrypted: bool = False,
) -> list[TrialResult]:
    """Seed a base folder in `work_dir`, run the trials in chains of `per_folder` (in `workers` processes);
    `encrypted`: the folder is encrypted, and its passphrase goes to every process through the environment."""
    if encrypted:
        from inspector.store import crypto

        os.environ[crypto.PASSPHRASE_ENV] = CRASH_PASSPHRASE
    base = make_base(work_dir, encrypted=encrypted)
    chains = [
        Chain(n, tuple(range(start, min(start + per_folder, trials))), seed, base, work_dir, fresh_interpreter)
        for n, start in enumerate(range(0, trials, per_folder))
    ]
    if workers <= 1:
        try:
            return [r for chain in chains for r in run_chain(chain)]
        finally:
            lane = _LANES.pop(os.getpid(), None)
            if lane is not None:
                lane.close()
    # Each process keeps its zygote for all its chains; spawn, not fork: this process may hold threads.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return [r for results in pool.map(run_chain, chains) for r in results]


# ─── figures ─────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Totals:
    trials: int = 0
    kills: Counter[str] = field(default_factory=Counter)  # landed group/phase → count
    kills_by_group: Counter[str] = field(default_factory=Counter)
    targets: Counter[str] = field(default_factory=Counter)
    acks: Counter[str] = field(default_factory=Counter)
    checks: int = 0
    committed_unacked: int = 0
    lost: int = 0
    half_written: int = 0
    stray_files: int = 0
    blobs_verified: int = 0
    leftovers: int = 0
    derived_bad: int = 0
    derived_leftovers: int = 0
    missing_files: int = 0
    open_failures: int = 0
    audit_problems: int = 0
    number_problems: int = 0
    index_problems: int = 0
    worker_errors: int = 0
    trial_s: list[float] = field(default_factory=list)
    run_s: list[float] = field(default_factory=list)
    check_s: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, results: list[TrialResult]) -> Totals:
        t = cls()
        for r in results:
            t.trials += 1
            t.kills[r.landed] += 1
            t.kills_by_group[r.landed.split("/")[0]] += 1
            t.targets[r.target] += 1
            t.acks.update(r.acks)
            t.checks += r.checks
            t.committed_unacked += r.committed_unacked
            t.lost += len(r.lost)
            t.half_written += len(r.half_written)
            t.stray_files += len(r.stray_files)
            t.blobs_verified += r.blobs_verified
            t.leftovers += r.new_leftovers
            t.derived_bad += len(r.derived_bad)
            t.derived_leftovers += r.new_derived_leftovers
            t.missing_files += len(r.missing_files)
            t.open_failures += bool(r.open_error or r.integrity != "ok" or r.foreign_key_problems)
            t.audit_problems += len(r.audit_problems)
            t.number_problems += len(r.number_problems)
            t.index_problems += len(r.index_problems)
            t.worker_errors += r.worker_error is not None
            t.trial_s.append(r.run_s + r.check_s)
            t.run_s.append(r.run_s)
            t.check_s.append(r.check_s)
            if r.failed:
                t.failures.append(describe_failure(r))
        return t

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_json(self) -> dict[str, Any]:
        # Not asdict(): it rebuilds a Counter from (key, value) pairs, counting the pairs.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("trial_s", "run_s", "check_s"):
            data[name] = _timing(data[name])
        return {name: dict(value) if isinstance(value, Counter) else value for name, value in data.items()}


def describe_failure(r: TrialResult) -> str:
    parts = [f"trial {r.index} (aimed {r.target}, landed {r.landed}), folder kept: {r.folder}"]
    for label, items in (
        ("lost", r.lost),
        ("half-written blobs visible", r.half_written),
        ("stray files under blobs/", r.stray_files),
        ("derived images not whole", r.derived_bad),
        ("records whose file is bad", r.missing_files),
        ("audit problems", r.audit_problems),
        ("number problems", r.number_problems),
        ("search index problems", r.index_problems),
    ):
        if items:
            parts.append(f"  {label}: {len(items)}: {items[:3]}")
    if r.open_error:
        parts.append(f"  open failed: {r.open_error}")
    if r.integrity != "ok" or r.foreign_key_problems:
        parts.append(f"  integrity_check: {r.integrity}; foreign-key problems: {r.foreign_key_problems}")
    if r.worker_error:
        parts.append(f"  worker error: {r.worker_error[-1500:]}")
    return "\n".join(parts)


def _timing(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "mean": statistics.fmean(values),
        "median": statistics.median(values),
        "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
        "max": ordered[-1],
    }


def report(t: Totals, *, wall_s: float, workers: int) -> Iterator[str]:
    groups = ("start", "edit", "photo", "document", "between")
    yield f"trials run: {t.trials}"
    yield "kills, by where they landed (operation in flight: anywhere in it / inside its blob write / its commit):"
    for group in groups:
        detail = ", ".join(f"{k.split('/')[1]} {n}" for k, n in sorted(t.kills.items()) if k.split("/")[0] == group)
        yield f"  {group:<9} {t.kills_by_group[group]:>5}   ({detail})"
    yield f"  aimed at: {', '.join(f'{k} {n}' for k, n in sorted(t.targets.items()))}"
    acked = sum(t.acks.values())
    yield f"acknowledged operations: {acked} ({', '.join(f'{k} {n}' for k, n in sorted(t.acks.items()))})"
    yield f"acknowledged values checked after reopening (each, after every later kill too): {t.checks}"
    yield f"  committed, killed before the ACK was printed (found, as allowed): {t.committed_unacked}"
    yield f"edits lost (ACKed value, photo or document missing or wrong): {t.lost}   [must be 0]"
    yield f"half-written blobs visible: {t.half_written} of {t.blobs_verified} blob checks   [must be 0]"
    yield f"  unfinished blob writes left as .incoming-* (invisible to the app): {t.leftovers}"
    yield f"  stray files under blobs/: {t.stray_files}   [must be 0]"
    yield f"  photo/document records whose file is missing or changed: {t.missing_files}   [must be 0]"
    yield f"  cached thumbnails/print copies visible but not whole: {t.derived_bad}   [must be 0]"
    yield f"  unfinished cache writes left (hidden .tmp): {t.derived_leftovers}"
    yield f"databases that failed to open clean (error, integrity_check, foreign keys): {t.open_failures}   [must be 0]"
    yield f"audit-chain problems after reopening (verify_audit): {t.audit_problems}   [must be 0]"
    yield f"case-number problems: {t.number_problems}   [must be 0]"
    yield f"search-index problems (FTS5 integrity-check; ACKed notes, findings found): {t.index_problems}   [must be 0]"
    yield f"worker errors (not kills): {t.worker_errors}   [must be 0]"
    trial, run, check = _timing(t.trial_s), _timing(t.run_s), _timing(t.check_s)
    if trial:
        yield (
            f"time per trial: mean {trial['mean']:.3f} s, median {trial['median']:.3f} s, p95 {trial['p95']:.3f} s "
            f"(worker until killed {run['mean']:.3f} s, reopen and checks {check['mean']:.3f} s)"
        )
    yield f"total: {wall_s:.1f} s wall with {workers} worker process(es), seeding the base folder included"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="trial processes in parallel (each with its zygote)")
    parser.add_argument("--per-folder", type=int, default=10, help="trials on one folder before a fresh copy")
    parser.add_argument("--fresh-interpreter", action="store_true", help="a new Python per worker, not a fork")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--verbose", action="store_true", help="a line per trial")
    parser.add_argument("--encrypted", action="store_true", help="an encrypted data folder (SQLCipher, sealed blobs)")
    args = parser.parse_args(argv)
    work_dir = Path(tempfile.mkdtemp(prefix="inspector-crash-"))
    started = time.monotonic()
    results = run_trials(
        args.trials,
        args.seed,
        workers=args.workers,
        per_folder=args.per_folder,
        fresh_interpreter=args.fresh_interpreter,
        work_dir=work_dir,
        encrypted=args.encrypted,
    )  # on an exception the work folder stays, for a look
    wall = time.monotonic() - started
    totals = Totals.of(results)
    if args.verbose:
        for r in results:
            acks = ", ".join(f"{k} {n}" for k, n in sorted(r.acks.items()))
            print(
                f"trial {r.index:>4}: aimed {r.target:<16} landed {r.landed:<16} acks [{acks}] checks {r.checks} "
                f"run {r.run_s:.2f} s, check {r.check_s:.2f} s{'  FAILED' if r.failed else ''}"
            )
    mode = "a new interpreter per worker" if args.fresh_interpreter else "workers forked by a zygote"
    mode += ", encrypted folder" if args.encrypted else ", clear-text folder"
    print(f"crash harness: seed {args.seed}, {args.per_folder} trials per folder, {mode}")
    for line in report(totals, wall_s=wall, workers=args.workers):
        print(line)
    for failure in totals.failures[:20]:
        print("FAILED " + failure)
    if args.json:
        print(json.dumps(totals.as_json(), ensure_ascii=False))
    if args.keep or not totals.ok:
        print(f"work folder kept: {work_dir}")
    else:
        shutil.rmtree(work_dir, ignore_errors=True)
    return 0 if totals.ok else 1


if __name__ == "__main__":
    sys.exit(main())
