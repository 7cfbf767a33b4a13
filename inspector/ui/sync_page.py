"""Sync with the office off both the GUI thread and the database thread, and the 登记本机 dialog.

A sync opens its own sessions and waits on the network for seconds: run on the database thread it would
hold up every read and write of the window, so it runs on the global worker pool instead (SQLite gives that
thread its own connection). Progress comes back through a relay's queued signals; cancelling sets an event
the sync checks between steps.
"""

from __future__ import annotations

import logging
import platform
import threading
from collections.abc import Callable
from typing import Any

import httpx
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import InspectorError
from inspector.store.db import Store
from inspector.sync.client import (
    OfficeLink,
    SyncReport,
    enroll,
    http_client,
    office_certificate,
    office_link,
    sync_once,
)
from inspector.ui.ops import user_message

log = logging.getLogger(__name__)

HttpFactory = Callable[[OfficeLink], httpx.Client]
"""Makes the HTTP client for a link (tests hand in an in-process office); the caller closes it."""

Progress = Callable[[str, int, int], None]

STAGE_ZH = {"upload": "上传文件", "push": "上传记录", "pull": "接收记录", "audit": "上传审计日志"}
ROLE_ZH = {"inspector": "执法人员", "supervisor": "管理人员"}
ERROR_RED = "#c62828"


def stage_text(stage: str) -> str:
    return STAGE_ZH.get(stage, stage)


def role_text(role: str) -> str:
    return ROLE_ZH.get(role, role)


class _JobRelay(QObject):
    """Lives on the GUI thread; the worker emits, Qt queues each call to the GUI thread."""

    progressed = Signal(str, int, int)
    succeeded = Signal(object)
    failed = Signal(object)


class _JobRunnable(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], relay: _JobRelay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def _emit(self, signal: Any, *args: Any) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the page is gone (application closing): nobody is left to tell
            log.debug("background sync result dropped")

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn(lambda stage, done, total: self._emit(self._relay.progressed, stage, done, total))
        except Exception as exc:  # delivered to the GUI as a failure, never swallowed
            if not isinstance(exc, InspectorError):
                log.exception("background sync job failed")
            self._emit(self._relay.failed, exc)
        else:
            self._emit(self._relay.succeeded, result)


class BackgroundJob(QObject):
    """One network job on the global worker pool (never the database thread). Signals arrive on the GUI thread."""

    progressed = Signal(str, int, int)  # stage, done, total
    succeeded = Signal(object)
    failed = Signal(object)  # Exception

    def __init__(self, fn: Callable[[Progress, Callable[[], bool]], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._cancel = threading.Event()
        self._relay = _JobRelay(self)
        self._relay.progressed.connect(self.progressed)
        self._relay.succeeded.connect(self.succeeded)
        self._relay.failed.connect(self.failed)

    def start(self) -> None:
        cancel = self._cancel
        QThreadPool.globalInstance().start(
            _JobRunnable(lambda progress: self._fn(progress, cancel.is_set), self._relay)
        )

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


def run_sync(
    store: Store,
    http_factory: HttpFactory | None,
    progress: Progress,
    should_cancel: Callable[[], bool],
) -> SyncReport:
    """One sync on the calling (worker) thread, with the injected client when there is one."""
    if http_factory is None:
        return sync_once(store, progress=progress, should_cancel=should_cancel)
    with store.session() as session:
        link = office_link(session)
    if link is None:
        return sync_once(store, progress=progress, should_cancel=should_cancel)  # says 尚未登记
    http = http_factory(link)
    try:
        return sync_once(store, http, progress=progress, should_cancel=should_cancel)
    finally:
        http.close()


def run_enroll(store: Store, http_factory: HttpFactory | None, *, url: str, code: str, device_name: str) -> OfficeLink:
    provisional = OfficeLink(url=url, token="", device_id="", county_code="", role="", user_name="")
    cert = "" if http_factory is not None else office_certificate(url)  # https: pinned from now on
    http = http_factory(provisional) if http_factory is not None else http_client(url, cert_pem=cert)
    try:
        return enroll(store, http, url=url, code=code, device_name=device_name, cert_pem=cert)
    finally:
        http.close()


class EnrollDialog(QDialog):
    """Office address, the one-time code the administrator printed, and this laptop's name."""

    enrolled = Signal(object)  # OfficeLink

    def __init__(
        self,
        store: Store,
        *,
        http_factory: HttpFactory | None = None,
        url: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.http_factory = http_factory
        self.job: BackgroundJob | None = None
        self.setWindowTitle("登记本机")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        intro = QLabel("请输入办公室服务器地址和管理员提供的一次性登记码。登记码只能使用一次。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.url_edit = QLineEdit(url)
        self.url_edit.setPlaceholderText("例如 http://192.168.1.10:8000")
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("管理员提供的登记码")
        self.name_edit = QLineEdit(platform.node() or "执法终端")
        form.addRow("办公室地址", self.url_edit)
        form.addRow("登记码", self.code_edit)
        form.addRow("本机名称", self.name_edit)
        layout.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_RED};")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox()
        self.enroll_button = QPushButton("登记")
        self.enroll_button.setDefault(True)
        self.buttons.addButton(self.enroll_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.enroll_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def submit(self) -> None:
        if self.job is not None:
            return
        url = self.url_edit.text().strip().rstrip("/")
        code = self.code_edit.text().strip()
        name = self.name_edit.text().strip()
        if not url.startswith(("http://", "https://")):
            self.show_error("请填写办公室服务器地址，以 http:// 或 https:// 开头。")
            return
        if not code:
            self.show_error("请填写登记码。")
            return
        if not name:
            self.show_error("请填写本机名称。")
            return
        self.show_error("")
        self._set_busy(True)
        store, factory = self.store, self.http_factory
        job = BackgroundJob(
            lambda _progress, _cancel: run_enroll(store, factory, url=url, code=code, device_name=name), self
        )
        job.succeeded.connect(self._done)
        job.failed.connect(self._failed)
        self.job = job
        job.start()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.url_edit, self.code_edit, self.name_edit, self.enroll_button, self.cancel_button):
            widget.setEnabled(not busy)
        self.enroll_button.setText("正在登记…" if busy else "登记")

    def _done(self, link: object) -> None:
        self.job = None
        self._set_busy(False)
        self.enrolled.emit(link)
        self.accept()

    def _failed(self, exc: object) -> None:
        self.job = None
        self._set_busy(False)
        self.show_error(user_message(exc) if isinstance(exc, Exception) else str(exc))

    def reject(self) -> None:
        if self.job is not None:  # the code may already be spent: wait for the answer
            return
        super().reject()
