"""UI fixtures: a demo-seeded store and a main window on it, with its first load done."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from inspector.demo.seed import seed_demo
from inspector.store.db import Store
from inspector.ui.app import ensure_app, open_main_window
from inspector.ui.main_window import MainWindow
from inspector.ui.ops import wait_for_writes
from inspector.ui.pages import SyncPage


@pytest.fixture(autouse=True)
def collect_on_gui_thread(qapp: object) -> Iterator[None]:
    """The app's own rule: cycles are collected on the GUI thread only (see MainThreadGarbageCollector)."""
    ensure_app()
    assert not gc.isenabled()
    yield
    wait_for_writes()
    gc.collect()


@pytest.fixture(autouse=True)
def no_automatic_sync(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 同步 page's timer would start a sync in the middle of a test; the test of the timer turns it on."""
    monkeypatch.setattr(SyncPage, "automatic_enabled", False)


@pytest.fixture(autouse=True)
def no_unexpected_modals(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal box nobody answers would hang the run; fail the test with its text instead.

    Tests that expect a box patch it again themselves (a later monkeypatch wins)."""

    def refuse(*args: object, **_kw: object) -> None:
        texts = [a for a in args if isinstance(a, str)]
        raise AssertionError(f"unexpected dialog: {texts}")

    for name in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(refuse))


@pytest.fixture
def demo_store(store: Store) -> Store:
    seed_demo(store)
    return store


@pytest.fixture
def window(qtbot: QtBot, demo_store: Store) -> Iterator[MainWindow]:
    ensure_app()
    win = open_main_window(demo_store)
    qtbot.addWidget(win)
    # The 工作台 starts loading in the constructor; its result arrives through the event loop.
    with qtbot.waitSignal(win.pages["工作台"].refreshed, timeout=10_000):
        win.show()
    yield win
    # Every read and write the window started finishes before the store closes and its folder goes.
    wait_for_writes()
    QThreadPool.globalInstance().waitForDone()
