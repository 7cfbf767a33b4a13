"""照片证据 of one inspection: a lazily loaded thumbnail grid, import (files, folders, drag and drop, camera).

Thumbnails are read on the global thread pool and only for the cells Qt asks to paint (uniform item sizes),
so a 500-photo inspection opens and scrolls without decoding 500 images. Imports add one file per database
operation and queue the next when it is done: edits made meanwhile are not stuck behind the whole batch,
the progress dialog can cancel between files, and every file gets its own verdict.
"""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QBuffer,
    QByteArray,
    QIODevice,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from inspector.domain.enums import EvidenceSource
from inspector.errors import InspectorError
from inspector.evidence.images import PHOTO_SUFFIXES
from inspector.evidence.service import (
    EvidenceRow,
    IngestReport,
    PreparedPhoto,
    Rejected,
    add_photo,
    derived_images,
    link_evidence,
    list_evidence,
    photo_files,
    prepare_photo_file,
    record_photo,
)
from inspector.inspections.queries import FindingRow
from inspector.store.db import Store
from inspector.ui.ops import SteppedJob, run_op, run_write, user_message

log = logging.getLogger(__name__)

CELL = QSize(150, 172)
ICON = QSize(136, 136)
CACHE_SIZE = 600  # thumbnails kept in memory (≈ 600 × 100 KB as pixmaps)
FILTER_ALL, FILTER_ITEM, FILTER_FINDING = "全部照片", "当前检查项的照片", "所选隐患的照片"
FILE_FILTER = "照片 (" + " ".join(f"*{s}" for s in PHOTO_SUFFIXES) + ");;所有文件 (*)"


# ─── thumbnails ──────────────────────────────────────────────────────────────────────────────────────


class _ThumbRelay(QObject):
    loaded = Signal(str, QImage)


class _ThumbJob(QRunnable):
    def __init__(self, store: Store, sha256: str, relay: _ThumbRelay) -> None:
        super().__init__()
        self._store, self._sha, self._relay = store, sha256, relay

    @Slot()
    def run(self) -> None:
        image = QImage()
        try:
            data = derived_images(self._store).thumbnail(self._sha)  # made from the original if not cached
            image = QImage.fromData(data)
        except (InspectorError, OSError) as exc:
            log.warning("no thumbnail for %s: %s", self._sha, exc)
        with contextlib.suppress(RuntimeError):  # the gallery is gone
            self._relay.loaded.emit(self._sha, image)


