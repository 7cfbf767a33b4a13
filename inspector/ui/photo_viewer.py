"""One evidence photo, large: zoom, annotate (arrows, circles, boxes, text), caption, links, print copy.

The photo is shown upright from a preview decoded on the global thread pool (a 12 MP JPEG takes a moment),
never from the original bytes in the GUI thread, and nothing here writes the original: annotations are
data (fractions of the upright photo) drawn over the preview the way the print copy draws them. Edits
are kept in the dialog until 保存, which writes caption, annotations and links in one unit of work.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QObject,
    QPoint,
    QPointF,
    QRectF,
    QRunnable,
    QSizeF,
    QStandardPaths,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPixmap,
    QPolygonF,
    QResizeEvent,
    QShortcut,
    QShowEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFrame,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyleOptionGraphicsItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from inspector import clock
from inspector.errors import InspectorError, ValidationError
from inspector.evidence.annotations import (
    DEFAULT_COLOR,
    KIND_NAMES,
    MAX_ANNOTATIONS,
    MAX_TEXT,
    Annotation,
    parse_annotation,
)
from inspector.evidence.service import (
    MAX_CAPTION,
    EvidenceRow,
    link_evidence,
    print_copy,
    set_annotations,
    set_caption,
    unlink_evidence,
    upright_preview,
)
from inspector.files import write_atomically
from inspector.inspections.queries import FindingRow
from inspector.store.db import Store
from inspector.ui.ops import run_op, run_write, user_message

log = logging.getLogger(__name__)

PREVIEW_LONG_SIDE = 2400  # the print copy's size: annotations look on screen as they will on paper
MIN_ZOOM, MAX_ZOOM, ZOOM_STEP = 0.02, 8.0, 1.25
SELECT = "select"
SHAPES = ("arrow", "circle", "rect")
TOOLS = (SELECT, *SHAPES, "text")
TOOL_NAMES = {SELECT: "选择", **KIND_NAMES}
COLORS = {"红": DEFAULT_COLOR, "黄": "#FDD835", "蓝": "#1E88E5"}
READ_ONLY_NOTE = "检查已完成，照片只读。"
SAVED_ANNOTATIONS_NOTE = "打印副本按已保存的标注生成，尚未保存的标注修改不在其中。"
_MIN_DRAG_PIXELS = 6  # on screen: a click with a shape tool is not a shape

LinkKey = tuple[str, str]  # ("finding", id) or ("item", id)


# ─── background work that does not touch the database ───────────────────────────────────────────────


class _Relay(QObject):
    """Lives on the GUI thread; the job emits from the pool, Qt queues the call to the GUI thread."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # delivered to the GUI as a failure, never swallowed
            if not isinstance(exc, InspectorError):
                log.exception("background image work failed")
            signal, value = self._relay.failed, exc
        else:
            signal, value = self._relay.succeeded, result
        with contextlib.suppress(RuntimeError):  # the application is shutting down: nobody to tell
            signal.emit(value)


_live_relays: set[_Relay] = set()


def run_in_background(
    fn: Callable[[], Any], *, on_done: Callable[[Any], None], on_error: Callable[[Exception], None]
) -> None:
    """Run `fn()` on the global thread pool (image decoding: no database); callbacks run on the GUI thread."""
    relay = _Relay()
    _live_relays.add(relay)  # kept alive until it has delivered

    def finish(callback: Callable[[Any], None], value: Any) -> None:
        _live_relays.discard(relay)
        relay.deleteLater()
        callback(value)

    relay.succeeded.connect(lambda value: finish(on_done, value))
    relay.failed.connect(lambda exc: finish(on_error, exc))
    QThreadPool.globalInstance().start(_Job(fn, relay))


def _while_alive(widget: QObject, fn: Callable[[Any], None]) -> Callable[[Any], None]:
    """`fn`, skipped once Qt has deleted `widget` (a dialog closed with WA_DeleteOnClose before work came back)."""

    def call(value: Any) -> None:
        if shiboken6.isValid(widget):
            fn(value)

    return call


def pil_to_qimage(image: Any) -> QImage:
    """A PIL image as a QImage that owns its pixels."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    data = rgb.tobytes("raw", "RGB")
    width, height = rgb.size
    return QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


# ─── annotations as graphics ─────────────────────────────────────────────────────────────────────────


def stroke_width(size: QSizeF) -> float:
    """The print copy's stroke (derived.draw_annotations) for a photo of this many pixels."""
    return float(max(2, round(max(size.width(), size.height()) / 300)))


def text_pixel_size(size: QSizeF) -> int:
    return max(14, round(max(size.width(), size.height()) / 40))


def normalized(a: Annotation) -> Annotation:
    """Checked (0–1, #RRGGBB, text stripped) and, for boxes and circles, corners ordered top-left first."""
    checked = parse_annotation(a.to_data())
    if checked.kind in ("rect", "circle"):
        return replace(
            checked,
            x1=min(checked.x1, checked.x2),
            y1=min(checked.y1, checked.y2),
            x2=max(checked.x1, checked.x2),
            y2=max(checked.y1, checked.y2),
        )
    return checked


