"""Typed access to the local key/value settings table."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

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
