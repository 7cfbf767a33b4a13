"""Ingest: every file gets a verdict, good photos go in once, bad ones are named with a reason, nothing half-done."""

from __future__ import annotations

import errno
import hashlib
import os
import random
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.domain.enums import EvidenceSource, InspectionStatus
from inspector.errors import TransitionError, ValidationError
from inspector.evidence.images import PhotoRejectedError
from inspector.evidence.service import derived_images, ingest_photo_bytes, ingest_photos, list_evidence
from inspector.inspections.service import finish_inspection, update_site_details
from inspector.store.blobs import BlobError, BlobStore
from inspector.store.db import Store
from inspector.store.models import Evidence, Inspection
from tests.conftest import Basics
from tests.evidence.conftest import (
    evidence_rows,
    photo_bytes,
    png_header_only,
    set_status,
    start,
    write_photo,
)

LONG_NAME = "现场" + "x" * 194 + ".jpg"  # 200 characters
ODD_NAMES = ["a 现场 照片 (1).jpg", "b 🔥 配电箱.jpg", "c #5 %20 & 1.JPG", LONG_NAME]


def _names(store: Store, inspection_id: str) -> list[str]:
    return [e.original_name for e in evidence_rows(store, inspection_id)]


def test_a_folder_with_good_and_bad_files(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """Every good photo goes in, in name order (subfolders too); every bad file is named with a Chinese reason."""
    folder = tmp_path / "手机导出"
    for seed, name in enumerate(ODD_NAMES):
        write_photo(folder / name, seed=seed)
    write_photo(folder / "DCIM" / "100ANDRO" / "IMG_0001.jpg", seed=10)
    write_photo(folder / "DCIM" / "100ANDRO" / "IMG_0002.png", seed=11, image_format="PNG")
    (folder / "d 空文件.jpg").write_bytes(b"")
    (folder / "e 文字.jpg").write_text("这不是照片", encoding="utf-8")
    half = photo_bytes(seed=12)
    (folder / "f 半张.jpg").write_bytes(half[: len(half) // 2])
    (folder / "g 炸弹.png").write_bytes(png_header_only(30000, 30000))

    report = ingest_photos(store, inspection_id, [folder])

    # Name order within a folder, the folder's own files before its subfolders'.
    assert _names(store, inspection_id) == [*sorted(ODD_NAMES), "IMG_0001.jpg", "IMG_0002.png"]
    assert report.added == [e.id for e in evidence_rows(store, inspection_id)]
    assert [e.position for e in evidence_rows(store, inspection_id)] == [1, 2, 3, 4, 5, 6]
    reasons = {r.name: r.reason_zh for r in report.rejected}
    assert set(reasons) == {"d 空文件.jpg", "e 文字.jpg", "f 半张.jpg", "g 炸弹.png"}
    assert "文件为空" in reasons["d 空文件.jpg"]
    assert "不是可识别的图片" in reasons["e 文字.jpg"]
    assert "损坏" in reasons["f 半张.jpg"]
    assert "像素过多" in reasons["g 炸弹.png"]
    assert all(reason.startswith(name) for name, reason in reasons.items())
    assert report.duplicates == [] and not report.cancelled
    assert report.summary_zh() == "已添加6张照片，4个文件未添加。"
    assert len(list(store.blobs.all_hashes())) == 6  # nothing of the bad files was kept


def test_the_stored_original_is_the_file_byte_for_byte(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """The blob is the file untouched, its facts are recorded, and a thumbnail is cached."""
    path = write_photo(tmp_path / "IMG_0001.jpg", taken_at=datetime(2026, 11, 28, 10, 32, 5), orientation=6)
    report = ingest_photos(store, inspection_id, [path])
    (evidence,) = evidence_rows(store, inspection_id)
    assert report.added == [evidence.id]
    assert evidence.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert store.blobs.read(evidence.sha256) == path.read_bytes()
    assert (evidence.media_type, evidence.size_bytes) == ("image/jpeg", path.stat().st_size)
    assert (evidence.width, evidence.height, evidence.orientation) == (640, 480, 6)
    assert evidence.captured_at_exif == "2026-11-28 10:32:05+08:00"
    assert evidence.source is EvidenceSource.FILE and evidence.captured_at_device is not None
    assert derived_images(store).thumbnail_file(evidence.sha256).is_file()
    with store.session() as session:
        (row,) = list_evidence(session, inspection_id)
    assert row.upright_size == (480, 640)
    assert row.taken_at_text() == "2026-11-28 10:32（拍摄）"


def test_hidden_and_non_photo_files_in_a_folder_are_skipped(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """In a folder only photo suffixes count; dot files and dot folders are passed over silently."""
    folder = tmp_path / "DCIM"
    write_photo(folder / "IMG_0001.jpg")
    write_photo(folder / ".IMG_0002.jpg", seed=2)
    write_photo(folder / ".thumbnails" / "IMG_0003.jpg", seed=3)
    (folder / "notes.txt").write_text("记录", encoding="utf-8")
    (folder / "VID_0001.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    report = ingest_photos(store, inspection_id, [folder])
    assert _names(store, inspection_id) == ["IMG_0001.jpg"]
    assert len(report.added) == 1 and report.rejected == []


def test_a_file_named_explicitly_gets_a_verdict_whatever_its_suffix(
    store: Store, inspection_id: str, tmp_path: Path
) -> None:
    """A file chosen by hand is never skipped silently: a .txt is refused with a reason."""
    note = tmp_path / "notes.txt"
    note.write_text("记录", encoding="utf-8")
    report = ingest_photos(store, inspection_id, [note])
    assert [r.name for r in report.rejected] == ["notes.txt"] and report.added == []


def test_the_same_photo_twice_is_stored_once(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """The same bytes under another name, in the same batch or a later one, are a duplicate, not a second row."""
    first = write_photo(tmp_path / "IMG_0001.jpg")
    copy = tmp_path / "副本 IMG_0001.jpg"
    copy.write_bytes(first.read_bytes())
    report = ingest_photos(store, inspection_id, [first, copy])
    assert len(report.added) == 1
    assert report.duplicates == ["副本 IMG_0001.jpg"] and report.duplicate_ids == report.added
    again = ingest_photos(store, inspection_id, [first])
    assert again.added == [] and again.duplicate_ids == report.added
    assert again.summary_zh() == "已添加0张照片，1张已在本次检查中（未重复添加）。"
    assert len(evidence_rows(store, inspection_id)) == 1
    assert len(list(store.blobs.all_hashes())) == 1


def test_one_photo_in_two_inspections_is_two_rows_and_one_blob(
    store: Store, basics: Basics, inspection_id: str, tmp_path: Path
) -> None:
    """Each inspection has its own evidence row; the bytes are kept once."""
    other = start(store, basics, enterprise_id=basics.plant_id)
    path = write_photo(tmp_path / "IMG_0001.jpg")
    a = ingest_photos(store, inspection_id, [path]).added
    b = ingest_photos(store, other, [path]).added
    assert len(a) == len(b) == 1 and a != b
    rows = evidence_rows(store)
    assert len(rows) == 2 and rows[0].sha256 == rows[1].sha256
    assert list(store.blobs.all_hashes()) == [rows[0].sha256]


def test_progress_counts_up_to_the_total(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """Progress is (done, total, name) before each file, then (total, total) at the end."""
    paths = [write_photo(tmp_path / f"IMG_{i}.jpg", seed=i) for i in range(3)]
    calls: list[tuple[int, int, str]] = []
    ingest_photos(store, inspection_id, paths, progress=lambda d, t, n: calls.append((d, t, n)))
    assert calls == [(0, 3, "IMG_0.jpg"), (1, 3, "IMG_1.jpg"), (2, 3, "IMG_2.jpg"), (3, 3, "")]


def test_cancel_keeps_what_was_already_in(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """should_cancel turning True after two files stops the batch with exactly two photos added."""
    paths = [write_photo(tmp_path / f"IMG_{i}.jpg", seed=i) for i in range(5)]
    asked = 0

    def cancel() -> bool:
        nonlocal asked
        asked += 1
        return asked > 2

    report = ingest_photos(store, inspection_id, paths, should_cancel=cancel)
    assert report.cancelled and len(report.added) == 2
    assert _names(store, inspection_id) == ["IMG_0.jpg", "IMG_1.jpg"]
    assert report.summary_zh() == "已添加2张照片，已取消其余文件。"
    # Files already being prepared may leave their originals in the blob store, unreferenced: harmless.
    assert len(list(store.blobs.all_hashes())) <= 5


def test_an_unknown_inspection_fails_before_anything_is_stored(store: Store, basics: Basics, tmp_path: Path) -> None:
    """A wrong inspection id raises ValidationError; no blob, thumbnail or row is written."""
    path = write_photo(tmp_path / "IMG_0001.jpg")
    with pytest.raises(ValidationError):
        ingest_photos(store, "0" * 32, [path])
    with pytest.raises(ValidationError):
        ingest_photo_bytes(store, "0" * 32, path.read_bytes(), name="camera.jpg")
    assert list(store.blobs.all_hashes()) == [] and evidence_rows(store) == []
    assert not (store.data_dir / "derived").exists()


@pytest.mark.parametrize("status", [InspectionStatus.DRAFT, InspectionStatus.DOCUMENTS_ISSUED, InspectionStatus.CLOSED])
def test_photos_are_refused_outside_on_site_and_finished(
    store: Store, inspection_id: str, tmp_path: Path, status: InspectionStatus
) -> None:
    """Only 现场检查中 and 检查完成 take photos; otherwise the batch raises before storing anything."""
    set_status(store, inspection_id, status)
    with pytest.raises(TransitionError) as err:
        ingest_photos(store, inspection_id, [write_photo(tmp_path / "IMG_0001.jpg")])
    assert status.value in err.value.message_zh
    assert list(store.blobs.all_hashes()) == [] and evidence_rows(store) == []


def test_a_finished_inspection_still_takes_photos(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """Photos copied from the phone in the office, after 检查完成, are added."""
    with store.session() as session:
        finish_inspection(session, inspection_id=inspection_id)
    report = ingest_photos(store, inspection_id, [write_photo(tmp_path / "IMG_0001.jpg")])
    assert len(report.added) == 1


def test_a_failing_blob_write_rejects_only_that_file(
    store: Store, inspection_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A BlobError on one file names it in the report; the earlier photo and the rest of the batch are intact."""
    first = write_photo(tmp_path / "a.jpg", seed=1)
    ingest_photos(store, inspection_id, [first])
    (before,) = evidence_rows(store, inspection_id)
    real_put_file = BlobStore.put_file

    def failing(self: BlobStore, source: Path) -> str:
        if source.name == "b.jpg":
            raise BlobError("disk full", "文件保存失败（磁盘已满），请检查磁盘空间。已保存的数据不受影响。")
        return real_put_file(self, source)

    monkeypatch.setattr(BlobStore, "put_file", failing)
    report = ingest_photos(
        store, inspection_id, [write_photo(tmp_path / "b.jpg", seed=2), write_photo(tmp_path / "c.jpg", seed=3)]
    )
    assert [r.name for r in report.rejected] == ["b.jpg"] and "磁盘空间" in report.rejected[0].reason_zh
    assert _names(store, inspection_id) == ["a.jpg", "c.jpg"]
    assert evidence_rows(store, inspection_id)[0].model_dump() == before.model_dump()
    assert store.blobs.verify(before.sha256).status == "ok"
    assert len(list(store.blobs.all_hashes())) == 2


def test_a_disk_error_while_storing_becomes_a_rejection(
    store: Store, inspection_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSError inside the blob store (disk full at fsync) is a BlobError: no row, no blob, no temporary file."""
    ingest_photos(store, inspection_id, [write_photo(tmp_path / "a.jpg", seed=1)])
    hashes = list(store.blobs.all_hashes())

    def disk_full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    report = ingest_photos(store, inspection_id, [write_photo(tmp_path / "b.jpg", seed=2)])
    monkeypatch.undo()
    assert report.added == [] and [r.name for r in report.rejected] == ["b.jpg"]
    assert "磁盘空间" in report.rejected[0].reason_zh
    assert _names(store, inspection_id) == ["a.jpg"]
    assert list(store.blobs.all_hashes()) == hashes and store.blobs.leftovers() == []


def test_the_first_photo_with_gps_locates_an_inspection_without_a_position(
    store: Store, inspection_id: str, tmp_path: Path
) -> None:
    """Photo EXIF fills the inspection's position once (the first photo with GPS), marked 照片EXIF."""
    with store.session() as session:
        assert session.get(Inspection, inspection_id).latitude is None  # type: ignore[union-attr]
    paths = [
        write_photo(tmp_path / "a.jpg", seed=1, camera=None),
        write_photo(tmp_path / "b.jpg", seed=2, gps=(35.486123, 112.410845)),
        write_photo(tmp_path / "c.jpg", seed=3, gps=(36.0, 113.0)),
    ]
    ingest_photos(store, inspection_id, paths)
    with store.session() as session:
        inspection = session.get(Inspection, inspection_id)
    assert inspection is not None
    assert inspection.latitude == pytest.approx(35.486123, abs=1e-5)
    assert inspection.longitude == pytest.approx(112.410845, abs=1e-5)
    assert inspection.gps_source == "照片EXIF"


def test_a_typed_position_is_not_replaced_by_photo_gps(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """When the inspector entered the position, photo GPS leaves it alone."""
    with store.session() as session:
        update_site_details(session, inspection_id=inspection_id, latitude=35.1, longitude=112.2)
    ingest_photos(store, inspection_id, [write_photo(tmp_path / "a.jpg", gps=(36.0, 113.0))])
    with store.session() as session:
        inspection = session.get(Inspection, inspection_id)
    assert inspection is not None
    assert (inspection.latitude, inspection.longitude, inspection.gps_source) == (35.1, 112.2, "手工输入")
    assert evidence_rows(store, inspection_id)[0].latitude == pytest.approx(36.0, abs=1e-5)


def test_a_100_mb_file_of_random_bytes_is_refused_and_not_stored(
    store: Store, inspection_id: str, tmp_path: Path
) -> None:
    """A large non-image named .jpg is refused from its first bytes; nothing reaches the blob store."""
    path = tmp_path / "VID_20261128.jpg"
    path.write_bytes(random.Random(1).randbytes(100 * 1024 * 1024))
    report = ingest_photos(store, inspection_id, [path])
    assert report.added == [] and [r.name for r in report.rejected] == [path.name]
    assert "不是可识别的图片" in report.rejected[0].reason_zh
    assert list(store.blobs.all_hashes()) == [] and store.blobs.leftovers() == []


def test_a_truncated_screenshot_is_rejected_as_damaged(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """Half a PNG without EXIF (a typical screenshot) gets the same Chinese reason as half a JPEG."""
    data = photo_bytes(image_format="PNG", camera=None)
    path = tmp_path / "截图.png"
    path.write_bytes(data[: len(data) // 2])
    report = ingest_photos(store, inspection_id, [path])
    (rejected,) = report.rejected
    assert rejected.reason_zh == "截图.png：图片数据不完整或已损坏，无法作为证据。"


def test_camera_bytes_are_stored_as_a_camera_photo(store: Store, basics: Basics, inspection_id: str) -> None:
    """ingest_photo_bytes keeps the source 现场拍摄 and who took it; the same bytes again give the same evidence."""
    data = photo_bytes(seed=5)
    evidence = ingest_photo_bytes(store, inspection_id, data, name="camera-1.jpg", added_by_id=basics.inspector_ids[0])
    assert evidence.source is EvidenceSource.CAMERA
    assert evidence.sha256 == hashlib.sha256(data).hexdigest() and store.blobs.read(evidence.sha256) == data
    again = ingest_photo_bytes(store, inspection_id, data, name="camera-2.jpg")
    assert again.id == evidence.id and again.original_name == "camera-1.jpg"
    with store.session() as session:
        assert len(session.exec(select(Evidence)).all()) == 1
        (row,) = list_evidence(session, inspection_id)
    assert row.added_by == "王一"


def test_camera_bytes_that_are_not_a_photo_raise(store: Store, inspection_id: str) -> None:
    """A refused camera frame raises PhotoRejectedError with the reason, and stores nothing."""
    with pytest.raises(PhotoRejectedError) as err:
        ingest_photo_bytes(store, inspection_id, b"", name="camera.jpg")
    assert "文件为空" in err.value.message_zh
    with pytest.raises(PhotoRejectedError):
        ingest_photo_bytes(store, inspection_id, b"not a jpeg at all", name="camera.jpg")
    assert evidence_rows(store) == [] and list(store.blobs.all_hashes()) == []
