"""Render the README's evidence and document pictures from a demo data folder (`make screenshot`).

    python docs/screenshots.py DATA_DIR

Writes docs/gallery.png (the 照片证据 tab of the demo's finished inspection), docs/photo-viewer.png (one
photo annotated in the viewer), docs/print-copy.png (its print copy with the watermark strip) and
docs/document-order.png (page 1 of the demo's 责令限期整改指令书, via pdftoppm) and docs/documents.png (the
执法文书 page previewing it).
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from inspector.demo.seed import seed_demo
from inspector.documents.queries import list_documents
from inspector.evidence.annotations import Annotation
from inspector.evidence.derived import render_print_copy
from inspector.evidence.service import derived_images, list_evidence, watermark_for
from inspector.store.db import open_store
from inspector.ui.app import ensure_app, open_main_window, wait_for_background_work

DOCS = Path(__file__).resolve().parent
ANNOTATIONS = (
    Annotation("arrow", 0.18, 0.22, 0.40, 0.45),
    Annotation("circle", 0.42, 0.40, 0.70, 0.72),
    Annotation("text", 0.08, 0.80, 0.0, 0.0, text="风电闭锁装置失效"),
)


def settle(app: object, seconds: float = 1.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        wait_for_background_work(app)  # type: ignore[arg-type]
        time.sleep(0.05)


def main(data_dir: Path) -> None:
    store = open_store(data_dir)
    summary = seed_demo(store)
    app = ensure_app()
    window = open_main_window(store)
    window.resize(1400, 860)
    window.show()
    settle(app)
    window.show_page("现场检查")
    window.inspections.open_inspection(summary.finished_inspection_id)
    view = window.inspections.inspection
    view.tabs.setCurrentWidget(view.gallery)
    settle(app)
    window.grab().save(str(DOCS / "gallery.png"))

    with store.session() as session:
        photo = list_evidence(session, summary.finished_inspection_id)[0]
    viewer = view.gallery.open_photo(photo)
    viewer.resize(1280, 860)
    settle(app)
    # The finished inspection is read-only: show how an annotated photo looks by drawing on a copy in memory.
    viewer.editable = True
    for a in ANNOTATIONS:
        viewer.add_annotation(a)
    settle(app, 0.5)
    viewer.grab().save(str(DOCS / "photo-viewer.png"))
    viewer.hide()  # not closed: closing would ask about the unsaved annotations

    with store.session() as session:
        # The print copy as it comes out once these annotations are saved (drawn here without saving them).
        _evidence, watermark = watermark_for(session, photo.id)
        jpeg = render_print_copy(derived_images(store).upright(photo.sha256, 1200), list(ANNOTATIONS), watermark)
        orders = [d for d in list_documents(session) if d.kind == "责令限期整改指令书" and d.pdf_sha256]
    Image.open(io.BytesIO(jpeg)).save(DOCS / "print-copy.png")
    if orders:
        window.show_page("执法文书")
        settle(app)
        window.pages["执法文书"].show_document(orders[0].id)  # type: ignore[attr-defined]
        settle(app, 2.0)
        window.grab().save(str(DOCS / "documents.png"))
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "order.pdf"
            pdf.write_bytes(store.blobs.read(orders[0].pdf_sha256))
            command = ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", str(pdf), str(Path(tmp) / "p")]
            subprocess.run(command, check=True)  # noqa: S603 - poppler from PATH on our own file
            Image.open(next(Path(tmp).glob("p*.png"))).save(DOCS / "document-order.png")
    window.close()
    settle(app, 0.2)
    store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-data"))
