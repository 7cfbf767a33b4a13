"""What the office administrator does from the command line: users, enrollment codes, devices."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update

from inspector import clock
from inspector.office.auth import ROLES, normalize_code, sha256_hex
from inspector.office.db import OfficeError, office_device, office_enrollment, office_user, reading, writing
from inspector.store.ids import uuid7

COUNTY_CODE = re.compile(r"^\d{6}$")
# No 0/O, 1/I/L: a code is read off a screen and typed on the laptop.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4


@dataclass(frozen=True)
class DeviceInfo:
    id: str
    name: str
    user_id: str
    user_name: str
    county_code: str
    role: str
    revoked: bool
    created_at: datetime
    last_seen_at: datetime | None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "user_id": self.user_id,
            "user_name": self.user_name,
            "county_code": self.county_code,
            "role": self.role,
            "revoked": self.revoked,
            "created_at": self.created_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat() if self.last_seen_at else None,
        }


def add_user(engine: Engine, *, name: str, role: str, county_code: str) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise OfficeError("A user needs a name (at most 100 characters).", "用户姓名不能为空，且不超过100个字。")
    if role not in ROLES:
        raise OfficeError(
            f"Role must be one of {', '.join(ROLES)}, not {role!r}.", "角色只能是 inspector 或 supervisor。"
        )
    if not COUNTY_CODE.match(county_code):
        raise OfficeError(f"A county code has 6 digits, not {county_code!r}.", "县级行政区划代码应为6位数字。")
    user_id = uuid7()
    with writing(engine) as conn:
        conn.execute(
            office_user.insert().values(
                id=user_id, name=name, role=role, county_code=county_code, created_at=clock.now()
            )
        )
    return user_id


def new_enrollment_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP_LENGTH] for i in range(0, len(raw), CODE_GROUP_LENGTH))


def enroll_device(engine: Engine, user_id: str, *, valid_hours: float = 24) -> str:
    """A one-time code for the user's next laptop: single use, expiring, kept only as its hash."""
    if valid_hours <= 0:
        raise OfficeError("--valid-hours must be more than 0.", "有效期必须大于0小时。")
    code = new_enrollment_code()
    with writing(engine) as conn:
        if conn.execute(select(office_user.c.id).where(office_user.c.id == user_id)).first() is None:
            raise OfficeError(f"No user {user_id}.", "没有这个用户。")
        conn.execute(
            office_enrollment.insert().values(
                code_sha256=sha256_hex(normalize_code(code)),
                user_id=user_id,
                expires_at=clock.now() + timedelta(hours=valid_hours),
                used_at=None,
            )
        )
    return code


def revoke_device(engine: Engine, device_id: str) -> None:
    with writing(engine) as conn:
        done = conn.execute(update(office_device).where(office_device.c.id == device_id).values(revoked=True))
        if done.rowcount != 1:
            raise OfficeError(f"No device {device_id}.", "没有这个设备。")


def list_devices(engine: Engine) -> list[DeviceInfo]:
    d = office_device.c
    with reading(engine) as conn:
        rows = conn.execute(
            select(
                d.id,
                d.name,
                d.user_id,
                office_user.c.name.label("user_name"),
                d.county_code,
                d.role,
                d.revoked,
                d.created_at,
                d.last_seen_at,
            )
            .join(office_user, office_user.c.id == d.user_id)
            .order_by(d.created_at, d.id)
        ).all()
    return [
        DeviceInfo(
            id=r.id,
            name=r.name,
            user_id=r.user_id,
            user_name=r.user_name,
            county_code=r.county_code,
            role=r.role,
            revoked=bool(r.revoked),
            created_at=r.created_at,
            last_seen_at=r.last_seen_at,
        )
        for r in rows
    ]
