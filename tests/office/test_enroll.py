"""Enrollment: a one-time code (unknown 401, used or expired 403) buys a device token; a revoked token is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from inspector import clock
from inspector.office.admin import add_user, enroll_device, list_devices, revoke_device
from inspector.office.auth import sha256_hex
from inspector.office.db import OfficeError, office_device, office_enrollment
from tests.office.conftest import COUNTY_A, Office


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "message", "message_zh"}
    return body


def test_a_code_buys_a_working_token_once(office: Office) -> None:
    user_id = add_user(office.engine, name="王一", role="supervisor", county_code=COUNTY_A)
    code = enroll_device(office.engine, user_id)
    assert len(code.replace("-", "")) >= 8

    r = office.client.post("/api/v1/enroll", json={"code": code.lower(), "device_name": "王一的笔记本"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["county_code"] == COUNTY_A and body["role"] == "supervisor" and body["user_name"] == "王一"
    token = body["token"]
    assert len(token) >= 40

    pulled = office.client.get("/api/v1/pull", headers={"Authorization": f"Bearer {token}"})
    assert pulled.status_code == 200 and pulled.json() == {"changes": [], "cursor": 0, "more": False, "stamp": ""}

    # Only hashes are kept: neither the code nor the token is in the database.
    with office.engine.connect() as conn:
        device = conn.execute(select(office_device)).one()
        enrollment = conn.execute(select(office_enrollment)).one()
    assert device.token_sha256 == sha256_hex(token) and token not in str(tuple(device))
    assert enrollment.used_at is not None and code not in str(tuple(enrollment))

    again = office.client.post("/api/v1/enroll", json={"code": code, "device_name": "另一台"})
    _error(again, 403, "code_used")
    assert len(list_devices(office.engine)) == 1


def test_unknown_and_expired_codes_are_refused(office: Office) -> None:
    _error(office.client.post("/api/v1/enroll", json={"code": "ABCD-EFGH-JKMN", "device_name": "x"}), 401, "bad_code")
    user_id = add_user(office.engine, name="赵二", role="inspector", county_code=COUNTY_A)
    code = enroll_device(office.engine, user_id, valid_hours=1)
    with office.engine.begin() as conn:
        conn.execute(update(office_enrollment).values(expires_at=clock.now() - timedelta(minutes=1)))
    _error(office.client.post("/api/v1/enroll", json={"code": code, "device_name": "x"}), 403, "code_expired")
    # A malformed request is an ErrorBody too.
    _error(office.client.post("/api/v1/enroll", json={"code": "x"}), 422, "invalid")
    assert list_devices(office.engine) == []


def test_missing_unknown_and_revoked_tokens_get_401(office: Office) -> None:
    laptop = office.enroll()
    assert laptop.pull().status_code == 200
    _error(office.client.get("/api/v1/pull"), 401, "unauthorized")
    _error(office.client.get("/api/v1/pull", headers={"Authorization": "Bearer nope"}), 401, "unauthorized")

    revoke_device(office.engine, laptop.device_id)
    body = _error(laptop.pull(), 401, "unauthorized")
    assert "revoked" in body["message"]
    _error(laptop.push([]), 401, "unauthorized")
    devices = list_devices(office.engine)
    assert [d.revoked for d in devices] == [True]
    assert devices[0].last_seen_at is not None


def test_admin_refuses_bad_input(office: Office) -> None:
    with pytest.raises(OfficeError, match="6 digits"):
        add_user(office.engine, name="王一", role="inspector", county_code="1405")
    with pytest.raises(OfficeError, match="Role"):
        add_user(office.engine, name="王一", role="boss", county_code=COUNTY_A)
    with pytest.raises(OfficeError, match="No user"):
        enroll_device(office.engine, "no-such-user")
    with pytest.raises(OfficeError, match="No device"):
        revoke_device(office.engine, "no-such-device")


def test_a_lost_answer_is_repaired_by_enrolling_again_with_the_same_token(office: Office) -> None:
    user_id = add_user(office.engine, name="王一", role="inspector", county_code=COUNTY_A)
    code = enroll_device(office.engine, user_id)
    token = "laptop-chosen-" + "x" * 40
    body = {"code": code, "device_name": "王一的笔记本", "token": token}
    first = office.client.post("/api/v1/enroll", json=body)
    assert first.status_code == 200 and first.json()["token"] == token
    again = office.client.post("/api/v1/enroll", json=body)  # the first answer never arrived
    assert again.status_code == 200 and again.json()["device_id"] == first.json()["device_id"]
    # Anyone else with the code (another token, or none) is refused, and no second device is made.
    for other in ({**body, "token": "y" * 40}, {"code": code, "device_name": "别人的电脑"}):
        r = office.client.post("/api/v1/enroll", json=other)
        assert r.status_code == 403 and r.json()["code"] == "code_used"
    with office.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(office_device)).scalar_one() == 1


def test_guessing_codes_or_tokens_is_refused_after_ten_failures(office: Office) -> None:
    from inspector.office.limits import MAX_FAILURES

    user_id = add_user(office.engine, name="王一", role="inspector", county_code=COUNTY_A)
    good = enroll_device(office.engine, user_id)
    for n in range(MAX_FAILURES):
        r = office.client.post("/api/v1/enroll", json={"code": f"WRONG-{n:04d}", "device_name": "猜码的人"})
        assert r.status_code == 401, r.text
    r = office.client.post("/api/v1/enroll", json={"code": good, "device_name": "猜码的人"})
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts" and "分钟后再试" in r.json()["message_zh"]
    # The code was not spent by the refused attempt; the laptop enrols from another address.
    other = TestClient(office.app, client=("10.0.0.7", 50000))
    r = other.post("/api/v1/enroll", json={"code": good, "device_name": "王一的笔记本"})
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    # Tokens likewise: ten wrong ones from an address, then even the right one waits; other addresses do not.
    for n in range(MAX_FAILURES):
        assert office.client.get("/api/v1/pull", headers={"Authorization": f"Bearer wrong-{n}"}).status_code == 401
    assert office.client.get("/api/v1/pull", headers={"Authorization": f"Bearer {token}"}).status_code == 429
    assert other.get("/api/v1/pull", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_token_unused_for_ninety_days_expires(office: Office) -> None:
    from inspector.office.auth import TOKEN_IDLE_LIMIT

    laptop = office.enroll()
    assert laptop.pull().status_code == 200
    with office.engine.begin() as conn:
        conn.execute(update(office_device).values(last_seen_at=clock.now() - TOKEN_IDLE_LIMIT - timedelta(hours=1)))
    r = laptop.pull()
    assert r.status_code == 401 and "过期" in r.json()["message_zh"] and "expired" in r.json()["message"]
    with office.engine.begin() as conn:  # used within the limit: fine, and the use renews it
        conn.execute(update(office_device).values(last_seen_at=clock.now() - TOKEN_IDLE_LIMIT + timedelta(hours=1)))
    assert laptop.pull().status_code == 200
