"""Evidence fixtures: an inspection on site, and small photo files with chosen EXIF."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from inspector.domain.enums import InspectionStatus
from inspector.inspections.service import start_inspection
from inspector.store.db import Store
from inspector.store.models import Evidence, Inspection
from tests.conftest import Basics

ARRIVAL = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)
SMALL = (640, 480)


def photo_bytes(**kwargs: object) -> bytes:
    """A sample phone photo, small unless a size is given."""
    from inspector.evidence.samples import sample_photo

    kwargs.setdefault("size", SMALL)
    return sample_photo(**kwargs)  # type: ignore[arg-type]


def write_photo(path: Path, **kwargs: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(photo_bytes(**kwargs))
    return path


def png_header_only(width: int, height: int, *, bit_depth: int = 1, color_type: int = 0) -> bytes:
    """A PNG of a few dozen bytes that declares `width`×`height` pixels and holds no pixel data at all."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def encoded(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def start(store: Store, basics: Basics, *, enterprise_id: str | None = None) -> str:
    with store.session() as session:
        return start_inspection(
            session,
            enterprise_id=enterprise_id or basics.mine_id,
            inspector_ids=basics.inspector_ids[:2],
            started_at=ARRIVAL,
        ).id


def set_status(store: Store, inspection_id: str, status: InspectionStatus) -> None:
    with store.session() as session:
        inspection = session.get(Inspection, inspection_id)
        assert inspection is not None
        inspection.status = status
        session.add(inspection)


def evidence_rows(store: Store, inspection_id: str | None = None) -> list[Evidence]:
    with store.session() as session:
        query = select(Evidence).order_by(Evidence.position)  # type: ignore[arg-type]
        if inspection_id is not None:
            query = query.where(Evidence.inspection_id == inspection_id)
        return list(session.exec(query))


def is_red(pixel: tuple[int, ...]) -> bool:
    r, g, b = pixel[:3]
    return r > 150 and r - max(g, b) > 70


@pytest.fixture
def inspection_id(store: Store, basics: Basics) -> str:
    return start(store, basics)
