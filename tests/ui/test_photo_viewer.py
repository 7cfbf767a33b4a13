"""The photo viewer: the upright preview, zoom, annotations, caption and links saved in one write, print copy."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt, QThreadPool
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlmodel import Session, col, select

from inspector import clock
from inspector.domain.enums import HazardGrade, InspectionStatus
from inspector.evidence.annotations import Annotation
from inspector.evidence.samples import sample_photo
from inspector.evidence.service import EvidenceRow, add_photo, link_evidence, list_evidence
from inspector.inspections.queries import FindingFilter, FindingRow, list_findings
from inspector.inspections.service import add_finding, start_inspection
from inspector.store.db import Store
from inspector.store.models import ChecklistItem, Enterprise, Evidence, EvidenceLink, Inspection, Inspector
from inspector.ui.app import wait_for_background_work
from inspector.ui.ops import wait_for_writes
from inspector.ui.photo_viewer import READ_ONLY_NOTE, SAVED_ANNOTATIONS_NOTE, PhotoViewer

TIMEOUT = 10_000


def settle() -> None:
    app = QApplication.instance()
    assert app is not None
    wait_for_background_work(app)


@pytest.fixture(autouse=True)
def image_work_done() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone()  # previews decoding when a test ends finish before its store goes
    wait_for_writes()


@dataclass(frozen=True)
class OnSite:
    inspection_id: str
    item: tuple[str, str]  # (id, code) of an item of the inspection's checklist
    finding_ids: list[str]  # the first has the landscape photo linked to it
    photo_id: str  # 1600×1200, linked to the first finding
    rotated_id: str  # 1600×1200 stored, EXIF orientation 6: upright 1200×1600
    large_id: str  # 3000×2250: shown as a 2400×1800 preview


@pytest.fixture
def on_site(demo_store: Store) -> OnSite:
    """An inspection still on site (editable) with two findings and three photos."""
    with demo_store.session() as session:
        enterprise = session.exec(select(Enterprise).order_by(col(Enterprise.name))).first()
        inspectors = session.exec(select(Inspector.id).order_by(col(Inspector.name))).all()[:2]
        item = session.exec(select(ChecklistItem).order_by(col(ChecklistItem.position))).first()
        assert enterprise is not None and item is not None and len(inspectors) == 2
        inspection = start_inspection(
            session,
            enterprise_id=enterprise.id,
            inspector_ids=list(inspectors),
            place="中央变电所",
            checklist_template_id=item.template_id,
        )
        assert inspection.status is InspectionStatus.ON_SITE
        deadline = clock.local_today()
        findings = [
            add_finding(
                session,
                inspection_id=inspection.id,
                description="中央变电所高压开关柜未设置“五防”闭锁装置",
                grade=HazardGrade.GENERAL,
                deadline=deadline,
            ),
            add_finding(
                session,
                inspection_id=inspection.id,
                description="变电所内存放杂物、未配备灭火器材",
                grade=HazardGrade.GENERAL,
                deadline=deadline,
            ),
        ]
        photo = add_photo(
            session, demo_store, inspection.id, sample_photo(size=(1600, 1200), seed=11), name="IMG_0001.jpg"
        )
        rotated = add_photo(
            session,
            demo_store,
            inspection.id,
            sample_photo(size=(1600, 1200), seed=12, orientation=6),
            name="IMG_0002.jpg",
        )
        large = add_photo(
            session, demo_store, inspection.id, sample_photo(size=(3000, 2250), seed=13), name="IMG_0003.jpg"
        )
        link_evidence(session, evidence_id=photo.id, finding_id=findings[0].id)
        return OnSite(inspection.id, (item.id, item.code), [f.id for f in findings], photo.id, rotated.id, large.id)


def photo_row(store: Store, evidence_id: str) -> EvidenceRow:
    with store.session() as session:
        evidence = session.get(Evidence, evidence_id)
        assert evidence is not None
        return next(r for r in list_evidence(session, evidence.inspection_id) if r.id == evidence_id)


def findings_of(store: Store, inspection_id: str) -> list[FindingRow]:
    with store.session() as session:
        return list_findings(
            session, today=clock.local_today(), f=FindingFilter(open_only=False, inspection_id=inspection_id)
        )


def open_viewer(
    qtbot: QtBot,
    store: Store,
    evidence_id: str,
    *,
    editable: bool,
    current_item: tuple[str, str] | None = None,
    findings: list[FindingRow] | None = None,
) -> PhotoViewer:
    row = photo_row(store, evidence_id)
    # The preview is decoded from the constructor on; its result arrives through the event loop.
    viewer = PhotoViewer(
        store,
        row,
        findings=findings if findings is not None else findings_of(store, row.inspection_id),
        current_item=current_item,
        editable=editable,
    )
    qtbot.addWidget(viewer)
    viewer.resize(1200, 800)
    with qtbot.waitSignal(viewer.loaded, timeout=TIMEOUT):
        viewer.show()
    return viewer


def discard(viewer: PhotoViewer) -> None:
    """Close without the question about unsaved edits (done() skips reject())."""
    viewer.done(QDialog.DialogCode.Rejected)
    assert not viewer.isVisible()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def links_of(store: Store, evidence_id: str) -> set[tuple[str | None, str | None]]:
    with store.session() as session:
        rows = session.exec(select(EvidenceLink).where(EvidenceLink.evidence_id == evidence_id)).all()
        return {(r.item_id, r.finding_id) for r in rows}


def stored(store: Store, evidence_id: str) -> Evidence:
    with store.session() as session:
        evidence = session.get(Evidence, evidence_id)
        assert evidence is not None
        return evidence


def finished_demo_photo(session: Session) -> str:
    inspection = session.exec(select(Inspection).where(Inspection.status == InspectionStatus.DOCUMENTS_ISSUED)).first()
    assert inspection is not None
    rows = list_evidence(session, inspection.id)
    assert len(rows) == 5
    return rows[0].id


# ─── showing the photo ───────────────────────────────────────────────────────────────────────────────


def test_finished_demo_photo_is_shown_read_only(qtbot: QtBot, demo_store: Store) -> None:
    with demo_store.session() as session:
        evidence_id = finished_demo_photo(session)
    row = photo_row(demo_store, evidence_id)
    viewer = open_viewer(qtbot, demo_store, evidence_id, editable=False)

    assert viewer.stack.currentWidget() is viewer.view
    assert viewer.pixmap_item is not None
    assert (
        (viewer.pixmap_item.pixmap().width(), viewer.pixmap_item.pixmap().height())
        == row.upright_size
        == (
            1600,
            1200,
        )
    )
    # Read-only: no tools, no save, caption and links locked, and the reason said.
    assert not viewer.tools.isVisible()
    assert not any(b.isVisible() for b in viewer.tool_buttons.values())
    assert not viewer.save_button.isVisible()
    assert viewer.caption.isReadOnly() and viewer.caption.text() == row.caption
    assert viewer.link_boxes and not any(box.isEnabled() for box in viewer.link_boxes.values())
    assert all(viewer.link_boxes[("finding", f)].isChecked() for f in row.finding_ids)
    assert viewer.readonly_note.isVisible() and viewer.readonly_note.text() == READ_ONLY_NOTE
    # The custody facts, the full hash among them.
    facts = viewer.facts.text()
    assert row.original_name in facts and row.sha256 in facts
    assert "拍摄时间：" in facts and "导入时间：" in facts and "GPS：" in facts and "相机型号：" in facts
    assert "来源：文件导入" in facts
    # Closing asks nothing: there is nothing to save.
    viewer.close_button.click()
    assert not viewer.isVisible()


def test_preview_is_upright_and_at_most_2400_pixels(qtbot: QtBot, demo_store: Store, on_site: OnSite) -> None:
    rotated = open_viewer(qtbot, demo_store, on_site.rotated_id, editable=True)
    assert rotated.pixmap_item is not None
    size = rotated.pixmap_item.pixmap().size()
    assert (size.width(), size.height()) == (1200, 1600)  # EXIF orientation 6 applied
    assert "1200×1600" in rotated.facts.text()
    large = open_viewer(qtbot, demo_store, on_site.large_id, editable=True)
    assert large.pixmap_item is not None
    size = large.pixmap_item.pixmap().size()
    assert (size.width(), size.height()) == (2400, 1800)


def test_missing_original_is_said_in_the_dialog(qtbot: QtBot, demo_store: Store, on_site: OnSite) -> None:
    row = photo_row(demo_store, on_site.photo_id)
    demo_store.blobs.path_of(row.sha256).unlink()
    viewer = PhotoViewer(demo_store, row, findings=[], current_item=None, editable=True)
    qtbot.addWidget(viewer)
    assert viewer.placeholder.text() == "正在加载…"
    with qtbot.waitSignal(viewer.load_failed, timeout=TIMEOUT):
        viewer.show()
    assert viewer.stack.currentWidget() is viewer.placeholder
    assert "无法" in viewer.placeholder.text()
    assert not viewer.is_loaded() and not viewer.tool_buttons["arrow"].isEnabled()


def test_zoom_buttons_wheel_shortcuts_and_fit(qtbot: QtBot, demo_store: Store, on_site: OnSite) -> None:
    viewer = open_viewer(qtbot, demo_store, on_site.photo_id, editable=True)
    view = viewer.view
    assert viewer.pixmap_item is not None

    def fits() -> bool:
        QApplication.processEvents()  # the scroll area lays out its scroll bars after the resize
        shown = view.mapFromScene(viewer.pixmap_item.sceneBoundingRect()).boundingRect()
        room = view.viewport().rect()
        inside = room.adjusted(-1, -1, 1, 1).contains(shown)
        return inside and (shown.width() >= room.width() - 8 or shown.height() >= room.height() - 8)

    assert view.fitting and fits()  # opened fitted to the window
    viewer.set_zoom(1.0)
    assert viewer.zoom_factor() == pytest.approx(1.0) and viewer.zoom_label.text() == "100%"
    viewer.zoom_in_button.click()
    assert viewer.zoom_factor() == pytest.approx(1.25) and viewer.zoom_label.text() == "125%"
    viewer.zoom_out_button.click()
    viewer.zoom_out_button.click()
    assert viewer.zoom_factor() == pytest.approx(0.8)
    viewer.fit_button.click()
    assert fits()
    fitted = viewer.zoom_factor()
    viewer.actual_button.click()
    assert viewer.zoom_factor() == pytest.approx(1.0)
    viewer.set_zoom(1000)
    assert viewer.zoom_factor() == pytest.approx(8.0)  # clamped

    # The wheel zooms without Ctrl, a notch a step.
    viewer.set_zoom(1.0)
    centre = view.viewport().rect().center()
    wheel = QWheelEvent(
        QPointF(centre),
        QPointF(view.viewport().mapToGlobal(centre)),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), wheel)
    assert viewer.zoom_factor() == pytest.approx(1.25)

    # Keyboard: Ctrl++ / Ctrl+- / Ctrl+0 (fit).
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert viewer.zoom_factor() == pytest.approx(1.0)
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert viewer.zoom_factor() == pytest.approx(1.25)
    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert viewer.zoom_factor() == pytest.approx(fitted) and fits()

    # A fitted photo follows the window's size.
    viewer.resize(900, 700)
    QApplication.processEvents()
    assert fits() and viewer.zoom_factor() < fitted


# ─── editing and saving ──────────────────────────────────────────────────────────────────────────────


def test_annotations_caption_and_links_saved_in_one_go(qtbot: QtBot, demo_store: Store, on_site: OnSite) -> None:
    row = photo_row(demo_store, on_site.photo_id)
    original = demo_store.blobs.path_of(row.sha256)
    assert sha256_of(original) == row.sha256
    viewer = open_viewer(qtbot, demo_store, on_site.photo_id, editable=True, current_item=on_site.item)
    assert viewer.tools.isVisible() and viewer.save_button.isVisible() and not viewer.readonly_note.isVisible()
    first, second = on_site.finding_ids
    assert viewer.link_boxes[("finding", first)].isChecked()
    assert not viewer.link_boxes[("finding", second)].isChecked()
    item_box = viewer.link_boxes[("item", on_site.item[0])]
    assert item_box.full_text == f"当前检查项 {on_site.item[1]}" and not item_box.isChecked()

    arrow = Annotation("arrow", 0.1, 0.2, 0.45, 0.5)
    rect = Annotation("rect", 0.5, 0.4, 0.8, 0.75, color="#1E88E5")
    viewer.add_annotation(arrow)
    viewer.add_annotation(rect)
    assert len(viewer.annotation_items()) == 2  # drawn over the photo
    viewer.caption.setText("  高压开关柜无闭锁装置  ")
    viewer.link_boxes[("finding", first)].setChecked(False)
    viewer.link_boxes[("finding", second)].setChecked(True)
    item_box.setChecked(True)
    assert viewer.is_dirty()

    with qtbot.waitSignal(viewer.changed, timeout=TIMEOUT):
        viewer.save_button.click()
    assert viewer.result() == QDialog.DialogCode.Accepted and not viewer.isVisible()

    evidence = stored(demo_store, on_site.photo_id)
    assert evidence.annotations == [arrow.to_data(), rect.to_data()]
    assert evidence.caption == "高压开关柜无闭锁装置"
    assert links_of(demo_store, on_site.photo_id) == {(None, second), (on_site.item[0], None)}
    # The original is evidence: its bytes are exactly what was imported.
    assert sha256_of(original) == row.sha256


def test_remove_undo_and_save_again(qtbot: QtBot, demo_store: Store, on_site: OnSite) -> None:
    kept = Annotation("circle", 0.2, 0.2, 0.4, 0.5, color="#FDD835")
    gone = Annotation("text", 0.6, 0.1, 0.6, 0.1, text="无闭锁")
    viewer = open_viewer(qtbot, demo_store, on_site.photo_id, editable=True)
    viewer.add_annotation(kept)
    viewer.add_annotation(gone)
    with qtbot.waitSignal(viewer.changed, timeout=TIMEOUT):
        viewer.save()
    assert len(stored(demo_store, on_site.photo_id).annotations) == 2

    viewer = open_viewer(qtbot, demo_store, on_site.photo_id, editable=True)
    assert viewer.annotations() == [kept, gone] and len(viewer.annotation_items()) == 2
    assert not viewer.is_dirty() and not viewer.undo_button.isEnabled()
    viewer.select_annotation(1)
    assert viewer.delete_button.isEnabled()
    viewer.delete_button.click()
    assert viewer.annotations() == [kept]
    viewer.undo()
    assert viewer.annotations() == [kept, gone] and not viewer.is_dirty()
    # Delete on the photo removes the selected annotation too.
    viewer.select_annotation(1)
    viewer.view.setFocus()
    qtbot.keyClick(viewer.view, Qt.Key.Key_Delete)
    assert viewer.annotations() == [kept] and len(viewer.annotation_items()) == 1
    with qtbot.waitSignal(viewer.changed, timeout=TIMEOUT):
        viewer.save()
    assert stored(demo_store, on_site.photo_id).annotations == [kept.to_data()]


def test_drawing_with_the_mouse_and_the_text_tool(
    qtbot: QtBot, demo_store: Store, on_site: OnSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = open_viewer(qtbot, demo_store, on_site.photo_id, editable=True)
    view, viewport = viewer.view, viewer.view.viewport()
    assert viewer.pixmap_item is not None
    photo = view.mapFromScene(viewer.pixmap_item.sceneBoundingRect()).boundingRect()
    start = photo.topLeft() + QPoint(photo.width() // 4, photo.height() // 4)
    end = photo.topLeft() + QPoint(photo.width() // 2, photo.height() * 3 // 4)

    viewer.tool_buttons["rect"].click()
    viewer.color_buttons["#1E88E5"].click()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, pos=end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    [drawn] = viewer.annotations()
    assert drawn.kind == "rect" and drawn.color == "#1E88E5"
    tolerance = 2 / min(photo.width(), photo.height())
    assert drawn.x1 == pytest.approx(0.25, abs=tolerance) and drawn.y1 == pytest.approx(0.25, abs=tolerance)
    assert drawn.x2 == pytest.approx(0.5, abs=tolerance) and drawn.y2 == pytest.approx(0.75, abs=tolerance)

    # A click with a shape tool is not a shape.
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert len(viewer.annotations()) == 1

    # The text tool asks for the words at the click point.
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("  未设闭锁 ", True)))
    viewer.tool_buttons["text"].click()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=start)
    text = viewer.annotations()[-1]
    assert text.kind == "text" and text.text == "未设闭锁" and text.x1 == pytest.approx(0.25, abs=tolerance)

    # Choosing a colour with an annotation selected recolours it (and undo takes that back).
    viewer.tool_buttons["select"].click()
    viewer.select_annotation(0)
    viewer.color_buttons["#FDD835"].click()
    assert viewer.annotations()[0].color == "#FDD835"
    viewer.undo()
    assert viewer.annotations()[0].color == "#1E88E5"
    discard(viewer)


def test_a_refused_save_is_said_in_the_dialog(qtbot: QtBot, demo_store: Store, on_site: OnSite) -> None:
    with demo_store.session() as session:
        other = session.exec(select(Inspection).where(Inspection.status == InspectionStatus.DOCUMENTS_ISSUED)).first()
        assert other is not None
    foreign = findings_of(demo_store, other.id)[0]  # a finding of another inspection
    viewer = open_viewer(
        qtbot,
        demo_store,
        on_site.photo_id,
        editable=True,
        findings=[*findings_of(demo_store, on_site.inspection_id), foreign],
    )
    viewer.caption.setText("不会保存")
    viewer.link_boxes[("finding", foreign.id)].setChecked(True)
    viewer.save()
    qtbot.waitUntil(lambda: "不属于本次检查" in viewer.message.text(), timeout=TIMEOUT)
    assert viewer.isVisible() and viewer.save_button.isEnabled()
    assert stored(demo_store, on_site.photo_id).caption == ""  # one unit of work: nothing of it was written
    discard(viewer)


def test_closing_with_unsaved_edits_asks(
    qtbot: QtBot, demo_store: Store, on_site: OnSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[QMessageBox.StandardButton] = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: answers.pop(0)))
    viewer = open_viewer(qtbot, demo_store, on_site.photo_id, editable=True)
    viewer.add_annotation(Annotation("circle", 0.3, 0.3, 0.6, 0.6))

    answers.append(QMessageBox.StandardButton.Cancel)
    viewer.close_button.click()
    assert viewer.isVisible() and len(viewer.annotations()) == 1

    answers.append(QMessageBox.StandardButton.Save)
    with qtbot.waitSignal(viewer.changed, timeout=TIMEOUT):
        viewer.close_button.click()
    assert not viewer.isVisible() and len(stored(demo_store, on_site.photo_id).annotations) == 1

    viewer = open_viewer(qtbot, demo_store, on_site.photo_id, editable=True)
    viewer.caption.setText("放弃的说明")
    answers.append(QMessageBox.StandardButton.Discard)
    viewer.close_button.click()
    assert not viewer.isVisible() and not answers
    settle()
    assert stored(demo_store, on_site.photo_id).caption == ""


# ─── the print copy ──────────────────────────────────────────────────────────────────────────────────


def test_export_print_copy_writes_a_jpeg_with_the_watermark_strip(
    qtbot: QtBot, demo_store: Store, on_site: OnSite, tmp_path: Path
) -> None:
    row = photo_row(demo_store, on_site.rotated_id)
    viewer = open_viewer(qtbot, demo_store, on_site.rotated_id, editable=True)
    assert viewer.default_export_name() == "IMG_0002-打印副本.jpg"
    target = tmp_path / "导出" / viewer.default_export_name()
    target.parent.mkdir()
    with qtbot.waitSignal(viewer.exported, timeout=TIMEOUT) as exported:
        viewer.export_print_copy(target)
    assert exported.args == [str(target)]
    with Image.open(target) as image:
        assert image.format == "JPEG"
        width, height = image.size
    upright = row.upright_size
    assert upright == (1200, 1600)
    assert width == upright[0] and height > upright[1]  # upright, with the strip below the photo
    assert height / width > upright[1] / upright[0]
    assert sha256_of(demo_store.blobs.path_of(row.sha256)) == row.sha256
    assert "已导出" in viewer.message.text()


def test_print_copy_says_unsaved_annotations_are_not_in_it(qtbot: QtBot, demo_store: Store, on_site: OnSite) -> None:
    viewer = open_viewer(qtbot, demo_store, on_site.photo_id, editable=True)
    with qtbot.waitSignal(viewer.print_copy_shown, timeout=TIMEOUT):
        viewer.print_button.click()
    dialog = viewer.print_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.pixmap.isNull()
    assert not dialog.note.isVisible()
    assert dialog.pixmap.width() == 1600 and dialog.pixmap.height() > 1200
    dialog.close()

    viewer.add_annotation(Annotation("arrow", 0.2, 0.2, 0.5, 0.5))
    with qtbot.waitSignal(viewer.print_copy_shown, timeout=TIMEOUT):
        viewer.show_print_copy()
    dialog = viewer.print_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.note.isVisible() and dialog.note.text() == SAVED_ANNOTATIONS_NOTE
    dialog.close()
    discard(viewer)
