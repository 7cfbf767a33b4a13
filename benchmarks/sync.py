"""Sync speed: an incremental sync on a big laptop, blob upload throughput, 200 laptops syncing at once.

    python benchmarks/sync.py [--only incremental|upload|laptops] [--records 100000] [--runs 5]
                              [--upload-mb 1000] [--upload-runs 3] [--laptops 200] [--workers 2] [--rounds 3] [--json]

Quick run: --records 10000 --upload-mb 100 --laptops 20. Every office is a real `inspector office serve` child
process (uvicorn on 127.0.0.1, a free port); the laptops talk to it over loopback HTTP.

incremental  Two laptops, each with an office of its own (SQLite): `--records` and a tenth of it synced
             records (1% enterprises, 1% inspections, the rest checklist answers; written in bulk: the ORM for
             the rows with search-index hooks, `insert_synced` for the answers), brought in sync by one real
             full sync each (timed). Then `sync_once(store)` — what the 同步 button and `inspector sync` run:
             its own httpx client, numbers, push, pull of our own changes back — is timed after changing 1
             answer on each laptop and 10 and 100 on the big one, the cases round-robin, median of `--runs`.
             Goal: ≤ 300 ms for 1 change at 100k. One more 1-change sync is timed request by request, the
             laptop's side profiled (cProfile); over the goal, the full client profile and the office's
             handlers profiled in-process are printed too.
upload       `--upload-mb` MB of photo-like blobs (random bytes, 2–6 MB each: as incompressible as JPEGs, and
             neither side compresses) in a laptop's blob store, sent as a sync sends them: /blobs/missing, then
             `upload_blobs` (packs of whole blobs up to 256 MB; the office hashes each as it arrives, fsyncs and
             renames it while the next arrives, records the pack at its end), against the same bytes PUT as one
             single stream to a minimal Starlette endpoint served by the same uvicorn (1 MiB writes off the event
             loop, one fsync at the end): the goal's baseline. After a warm-up (os.sync, one plain stream),
             `--upload-runs` runs alternate plain and ours (a new office each); medians. Then, once each, plain
             with one request per blob and in 1 MiB requests, for scale. Goal: ours ≥ 0.8 × the single stream.
             Below it, the office's per-blob handlers are timed and profiled in-process. Needs 3 × the size free
             where the temporary folder is.
laptops      `--laptops` devices in 10 counties against PostgreSQL (127.0.0.1:5432, trust auth: a throwaway
             database, dropped at the end), `office serve --workers N`. The laptops are simulated, not full
             stores: an asyncio task each (uvloop), speaking the protocol with httpx (a new connection per
             sync, as sync_once opens one) as sync_once does — POST /sync (numbers, a batch of a few records
             built from the app's models, the first pull page), GET /pull while there is more, POST /audit with
             its audit events (its edits', and a "sync" event per change pulled from another laptop: ~80) — so
             that 200 laptops fit in one process on a 2-core machine. What a laptop computes itself (records,
             hashed audit events) is made before the clock starts: it is the laptops' CPU, not the office's.
             Round 0 is every laptop's first sync (enterprise, inspection, 2 findings up; its county down), the
             later rounds incremental (an edit and 3 new records up, the county's changes down); every round
             starts all laptops at once. Goal: p99 ≤ 1 s, no errors. Printed per round: CPU used by the server,
             PostgreSQL and this harness (they share the cores), latency per request kind, and what the
             database's backends were doing (pg_stat_activity sampled every 50 ms); over the goal, the office's
             handlers for one sync profiled in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import hashlib
import io
import json
import math
import os
import pstats
import random
import secrets
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import httpx
from pydantic_core import to_jsonable_python
from sqlmodel import select

from inspector import clock
from inspector.checklists.service import template_items
from inspector.domain.enums import FindingStatus, HazardGrade, Industry, InspectionStatus, ItemResultValue
from inspector.domain.identifiers import make_credit_code
from inspector.office import audit as office_audit
from inspector.office import auth, numbers, records
from inspector.office.admin import add_user, enroll_device
from inspector.office.db import open_office_db
from inspector.shipped import install_shipped_content
from inspector.store.audit import GENESIS, event_hash, record_state
from inspector.store.bulk import insert_synced
from inspector.store.db import Store, open_store
from inspector.store.models import ChecklistTemplate, Enterprise, Finding, Inspection, ItemResult, SyncState
from inspector.sync.client import (
    PULL_LIMIT,
    SyncReport,
    enroll,
    http_client,
    office_link,
    sync_once,
    upload_blobs,
)
from inspector.sync.protocol import (
    API,
    MAX_AUDIT_BATCH,
    AuditPush,
    EnrollResponse,
    PushRequest,
    RecordChange,
)

GOAL_INCREMENTAL_MS = 300.0
T = TypeVar("T")
GOAL_UPLOAD_RATIO = 0.8
GOAL_P99_S = 1.0
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
COUNTY = "140522"
COUNTIES = [f"1405{n:02d}" for n in range(21, 31)]  # ten made-up counties of one city
INSPECTOR = [sys.executable, "-m", "inspector"]
MB = 1_000_000


@dataclass
class Figure:
    bench: str
    what: str
    value: float
    unit: str
    goal: str = ""
    met: bool | None = None


@dataclass
class Figures:
    rows: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, bench: str, what: str, value: float, unit: str, *, goal: str = "", met: bool | None = None) -> None:
        self.rows.append(Figure(bench, what, value, unit, goal, met))

    def table(self) -> str:
        lines = [f"{'benchmark':<12} {'measure':<58} {'value':>12} {'unit':<6} goal", "-" * 104]
        for r in self.rows:
            verdict = "" if r.met is None else (" MET" if r.met else " NOT MET")
            lines.append(f"{r.bench:<12} {r.what:<58} {r.value:12.2f} {r.unit:<6} {r.goal}{verdict}")
        return "\n".join(lines)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ─── servers ─────────────────────────────────────────────────────────────────────────────────────────


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """A server child process on a free port; ready when `probe` answers 200."""

    def __init__(self, argv: list[str], port: int, log: Path, probe: str = "/docs") -> None:
        self.argv = argv
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.probe = probe
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServerProcess:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.url + self.probe, timeout=2).status_code == 200:
                    return self
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise SystemExit(f"server did not start: {' '.join(self.argv)}\n{self.log.read_text()[-2000:]}")
            time.sleep(0.1)

    def __exit__(self, *_exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def office_server(data_dir: Path, *, db: str | None = None, workers: int = 1) -> ServerProcess:
    port = free_port()
    argv = [*INSPECTOR, "--data-dir", str(data_dir), "office", "serve", "--port", str(port)]
    if db:
        argv += ["--db", db]
    if workers > 1:
        argv += ["--workers", str(workers)]
    data_dir.mkdir(parents=True, exist_ok=True)
    return ServerProcess(argv, port, data_dir / "server.log")


def office_engine_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'office' / 'office.sqlite'}"


def enroll_laptop(store: Store, db_url: str, url: str, county: str = COUNTY) -> str:
    engine = open_office_db(db_url)
    try:
        code = enroll_device(engine, add_user(engine, name="王建军", role="inspector", county_code=county))
    finally:
        engine.dispose()
    with http_client(url) as http:
        return enroll(store, http, url=url, code=code, device_name="bench").token


# ─── 1. incremental sync ─────────────────────────────────────────────────────────────────────────────


def build_laptop(path: Path, total: int) -> tuple[Store, list[str]]:
    """A laptop with `total` records to sync: enterprises and inspections (1% each), the rest item results."""
    store = open_store(path)
    with store.session() as session:
        install_shipped_content(session)
        templates = [t for t in session.exec(select(ChecklistTemplate)) if t.is_current]
        items = {t.id: [i.id for i in template_items(session, t.id)] for t in templates}
    n_enterprises = max(1, total // 100)
    n_inspections = max(1, total // 100)
    n_results = total - n_enterprises - n_inspections
    per = -(-n_results // n_inspections)
    usable = [t for t in templates if len(items[t.id]) >= per]
    if not usable:
        raise SystemExit(f"no checklist has {per} items: use more --records per inspection")
    enterprise_ids: list[str] = []
    with store.session() as session:
        for n in range(n_enterprises):
            enterprise = Enterprise(
                name=f"阳城县测试企业{n:06d}有限公司",
                credit_code=make_credit_code(COUNTY, f"MA{n:06d}"),
                industry=Industry.INDUSTRY_TRADE,
                county_code=COUNTY,
                address=f"山西省晋城市阳城县测试路{n}号",
            )
            session.add(enterprise)
            enterprise_ids.append(enterprise.id)
    inspections: list[tuple[str, str]] = []  # (inspection, template)
    with store.session() as session:
        for n in range(n_inspections):
            template = usable[n % len(usable)]
            inspection = Inspection(
                enterprise_id=enterprise_ids[n % n_enterprises],
                status=InspectionStatus.FINISHED,
                checklist_template_id=template.id,
                started_at=clock.now() - timedelta(days=n % 900),
                place="生产车间",
            )
            session.add(inspection)
            inspections.append((inspection.id, template.id))
    left = n_results
    result_ids: list[str] = []
    with store.session() as session:
        for inspection_id, template_id in inspections:
            take = min(per, left)
            rows = [
                {"inspection_id": inspection_id, "item_id": item, "result": ItemResultValue.PASS, "note": ""}
                for item in items[template_id][:take]
            ]
            result_ids += insert_synced(session, ItemResult, rows)
            left -= take
    return store, result_ids


def change_answers(store: Store, ids: list[str], note: str) -> None:
    with store.session() as session:
        for record_id in ids:
            row = session.get(ItemResult, record_id)
            assert row is not None
            row.note = note
            session.add(row)


class TimedClient(httpx.Client):
    """httpx.Client that notes how long each request took (method, path, ms, response bytes)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log: list[tuple[str, str, float, int]] = []

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        started = time.perf_counter()
        response = super().send(request, **kwargs)
        took = (time.perf_counter() - started) * 1000
        self.log.append((request.method, request.url.path, took, len(response.content)))
        return response


