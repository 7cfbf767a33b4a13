"""证据照片: ingest with custody facts, links to items and findings, captions, order, annotations, verify.

Ingest takes the Store rather than a session: each photo is hashed, checked, stored and committed on its
own, so a long batch never holds the database's write lock, a bad file never stops the rest, and a
cancelled batch keeps what was already in.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlmodel import Session, col, func, select

from inspector import clock
from inspector.domain.enums import EvidenceSource, InspectionStatus
from inspector.errors import InspectorError, TransitionError, ValidationError
from inspector.evidence.annotations import Annotation, parse_annotations
from inspector.evidence.derived import DerivedImages, Watermark
from inspector.evidence.images import (
    PHOTO_SUFFIXES,
    PhotoFacts,
    PhotoRejectedError,
    read_facts,
    thumbnail_jpeg,
)
from inspector.store.blobs import BlobError
from inspector.store.db import Store
from inspector.store.models import (
    ChecklistItem,
    Evidence,
    EvidenceLink,
    Finding,
    Inspection,
    InspectionInspector,
    Inspector,
    QuizSession,
)

# Photos may be added on site and after it (the phone's pictures are copied in the office); once documents
# are issued the evidence of the case is fixed.
_ACCEPTS_PHOTOS = (InspectionStatus.ON_SITE, InspectionStatus.FINISHED)
MAX_CAPTION = 500
MAX_NAME = 255  # characters of the file name a photo is known by: no file system allows a longer one

Progress = Callable[[int, int, str], None]  # done, total, current file name


@dataclass(frozen=True)
class Rejected:
    name: str
    reason_en: str
    reason_zh: str


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)  # evidence ids, in order
    duplicates: list[str] = field(default_factory=list)  # names of photos already in this inspection
    duplicate_ids: list[str] = field(default_factory=list)  # the evidence those names already are
    rejected: list[Rejected] = field(default_factory=list)
    cancelled: bool = False

    def summary_zh(self) -> str:
        parts = [f"已添加{len(self.added)}张照片"]
        if self.duplicates:
            parts.append(f"{len(self.duplicates)}张已在本次检查中（未重复添加）")
        if self.rejected:
            parts.append(f"{len(self.rejected)}个文件未添加")
        if self.cancelled:
            parts.append("已取消其余文件")
        return "，".join(parts) + "。"


@dataclass(frozen=True)
class _Candidate:
    name: str
    path: Path | None = None
    data: bytes | None = None

    def open(self) -> IO[bytes]:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return self.path.open("rb")

    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size


def photo_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and from each folder (a phone's DCIM too) every photo inside it, in name order.

    A file named explicitly is kept whatever its suffix, so the user hears why it was not added."""
    found: list[Path] = []
    for path in paths:
        if _is_dir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    Path(root) / f
                    for f in sorted(files)
                    if not f.startswith(".") and f.lower().endswith(PHOTO_SUFFIXES)
                )
        else:
            found.append(path)
    return found


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long for the file system, …: given as a file, it gets its verdict as one
        return False


def derived_images(store: Store) -> DerivedImages:
    return DerivedImages(store.data_dir / "derived", store.blobs)


def _inspection_for_photos(session: Session, inspection_id: str) -> Inspection:
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise ValidationError(f"No inspection {inspection_id}.", "找不到这次现场检查。")
    if inspection.status not in _ACCEPTS_PHOTOS:
        raise TransitionError(
            f"Inspection is {inspection.status.value}; photos cannot be added.",
            f"现场检查状态为“{inspection.status.value}”，不能添加照片。",
        )
    return inspection


