"""Reading photos: what a file is (format, size, EXIF time, GPS, camera) and its small derived images.

Everything here reads the original and never writes it. Thumbnails are decoded with Pillow's JPEG draft
mode (the decoder scales by 1/2, 1/4 or 1/8 while decoding), so a 12-megapixel photo is never expanded to
full size just to show a 320-pixel picture; that is what keeps ingest fast and its memory flat.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from PIL import Image, ImageFile, UnidentifiedImageError

from inspector.errors import InspectorError

try:  # HEIC/HEIF from phones; the app still works on JPEG and PNG without it
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    HEIF_SUPPORTED = False

# A phone's largest mode is ~200 MP, its usual mode 12–50 MP. Above this a "photo" is a decompression bomb
# (a few KB of PNG that expands to gigabytes), refused before any pixel is decoded.
MAX_PIXELS = 200_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated photo is refused, not padded with grey

ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "HEIF": "image/heic"}
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".jpe", ".png", ".heic", ".heif")
THUMBNAIL_SIZE = 320  # long side, pixels: sharp at the gallery's 160-pixel cells on a 2× screen

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_TAG_MAKE = 0x010F
_TAG_MODEL = 0x0110
_TAG_ORIENTATION = 0x0112
_TAG_DATETIME = 0x0132
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_OFFSET_TIME_ORIGINAL = 0x9011
_OFFSET = re.compile(r"[+-](0\d|1[0-4]):[0-5]\d")
# EXIF orientation → the turn that makes the picture upright.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PhotoRejectedError(InspectorError):
    """A file that is not a photo we can keep as evidence; the reason is for the user."""

    code = "image_rejected"


@dataclass(frozen=True)
class PhotoFacts:
    media_type: str
    width: int  # as stored, before orientation
    height: int
    orientation: int  # EXIF 1..8
    captured_at_exif: str  # "2026-11-28 10:32:05" or with "+08:00"; "" when the camera wrote none
    latitude: float | None
    longitude: float | None
    camera_model: str


def _name_of(source: Path | IO[bytes], name: str) -> str:
    return name or (source.name if isinstance(source, Path) else "照片")


def _open(source: Path | IO[bytes], name: str = "") -> Image.Image:
    name = _name_of(source, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejectedError(
            f"{name}: image is larger than {MAX_PIXELS:,} pixels (possible decompression bomb).",
            f"{name}：图像像素过多（超过{MAX_PIXELS // 1_000_000}百万像素），不像是照片，已拒绝。",
        ) from exc
    except UnidentifiedImageError as exc:
        raise PhotoRejectedError(
            f"{name}: not an image Pillow can read.", f"{name}：不是可识别的图片文件（仅支持 JPEG、PNG、HEIC）。"
        ) from exc
    except OSError as exc:
        raise PhotoRejectedError(f"{name}: cannot be read ({exc}).", f"{name}：无法读取（{exc}）。") from exc
    if image.format not in ACCEPTED_FORMATS:
        fmt = image.format
        image.close()
        raise PhotoRejectedError(
            f"{name}: {fmt} images are not accepted as evidence (JPEG, PNG or HEIC only).",
            f"{name}：{fmt} 格式不能作为证据照片（仅支持 JPEG、PNG、HEIC）。",
        )
    if image.width * image.height == 0:
        image.close()
        raise PhotoRejectedError(f"{name}: the image has no pixels.", f"{name}：图像尺寸为0，不是有效的照片。")
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise PhotoRejectedError(
            f"{name}: {image.width}×{image.height} is larger than {MAX_PIXELS:,} pixels.",
            f"{name}：图像尺寸 {image.width}×{image.height} 过大，已拒绝。",
        )
    return image


def read_facts(source: Path | IO[bytes], *, name: str = "") -> PhotoFacts:
    """Header and EXIF only: no pixels are decoded. `name` is how errors call the file."""
    name = _name_of(source, name)
    with _open(source, name) as image:
        try:
            # Pillow looks for a PNG's EXIF by decoding the whole image when the header has none.
            exif = image.getexif() if image.format != "PNG" or "exif" in image.info else Image.Exif()
        except (OSError, SyntaxError, ValueError) as exc:
            raise PhotoRejectedError(
                f"{name}: the image data is damaged ({exc}).", f"{name}：图片数据不完整或已损坏，无法作为证据。"
            ) from exc
        return PhotoFacts(
            media_type=ACCEPTED_FORMATS[str(image.format)],
            width=image.width,
            height=image.height,
            orientation=_orientation(exif),
            captured_at_exif=_capture_time(exif),
            latitude=_gps(exif, 2, 1),
            longitude=_gps(exif, 4, 3),
            camera_model=_camera(exif),
        )


def _orientation(exif: Image.Exif) -> int:
    value = exif.get(_TAG_ORIENTATION, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).replace("\x00", "").strip() if value is not None else ""


def _capture_time(exif: Image.Exif) -> str:
    sub = exif.get_ifd(_EXIF_IFD)
    original = _text(sub.get(_TAG_DATETIME_ORIGINAL))
    raw = original or _text(exif.get(_TAG_DATETIME))
    try:
        when = datetime.strptime(raw, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return ""  # absent, or a camera's placeholder such as "0000:00:00 00:00:00"
    offset = _text(sub.get(_TAG_OFFSET_TIME_ORIGINAL)) if original else ""
    stamp = when.strftime("%Y-%m-%d %H:%M:%S")
    # "+08:00" exactly: a damaged tag ("+\x018:00", "+ab:cd") is no offset, and is not stored as if it were one.
    return f"{stamp}{offset}" if _OFFSET.fullmatch(offset) else stamp


def _camera(exif: Image.Exif) -> str:
    make, model = _text(exif.get(_TAG_MAKE)), _text(exif.get(_TAG_MODEL))
    if make and model.lower().startswith(make.lower()):
        return model
    return " ".join(part for part in (make, model) if part)


def _gps(exif: Image.Exif, value_tag: int, ref_tag: int) -> float | None:
    gps = exif.get_ifd(_GPS_IFD)
    value, ref = gps.get(value_tag), _text(gps.get(ref_tag)).upper()
    try:
        degrees, minutes, seconds = (float(part) for part in value or ())
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    limit = 90 if value_tag == 2 else 180
    if not 0 <= result <= limit or ref not in ("N", "S", "E", "W"):
        return None
    return round(-result if ref in ("S", "W") else result, 7)


def decode_scaled(source: Path | IO[bytes], long_side: int, *, name: str = "") -> Image.Image:
    """The photo upright, at least `long_side` pixels on its long side when the original is that big.

    JPEG uses draft mode; every pixel of the file is still read, so a truncated or corrupt file fails here.
    """
    name = _name_of(source, name)
    image = _open(source, name)
    try:
        if image.format == "JPEG":
            scale = max(image.width, image.height) / long_side
            if scale >= 2:
                # At least one pixel: a header claiming 1×60000 must not make Pillow divide by zero.
                image.draft("RGB", (max(1, image.width // int(scale)), max(1, image.height // int(scale))))
        image.load()
        upright = _upright(image)
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
    except PhotoRejectedError:
        raise
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoRejectedError(
            f"{name}: the image data is damaged ({exc}).", f"{name}：图片数据不完整或已损坏，无法作为证据。"
        ) from exc
    finally:
        image.close()
    upright.thumbnail((long_side, long_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return upright


def _upright(image: Image.Image) -> Image.Image:
    """A copy of the image turned as its EXIF orientation says. ImageOps.exif_transpose would also write the
    EXIF back, and that fails (struct.error) on a damaged tag that has nothing to do with the orientation."""
    method = _TRANSPOSE.get(_orientation(image.getexif()))
    return image.transpose(method) if method is not None else image.copy()


def thumbnail_jpeg(source: Path | IO[bytes], size: int = THUMBNAIL_SIZE, *, name: str = "") -> bytes:
    small = decode_scaled(source, size, name=name)
    out = io.BytesIO()
    small.convert("RGB").save(out, "JPEG", quality=82, optimize=False)
    return out.getvalue()
