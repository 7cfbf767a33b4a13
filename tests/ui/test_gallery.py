"""The 照片证据 tab: lazy thumbnails, imports with per-file verdicts, drag and drop, no camera, finishing rules."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlmodel import select

from inspector.domain.enums import EvidenceSource, FindingMeasure, HazardGrade
from inspector.evidence.samples import sample_photo, write_sample_photo
from inspector.evidence.service import add_photo
from inspector.inspections.service import add_finding, start_inspection
from inspector.store.db import Store
from inspector.store.models import Enterprise, Evidence, Inspector
from inspector.ui.app import wait_for_background_work
from inspector.ui.gallery import FILTER_FINDING, FILTER_ITEM, Gallery
from inspector.ui.main_window import MainWindow


def settle(rounds: int = 3) -> None:
    app = QApplication.instance()
    assert app is not None
    for _ in range(rounds):  # thumbnails arrive from the global pool, then repaint
        wait_for_background_work(app)  # type: ignore[arg-type]
        time.sleep(0.01)


def open_inspection(qtbot: QtBot, window: MainWindow, inspection_id: str) -> Gallery:
    window.show_page("现场检查")
    view = window.inspections.inspection
    with qtbot.waitSignal(view.gallery.reloaded, timeout=10_000):
        window.inspections.open_inspection(inspection_id)
    view.tabs.setCurrentWidget(view.gallery)
    settle()
    return view.gallery


def new_inspection(store: Store) -> str:
    with store.session() as session:
        enterprise = session.exec(select(Enterprise).where(Enterprise.industry == "工贸")).first()
        inspectors = session.exec(select(Inspector).limit(2)).all()
        assert enterprise is not None
        return start_inspection(
            session, enterprise_id=enterprise.id, inspector_ids=[i.id for i in inspectors], place="一号车间"
        ).id


def finished_demo_inspection(store: Store) -> str:
    from inspector.demo.seed import seed_demo

    return seed_demo(store).finished_inspection_id


def test_the_demo_inspection_shows_its_photos_with_thumbnails(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    gallery = open_inspection(qtbot, window, finished_demo_inspection(demo_store))
    assert gallery.model.rowCount() == 5
    assert window.inspections.inspection.tabs.tabText(1) == "照片证据（5）"
    settle()
    # What is on screen is loaded; the rest waits until it is scrolled to.
    assert 0 < gallery.model.loaded_count() == gallery.model.loads_requested <= 5
    first = gallery.model.rows[0]
    assert first.finding_ids and first.item_codes  # the demo links each photo to its finding and item
    assert "SHA-256" in gallery.model.data(gallery.model.index(0), Qt.ItemDataRole.ToolTipRole)


def test_filters_by_the_selected_finding_and_the_current_item(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    gallery = open_inspection(qtbot, window, finished_demo_inspection(demo_store))
    some = gallery.model.rows[2]
    with qtbot.waitSignal(gallery.reloaded, timeout=10_000):
        gallery.set_selected_finding(some.finding_ids[0])
        gallery.filter.setCurrentText(FILTER_FINDING)
    assert [r.id for r in gallery.model.rows] == [some.id]
    with qtbot.waitSignal(gallery.reloaded, timeout=10_000):
        gallery.set_current_item((some.item_ids[0], some.item_codes[0]))
        gallery.filter.setCurrentText(FILTER_ITEM)
    assert [r.id for r in gallery.model.rows] == [some.id]


def test_a_500_photo_inspection_loads_only_the_thumbnails_on_screen(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    inspection_id = new_inspection(demo_store)
    with demo_store.session() as session:
        for n in range(500):
            image = Image.new("RGB", (64, 48), (n % 256, n // 256 * 90, 77))
            out = io.BytesIO()
            image.save(out, "PNG")  # lossless: 500 distinct photos
            add_photo(session, demo_store, inspection_id, out.getvalue(), name=f"IMG_{n:04}.png")
    window.resize(1280, 800)
    gallery = open_inspection(qtbot, window, inspection_id)
    assert gallery.model.rowCount() == 500
    settle()
    on_screen = gallery.model.loads_requested
    assert 0 < on_screen < 100  # only the visible cells were asked for
    gallery.grid.scrollToBottom()
    settle()
    assert gallery.model.loads_requested < 200  # the bottom page, not everything in between
    assert gallery.model.loads_requested > on_screen


def test_import_of_a_folder_adds_good_photos_and_names_each_bad_file(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inspection_id = new_inspection(demo_store)
    gallery = open_inspection(qtbot, window, inspection_id)
    folder = tmp_path / "DCIM" / "100ANDRO"
    folder.mkdir(parents=True)
    for n in range(3):
        write_sample_photo(folder / f"IMG_{n}.jpg", size=(640, 480), seed=n)
    (folder / "broken.jpg").write_bytes(sample_photo(size=(640, 480), seed=7)[:3000])
    (folder / "empty.jpg").write_bytes(b"")
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: warnings.append(text)))
    with qtbot.waitSignal(gallery.import_done, timeout=20_000) as done:
        gallery.import_paths([tmp_path / "DCIM"])
    report = done.args[0]
    assert len(report.added) == 3
    assert {r.name for r in report.rejected} == {"broken.jpg", "empty.jpg"}
    assert len(warnings) == 1
    assert "broken.jpg：图片数据不完整或已损坏" in warnings[0]
    assert "empty.jpg：文件为空" in warnings[0]
    settle()
    assert gallery.model.rowCount() == 3
    assert window.inspections.inspection.tabs.tabText(1) == "照片证据（3）"


def test_cancelling_an_import_keeps_what_was_already_added(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path
) -> None:
    inspection_id = new_inspection(demo_store)
    gallery = open_inspection(qtbot, window, inspection_id)
    files = [write_sample_photo(tmp_path / f"IMG_{n}.jpg", size=(320, 240), seed=n) for n in range(6)]

    def cancel_after_two(done: int, _total: int) -> None:
        if done == 2 and gallery._import is not None:
            gallery._import.cancel()

    with qtbot.waitSignal(gallery.import_done, timeout=20_000) as finished:
        gallery.import_paths(files)
        assert gallery._import is not None
        gallery._import.progressed.connect(cancel_after_two)
    report = finished.args[0]
    assert report.cancelled
    assert len(report.added) == 2
    with demo_store.session() as session:
        assert len(session.exec(select(Evidence).where(Evidence.inspection_id == inspection_id)).all()) == 2


def test_dropping_files_on_the_grid_imports_them(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path
) -> None:
    inspection_id = new_inspection(demo_store)
    gallery = open_inspection(qtbot, window, inspection_id)
    photo = write_sample_photo(tmp_path / "现场 照片 #1.jpg", size=(320, 240), seed=3)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    with qtbot.waitSignal(gallery.import_done, timeout=10_000) as done:
        gallery.grid.dropEvent(event)
    assert len(done.args[0].added) == 1
    with demo_store.session() as session:
        evidence = session.exec(select(Evidence).where(Evidence.inspection_id == inspection_id)).one()
    assert evidence.original_name == "现场 照片 #1.jpg"


def test_without_a_camera_the_button_says_so_and_a_camera_photo_is_recorded_as_such(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    inspection_id = new_inspection(demo_store)
    gallery = open_inspection(qtbot, window, inspection_id)
    assert not gallery.camera_button.isEnabled()  # this machine has no camera
    assert "无摄像头" in gallery.camera_button.text()
    assert "未检测到摄像头" in gallery.camera_button.toolTip()
    assert gallery.add_files_button.isEnabled()
    ids: list[str] = []
    with qtbot.waitSignal(gallery.reloaded, timeout=10_000):
        gallery.add_camera_photo(sample_photo(size=(320, 240), seed=5, camera=None), on_done=ids.append)
    with demo_store.session() as session:
        evidence = session.get(Evidence, ids[0])
    assert evidence is not None and evidence.source is EvidenceSource.CAMERA
    assert evidence.original_name.startswith("CAM_")


def test_finishing_with_an_unphotographed_major_hazard_is_refused_on_screen(
    qtbot: QtBot, window: MainWindow, demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    inspection_id = new_inspection(demo_store)
    with demo_store.session() as session:
        add_finding(
            session,
            inspection_id=inspection_id,
            description="粉尘爆炸危险场所未按规定安装使用防爆电气设备",
            grade=HazardGrade.MAJOR,
            measure=FindingMeasure.STOP_EQUIPMENT,
        )
    gallery = open_inspection(qtbot, window, inspection_id)
    view = window.inspections.inspection
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: warnings.append(text)))
    with qtbot.waitSignal(view.failed, timeout=10_000):
        view.finish()
    assert warnings and "重大事故隐患还没有关联照片" in warnings[0]
    assert gallery.editable
