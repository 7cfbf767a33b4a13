"""The self-test's Qt steps: show the main window on a store and wait for the 工作台's data; find the camera backend.

Besides the window itself they check what a bundle can lose without an import error: the shipped UI font,
Qt's own Chinese strings (qtbase_zh_CN.qm, found through QLibraryInfo's translations path) and the FFmpeg
multimedia plugin behind 拍照 (a plugin that cannot load its libraries is skipped with a warning only).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication

from inspector.store.db import Store
from inspector.ui.app import ensure_app, open_main_window, wait_for_background_work

UI_FONT_FAMILY = "WenQuanYi Micro Hei"
LOAD_TIMEOUT_MS = 30_000


def show_main_window_once(store: Store, *, timeout_ms: int = LOAD_TIMEOUT_MS) -> str:
    """Show the main window until its first page has loaded; a short description, or RuntimeError."""
    app = ensure_app()
    if app.font().family() != UI_FONT_FAMILY:
        raise RuntimeError(f"UI font not loaded (using {app.font().family()!r})")
    if QCoreApplication.translate("QPlatformTheme", "Cancel") != "取消":
        raise RuntimeError("Qt's Chinese translations (qtbase_zh_CN) not loaded")
    window = open_main_window(store)
    page = window.pages["工作台"]
    errors: list[str] = []
    loop = QEventLoop()
    page.refreshed.connect(loop.quit)
    page.failed.connect(errors.append)
    page.failed.connect(loop.quit)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(timeout_ms)
    try:
        window.show()
        loop.exec()  # the 工作台 starts loading in the constructor; its result comes through the event loop
        timed_out = not timer.isActive()
        shown = window.isVisible()
    finally:
        timer.stop()
        window.close()
        wait_for_background_work(app)  # the window's reads and its content install end before the store closes
        window.deleteLater()
        app.processEvents()
    if errors:
        raise RuntimeError(f"工作台 failed to load: {errors[0]}")
    if timed_out:
        raise RuntimeError(f"工作台 did not load within {timeout_ms} ms")
    if not shown:
        raise RuntimeError("the main window was not shown")
    return f"工作台 loaded ({QGuiApplication.platformName()})"


def check_camera_backend() -> str:
    """The multimedia backend the camera dialog needs is loaded (a camera itself need not be present)."""
    ensure_app()
    from PySide6.QtMultimedia import QMediaDevices, QMediaFormat

    # With no backend plugin loaded, Qt knows no media formats at all.
    formats = QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Encode)
    if not formats:
        raise RuntimeError("no Qt multimedia backend (the FFmpeg plugin did not load): 拍照 would not work")
    return f"multimedia backend loaded, {len(QMediaDevices.videoInputs())} camera(s)"
