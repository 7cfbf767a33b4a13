"""Application start-up: QApplication, the shipped CJK font, Chinese Qt translations, the store, the window."""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QThreadPool, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from inspector.errors import InspectorError
from inspector.resources import UI_FONT_FILE, resource_path
from inspector.store.db import Store, open_store
from inspector.store.settings import AGENCY_KEY, DEMO_KEY, get_setting
from inspector.ui.main_window import MainWindow
from inspector.ui.ops import database_thread, wait_for_writes

log = logging.getLogger(__name__)

STYLE_SHEET = """
#header { background: #1f3a5f; }
#appTitle { color: white; font-size: 18px; font-weight: bold; padding: 6px 4px; }
#agency { color: #d6e2f0; font-size: 14px; padding-left: 12px; }
#demoBadge { color: #5d4000; background: #ffd54f; border-radius: 4px; padding: 3px 8px; }
#nav { background: #eef2f7; border: none; font-size: 15px; }
#nav::item { padding: 10px 14px; }
#nav::item:selected { background: #1f3a5f; color: white; }
#pageHeading { font-size: 20px; font-weight: bold; padding: 4px 0; }
#subtle { color: #5f6b7a; }
#countCard, #countCardAlert { background: #f5f8fc; border: 1px solid #d5dde8; border-radius: 6px; }
#countCardAlert { background: #fdf1f0; border-color: #f0c4bf; }
#countValue { font-size: 30px; font-weight: bold; color: #1f3a5f; }
#countCardAlert #countValue { color: #b71c1c; }
#countCaption { color: #4a5563; }
"""

_translators: list[QTranslator] = []


class MainThreadGarbageCollector(QObject):
    """Run Python's cycle collector on the GUI thread only.

    Left automatic, the collector runs in whichever thread happens to allocate, often the database
    thread, and a cycle holding a Qt object (a widget and a lambda connected to it) is then destroyed
    off the GUI thread: the process dies with a segmentation fault. So automatic collection is off and
    this timer collects the generations that are due, on the GUI thread, a few times a second.
    """

    INTERVAL_MS = 250

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(self.INTERVAL_MS)

    def collect_due(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return


def ensure_app() -> QApplication:
    """The one QApplication, set up for Chinese: shipped font, Qt's own zh_CN strings, house style."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        QCoreApplication.setOrganizationName("YangchengEMB")
        QCoreApplication.setApplicationName("Inspector")
        app = QApplication(sys.argv[:1])
    if app.property("inspector_ready"):
        return app
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    font_id = QFontDatabase.addApplicationFont(str(resource_path(*UI_FONT_FILE)))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        app.setFont(QFont(families[0], 10))
    else:
        log.warning("could not load the shipped UI font %s", resource_path(*UI_FONT_FILE))
    translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if translator.load("qtbase_zh_CN", translations):
        app.installTranslator(translator)
        _translators.append(translator)
    app.setStyleSheet(STYLE_SHEET)
    MainThreadGarbageCollector(app)
    app.setProperty("inspector_ready", True)
    return app


def open_main_window(store: Store) -> MainWindow:
    with store.session() as session:
        agency = get_setting(session, AGENCY_KEY) or {}
        is_demo = bool(get_setting(session, DEMO_KEY))
    return MainWindow(store, agency_name=str(agency.get("name", "")), is_demo=is_demo)


def _report_store_error(exc: InspectorError) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, "无法打开数据", exc.message_zh, QMessageBox.StandardButton.Ok)
    box.setDetailedText(exc.message_en)
    box.exec()


def open_for_user(data_dir: Path) -> Store | None:
    """The data folder as the inspector opens it: unlocked with the passphrase, or encrypted first (a new real
    folder, or a clear-text one of an earlier version). The demo folder stays clear. None: the user quit."""
    from inspector.store import crypto
    from inspector.store.db import DB_FILENAME
    from inspector.ui.security import SetupDialog, UnlockDialog

    if crypto.is_encrypted(data_dir):
        if os.environ.get(crypto.PASSPHRASE_ENV):
            return open_store(data_dir)
        unlock = UnlockDialog(data_dir)
        if unlock.exec() != QDialog.DialogCode.Accepted or unlock.key is None:
            return None
        return open_store(data_dir, key=unlock.key)
    existing = (data_dir / DB_FILENAME).exists()
    if existing:
        store = open_store(data_dir)
        with store.session() as session:
            if get_setting(session, DEMO_KEY):
                return store
        store.close()
    setup = SetupDialog(data_dir, existing=existing)
    if setup.exec() != QDialog.DialogCode.Accepted or setup.key is None:
        return None
    return open_store(data_dir, key=setup.key)


def run_app(data_dir: Path, *, page: str | None = None) -> int:
    started = time.perf_counter()
    app = ensure_app()
    try:
        opened = open_for_user(data_dir)
    except InspectorError as exc:
        sys.stderr.write(f"inspector: error: {exc.message_en}\n")
        _report_store_error(exc)
        return 1
    if opened is None:
        return 0
    store = opened
    try:
        window = open_main_window(store)
        if page:
            window.show_page(page)
        window.show()
        log.info("window shown after %.0f ms", (time.perf_counter() - started) * 1000)
        return app.exec()
    finally:
        wait_for_writes()  # every edit made before closing is saved
        QThreadPool.globalInstance().waitForDone()
        store.close()


def wait_for_background_work(app: QGuiApplication | QCoreApplication) -> None:
    """Let every queued operation finish and deliver its result (used for screenshots and tests)."""
    pool = QThreadPool.globalInstance()
    for _ in range(50):
        wait_for_writes()
        pool.waitForDone()
        app.processEvents()
        if pool.activeThreadCount() == 0 and database_thread().activeThreadCount() == 0:
            app.processEvents()
            break


def render_screenshot(
    data_dir: Path, target: Path, *, page: str, size: tuple[int, int], inspection_id: str | None = None
) -> None:
    """Open the main window offscreen on `page` (or on one inspection), let it load, save a PNG, exit."""
    app = ensure_app()
    store = open_store(data_dir)
    try:
        window = open_main_window(store)
        window.resize(*size)
        try:
            window.show_page(page)
        except KeyError as exc:
            raise InspectorError(str(exc.args[0]), f"没有名为“{page}”的页面。", code="page") from exc
        window.show()
        wait_for_background_work(app)
        if inspection_id:
            window.show_page("现场检查")
            window.inspections.open_inspection(inspection_id)
            wait_for_background_work(app)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(target)):
            raise InspectorError(f"Could not write {target}", f"无法保存截图：{target}")
        window.close()
    finally:
        wait_for_background_work(app)
        store.close()
