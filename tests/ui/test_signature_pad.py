"""The signature pad (mouse, pen, PNG cut to the ink) and the signing dialog (signature, refusal, errors)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPointingDevice, QTabletEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from inspector.documents.queries import DocumentRow, list_documents
from inspector.domain.enums import DocumentStatus
from inspector.store.db import Store
from inspector.store.models import InspectionInspector, Inspector, Signature
from inspector.ui.signature_pad import (
    EMPTY_SIGNATURE,
    MAX_PNG_WIDTH,
    NO_NAME,
    NO_WITNESS,
    SignatureDialog,
    SignaturePad,
)


def open_pad(qtbot: QtBot) -> SignaturePad:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(560, 220)
    pad.show()
    qtbot.waitExposed(pad)
    return pad


def draw(qtbot: QtBot, pad: SignaturePad, points: list[tuple[int, int]]) -> None:
    """One stroke with the mouse: press, drag through the points, release."""
    first, *rest = [QPoint(x, y) for x, y in points]
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=first)
    for point in rest:
        qtbot.mouseMove(pad, point)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=rest[-1] if rest else first)


def png_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_mouse_stroke_becomes_a_png_cut_to_the_ink_on_transparent(qtbot: QtBot) -> None:
    pad = open_pad(qtbot)
    assert pad.is_empty()
    assert not pad.clear_button.isEnabled()
    with pytest.raises(ValueError):
        pad.to_png()
    draw(qtbot, pad, [(60, 120), (90, 90), (130, 130), (170, 80), (220, 125), (260, 100)])
    assert not pad.is_empty()
    assert len(pad.strokes) == 1 and len(pad.strokes[0]) == 6
    assert pad.clear_button.isEnabled()

    image = png_image(pad.to_png())
    assert image.format == "PNG" and image.mode == "RGBA"
    alpha = image.getchannel("A")
    assert alpha.getextrema() == (0, 255)  # ink and transparent background
    assert alpha.getpixel((0, 0)) == 0 and alpha.getpixel((image.width - 1, image.height - 1)) == 0
    # Cut to the ink: the stroke spans 200 px on screen, drawn at twice that size plus the margin.
    assert 400 < image.width <= 480 and 40 < image.height <= 140
    assert image.width <= MAX_PNG_WIDTH

    pad.clear_button.click()
    assert pad.is_empty() and not pad.clear_button.isEnabled()


def test_a_wide_signature_is_at_most_600_px_and_a_dot_is_ink_too(qtbot: QtBot) -> None:
    pad = open_pad(qtbot)
    pad.add_stroke([(10, 50), (700, 60), (1400, 40)])
    pad.add_stroke([(30, 120)])  # a dot
    image = png_image(pad.to_png())
    assert image.width == MAX_PNG_WIDTH
    pad.clear()
    pad.add_stroke([(100, 100)])
    dot = png_image(pad.to_png())
    assert dot.getchannel("A").getextrema()[1] == 255


def test_a_pen_draws_through_tablet_events(qtbot: QtBot) -> None:
    pad = open_pad(qtbot)
    device = QPointingDevice.primaryPointingDevice()

    def send(kind: QTabletEvent.Type, x: float, y: float) -> None:
        pos = QPointF(x, y)
        buttons = Qt.MouseButton.NoButton if kind == QTabletEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
        event = QTabletEvent(
            kind, device, pos, QPointF(pad.mapToGlobal(pos)), 0.6, 0.0, 0.0, 0.0, 0.0, 0.0,
            Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, buttons,
        )  # fmt: skip
        QApplication.sendEvent(pad, event)
        assert event.isAccepted()

    send(QTabletEvent.Type.TabletPress, 50, 50)
    send(QTabletEvent.Type.TabletMove, 80, 70)
    send(QTabletEvent.Type.TabletMove, 120, 60)
    send(QTabletEvent.Type.TabletRelease, 150, 90)
    assert [len(s) for s in pad.strokes] == [4]


# ─── the dialog ──────────────────────────────────────────────────────────────────────────────────────


def the_draft(store: Store) -> DocumentRow:
    with store.session() as session:
        return next(r for r in list_documents(session) if r.status == DocumentStatus.DRAFT.value)


def signatures(store: Store, document_id: str) -> list[Signature]:
    with store.session() as session:
        return list(
            session.exec(
                select(Signature).where(Signature.document_id == document_id).order_by(col(Signature.created_at))
            )
        )


def open_dialog(qtbot: QtBot, store: Store, document: DocumentRow) -> SignatureDialog:
    dialog = SignatureDialog(store, document)
    qtbot.addWidget(dialog)
    # The signers load on the database thread; their answer is queued until the event loop runs here.
    with qtbot.waitSignal(dialog.loaded, timeout=15_000):
        dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_an_inspector_signs_with_the_pad_and_the_signature_is_stored(
    qtbot: QtBot, window: object, demo_store: Store
) -> None:
    draft = the_draft(demo_store)
    dialog = open_dialog(qtbot, demo_store, draft)
    with demo_store.session() as session:
        first = session.exec(
            select(Inspector)
            .join(InspectionInspector, col(InspectionInspector.inspector_id) == col(Inspector.id))
            .where(InspectionInspector.inspection_id == draft.inspection_id)
            .order_by(col(InspectionInspector.position))
        ).first()
    assert first is not None
    assert dialog.role.currentText() == "检查人员"
    assert dialog.signer.currentText() == first.name  # the inspection's inspectors are offered
    assert dialog.inspector_id() == first.id
    assert dialog.signed_label.text() == "尚无签名。"

    dialog.submit()  # nothing drawn yet
    assert dialog.message.text() == EMPTY_SIGNATURE
    assert dialog.isVisible()

    draw(qtbot, dialog.pad, [(40, 140), (80, 100), (120, 150), (170, 90), (230, 140)])
    png = dialog.pad.to_png()
    assert png_image(png).getchannel("A").getextrema()[1] > 0
    with qtbot.waitSignal(dialog.signed, timeout=15_000) as signed:
        dialog.submit()
    assert not dialog.isVisible()

    [signature] = signatures(demo_store, draft.id)
    assert signature.id == signed.args[0]
    assert signature.role == "检查人员" and signature.signer_name == first.name
    assert signature.inspector_id == first.id
    assert not signature.refused
    assert len(signature.image_sha256) == 64
    assert demo_store.blobs.has(signature.image_sha256)
    assert demo_store.blobs.read(signature.image_sha256) == png


def test_a_refusal_needs_a_witness_and_is_stored_without_an_image(
    qtbot: QtBot, window: object, demo_store: Store
) -> None:
    draft = the_draft(demo_store)
    dialog = open_dialog(qtbot, demo_store, draft)
    dialog.role.setCurrentText("被检查单位负责人")
    assert dialog.signer.currentText()  # the inspection's on-site person is offered
    dialog.set_signer("")
    dialog.submit()
    assert dialog.message.text() == NO_NAME
    dialog.set_signer("李矿长")

    dialog.refused.setChecked(True)
    assert not dialog.pad.isEnabled() and dialog.witness.isEnabled()
    with qtbot.assertNotEmitted(dialog.signed):
        dialog.submit()
    assert dialog.message.text() == NO_WITNESS == "拒绝签名的，须记录见证人（安全生产法第六十八条）。"
    assert dialog.isVisible()
    assert signatures(demo_store, draft.id) == []

    dialog.witness.setText("赵见证")
    with qtbot.waitSignal(dialog.signed, timeout=15_000):
        dialog.submit()
    [signature] = signatures(demo_store, draft.id)
    assert signature.refused and signature.refusal_witness == "赵见证"
    assert signature.signer_name == "李矿长" and signature.role == "被检查单位负责人"
    assert signature.image_sha256 == "" and signature.inspector_id is None


def test_a_refused_write_is_said_in_the_dialog(qtbot: QtBot, window: object, demo_store: Store) -> None:
    draft = the_draft(demo_store)
    dialog = open_dialog(qtbot, demo_store, draft)
    # The document is issued by someone else meanwhile: the service refuses and the dialog says why.
    with demo_store.session() as session:
        from inspector.store.models import Document

        document = session.get(Document, draft.id)
        assert document is not None
        document.status = DocumentStatus.VOID
        session.add(document)
    dialog.pad.add_stroke([(40, 40), (200, 80)])
    with qtbot.waitSignal(dialog.failed, timeout=15_000) as failed:
        dialog.submit()
    assert failed.args[0] == "文书已出具，不能再签名。"
    assert dialog.message.text() == failed.args[0]
    assert dialog.isVisible() and dialog.ok_button.isEnabled()
