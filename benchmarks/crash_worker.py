"""The child of the crash harness (benchmarks/crash.py): the app's write path in a seeded loop, until SIGKILL.

    python benchmarks/crash_worker.py run '{"folder": ..., "seed": ..., ...}'   one worker in this interpreter
    python benchmarks/crash_worker.py zygote                                    a fork server (see below)

`run` opens a data folder with `open_folder` and, in a seeded random loop, does what an inspector does, through
the core services: edits (inspection notes, finding descriptions, checklist notes, photo captions, a new
enterprise), photo ingests (files and camera bytes, some a few MB) and document issuing (PDF rendered, stored as
a blob, numbered). It prints, one `os.write` per line (nothing sits in a buffer when the kill lands):

    STARTED <pid>                        first of all (the harness kills this pid)
    READY                                the store is open
    BEGIN <kind> <record id or -> <value or ->   an operation starts
    PHASE blob+ | blob- | commit+ | commit-      a blob write / a commit starts or ends (inside the operation)
    PHASE stop                           the worker stops itself (SIGSTOP) at its stop point, to be killed there
    ACK <kind> <record id> <value or sha256>     the operation is committed
    ERROR <message>                      the loop failed (a harness or app bug: not a crash)

An ACK is printed only after the unit of work committed, so every ACKed value must be there after any kill.
A commit or a PDF's blob write lasts about a millisecond, too short to hit from another process by timing; so
`stop_at` (a StopPoint) has the worker freeze itself right before the nth operation's database COMMIT, or inside
its blob write after some chunks, and the harness SIGKILLs it there.

`zygote` imports the app once (and loads fonts and forms: `warm_up`), prints `WARM`, then forks one worker per
`run <json>` line read on stdin: importing the app costs ~1.4 s, more than a whole trial, while a forked worker
opens the store within milliseconds. Nothing is open before the fork (no engine, no file, no thread), so each
worker starts as a fresh process would after its imports; the kill ends it as it ends any process. Once a
worker has died the zygote prints `EXITED <pid> <status>` without reaping it, and reaps it only when told
`reap`: until then the pid cannot be reused, so the harness's SIGKILL can never reach another process.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import configure_mappers
from sqlmodel import col, select

from inspector import clock
from inspector.documents.forms import load_form
from inspector.documents.render import missing_glyphs
from inspector.documents.service import create_draft, issue_document
from inspector.domain.enums import DocumentKind, DocumentStatus, Industry, ItemResultValue
from inspector.domain.identifiers import make_credit_code
from inspector.evidence.service import ingest_photo_bytes, ingest_photos, set_caption
from inspector.inspections import walk
from inspector.inspections.findings import update_finding
from inspector.inspections.service import update_site_details
from inspector.registry.service import register_enterprise
from inspector.store.blobs import BlobStore
from inspector.store.db import Store, open_store
from inspector.store.models import Document, Evidence, Finding

COUNTY = "140522"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# Operation kinds, as printed, in their groups: edit / photo / document.
EDIT_KINDS = ("inspection.notes", "finding.description", "item_result.note", "evidence.caption", "enterprise.name")
PHOTO_KINDS = ("photo.file", "photo.camera")
DOCUMENT_KINDS = ("document.plan", "document.order")
GROUP_OF = {
    **dict.fromkeys(EDIT_KINDS, "edit"),
    **dict.fromkeys(PHOTO_KINDS, "photo"),
    **dict.fromkeys(DOCUMENT_KINDS, "document"),
}


def open_folder(folder: Path) -> Store:
    """The one place the worker (and the harness) opens a data folder. The harness passes its environment through
    (INSPECTOR_PASSPHRASE, for an encrypted folder, once the store takes one)."""
    return open_store(folder)


# ─── the line protocol ───────────────────────────────────────────────────────────────────────────────

_out_lock = threading.Lock()


def emit(*parts: object) -> None:
    # One write per line, straight to the pipe: a line is either wholly out before the kill or not at all.
    line = (" ".join(str(p) for p in parts) + "\n").encode()
    with _out_lock:
        os.write(1, line)


@dataclass(frozen=True)
class StopPoint:
    """Where a worker stops itself for the harness's SIGKILL: in the `nth` operation of `group`, just before the
    database COMMIT (its statements all run), or inside its blob write: `fraction` of the way through writing the
    `chunk`th 1 MiB chunk (or the last, if there are fewer), before the flush, fsync and rename."""

    group: str
    nth: int
    phase: str  # commit / blob
    chunk: int = 1
    fraction: float = 0.5


class Tracker:
    """The last operation begun (its group, and how many of that group this worker began), for the stop point: its
    first commit is its unit of work's (the operations read what they need before they begin)."""

    def __init__(self, stop: StopPoint | None) -> None:
        self.stop = stop
        self.group: str | None = None
        self.begun: Counter[str] = Counter()
        self.blob_written = False

    def begin(self, kind: str, target: str, value: str) -> None:
        emit("BEGIN", kind, target or "-", value or "-")
        self.group = GROUP_OF[kind]
        self.begun[self.group] += 1
        self.blob_written = False

    def stops_at(self, phase: str) -> bool:
        stop = self.stop
        if stop is None or self.group != stop.group or self.begun[stop.group] != stop.nth or stop.phase != phase:
            return False
        if phase == "blob" and self.blob_written:
            return False  # one blob write per operation; a stop point is reached once
        # A photo's commit that records it comes after its blob (ingest first checks the inspection in a session).
        return phase != "commit" or self.group != "photo" or self.blob_written