class PhotoModel(QAbstractListModel):
    """Photos of the inspection; the picture of a cell is loaded the first time Qt paints it."""

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.rows: list[EvidenceRow] = []
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: set[str] = set()
        self._relay = _ThumbRelay(self)
        self._relay.loaded.connect(self._thumbnail_loaded)
        self._placeholder = _placeholder()
        self._missing = _placeholder("无法显示")
        self.loads_requested = 0  # how many thumbnails were asked for (tests check the loading is lazy)

    def set_rows(self, rows: list[EvidenceRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell_text(row)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._pixmap(row.sha256)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def _pixmap(self, sha256: str) -> QPixmap:
        cached = self._pixmaps.get(sha256)
        if cached is not None:
            self._pixmaps.move_to_end(sha256)
            return cached
        if sha256 not in self._pending:
            self._pending.add(sha256)
            self.loads_requested += 1
            QThreadPool.globalInstance().start(_ThumbJob(self.store, sha256, self._relay))
        return self._placeholder

    def _thumbnail_loaded(self, sha256: str, image: QImage) -> None:
        self._pending.discard(sha256)
        pixmap = _fit(QPixmap.fromImage(image)) if not image.isNull() else self._missing
        self._pixmaps[sha256] = pixmap
        while len(self._pixmaps) > CACHE_SIZE:
            self._pixmaps.popitem(last=False)
        for n, row in enumerate(self.rows):
            if row.sha256 == sha256:
                index = self.index(n)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def loaded_count(self) -> int:
        return len(self._pixmaps)


def _placeholder(text: str = "") -> QPixmap:
    pixmap = QPixmap(ICON)
    pixmap.fill(QColor("#e4e9f0"))
    if text:
        painter = QPainter(pixmap)
        painter.setPen(QColor("#7a8594"))
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
    return pixmap


def _fit(pixmap: QPixmap) -> QPixmap:
    """Centre the thumbnail on a fixed square so the grid stays even (portrait and landscape alike)."""
    scaled = pixmap.scaled(ICON, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    square = QPixmap(ICON)
    square.fill(QColor("#f0f3f7"))
    painter = QPainter(square)
    painter.drawPixmap((ICON.width() - scaled.width()) // 2, (ICON.height() - scaled.height()) // 2, scaled)
    painter.end()
    return square


def _cell_text(row: EvidenceRow) -> str:
    marks = ""
    if row.finding_ids:
        marks += "◆"
    if row.annotations:
        marks += "✎"
    label = row.caption or row.original_name
    return f"{row.position}. {marks}{label}"


def _tooltip(row: EvidenceRow) -> str:
    gps = f"{row.latitude:.5f}, {row.longitude:.5f}" if row.latitude is not None and row.longitude is not None else "无"
    links = []
    if row.item_codes:
        links.append("检查项 " + "、".join(row.item_codes))
    if row.finding_ids:
        links.append(f"隐患 {len(row.finding_ids)} 条")
    return (
        f"{row.original_name}\n时间：{row.taken_at_text()}\n定位：{gps}\n相机：{row.camera_model or '—'}\n"
        f"关联：{'；'.join(links) or '未关联'}\nSHA-256：{row.sha256}"
    )


# ─── import ──────────────────────────────────────────────────────────────────────────────────────────


class _PrepareRelay(QObject):
    done = Signal(object)  # PreparedPhoto or the exception


class _PrepareJob(QRunnable):
    def __init__(self, store: Store, path: Path, relay: _PrepareRelay) -> None:
        super().__init__()
        self._store, self._path, self._relay = store, path, relay

    @Slot()
    def run(self) -> None:
        result: object
        try:
            result = prepare_photo_file(self._store, self._path)
        except Exception as exc:  # delivered to the import, which names the file and goes on
            result = exc
        with contextlib.suppress(RuntimeError):  # the import is gone
            self._relay.done.emit(result)


class PhotoImport(SteppedJob):
    """One batch of files added one per database operation, with progress and cancel."""

    def __init__(
        self,
        store: Store,
        inspection_id: str,
        files: list[Path],
        *,
        added_by_id: str | None,
        link: LinkTarget,
        parent: QObject,
    ) -> None:
        super().__init__(len(files), IngestReport(), parent)
        self.store, self.inspection_id, self.files = store, inspection_id, files
        self.added_by_id = added_by_id
        self.link = link
        self._relay = _PrepareRelay(self)
        self._relay.done.connect(self._prepared)

    def run_step(self, index: int) -> None:
        path = self.files[index]
        # Checking, hashing and storing the file runs on the worker pool; only the row takes the database.
        QThreadPool.globalInstance().start(_PrepareJob(self.store, path, self._relay))

    def _prepared(self, result: object) -> None:
        path = self.files[self._next]
        if isinstance(result, Exception):
            self._failed(path, result)
            return
        assert isinstance(result, PreparedPhoto)
        inspection_id, by, link = self.inspection_id, self.added_by_id, self.link

        def write(session: Session) -> tuple[str, bool]:
            evidence_id, is_new = record_photo(session, inspection_id, result, added_by_id=by)
            _link(session, evidence_id, link)
            return evidence_id, is_new

        def done(outcome: tuple[str, bool]) -> None:
            evidence_id, is_new = outcome
            if is_new:
                self.report.added.append(evidence_id)
            else:
                self.report.duplicates.append(path.name)
                self.report.duplicate_ids.append(evidence_id)
            self.step_done()

        run_write(self.store, write, on_done=done, on_error=lambda exc: self._failed(path, exc))

    def _failed(self, path: Path, exc: Exception) -> None:
        en = exc.message_en if isinstance(exc, InspectorError) else f"{path.name}: {exc}"
        self.report.rejected.append(Rejected(path.name, en, user_message(exc)))
        self.step_done()


# What new photos are linked to: the checklist item or the finding the gallery is showing, if any.
LinkTarget = tuple[str | None, str | None]  # (item id, finding id)


def _link(session: Session, evidence_id: str, target: LinkTarget) -> None:
    item_id, finding_id = target
    if item_id is not None:
        link_evidence(session, evidence_id=evidence_id, item_id=item_id)
    if finding_id is not None:
        link_evidence(session, evidence_id=evidence_id, finding_id=finding_id)


def camera_available() -> bool:
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:  # Qt without multimedia
        return False
    return bool(QMediaDevices.videoInputs())


class CameraDialog(QDialog):
    """Take a photo with the laptop's camera; `photo_jpeg` holds it after accept()."""

    def __init__(self, parent: QWidget | None = None) -> None:
        from PySide6.QtMultimedia import QCamera, QImageCapture, QMediaCaptureSession, QMediaDevices
        from PySide6.QtMultimediaWidgets import QVideoWidget

        super().__init__(parent)
        self.setWindowTitle("现场拍照")
        self.photo_jpeg: bytes | None = None
        layout = QVBoxLayout(self)
        self.viewfinder = QVideoWidget()
        self.viewfinder.setMinimumSize(640, 480)
        layout.addWidget(self.viewfinder)
        self.message = QLabel("对准隐患部位后点击“拍照”。")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.shoot = buttons.addButton("拍照", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        self.shoot.clicked.connect(self._capture)
        layout.addWidget(buttons)
        self.camera = QCamera(QMediaDevices.defaultVideoInput())
        self.capture = QImageCapture()
        self.session = QMediaCaptureSession()
        self.session.setCamera(self.camera)
        self.session.setImageCapture(self.capture)
        self.session.setVideoOutput(self.viewfinder)
        self.capture.imageCaptured.connect(self._captured)
        self.capture.errorOccurred.connect(lambda _id, _err, text: self.message.setText(f"拍照失败：{text}"))
        self.camera.errorOccurred.connect(lambda _err, text: self.message.setText(f"摄像头不可用：{text}"))
        self.camera.start()

    def _capture(self) -> None:
        if self.capture.isReadyForCapture():
            self.capture.capture()
        else:
            self.message.setText("摄像头尚未就绪，请稍候再试。")

    def _captured(self, _id: int, image: QImage) -> None:
        self.photo_jpeg = qimage_to_jpeg(image)
        self.camera.stop()
        self.accept()

    def reject(self) -> None:
        self.camera.stop()
        super().reject()


def qimage_to_jpeg(image: QImage, quality: int = 92) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, b"JPEG", quality)
    buffer.close()
    return bytes(data.data())


# ─── the gallery ─────────────────────────────────────────────────────────────────────────────────────


class PhotoGrid(QListView):
    """The thumbnail grid; photo files dropped on it are imported."""

    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)  # lets Qt lay out 500 cells without asking each for its picture
        self.setIconSize(ICON)
        self.setGridSize(CELL)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
        else:
            super().dropEvent(event)


class Gallery(QWidget):
    """The photos of one inspection, filtered by the item or finding in hand; import and open them."""

    reloaded = Signal(int)  # number of photos of the inspection
    import_done = Signal(object)  # IngestReport
    changed = Signal()  # photos added or edited: the inspection screen refreshes its counts

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.inspection_id: str | None = None
        self.editable = False
        self.findings: list[FindingRow] = []
        self.current_item: tuple[str, str] | None = None
        self.selected_finding: str | None = None
        self.added_by_id: str | None = None
        self.total = 0
        self._import: PhotoImport | None = None
        self._progress: QProgressDialog | None = None
        self._camera = camera_available()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.filter = QComboBox()
        self.filter.addItems([FILTER_ALL, FILTER_ITEM, FILTER_FINDING])
        self.filter.currentIndexChanged.connect(lambda _i: self.reload())
        bar.addWidget(self.filter)
        bar.addStretch(1)
        self.add_files_button = QPushButton("添加照片…")
        self.add_files_button.clicked.connect(self.choose_files)
        self.add_folder_button = QPushButton("导入文件夹…")
        self.add_folder_button.setToolTip("导入文件夹中的全部照片（含子文件夹，例如手机的 DCIM 文件夹）")
        self.add_folder_button.clicked.connect(self.choose_folder)
        self.camera_button = QPushButton("拍照…")
        self.camera_button.clicked.connect(self.take_photo)
        if not self._camera:
            self.camera_button.setToolTip("未检测到摄像头，可从文件或文件夹导入照片。")
        for button in (self.add_files_button, self.add_folder_button, self.camera_button):
            bar.addWidget(button)
        layout.addLayout(bar)
        self.model = PhotoModel(store, self)
        self.grid = PhotoGrid()
        self.grid.setModel(self.model)
        self.grid.activated.connect(self._open_index)
        self.grid.doubleClicked.connect(self._open_index)
        self.grid.files_dropped.connect(self.import_paths)
        layout.addWidget(self.grid, 1)
        self.hint = QLabel()
        self.hint.setObjectName("subtle")
        layout.addWidget(self.hint)
        self._update_buttons()

    # ─── context ──────────────────────────────────────────────────────────────────────────────────

    def set_inspection(
        self, inspection_id: str, *, editable: bool, findings: list[FindingRow], added_by_id: str | None
    ) -> None:
        changed = inspection_id != self.inspection_id
        self.inspection_id, self.editable, self.findings = inspection_id, editable, findings
        self.added_by_id = added_by_id
        self._update_buttons()
        if changed:
            self.filter.setCurrentIndex(0)
        self.reload()

    def set_current_item(self, item: tuple[str, str] | None) -> None:
        self.current_item = item
        if self.filter.currentText() == FILTER_ITEM:
            self.reload()

    def set_selected_finding(self, finding_id: str | None) -> None:
        self.selected_finding = finding_id
        if self.filter.currentText() == FILTER_FINDING:
            self.reload()

    def link_target(self) -> LinkTarget:
        """New photos belong to what the gallery is filtered on: the current item or the selected finding."""
        mode = self.filter.currentText()
        if mode == FILTER_ITEM and self.current_item is not None:
            return (self.current_item[0], None)
        if mode == FILTER_FINDING and self.selected_finding is not None:
            return (None, self.selected_finding)
        return (None, None)

    def _update_buttons(self) -> None:
        can_add = self.inspection_id is not None and self.editable
        self.add_files_button.setEnabled(can_add)
        self.add_folder_button.setEnabled(can_add)
        self.camera_button.setEnabled(can_add and self._camera)
        self.camera_button.setText("拍照…" if self._camera else "拍照（无摄像头）")
        self.grid.setAcceptDrops(can_add)

    def reload(self) -> None:
        inspection_id = self.inspection_id
        if inspection_id is None:
            return
        mode = self.filter.currentText()
        item_id = self.current_item[0] if mode == FILTER_ITEM and self.current_item else None
        finding_id = self.selected_finding if mode == FILTER_FINDING else None
        if (mode == FILTER_ITEM and item_id is None) or (mode == FILTER_FINDING and finding_id is None):
            self.model.set_rows([])
            self.hint.setText("请先选择检查项。" if mode == FILTER_ITEM else "请先在“隐患”中选择一条隐患。")
            return

        def load(session: Session) -> tuple[list[EvidenceRow], int]:
            rows = list_evidence(session, inspection_id, item_id=item_id, finding_id=finding_id)
            total = len(rows) if mode == FILTER_ALL else len(list_evidence(session, inspection_id))
            return rows, total

        def show(result: tuple[list[EvidenceRow], int]) -> None:
            if inspection_id != self.inspection_id:
                return
            rows, total = result
            self.total = total
            self.model.set_rows(rows)
            if not rows:
                self.hint.setText(
                    "还没有照片。可点击“添加照片”、“导入文件夹”，或把照片文件拖到这里。"
                    if self.editable
                    else "没有照片。"
                )
            else:
                self.hint.setText(f"{len(rows)} 张照片（共 {total} 张）。双击查看、标注和关联。◆ 已关联隐患  ✎ 有标注")
            self.reloaded.emit(total)

        run_op(self.store, load, on_done=show, on_error=lambda exc: self.hint.setText(user_message(exc)))

    # ─── adding photos ────────────────────────────────────────────────────────────────────────────

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "添加照片", "", FILE_FILTER)
        if names:
            self.import_paths([Path(n) for n in names])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择照片文件夹（例如手机的 DCIM 文件夹）")
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> None:
        if self.inspection_id is None or not self.editable or self._import is not None:
            return
        files = photo_files(paths)
        if not files:
            QMessageBox.information(self, "导入照片", "所选位置没有照片文件（JPEG、PNG、HEIC）。")
            return
        job = PhotoImport(
            self.store,
            self.inspection_id,
            files,
            added_by_id=self.added_by_id,
            link=self.link_target(),
            parent=self,
        )
        self._import = job
        progress = QProgressDialog("正在导入照片…", "取消", 0, len(files), self)
        progress.setWindowTitle("导入照片")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)  # a few photos come in without a flash of dialog
        progress.canceled.connect(job.cancel)
        job.progressed.connect(lambda done, total: _set_progress(progress, done, total, files))
        job.finished.connect(self._import_finished)
        self._progress = progress
        job.start()

    def _import_finished(self, report: IngestReport) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress.deleteLater()
            self._progress = None
        if self._import is not None:
            self._import.deleteLater()
            self._import = None
        self.reload()
        self.changed.emit()
        self.import_done.emit(report)
        if report.rejected:
            self.hint.setText(report.summary_zh())
            QMessageBox.warning(
                self,
                "导入照片",
                f"{report.summary_zh()}\n\n以下文件未添加（其余照片已保存）：\n{_reasons(report.rejected)}",
            )
        else:
            self.hint.setText(report.summary_zh())

    def take_photo(self) -> None:
        if not self._camera or self.inspection_id is None:
            return
        dialog = CameraDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.photo_jpeg:
            return
        self.add_camera_photo(dialog.photo_jpeg)

    def add_camera_photo(self, data: bytes, on_done: Callable[[Any], None] | None = None) -> None:
        inspection_id, store, by, link = self.inspection_id, self.store, self.added_by_id, self.link_target()
        if inspection_id is None:
            return
        from inspector import clock

        name = f"CAM_{clock.to_local(clock.now()):%Y%m%d_%H%M%S}.jpg"

        def write(session: Session) -> str:
            evidence = add_photo(
                session, store, inspection_id, data, name=name, source=EvidenceSource.CAMERA, added_by_id=by
            )
            _link(session, evidence.id, link)
            return evidence.id

        def done(evidence_id: str) -> None:
            self.reload()
            self.changed.emit()
            if on_done is not None:
                on_done(evidence_id)

        run_write(store, write, on_done=done, on_error=self._camera_failed)

    def _camera_failed(self, exc: Exception) -> None:
        QMessageBox.warning(self, "拍照", user_message(exc))

    # ─── opening a photo ──────────────────────────────────────────────────────────────────────────

    def _open_index(self, index: QModelIndex) -> None:
        row = index.data(Qt.ItemDataRole.UserRole)
        if isinstance(row, EvidenceRow):
            self.open_photo(row)

    def open_photo(self, row: EvidenceRow) -> Any:
        from inspector.ui.photo_viewer import PhotoViewer

        viewer = PhotoViewer(
            self.store, row, findings=self.findings, current_item=self.current_item, editable=self.editable, parent=self
        )
        viewer.changed.connect(self.reload)
        viewer.changed.connect(self.changed)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.open()
        return viewer


def _set_progress(progress: QProgressDialog, done: int, total: int, files: list[Path]) -> None:
    progress.setMaximum(total)
    progress.setValue(done)
    if done < total:
        progress.setLabelText(f"正在导入第 {done + 1}/{total} 张：{files[done].name}")


def _reasons(rejected: list[Rejected], limit: int = 12) -> str:
    lines = [r.reason_zh for r in rejected[:limit]]
    if len(rejected) > limit:
        lines.append(f"……另有{len(rejected) - limit}个文件")
    return "\n".join(lines)
