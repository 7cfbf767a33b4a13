"""The passphrase screens: set-up with the recovery key, unlock at start, the lock screen and the idle lock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlmodel import select

from inspector.demo.seed import seed_demo
from inspector.store import crypto
from inspector.store.db import Store, open_store
from inspector.store.encryption import encrypt_folder
from inspector.store.models import Enterprise
from inspector.store.settings import idle_lock_minutes
from inspector.ui import app as ui_app
from inspector.ui.app import ensure_app, open_main_window
from inspector.ui.main_window import MainWindow
from inspector.ui.ops import wait_for_writes
from inspector.ui.security import RecoveryKeyDialog, SecurityDialog, SetupDialog, UnlockDialog

PASSPHRASE = "阳城 安监 2026"


@pytest.fixture
def encrypted_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.delenv(crypto.PASSPHRASE_ENV, raising=False)
    folder = tmp_path / "laptop"
    encrypt_folder(folder, PASSPHRASE, scrypt_n=1 << 12)
    store = open_store(folder, passphrase=PASSPHRASE)
    seed_demo(store)
    yield store
    store.close()


@pytest.fixture
def locked_window(qtbot: QtBot, encrypted_store: Store) -> Iterator[MainWindow]:
    ensure_app()
    win = open_main_window(encrypted_store)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.pages["工作台"].refreshed, timeout=10_000):
        win.show()
    yield win
    wait_for_writes()
    QThreadPool.globalInstance().waitForDone()


def test_locking_hides_the_data_and_only_the_passphrase_unlocks(
    qtbot: QtBot, locked_window: MainWindow, tmp_path: Path
) -> None:
    win = locked_window
    assert win.lock_button.isVisible()
    win.lock_now()
    assert win.locked and win.store.locked and not win.nav.isEnabled()
    assert win.screens.currentWidget() is win.lock_screen
    win.grab().save(str(tmp_path / "locked.png"))
    screen = win.lock_screen
    screen.passphrase.setText("不是这个口令")
    screen.try_unlock()
    assert screen.error.text() == "口令不正确。" and win.locked
    screen.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(win.pages["工作台"].refreshed, timeout=10_000):
        screen.try_unlock()
    assert not win.locked and not win.store.locked and win.nav.isEnabled()
    with win.store.session() as session:
        assert session.exec(select(Enterprise)).first() is not None


def test_the_window_locks_itself_after_the_idle_minutes(locked_window: MainWindow) -> None:
    watcher = locked_window.idle_watcher
    assert watcher is not None and watcher.minutes == 10  # the default
    watcher.last_input -= 9 * 60
    watcher.check()
    assert not locked_window.locked
    watcher.last_input -= 61
    watcher.check()
    assert locked_window.locked
    watcher.minutes = 0  # never
    watcher.last_input -= 10_000
    watcher.check()


def test_the_idle_minutes_are_a_setting(qtbot: QtBot, locked_window: MainWindow) -> None:
    dialog = SecurityDialog(locked_window.store, locked_window)
    qtbot.addWidget(dialog)
    dialog.minutes.setValue(3)
    dialog.save()
    with locked_window.store.session() as session:
        assert idle_lock_minutes(session) == 3


def test_a_clear_folder_shows_an_unencrypted_badge(window: MainWindow) -> None:
    assert not hasattr(window, "lock_button")
    window.lock_now()  # nothing to lock
    assert not window.locked


def test_a_new_real_folder_asks_for_a_passphrase_and_shows_the_recovery_key(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "new"
    shown: list[str] = []

    def answer_setup(dialog: SetupDialog) -> int:
        dialog.first.setText("short")
        dialog.second.setText("short")
        dialog.try_encrypt()
        assert "至少" in dialog.error.text() and not crypto.is_encrypted(folder)
        dialog.first.setText(PASSPHRASE)
        dialog.second.setText(PASSPHRASE + "x")
        dialog.try_encrypt()
        assert dialog.error.text() == "两次输入的口令不一致。"
        dialog.second.setText(PASSPHRASE)
        dialog.try_encrypt()
        return dialog.result()

    def keep_key(dialog: RecoveryKeyDialog) -> int:
        shown.append(dialog.key_label.text())
        assert not dialog.ok.isEnabled()  # not before the inspector says the key is kept
        dialog.kept.setChecked(True)
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SetupDialog, "exec", answer_setup)
    monkeypatch.setattr(RecoveryKeyDialog, "exec", keep_key)
    store = ui_app.open_for_user(folder)
    assert store is not None and store.encrypted
    store.close()
    assert crypto.is_encrypted(folder) and len(shown[0]) == 39
    crypto.recover(folder, shown[0], "另一个口令123")  # the key shown is the one that works


def test_an_encrypted_folder_opens_after_the_unlock_dialog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crypto.PASSPHRASE_ENV, raising=False)
    folder = tmp_path / "laptop"
    encrypt_folder(folder, PASSPHRASE, scrypt_n=1 << 12)

    def answer(dialog: UnlockDialog) -> int:
        dialog.passphrase.setText("错误口令12345")
        dialog.try_unlock()
        assert dialog.error.text() == "口令不正确。"
        dialog.passphrase.setText(PASSPHRASE)
        dialog.try_unlock()
        return dialog.result()

    monkeypatch.setattr(UnlockDialog, "exec", answer)
    store = ui_app.open_for_user(folder)
    assert store is not None and store.encrypted
    store.close()
    monkeypatch.setattr(UnlockDialog, "exec", lambda _self: QDialog.DialogCode.Rejected)
    assert ui_app.open_for_user(folder) is None  # 退出


def test_the_demo_folder_stays_clear_and_an_old_real_folder_is_encrypted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = tmp_path / "demo"
    store = open_store(demo)
    seed_demo(store)
    store.close()
    monkeypatch.setattr(SetupDialog, "exec", lambda _self: pytest.fail("the demo folder needs no passphrase"))
    opened = ui_app.open_for_user(demo)
    assert opened is not None and not opened.encrypted
    opened.close()

    old = tmp_path / "old"
    store = open_store(old)
    with store.session() as session:
        from inspector.store.settings import set_setting

        set_setting(session, "agency", {"name": "阳城县应急管理局"})
    store.close()
    existing: list[bool] = []

    def answer(dialog: SetupDialog) -> int:
        existing.append("尚未加密" in dialog.findChildren(type(dialog.error))[0].text())
        dialog.first.setText(PASSPHRASE)
        dialog.second.setText(PASSPHRASE)
        dialog.try_encrypt()
        return dialog.result()

    monkeypatch.setattr(SetupDialog, "exec", answer)
    monkeypatch.setattr(RecoveryKeyDialog, "exec", lambda _self: QDialog.DialogCode.Accepted)
    opened = ui_app.open_for_user(old)
    assert opened is not None and opened.encrypted and existing == [True]
    opened.close()