def ingest_photos(
    store: Store,
    inspection_id: str,
    paths: Sequence[Path],
    *,
    added_by_id: str | None = None,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> IngestReport:
    """Add photo files (and folders of them) to an inspection; every file gets a verdict."""
    candidates = [_Candidate(p.name, path=p) for p in photo_files(paths)]
    return _ingest(
        store,
        inspection_id,
        candidates=candidates,
        source=EvidenceSource.FILE,
        added_by_id=added_by_id,
        progress=progress,
        should_cancel=should_cancel,
    )


def ingest_photo_bytes(
    store: Store,
    inspection_id: str,
    data: bytes,
    *,
    name: str,
    source: EvidenceSource = EvidenceSource.CAMERA,
    added_by_id: str | None = None,
) -> Evidence:
    """One photo held in memory (taken with the laptop's camera), in a unit of work of its own."""
    with store.session() as session:
        return add_photo(session, store, inspection_id, data, name=name, source=source, added_by_id=added_by_id)


PREPARE_WORKERS = 2  # hashing, decoding and writing release the GIL: two photos at once on a 2-core laptop


def _ingest(
    store: Store,
    inspection_id: str,
    *,
    candidates: list[_Candidate],
    source: EvidenceSource,
    added_by_id: str | None,
    progress: Progress | None,
    should_cancel: Callable[[], bool] | None,
) -> IngestReport:
    """Check and store photos two at a time; record them one by one, in the order given."""
    with store.session() as session:
        _inspection_for_photos(session, inspection_id)  # a wrong inspection fails the batch before any work
    report = IngestReport()
    derived = derived_images(store)
    window = PREPARE_WORKERS * 2  # files prepared ahead: memory stays flat however long the batch
    with ThreadPoolExecutor(max_workers=PREPARE_WORKERS, thread_name_prefix="photo-prepare") as pool:
        pending: deque[tuple[_Candidate, Future[PreparedPhoto]]] = deque()
        queue = iter(candidates)

        def top_up() -> None:
            while len(pending) < window:
                candidate = next(queue, None)
                if candidate is None:
                    return
                pending.append((candidate, pool.submit(_prepare, store, derived, candidate)))

        top_up()
        done = 0
        while pending:
            if should_cancel is not None and should_cancel():
                report.cancelled = True
                for _candidate, future in pending:
                    future.cancel()  # blobs already written stay unreferenced: nothing recorded changes
                break
            candidate, future = pending.popleft()
            if progress is not None:
                progress(done, len(candidates), candidate.name)
            done += 1
            try:
                photo = future.result()
                with store.session() as session:
                    evidence_id, is_new = record_photo(
                        session, inspection_id, photo, source=source, added_by_id=added_by_id
                    )
            except InspectorError as exc:
                report.rejected.append(Rejected(photo_label(candidate.name), exc.message_en, exc.message_zh))
            else:
                if is_new:
                    report.added.append(evidence_id)
                else:
                    report.duplicates.append(photo_label(candidate.name))
                    report.duplicate_ids.append(evidence_id)
            top_up()
    if progress is not None and not report.cancelled:
        progress(len(candidates), len(candidates), "")
    return report


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo checked and stored as a blob, not yet recorded in the database."""

    name: str
    sha256: str
    size: int
    facts: PhotoFacts


def prepare_photo_file(store: Store, path: Path) -> PreparedPhoto:
    """Check a file is a whole photo and store its original and thumbnail (no database work: any thread)."""
    return _prepare(store, derived_images(store), _Candidate(path.name, path=path))


def photo_label(name: str) -> str:
    """The name a photo is known by: the last part of what it was called ("../../x.jpg" and "C:\\DCIM\\x.jpg"
    are "x.jpg"), without control characters such as NUL; "照片" when nothing is left."""
    last = re.split(r"[\\/]", name)[-1]
    label = "".join(ch for ch in last if ch.isprintable()).strip()
    return label if label.strip(".") else "照片"


def _prepare(store: Store, derived: DerivedImages, candidate: _Candidate) -> PreparedPhoto:
    name = photo_label(candidate.name)
    if len(name) > MAX_NAME:
        raise PhotoRejectedError(
            f"{name[:40]}…: the file name is longer than {MAX_NAME} characters.",
            f"{name[:40]}…：文件名超过{MAX_NAME}个字符，请改短文件名后再添加。",
        )
    if candidate.path is not None and "\x00" in str(candidate.path):  # no system call takes it: a ValueError
        raise PhotoRejectedError(
            f"{name}: the file name holds a NUL character.", f"{name}：文件名含有不允许的字符（空字符），无法读取。"
        )
    try:
        size = candidate.size()
        if size == 0:
            raise PhotoRejectedError(f"{name}: the file is empty (0 bytes).", f"{name}：文件为空（0字节）。")
        with candidate.open() as fh:
            facts = read_facts(fh, name=name)
        with candidate.open() as fh:
            thumbnail = thumbnail_jpeg(fh, name=name)  # decodes every byte: a damaged file fails here
    except OSError as exc:
        raise PhotoRejectedError(
            f"{name}: cannot be read ({exc.strerror or exc}).", f"{name}：无法读取（{exc.strerror or exc}）。"
        ) from exc
    if candidate.data is not None:
        sha = store.blobs.put_bytes(candidate.data)
    else:
        assert candidate.path is not None
        sha = store.blobs.put_file(candidate.path)
    with contextlib.suppress(OSError):  # only a cache: made again when the gallery asks
        derived.save_thumbnail(sha, thumbnail)
    return PreparedPhoto(name, sha, size, facts)


def record_photo(
    session: Session,
    inspection_id: str,
    photo: PreparedPhoto,
    *,
    source: EvidenceSource = EvidenceSource.FILE,
    added_by_id: str | None = None,
) -> tuple[str, bool]:
    """The photo's evidence id in the inspection, and whether it is new there."""
    inspection = _inspection_for_photos(session, inspection_id)
    existing = session.exec(
        select(Evidence.id).where(Evidence.inspection_id == inspection_id, Evidence.sha256 == photo.sha256)
    ).first()
    if existing is not None:
        return existing, False
    last = session.exec(select(func.max(Evidence.position)).where(Evidence.inspection_id == inspection_id)).one()
    facts = photo.facts
    evidence = Evidence(
        inspection_id=inspection_id,
        sha256=photo.sha256,
        original_name=photo.name[:255],
        media_type=facts.media_type,
        size_bytes=photo.size,
        width=facts.width,
        height=facts.height,
        orientation=facts.orientation,
        captured_at_exif=facts.captured_at_exif,
        captured_at_device=clock.now(),
        latitude=facts.latitude,
        longitude=facts.longitude,
        camera_model=facts.camera_model[:120],
        source=source,
        added_by_id=added_by_id,
        position=(last or 0) + 1,
    )
    session.add(evidence)
    if facts.latitude is not None and facts.longitude is not None and inspection.latitude is None:
        # The first photo with a position locates the inspection when nobody typed one in.
        inspection.latitude, inspection.longitude = facts.latitude, facts.longitude
        inspection.gps_source = "照片EXIF"
        session.add(inspection)
    session.flush()
    return evidence.id, True


def add_photo_file(
    session: Session, store: Store, inspection_id: str, path: Path, *, added_by_id: str | None = None
) -> tuple[str, bool]:
    """One photo file, recorded in the caller's unit of work: (evidence id, whether it is new here).

    Raises PhotoRejectedError (with the reason) for a file that is not a whole photo."""
    _inspection_for_photos(session, inspection_id)
    photo = prepare_photo_file(store, path)
    return record_photo(session, inspection_id, photo, source=EvidenceSource.FILE, added_by_id=added_by_id)


def add_photo(
    session: Session,
    store: Store,
    inspection_id: str,
    data: bytes,
    *,
    name: str,
    source: EvidenceSource = EvidenceSource.CAMERA,
    added_by_id: str | None = None,
) -> Evidence:
    """One photo held in memory, recorded in the caller's unit of work (a quiz paper, the demo)."""
    _inspection_for_photos(session, inspection_id)
    photo = _prepare(store, derived_images(store), _Candidate(name, data=data))
    evidence_id, _is_new = record_photo(session, inspection_id, photo, source=source, added_by_id=added_by_id)
    return _get(session, evidence_id)


def _get(session: Session, evidence_id: str) -> Evidence:
    evidence = session.get(Evidence, evidence_id)
    if evidence is None:
        raise ValidationError(f"No photo {evidence_id}.", "找不到这张照片。")
    return evidence


# ─── links, captions, order, annotations ─────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class EvidenceRow:
    id: str
    inspection_id: str
    sha256: str
    original_name: str
    media_type: str
    size_bytes: int
    width: int | None
    height: int | None
    orientation: int
    captured_at_exif: str
    captured_at_device: datetime | None
    latitude: float | None
    longitude: float | None
    camera_model: str
    source: EvidenceSource
    added_by: str
    caption: str
    position: int
    annotations: list[dict[str, Any]]
    item_ids: tuple[str, ...]
    item_codes: tuple[str, ...]
    finding_ids: tuple[str, ...]

    @property
    def upright_size(self) -> tuple[int, int] | None:
        if self.width is None or self.height is None:
            return None
        return (self.height, self.width) if self.orientation in (5, 6, 7, 8) else (self.width, self.height)

    def taken_at_text(self) -> str:
        """For people: the camera's time when it wrote one, else the laptop's clock at import."""
        if self.captured_at_exif:
            return self.captured_at_exif[:16] + "（拍摄）"
        if self.captured_at_device is not None:
            return clock.to_local(self.captured_at_device).strftime("%Y-%m-%d %H:%M") + "（导入）"
        return "—"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sha256": self.sha256,
            "name": self.original_name,
            "media_type": self.media_type,
            "size_bytes": self.size_bytes,
            "width": self.width,
            "height": self.height,
            "captured_at_exif": self.captured_at_exif,
            "captured_at_device": self.captured_at_device.isoformat() if self.captured_at_device else None,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "camera_model": self.camera_model,
            "source": self.source.value,
            "added_by": self.added_by,
            "caption": self.caption,
            "position": self.position,
            "annotations": len(self.annotations),
            "items": list(self.item_codes),
            "findings": list(self.finding_ids),
        }


