"""Failed enrolments and token checks, counted per client address in the database (shared by every server
process): after too many in a window, that address is refused for a while, so one-time codes and tokens cannot
be guessed by trying. Successful requests are never slowed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine, ScalarSelect, bindparam, delete, func, insert, select

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


# How often an address failed at a kind of attempt lately (parameters: failure_params), as a subquery: a token
# check asks it in its own statement. Built once: SQLAlchemy then reuses the compiled statement as it is.
RECENT_FAILURES: ScalarSelect[int] = (
    select(func.count())
    .where(
        office_failure.c.key == bindparam("failure_key"),
        office_failure.c.at > bindparam("failures_since", type_=office_failure.c.at.type),
    )
    .scalar_subquery()
)


def failure_params(kind: str, address: str) -> dict[str, Any]:
    return {"failure_key": _key(kind, address), "failures_since": clock.now() - WINDOW}


def refuse_if_blocked(failures: int) -> None:
    if failures >= MAX_FAILURES:
        raise too_many()


def check(engine: Engine, kind: str, address: str) -> None:
    """Refuse `address` if it failed at `kind` too often."""
    with reading(engine) as conn:
        refuse_if_blocked(conn.execute(select(RECENT_FAILURES), failure_params(kind, address)).scalar_one())


@contextmanager
def counting_failures(engine: Engine, kind: str, address: str) -> Iterator[None]:
    """A 401/403 raised inside is counted against `address`."""
    try:
        yield
    except ApiError as exc:
        if exc.status in (401, 403) and exc.code not in ("other_jurisdiction", "global_table", "office_table"):
            with writing(engine) as conn:  # its own transaction: the failed attempt's was rolled back
                conn.execute(delete(office_failure).where(office_failure.c.at <= clock.now() - WINDOW))
                conn.execute(insert(office_failure).values(key=_key(kind, address), at=clock.now()))
        raise


def guarded(engine: Engine, kind: str, address: str, attempt: Callable[[], T]) -> T:
    """Run `attempt`, refusing it first if `address` failed too often; a 401/403 it raises is counted."""
    check(engine, kind, address)
    with counting_failures(engine, kind, address):
        return attempt()


def _key(kind: str, address: str) -> str:
    return f"{kind}:{address}"[:100]
