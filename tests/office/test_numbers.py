"""Case-number blocks: a device always has one for the year; blocks of different devices never overlap."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from tests.office.conftest import COUNTY_B, Office


def _blocks(office: Office, laptop, year: int = 2025, exhausted: bool = False) -> list[tuple[int, int]]:
    params: dict[str, object] = {"year": year}
    if exhausted:
        params["exhausted"] = 1
    r = office.client.get("/api/v1/numbers", params=params, headers=laptop.headers)
    assert r.status_code == 200, r.text
    assert {b["agency_short_name"] for b in r.json()["blocks"]} <= {"阳"}
    return [(b["first_number"], b["last_number"]) for b in r.json()["blocks"]]


def test_blocks_never_overlap_across_devices(office: Office) -> None:
    one, two = office.enroll(name="王一"), office.enroll(name="赵二")
    far = office.enroll(county=COUNTY_B, name="孙四")  # same agency setting: one sequence for the server
    assert _blocks(office, one) == [(1, 100)]
    assert _blocks(office, one) == [(1, 100)]  # topped up already: nothing new
    assert _blocks(office, two) == [(101, 200)]
    assert _blocks(office, one, exhausted=True) == [(1, 100), (201, 300)]
    assert _blocks(office, far) == [(301, 400)]
    assert _blocks(office, one, year=2026) == [(1, 100)]  # numbers restart each year
    assert _blocks(office, two, year=2026) == [(101, 200)]
    r = office.client.get("/api/v1/numbers", params={"year": 1900}, headers=one.headers)
    assert r.status_code == 422 and r.json()["code"] == "invalid"


def test_blocks_never_overlap_when_asked_at_once(office: Office) -> None:
    laptops = [office.enroll(name=f"执法{i}") for i in range(6)]

    def ask(laptop) -> list[tuple[int, int]]:
        client = TestClient(office.app)  # a client (and event loop) per thread: real concurrency
        got = []
        for _ in range(3):
            r = client.get("/api/v1/numbers", params={"year": 2025, "exhausted": 1}, headers=laptop.headers)
            assert r.status_code == 200, r.text
            got = [(b["first_number"], b["last_number"]) for b in r.json()["blocks"]]
        return got

    with ThreadPoolExecutor(len(laptops)) as pool:
        blocks = [b for result in pool.map(ask, laptops) for b in result]
    assert len(blocks) == 18
    numbers = [n for first, last in blocks for n in range(first, last + 1)]
    assert len(numbers) == len(set(numbers)) == 1800
    assert sorted(blocks) == [(1 + 100 * i, 100 * (i + 1)) for i in range(18)]


def test_year_end_returns_every_unused_number_to_the_void_register_once(office: Office) -> None:
    import pytest

    from inspector.office.db import OfficeError
    from inspector.office.numbers import YEAR_END_REASON, close_year, void_register
    from tests.office.conftest import change, enterprise, new_id

    one, two = office.enroll(name="王一"), office.enroll(name="赵二")
    assert _blocks(office, one) == [(1, 100)]
    assert _blocks(office, two) == [(101, 200)]
    ent = new_id("ent")
    issued = [
        change("document", new_id("doc"), {"enterprise_id": ent, "case_year": 2025, "case_number": n})
        for n in (1, 2, 5)
    ]
    other_year = change("document", new_id("doc"), {"enterprise_id": ent, "case_year": 2024, "case_number": 3})
    voided = change(
        "voidnumber", new_id("void"), {"agency_short_name": "阳", "year": 2025, "number": 4, "reason": "填写错误作废"}
    )
    assert one.push([enterprise(ent), *issued, other_year, voided]).status_code == 200
    doc_of_two = change("document", new_id("doc"), {"enterprise_id": ent, "case_year": 2025, "case_number": 101})
    assert two.push([doc_of_two]).status_code == 200

    closed = close_year(office.engine, year=2025)
    assert (closed.reserved, closed.used, closed.voided_on_laptops, closed.returned) == (200, 4, 1, 196)
    register = dict(void_register(office.engine, year=2025))
    assert sorted(register) == [n for n in range(1, 201) if n not in (1, 2, 5, 101)]
    assert register[4] == "填写错误作废" and register[3] == register[200] == YEAR_END_REASON
    again = close_year(office.engine, year=2025)
    assert again.returned == 0 and len(void_register(office.engine, year=2025)) == 196
    with pytest.raises(OfficeError) as err:
        close_year(office.engine, year=2999)
    assert err.value.code == "year_not_over"