def list_evidence(
    session: Session, inspection_id: str, *, item_id: str | None = None, finding_id: str | None = None
) -> list[EvidenceRow]:
    """The photos of an inspection in their order, or only those linked to one item or one finding."""
    query = select(Evidence).where(Evidence.inspection_id == inspection_id)
    if item_id is not None or finding_id is not None:
        linked = select(EvidenceLink.evidence_id).where(
            EvidenceLink.item_id == item_id if item_id is not None else EvidenceLink.finding_id == finding_id
        )
        query = query.where(col(Evidence.id).in_(linked))
    photos = list(session.exec(query.order_by(col(Evidence.position), col(Evidence.created_at))))
    if not photos:
        return []
    ids = [p.id for p in photos]
    links = session.exec(
        select(EvidenceLink.evidence_id, EvidenceLink.item_id, EvidenceLink.finding_id, ChecklistItem.code)
        .outerjoin(ChecklistItem, col(ChecklistItem.id) == EvidenceLink.item_id)
        .where(col(EvidenceLink.evidence_id).in_(ids))
        .order_by(col(EvidenceLink.created_at))
    ).all()
    items: dict[str, list[tuple[str, str]]] = {}
    findings: dict[str, list[str]] = {}
    for evidence_id, link_item, link_finding, code in links:
        if link_item is not None:
            items.setdefault(evidence_id, []).append((link_item, code or ""))
        if link_finding is not None:
            findings.setdefault(evidence_id, []).append(link_finding)
    adder_ids = {p.added_by_id for p in photos if p.added_by_id}
    names = (
        dict(session.exec(select(Inspector.id, Inspector.name).where(col(Inspector.id).in_(adder_ids))).all())
        if adder_ids
        else {}
    )
    return [
        EvidenceRow(
            id=p.id,
            inspection_id=p.inspection_id,
            sha256=p.sha256,
            original_name=p.original_name,
            media_type=p.media_type,
            size_bytes=p.size_bytes,
            width=p.width,
            height=p.height,
            orientation=p.orientation,
            captured_at_exif=p.captured_at_exif,
            captured_at_device=p.captured_at_device,
            latitude=p.latitude,
            longitude=p.longitude,
            camera_model=p.camera_model,
            source=p.source,
            added_by=names.get(p.added_by_id or "", ""),
            caption=p.caption,
            position=p.position,
            annotations=list(p.annotations),
            item_ids=tuple(i for i, _ in items.get(p.id, [])),
            item_codes=tuple(c for _, c in items.get(p.id, [])),
            finding_ids=tuple(findings.get(p.id, [])),
        )
        for p in photos
    ]