def profile_text(profile: cProfile.Profile, sort: str, limit: int, *restrict: str) -> str:
    """The top of a profile; `restrict` (regular expressions on file:line(function)) as pstats takes them."""
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats(sort).print_stats(*restrict, limit)
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    return "\n".join(lines[start:])


def office_handler_profile(db_url: str, token: str, cursor: int) -> str:
    """The office's work for one incremental sync, in this process (no HTTP): auth, numbers, pull."""
    engine = open_office_db(db_url)
    try:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(5):
            device = auth.authenticate(engine, token, "127.0.0.1")
            numbers.top_up(
                engine, device, agency_short_name=numbers.DEFAULT_AGENCY, year=clock.local_today().year, exhausted=False
            )
            records.pull(engine, device, cursor, PULL_LIMIT)
        profile.disable()
    finally:
        engine.dispose()
    return profile_text(profile, "cumulative", 25)


@dataclass
class SyncedLaptop:
    total: int
    store: Store
    answers: list[str]  # item result ids: the records changed between syncs
    db_url: str


def synced_laptop(root: Path, total: int, figures: Figures, stack: contextlib.ExitStack) -> SyncedLaptop:
    """A laptop of `total` records and its own office server, brought in sync by one full sync (timed)."""
    folder = root / f"incremental-{total}"
    say(f"incremental: building a laptop of {total:,} records …")
    started = time.perf_counter()
    store, answers = build_laptop(folder / "laptop", total)
    stack.callback(store.close)
    say(f"  built in {time.perf_counter() - started:.1f} s; office server …")
    office_dir = folder / "office-data"
    db_url = office_engine_url(office_dir)
    server = stack.enter_context(office_server(office_dir))
    enroll_laptop(store, db_url, server.url)
    say("  first (full) sync …")
    started = time.perf_counter()
    first = sync_once(store)
    full_s = time.perf_counter() - started
    say(f"  full sync: pushed {first.pushed:,}, took {full_s:.1f} s")
    figures.add("incremental", f"full first sync, {first.pushed:,} records pushed", full_s, "s")
    return SyncedLaptop(total, store, answers, db_url)