def stop_here() -> None:
    """Freeze this process where it stands; the harness, reading the line, SIGKILLs it there."""
    emit("PHASE", "stop")
    os.kill(os.getpid(), signal.SIGSTOP)


def _stop_inside(chunks: Iterable[bytes], nth: int, fraction: float) -> Iterator[bytes]:
    """The chunks, up to `fraction` of the `nth` (or of the last, if there are fewer): then stop. put_stream writes
    each chunk before it asks for the next, so the stop comes with the blob that far written; a fraction of 1 or
    more writes the whole chunk (the last: the stop is before the flush, fsync and rename)."""
    stream = iter(chunks)
    current = next(stream, None)
    index = 1
    while current is not None:
        following = next(stream, None)
        if index == nth or following is None:
            cut = min(len(current), int(len(current) * fraction))
            if cut:
                yield current[:cut]
            stop_here()
        yield current
        current, index = following, index + 1
    stop_here()


def trace(tracker: Tracker) -> None:
    """PHASE lines around blob writes and commits (where the harness aims kills and says where they landed), and
    the stop point. Observation only, but for the stop: the wrapped blob write and the events change nothing."""
    put_stream = BlobStore.put_stream

    def traced_put_stream(self: BlobStore, chunks: Iterable[bytes]) -> str:
        emit("PHASE", "blob+")
        try:
            if tracker.stops_at("blob"):
                assert tracker.stop is not None
                chunks = _stop_inside(chunks, tracker.stop.chunk, tracker.stop.fraction)
            return put_stream(self, chunks)
        finally:
            tracker.blob_written = True
            emit("PHASE", "blob-")

    def before_database_commit(_conn: Any) -> None:
        if tracker.stops_at("commit"):
            stop_here()

    BlobStore.put_stream = traced_put_stream  # type: ignore[method-assign]
    event.listen(OrmSession, "before_commit", lambda _session: emit("PHASE", "commit+"))
    event.listen(Engine, "commit", before_database_commit)  # right before the DBAPI commit(): the SQL all ran
    event.listen(OrmSession, "after_commit", lambda _session: emit("PHASE", "commit-"))


# ─── photos ──────────────────────────────────────────────────────────────────────────────────────────


def unique_jpeg(base: bytes, nonce: str) -> bytes:
    """The base JPEG with a comment segment (COM) carrying `nonce` after SOI: a valid, different photo."""
    payload = nonce.encode()
    return base[:2] + b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload + base[2:]


# ─── the loop ────────────────────────────────────────────────────────────────────────────────────────