def _editable(session: Session, evidence: Evidence) -> Inspection:
    return _inspection_for_photos(session, evidence.inspection_id)


def set_caption(session: Session, *, evidence_id: str, caption: str) -> Evidence:
    evidence = _get(session, evidence_id)
    _editable(session, evidence)
    caption = caption.strip()
    if len(caption) > MAX_CAPTION:
        raise ValidationError(f"Caption longer than {MAX_CAPTION} characters.", f"说明不能超过{MAX_CAPTION}字。")
    evidence.caption = caption
    session.add(evidence)
    session.flush()
    return evidence


def set_annotations(session: Session, *, evidence_id: str, annotations: list[dict[str, Any]]) -> Evidence:
    parsed = parse_annotations(annotations)
    evidence = _get(session, evidence_id)
    _editable(session, evidence)
    evidence.annotations = [a.to_data() for a in parsed]
    session.add(evidence)
    session.flush()
    return evidence


def move_evidence(session: Session, *, evidence_id: str, to_index: int) -> list[str]:
    """Put a photo at `to_index` (0-based) in its inspection's order; returns the new order of ids."""
    evidence = _get(session, evidence_id)
    _editable(session, evidence)
    photos = list(
        session.exec(
            select(Evidence)
            .where(Evidence.inspection_id == evidence.inspection_id)
            .order_by(col(Evidence.position), col(Evidence.created_at))
        )
    )
    photos.remove(next(p for p in photos if p.id == evidence_id))
    photos.insert(max(0, min(to_index, len(photos))), evidence)
    for position, photo in enumerate(photos, start=1):
        if photo.position != position:
            photo.position = position
            session.add(photo)
    session.flush()
    return [p.id for p in photos]


