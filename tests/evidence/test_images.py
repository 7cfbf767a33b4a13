"""Reading photos: EXIF facts, upright thumbnails, and the files that are refused before they are decoded."""

from __future__ import annotations

import io
import random
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from inspector.evidence.images import (
    PhotoRejectedError,
    decode_scaled,
    read_facts,
    thumbnail_jpeg,
)
from tests.evidence.conftest import encoded, is_red, photo_bytes, png_header_only, write_photo

TAKEN = datetime(2026, 11, 28, 10, 32, 5)


def _with_exif(tags: dict[int, object], exif_ifd: dict[int, object] | None = None) -> bytes:
    exif = Image.Exif()
    for tag, value in tags.items():
        exif[tag] = value
    if exif_ifd:
        exif.get_ifd(0x8769).update(exif_ifd)
    return encoded(Image.new("RGB", (64, 48), (90, 90, 90)), "JPEG", exif=exif)


def test_time_place_and_camera_come_from_exif(tmp_path: Path) -> None:
    """DateTimeOriginal with its offset, GPS north/east in degrees, and make + model."""
    path = write_photo(tmp_path / "IMG_0001.jpg", taken_at=TAKEN, gps=(35.486123, 112.410845))
    facts = read_facts(path)
    assert facts.media_type == "image/jpeg"
    assert (facts.width, facts.height, facts.orientation) == (640, 480, 1)
    assert facts.captured_at_exif == "2026-11-28 10:32:05+08:00"
    assert facts.latitude == pytest.approx(35.486123, abs=1e-5)
    assert facts.longitude == pytest.approx(112.410845, abs=1e-5)
    assert facts.camera_model == "HUAWEI ELS-AN00"


def test_south_and_west_are_negative(tmp_path: Path) -> None:
    """GPS refs S and W turn the degrees negative."""
    facts = read_facts(write_photo(tmp_path / "south.jpg", gps=(-33.868820, -151.209296)))
    assert facts.latitude == pytest.approx(-33.868820, abs=1e-5)
    assert facts.longitude == pytest.approx(-151.209296, abs=1e-5)


@pytest.mark.parametrize(
    ("make", "model", "expected"),
    [
        ("Xiaomi", "Xiaomi 13", "Xiaomi 13"),
        ("HUAWEI", "Huawei P60", "Huawei P60"),  # the prefix is compared without case
        ("Apple", "iPhone 15", "Apple iPhone 15"),
        ("", "iPhone 15", "iPhone 15"),
        ("OPPO", "", "OPPO"),
    ],
)
def test_camera_make_is_not_doubled(tmp_path: Path, make: str, model: str, expected: str) -> None:
    """A model that already names the maker is shown alone; otherwise make and model are joined."""
    tags = {k: v for k, v in ((0x010F, make), (0x0110, model)) if v}
    assert read_facts(io.BytesIO(_with_exif(tags))).camera_model == expected


def test_a_photo_without_exif_has_no_time_place_or_camera(tmp_path: Path) -> None:
    """No EXIF at all: empty time and camera, no coordinates, upright."""
    facts = read_facts(write_photo(tmp_path / "plain.jpg", camera=None))
    assert (facts.captured_at_exif, facts.latitude, facts.longitude, facts.camera_model) == ("", None, None, "")
    assert facts.orientation == 1


def test_capture_time_without_offset_fallback_and_placeholder() -> None:
    """No offset gives the bare time; only DateTime is used when DateTimeOriginal is absent; zeros are no time."""
    bare = _with_exif({}, {0x9003: "2026:11:28 10:32:05"})
    assert read_facts(io.BytesIO(bare)).captured_at_exif == "2026-11-28 10:32:05"
    fallback = _with_exif({0x0132: "2025:01:02 03:04:05"})
    assert read_facts(io.BytesIO(fallback)).captured_at_exif == "2025-01-02 03:04:05"
    placeholder = _with_exif({0x0132: "0000:00:00 00:00:00"}, {0x9003: "0000:00:00 00:00:00"})
    assert read_facts(io.BytesIO(placeholder)).captured_at_exif == ""


def test_orientation_is_read_and_a_bogus_value_counts_as_upright(tmp_path: Path) -> None:
    """EXIF orientation 6 is kept as stored; a value outside 1..8 is treated as 1."""
    facts = read_facts(write_photo(tmp_path / "rotated.jpg", orientation=6))
    assert (facts.width, facts.height, facts.orientation) == (640, 480, 6)
    assert read_facts(io.BytesIO(_with_exif({0x0112: 9}))).orientation == 1


def test_png_is_accepted(tmp_path: Path) -> None:
    """A PNG (a screenshot) is evidence too, typed image/png, and gets a thumbnail."""
    path = tmp_path / "截图.png"
    path.write_bytes(photo_bytes(image_format="PNG", gps=(35.5, 112.5)))
    facts = read_facts(path)
    assert (facts.media_type, facts.width, facts.height) == ("image/png", 640, 480)
    assert facts.latitude == pytest.approx(35.5, abs=1e-5)
    assert Image.open(io.BytesIO(thumbnail_jpeg(path))).size == (320, 240)


