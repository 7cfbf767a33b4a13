"""Hostile photos, generated: garbage EXIF values, EXIF bytes flipped at random, truncated files, headers that
declare gigapixels, and arbitrary bytes under a .jpg name. The importer answers each with facts it can vouch for
or with a PhotoRejectedError of its own (a Chinese reason for the screen) — never another exception — and a
rejected photo leaves nothing behind in the inspection."""

from __future__ import annotations

import io
import re
import struct
from fractions import Fraction
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, TiffImagePlugin
from sqlmodel import select

from inspector.evidence.images import MAX_PIXELS, PhotoFacts, PhotoRejectedError, read_facts, thumbnail_jpeg
from inspector.evidence.service import ingest_photo_bytes
from inspector.store.db import Store
from inspector.store.models import Evidence

# Pillow warns about every malformed tag it meets; here that is the point, not news.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
CAPTURE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2})?$")


def _check(data: bytes, name: str = "IMG_fuzz.jpg") -> PhotoFacts | None:
    """The importer's two readers on `data`: their facts, or None when the photo was refused as it should be."""
    try:
        facts = read_facts(io.BytesIO(data), name=name)
        thumbnail_jpeg(io.BytesIO(data), name=name)
    except PhotoRejectedError as exc:
        assert exc.message_zh.startswith(name) and exc.message_en.startswith(name)
        return None
    # What the record will hold: values of the right kind and range, or none at all.
    assert facts.media_type in ("image/jpeg", "image/png", "image/heic")
    assert 0 < facts.width * facts.height <= MAX_PIXELS
    assert 1 <= facts.orientation <= 8
    assert facts.captured_at_exif == "" or CAPTURE_TIME.match(facts.captured_at_exif), facts.captured_at_exif
    assert facts.latitude is None or -90 <= facts.latitude <= 90
    assert facts.longitude is None or -180 <= facts.longitude <= 180
    assert "\x00" not in facts.camera_model
    return facts


# ─── EXIF values of every wrong kind ─────────────────────────────────────────────────────────────────

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["0000:00:00 00:00:00", "2026:13:45 25:61:61", "2026:11:28 10:32:05", "+08:00", "+ab:cd", "N"]),
)
rationals = st.builds(TiffImagePlugin.IFDRational, st.integers(-(2**31), 2**31 - 1), st.integers(0, 2**31 - 1))
exif_values = st.one_of(
    texts,
    st.binary(max_size=40),  # bytes that are not UTF-8 text
    st.integers(-(2**31), 2**32 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    rationals,
    st.tuples(rationals, rationals, rationals),
    st.lists(st.one_of(rationals, st.integers(0, 255)), max_size=5).map(tuple),
)
TOP_TAGS = st.sampled_from([0x010F, 0x0110, 0x0112, 0x0132, 0x9003, 0x9011])  # the last two belong in the sub-IFD
SUB_TAGS = st.sampled_from([0x9003, 0x9011, 0x9004, 0x920A])
GPS_TAGS = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 29])


@cache
def _plain_image() -> Image.Image:
    return Image.new("RGB", (48, 32), (120, 90, 60))


def _jpeg_with(top: dict[int, Any], sub: dict[int, Any], gps: dict[int, Any]) -> bytes:
    """A JPEG carrying every generated tag that Pillow can write (what it cannot write cannot reach us either)."""
    exif = Image.Exif()
    for ifd, tags in ((None, top), (_EXIF_IFD, sub), (_GPS_IFD, gps)):
        for tag, value in tags.items():
            target = exif if ifd is None else exif.get_ifd(ifd)
            target[tag] = value
            try:
                exif.tobytes()
            except Exception:  # any failure to encode: leave that tag out
                del target[tag]
    out = io.BytesIO()
    _plain_image().save(out, "JPEG", exif=exif)
    return out.getvalue()


@FUZZ
@given(
    top=st.dictionaries(TOP_TAGS, exif_values, max_size=6),
    sub=st.dictionaries(SUB_TAGS, exif_values, max_size=4),
    gps=st.dictionaries(GPS_TAGS, exif_values, max_size=6),
)
def test_any_exif_values_give_sane_facts_or_a_clear_refusal(
    top: dict[int, Any], sub: dict[int, Any], gps: dict[int, Any]
) -> None:
    _check(_jpeg_with(top, sub, gps))


# ─── EXIF bytes flipped, files cut short ─────────────────────────────────────────────────────────────


