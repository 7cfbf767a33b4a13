"""Devices and their tokens: enrollment with a one-time code, the bearer token of every later request.

Neither the codes nor the tokens are stored: only their SHA-256, so a copy of the database lets nobody in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, cast

from sqlalchemy import Connection, Engine, bindparam, select, update

from inspector import clock
from inspector.office import limits
from inspector.office.db import office_device, office_enrollment, office_user, reading, writing
from inspector.office.errors import ApiError, forbidden, unauthorized
from inspector.store.ids import uuid7
from inspector.sync.protocol import EnrollRequest, EnrollResponse

Role = Literal["inspector", "supervisor"]
ROLES: tuple[Role, ...] = ("inspector", "supervisor")
LAST_SEEN_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per device
# A token unused this long expires (a laptop lost in a drawer): its owner enrols the laptop again.
TOKEN_IDLE_LIMIT = timedelta(days=90)


@dataclass(frozen=True)
class Device:
    """The enrolled device a request comes from: everything it may read or write is scoped by these."""

    id: str
    user_id: str
    name: str
    county_code: str
    role: Role

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


def sha256_hex(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_code(code: str) -> str:
    """Codes are read out and typed by people: case, spaces and dashes do not matter."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


_DEVICE_OF_TOKEN = select(office_device, limits.RECENT_FAILURES.label("recent_failures")).where(
    office_device.c.token_sha256 == bindparam("token_sha256")
)


def authenticate(engine: Engine, token: str, address: str) -> Device:
    """The device of this token, asked from `address`. One statement on the way of every request: the
    device and the address's recent failures together (an address that failed too often waits, even with
    the right token). A 401 raised here is to be counted (limits.counting_failures)."""
    failures = limits.failure_params("token", address)
    with reading(engine) as conn:
        row = conn.execute(_DEVICE_OF_TOKEN, {"token_sha256": sha256_hex(token), **failures}).first()
        if row is None:
            limits.refuse_if_blocked(conn.execute(select(limits.RECENT_FAILURES), failures).scalar_one())
            raise unauthorized("Unknown device token.")
    limits.refuse_if_blocked(row.recent_failures)
    if row.revoked:
        raise unauthorized(f"Device {row.id} has been revoked.", "此设备已被停用，请联系管理员。")
    now = clock.now()
    last_seen: datetime | None = row.last_seen_at
    if last_seen is not None and now - last_seen > TOKEN_IDLE_LIMIT:
        raise unauthorized(
            f"Device {row.id}'s token expired after {TOKEN_IDLE_LIMIT.days} days without use.",
            f"本机超过{TOKEN_IDLE_LIMIT.days}天未同步，同步凭证已过期，请联系管理员重新登记本机。",
        )
    if last_seen is None or now - last_seen > LAST_SEEN_EVERY:
        with writing(engine) as conn:
            conn.execute(update(office_device).where(office_device.c.id == row.id).values(last_seen_at=now))
    return Device(id=row.id, user_id=row.user_id, name=row.name, county_code=row.county_code, role=row.role)


def _code_used() -> ApiError:
    return forbidden("code_used", "This enrollment code has been used already.", "此登记码已使用过，请重新申请。")


def _same_enrollment(conn: Connection, user_id: str, request: EnrollRequest) -> str | None:
    """The device this code already made for the same laptop (the same chosen token), if any."""
    if not request.token:
        return None
    found = conn.execute(
        select(office_device.c.id).where(
            office_device.c.user_id == user_id,
            office_device.c.token_sha256 == sha256_hex(request.token),
            office_device.c.revoked.is_(False),
        )
    ).first()
    return None if found is None else str(found.id)


def enroll(engine: Engine, request: EnrollRequest) -> EnrollResponse:
    """Trade a valid, unused, unexpired one-time code for a new device and its token (shown this once)."""
    code_hash = sha256_hex(normalize_code(request.code))
    now = clock.now()
    with writing(engine) as conn:
        row = conn.execute(
            select(office_enrollment, office_user.c.name, office_user.c.role, office_user.c.county_code)
            .join(office_user, office_user.c.id == office_enrollment.c.user_id)
            .where(office_enrollment.c.code_sha256 == code_hash)
        ).first()
        if row is None:
            raise ApiError(401, "bad_code", "Unknown enrollment code.", "登记码不正确。")
        if row.used_at is not None:
            earlier = _same_enrollment(conn, row.user_id, request)
            if earlier is None:
                raise _code_used()
            return EnrollResponse(
                device_id=earlier,
                token=str(request.token),
                county_code=row.county_code,
                role=cast(Role, row.role),
                user_name=row.name,
            )
        if row.expires_at <= now:
            raise forbidden("code_expired", "This enrollment code has expired.", "此登记码已过期，请重新申请。")
        claimed = conn.execute(
            update(office_enrollment)
            .where(office_enrollment.c.code_sha256 == code_hash, office_enrollment.c.used_at.is_(None))
            .values(used_at=now)
        )
        if claimed.rowcount != 1:  # another request took it in between
            raise _code_used()
        device_id = uuid7()
        token = request.token or secrets.token_urlsafe(32)
        conn.execute(
            office_device.insert().values(
                id=device_id,
                user_id=row.user_id,
                name=request.device_name,
                token_sha256=sha256_hex(token),
                county_code=row.county_code,
                role=row.role,
                revoked=False,
                created_at=now,
                last_seen_at=now,
            )
        )
    return EnrollResponse(
        device_id=device_id,
        token=token,
        county_code=row.county_code,
        role=cast(Role, row.role),
        user_name=row.name,
    )
