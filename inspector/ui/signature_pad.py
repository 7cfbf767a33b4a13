"""Signing a draft 执法文书 on the laptop: a pad drawn on with mouse, pen or finger, and the dialog around it.

The pad keeps the strokes as lists of points (widget coordinates) and draws them as smoothed curves, so
the PNG it hands to the service is cut to the ink, drawn afresh at up to twice the screen size (at most
600 px wide) on a transparent background: the signature sits on the form's line, not in a white box.
Touch comes in as the mouse events Qt makes of an unhandled touch; a pen comes as tablet events.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QImageWriter,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTabletEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session, col, select

from inspector.documents.queries import DocumentRow
from inspector.documents.service import SIGNATURE_ROLES, sign
from inspector.store.db import Store
from inspector.store.models import Inspection, InspectionInspector, Inspector, Signature
from inspector.ui.ops import run_op, run_write, user_message

INK = QColor("#0b1f4a")
PEN_WIDTH = 3.2  # screen pixels
MAX_PNG_WIDTH = 600
RENDER_SCALE = 2.0  # the PNG is drawn at up to twice the size it was written on screen
MARGIN = 8.0  # screen pixels of transparent border around the ink
MIN_STEP = 0.8  # points closer than this to the last one add nothing but noise

EMPTY_SIGNATURE = "签名为空，请在签名板上签字。"
NO_NAME = "请填写签名人姓名。"
NO_WITNESS = "拒绝签名的，须记录见证人（安全生产法第六十八条）。"
INSPECTOR_ROLE = SIGNATURE_ROLES[0]  # 检查人员


def stroke_path(points: Sequence[QPointF]) -> QPainterPath:
    """A smooth curve through the points: quadratic segments between midpoints (no corners at samples)."""
    path = QPainterPath()
    if not points:
        return path
    path.moveTo(points[0])
    if len(points) == 1:
        path.lineTo(points[0] + QPointF(0.01, 0))  # a dot: the round cap draws it
        return path
    for previous, point in itertools.pairwise(points):
        path.quadTo(previous, (previous + point) / 2)
    path.lineTo(points[-1])
    return path


def _pen(width: float) -> QPen:
    pen = QPen(INK, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


class SignaturePad(QWidget):
    """Draw with the left mouse button, a pen or a finger; `to_png()` is the signature cut to its ink."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SignaturePad")
        self.setMinimumSize(460, 190)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.strokes: list[list[QPointF]] = []
        self._current: list[QPointF] | None = None
        self.hint = "请在框内签名"
        self.disabled_text = ""
        self.clear_button = QPushButton("清除", self)
        self.clear_button.setToolTip("擦掉全部笔迹，重新签名")
        self.clear_button.setCursor(Qt.CursorShape.ArrowCursor)
        self.clear_button.clicked.connect(self.clear)
        self.clear_button.setEnabled(False)

    def sizeHint(self) -> QSize:
        return QSize(560, 220)

    # ─── strokes ──────────────────────────────────────────────────────────────────────────────────

    def is_empty(self) -> bool:
        return not any(self.strokes)

    def clear(self) -> None:
        self.strokes = []
        self._current = None
        self._changed()

    def add_stroke(self, points: Sequence[QPointF | tuple[float, float]]) -> None:
        """One stroke from points in widget coordinates (what a drag of the mouse would add)."""
        stroke = [p if isinstance(p, QPointF) else QPointF(*p) for p in points]
        if stroke:
            self.strokes.append(stroke)
            self._changed()

    def _begin(self, point: QPointF) -> None:
        self._current = [point]
        self.strokes.append(self._current)
        self.update()

    def _extend(self, point: QPointF) -> None:
        if self._current is None:
            return
        last = self._current[-1]
        if math.hypot(point.x() - last.x(), point.y() - last.y()) >= MIN_STEP:
            self._current.append(point)
            self.update()

    def _end(self, point: QPointF) -> None:
        if self._current is None:
            return
        self._extend(point)
        self._current = None
        self._changed()

    def _changed(self) -> None:
        self.clear_button.setEnabled(not self.is_empty() and self.isEnabled())
        self.update()
        self.changed.emit()

    # ─── input ────────────────────────────────────────────────────────────────────────────────────

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._current is not None:
            self._extend(event.position())
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._current is not None:
            self._end(event.position())
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        # Accepted, so Qt does not also deliver the pen as mouse events (which would draw twice).
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QTabletEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._end(event.position())
        event.accept()

    def changeEvent(self, event: Any) -> None:
        super().changeEvent(event)
        if shiboken6.isValid(self.clear_button):
            self.clear_button.setEnabled(not self.is_empty() and self.isEnabled())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        hint = self.clear_button.sizeHint()
        self.clear_button.setGeometry(self.width() - hint.width() - 6, 6, hint.width(), hint.height())

    # ─── drawing ──────────────────────────────────────────────────────────────────────────────────

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        enabled = self.isEnabled()
        painter.fillRect(self.rect(), QColor("#fffdf6") if enabled else QColor("#eceff3"))
        painter.setPen(QPen(QColor("#9aa7b8"), 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        baseline = self.height() * 0.72
        line = QPen(QColor("#c3ccd8"), 1, Qt.PenStyle.DashLine)
        painter.setPen(line)
        painter.drawLine(QPointF(24, baseline), QPointF(self.width() - 24, baseline))
        if not enabled and self.disabled_text:
            painter.setPen(QColor("#5f6b7a"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.disabled_text)
        elif self.is_empty():
            painter.setPen(QColor("#a3adba"))
            painter.drawText(
                QRectF(0, 0, self.width(), baseline - 8),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                self.hint,
            )
        painter.setPen(_pen(PEN_WIDTH))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if not enabled:
            painter.setOpacity(0.35)
        for stroke in self.strokes:
            painter.drawPath(stroke_path(stroke))
        painter.end()

    def ink_rect(self) -> QRectF:
        """Where the ink is, pen width included (widget coordinates); empty when nothing is drawn."""
        rect = QRectF()
        for stroke in self.strokes:
            if stroke:
                rect = rect.united(stroke_path(stroke).boundingRect())
        if rect.isNull() and not self.is_empty():  # a single dot: zero-sized path
            point = next(s[0] for s in self.strokes if s)
            rect = QRectF(point, point)
        half = PEN_WIDTH / 2
        return rect.adjusted(-half, -half, half, half)

    def to_image(self) -> QImage:
        """The ink alone on transparent, cut to the ink with a margin, at most MAX_PNG_WIDTH wide."""
        if self.is_empty():
            raise ValueError("the signature pad is empty")
        area = self.ink_rect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        scale = min(RENDER_SCALE, MAX_PNG_WIDTH / area.width())
        size = QSize(max(1, math.ceil(area.width() * scale)), max(1, math.ceil(area.height() * scale)))
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        painter.translate(-area.topLeft())
        painter.setPen(_pen(PEN_WIDTH))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for stroke in self.strokes:
            painter.drawPath(stroke_path(stroke))
        painter.end()
        return image

    def to_png(self) -> bytes:
        """The signature as PNG bytes (raises ValueError when nothing is drawn)."""
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QImageWriter(buffer, QByteArray(b"png"))
        written = writer.write(self.to_image())
        buffer.close()
        if not written:
            raise ValueError(f"cannot encode the signature: {writer.errorString()}")
        return bytes(data.data())


# ─── the dialog ──────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    cert_no: str


@dataclass(frozen=True)
class SignerChoices:
    """Who may sign, as the inspection knows them, and who has signed the document already."""

    officers: list[Officer]
    on_site_person: str
    witness: str
    signed: list[str]  # "检查人员 张三" / "被检查单位负责人 李四（拒签）"


def signer_choices(session: Session, document_id: str, inspection_id: str | None) -> SignerChoices:
    officers: list[Officer] = []
    person = witness = ""
    if inspection_id is not None:
        rows = session.exec(
            select(Inspector)
            .join(InspectionInspector, col(InspectionInspector.inspector_id) == col(Inspector.id))
            .where(InspectionInspector.inspection_id == inspection_id)
            .order_by(col(InspectionInspector.position))
        ).all()
        officers = [Officer(i.id, i.name, i.cert_no) for i in rows]
        inspection = session.get(Inspection, inspection_id)
        if inspection is not None:
            person, witness = inspection.on_site_person_name, inspection.witness
    signatures = session.exec(
        select(Signature).where(Signature.document_id == document_id).order_by(col(Signature.created_at))
    ).all()
    signed = [f"{s.role} {s.signer_name}" + ("（拒签）" if s.refused else "") for s in signatures]
    return SignerChoices(officers, person, witness, signed)


class SignatureDialog(QDialog):
    """One signature (or a refusal with its witness) on a draft; 确定 stores it and closes."""

    loaded = Signal()
    signed = Signal(str)  # the Signature id
    failed = Signal(str)  # the Chinese message shown in the dialog

    def __init__(
        self,
        store: Store,
        document: DocumentRow,
        roles: Sequence[str] = SIGNATURE_ROLES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SignatureDialog")
        self.setWindowTitle("文书签名")
        self.store = store
        self.document = document
        self.choices = SignerChoices([], "", "", [])
        self._saving = False

        layout = QVBoxLayout(self)
        heading = QLabel(f"《{document.kind}》 {document.number_text or '草稿'} · {document.enterprise_name}")
        heading.setWordWrap(True)
        heading.setStyleSheet("font-weight: bold;")
        layout.addWidget(heading)
        form = QFormLayout()
        self.role = QComboBox()
        self.role.addItems(list(roles))
        self.role.currentTextChanged.connect(self._role_changed)
        form.addRow("签名人身份", self.role)
        self.signer = QComboBox()
        self.signer.setEditable(True)
        self.signer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.signer.setMinimumWidth(260)
        line = self.signer.lineEdit()
        assert line is not None
        line.setPlaceholderText("签名人姓名")
        form.addRow("签名人", self.signer)
        self.refused = QCheckBox("拒绝签名（由见证人签字证明）")
        self.refused.toggled.connect(self._refusal_toggled)
        form.addRow("", self.refused)
        self.witness = QLineEdit()
        self.witness.setPlaceholderText("见证拒签的人员姓名")
        self.witness.setEnabled(False)
        form.addRow("见证人", self.witness)
        layout.addLayout(form)
        self.pad = SignaturePad()
        layout.addWidget(self.pad, 1)
        self.signed_label = QLabel()
        self.signed_label.setObjectName("subtle")
        self.signed_label.setWordWrap(True)
        layout.addWidget(self.signed_label)
        self.message = QLabel()
        self.message.setObjectName("formError")
        self.message.setStyleSheet("color: #b71c1c;")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.pad.changed.connect(self.message.clear)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("确定")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 520)

        document_id, inspection_id = document.id, document.inspection_id
        run_op(
            store,
            lambda session: signer_choices(session, document_id, inspection_id),
            on_done=self._while_alive(self._loaded),
            on_error=self._while_alive(lambda exc: self._tell(user_message(exc))),
        )

    def _while_alive(self, fn: Any) -> Any:
        def call(value: Any) -> None:
            if shiboken6.isValid(self):
                fn(value)

        return call

    def _loaded(self, choices: SignerChoices) -> None:
        self.choices = choices
        self._role_changed(self.role.currentText())
        if choices.signed:
            self.signed_label.setText("已签名：" + "；".join(choices.signed))
        else:
            self.signed_label.setText("尚无签名。")
        self.loaded.emit()

    def _role_changed(self, role: str) -> None:
        self.signer.clear()
        if role == INSPECTOR_ROLE:
            for officer in self.choices.officers:
                self.signer.addItem(officer.name, officer.id)
                self.signer.setItemData(
                    self.signer.count() - 1, f"执法证号 {officer.cert_no}", Qt.ItemDataRole.ToolTipRole
                )
            done = {s.split(" ", 1)[1] for s in self.choices.signed if s.startswith(f"{INSPECTOR_ROLE} ")}
            waiting = next((n for n, o in enumerate(self.choices.officers) if o.name not in done), 0)
            self.signer.setCurrentIndex(waiting if self.choices.officers else -1)
        else:
            default = {"被检查单位负责人": self.choices.on_site_person, "见证人": self.choices.witness}.get(role, "")
            if default:
                self.signer.addItem(default)
            self.signer.setCurrentIndex(0 if default else -1)
            self.signer.setEditText(default)

    def _refusal_toggled(self, refused: bool) -> None:
        self.pad.disabled_text = "拒绝签名：无需在此签字，请填写见证人" if refused else ""
        self.pad.setEnabled(not refused)
        self.witness.setEnabled(refused)
        if refused:
            self.witness.setFocus()
        self.message.setText("")

    def set_signer(self, name: str) -> None:
        self.signer.setEditText(name)

    def inspector_id(self) -> str | None:
        """The chosen officer's id when the signer is one of the inspection's inspectors."""
        if self.role.currentText() != INSPECTOR_ROLE:
            return None
        index = self.signer.findText(self.signer.currentText().strip())
        data = self.signer.itemData(index) if index >= 0 else None
        return str(data) if data else None

    def _tell(self, text: str) -> None:
        self.message.setText(text)
        if text:
            self.failed.emit(text)

    def submit(self) -> None:
        """Check what the dialog holds, then store the signature; a refused write keeps the dialog open."""
        if self._saving:
            return
        name = self.signer.currentText().strip()
        refused = self.refused.isChecked()
        witness = self.witness.text().strip()
        if not name:
            self._tell(NO_NAME)
            return
        if refused and not witness:
            self._tell(NO_WITNESS)
            return
        if not refused and self.pad.is_empty():
            self._tell(EMPTY_SIGNATURE)
            return
        image = None if refused else self.pad.to_png()
        store, document_id, role, officer = self.store, self.document.id, self.role.currentText(), self.inspector_id()

        def write(session: Session) -> str:
            return sign(
                session,
                store,
                document_id=document_id,
                role=role,
                signer_name=name,
                image_png=image,
                inspector_id=officer,
                refused=refused,
                refusal_witness=witness if refused else "",
            ).id

        self._saving = True
        self.ok_button.setEnabled(False)
        self.message.setText("")
        run_write(store, write, on_done=self._while_alive(self._saved), on_error=self._while_alive(self._refused))

    def _saved(self, signature_id: str) -> None:
        self._saving = False
        self.signed.emit(signature_id)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self._saving = False
        self.ok_button.setEnabled(True)
        self._tell(user_message(exc))