class Worker:
    """Picks and runs operations; `focus` (edit / photo / document) is picked three times as often."""

    def __init__(self, store: Store, args: dict[str, Any], tracker: Tracker) -> None:
        self.store = store
        self.tracker = tracker
        self.rng = random.Random(args["seed"])
        self.tag = f"{args['seed'] % 1_000_000:06d}"
        self.onsite_id: str = args["onsite_inspection_id"]
        self.finished_id: str = args["finished_inspection_id"]
        self.photos = {name: Path(path).read_bytes() for name, path in args["photos"].items()}
        self.photo_weights: dict[str, float] = args["photo_weights"]
        self.phone = Path(args["phone_dir"])
        self.phone.mkdir(parents=True, exist_ok=True)
        weights = {"edit": 6.0, "photo": 2.0, "document": 1.0}
        focus = args.get("focus")
        if focus in weights:
            weights[focus] *= 3
        self.groups = list(weights)
        self.group_weights = list(weights.values())
        self.n = 0
        self.items: list[str] = []  # the checklist of the inspection on site (it does not change)

    def value(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-{self.tag}-{self.n}-{self.rng.randrange(16**6):06x}"  # never a space: one token

    def run(self) -> None:
        ops: dict[str, Callable[[], None]] = {
            "edit": self.edit,
            "photo": self.photo,
            "document": self.document,
        }
        while True:
            ops[self.rng.choices(self.groups, self.group_weights)[0]]()

    @contextmanager
    def op(self, kind: str, target: str, value: str) -> Iterator[None]:
        self.tracker.begin(kind, target, value)
        yield

    def ack(self, kind: str, record_id: str, value: str) -> None:
        """Printed once the unit of work committed: from here on the value must survive any kill."""
        emit("ACK", kind, record_id, value)

    # edits ──────────────────────────────────────────────────────────────────────────────────────────

    def edit(self) -> None:
        kind = self.rng.choices(EDIT_KINDS, (3, 3, 3, 2, 1))[0]
        store = self.store
        if kind == "inspection.notes":
            value = self.value("现场记录")
            with self.op(kind, self.onsite_id, value), store.session() as session:
                update_site_details(session, inspection_id=self.onsite_id, notes=value)
            self.ack(kind, self.onsite_id, value)
        elif kind == "finding.description":
            with store.session() as session:
                ids = list(session.exec(select(Finding.id).where(Finding.inspection_id == self.onsite_id)))
            finding_id = self.rng.choice(sorted(ids))
            value = self.value("隐患描述")
            with self.op(kind, finding_id, value), store.session() as session:
                update_finding(session, finding_id=finding_id, description=value)
            self.ack(kind, finding_id, value)
        elif kind == "item_result.note":
            if not self.items:
                with store.session() as session:
                    self.items = [row.item_id for row in walk.checklist_rows(session, self.onsite_id)]
            item_id = self.rng.choice(self.items)
            value = self.value("检查备注")
            with self.op(kind, item_id, value), store.session() as session:
                answer = walk.record_result(
                    session, inspection_id=self.onsite_id, item_id=item_id, result=ItemResultValue.PASS, note=value
                )
                answer_id = answer.id
            self.ack(kind, answer_id, value)
        elif kind == "evidence.caption":
            with store.session() as session:
                ids = list(session.exec(select(Evidence.id).where(Evidence.inspection_id == self.onsite_id)))
            evidence_id = self.rng.choice(sorted(ids))
            value = self.value("照片说明")
            with self.op(kind, evidence_id, value), store.session() as session:
                set_caption(session, evidence_id=evidence_id, caption=value)
            self.ack(kind, evidence_id, value)
        else:
            value = self.value("阳城县试验有限公司")
            digest = hashlib.sha256(value.encode()).digest()
            body = "".join(CREDIT_ALPHABET[b % len(CREDIT_ALPHABET)] for b in digest[:8])  # unique as the value
            with self.op(kind, "-", value), store.session() as session:
                enterprise = register_enterprise(
                    session,
                    name=value,
                    credit_code=make_credit_code(COUNTY, body),
                    industry=Industry.INDUSTRY_TRADE,
                    county_code=COUNTY,
                    address="山西省晋城市阳城县凤城镇",
                )
                enterprise_id = enterprise.id
            self.ack(kind, enterprise_id, value)

    # photos ─────────────────────────────────────────────────────────────────────────────────────────

    def photo(self) -> None:
        names = list(self.photo_weights)
        size = self.rng.choices(names, [self.photo_weights[n] for n in names])[0]
        data = unique_jpeg(self.photos[size], self.value("photo"))
        sha = hashlib.sha256(data).hexdigest()
        name = f"IMG_{self.tag}_{self.n:04d}.jpg"
        if self.rng.random() < 0.6:
            path = self.phone / name  # the phone's card: outside the data folder, written before the ingest
            path.write_bytes(data)
            with self.op("photo.file", "-", sha):
                report = ingest_photos(self.store, self.onsite_id, [path])
            if len(report.added) != 1:
                raise RuntimeError(f"photo not added: {report}")
            self.ack("photo.file", report.added[0], sha)
            path.unlink()
        else:
            with self.op("photo.camera", "-", sha):
                evidence = ingest_photo_bytes(self.store, self.onsite_id, data, name=name)
            self.ack("photo.camera", evidence.id, sha)

    # documents ──────────────────────────────────────────────────────────────────────────────────────

    def document(self) -> None:
        if self.rng.random() < 0.5:
            self.issue_plan()
        else:
            self.correct_order()

    def issue_plan(self) -> None:
        """A 现场检查方案 of the inspection on site (new, or correcting the last one: the old is voided)."""
        kind = "document.plan"
        matters = self.value("检查事项")
        with self.op(kind, "-", matters), self.store.session() as session:
            last = None
            if self.rng.random() < 0.5:
                last = session.exec(
                    select(Document.id).where(
                        Document.inspection_id == self.onsite_id,
                        Document.kind == DocumentKind.INSPECTION_PLAN,
                        Document.status == DocumentStatus.ISSUED,
                    )
                ).first()
            draft = create_draft(
                session,
                kind=DocumentKind.INSPECTION_PLAN,
                inspection_id=self.onsite_id,
                inputs={"planned_time": "当日上午", "matters": f"主要负责人履职情况\n{matters}"},
                replaces_document_id=last,
            )
            document = issue_document(session, self.store, document_id=draft.id)
            document_id, sha = document.id, document.pdf_sha256
        self.ack(kind, document_id, sha)

    def correct_order(self) -> None:
        """A correction of the finished inspection's 责令限期整改指令书: issued, and the one it corrects voided."""
        kind = "document.order"
        day = clock.local_today() + timedelta(days=self.rng.randrange(10, 400))
        review = f"{day.year}年{day.month}月{day.day}日"
        with self.op(kind, "-", review), self.store.session() as session:
            current = session.exec(
                select(Document.id)
                .where(
                    Document.inspection_id == self.finished_id,
                    Document.kind == DocumentKind.RECTIFICATION_ORDER,
                    col(Document.status).in_((DocumentStatus.ISSUED, DocumentStatus.SERVED)),
                )
                .order_by(col(Document.issued_at).desc())
            ).first()
            draft = create_draft(
                session,
                kind=DocumentKind.RECTIFICATION_ORDER,
                inspection_id=self.finished_id,
                inputs={"review_date": review},
                replaces_document_id=current,
            )
            document = issue_document(session, self.store, document_id=draft.id)
            document_id, sha = document.id, document.pdf_sha256
        self.ack(kind, document_id, sha)


def run(args: dict[str, Any]) -> None:
    """Open the folder and loop until killed; an exception is printed as ERROR and ends the process (status 3)."""
    emit("STARTED", os.getpid())
    try:
        stop = args.get("stop_at")
        tracker = Tracker(StopPoint(**stop) if stop else None)
        trace(tracker)
        store = open_folder(Path(args["folder"]))
        emit("READY")
        Worker(store, args, tracker).run()
    except BaseException as exc:
        emit("ERROR", json.dumps("".join(traceback.format_exception(exc))))
        raise SystemExit(3) from None


# ─── the fork server ─────────────────────────────────────────────────────────────────────────────────


def warm_up() -> None:
    """In-memory work every worker would redo (mappers, fonts, forms), done once before the forks."""
    configure_mappers()
    missing_glyphs("")  # registers the document fonts: ~0.5 s
    for kind in (DocumentKind.INSPECTION_PLAN, DocumentKind.RECTIFICATION_ORDER):
        load_form(kind)


def zygote() -> None:
    warm_up()
    emit("WARM")
    for raw in sys.stdin:
        command, _, payload = raw.strip().partition(" ")
        if command != "run":
            continue
        if threading.active_count() != 1:
            raise RuntimeError("a thread is running in the zygote: forking it would not be a clean start")
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                run(json.loads(payload))
            except SystemExit as exc:
                code = int(exc.code or 0)
            finally:
                os._exit(code)
        # Wait for the death without reaping: the pid stays taken until the harness says `reap`.
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        assert info is not None  # None only with WNOHANG
        status = info.si_status if info.si_code == os.CLD_EXITED else -info.si_status
        emit("EXITED", pid, status)
        if sys.stdin.readline().strip() != "reap":
            return
        os.waitpid(pid, 0)


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "zygote":
        zygote()
    elif len(sys.argv) == 3 and sys.argv[1] == "run":
        run(json.loads(sys.argv[2]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
