"""`inspector --selftest`: the app's main paths, end to end, in a throwaway data folder.

Made for the PyInstaller bundle, where a missing data file, hidden import or Qt plugin shows up only at run
time: migrations, the demo, photo ingest (JPEG and HEIC), a 现场检查记录 with its embedded fonts, the database
drivers, a sync round trip through an office server in this process, the main window shown offscreen and the
camera's multimedia backend.
Each step prints one line with its time; the exit status is 0 only if every step passed.

Only portable calls (pathlib, tempfile, threads, sockets): the same bundle is built for Windows.
"""

from __future__ import annotations

import io
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from inspector.store.db import Store

SERVER_START_TIMEOUT_S = 30.0


@dataclass
class Context:
    """What the steps share: the temporary folder, the laptop's store and what earlier steps made."""

    root: Path
    store: Store | None = None
    finished_inspection_id: str = ""
    open_stores: list[Store] = field(default_factory=list)

    def laptop(self) -> Store:
        if self.store is None:
            raise RuntimeError("no store (the migrate step did not run)")
        return self.store


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Context], str]  # returns a short detail for the ok line; raises on failure
    needs: tuple[str, ...] = ()


# ─── the steps ───────────────────────────────────────────────────────────────────────────────────────


SELFTEST_PASSPHRASE = "selftest passphrase"  # noqa: S105  (a throwaway folder's)


def _migrate(ctx: Context) -> str:
    from inspector.store import migrate
    from inspector.store.db import open_store
    from inspector.store.encryption import encrypt_folder

    # Encrypted, as a real laptop's folder: every later step then goes through SQLCipher and sealed blobs,
    # whose native libraries a bundle could lose.
    folder = ctx.root / "laptop"
    encrypt_folder(folder, SELFTEST_PASSPHRASE, scrypt_n=1 << 14)
    ctx.store = open_store(folder, passphrase=SELFTEST_PASSPHRASE)
    ctx.open_stores.append(ctx.store)
    current, head = migrate.current_revision(ctx.store.engine), migrate.head_revision()
    if current != head:
        raise RuntimeError(f"schema at {current}, expected {head}")
    if (folder / "inspector.sqlite").read_bytes()[:16] == b"SQLite format 3\x00":
        raise RuntimeError("the database was written in clear text")
    return f"schema {current}, encrypted"


def _demo(ctx: Context) -> str:
    from inspector.demo.seed import seed_demo

    summary = seed_demo(ctx.laptop())
    if not summary.created or not summary.finished_inspection_id:
        raise RuntimeError("the demo was not seeded into the fresh folder")
    ctx.finished_inspection_id = summary.finished_inspection_id
    return f"{len(summary.enterprise_names)} enterprises, {summary.inspector_count} inspectors"


def _photo(ctx: Context) -> str:
    from sqlmodel import col, select

    from inspector.evidence.images import HEIF_SUPPORTED
    from inspector.evidence.samples import sample_photo
    from inspector.evidence.service import ingest_photos
    from inspector.inspections.service import start_inspection
    from inspector.store.models import InspectionTask, TaskInspector

    if not HEIF_SUPPORTED:
        raise RuntimeError("pillow-heif is missing: HEIC photos would be refused")
    store = ctx.laptop()
    with store.session() as session:
        task = session.exec(select(InspectionTask).order_by(col(InspectionTask.planned_date))).first()
        if task is None:
            raise RuntimeError("the demo has no open task")
        pair = session.exec(
            select(TaskInspector.inspector_id)
            .where(TaskInspector.task_id == task.id)
            .order_by(col(TaskInspector.position))
        ).all()
        inspection = start_inspection(
            session, enterprise_id=task.enterprise_id, inspector_ids=list(pair), task_id=task.id, place="自检"
        )
        inspection_id = inspection.id
    folder = ctx.root / "photos"
    folder.mkdir()
    # HEIC as well as JPEG: HEIC goes through pillow-heif's native library, which a bundle can lose.
    (folder / "IMG_0001.jpg").write_bytes(sample_photo(size=(1200, 900), gps=(35.48, 112.41), seed=1))
    # Small: encoding HEIC is slow (0.7 s at 320×240, 6 s at 1200×900).
    (folder / "IMG_0002.heic").write_bytes(sample_photo(size=(320, 240), seed=2, image_format="HEIF"))
    report = ingest_photos(store, inspection_id, [folder])
    if report.rejected:
        raise RuntimeError("; ".join(r.reason_en for r in report.rejected))
    if len(report.added) != 2:
        raise RuntimeError(f"{len(report.added)} of 2 photos added")
    return "JPEG and HEIC ingested"


