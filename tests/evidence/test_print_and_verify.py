"""The print copy (annotated, watermarked, original untouched), the thumbnail cache, and the custody check."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from inspector.evidence.annotations import Annotation, parse_annotation, parse_annotations
from inspector.evidence.derived import DerivedImages
from inspector.evidence.service import (
    derived_images,
    ingest_photos,
    print_copy,
    set_annotations,
    verify_evidence,
)
from inspector.store.blobs import BlobError
from inspector.store.db import Store
from inspector.store.models import Evidence
from tests.conftest import Basics
from tests.evidence.conftest import evidence_rows, is_red, start, write_photo

STRIP_BLUE = (0x1F, 0x3A, 0x5F)


def _one_photo(store: Store, inspection_id: str, tmp_path: Path, **kwargs: object) -> Evidence:
    ingest_photos(store, inspection_id, [write_photo(tmp_path / "IMG_0001.jpg", **kwargs)])
    (evidence,) = evidence_rows(store, inspection_id)
    return evidence


def _blob_sha(store: Store, sha: str) -> str:
    return hashlib.sha256(store.blobs.path_of(sha).read_bytes()).hexdigest()


def test_print_copy_is_upright_annotated_and_watermarked(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """Orientation 6 prints portrait, the red box sits where it was drawn, the strip is below the photo."""
    evidence = _one_photo(store, inspection_id, tmp_path, orientation=6)
    with store.session() as session:
        set_annotations(
            session,
            evidence_id=evidence.id,
            annotations=[{"kind": "rect", "x1": 0.25, "y1": 0.25, "x2": 0.75, "y2": 0.75}],
        )
    sheet = Image.open(io.BytesIO(_print(store, evidence.id)))
    assert sheet.format == "JPEG"
    sheet = sheet.convert("RGB")
    w, h = 480, 640  # upright; not enlarged past the original
    assert sheet.width == w and sheet.height > h
    assert is_red(sheet.getpixel((w // 4, h // 2)))  # left edge of the box
    assert is_red(sheet.getpixel((w // 2, h // 4)))  # top edge
    assert not is_red(sheet.getpixel((w // 2, h // 2)))  # inside the box the photo shows through
    assert not is_red(sheet.getpixel((w // 8, h // 8)))
    strip = sheet.getpixel((2, sheet.height - 2))
    assert all(abs(a - b) < 12 for a, b in zip(strip, STRIP_BLUE, strict=True))
    assert _blob_sha(store, evidence.sha256) == evidence.sha256  # the original is untouched


def test_print_copy_can_be_smaller(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """long_side scales the photo; the strip is still added below it."""
    evidence = _one_photo(store, inspection_id, tmp_path)
    sheet = Image.open(io.BytesIO(_print(store, evidence.id, long_side=320)))
    assert sheet.width == 320 and sheet.height > 240


def test_print_copy_of_a_missing_original_says_so(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """When the original is gone from the blob store, the user reads 照片原件缺失, not a file-system error."""
    evidence = _one_photo(store, inspection_id, tmp_path)
    store.blobs.path_of(evidence.sha256).unlink()
    with pytest.raises(BlobError) as err:
        _print(store, evidence.id)
    assert err.value.message_zh.startswith("照片原件缺失（IMG_0001.jpg）")
    assert "blobs" not in err.value.message_zh


def test_verify_reports_ok_changed_and_missing(
    store: Store, basics: Basics, inspection_id: str, tmp_path: Path
) -> None:
    """Every photo is hashed again and named; a blob shared by two inspections is reported for both."""
    other = start(store, basics, enterprise_id=basics.plant_id)
    paths = [write_photo(tmp_path / f"IMG_{i}.jpg", seed=i) for i in range(3)]
    ingest_photos(store, inspection_id, paths)
    ingest_photos(store, other, paths[:1])
    checks = verify_evidence(store)
    assert [c.status for c in checks] == ["ok"] * 4
    assert sorted(c.name for c in checks) == ["IMG_0.jpg", "IMG_0.jpg", "IMG_1.jpg", "IMG_2.jpg"]

    rows = evidence_rows(store, inspection_id)
    changed, gone = rows[0].sha256, rows[1].sha256
    store.blobs.path_of(changed).write_bytes(b"edited behind the app's back")
    store.blobs.path_of(gone).unlink()
    calls: list[tuple[int, int]] = []
    checks = verify_evidence(store, progress=lambda done, total, _name: calls.append((done, total)))
    status = {(c.inspection_id, c.name): c.status for c in checks}
    assert status == {
        (inspection_id, "IMG_0.jpg"): "changed",
        (other, "IMG_0.jpg"): "changed",
        (inspection_id, "IMG_1.jpg"): "missing",
        (inspection_id, "IMG_2.jpg"): "ok",
    }
    assert {c.evidence_id for c in checks} == {e.id for e in evidence_rows(store)}
    assert calls == [(0, 4), (1, 4), (2, 4), (3, 4)]


def test_annotations_round_trip_through_data() -> None:
    """Annotation.to_data parses back to the same annotation."""
    original = [
        Annotation("arrow", 0.1, 0.2, 0.3, 0.4, color="#1E88E5"),
        Annotation("circle", 0.5, 0.5, 0.6, 0.7),
        Annotation("rect", 0.0, 0.0, 1.0, 1.0),
        Annotation("text", 0.2, 0.3, 0.0, 0.0, text="未接地", color="#FFEB3B"),
    ]
    assert parse_annotations([a.to_data() for a in original]) == original
    assert parse_annotation({"kind": "circle", "x1": 0, "y1": 1, "x2": 1, "y2": 0}) == Annotation(
        "circle", 0.0, 1.0, 1.0, 0.0
    )


def test_a_deleted_thumbnail_is_made_again_from_the_original(store: Store, inspection_id: str, tmp_path: Path) -> None:
    """The thumbnail is only a cache: deleted, it is remade from the blob; present, it is served as it is."""
    evidence = _one_photo(store, inspection_id, tmp_path, orientation=8)
    derived = derived_images(store)
    cached = derived.thumbnail_file(evidence.sha256)
    assert cached.is_file()
    cached.unlink()
    remade = DerivedImages(store.data_dir / "derived", store.blobs).thumbnail(evidence.sha256)
    assert cached.read_bytes() == remade and Image.open(io.BytesIO(remade)).size == (240, 320)
    cached.write_bytes(b"cached")
    assert derived.thumbnail(evidence.sha256) == b"cached"
    assert _blob_sha(store, evidence.sha256) == evidence.sha256


def _print(store: Store, evidence_id: str, **kwargs: int) -> bytes:
    with store.session() as session:
        return print_copy(session, store, evidence_id, **kwargs)
