"""Failed enrolments and token checks, counted per client address in the database (shared by every server
process): after too many in a window, that address is refused for a while, so one-time codes and tokens cannot
be guessed by trying. Successful requests are never slowed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import Engine, delete, func, insert, select

from inspector import clock
from inspector.office.db import office_failure, reading, writing
from inspector.office.errors import ApiError

WINDOW = timedelta(minutes=10)
MAX_FAILURES = 10  # per address and kind within WINDOW
T = TypeVar("T")


def too_many() -> ApiError:
    return ApiError(
        429,
        "too_many_attempts",
        f"Too many failed attempts from this address; try again in {int(WINDOW.total_seconds() // 60)} minutes.",
        f"尝试失败次数过多，请{int(WINDOW.total_seconds() // 60)}分钟后再试。",
    )


def guarded(engine: Engine, kind: str, address: str, attempt: Callable[[], T]) -> T:
    """Run `attempt`, refusing it first if `address` failed too often; a 401/403 it raises is counted."""
    key = f"{kind}:{address}"[:100]
    since = clock.now() - WINDOW
    failures = office_failure.c
    with reading(engine) as conn:
        recent = conn.execute(
            select(func.count()).select_from(office_failure).where(failures.key == key, failures.at > since)
        ).scalar_one()
    if recent >= MAX_FAILURES:
        raise too_many()
    try:
        return attempt()
    except ApiError as exc:
        if exc.status in (401, 403) and exc.code not in ("other_jurisdiction", "global_table", "office_table"):
            with writing(engine) as conn:  # its own transaction: the failed attempt's was rolled back
                conn.execute(delete(office_failure).where(office_failure.c.at <= since))
                conn.execute(insert(office_failure).values(key=key, at=clock.now()))
        raise