def _embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Each font the pages use: whether its program is embedded in the PDF."""
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

    fonts: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources is not None else None
        if font_dict is None:
            continue
        for ref in font_dict.get_object().values():
            font = ref.get_object()
            assert isinstance(font, DictionaryObject)
            descendants = font.get("/DescendantFonts")
            target = descendants.get_object()[0].get_object() if descendants is not None else font
            descriptor = target.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            name = str(font.get("/BaseFont", "?")).lstrip("/")
            fonts[name] = fonts.get(name, False) or embedded
    return fonts


def _document(ctx: Context) -> str:
    from reportlab.pdfbase import pdfmetrics

    from inspector.documents.render import SONG
    from inspector.documents.service import preview_pdf
    from inspector.domain.enums import DocumentKind

    store = ctx.laptop()
    with store.session() as session:
        pdf = preview_pdf(session, store, kind=DocumentKind.INSPECTION_RECORD, inspection_id=ctx.finished_inspection_id)
    if not pdf.startswith(b"%PDF"):
        raise RuntimeError("the renderer did not return a PDF")
    fonts = _embedded_fonts(pdf)
    not_embedded = sorted(name for name, embedded in fonts.items() if not embedded)
    # Type 1 standard fonts (Helvetica for the QR caption, say) are never embedded; every TrueType font must be.
    not_embedded = [n for n in not_embedded if not n.startswith(("Helvetica", "Times", "Courier", "Symbol"))]
    if not_embedded:
        raise RuntimeError(f"fonts not embedded: {', '.join(not_embedded)}")
    # Subset fonts are named "AAAAAA+<PostScript name>": look for the shipped 宋体's own name.
    song = pdfmetrics.getFont(SONG).face.name
    song_name = song.decode("ascii") if isinstance(song, bytes) else str(song)
    if not any(name.partition("+")[2] == song_name for name in fonts):
        raise RuntimeError(f"the document font {song_name} is not in the PDF (fonts: {', '.join(sorted(fonts))})")
    return f"现场检查记录, {len(pdf):,} bytes, {len(fonts)} fonts embedded ({song_name})"


def _drivers(_ctx: Context) -> str:
    import psycopg
    import sqlcipher3  # noqa: F401  (imported by name here: SQLAlchemy's dialect would hide why it failed)
    from sqlalchemy import create_engine

    # Loading a dialect imports its driver; no connection is made.
    for url in ("sqlite://", "sqlite+pysqlcipher://", "postgresql+psycopg://inspector@127.0.0.1:1/office"):
        create_engine(url).dispose()
    impl = psycopg.pq.__impl__
    if impl == "python":  # the pure-Python libpq wrapper needs a system libpq, which a Windows laptop lacks
        raise RuntimeError("psycopg has no bundled libpq (psycopg[binary] not collected)")
    return f"sqlite, sqlcipher, postgresql+psycopg ({impl} libpq)"


@contextmanager
def _office_server(folder: Path) -> Iterator[tuple[str, Any]]:
    """The office app on a SQLite database, served by uvicorn from a thread on a free loopback port."""
    import uvicorn

    from inspector.office.app import create_app

    app = create_app(f"sqlite:///{(folder / 'office.sqlite').as_posix()}", folder / "blobs")
    engine = app.state.office.engine
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # the port is held from here on: no race with another process
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="selftest-office", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the office server did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}", engine
    finally:
        server.should_exit = True
        thread.join(timeout=SERVER_START_TIMEOUT_S)
        sock.close()
        engine.dispose()


def _sync(ctx: Context) -> str:
    from sqlmodel import select

    from inspector.office.admin import add_user, enroll_device
    from inspector.shipped import install_shipped_content
    from inspector.store.db import open_store
    from inspector.store.models import Document, Enterprise, Evidence, Finding, Inspection
    from inspector.sync.client import enroll, http_client, sync_once

    laptop = ctx.laptop()
    office_dir = ctx.root / "office"
    office_dir.mkdir()
    with _office_server(office_dir) as (url, engine):
        user_id = add_user(engine, name="自检", role="inspector", county_code="140522")
        with http_client(url) as http:
            enroll(laptop, http, url=url, code=enroll_device(engine, user_id), device_name="selftest-a")
            up = sync_once(laptop)
            if up.pushed == 0 or up.blobs_uploaded == 0:
                raise RuntimeError(f"nothing went up (pushed {up.pushed}, files {up.blobs_uploaded})")
            # A second laptop of the same county receives it all: the round trip, blobs included.
            colleague = open_store(ctx.root / "colleague")
            ctx.open_stores.append(colleague)
            with colleague.session() as session:
                install_shipped_content(session)  # what the app does at start: pulled inspections refer to it
            enroll(colleague, http, url=url, code=enroll_device(engine, user_id), device_name="selftest-b")
            down = sync_once(colleague)
    for model in (Enterprise, Inspection, Finding, Evidence, Document):
        sent, received = _ids(laptop, model), _ids(colleague, model)
        if sent != received:
            raise RuntimeError(f"{model.__name__}: {len(sent)} sent, {len(received)} received")
    with colleague.session() as session:
        photos = [e.sha256 for e in session.exec(select(Evidence))]
    damaged = [sha for sha in photos if colleague.blobs.verify(sha).status != "ok"]
    if damaged or down.blobs_downloaded != up.blobs_uploaded:
        raise RuntimeError(
            f"{up.blobs_uploaded} files up, {down.blobs_downloaded} down, {len(damaged)} photos missing or damaged"
        )
    return f"{up.pushed} records and {up.blobs_uploaded} files up, {down.pulled} and {down.blobs_downloaded} down"


def _ids(store: Store, model: Any) -> set[str]:
    from sqlmodel import select

    with store.session() as session:
        return {str(row.id) for row in session.exec(select(model))}


def _window(ctx: Context) -> str:
    # Qt lives in inspector.ui only (import-linter); imported here, late, as the CLI does for the GUI.
    from inspector.ui.smoke import show_main_window_once

    return show_main_window_once(ctx.laptop())


def _camera(_ctx: Context) -> str:
    from inspector.ui.smoke import check_camera_backend

    return check_camera_backend()


STEPS: tuple[Step, ...] = (
    Step("migrate", _migrate),
    Step("demo", _demo, needs=("migrate",)),
    Step("photo", _photo, needs=("demo",)),
    Step("document", _document, needs=("demo",)),
    Step("drivers", _drivers),
    Step("sync", _sync, needs=("photo",)),
    Step("window", _window, needs=("demo",)),
    Step("camera", _camera),
)


# ─── running them ────────────────────────────────────────────────────────────────────────────────────


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message_en", None) or str(exc) or ""
    return f"{type(exc).__name__}: {message}".strip().rstrip(":")


def run_selftest(out: TextIO | None = None, *, steps: Sequence[Step] = STEPS) -> int:
    """Run the steps in a fresh temporary folder; 0 if all passed, 1 otherwise."""
    out = out or sys.stdout
    # Offscreen unless the caller chose a platform: the window is shown and closed, not looked at.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    passed: set[str] = set()
    failed = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="inspector-selftest-", ignore_cleanup_errors=True) as tmp:
        ctx = Context(root=Path(tmp))
        try:
            for step in steps:
                missing = [n for n in step.needs if n not in passed]
                if missing:
                    failed += 1
                    print(f"FAIL {step.name}: skipped, needs {', '.join(missing)}", file=out, flush=True)
                    continue
                t0 = time.perf_counter()
                try:
                    detail = step.run(ctx)
                except Exception as exc:  # every failure is reported, and the other steps still run
                    failed += 1
                    print(f"FAIL {step.name}: {_reason(exc)}", file=out, flush=True)
                    continue
                ms = (time.perf_counter() - t0) * 1000
                passed.add(step.name)
                print(f"ok   {step.name:<12}{ms:>7.0f} ms  {detail}", file=out, flush=True)
        finally:
            for store in ctx.open_stores:
                store.close()  # before the folder goes: Windows cannot delete an open database
    total_ms = (time.perf_counter() - started) * 1000
    if failed:
        print(f"selftest FAILED: {failed} of {len(steps)} steps ({total_ms:.0f} ms)", file=out, flush=True)
        return 1
    print(f"selftest passed: {len(steps)} steps in {total_ms:.0f} ms", file=out, flush=True)
    return 0
