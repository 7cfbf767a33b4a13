"""Run a service call off the GUI thread and deliver its result (or its error) back on the GUI thread.

Widgets never open database sessions themselves: they hand a function of a session to `run_op`, which
opens a unit of work on the database thread and calls `on_done` / `on_error` on the GUI thread via a signal.
There is one database thread: SQLite takes one writer at a time anyway, edits then land in the order they
were made, and reads (a few milliseconds each) never race a write. (A read thread beside a write thread
on the same file once ended the test suite with a segmentation fault inside sqlite3.)
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from sqlmodel import Session

from inspector.errors import InspectorError
from inspector.store.db import Store

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; the runnable emits, Qt queues the call to the receiver's thread."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Op(QRunnable):
    def __init__(self, store: Store, fn: Callable[[Session], Any], relay: _Relay) -> None:
        super().__init__()
        self._store = store
        self._fn = fn
        self._relay = relay

    @Slot()
    def run(self) -> None:
        try:
            with self._store.session() as session:
                result = self._fn(session)
        except Exception as exc:  # delivered to the GUI as a failure, never swallowed
            if not isinstance(exc, InspectorError):
                log.exception("operation failed")
            self._deliver(self._relay.failed, exc)
        else:
            self._deliver(self._relay.succeeded, result)

    @staticmethod
    def _deliver(signal: Any, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            # The application is shutting down and the relay is gone: nobody is left to tell.
            log.debug("result of a background operation dropped at shutdown")


_live_relays: set[_Relay] = set()


def run_op(
    store: Store,
    fn: Callable[[Session], Any],
    *,
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None] | None = None,
    pool: QThreadPool | None = None,
) -> None:
    """Run `fn(session)` in a unit of work on the database thread; callbacks run on the GUI thread."""
    relay = _Relay()
    _live_relays.add(relay)  # keep the relay alive until one of its signals has been delivered

    def _finish(callback: Callable[[Any], None] | None, value: Any) -> None:
        _live_relays.discard(relay)
        relay.deleteLater()
        if callback is not None:
            callback(value)

    relay.succeeded.connect(lambda value: _finish(on_done, value))
    relay.failed.connect(lambda exc: _finish(on_error or _log_error, exc))
    (pool or database_thread()).start(_Op(store, fn, relay))


@functools.cache
def database_thread() -> QThreadPool:
    """The one thread every read and write of the UI runs on, in the order they were asked for."""
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    return pool


def run_write(
    store: Store,
    fn: Callable[[Session], Any],
    *,
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None] | None = None,
) -> None:
    """A change: run in order behind everything asked for before (two quick answers land in order)."""
    run_op(store, fn, on_done=on_done, on_error=on_error)


def wait_for_writes() -> None:
    """Block until every queued read and write has run (closing the app, tests)."""
    database_thread().waitForDone()


class SteppedJob(QObject):
    """A batch done one item per step (a photo, a document), the next step started when the last is done.

    Edits made meanwhile are not stuck behind the whole batch on the database thread, and a cancel takes
    effect between steps. Subclasses do one item in `run_step` and call `step_done` when it is over; the
    report (anything with a `cancelled` attribute) is delivered with `finished`."""

    progressed = Signal(int, int)  # done, total
    finished = Signal(object)  # the report

    def __init__(self, total: int, report: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.total = total
        self.report = report
        self._next = 0
        self._cancelled = False

    def start(self) -> None:
        self._step()

    def cancel(self) -> None:
        self._cancelled = True

    def run_step(self, index: int) -> None:
        """Do item `index`, then call `step_done` (from a callback when the work is asynchronous)."""
        self.step_done()

    def step_done(self) -> None:
        self._next += 1
        self.progressed.emit(self._next, self.total)
        self._step()

    def _step(self) -> None:
        if self._cancelled and self._next < self.total:
            self.report.cancelled = True
        if self._cancelled or self._next >= self.total:
            self.finished.emit(self.report)
            return
        self.progressed.emit(self._next, self.total)
        self.run_step(self._next)


def _log_error(exc: Exception) -> None:
    log.error("operation failed: %s", exc)


def user_message(exc: Exception) -> str:
    """The Chinese text to show for an error: known errors say what is wrong, bugs say so plainly."""
    if isinstance(exc, InspectorError):
        return exc.message_zh
    return f"发生内部错误，操作未完成，已保存的数据不受影响。\n（{type(exc).__name__}: {exc}）"
