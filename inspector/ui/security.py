"""Passphrase screens: set-up with the recovery key, unlock at start, the lock screen, recovery, and idle lock.

The core does the work (`inspector.store.crypto`, `inspector.store.encryption`); these are its faces. Deriving
the key from a passphrase takes a few tenths of a second by design, so the dialogs show a wait cursor then.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import InspectorError
from inspector.store import crypto
from inspector.store.crypto import FolderKey
from inspector.store.db import Store
from inspector.store.encryption import encrypt_folder
from inspector.store.settings import MAX_IDLE_LOCK_MINUTES, idle_lock_minutes, set_idle_lock_minutes
from inspector.ui.dialogs import lay_out_form


def _secret_field(placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("formError")
    label.setWordWrap(True)
    return label


def _intro(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class _Waiting:
    """A wait cursor while the key is derived."""

    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *_exc: object) -> None:
        QApplication.restoreOverrideCursor()


def _check_new(first: QLineEdit, second: QLineEdit) -> str:
    if first.text() != second.text():
        raise InspectorError("passphrases differ", "两次输入的口令不一致。")
    crypto.check_passphrase_strength(first.text())
    return first.text()


class UnlockDialog(QDialog):
    """At start: the passphrase of an encrypted data folder. `key` is set when accepted."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.key: FolderKey | None = None
        self.setWindowTitle("解锁执法数据")
        form = QFormLayout()
        form.addRow(_intro(f"本机执法数据已加密。请输入口令解锁。\n数据文件夹：{data_dir}"))
        self.passphrase = _secret_field("口令")
        form.addRow("口令", self.passphrase)
        forgot = QPushButton("忘记口令…")
        forgot.setFlat(True)
        forgot.clicked.connect(self.open_recovery)
        form.addRow(forgot)
        self.error = lay_out_form(self, form, ok_text="解锁", on_ok=self.try_unlock, cancel_text="退出")
        self.setMinimumWidth(420)

    def try_unlock(self) -> None:
        try:
            with _Waiting():
                self.key = crypto.unlock(self.data_dir, self.passphrase.text())
        except InspectorError as exc:
            self.error.setText(exc.message_zh)
            self.passphrase.selectAll()
            self.passphrase.setFocus()
            return
        self.accept()

    def open_recovery(self) -> None:
        dialog = RecoveryDialog(self.data_dir, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.key is not None:
            self.key = dialog.key
            self.accept()


class RecoveryDialog(QDialog):
    """A forgotten passphrase: the recovery key printed at set-up, and a new passphrase."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.key: FolderKey | None = None
        self.setWindowTitle("用恢复密钥设置新口令")
        form = QFormLayout()
        form.addRow(
            _intro(
                "请输入设置加密时打印的恢复密钥（32 位字母和数字），并设置新口令。\n"
                "恢复密钥也丢失时，只能新建数据文件夹、重新登记本机，再从办公室同步已上传的数据；未同步的数据无法恢复。"
            )
        )
        self.recovery_key = QLineEdit()
        self.recovery_key.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.first, self.second = _secret_field(), _secret_field()
        form.addRow("恢复密钥", self.recovery_key)
        form.addRow("新口令", self.first)
        form.addRow("再次输入", self.second)
        self.error = lay_out_form(self, form, ok_text="设置新口令", on_ok=self.try_recover)
        self.setMinimumWidth(520)

    def try_recover(self) -> None:
        try:
            passphrase = _check_new(self.first, self.second)
            with _Waiting():
                self.key = crypto.recover(self.data_dir, self.recovery_key.text(), passphrase)
        except InspectorError as exc:
            self.error.setText(exc.message_zh)
            return
        self.accept()


class SetupDialog(QDialog):
    """First start of a real (non-demo) data folder, or a clear-text folder of an earlier version: choose a
    passphrase, encrypt, then show the recovery key once, to be printed."""

    def __init__(self, data_dir: Path, *, existing: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.key: FolderKey | None = None
        self.recovery_key = ""
        self.setWindowTitle("设置数据加密口令")
        why = (
            "此数据文件夹由早期版本创建，尚未加密。设置口令后将一次性加密全部记录、照片和文书（可能需要几分钟）。"
            if existing
            else "为防止电脑丢失时泄露执法信息，本机数据将加密保存。请设置口令，每次启动和锁定后凭口令使用。"
        )
        form = QFormLayout()
        form.addRow(_intro(why))
        self.first = _secret_field(f"至少 {crypto.MIN_PASSPHRASE_LENGTH} 个字符")
        self.second = _secret_field()
        form.addRow("口令", self.first)
        form.addRow("再次输入", self.second)
        self.error = lay_out_form(self, form, ok_text="加密", on_ok=self.try_encrypt, cancel_text="退出")
        self.setMinimumWidth(480)

    def try_encrypt(self) -> None:
        try:
            passphrase = _check_new(self.first, self.second)
        except InspectorError as exc:
            self.error.setText(exc.message_zh)
            return
        progress = QProgressDialog("正在加密照片和文书…", "", 0, 0, self)
        progress.setCancelButton(None)  # stopping half way is safe (it resumes at the next start) but pointless
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def step(done: int, total: int, _name: str) -> None:
            progress.setMaximum(total)
            progress.setValue(done)
            QApplication.processEvents()

        try:
            with _Waiting():
                created = encrypt_folder(self.data_dir, passphrase, progress=step)
        except InspectorError as exc:
            self.error.setText(exc.message_zh)
            return
        finally:
            progress.close()
        self.key, self.recovery_key = created.key, created.recovery_key
        if RecoveryKeyDialog(created.recovery_key, self).exec() == QDialog.DialogCode.Accepted:
            self.accept()


class RecoveryKeyDialog(QDialog):
    """The recovery key, shown once: print it or write it down before going on."""

    def __init__(self, recovery_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recovery_key = recovery_key
        self.setWindowTitle("恢复密钥")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "请打印或抄写下面的恢复密钥，与电脑分开保管（例如交局里存档）。忘记口令时，凭它设置新口令。"
            "此密钥只显示这一次。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.key_label = QLabel(recovery_key)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(15)
        self.key_label.setFont(font)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.key_label)
        print_button = QPushButton("打印恢复密钥…")
        print_button.clicked.connect(self.print_key)
        layout.addWidget(print_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.kept = QCheckBox("我已打印或抄写恢复密钥，并将与电脑分开保管")
        layout.addWidget(self.kept)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("继续")
        self.ok.setEnabled(False)
        self.kept.toggled.connect(self.ok.setEnabled)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def reject(self) -> None:
        """Esc does not skip the key: it is shown only this once."""

    def print_key(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        document = QTextDocument()
        document.setHtml(
            "<h2>安全生产现场执法助手 · 数据恢复密钥</h2>"
            f"<p style='font-family:monospace;font-size:18pt'>{self.recovery_key}</p>"
            f"<p>打印时间：{time.strftime('%Y-%m-%d %H:%M')}</p><p>请与电脑分开保管。</p>"
        )
        document.print_(printer)


class ChangePassphraseDialog(QDialog):
    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.setWindowTitle("修改口令")
        form = QFormLayout()
        self.old = _secret_field()
        self.first, self.second = _secret_field(f"至少 {crypto.MIN_PASSPHRASE_LENGTH} 个字符"), _secret_field()
        form.addRow("当前口令", self.old)
        form.addRow("新口令", self.first)
        form.addRow("再次输入", self.second)
        self.error = lay_out_form(self, form, ok_text="修改", on_ok=self.try_change)

    def try_change(self) -> None:
        try:
            new = _check_new(self.first, self.second)
            with _Waiting():
                crypto.change_passphrase(self.data_dir, self.old.text(), new)
        except InspectorError as exc:
            self.error.setText(exc.message_zh)
            return
        self.accept()


class SecurityDialog(QDialog):
    """安全设置: minutes of idle time before the lock, and the passphrase."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("安全设置")
        form = QFormLayout()
        self.minutes = QSpinBox()
        self.minutes.setRange(0, MAX_IDLE_LOCK_MINUTES)
        self.minutes.setSuffix(" 分钟")
        self.minutes.setSpecialValueText("从不自动锁定")
        with store.session() as session:
            self.minutes.setValue(idle_lock_minutes(session))
        form.addRow("无操作后自动锁定", self.minutes)
        change = QPushButton("修改口令…")
        change.clicked.connect(lambda: ChangePassphraseDialog(store.data_dir, self).exec())
        form.addRow(change)
        self.error = lay_out_form(self, form, ok_text="保存", on_ok=self.save)

    def save(self) -> None:
        try:
            with self.store.session() as session:
                set_idle_lock_minutes(session, self.minutes.value())
        except InspectorError as exc:
            self.error.setText(exc.message_zh)
            return
        self.accept()


class LockScreen(QWidget):
    """What the window shows while locked: nothing of the data, a passphrase field."""

    unlocked = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QWidget()
        box.setFixedWidth(420)
        layout = QVBoxLayout(box)
        title = QLabel("已锁定")
        title.setObjectName("pageHeading")
        layout.addWidget(title)
        note = QLabel("执法数据已加密并锁定。请输入口令继续工作。")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.passphrase = _secret_field("口令")
        self.passphrase.returnPressed.connect(self.try_unlock)
        layout.addWidget(self.passphrase)
        self.error = _error_label()
        layout.addWidget(self.error)
        self.unlock_button = QPushButton("解锁")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        layout.addWidget(self.unlock_button)
        forgot = QPushButton("忘记口令…")
        forgot.setFlat(True)
        forgot.clicked.connect(self.open_recovery)
        layout.addWidget(forgot, 0, Qt.AlignmentFlag.AlignLeft)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def reset(self) -> None:
        self.passphrase.clear()
        self.error.clear()
        self.passphrase.setFocus()

    def try_unlock(self) -> None:
        try:
            with _Waiting():
                self.store.unlock(self.passphrase.text())
        except InspectorError as exc:
            self.error.setText(exc.message_zh)
            self.passphrase.selectAll()
            return
        self.passphrase.clear()
        self.unlocked.emit()

    def open_recovery(self) -> None:
        dialog = RecoveryDialog(self.store.data_dir, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.passphrase.setText(dialog.first.text())
            self.try_unlock()


class IdleWatcher(QObject):
    """Calls `on_idle` once the user has not touched keyboard or mouse for `minutes` (0: never)."""

    INPUT_EVENTS = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
        }
    )

    def __init__(self, minutes: int, on_idle: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.minutes = minutes
        self.on_idle = on_idle
        self.last_input = time.monotonic()
        app = QGuiApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(15_000)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self.INPUT_EVENTS:
            self.last_input = time.monotonic()
        return False

    def idle_seconds(self) -> float:
        return time.monotonic() - self.last_input

    def check(self) -> None:
        if self.minutes > 0 and self.idle_seconds() >= self.minutes * 60:
            self.last_input = time.monotonic()
            self.on_idle()