def link_evidence(
    session: Session, *, evidence_id: str, item_id: str | None = None, finding_id: str | None = None
) -> EvidenceLink:
    """Link a photo to a checklist item of its inspection or to one of its findings (once)."""
    if (item_id is None) == (finding_id is None):
        raise ValidationError("Link to exactly one item or one finding.", "请选择一个检查项或一条隐患。")
    evidence = _get(session, evidence_id)
    inspection = _editable(session, evidence)
    if item_id is not None:
        item = session.get(ChecklistItem, item_id)
        if item is None or item.template_id != inspection.checklist_template_id:
            raise ValidationError("The item is not on this inspection's checklist.", "该检查项不属于本次检查的检查表。")
    if finding_id is not None:
        finding = session.get(Finding, finding_id)
        if finding is None or finding.inspection_id != inspection.id:
            raise ValidationError("The finding is not from this inspection.", "该隐患不属于本次检查。")
    existing = session.exec(
        select(EvidenceLink).where(
            EvidenceLink.evidence_id == evidence_id,
            EvidenceLink.item_id == item_id if item_id is not None else EvidenceLink.finding_id == finding_id,
        )
    ).first()
    if existing is not None:
        return existing
    link = EvidenceLink(evidence_id=evidence_id, item_id=item_id, finding_id=finding_id)
    session.add(link)
    session.flush()
    return link


def unlink_evidence(
    session: Session, *, evidence_id: str, item_id: str | None = None, finding_id: str | None = None
) -> None:
    if (item_id is None) == (finding_id is None):
        raise ValidationError("Unlink from exactly one item or one finding.", "请选择一个检查项或一条隐患。")
    evidence = _get(session, evidence_id)
    _editable(session, evidence)
    links = session.exec(
        select(EvidenceLink).where(
            EvidenceLink.evidence_id == evidence_id,
            EvidenceLink.item_id == item_id if item_id is not None else EvidenceLink.finding_id == finding_id,
        )
    ).all()
    for link in links:
        session.delete(link)
    session.flush()


def remove_evidence(session: Session, *, evidence_id: str) -> None:
    """Take a photo out of an inspection still on site (a wrong picture); the stored original stays."""
    evidence = _get(session, evidence_id)
    inspection = _editable(session, evidence)
    if inspection.status is not InspectionStatus.ON_SITE:
        raise TransitionError(
            "Photos can be removed only while the inspection is on site.", "检查已完成，照片不能再删除。"
        )
    used = session.exec(
        select(QuizSession.id).where(
            (QuizSession.paper_evidence_id == evidence_id) | (QuizSession.person_photo_evidence_id == evidence_id)
        )
    ).first()
    if used is not None:
        raise TransitionError("The photo belongs to a quiz record.", "这张照片是考试记录的一部分，不能删除。")
    for link in session.exec(select(EvidenceLink).where(EvidenceLink.evidence_id == evidence_id)).all():
        session.delete(link)
    session.flush()  # the links go first: no relationship tells the unit of work their order
    session.delete(evidence)
    session.flush()