class AnnotationItem(QGraphicsItem):
    """One annotation drawn over the preview, in the preview's pixels (a child of the photo item)."""

    def __init__(self, annotation: Annotation, photo_size: QSizeF, index: int = -1) -> None:
        super().__init__()
        self.index = index
        self._size = photo_size
        self._stroke = stroke_width(photo_size)
        self._outline = QPainterPath()  # stroked
        self._filled = QPainterPath()  # filled (the arrow's head)
        self._text_box = QRectF()
        self._text_origin = QPointF()
        self._font = QFont(QApplication.font())
        self._font.setPixelSize(text_pixel_size(photo_size))
        self._bounds = QRectF()
        self._hit = QPainterPath()
        self.annotation = annotation
        self.set_annotation(annotation)

    def set_annotation(self, a: Annotation) -> None:
        self.prepareGeometryChange()
        self.annotation = a
        w, h, s = self._size.width(), self._size.height(), self._stroke
        x1, y1, x2, y2 = a.x1 * w, a.y1 * h, a.x2 * w, a.y2 * h
        self._outline, self._filled = QPainterPath(), QPainterPath()
        self._text_box = QRectF()
        box = QRectF(QPointF(min(x1, x2), min(y1, y2)), QPointF(max(x1, x2), max(y1, y2)))
        # Pillow draws a box's outline inside the box: inset by half the pen so both look alike.
        inset = box.adjusted(s / 2, s / 2, -s / 2, -s / 2) if box.width() > s and box.height() > s else box
        if a.kind == "rect":
            self._outline.addRect(inset)
        elif a.kind == "circle":
            self._outline.addEllipse(inset)
        elif a.kind == "arrow":
            self._arrow(QPointF(x1, y1), QPointF(x2, y2))
        elif a.kind == "text":
            metrics = QFontMetricsF(self._font)
            self._text_origin = QPointF(x1, y1 + metrics.ascent())  # Pillow's default anchor: top of the ascender
            ink = metrics.tightBoundingRect(a.text).translated(self._text_origin)
            self._text_box = ink.adjusted(-s, -s, s, s)
        shape = QPainterPath()
        if a.kind == "text":
            shape.addRect(self._text_box)
        else:
            stroker = QPainterPathStroker()
            stroker.setWidth(max(s * 5, 24.0))  # easy to hit when the photo is shown small
            shape = stroker.createStroke(self._outline)
            shape.addPath(self._filled)
        self._hit = shape.simplified()
        self._bounds = self._hit.boundingRect().adjusted(-2 * s, -2 * s, 2 * s, 2 * s)
        self.update()

    def _arrow(self, tail: QPointF, head: QPointF) -> None:
        s = self._stroke
        angle = math.atan2(head.y() - tail.y(), head.x() - tail.x())
        size = s * 6
        left = QPointF(head.x() - size * math.cos(angle - math.pi / 7), head.y() - size * math.sin(angle - math.pi / 7))
        right = QPointF(
            head.x() - size * math.cos(angle + math.pi / 7), head.y() - size * math.sin(angle + math.pi / 7)
        )
        # The shaft stops inside the head so its end never pokes out beside the point.
        back = size * math.cos(math.pi / 7) * 0.6
        length = math.hypot(head.x() - tail.x(), head.y() - tail.y())
        end = head if length <= back else QPointF(head.x() - back * math.cos(angle), head.y() - back * math.sin(angle))
        self._outline.moveTo(tail)
        self._outline.lineTo(end)
        self._filled.addPolygon(QPolygonF([head, left, right, head]))

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._hit

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        a, s = self.annotation, self._stroke
        color = QColor(a.color)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.isSelected():
            # A white halo and a dashed frame that stay visible whatever the zoom and the colour.
            halo = QPen(QColor(255, 255, 255, 190), s * 3.5)
            halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            halo.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(halo)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            if a.kind == "text":
                painter.drawRect(self._text_box)
            else:
                painter.drawPath(self._outline)
                painter.drawPath(self._filled)
            frame = QPen(QColor("#202020"), 1.5, Qt.PenStyle.DashLine)
            frame.setCosmetic(True)
            painter.setPen(frame)
            painter.drawRect(self._hit.boundingRect())
        if a.kind == "text":
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(Qt.GlobalColor.white))
            painter.drawRect(self._text_box)
            painter.setFont(self._font)
            painter.setPen(color)
            painter.drawText(self._text_origin, a.text)
            return
        pen = QPen(color, s)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin if a.kind == "rect" else Qt.PenJoinStyle.RoundJoin)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap if a.kind == "arrow" else Qt.PenCapStyle.SquareCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._outline)
        if not self._filled.isEmpty():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(color))
            painter.drawPath(self._filled)


# ─── the photo view ──────────────────────────────────────────────────────────────────────────────────


