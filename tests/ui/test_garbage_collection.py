"""Cycles holding Qt objects must be destroyed on the GUI thread, never on the database thread."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from inspector.ui.app import MainThreadGarbageCollector, ensure_app


def test_automatic_collection_is_off_and_the_timer_collects_on_the_gui_thread(qtbot: QtBot) -> None:
    app = ensure_app()
    assert not gc.isenabled()
    collectors = app.findChildren(MainThreadGarbageCollector)
    assert len(collectors) == 1

    threads: list[threading.Thread] = []

    class Cycle:
        def __init__(self) -> None:
            self.me = self

        def __del__(self) -> None:
            threads.append(threading.current_thread())

    Cycle()
    # Allocating plenty on another thread would have triggered a collection there before.
    worker = threading.Thread(target=lambda: [[i] for i in range(200_000)])
    worker.start()
    worker.join()
    assert threads == []  # nothing collected off the GUI thread

    for _ in range(3):
        collectors[0].collect_due()
    gc.collect()
    assert threads == [threading.main_thread()]
