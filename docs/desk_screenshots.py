"""Render the README's 监管台 pictures from a year of generated data (`make screenshot`).

    python docs/desk_screenshots.py

Seeds a year demo (2025, 120 enterprises, 800 inspections) in a temporary folder and writes docs/desk-stats.png
(执法统计 for October with the charts) and docs/desk-file.png (一企一档 of the first enterprise by name).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from inspector.demo.year import YearSize, seed_year_demo
from inspector.store.db import open_store
from inspector.ui.app import ensure_app, open_main_window, wait_for_background_work
from inspector.ui.desk import DeskPage, EnterpriseFileTab

DOCS = Path(__file__).resolve().parent


def wait_for(app: object, done: object, seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not done():  # type: ignore[operator]
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.02)
    for _ in range(25):
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.02)


def main() -> None:
    app = ensure_app()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp))
        seed_year_demo(store, year=2025, seed=2024, size=YearSize(enterprises=120, inspections=800))
        window = open_main_window(store)
        window.resize(1400, 900)
        window.show()
        page = window.show_page("监管台")
        assert isinstance(page, DeskPage)
        stats = page.stats
        stats.month_box.addItem("2025年10月", (2025, 10))
        stats.month_box.setCurrentIndex(stats.month_box.count() - 1)
        wait_for(app, lambda: stats.data is not None and stats.data.report.month == 10)
        window.grab().save(str(DOCS / "desk-stats.png"))
        tab = page.show_tab("一企一档")
        assert isinstance(tab, EnterpriseFileTab)
        wait_for(app, lambda: tab.current is not None)
        window.grab().save(str(DOCS / "desk-file.png"))
        window.close()
        wait_for_background_work(app)
        store.close()


if __name__ == "__main__":
    main()
