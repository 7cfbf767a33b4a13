"""Hostile requests to the office, case by case, on SQLite and PostgreSQL: traversal in blob URLs, bodies that are
not UTF-8 JSON, values a database cannot store, oversized bodies. Each is a clear 4xx ErrorBody (English message
for logs, Chinese for the laptop's screen), never a 500, and what the office already holds is unchanged.

Before these fixes PostgreSQL answered 500 to every value case below (NUL, unpaired surrogate, NaN, version or
integer out of range, over-long origin_device, out-of-range updated_at), and both databases to a cursor past 2^63.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from inspector.office.db import office_record
from inspector.sync.protocol import API, MAX_BODY_BYTES
from tests.office.conftest import Office, change, enterprise, new_id


def _error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["message"] and body["message_zh"], body  # both languages
    if code is not None:
        assert body["code"] == code, body
    return dict(body)


@pytest.mark.parametrize(
    "path",
    [
        "/blobs/..%2F..%2F..%2Fetc%2Fpasswd",
        "/blobs/%2E%2E%2F%2E%2E%2Fx",
        "/blobs/../../x",
        "/blobs/..",
        "/blobs/" + "a" * 63 + "%2F",
        "/blobs/" + "A" * 64,  # upper-case hex is not a digest the office writes
        "/blobs/" + "0" * 64 + "%00",
        "/blobs/..%5C..%5Cwindows",
    ],
)
def test_blob_urls_with_traversal_are_refused_and_read_nothing(office: Office, path: str) -> None:
    laptop = office.enroll()
    secret = office.blob_dir.parent / "secret.txt"
    secret.write_text("outside the blob folder")
    for method, suffix in (("GET", ""), ("GET", "/offset"), ("PUT", "?offset=0"), ("POST", "/complete")):
        r = office.client.request(method, f"{API}{path}{suffix}", content=b"x", headers=laptop.headers)
        assert r.status_code in (404, 405, 422), (method, path, r.status_code, r.text)
        assert b"outside the blob folder" not in r.content
        assert r.json()["code"] != "internal"
    # Nothing was written beside the blob folder (the SQLite database lives in office/, PostgreSQL elsewhere).
    assert {p.name for p in office.blob_dir.parent.iterdir()} <= {"blobs", "office", "secret.txt"}
    assert secret.read_text() == "outside the blob folder"


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b'{"batch_id": "\xff\xfe", "changes": []}', 400, "UTF-8"),  # not UTF-8 at all
        ('{"batch_id": "甲", "changes": []}'.encode("gbk"), 400, "UTF-8"),  # GBK
        (b"[" * 100_000 + b"]" * 100_000, 400, "UTF-8"),  # deeper than the JSON parser goes
        # UTF-8 in form, but an encoded surrogate inside a string: pydantic refuses that field.
        (b'{"batch_id": "x", "changes": [{"id": "\xed\xa0\x80"}]}', 422, "unicode string"),
        (b'{"batch_id": "x", "changes": [', 422, "JSON decode error"),  # cut short
    ],
)
def test_a_push_body_that_is_not_utf8_json_is_a_clear_4xx(office: Office, body: bytes, status: int, says: str) -> None:
    laptop = office.enroll()
    r = office.client.post(f"{API}/push", content=body, headers={**laptop.headers, "Content-Type": "application/json"})
    error = _error(r, status, "bad_request" if status == 400 else "invalid")
    assert says in error["message"]
    if status == 400:  # before: FastAPI's bare "There was an error parsing the body" and no Chinese text
        assert "须为 UTF-8 编码的 JSON" in error["message_zh"]
    assert office.record_count() == 0


def _all_rows(office: Office) -> list[Any]:
    with office.engine.connect() as conn:
        return list(conn.execute(select(office_record).order_by(office_record.c.seq)))


UNSTORABLE: list[tuple[str, Any]] = [
    ("NUL in a value", {"data": {"name": "阳城\x00煤业"}}),
    ("NUL in a column name", {"data": {"na\x00me": "x"}}),
    ("NUL in the id", {"id": "ent-\x00-1"}),
    ("NUL in origin_device", {"origin_device": "lap\x00top"}),
    ("unpaired surrogate", {"data": {"name": "\ud800"}}),
    ("NaN", {"data": {"risk": float("nan")}}),
    ("infinity", {"data": {"risk": float("-inf")}}),
    ("integer beyond 64 bits", {"data": {"staff": 10**30}}),
    ("NUL in a field's old value", {"fields": {"name": ["000001700000000.00000.laptop-a", "旧\x00值"]}}),
]


@pytest.mark.parametrize(("case", "hostile"), UNSTORABLE, ids=[c for c, _ in UNSTORABLE])
def test_values_no_database_can_store_are_a_clear_422(office: Office, case: str, hostile: dict[str, Any]) -> None:
    laptop = office.enroll()
    kept = new_id("ent")
    assert laptop.push([enterprise(kept, name="阳城县原有煤业有限公司")]).status_code == 200
    before = _all_rows(office)
    bad = enterprise(new_id("ent"))
    for key, value in hostile.items():
        if key == "data":
            bad["data"] = {**bad["data"], **value}
        elif key == "id":
            bad["id"] = bad["data"]["id"] = value
        else:
            bad[key] = value
    # allow_nan: the JSON a broken client writes; Python's json reads NaN and Infinity back.
    body = json.dumps({"batch_id": new_id("b"), "changes": [enterprise(new_id("ent")), bad]}, allow_nan=True)
    r = office.client.post(
        f"{API}/push", content=body.encode("utf-8", "surrogatepass"),
        headers={**laptop.headers, "Content-Type": "application/json"},
    )  # fmt: skip
    if case == "unpaired surrogate":
        # json.dumps wrote "\ud800" as an escape, which the parser turns back into the lone surrogate.
        assert "\\ud800" in body
    error = _error(r, 422, "unstorable")
    assert "nothing of the batch was applied" in error["message"] and "本批数据未被接收" in error["message_zh"]
    assert _all_rows(office) == before  # the good change in the same batch was not applied either


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("version", 2**31, "version"),
        ("version", 2**63, "version"),
        ("origin_device", "x" * 37, "origin_device"),
        ("updated_at", "0001-01-01T00:00:00+14:00", "updated_at"),
        ("updated_at", "9999-12-31T23:59:59-14:00", "updated_at"),
    ],
)
def test_values_out_of_the_columns_range_are_a_clear_422(office: Office, field: str, value: Any, says: str) -> None:
    laptop = office.enroll()
    bad = change("enterprise", new_id("ent"), {"name": "阳城县测试煤业有限公司", "county_code": "140522"})
    bad[field] = value
    error = _error(laptop.push([bad]), 422)
    assert says in error["message"]
    assert office.record_count() == 0


@pytest.mark.parametrize("cursor", [2**63, 2**70])
def test_a_cursor_past_64_bits_is_a_clear_422(office: Office, cursor: int) -> None:
    laptop = office.enroll()
    error = _error(office.client.get(f"{API}/pull", params={"cursor": cursor}, headers=laptop.headers), 422)
    assert "cursor" in error["message"]
    assert laptop.pull(2**63 - 1).json()["changes"] == []  # the largest cursor is still fine


def test_an_oversized_push_is_refused_before_it_is_read(office: Office) -> None:
    laptop = office.enroll()
    kept = new_id("ent")
    assert laptop.push([enterprise(kept)]).status_code == 200
    huge = enterprise(new_id("ent"), name="阳城县测试煤业有限公司")
    huge["data"]["notes"] = "x" * (MAX_BODY_BYTES + 1)
    error = _error(laptop.push([huge]), 413, "too_large")
    assert "MB" in error["message"] and "分批" in error["message_zh"]

    # Without a Content-Length (chunked), the office stops reading at the limit.
    def chunks() -> Any:
        yield b'{"batch_id": "chunked", "changes": [{"table": "enterprise", "id": "e", "op": "upsert", "data": {"n": "'
        for _ in range(MAX_BODY_BYTES // (1 << 20) + 1):
            yield b"y" * (1 << 20)
        yield b'"}}]}'

    r = office.client.post(
        f"{API}/push", content=chunks(), headers={**laptop.headers, "Content-Type": "application/json"}
    )
    _error(r, 413, "too_large")
    assert office.record_count() == 1
    # A large but reasonable batch still goes through.
    many = [enterprise(new_id("ent"), name="阳城县" + "测" * 2_000) for _ in range(100)]
    assert laptop.push(many).status_code == 200