class PhotoView(QGraphicsView):
    """The photo with its annotations: wheel zooms, drag pans (or draws, with a shape tool)."""

    shape_drawn = Signal(str, float, float, float, float)  # kind, x1, y1, x2, y2 as fractions
    text_requested = Signal(float, float)  # where the text goes, as fractions
    zoom_changed = Signal(float)

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(QColor("#3a3f47"))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumSize(320, 240)
        self.photo: QGraphicsPixmapItem | None = None
        self.tool = SELECT
        self.color = DEFAULT_COLOR
        self.editable = False
        self.fitting = True  # follow the window's size until the user zooms
        self._drag_start: QPointF | None = None
        self._press_pos = QPoint()
        self._preview: AnnotationItem | None = None
        self._pan_from: QPoint | None = None
        self.set_tool(SELECT)

    # zoom

    def zoom_factor(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor: QPoint | None = None) -> None:
        """Screen pixels per preview pixel; `anchor` (viewport point) stays put, else the centre does."""
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        self.fitting = False
        point = anchor if anchor is not None else self.viewport().rect().center()
        before = self.mapToScene(point)
        self.setTransform(QTransform.fromScale(factor, factor))
        self.centerOn(self.mapToScene(self.viewport().rect().center()) + (before - self.mapToScene(point)))
        self.zoom_changed.emit(self.zoom_factor())

    def zoom_by(self, step: float, anchor: QPoint | None = None) -> None:
        self.set_zoom(self.zoom_factor() * step, anchor)

    def fit(self) -> None:
        self.fitting = True
        if self.photo is not None:
            self.fitInView(self.photo, Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom_changed.emit(self.zoom_factor())

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if not steps or self.photo is None:
            super().wheelEvent(event)
            return
        self.zoom_by(ZOOM_STEP**steps, event.position().toPoint())
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fitting:
            self.fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.fitting:
            self.fit()

    # tools

    def set_tool(self, tool: str) -> None:
        self.tool = tool
        drawing = self.editable and tool != SELECT
        self.setDragMode(QGraphicsView.DragMode.NoDrag if drawing else QGraphicsView.DragMode.ScrollHandDrag)
        cursor = Qt.CursorShape.IBeamCursor if tool == "text" else Qt.CursorShape.CrossCursor
        if drawing:
            self.viewport().setCursor(cursor)
        else:
            self.viewport().unsetCursor()
        if drawing and self.scene() is not None:
            self.scene().clearSelection()

    def photo_size(self) -> QSizeF:
        return QSizeF(self.photo.pixmap().size()) if self.photo is not None else QSizeF()

    def _fractions(self, point: QPointF) -> tuple[float, float]:
        size = self.photo_size()
        x = min(max(point.x(), 0.0), size.width())
        y = min(max(point.y(), 0.0), size.height())
        return round(x / size.width(), 5), round(y / size.height(), 5)

    def _inside_photo(self, point: QPointF) -> bool:
        size = self.photo_size()
        return 0 <= point.x() <= size.width() and 0 <= point.y() <= size.height()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position().toPoint()
            event.accept()
            return
        drawing = self.editable and self.tool != SELECT and self.photo is not None
        if drawing and event.button() == Qt.MouseButton.LeftButton:
            point = self.mapToScene(event.position().toPoint())
            if self._inside_photo(point):
                event.accept()
                if self.tool == "text":
                    self.text_requested.emit(*self._fractions(point))
                    return
                self._drag_start = point
                self._press_pos = event.position().toPoint()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            delta = event.position().toPoint() - self._pan_from
            self._pan_from = event.position().toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        if self._drag_start is not None and self.photo is not None:
            x1, y1 = self._fractions(self._drag_start)
            x2, y2 = self._fractions(self.mapToScene(event.position().toPoint()))
            sketch = Annotation(self.tool, x1, y1, x2, y2, color=self.color)
            if self._preview is None:
                self._preview = AnnotationItem(sketch, self.photo_size())
                self._preview.setParentItem(self.photo)
            else:
                self._preview.set_annotation(sketch)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None and event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = None
            event.accept()
            return
        if self._drag_start is not None and event.button() == Qt.MouseButton.LeftButton:
            start, self._drag_start = self._drag_start, None
            if self._preview is not None:
                scene = self._preview.scene()
                if scene is not None:
                    scene.removeItem(self._preview)
                self._preview = None
            moved = (event.position().toPoint() - self._press_pos).manhattanLength()
            if moved >= _MIN_DRAG_PIXELS:
                x1, y1 = self._fractions(start)
                x2, y2 = self._fractions(self.mapToScene(event.position().toPoint()))
                self.shape_drawn.emit(self.tool, x1, y1, x2, y2)
            event.accept()
            return
        super().mouseReleaseEvent(event)


# ─── the print copy ──────────────────────────────────────────────────────────────────────────────────


class PrintCopyDialog(QDialog):
    """The print copy as it will be printed or exported, scaled to the window (or at full size)."""

    def __init__(self, jpeg: bytes, *, title: str, note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PrintCopyDialog")
        self.setWindowTitle(title)
        self.pixmap = QPixmap()
        self.pixmap.loadFromData(jpeg, "JPEG")
        layout = QVBoxLayout(self)
        self.note = QLabel(note)
        self.note.setStyleSheet("color: #b26a00;")
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        layout.addWidget(self.note)
        self.area = QScrollArea()
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setWidget(self.image)
        layout.addWidget(self.area, 1)
        bar = QHBoxLayout()
        self.fit_box = QCheckBox("适合窗口")
        self.fit_box.setChecked(True)
        self.fit_box.toggled.connect(lambda _on: self._show())
        bar.addWidget(self.fit_box)
        bar.addWidget(QLabel(f"{self.pixmap.width()}×{self.pixmap.height()} 像素"))
        bar.addStretch(1)
        close = QPushButton("关闭")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        bar.addWidget(close)
        layout.addLayout(bar)
        self.resize(900, 760)

    def _show(self) -> None:
        if self.pixmap.isNull():
            self.image.setText("无法显示打印副本。")
            return
        if self.fit_box.isChecked():
            room = self.area.viewport().size()
            shown = self.pixmap.scaled(
                room, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        else:
            shown = self.pixmap
        self.image.setPixmap(shown)
        self.image.resize(shown.size())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._show()


class LinkBox(QCheckBox):
    """A checkbox whose long text is cut with … to the width it has; the whole text is its tooltip."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.full_text = text
        self.setToolTip(text)
        self.setMinimumWidth(80)  # may be narrower than its text: the panel never scrolls sideways

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        style = self.style()
        indicator = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, self) + style.pixelMetric(
            QStyle.PixelMetric.PM_CheckBoxLabelSpacing, None, self
        )
        room = max(20, self.width() - indicator - 6)
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, room)
        if shown != self.text():
            self.setText(shown)


# ─── the viewer ──────────────────────────────────────────────────────────────────────────────────────


def _button(text: str, slot: Callable[[], None], tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(False)  # Enter in the caption does not save-and-close behind the user's back
    button.clicked.connect(lambda _checked=False: slot())
    if tip:
        button.setToolTip(tip)
    return button


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} KB"


def facts_text(photo: EvidenceRow) -> str:
    """The custody facts of the photo, as shown under it."""
    taken = photo.captured_at_exif or "相机未记录"
    imported = (
        clock.to_local(photo.captured_at_device).strftime("%Y-%m-%d %H:%M:%S") if photo.captured_at_device else "—"
    )
    if photo.latitude is not None and photo.longitude is not None:
        gps = f"{photo.latitude:.6f}, {photo.longitude:.6f}"
    else:
        gps = "无定位信息"
    upright = photo.upright_size
    size = f"{upright[0]}×{upright[1]} 像素" if upright else "—"
    source = photo.source.value + (f"（{photo.added_by}添加）" if photo.added_by else "")
    return (
        f"文件名：{photo.original_name}　　拍摄时间：{taken}　　导入时间：{imported}　　GPS：{gps}\n"
        f"相机型号：{photo.camera_model or '—'}　　尺寸：{size}，{_megabytes(photo.size_bytes)}　　来源：{source}\n"
        f"SHA-256：{photo.sha256}"
    )


class PhotoViewer(QDialog):
    """View one photo large; when its inspection is editable, annotate it, caption it and link it."""

    changed = Signal()  # a save went through: the gallery reloads
    loaded = Signal()  # the preview is on screen
    load_failed = Signal(str)  # the preview could not be made (message shown in the dialog)
    exported = Signal(str)  # path of an exported print copy
    print_copy_shown = Signal()

    def __init__(
        self,
        store: Store,
        photo: EvidenceRow,
        *,
        findings: list[FindingRow],
        current_item: tuple[str, str] | None,
        editable: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PhotoViewer")
        self.store = store
        self.photo = photo
        self.editable = editable
        self.findings = findings
        self.current_item = current_item
        self.print_dialog: PrintCopyDialog | None = None
        self._saving = False
        self._busy_print = False
        self._annotations, skipped = self._initial_annotations(photo)
        self._saved_annotations = list(self._annotations)
        self._undo: list[list[Annotation]] = []
        self._items: list[AnnotationItem] = []
        self.pixmap_item: QGraphicsPixmapItem | None = None
        self.setWindowTitle(f"照片证据 — {photo.caption or photo.original_name}")

        self.scene = QGraphicsScene(self)
        self.view = PhotoView(self.scene)
        self.view.editable = editable
        self.view.set_tool(SELECT)
        self.view.zoom_changed.connect(self._zoom_changed)
        self.view.shape_drawn.connect(self._shape_drawn)
        self.view.text_requested.connect(self._text_requested)
        self.scene.selectionChanged.connect(self._selection_changed)

        outer = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        outer.addWidget(splitter, 1)

        # left: tools, the photo, zoom, facts
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.tools = self._make_tools()
        left_layout.addWidget(self.tools)
        self.placeholder = QLabel("正在加载…")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("background: #3a3f47; color: #e8ecf1; font-size: 15px; padding: 24px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.view)
        left_layout.addWidget(self.stack, 1)
        left_layout.addLayout(self._make_zoom_row())
        self.facts = QLabel(facts_text(photo))
        self.facts.setObjectName("subtle")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        left_layout.addWidget(self.facts)
        splitter.addWidget(left)

        # right: caption, links, notes
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        self.readonly_note = QLabel(READ_ONLY_NOTE)
        self.readonly_note.setStyleSheet(
            "color: #5f6b7a; padding: 6px; background: #eef2f7; border-radius: 4px; margin-bottom: 6px;"
        )
        self.readonly_note.setVisible(not editable)
        right_layout.addWidget(self.readonly_note)
        caption_label = QLabel("说明")
        caption_label.setStyleSheet("font-weight: bold;")
        right_layout.addWidget(caption_label)
        self.caption = QLineEdit(photo.caption)
        self.caption.setMaxLength(MAX_CAPTION)
        self.caption.setPlaceholderText("照片反映的情况，如：配电箱未可靠接地")
        self.caption.setReadOnly(not editable)
        self.caption.setClearButtonEnabled(editable)
        self.caption.setCursorPosition(0)  # a long caption shows its beginning
        self.caption.setToolTip(photo.caption)
        right_layout.addWidget(self.caption)
        links_label = QLabel("证明的隐患和检查项")
        links_label.setStyleSheet("font-weight: bold; margin-top: 8px;")
        right_layout.addWidget(links_label)
        self.link_boxes: dict[LinkKey, LinkBox] = {}
        self._saved_links: dict[LinkKey, bool] = {}
        right_layout.addWidget(self._make_links(), 1)
        self.message = QLabel()
        self.message.setObjectName("formError")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right_layout.addWidget(self.message)
        if skipped:
            self._tell(f"有{skipped}个标注格式不正确，未显示；保存后将不再保留。", error=True)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        right.setMinimumWidth(280)
        splitter.setSizes([900, 340])

        # bottom: print copy, save, close
        buttons = QHBoxLayout()
        self.print_button = _button(
            "查看打印副本", self.show_print_copy, "带标注和水印（时间、地点、检查人员、SHA-256）"
        )
        self.export_button = _button("导出打印副本…", self.choose_export_path)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        self.save_button = _button("保存", self.save, "保存说明、标注和关联（Ctrl+S）")
        self.save_button.setVisible(editable)
        self.close_button = _button("关闭", self.reject)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        outer.addLayout(buttons)

        self._shortcuts()
        self._update_actions()
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width, height = 1280, 860
        if screen is not None:
            width, height = min(width, int(screen.width() * 0.94)), min(height, int(screen.height() * 0.92))
        self.resize(width, height)
        self._load_preview()

    # ─── building ─────────────────────────────────────────────────────────────────────────────────

    @staticmethod
    def _initial_annotations(photo: EvidenceRow) -> tuple[list[Annotation], int]:
        found: list[Annotation] = []
        skipped = 0
        for n, data in enumerate(photo.annotations):
            try:
                found.append(normalized(parse_annotation(data, n)))
            except InspectorError:
                skipped += 1
        return found, skipped

    def _make_tools(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("标注："))
        self.tool_group = QButtonGroup(self)
        self.tool_group.setExclusive(True)
        self.tool_buttons: dict[str, QToolButton] = {}
        tips = {
            SELECT: "点选标注（可按 Delete 删除），拖动照片平移",
            "arrow": "从起点拖到所指之处",
            "circle": "拖出圆圈",
            "rect": "拖出方框",
            "text": "在照片上点击，输入文字",
        }
        for tool in TOOLS:
            button = QToolButton()
            button.setText(TOOL_NAMES[tool])
            button.setCheckable(True)
            button.setToolTip(tips[tool])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.tool_group.addButton(button)
            button.toggled.connect(lambda on, t=tool: self._tool_toggled(on, t))
            self.tool_buttons[tool] = button
            row.addWidget(button)
        self.tool_buttons[SELECT].setChecked(True)
        row.addSpacing(12)
        row.addWidget(QLabel("颜色："))
        self.color_group = QButtonGroup(self)
        self.color_group.setExclusive(True)
        self.color_buttons: dict[str, QToolButton] = {}
        for name, color in COLORS.items():
            button = QToolButton()
            button.setText(name)
            button.setCheckable(True)
            text_color = "#202020" if color == "#FDD835" else "white"
            button.setStyleSheet(
                f"QToolButton {{ background: {color}; color: {text_color}; border: 2px solid transparent;"
                " border-radius: 3px; padding: 2px 8px; }"
                " QToolButton:checked { border: 2px solid #202020; font-weight: bold; }"
            )
            button.setToolTip(f"新画的标注用{name}色；已选中的标注改为{name}色")
            self.color_group.addButton(button)
            button.toggled.connect(lambda on, c=color: self._color_toggled(on, c))
            self.color_buttons[color] = button
            row.addWidget(button)
        self.color_buttons[DEFAULT_COLOR].setChecked(True)
        self._color = DEFAULT_COLOR
        row.addSpacing(12)
        self.delete_button = QToolButton()
        self.delete_button.setText("删除所选")
        self.delete_button.setToolTip("删除选中的标注（Delete）")
        self.delete_button.clicked.connect(lambda _c=False: self.remove_selected())
        self.undo_button = QToolButton()
        self.undo_button.setText("撤销")
        self.undo_button.setToolTip("撤销上一步标注修改（Ctrl+Z）")
        self.undo_button.clicked.connect(lambda _c=False: self.undo())
        row.addWidget(self.delete_button)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        bar.setVisible(self.editable)
        return bar

    def _make_zoom_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.zoom_in_button = _button("放大", lambda: self.view.zoom_by(ZOOM_STEP), "放大（Ctrl++）")
        self.zoom_out_button = _button("缩小", lambda: self.view.zoom_by(1 / ZOOM_STEP), "缩小（Ctrl+-）")
        self.fit_button = _button("适合窗口", self.view.fit, "整张照片适合窗口（Ctrl+0）")
        self.actual_button = _button(
            "原始大小", lambda: self.set_zoom(1.0), "预览图一个像素对应屏幕一个像素（Ctrl+Alt+0）"
        )
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button, self.actual_button):
            row.addWidget(button)
        self.zoom_label = QLabel("—")
        self.zoom_label.setMinimumWidth(56)
        row.addWidget(self.zoom_label)
        hint = QLabel("滚轮缩放，拖动平移" if not self.editable else "滚轮缩放；“选择”时拖动平移，中键拖动随时平移")
        hint.setObjectName("subtle")
        row.addWidget(hint)
        row.addStretch(1)
        return row

    def _make_links(self) -> QWidget:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        linked_findings = set(self.photo.finding_ids)
        if self.current_item is not None:
            item_id, code = self.current_item
            box = LinkBox(f"当前检查项 {code}")
            self._add_link(column, ("item", item_id), box, item_id in self.photo.item_ids)
        for finding in self.findings:
            box = LinkBox(f"{finding.grade}：{' '.join(finding.description.split())}")
            self._add_link(column, ("finding", finding.id), box, finding.id in linked_findings)
        if not self.link_boxes:
            empty = QLabel("本次检查还没有隐患。")
            empty.setObjectName("subtle")
            column.addWidget(empty)
        other_items = [
            code
            for item_id, code in zip(self.photo.item_ids, self.photo.item_codes, strict=False)
            if self.current_item is None or item_id != self.current_item[0]
        ]
        if other_items:
            others = QLabel("另关联检查项：" + "、".join(c or "—" for c in other_items))
            others.setObjectName("subtle")
            others.setWordWrap(True)
            column.addWidget(others)
        column.addStretch(1)
        area.setWidget(holder)
        return area

    def _add_link(self, column: QVBoxLayout, key: LinkKey, box: LinkBox, checked: bool) -> None:
        box.setChecked(checked)
        box.setEnabled(self.editable)
        self.link_boxes[key] = box
        self._saved_links[key] = checked
        column.addWidget(box)

    def _shortcuts(self) -> None:
        def add(keys: str | QKeySequence.StandardKey, slot: Callable[[], None], parent: QWidget | None = None) -> None:
            shortcut = QShortcut(QKeySequence(keys), parent or self)
            if parent is not None:
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        add("Ctrl++", lambda: self.view.zoom_by(ZOOM_STEP))
        add("Ctrl+=", lambda: self.view.zoom_by(ZOOM_STEP))  # + without Shift on most keyboards
        add("Ctrl+-", lambda: self.view.zoom_by(1 / ZOOM_STEP))
        add("Ctrl+0", self.view.fit)
        add("Ctrl+Alt+0", lambda: self.set_zoom(1.0))
        if self.editable:
            add("Ctrl+S", self.save)
            add(QKeySequence.StandardKey.Undo, self.undo)
            # On the photo only: Delete in the caption deletes characters.
            add(QKeySequence.StandardKey.Delete, self.remove_selected, self.view)
            add("Backspace", self.remove_selected, self.view)

    # ─── loading the preview ──────────────────────────────────────────────────────────────────────

    def _load_preview(self) -> None:
        store, sha = self.store, self.photo.sha256
        run_in_background(
            lambda: upright_preview(store, sha, PREVIEW_LONG_SIDE),
            on_done=_while_alive(self, self._show_preview),
            on_error=_while_alive(self, self._preview_failed),
        )

    def _show_preview(self, image: Any) -> None:
        pixmap = QPixmap.fromImage(pil_to_qimage(image))
        item = QGraphicsPixmapItem(pixmap)
        item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        item.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        # Annotations are children of the photo, clipped to it as Pillow clips them on the print copy.
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self.scene.addItem(item)
        self.scene.setSceneRect(QRectF(pixmap.rect()))
        self.pixmap_item = item
        self.view.photo = item
        self.stack.setCurrentWidget(self.view)
        self._refresh_items()
        self.view.fit()
        self._update_actions()
        self.loaded.emit()

    def _preview_failed(self, exc: Exception) -> None:
        text = user_message(exc)
        self.placeholder.setText(f"无法显示照片：{text}")
        self.placeholder.setStyleSheet(
            "background: #3a3f47; color: #ffb4a9; font-size: 15px; padding: 24px; font-weight: bold;"
        )
        self._update_actions()
        self.load_failed.emit(text)

    def is_loaded(self) -> bool:
        return self.view.photo is not None

    # ─── zoom ─────────────────────────────────────────────────────────────────────────────────────

    def set_zoom(self, factor: float) -> None:
        """Screen pixels per preview pixel (1.0 = 原始大小 of the preview, whose long side is ≤ 2400)."""
        self.view.set_zoom(factor)

    def zoom_factor(self) -> float:
        return self.view.zoom_factor()

    def fit(self) -> None:
        self.view.fit()

    def _zoom_changed(self, factor: float) -> None:
        self.zoom_label.setText(f"{round(factor * 100)}%")

    # ─── annotations ──────────────────────────────────────────────────────────────────────────────

    def annotations(self) -> list[Annotation]:
        """The annotations as they are now in the dialog (saved or not), normalized."""
        return list(self._annotations)

    def set_tool(self, tool: str) -> None:
        if tool not in TOOLS:
            raise ValueError(tool)
        self.tool_buttons[tool].setChecked(True)
        self.view.set_tool(tool)

    def _tool_toggled(self, on: bool, tool: str) -> None:
        if on:
            self.set_tool(tool)

    def _color_toggled(self, on: bool, color: str) -> None:
        if on:
            self.set_color(color)

    def set_color(self, color: str) -> None:
        """The colour of new annotations; selected annotations take it too (one undoable step)."""
        self._color = color
        self.view.color = color
        if not self.color_buttons[color].isChecked():
            self.color_buttons[color].setChecked(True)
        chosen = self._selected_indexes()
        if chosen and any(self._annotations[i].color != color for i in chosen):
            self._change(
                [replace(a, color=color) if i in chosen else a for i, a in enumerate(self._annotations)],
                select=chosen,
            )

    def add_annotation(self, a: Annotation) -> Annotation:
        """Add one annotation (checked and normalized); raises ValidationError when it is not valid."""
        if len(self._annotations) >= MAX_ANNOTATIONS:
            raise ValidationError(
                f"At most {MAX_ANNOTATIONS} annotations per photo.", f"每张照片最多{MAX_ANNOTATIONS}个标注。"
            )
        checked = normalized(a)
        self._change([*self._annotations, checked])
        return checked

    def remove_selected(self) -> None:
        chosen = self._selected_indexes()
        if chosen and self.editable:
            self._change([a for i, a in enumerate(self._annotations) if i not in chosen])

    def select_annotation(self, index: int) -> None:
        self.scene.clearSelection()
        for item in self._items:
            if item.index == index:
                item.setSelected(True)

    def annotation_items(self) -> list[AnnotationItem]:
        return list(self._items)

    def undo(self) -> None:
        """Back one annotation change (add, delete, recolour) made in this dialog."""
        if not self._undo:
            return
        self._annotations = self._undo.pop()
        self._refresh_items()
        self._update_actions()

    def _change(self, annotations: list[Annotation], *, select: set[int] | None = None) -> None:
        self._undo.append(self._annotations)
        self._annotations = annotations
        self._refresh_items()
        if select:
            for item in self._items:
                item.setSelected(item.index in select)
        self._update_actions()

    def _refresh_items(self) -> None:
        for item in self._items:
            if item.scene() is not None:
                self.scene.removeItem(item)
        self._items = []
        if self.view.photo is None:
            return
        size = self.view.photo_size()
        for n, a in enumerate(self._annotations):
            item = AnnotationItem(a, size, n)
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, self.editable)
            item.setToolTip(KIND_NAMES[a.kind] + (f"：{a.text}" if a.text else ""))
            item.setParentItem(self.view.photo)
            self._items.append(item)

    def _selected_indexes(self) -> set[int]:
        return {item.index for item in self._items if item.isSelected()}

    def _selection_changed(self) -> None:
        if shiboken6.isValid(self):
            self._update_actions()

    def _shape_drawn(self, kind: str, x1: float, y1: float, x2: float, y2: float) -> None:
        self._try_add(Annotation(kind, x1, y1, x2, y2, color=self._color))

    def _text_requested(self, x: float, y: float) -> None:
        text, ok = QInputDialog.getText(self, "文字标注", f"标注文字（不超过{MAX_TEXT}字）：")
        if ok and text.strip():
            self._try_add(Annotation("text", x, y, x, y, text=text.strip()[:MAX_TEXT], color=self._color))

    def _try_add(self, a: Annotation) -> None:
        try:
            self.add_annotation(a)
        except InspectorError as exc:
            self._tell(exc.message_zh, error=True)

    # ─── state ────────────────────────────────────────────────────────────────────────────────────

    def _link_changes(self) -> dict[LinkKey, bool]:
        return {
            key: box.isChecked() for key, box in self.link_boxes.items() if box.isChecked() != self._saved_links[key]
        }

    def annotations_changed(self) -> bool:
        return self._annotations != self._saved_annotations

    def caption_changed(self) -> bool:
        return self.caption.text().strip() != self.photo.caption.strip()

    def is_dirty(self) -> bool:
        return self.editable and (self.annotations_changed() or self.caption_changed() or bool(self._link_changes()))

    def _update_actions(self) -> None:
        loaded = self.view.photo is not None
        for button in self.tool_buttons.values():
            button.setEnabled(self.editable and loaded)
        for button in self.color_buttons.values():
            button.setEnabled(self.editable and loaded)
        self.delete_button.setEnabled(self.editable and bool(self._selected_indexes()))
        self.undo_button.setEnabled(self.editable and bool(self._undo))
        for zoom in (self.zoom_in_button, self.zoom_out_button, self.fit_button, self.actual_button):
            zoom.setEnabled(loaded)
        self.save_button.setEnabled(self.editable and not self._saving)
        self.close_button.setEnabled(not self._saving)
        self.print_button.setEnabled(not self._busy_print)
        self.export_button.setEnabled(not self._busy_print)

    def _tell(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b71c1c;" if error else "color: #2e5e2e;")
        self.message.setText(text)

    # ─── saving and closing ───────────────────────────────────────────────────────────────────────

    def save(self) -> None:
        """Write caption, annotations and link changes in one unit of work; close when it went through."""
        if not self.editable or self._saving:
            return
        if not self.is_dirty():
            self.accept()
            return
        evidence_id = self.photo.id
        caption = self.caption.text().strip() if self.caption_changed() else None
        annotations = [a.to_data() for a in self._annotations] if self.annotations_changed() else None
        links = self._link_changes()

        def write(session: Session) -> None:
            if caption is not None:
                set_caption(session, evidence_id=evidence_id, caption=caption)
            if annotations is not None:
                set_annotations(session, evidence_id=evidence_id, annotations=annotations)
            for (kind, target), linked in links.items():
                ids = {"item_id": target} if kind == "item" else {"finding_id": target}
                if linked:
                    link_evidence(session, evidence_id=evidence_id, **ids)
                else:
                    unlink_evidence(session, evidence_id=evidence_id, **ids)

        self._saving = True
        self._tell("正在保存…")
        self._update_actions()
        run_write(
            self.store,
            write,
            on_done=_while_alive(self, lambda _result: self._saved()),
            on_error=_while_alive(self, self._save_failed),
        )

    def _saved(self) -> None:
        self._saving = False
        self._saved_annotations = list(self._annotations)
        self._saved_links = {key: box.isChecked() for key, box in self.link_boxes.items()}
        self.photo = replace(self.photo, caption=self.caption.text().strip())
        self._tell("已保存。")
        self._update_actions()
        self.changed.emit()
        self.accept()

    def _save_failed(self, exc: Exception) -> None:
        self._saving = False
        self._tell(f"未能保存：{user_message(exc)}", error=True)
        self._update_actions()

    def reject(self) -> None:
        """关闭, Esc and the window's close box: unsaved edits are saved, dropped or kept open on request."""
        if self._saving:
            return
        if self.is_dirty():
            answer = QMessageBox.question(
                self,
                "未保存的修改",
                "照片的说明、标注或关联已修改，是否保存？",
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save,
            )
            if answer == QMessageBox.StandardButton.Save:
                self.save()
                return
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    # ─── the print copy ───────────────────────────────────────────────────────────────────────────

    def _print_note(self) -> str:
        return SAVED_ANNOTATIONS_NOTE if self.annotations_changed() else ""

    def show_print_copy(self) -> None:
        """Render the print copy (saved annotations, watermark) off the GUI thread and show it."""
        store, evidence_id = self.store, self.photo.id
        note = self._print_note()
        self._busy_print = True
        self._tell("正在生成打印副本…")
        self._update_actions()

        def shown(jpeg: bytes) -> None:
            self._busy_print = False
            self._tell(note)
            self._update_actions()
            if self.print_dialog is not None and shiboken6.isValid(self.print_dialog):
                self.print_dialog.close()
            dialog = PrintCopyDialog(jpeg, title=f"打印副本 — {self.photo.original_name}", note=note, parent=self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.print_dialog = dialog
            dialog.open()
            self.print_copy_shown.emit()

        run_op(
            store,
            lambda session: print_copy(session, store, evidence_id),
            on_done=_while_alive(self, shown),
            on_error=_while_alive(self, self._print_failed),
        )

    def _print_failed(self, exc: Exception) -> None:
        self._busy_print = False
        self._tell(f"无法生成打印副本：{user_message(exc)}", error=True)
        self._update_actions()

    def default_export_name(self) -> str:
        return f"{Path(self.photo.original_name).stem or '照片'}-打印副本.jpg"

    def choose_export_path(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        name, _filter = QFileDialog.getSaveFileName(
            self, "导出打印副本", str(Path(folder) / self.default_export_name()), "JPEG 图片 (*.jpg *.jpeg)"
        )
        if name:
            path = Path(name)
            if path.suffix.lower() not in (".jpg", ".jpeg"):
                path = path.with_name(path.name + ".jpg")
            self.export_print_copy(path)

    def export_print_copy(self, path: Path) -> None:
        """Write the print copy to `path` (off the GUI thread); `exported` is emitted when it is there."""
        store, evidence_id = self.store, self.photo.id
        note = self._print_note()
        self._busy_print = True
        self._tell("正在导出打印副本…")
        self._update_actions()

        def write_file(session: Session) -> str:
            data = print_copy(session, store, evidence_id)
            write_atomically(path, data)
            return str(path)

        def done(written: str) -> None:
            self._busy_print = False
            self._tell(f"已导出：{written}" + (f"\n{note}" if note else ""))
            self._update_actions()
            self.exported.emit(written)

        run_op(
            store,
            write_file,
            on_done=_while_alive(self, done),
            on_error=_while_alive(self, self._print_failed),
        )
