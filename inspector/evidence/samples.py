"""Made-up site photos with real EXIF (time, GPS, camera, orientation): for the demo, tests and benchmarks.

They are drawn, not photographed, but have what matters to the code: a camera-sized JPEG with sensor-like
noise (so it compresses like a photo, a few MB at 12 MP), and the EXIF tags a phone writes.
"""

from __future__ import annotations

import io
from datetime import datetime
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageDraw

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return Fraction(degrees), Fraction(minutes), Fraction(seconds).limit_denominator(10000)


def sample_photo(
    *,
    size: tuple[int, int] = (4000, 3000),
    taken_at: datetime | None = None,
    gps: tuple[float, float] | None = None,
    camera: tuple[str, str] | None = ("HUAWEI", "ELS-AN00"),
    orientation: int = 1,
    label: str = "",
    seed: int = 0,
    quality: int = 85,
    image_format: str = "JPEG",
) -> bytes:
    """A photo-like image with EXIF, as the bytes a phone would write."""
    w, h = size
    base = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    tint = Image.new("RGB", (w, h), ((seed * 53) % 200 + 30, (seed * 97) % 200 + 30, (seed * 29) % 200 + 30))
    image = Image.blend(base, tint, 0.55)
    # Sensor-like grain, strong enough that a 12 MP JPEG at quality 85 is ≈ 4 MB, as a phone's photo is.
    noise = Image.effect_noise((w, h), 36).convert("RGB")
    image = Image.blend(image, noise, 0.35)
    draw = ImageDraw.Draw(image)
    # A few shapes, like equipment in a picture: something for annotations to point at.
    for i in range(6):
        x = (seed * 131 + i * 617) % max(1, w - w // 5)
        y = (seed * 71 + i * 389) % max(1, h - h // 5)
        draw.rectangle((x, y, x + w // 6, y + h // 7), outline=(20, 20, 20), width=max(2, w // 400))
    if label:
        draw.text((w // 20, h // 20), label, fill=(255, 255, 255))
    exif = Image.Exif()
    if camera is not None:
        exif[0x010F], exif[0x0110] = camera
    if orientation != 1:
        exif[0x0112] = orientation
    if taken_at is not None:
        stamp = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        exif[0x0132] = stamp
        exif.get_ifd(_EXIF_IFD)[0x9003] = stamp
        exif.get_ifd(_EXIF_IFD)[0x9011] = "+08:00"
    if gps is not None:
        lat, lon = gps
        exif.get_ifd(_GPS_IFD).update(
            {1: "N" if lat >= 0 else "S", 2: _dms(lat), 3: "E" if lon >= 0 else "W", 4: _dms(lon)}
        )
    out = io.BytesIO()
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=quality, exif=exif)
    else:
        image.save(out, image_format, exif=exif)
    return out.getvalue()


def write_sample_photo(path: Path, **kwargs: object) -> Path:
    path.write_bytes(sample_photo(**kwargs))  # type: ignore[arg-type]
    return path
