"""The 同步 page against a real office run in-process: enrol through the dialog, sync, fail, cancel."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from inspector.office.admin import add_user, enroll_device
from inspector.office.app import create_app
from inspector.office.db import open_office_db
from inspector.store.db import Store
from inspector.store.models import NumberBlock
from inspector.store.settings import set_setting
from inspector.sync.client import SYNC_KEY, OfficeLink, SyncReport, enroll
from inspector.sync.protocol import GLOBAL_TABLES
from inspector.ui.main_window import MainWindow
from inspector.ui.pages import SyncPage

URL = "http://testserver"
WAIT = 30_000


class Office:
    def __init__(self, app: Any, engine: Engine) -> None:
        self.app = app
        self.engine = engine
        self.gate: threading.Event | None = None  # when set up, blob uploads wait for it

    def client(self, link: OfficeLink) -> httpx.Client:
        office = self

        class Gated(TestClient):
            def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
                if office.gate is not None and str(url).endswith("/offset"):
                    assert office.gate.wait(WAIT / 1000), "the test never let the upload go on"
                return super().request(method, url, *args, **kwargs)

        client = Gated(self.app, base_url=link.url)
        if link.token:
            client.headers["Authorization"] = f"Bearer {link.token}"
        return client

    def code(self, name: str = "执法王五") -> str:
        user = add_user(self.engine, name=name, role="inspector", county_code="140522")
        return enroll_device(self.engine, user)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    db_url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    app = create_app(db_url, tmp_path / "office-blobs")
    with TestClient(app):  # runs the app's startup
        yield Office(app, open_office_db(db_url))


def open_sync_page(qtbot: QtBot, window: MainWindow) -> SyncPage:
    page = window.pages["同步"]
    assert isinstance(page, SyncPage)
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        window.show_page("同步")
    return page


def pending(page: SyncPage) -> int:
    found = re.search(r"待同步记录：(\d+) 条", page.summary.text())
    assert found, page.summary.text()
    return int(found.group(1))


def waiting_records(page: SyncPage) -> dict[str, int]:
    """The pending table without the shipped checklists and banks (dropped from the outbox, never sent)."""
    rows = [page.model.row_at(n) for n in range(page.model.rowCount())]
    return {table: n for table, n in rows if table not in GLOBAL_TABLES}


def sync(qtbot: QtBot, page: SyncPage) -> object:
    with qtbot.waitSignal(page.sync_finished, timeout=WAIT) as finished:
        qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        pass  # the pending counts after the run
    return finished.args[0] if finished.args else None


def test_not_enrolled_says_so_and_sync_asks_for_enrolment(qtbot: QtBot, window: MainWindow) -> None:
    page = open_sync_page(qtbot, window)
    assert "本机尚未登记" in page.office_label.text()
    assert page.enroll_button.text() == "登记本机…"
    before = pending(page)
    assert before > 0
    outcome = sync(qtbot, page)
    assert isinstance(outcome, Exception)
    assert "本机尚未登记到办公室" in page.result_label.text()
    assert "c62828" in page.result_label.styleSheet()
    assert pending(page) == before
    assert page.sync_button.isEnabled()


def test_enrol_through_the_dialog_then_sync_pushes_the_demo(
    qtbot: QtBot, window: MainWindow, office: Office, demo_store: Store
) -> None:
    page = open_sync_page(qtbot, window)
    page.http_factory = office.client
    dialog = page.open_enroll_dialog()
    assert not page.sync_button.isEnabled()  # not while the dialog is open
    dialog.url_edit.setText(URL)
    dialog.code_edit.setText("WRONG-CODE")
    qtbot.mouseClick(dialog.enroll_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible() and dialog.job is None, timeout=WAIT)
    assert dialog.error_label.text() and dialog.isVisible()  # the error is shown in the dialog

    dialog.code_edit.setText(office.code())
    dialog.name_edit.setText("测试笔记本")
    with qtbot.waitSignal(dialog.enrolled, timeout=WAIT), qtbot.waitSignal(page.refreshed, timeout=WAIT):
        qtbot.mouseClick(dialog.enroll_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.sync_button.isEnabled, timeout=WAIT)
    assert "执法王五" in page.office_label.text() and "140522" in page.office_label.text()
    assert "执法人员" in page.office_label.text()
    assert page.enroll_button.text() == "重新登记本机…"
    assert pending(page) > 100

    seen: list[tuple[str, int, int]] = []
    page.sync_progressed.connect(lambda *args: seen.append(args))
    report = sync(qtbot, page)
    assert isinstance(report, SyncReport) and report.pushed > 100 and not report.cancelled
    assert {stage for stage, _, _ in seen} >= {"upload", "push", "pull"}
    assert "同步完成" in page.result_label.text() and "已上传" in page.result_label.text()
    assert page.result_label.styleSheet() == ""
    assert pending(page) == 0
    assert "上次上传：从未" not in page.summary.text()
    assert not page.progress_box.isVisible() and page.sync_button.isEnabled()

    window.resize(1100, 720)
    qtbot.wait(50)
    assert window.grab().save("/tmp/sync-page.png")


def test_an_unreachable_office_is_reported_and_nothing_is_lost(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    with demo_store.session() as session:
        link = OfficeLink("http://127.0.0.1:9", "token", "dev", "140522", "inspector", "执法王五")
        set_setting(session, SYNC_KEY, link.__dict__)
    page = open_sync_page(qtbot, window)
    assert "http://127.0.0.1:9" in page.office_label.text()
    before = pending(page)
    outcome = sync(qtbot, page)
    assert isinstance(outcome, Exception)
    assert "无法连接办公室服务器" in page.result_label.text()
    assert "c62828" in page.result_label.styleSheet()
    assert pending(page) == before
    assert page.sync_button.isEnabled() and page.enroll_button.isEnabled()


def test_cancel_after_the_first_progress_stops_and_the_page_is_usable_again(
    qtbot: QtBot, window: MainWindow, office: Office, demo_store: Store
) -> None:
    first = enroll(
        demo_store, office.client(OfficeLink(URL, "", "", "", "", "")), url=URL, code=office.code(), device_name="甲"
    )
    assert first.token
    page = open_sync_page(qtbot, window)
    page.http_factory = office.client
    office.gate = threading.Event()
    before = waiting_records(page)
    try:
        with qtbot.waitSignal(page.sync_progressed, timeout=WAIT):
            qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
        assert not page.sync_button.isEnabled() and not page.enroll_button.isEnabled()
        assert page.progress_box.isVisible() and page.stage_label.text() == "正在上传文件"
        with qtbot.waitSignal(page.sync_finished, timeout=WAIT) as finished:
            qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
            assert "正在取消" in page.stage_label.text()
            office.gate.set()
    finally:
        office.gate.set()
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        pass  # the pending counts after the run
    report = finished.args[0]
    assert isinstance(report, SyncReport) and report.cancelled and report.pushed == 0
    assert "已取消" in page.result_label.text()
    assert page.sync_button.isEnabled() and page.enroll_button.isEnabled() and not page.progress_box.isVisible()
    after = waiting_records(page)  # no record was acknowledged; the case numbers just reserved wait to go up
    assert after.pop(NumberBlock.__tablename__, 0) == before.pop(NumberBlock.__tablename__, 0) + report.number_blocks
    assert after == before

    again = sync(qtbot, page)
    assert isinstance(again, SyncReport) and not again.cancelled and again.pushed > 100
    assert pending(page) == 0


def test_a_supervisor_sees_the_conflict_log_and_an_inspector_does_not(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path
) -> None:
    from inspector.store.models import SyncConflict

    page = open_sync_page(qtbot, window)
    assert page.conflicts_view.isHidden()  # not enrolled, nothing received
    assert re.search(r"待上传文件：\d+ 个（其中照片 \d+ 张），共 [\d.]+ MB", page.summary.text()), page.summary.text()
    assert "MB" in page.summary.text()
    with demo_store.session(applying_remote=True) as session:  # as a supervisor's pull stores it
        set_setting(
            session,
            SYNC_KEY,
            {"url": URL, "token": "t", "device_id": "d", "county_code": "140522", "role": "supervisor"},
        )
        session.add(
            SyncConflict(
                county_code="140522",
                table_name="enterprise",
                record_id="e1",
                record_label="阳城县东冶煤业有限公司",
                field_name="contact_phone",
                kept_value="13903560000",
                kept_by="执法赵二（赵二的笔记本）",
                lost_value="0356-4000000",
                lost_by="执法王一（王一的笔记本）",
            )
        )
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        page.refresh()
    assert not page.conflicts_view.isHidden()
    model = page.conflicts_model
    assert model.rowCount() == 1
    cells = [model.data(model.index(0, column)) for column in range(model.columnCount())]
    assert cells[1:] == [
        "企业：阳城县东冶煤业有限公司",
        "联系电话",
        "13903560000",
        "执法赵二（赵二的笔记本）",
        "0356-4000000",
        "执法王一（王一的笔记本）",
    ]
    # Pending rows are named in Chinese, never by table name.
    names = [page.model.data(page.model.index(n, 0)) for n in range(page.model.rowCount())]
    assert names and all(not re.fullmatch(r"[a-z]+", name) for name in names)
    window.resize(1300, 800)
    page.grab().save(str(tmp_path / "sync-conflicts.png"))


def test_the_timer_syncs_in_the_background_and_is_quiet_when_the_office_is_away(
    qtbot: QtBot, window: MainWindow, office: Office, demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_sync_page(qtbot, window)
    # Not enrolled: the timer's sync says nothing at all.
    with qtbot.waitSignal(page.sync_finished, timeout=WAIT):
        page.auto_sync()
    assert page.result_label.isHidden()
    with office.client(OfficeLink(URL, "", "", "", "", "")) as http:
        enroll(demo_store, http, url=URL, code=office.code(), device_name="笔记本")
    # The office is out of reach: a plain note, not an error, and nothing lost.
    page.http_factory = lambda link: httpx.Client(base_url="http://127.0.0.1:9", timeout=2)
    before = pending(page)
    with qtbot.waitSignal(page.sync_finished, timeout=WAIT):
        page.auto_sync()
    assert "自动同步暂未完成" in page.result_label.text() and "分钟后自动重试" in page.result_label.text()
    assert "c62828" not in page.result_label.styleSheet()
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        page.refresh()
    assert pending(page) == before
    # Back in the office: the next tick pushes everything.
    page.http_factory = office.client
    with qtbot.waitSignal(page.sync_finished, timeout=WAIT) as finished:
        page.auto_sync()
    assert isinstance(finished.args[0], SyncReport) and finished.args[0].pushed > 100
    assert page.result_label.text().startswith("自动同步完成")
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        page.refresh()
    assert pending(page) == 0
    # The timer itself runs at the page's interval once the app allows it.
    monkeypatch.setattr(SyncPage, "automatic_enabled", True)
    timed = SyncPage(demo_store)
    try:
        assert timed.auto_timer.isActive() and timed.auto_timer.interval() == SyncPage.AUTO_SYNC_MINUTES * 60_000
    finally:
        timed.auto_timer.stop()
        timed.deleteLater()
