"""The main window: a header, the navigation list on the left and one page at a time on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.shipped import install_shipped_content
from inspector.store.db import Store
from inspector.store.settings import idle_lock_minutes
from inspector.ui import pages
from inspector.ui.banks_page import BanksPage
from inspector.ui.desk import DeskPage
from inspector.ui.documents_page import DocumentsPage
from inspector.ui.inspections_page import InspectionsPage
from inspector.ui.ops import run_write, user_message, wait_for_writes
from inspector.ui.security import IdleWatcher, LockScreen, SecurityDialog
from inspector.ui.work_pages import FindingsPage, TasksPage

NAV_PAGES = ("工作台", "检查任务", "现场检查", "隐患整改", "执法文书", "题库", "企业", "监管台", "同步")


class MainWindow(QMainWindow):
    def __init__(self, store: Store, *, agency_name: str = "", is_demo: bool = False) -> None:
        super().__init__()
        self.store = store
        self.setWindowTitle(f"安全生产现场执法助手 — {agency_name}" if agency_name else "安全生产现场执法助手")
        self.resize(1280, 800)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        header = QWidget()
        header.setObjectName("header")
        header_layout = QHBoxLayout(header)
        title = QLabel("安全生产现场执法助手")
        title.setObjectName("appTitle")
        header_layout.addWidget(title)
        if agency_name:
            agency = QLabel(agency_name)
            agency.setObjectName("agency")
            header_layout.addWidget(agency)
        header_layout.addStretch(1)
        if is_demo:
            # The demo folder of `make run` stays clear text, and says so.
            badge = QLabel("演示数据 · 非真实执法记录" + ("" if store.encrypted else " · 未加密"))
            badge.setObjectName("demoBadge")
            header_layout.addWidget(badge)
        elif not store.encrypted:
            badge = QLabel("数据未加密")
            badge.setObjectName("demoBadge")
            badge.setToolTip("此数据文件夹未加密：电脑丢失时记录和照片可被读取。重新启动软件即可设置口令加密。")
            header_layout.addWidget(badge)
        if store.encrypted:
            settings_button = QPushButton("安全设置…")
            settings_button.clicked.connect(self.open_security_settings)
            header_layout.addWidget(settings_button)
            self.lock_button = QPushButton("锁定")
            self.lock_button.setToolTip("锁定（Ctrl+L）：离开电脑时使用，凭口令解锁")
            self.lock_button.clicked.connect(self.lock_now)
            header_layout.addWidget(self.lock_button)
            QShortcut(QKeySequence("Ctrl+L"), self).activated.connect(self.lock_now)
        outer.addWidget(header)

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(150)
        self.stack = QStackedWidget()
        self.inspections = InspectionsPage(store)
        self.documents = DocumentsPage(store)
        self.pages: dict[str, pages.Page] = {
            "工作台": pages.WorkbenchPage(store),
            "检查任务": TasksPage(store),
            "现场检查": self.inspections,
            "隐患整改": FindingsPage(store),
            "执法文书": self.documents,
            "题库": BanksPage(store),
            "企业": pages.EnterprisePage(store),
            "监管台": DeskPage(store),
            "同步": pages.SyncPage(store),
        }
        assert tuple(self.pages) == NAV_PAGES
        for number, (name, page) in enumerate(self.pages.items(), start=1):
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.nav.addItem(item)
            self.stack.addWidget(page)
            page.failed.connect(self.show_error)
            # Ctrl+1 … Ctrl+9 jump between pages without the mouse.
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda n=name: self.show_page(n))
        self.nav.currentRowChanged.connect(self._on_nav_row)
        tasks, findings = self.pages["检查任务"], self.pages["隐患整改"]
        assert isinstance(tasks, TasksPage) and isinstance(findings, FindingsPage)
        tasks.start_requested.connect(self._start_task)
        findings.review_requested.connect(self._start_review)
        self.inspections.inspection.document_created.connect(self.show_document)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        # Locked, the window shows only the lock screen; the pages stay built underneath, with no data shown.
        self.screens = QStackedWidget()
        self.screens.addWidget(central)
        self.lock_screen = LockScreen(store)
        self.lock_screen.unlocked.connect(self._unlocked)
        self.screens.addWidget(self.lock_screen)
        self.setCentralWidget(self.screens)
        self._hidden_dialogs: list[QWidget] = []
        self.idle_watcher: IdleWatcher | None = None
        if store.encrypted:
            with store.session() as session:
                minutes = idle_lock_minutes(session)
            self.idle_watcher = IdleWatcher(minutes, self.lock_now, self)
        self.statusBar().showMessage(f"数据文件夹：{store.data_dir}")
        self.show_page("工作台")
        run_write(store, install_shipped_content, on_done=self._content_installed, on_error=self._install_failed)

    def _content_installed(self, added: int) -> None:
        if added:
            self.current_page().refresh()

    def _install_failed(self, exc: Exception) -> None:
        self.show_error(f"内置检查表或题库未能安装：{user_message(exc)}")

    def show_page(self, name: str) -> pages.Page:
        if name not in self.pages:
            raise KeyError(f"unknown page {name!r}; pages: {', '.join(NAV_PAGES)}")
        row = NAV_PAGES.index(name)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # _on_nav_row shows and refreshes it
        else:
            self._on_nav_row(row)
        return self.pages[name]

    def current_page(self) -> pages.Page:
        widget = self.stack.currentWidget()
        assert isinstance(widget, pages.Page)
        return widget

    def _on_nav_row(self, row: int) -> None:
        if row < 0:
            return
        page = self.pages[NAV_PAGES[row]]
        self.stack.setCurrentWidget(page)
        page.refresh()

    def _start_task(self, task_id: str) -> None:
        self.show_page("现场检查")
        self.inspections.start_new(task_id)

    def _start_review(self, inspection_id: str) -> None:
        self.show_page("现场检查")
        self.inspections.start_review(inspection_id)

    def show_document(self, document_id: str) -> None:
        """The 执法文书 page with this document selected and previewed (a draft just created, say)."""
        self.show_page("执法文书")
        self.documents.show_document(document_id)

    @property
    def locked(self) -> bool:
        return self.screens.currentWidget() is self.lock_screen

    def lock_now(self) -> None:
        """Save what is being typed, close the database, forget the key, show only the lock screen."""
        if not self.store.encrypted or self.locked:
            return
        wait_for_writes()
        QThreadPool.globalInstance().waitForDone(10_000)
        self._hidden_dialogs = [
            w for w in QApplication.topLevelWidgets() if w is not self and isinstance(w, QDialog) and w.isVisible()
        ]
        for dialog in self._hidden_dialogs:
            dialog.hide()  # not closed: what was typed in it is still there after unlocking
        self.store.lock()
        self.nav.setEnabled(False)
        self.screens.setCurrentWidget(self.lock_screen)
        self.lock_screen.reset()

    def _unlocked(self) -> None:
        self.nav.setEnabled(True)
        self.screens.setCurrentIndex(0)
        for dialog in self._hidden_dialogs:
            dialog.show()
        self._hidden_dialogs = []
        self.current_page().refresh()

    def open_security_settings(self) -> None:
        dialog = SecurityDialog(self.store, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and self.idle_watcher is not None:
            self.idle_watcher.minutes = dialog.minutes.value()

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(f"出错：{message}", 15000)