def test_heic_from_a_phone_is_read(tmp_path: Path) -> None:
    """A HEIC file (encoded here with pillow-heif's x265 encoder) is read with its EXIF and thumbnailed."""
    import pillow_heif  # a declared dependency: its absence is a failure, not a skip

    pillow_heif.register_heif_opener()
    source = Image.open(io.BytesIO(photo_bytes(taken_at=TAKEN, gps=(35.486123, 112.410845))))
    path = tmp_path / "IMG_2041.HEIC"
    source.save(path, format="HEIF", quality=50, exif=source.getexif())
    facts = read_facts(path)
    assert facts.media_type == "image/heic"
    assert (facts.width, facts.height) == (640, 480)
    assert facts.captured_at_exif == "2026-11-28 10:32:05+08:00"
    assert facts.latitude == pytest.approx(35.486123, abs=1e-5)
    assert facts.camera_model == "HUAWEI ELS-AN00"
    assert Image.open(io.BytesIO(thumbnail_jpeg(path))).size == (320, 240)


def test_orientation_6_gives_an_upright_portrait_thumbnail(tmp_path: Path) -> None:
    """Orientation 6 (stored sideways, shown turned 90° clockwise): the stored top-left corner ends top-right."""
    image = Image.new("RGB", (640, 480), (110, 110, 110))
    image.paste((230, 20, 20), (0, 0, 160, 120))  # red block in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "sideways.jpg"
    path.write_bytes(encoded(image, "JPEG", exif=exif, quality=90))
    thumb = Image.open(io.BytesIO(thumbnail_jpeg(path))).convert("RGB")
    assert thumb.size == (240, 320)
    assert is_red(thumb.getpixel((thumb.width - 10, 10)))
    assert not is_red(thumb.getpixel((10, 10)))


@pytest.mark.parametrize(
    ("size", "expected"), [((640, 480), (320, 240)), ((2000, 1500), (320, 240)), ((200, 100), (200, 100))]
)
def test_thumbnail_long_side_is_320(tmp_path: Path, size: tuple[int, int], expected: tuple[int, int]) -> None:
    """The long side is scaled to 320 (a large JPEG through draft decoding); a smaller photo is not enlarged."""
    path = write_photo(tmp_path / "p.jpg", size=size)
    thumb = Image.open(io.BytesIO(thumbnail_jpeg(path)))
    assert thumb.format == "JPEG" and thumb.size == expected


def test_decode_scaled_fits_the_long_side(tmp_path: Path) -> None:
    """A viewer's size: the upright photo no longer than asked, in RGB."""
    path = write_photo(tmp_path / "p.jpg", size=(2000, 1500), orientation=8)
    image = decode_scaled(path, 1000)
    assert (image.size, image.mode) == ((750, 1000), "RGB")


def test_a_truncated_jpeg_is_rejected_naming_the_file(tmp_path: Path) -> None:
    """Half a JPEG has a readable header but is refused when its pixels are read."""
    data = photo_bytes()
    path = tmp_path / "半张照片.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(PhotoRejectedError) as err:
        thumbnail_jpeg(path)
    assert "半张照片.jpg" in err.value.message_zh and "损坏" in err.value.message_zh


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (20000, 10001)])
def test_a_decompression_bomb_is_rejected_before_decoding(tmp_path: Path, width: int, height: int) -> None:
    """A tiny PNG declaring more than 200 million pixels is refused from its header (it holds no pixel data)."""
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(width, height))
    assert path.stat().st_size < 100
    for read in (read_facts, thumbnail_jpeg):
        with pytest.raises(PhotoRejectedError) as err:
            read(path)
        assert "bomb.png" in err.value.message_zh and "像素过多" in err.value.message_zh


def test_facts_of_a_png_without_exif_come_from_its_header(tmp_path: Path) -> None:
    """read_facts promises "no pixels are decoded": a PNG's size is known from its header alone."""
    path = tmp_path / "screenshot.png"
    path.write_bytes(png_header_only(640, 480, bit_depth=8, color_type=2))  # no pixel data to decode
    facts = read_facts(path)
    assert (facts.media_type, facts.width, facts.height, facts.captured_at_exif) == ("image/png", 640, 480, "")


@pytest.mark.parametrize("fmt", ["GIF", "BMP"])
def test_other_image_formats_are_not_accepted(tmp_path: Path, fmt: str) -> None:
    """Only JPEG, PNG and HEIC are evidence; the reason names the format and the file."""
    path = tmp_path / f"anim.{fmt.lower()}"
    path.write_bytes(encoded(Image.new("RGB", (32, 32), "red"), fmt))
    for read in (read_facts, thumbnail_jpeg):
        with pytest.raises(PhotoRejectedError) as err:
            read(path)
        assert fmt in err.value.message_zh and path.name in err.value.message_zh


def test_random_bytes_named_jpg_are_not_an_image(tmp_path: Path) -> None:
    """A .jpg name does not make a photo."""
    path = tmp_path / "DSC_0001.jpg"
    path.write_bytes(random.Random(7).randbytes(50_000))
    with pytest.raises(PhotoRejectedError) as err:
        read_facts(path)
    assert "DSC_0001.jpg" in err.value.message_zh and "不是可识别的图片" in err.value.message_zh
