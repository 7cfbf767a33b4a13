"""Typed access to the local key/value settings table."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from inspector.errors import ValidationError
from inspector.store.models import Setting

AGENCY_KEY = "agency"  # dict: name, short_name, county_code, review_government, review_agency, court
DEMO_KEY = "demo"  # dict set by `inspector demo`: marks the folder as demo data


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else row.value


def set_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
        session.add(row)
    session.flush()


def agency_county_code(session: Session) -> str:
    """The county (6-digit code) of this folder's agency, "" when the agency is not set."""
    agency = get_setting(session, AGENCY_KEY) or {}
    return str(agency.get("county_code", "")) if isinstance(agency, dict) else ""


IDLE_LOCK_KEY = "security.idle_lock_minutes"  # an encrypted folder locks after this many idle minutes (0: never)
DEFAULT_IDLE_LOCK_MINUTES = 10
MAX_IDLE_LOCK_MINUTES = 240


def idle_lock_minutes(session: Session) -> int:
    value = get_setting(session, IDLE_LOCK_KEY, DEFAULT_IDLE_LOCK_MINUTES)
    return value if isinstance(value, int) and 0 <= value <= MAX_IDLE_LOCK_MINUTES else DEFAULT_IDLE_LOCK_MINUTES


def set_idle_lock_minutes(session: Session, minutes: int) -> None:
    if not 0 <= minutes <= MAX_IDLE_LOCK_MINUTES:
        raise ValidationError(
            f"The idle lock must be 0 to {MAX_IDLE_LOCK_MINUTES} minutes, not {minutes}.",
            f"自动锁定时间应为 0～{MAX_IDLE_LOCK_MINUTES} 分钟。",
        )
    set_setting(session, IDLE_LOCK_KEY, minutes)