def incremental_breakdown(laptop: SyncedLaptop, *, rng: random.Random, figures: Figures) -> None:
    store, answers, db_url, total = laptop.store, laptop.answers, laptop.db_url, laptop.total
    with store.session() as session:
        link = office_link(session)
    assert link is not None
    change_answers(store, rng.sample(answers, 1), "breakdown")
    with store.session() as session:
        state = session.get(SyncState, link.url)
        cursor_before = state.pull_cursor if state is not None else 0
    client = TimedClient(base_url=link.url, headers={"Authorization": f"Bearer {link.token}"}, timeout=30)
    profile = cProfile.Profile()
    with client:
        began = time.perf_counter()
        profile.enable()
        report: SyncReport = sync_once(store, client)
        profile.disable()
        took = (time.perf_counter() - began) * 1000
    http_ms = sum(t for _, _, t, _ in client.log)
    lines = [f"one 1-change sync at {total:,} records, request by request ({took:.0f} ms in all, profiled):"]
    lines += [f"    {m:<5} {p:<40} {t:7.1f} ms {n:>8} bytes" for m, p, t, n in client.log]
    lines.append(
        f"    waiting for the office {http_ms:.0f} ms; on the laptop {took - http_ms:.0f} ms; cursor {report.cursor}"
    )
    creating = []
    for _ in range(5):
        began = time.perf_counter()
        http_client(link.url, link.token).close()
        creating.append((time.perf_counter() - began) * 1000)
    made = statistics.median(creating)
    lines.append(
        f"    not in that sync (it was handed a client), but in every sync_once(store) the app and `inspector sync` "
        f"run: http_client() builds an httpx.Client, {made:.0f} ms (median of 5; its TLS context loads the CA "
        "bundle, even for http://)"
    )
    figures.add("incremental", "http_client() alone, made by every sync_once(store) (TLS ctx)", made, "ms")
    lines.append("  the laptop's side of that sync, inspector functions by cumulative time:")
    lines.append(profile_text(profile, "cumulative", 16, "inspector/"))
    figures.notes.append("\n".join(lines))
    say(lines[0])
    over = figures.rows and any(r.bench == "incremental" and r.met is False for r in figures.rows)
    if over:
        figures.notes.append(
            "client-side profile of that sync (cProfile, by cumulative time):\n"
            + profile_text(profile, "cumulative", 30)
        )
        figures.notes.append("… by own time:\n" + profile_text(profile, "tottime", 15))
        figures.notes.append(
            "office handlers in-process (auth + numbers + pull from the laptop's cursor, ×5):\n"
            + office_handler_profile(db_url, link.token, cursor_before)
        )