@cache
def _phone_photo() -> bytes:
    """A small JPEG with the EXIF a phone writes: time with offset, GPS, camera, orientation."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112], exif[0x0132] = "HUAWEI", "ELS-AN00", 6, "2026:11:28 10:32:05"
    exif.get_ifd(_EXIF_IFD).update({0x9003: "2026:11:28 10:32:05", 0x9011: "+08:00"})
    exif.get_ifd(_GPS_IFD).update(
        {
            1: "N",
            2: (Fraction(35), Fraction(29), Fraction(1023, 100)),
            3: "E",
            4: (Fraction(112), Fraction(24), Fraction(39)),
        }
    )
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 140, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _exif_span(data: bytes) -> tuple[int, int]:
    """Where the APP1 (Exif) segment's body is in the file."""
    start = data.index(b"\xff\xe1") + 4
    (length,) = struct.unpack(">H", data[start - 2 : start])
    return start, start + length - 2


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=12))
def test_exif_bytes_flipped_at_random_give_sane_facts_or_a_clear_refusal(flips: list[tuple[int, int]]) -> None:
    data = bytearray(_phone_photo())
    start, end = _exif_span(bytes(data))
    for offset, value in flips:
        data[start + offset % (end - start)] = value
    _check(bytes(data))


@FUZZ
@given(cut=st.integers(0, 100_000), tail=st.binary(max_size=64))
def test_a_photo_cut_short_anywhere_is_refused_not_padded(cut: int, tail: bytes) -> None:
    whole = _phone_photo()
    cut %= len(whole) - 2  # cut before the end-of-image marker: the pixels are incomplete
    facts = _check(whole[:cut] + tail)
    assert facts is None or whole[:cut] + tail == whole  # a short photo is never accepted as a whole one


# ─── huge dimensions, non-images ─────────────────────────────────────────────────────────────────────


def _with_dimensions(width: int, height: int) -> bytes:
    """The small photo with its frame header (SOF0) claiming another size; the pixel data stays small."""
    data = bytearray(_phone_photo())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize(("width", "height"), [(65535, 65535), (20000, 10001), (14143, 14143)])
def test_a_jpeg_header_declaring_gigapixels_is_refused_before_decoding(width: int, height: int) -> None:
    with pytest.raises(PhotoRejectedError) as info:
        read_facts(io.BytesIO(_with_dimensions(width, height)), name="bomb.jpg")
    assert "bomb.jpg" in info.value.message_zh and (
        "像素过多" in info.value.message_zh or "过大" in info.value.message_zh
    )


@FUZZ
@given(width=st.integers(0, 65535), height=st.integers(0, 65535))
def test_any_declared_size_is_refused_or_read_within_the_limit(width: int, height: int) -> None:
    facts = _check(_with_dimensions(width, height))
    if width * height > MAX_PIXELS:
        assert facts is None


MAGIC = st.sampled_from(
    [b"", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1", b"\x89PNG\r\n\x1a\n", b"\x00\x00\x00\x18ftypheic"]
)


@FUZZ
@given(magic=MAGIC, body=st.binary(max_size=2_000))
def test_arbitrary_bytes_named_jpg_are_refused_clearly(magic: bytes, body: bytes) -> None:
    assert _check(magic + body) is None


# ─── through the importer: a refused photo leaves nothing behind ─────────────────────────────────────


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8), cut=st.booleans())
def test_the_importer_keeps_exactly_the_photos_it_accepts(
    store: Store, inspection_id: str, flips: list[tuple[int, int]], cut: bool
) -> None:
    data = bytearray(_phone_photo())
    start, end = _exif_span(bytes(data))
    for offset, value in flips:
        data[start + offset % (end - start)] = value
    photo = bytes(data[: len(data) // 2] if cut else data)
    with store.session() as session:
        before = len(session.exec(select(Evidence.id).where(Evidence.inspection_id == inspection_id)).all())
    try:
        evidence = ingest_photo_bytes(store, inspection_id, photo, name="IMG_fuzz.jpg")
    except PhotoRejectedError as exc:
        assert "IMG_fuzz.jpg" in exc.message_zh
        added = 0
    else:
        assert evidence.inspection_id == inspection_id and store.blobs.read(evidence.sha256) == photo
        added = 1
    with store.session() as session:
        after = session.exec(select(Evidence.id).where(Evidence.inspection_id == inspection_id)).all()
    # A duplicate of an earlier accepted photo is not added twice; anything else is exactly one row or none.
    assert len(after) - before in ((added, 0) if added else (0,))