# ─── print copy ──────────────────────────────────────────────────────────────────────────────────────


def inspection_label(inspection: Inspection) -> str:
    if inspection.case_year and inspection.case_number:
        return f"{inspection.case_year}年第{inspection.case_number}号"
    return f"检查 {inspection.id[-8:].upper()}"


def watermark_for(session: Session, evidence_id: str) -> tuple[Evidence, Watermark]:
    evidence = _get(session, evidence_id)
    inspection = session.get(Inspection, evidence.inspection_id)
    assert inspection is not None
    names = session.exec(
        select(Inspector.name)
        .join(InspectionInspector, col(InspectionInspector.inspector_id) == Inspector.id)
        .where(InspectionInspector.inspection_id == inspection.id)
        .order_by(col(InspectionInspector.position))
    ).all()
    row = list_evidence(session, evidence.inspection_id)
    taken = next(r for r in row if r.id == evidence_id).taken_at_text()
    return evidence, Watermark(
        taken_at=taken,
        place=inspection.place,
        inspection_label=inspection_label(inspection),
        inspectors="、".join(names),
        sha256=evidence.sha256,
    )


def print_copy(session: Session, store: Store, evidence_id: str, *, long_side: int | None = None) -> bytes:
    """The printable JPEG: upright, annotated, with the watermark strip; the original is untouched."""
    evidence, watermark = watermark_for(session, evidence_id)
    annotations: list[Annotation] = parse_annotations(evidence.annotations)
    _require_original(store, evidence.sha256, evidence.original_name)
    derived = derived_images(store)
    if long_side is None:
        return derived.print_copy(evidence.sha256, annotations, watermark)
    return derived.print_copy(evidence.sha256, annotations, watermark, long_side=long_side)


def print_copies(session: Session, store: Store, evidence_ids: Sequence[str], *, long_side: int) -> list[bytes]:
    """Print copies of many photos (a document's appendix): read from the database first, then drawn two at a
    time, since drawing is image work that needs no session."""
    jobs = []
    for evidence_id in evidence_ids:
        evidence, watermark = watermark_for(session, evidence_id)
        _require_original(store, evidence.sha256, evidence.original_name)
        jobs.append((evidence.sha256, parse_annotations(evidence.annotations), watermark))
    derived = derived_images(store)
    with ThreadPoolExecutor(max_workers=PREPARE_WORKERS, thread_name_prefix="print-copy") as pool:
        futures = [
            pool.submit(derived.print_copy, sha, annotations, watermark, long_side=long_side)
            for sha, annotations, watermark in jobs
        ]
        return [f.result() for f in futures]


def _require_original(store: Store, sha256: str, name: str) -> None:
    if not store.blobs.has(sha256):
        raise BlobError(
            f"The original of {name or sha256} is missing from the blob store.",
            f"照片原件缺失（{name or sha256[:12]}），请运行“证据校验”或从办公室重新同步。",
        )


def upright_preview(store: Store, sha256: str, long_side: int) -> Any:
    """The upright photo scaled for a viewer (a PIL image)."""
    _require_original(store, sha256, "")
    return derived_images(store).upright(sha256, long_side)


# ─── custody check ───────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class EvidenceCheck:
    evidence_id: str
    inspection_id: str
    name: str
    sha256: str
    status: str  # ok / missing / changed


def verify_evidence(store: Store, *, progress: Progress | None = None) -> list[EvidenceCheck]:
    """Hash every photo's original again; one line per photo, whether it is unchanged, changed or gone."""
    with store.session() as session:
        rows = session.exec(
            select(Evidence.id, Evidence.inspection_id, Evidence.original_name, Evidence.sha256).order_by(
                col(Evidence.created_at)
            )
        ).all()
    checks: list[EvidenceCheck] = []
    verdicts: dict[str, str] = {}
    for done, (evidence_id, inspection_id, name, sha) in enumerate(rows):
        if progress is not None:
            progress(done, len(rows), name)
        if sha not in verdicts:
            verdicts[sha] = store.blobs.verify(sha).status
        checks.append(EvidenceCheck(evidence_id, inspection_id, name, sha, verdicts[sha]))
    return checks