def bench_incremental(root: Path, args: argparse.Namespace, figures: Figures) -> None:
    with contextlib.ExitStack() as stack:
        small = synced_laptop(root, max(1000, args.records // 10), figures, stack)
        big = synced_laptop(root, args.records, figures, stack)
        cases = [(small, 1), (big, 1), (big, 10), (big, 100)]
        times: list[list[float]] = [[] for _ in cases]
        rng = random.Random(7)
        say(f"  timing {len(cases)} cases × {args.runs} runs, round-robin …")
        for run in range(args.runs):  # round-robin: a busy moment of the machine hits every case alike
            for n, (laptop, k) in enumerate(cases):
                change_answers(laptop.store, rng.sample(laptop.answers, k), f"run {run} of {k}")
                began = time.perf_counter()
                report = sync_once(laptop.store)
                times[n].append((time.perf_counter() - began) * 1000)
                if report.pushed != k:
                    raise SystemExit(f"expected {k} pushed, got {report.pushed}")
        for (laptop, k), ms in zip(cases, times, strict=True):
            med = statistics.median(ms)
            goal = f"≤ {GOAL_INCREMENTAL_MS:.0f} ms" if k == 1 else ""
            figures.add(
                "incremental",
                f"sync_once, {k} changed of {laptop.total:,} (median of {len(ms)}; max {max(ms):.0f})",
                med,
                "ms",
                goal=goal,
                met=med <= GOAL_INCREMENTAL_MS if k == 1 else None,
            )
            say(f"  {k} changed of {laptop.total:,}: median {med:.1f} ms, runs {[round(t) for t in ms]}")
        incremental_breakdown(big, rng=rng, figures=figures)


# ─── 2. upload throughput ────────────────────────────────────────────────────────────────────────────


def plain_app(folder: Path) -> Any:
    """The minimal endpoint: PUT /plain/{name} writes the body to a file, 1 MiB at a time, then fsyncs it.

    ?append=1 adds to the file (a blob sent in pieces), ?sync=0 skips the fsync (all but a blob's last piece)."""
    from anyio import to_thread
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    buffer_size = 1 << 20

    async def put(request: Request) -> JSONResponse:
        path = folder / request.path_params["name"]
        mode = "ab" if request.query_params.get("append") == "1" else "wb"
        fh = await to_thread.run_sync(path.open, mode)
        size = 0
        buffer = bytearray()
        try:
            async for chunk in request.stream():
                buffer += chunk
                if len(buffer) >= buffer_size:
                    await to_thread.run_sync(fh.write, bytes(buffer))
                    size += len(buffer)
                    buffer.clear()
            if buffer:
                await to_thread.run_sync(fh.write, bytes(buffer))
                size += len(buffer)
            await to_thread.run_sync(fh.flush)
            if request.query_params.get("sync") != "0":
                await to_thread.run_sync(os.fsync, fh.fileno())
        finally:
            fh.close()
        return JSONResponse({"size": size})

    async def health(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    folder.mkdir(parents=True, exist_ok=True)
    return Starlette(routes=[Route("/plain/{name}", put, methods=["PUT"]), Route("/health", health)])


def serve_plain(port: int, folder: Path) -> None:
    import uvicorn

    uvicorn.run(plain_app(folder), host="127.0.0.1", port=port)  # as `office serve` runs its app


def make_blobs(store: Store, total: int, seed: int) -> list[str]:
    """Blobs of phone-photo sizes; random bytes, incompressible as JPEGs are (neither side compresses)."""
    rng = random.Random(seed)
    hashes: list[str] = []
    made = 0
    while made < total:
        size = min(rng.randint(2 * MB, 6 * MB), total - made)
        hashes.append(store.blobs.put_bytes(os.urandom(size)))
        made += size
    return hashes


def file_chunks(paths: list[Path], size: int = 1 << 20) -> Iterator[bytes]:
    for path in paths:
        with path.open("rb") as fh:
            while chunk := fh.read(size):
                yield chunk


OCTETS = {"Content-Type": "application/octet-stream"}
LONG = httpx.Timeout(600.0, connect=5.0)


def plain_per_blob(url: str, hashes: list[str], paths: list[Path]) -> float:
    with httpx.Client(timeout=LONG) as http:
        began = time.perf_counter()
        for sha, path in zip(hashes, paths, strict=True):
            headers = {**OCTETS, "Content-Length": str(path.stat().st_size)}
            http.put(f"{url}/plain/{sha}", content=file_chunks([path]), headers=headers).raise_for_status()
        return time.perf_counter() - began


def plain_stream(url: str, paths: list[Path], total: int) -> float:
    with httpx.Client(timeout=LONG) as http:
        began = time.perf_counter()
        headers = {**OCTETS, "Content-Length": str(total)}
        got = http.put(f"{url}/plain/all", content=file_chunks(paths), headers=headers)
        got.raise_for_status()
        took = time.perf_counter() - began
    if got.json()["size"] != total:
        raise SystemExit(f"plain stream stored {got.json()['size']} of {total} bytes")
    return took


def plain_pieces(url: str, hashes: list[str], paths: list[Path], piece: int = 1 << 20) -> float:
    """Each blob in 1 MiB requests, as ours sends it, but nothing else: no offset, auth, hash, database."""
    with httpx.Client(timeout=LONG) as http:
        began = time.perf_counter()
        for sha, path in zip(hashes, paths, strict=True):
            size = path.stat().st_size
            with path.open("rb") as fh:
                offset = 0
                while offset < size:
                    chunk = fh.read(piece)
                    offset += len(chunk)
                    last = "1" if offset >= size else "0"
                    params = {"append": "1", "sync": last}
                    http.put(f"{url}/plain/{sha}", params=params, content=chunk, headers=OCTETS).raise_for_status()
        return time.perf_counter() - began


def ours_upload(store: Store, url: str, token: str, hashes: list[str]) -> tuple[float, TimedClient]:
    http = TimedClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=LONG)
    with http:
        began = time.perf_counter()
        # As a sync does it: ask which the office lacks, then send those (in packs; a large one by offset).
        missing = http.post(f"{API}/blobs/missing", json={"hashes": hashes}).json()["hashes"]
        report = SyncReport()
        upload_blobs(store, http, missing, report)
        sent = report.bytes_uploaded
        took = time.perf_counter() - began
    expected = sum(store.blobs.path_of(h).stat().st_size for h in hashes)
    if sent != expected:
        raise SystemExit(f"upload_blobs sent {sent} of {expected} bytes")
    return took, http


def request_kinds(log: list[tuple[str, str, float, int]]) -> dict[str, list[float]]:
    kinds: dict[str, list[float]] = {}
    for method, path, ms, _ in log:
        kind = "POST complete" if path.endswith("/complete") else "GET offset" if path.endswith("/offset") else method
        kinds.setdefault(kind, []).append(ms)
    return kinds


def office_upload_costs(db_url: str, blob_dir: Path, token: str, size: int) -> str:
    """The office's own work per upload request, in this process (no HTTP): what a request costs besides bytes.

    authenticate, offset and complete are profiled (they run on this thread); receive's writes run on worker
    threads, so it is only timed."""
    from inspector.office.uploads import BlobUploads

    engine = open_office_db(db_url)
    uploads = BlobUploads(engine, blob_dir)
    timings: dict[str, list[float]] = {}
    profile = cProfile.Profile()

    def timed(label: str, fn: Callable[[], Any], *, profiled: bool = True) -> Any:
        began = time.perf_counter()
        if profiled:
            profile.enable()
        try:
            return fn()
        finally:
            if profiled:
                profile.disable()
            timings.setdefault(label, []).append((time.perf_counter() - began) * 1000)

    async def body(data: bytes) -> Any:
        for start in range(0, len(data), 65536):  # as uvicorn hands a request body over
            yield data[start : start + 65536]

    async def receive_all(sha: str, data: bytes) -> None:
        offset = 0
        while offset < len(data):
            began = time.perf_counter()
            reply = await uploads.receive(sha, offset, body(data[offset : offset + (1 << 20)]))
            timings.setdefault("receive 1 MiB chunk (not profiled)", []).append((time.perf_counter() - began) * 1000)
            offset = reply.offset

    def one_blob(profiled: bool) -> None:
        data = os.urandom(size)
        sha = hashlib.sha256(data).hexdigest()
        device = timed(
            "authenticate (every request)", lambda: auth.authenticate(engine, token, "127.0.0.1"), profiled=profiled
        )
        timed("offset", lambda: uploads.offset(sha), profiled=profiled)
        asyncio.run(receive_all(sha, data))
        label = f"complete ({size / MB:.0f} MB: hash, fsync, rename, record)"
        timed(label, lambda: uploads.complete(sha, device), profiled=profiled)

    try:
        one_blob(False)  # imports and first connections: not counted
        timings.clear()
        for _ in range(8):
            one_blob(True)
    finally:
        engine.dispose()
    lines = ["office handlers in-process, median per call (no HTTP, no FastAPI):"]
    lines += [f"    {label:<52} {statistics.median(ms):7.2f} ms" for label, ms in timings.items()]
    lines.append("  profile of authenticate + offset + complete, by own time:")
    lines.append(profile_text(profile, "tottime", 14))
    return "\n".join(lines)


def bench_upload(root: Path, args: argparse.Namespace, figures: Figures) -> None:
    total = int(args.upload_mb * MB)
    free = shutil.disk_usage(root).free
    if free < 3 * total + 200 * MB:
        raise SystemExit(
            f"upload: {free / MB:,.0f} MB free on {root}, need 3 × {total / MB:,.0f} MB (laptop, office and plain "
            "copies) and a margin; use a smaller --upload-mb or another TMPDIR"
        )
    folder = root / "upload"
    store = open_store(folder / "laptop")
    try:
        say(f"upload: writing {total / MB:,.0f} MB of blobs into the laptop's store …")
        hashes = make_blobs(store, total, 11)
        paths = [store.blobs.path_of(h) for h in hashes]
        sizes = sum(p.stat().st_size for p in paths)
        plain_dir = folder / "plain"
        plain_port = free_port()
        plain_argv = [sys.executable, __file__, "--serve-plain", str(plain_port), str(plain_dir)]
        plain = ServerProcess(plain_argv, plain_port, folder / "plain.log", probe="/health")

        def clear_plain() -> None:
            for path in plain_dir.iterdir():  # room for the next copy
                path.unlink()

        runs = max(args.upload_runs, 1)
        stream_s: list[float] = []
        ours_s: list[float] = []
        timed: TimedClient | None = None
        with plain:
            say("  warming up: the laptop's blobs on disk, one plain stream (not counted) …")
            os.sync()  # the blobs just written are flushed now, not during the first timed upload
            plain_stream(plain.url, paths, sizes)
            clear_plain()
            for run in range(runs):  # alternating: a busy moment of the disk hits both alike
                say(f"  run {run + 1}/{runs}: plain single stream, then ours (a new office) …")
                stream_s.append(plain_stream(plain.url, paths, sizes))
                clear_plain()
                office_dir = folder / f"office-{run}"
                with office_server(office_dir) as office:
                    token = enroll_laptop(store, office_engine_url(office_dir), office.url)
                    took, timed = ours_upload(store, office.url, token, hashes)
                    ours_s.append(took)
                if run < runs - 1:
                    shutil.rmtree(office_dir)  # the last one is kept for the profile below the goal
            say("  plain: one PUT per blob; 1 MiB PUTs, fsync at each blob's last …")
            per_blob_s = plain_per_blob(plain.url, hashes, paths)
            clear_plain()
            pieces_s = plain_pieces(plain.url, hashes, paths)
            clear_plain()
        mb = sizes / MB
        ours, stream = mb / statistics.median(ours_s), mb / statistics.median(stream_s)
        per_blob, pieces = mb / per_blob_s, mb / pieces_s
        n = len(hashes)
        figures.add("upload", f"{mb:,.0f} MB in {n} blobs: missing + upload_blobs, median of {runs}", ours, "MB/s")
        figures.add("upload", f"plain PUT, all blobs as one single stream, median of {runs}", stream, "MB/s")
        figures.add("upload", "plain PUT, one single-stream request per blob", per_blob, "MB/s")
        figures.add("upload", "plain PUT in 1 MiB requests (no auth/offset/hash/DB)", pieces, "MB/s")
        ratio = ours / stream
        goal = f"≥ {GOAL_UPLOAD_RATIO}"
        figures.add(
            "upload", "ratio upload_blobs / plain single stream", ratio, "×", goal=goal, met=ratio >= GOAL_UPLOAD_RATIO
        )
        figures.add("upload", "ratio upload_blobs / plain PUT per blob", ours / per_blob, "×")
        assert timed is not None
        kinds = request_kinds(timed.log)
        lines = [f"upload_blobs, {n} blobs, client-observed per request in the last run (median, count, total):"]
        lines += [
            f"    {kind:<14} {statistics.median(ms):7.1f} ms × {len(ms):5d} = {sum(ms) / 1000:6.2f} s"
            for kind, ms in kinds.items()
        ]
        lines.append(
            f"  runs: ours {[round(mb / t) for t in ours_s]} MB/s, plain single stream "
            f"{[round(mb / t) for t in stream_s]} MB/s"
        )
        figures.notes.append("\n".join(lines))
        if ratio < GOAL_UPLOAD_RATIO:
            say("  below the goal: the office's handlers in-process …")
            figures.notes.append(
                office_upload_costs(office_engine_url(office_dir), office_dir / "office" / "blobs", token, 4 * MB)
            )
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


# ─── 3. many laptops at once (PostgreSQL) ────────────────────────────────────────────────────────────


@dataclass
class SimLaptop:
    county: str
    device_id: str
    token: str
    cursor: int = 0
    enterprise: dict[str, Any] | None = None
    inspection_id: str = ""
    batches: int = 0
    audit_seq: int = 0  # the newest event of its audit chain the office was sent, and that event's hash
    audit_hash: str = GENESIS
    # The round's audit events, made before the clock starts: its own edits, then "sync" events for the
    # changes it will pull from other laptops; each as (seq, hash, JSON text). A sync sends its own events and
    # as many of the others as it pulled changes of other laptops: a prefix of one chain, so always valid.
    own_ahead: list[tuple[int, str, str]] = field(default_factory=list)
    sync_ahead: list[tuple[int, str, str]] = field(default_factory=list)


Made = list[tuple[int, str, str]]


def chain_events(
    device_id: str, seq: int, prev_hash: str, items: list[tuple[str, str, str, dict[str, Any] | None]]
) -> Made:
    """Events continuing a chain at (seq, prev_hash), as the app's audit log makes and sync sends them (the
    AuditEventBody fields, hashed by the app's own event_hash): one per (action, table, record id, state)."""
    made: Made = []
    at = str(to_jsonable_python(clock.now()))
    for action, table, record_id, state in items:
        seq += 1
        event = {
            "seq": seq,
            "id": str(uuid.uuid4()),
            "at": at,
            "device_id": device_id,
            "actor": "system" if action == "sync" else device_id,
            "action": action,
            "table_name": table,
            "record_id": record_id,
            "old_values": None,
            "new_values": state,
            "record_sha256": record_state(state) if state is not None else "",
            "prev_hash": prev_hash,
        }
        event["hash"] = prev_hash = event_hash(prev_hash, SimpleNamespace(**event))
        made.append((seq, prev_hash, json.dumps(event, ensure_ascii=False)))
    return made


def prepare_events(laptop: SimLaptop, changes: list[RecordChange], county_changes: list[RecordChange]) -> None:
    """The round's audit events of a laptop (the laptops' own CPU, spent before the clock starts here):
    its own edits, then a "sync" event for each change of its county's other laptops, twice over (a sync
    pulls some changes of the round before too)."""
    items = [("create" if c.version == 1 else "update", c.table, c.id, c.data) for c in changes]
    laptop.own_ahead = chain_events(laptop.device_id, laptop.audit_seq, laptop.audit_hash, items)
    seq, tip = laptop.own_ahead[-1][:2] if laptop.own_ahead else (laptop.audit_seq, laptop.audit_hash)
    theirs = [("sync", c.table, c.id, c.data) for c in county_changes if c.origin_device != laptop.device_id]
    laptop.sync_ahead = chain_events(laptop.device_id, seq, tip, theirs * 2)


def events_for(laptop: SimLaptop, pulled_from_others: int) -> list[str]:
    """The events a sync sends after pulling: its own, and one per change pulled from another laptop (made
    now if more were pulled than prepared); the chain's tip moves to the last of them."""
    made = laptop.own_ahead + laptop.sync_ahead[:pulled_from_others]
    short = pulled_from_others - len(laptop.sync_ahead)
    if short > 0:
        seq, tip = made[-1][:2] if made else (laptop.audit_seq, laptop.audit_hash)
        made += chain_events(laptop.device_id, seq, tip, [("sync", "finding", str(uuid.uuid4()), {})] * short)
    if made:
        laptop.audit_seq, laptop.audit_hash = made[-1][0], made[-1][1]
    laptop.own_ahead, laptop.sync_ahead = [], []
    return [text for _seq, _hash, text in made]


def _record(table: str, row: Any) -> RecordChange:
    data = row.model_dump(mode="json")
    return RecordChange(
        table=table,
        id=row.id,
        op="upsert",
        version=row.version,
        updated_at=row.updated_at,
        origin_device=row.origin_device,
        data=data,
    )


def _stamp(row: Any, device: str) -> Any:
    now = clock.now()
    row.created_at = row.created_at or now
    row.updated_at = now
    row.origin_device = device
    row.version += 1
    return row


def first_changes(laptop: SimLaptop, n: int) -> list[RecordChange]:
    enterprise = _stamp(
        Enterprise(
            name=f"测试企业{n:04d}有限公司",
            credit_code=make_credit_code(laptop.county, f"MB{n:06d}"),
            industry=Industry.INDUSTRY_TRADE,
            county_code=laptop.county,
            address=f"测试路{n}号",
        ),
        laptop.device_id,
    )
    inspection = _stamp(
        Inspection(enterprise_id=enterprise.id, status=InspectionStatus.ON_SITE, started_at=clock.now(), place="车间"),
        laptop.device_id,
    )
    laptop.enterprise = enterprise.model_dump(mode="json")
    laptop.inspection_id = inspection.id
    return [_record("enterprise", enterprise), _record("inspection", inspection)] + [
        _record("finding", _finding(laptop, enterprise.id, k)) for k in range(2)
    ]


def _finding(laptop: SimLaptop, enterprise_id: str, k: int) -> Finding:
    return _stamp(
        Finding(
            inspection_id=laptop.inspection_id,
            enterprise_id=enterprise_id,
            position=k,
            description=f"消防通道堵塞，安全出口指示灯损坏（第{k + 1}处）",
            grade=HazardGrade.GENERAL,
            deadline=date.today() + timedelta(days=15),
            status=FindingStatus.OPEN,
        ),
        laptop.device_id,
    )


def later_changes(laptop: SimLaptop, round_no: int) -> list[RecordChange]:
    assert laptop.enterprise is not None
    enterprise = Enterprise.model_validate(laptop.enterprise)
    enterprise.contact_phone = f"1390000{round_no:04d}"
    _stamp(enterprise, laptop.device_id)
    laptop.enterprise = enterprise.model_dump(mode="json")
    return [_record("enterprise", enterprise)] + [
        _record("finding", _finding(laptop, enterprise.id, 10 * round_no + k)) for k in range(3)
    ]


@dataclass
class SyncOutcome:
    seconds: float
    error: str = ""
    pushed: int = 0
    pulled: int = 0


# One TLS context for every simulated laptop's client (plain HTTP, but httpx builds one per client otherwise,
# loading the CA bundle: tens of ms of the harness's CPU per sync that a real laptop spends on its own core).
_TLS = ssl.create_default_context()


async def simulated_sync(
    url: str, laptop: SimLaptop, changes: list[RecordChange], requests: dict[str, list[float]]
) -> SyncOutcome:
    """What sync_once sends for a laptop with a few records: POST /sync (numbers, the batch, the first pull
    page), GET /pull while there is more, then POST /audit with the events of its edits and of what it pulled."""
    began = time.perf_counter()
    headers = {"Authorization": f"Bearer {laptop.token}"}
    timeout = httpx.Timeout(120.0, connect=30.0)
    pulled = 0

    async def call(kind: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        started = time.perf_counter()
        response = await http.request(method, f"{API}{path}", **kwargs)
        requests.setdefault(kind, []).append(time.perf_counter() - started)
        response.raise_for_status()
        return response

    try:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout, verify=_TLS) as http:
            laptop.batches += 1
            batch = PushRequest(batch_id=f"{laptop.device_id}:{laptop.batches}", changes=changes)
            ask = {"year": clock.local_today().year, "exhausted": False, "cursor": laptop.cursor, "limit": PULL_LIMIT}
            body = json.dumps(ask)[:-1] + ',"push":' + batch.model_dump_json() + "}"
            json_type = {"Content-Type": "application/json"}
            r = await call("sync", "POST", "/sync", content=body.encode(), headers=json_type)
            page = json.loads(r.content)["pull"]  # what the laptop needs of it; SyncResponse validates the same
            from_others = 0
            while True:
                pulled += len(page["changes"])
                laptop.cursor = page["cursor"]
                # Each change from another laptop applied here is an audit event ("sync") on this one.
                from_others += sum(1 for c in page["changes"] if c["origin_device"] != laptop.device_id)
                if not page["more"]:
                    break
                params = {"cursor": laptop.cursor, "limit": PULL_LIMIT}
                page = json.loads((await call("pull", "GET", "/pull", params=params)).content)
            events = events_for(laptop, from_others)
            for start in range(0, len(events), MAX_AUDIT_BATCH):  # the audit log's new events go up last
                audit_body = '{"events":[' + ",".join(events[start : start + MAX_AUDIT_BATCH]) + "]}"
                await call("audit", "POST", "/audit", content=audit_body.encode(), headers=json_type)
    except httpx.HTTPStatusError as exc:
        return SyncOutcome(time.perf_counter() - began, f"http {exc.response.status_code}: {exc.response.text[:80]}")
    except httpx.HTTPError as exc:
        return SyncOutcome(time.perf_counter() - began, f"{type(exc).__name__}: {exc}")
    return SyncOutcome(time.perf_counter() - began, pushed=len(changes), pulled=pulled)


def plan_round(
    laptops: list[SimLaptop], make: Callable[[SimLaptop, int], list[RecordChange]]
) -> list[tuple[SimLaptop, list[RecordChange]]]:
    """Each laptop's changes and audit events of the round: the laptops' own work, done before the clock."""
    plans = [(laptop, make(laptop, n)) for n, laptop in enumerate(laptops)]
    by_county: dict[str, list[RecordChange]] = {}
    for laptop, changes in plans:
        by_county.setdefault(laptop.county, []).extend(changes)
    for laptop, changes in plans:
        prepare_events(laptop, changes, by_county[laptop.county])
    return plans


async def run_round(
    url: str, plans: list[tuple[SimLaptop, list[RecordChange]]], requests: dict[str, list[float]]
) -> list[SyncOutcome]:
    return await asyncio.gather(*(simulated_sync(url, laptop, changes, requests) for laptop, changes in plans))


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """The simulated laptops on uvloop where there is one (as the office runs): less of the harness's CPU."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


async def enroll_all(url: str, codes: list[tuple[str, str]]) -> list[SimLaptop]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        laptops = []
        for county, code in codes:
            r = await http.post(f"{API}/enroll", json={"code": code, "device_name": f"laptop-{len(laptops)}"})
            r.raise_for_status()
            answer = EnrollResponse.model_validate_json(r.content)
            laptops.append(SimLaptop(county=county, device_id=answer.device_id, token=answer.token))
    return laptops


def _cpu_of(pid: int) -> tuple[int, float]:
    """(parent pid, CPU seconds so far) of a process, from /proc (Linux); (-1, 0) when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return -1, 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server_pid: int) -> dict[str, dict[int, float]]:
    """CPU seconds so far per process of the office server (its process and workers) and of PostgreSQL."""
    groups: dict[str, dict[int, float]] = {"office server": {}, "PostgreSQL": {}}
    proc = Path("/proc")
    if not proc.is_dir():
        return groups
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    names: dict[int, str] = {}
    for entry in proc.iterdir():
        if entry.name.isdigit():
            pid = int(entry.name)
            parents[pid], cpu[pid] = _cpu_of(pid)
            with contextlib.suppress(OSError):
                names[pid] = (entry / "comm").read_text().strip()
    for pid, seconds in cpu.items():
        walk, hops = pid, 0
        while walk > 1 and walk != server_pid and hops < 10:
            walk, hops = parents.get(walk, -1), hops + 1
        if walk == server_pid:
            groups["office server"][pid] = seconds
        elif names.get(pid) == "postgres":
            groups["PostgreSQL"][pid] = seconds
    return groups


def cpu_used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds each group used in between (processes that ended in between are not counted)."""
    return {
        group: sum(seconds - before[group].get(pid, 0.0) for pid, seconds in pids.items())
        for group, pids in after.items()
    }


def office_sync_costs(db_url: str, laptop: SimLaptop, rounds: int = 20) -> str:
    """One laptop's sync as the office handles it, in this process (no HTTP, no contention), on PostgreSQL."""
    engine = open_office_db(db_url)
    timings: dict[str, list[float]] = {}
    profile = cProfile.Profile()

    def timed(label: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        profile.enable()
        try:
            return fn(*args, **kwargs)
        finally:
            profile.disable()
            timings.setdefault(label, []).append((time.perf_counter() - began) * 1000)

    year = clock.local_today().year
    try:
        for n in range(rounds):
            changes = later_changes(laptop, 1000 + n)
            laptop.batches += 1
            request = PushRequest(batch_id=f"{laptop.device_id}:{laptop.batches}", changes=changes)
            prepare_events(laptop, changes, [])
            for _ in range(2):  # authenticate runs once per request: two a sync (/sync, /audit)
                device = timed("authenticate (×2 per sync)", auth.authenticate, engine, laptop.token, "127.0.0.1")
            timed(
                "numbers.top_up",
                numbers.top_up,
                engine,
                device,
                agency_short_name=numbers.DEFAULT_AGENCY,
                year=year,
                exhausted=False,
            )
            timed("records.push (4 records)", records.push, engine, device, request)
            page = timed("records.pull", records.pull, engine, device, laptop.cursor, PULL_LIMIT)
            laptop.cursor = page.cursor
            events = events_for(laptop, sum(1 for c in page.changes if c.origin_device != laptop.device_id))
            audit_push = AuditPush.model_validate_json('{"events":[' + ",".join(events) + "]}")
            timed(f"audit.receive ({len(events)} events)", office_audit.receive, engine, device, audit_push)
    finally:
        engine.dispose()
    lines = ["office handlers for one sync in-process on PostgreSQL, alone (median ms):"]
    lines += [f"    {label:<32} {statistics.median(ms):7.2f} ms" for label, ms in timings.items()]
    lines.append("  profile of those calls, by own time:")
    lines.append(profile_text(profile, "tottime", 16))
    lines.append("  … by cumulative time:")
    lines.append(profile_text(profile, "cumulative", 22))
    return "\n".join(lines)


class LockSampler:
    """Samples pg_stat_activity of the benchmark database every 50 ms: what its backends are doing or awaiting."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.samples: dict[str, int] = {}
        self.ticks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LockSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            while not self._stop.wait(0.05):
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 60)"
                    " FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    (self.database,),
                ).fetchall()
                self.ticks += 1
                for state, kind, event, query in rows:
                    if state == "idle":
                        key = "idle (in the pool)"
                    elif kind == "Lock":
                        key = f"waiting for a lock ({event}): {query}"
                    elif kind == "Client" and state == "idle in transaction":
                        key = "in a transaction, waiting for the server process (its Python)"
                    else:
                        key = f"{state}, {kind or 'on CPU'} {event or ''}".strip()
                    self.samples[key] = self.samples.get(key, 0) + 1

    def summary(self, top: int = 6) -> str:
        if not self.ticks:
            return "no samples"
        ranked = sorted(self.samples.items(), key=lambda kv: -kv[1])[:top]
        return "; ".join(f"{count / self.ticks:.1f} × {key}" for key, count in ranked)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))  # nearest rank
    return ordered[rank]


def bench_laptops(root: Path, args: argparse.Namespace, figures: Figures) -> None:
    import psycopg

    name = f"bench_sync_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise SystemExit(f"laptops: needs PostgreSQL at {PG_ADMIN_URL} (user postgres, trust auth): {exc}") from exc
    folder = root / "laptops"
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        say(f"laptops: database {name}; enrolling {args.laptops} devices …")
        engine = open_office_db(db_url)
        try:
            codes = []
            for n in range(args.laptops):
                county = COUNTIES[n % len(COUNTIES)]
                user = add_user(engine, name=f"执法{n:03d}", role="inspector", county_code=county)
                codes.append((county, enroll_device(engine, user)))
        finally:
            engine.dispose()
        with office_server(folder / "office-data", db=db_url, workers=args.workers) as server:
            laptops = run_async(enroll_all(server.url, codes))
            harness_cpu = 0.0  # while the rounds ran (each laptop's changes and events are made before)
            over = False
            assert server.proc is not None
            for round_no in range(args.rounds):
                make = first_changes if round_no == 0 else (lambda lap, _n, r=round_no: later_changes(lap, r))
                plans = plan_round(laptops, make)
                cpu_start, harness_start = cpu_snapshot(server.proc.pid), time.process_time()
                kind = "first sync" if round_no == 0 else "incremental"
                say(f"  round {round_no} ({kind}): {len(laptops)} laptops at once …")
                requests: dict[str, list[float]] = {}
                with LockSampler(name) as sampler:
                    began = time.perf_counter()
                    outcomes = run_async(run_round(server.url, plans, requests))
                    wall = time.perf_counter() - began
                per_kind = ", ".join(
                    f"{kind} p50 {percentile(v, 50) * 1000:.0f} / p99 {percentile(v, 99) * 1000:.0f} ms"
                    for kind, v in requests.items()
                )
                spent = {**cpu_used(cpu_start, cpu_snapshot(server.proc.pid)), "harness": 0.0}
                spent["harness"] = time.process_time() - harness_start
                harness_cpu += spent["harness"]
                used = ", ".join(f"{k} {v:.2f} s" for k, v in spent.items())
                figures.notes.append(
                    f"laptops round {round_no}: wall {wall:.2f} s; CPU used: {used}\n    per request: {per_kind}\n"
                    f"    PostgreSQL backends, on average: {sampler.summary()}"
                )
                ok = [o for o in outcomes if not o.error]
                errors = [o.error for o in outcomes if o.error]
                lat = [o.seconds for o in outcomes]
                p50, p99 = percentile(lat, 50), percentile(lat, 99)
                label = f"round {round_no} ({kind}), {len(laptops)} laptops, {args.workers} workers"
                figures.add("laptops", f"{label}: p50", p50 * 1000, "ms")
                figures.add(
                    "laptops",
                    f"{label}: p99",
                    p99 * 1000,
                    "ms",
                    goal=f"≤ {GOAL_P99_S * 1000:.0f} ms",
                    met=p99 <= GOAL_P99_S,
                )
                figures.add("laptops", f"{label}: max", max(lat) * 1000, "ms")
                over = over or p99 > GOAL_P99_S
                figures.add("laptops", f"{label}: errors", len(errors), "", goal="0", met=not errors)
                figures.add("laptops", f"{label}: syncs per second (wall {wall:.2f} s)", len(outcomes) / wall, "/s")
                pulled = statistics.mean(o.pulled for o in ok) if ok else 0
                say(f"    p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, {len(errors)} errors, ~{pulled:.0f} pulled")
                if errors:
                    kinds: dict[str, int] = {}
                    for e in errors:
                        kinds[e[:60]] = kinds.get(e[:60], 0) + 1
                    figures.notes.append(f"laptops round {round_no} errors: {kinds}")
            if over:
                say("  over the goal: the office's handlers in-process …")
                figures.notes.append(office_sync_costs(db_url, laptops[0]))
            figures.notes.append(
                f"laptops: the harness (one asyncio process, httpx) used {harness_cpu:.1f} s of CPU over "
                f"{args.rounds} rounds, on the same {os.cpu_count()} cores as the {args.workers} server workers and "
                "PostgreSQL"
            )
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        shutil.rmtree(folder, ignore_errors=True)


# ─── main ────────────────────────────────────────────────────────────────────────────────────────────


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", choices=["incremental", "upload", "laptops"], help="run one benchmark")
    parser.add_argument("--records", type=int, default=100_000, help="synced records on the big laptop")
    parser.add_argument("--runs", type=int, default=5, help="timed syncs per case (median)")
    parser.add_argument("--upload-runs", type=int, default=3, help="timed uploads, ours and plain alternating")
    parser.add_argument("--upload-mb", type=float, default=1000.0, help="MB of blobs to upload (default 1 GB)")
    parser.add_argument("--laptops", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="office server worker processes (laptops)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all laptops syncing at once")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--serve-plain", nargs=2, metavar=("PORT", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_plain:
        serve_plain(int(args.serve_plain[0]), Path(args.serve_plain[1]))
        return
    if args.records < 1000 or args.runs < 1 or args.laptops < 1 or args.rounds < 1 or args.upload_mb <= 0:
        parser.error("--records ≥ 1000; --runs, --laptops, --rounds ≥ 1; --upload-mb > 0")
    figures = Figures()
    root = Path(tempfile.mkdtemp(prefix="inspector-bench-sync-"))
    benches = {"incremental": bench_incremental, "upload": bench_upload, "laptops": bench_laptops}
    try:
        for name, bench in benches.items():
            if args.only in (None, name):
                bench(root, args, figures)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps({"figures": [r.__dict__ for r in figures.rows], "notes": figures.notes}, indent=2))
        return
    for note in figures.notes:
        print(note)
        print()
    print(figures.table())


if __name__ == "__main__":
    main()
