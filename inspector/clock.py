"""The one clock: aware UTC now, and the local (China Standard Time) view used for dates on screen and paper."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

# China has one civil time zone and no daylight saving; a fixed offset avoids depending on tzdata on Windows.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


def now() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    return datetime.now(CHINA_TZ).date()


def to_local(value: datetime) -> datetime:
    return value.astimezone(CHINA_TZ)
