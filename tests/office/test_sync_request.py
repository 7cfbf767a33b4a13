"""POST /sync: the number blocks, a batch and the first pull page in one round trip, in that order."""

from __future__ import annotations

from sqlalchemy import func, select

from inspector.office.db import office_number_block
from tests.office.conftest import COUNTY_A, COUNTY_B, Office, enterprise, inspection, new_id


def _number_blocks(office: Office) -> int:
    with office.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(office_number_block)).scalar_one()


def test_one_request_reserves_numbers_applies_the_batch_and_pulls_it_back(office: Office) -> None:
    laptop = office.enroll()
    colleague = office.enroll(name="李二")
    theirs = new_id("ent")
    assert colleague.push([enterprise(theirs)]).status_code == 200
    ent, insp = new_id("ent"), new_id("insp")
    body = {
        "year": 2026,
        "cursor": 0,
        "push": {"batch_id": "b-1", "changes": [enterprise(ent), inspection(insp, ent)]},
    }
    r = office.client.post("/api/v1/sync", json=body, headers=laptop.headers)
    assert r.status_code == 200, r.text
    answer = r.json()
    [block] = answer["numbers"]["blocks"]
    assert block["year"] == 2026 and block["first_number"] >= 1
    assert answer["push"] == {"batch_id": "b-1", "status": "applied", "applied": 2, "cursor": 3}
    # The page is pulled after the batch: it holds the colleague's record and this batch, in order.
    assert [c["id"] for c in answer["pull"]["changes"]] == [theirs, ent, insp]
    assert answer["pull"]["cursor"] == 3 and answer["pull"]["more"] is False

    # Again, as after a lost answer: the same block, the batch already applied, the same page.
    again = office.client.post("/api/v1/sync", json=body, headers=laptop.headers).json()
    assert again["numbers"] == answer["numbers"] and again["push"]["status"] == "already_applied"
    assert again["pull"] == answer["pull"]
    assert _number_blocks(office) == 1

    # No batch, a cursor: numbers and the page only.
    quiet = office.client.post("/api/v1/sync", json={"cursor": 3}, headers=laptop.headers).json()
    assert quiet["push"] is None and quiet["pull"]["changes"] == [] and quiet["numbers"] == answer["numbers"]


def test_a_refused_batch_answers_for_the_request_and_the_numbers_stay_reserved(office: Office) -> None:
    laptop = office.enroll(county=COUNTY_A)
    foreign = enterprise(new_id("ent"), county=COUNTY_B)
    r = office.client.post(
        "/api/v1/sync", json={"push": {"batch_id": "b-x", "changes": [foreign]}}, headers=laptop.headers
    )
    assert r.status_code == 403 and r.json()["code"] == "other_jurisdiction", r.text
    assert _number_blocks(office) == 1  # done before the refused part, and kept
    assert office.record_count() == 0


def test_a_malformed_sync_request_is_refused(office: Office) -> None:
    laptop = office.enroll()
    for body in ({"cursor": -1}, {"limit": 0}, {"year": 1999}, {"push": {"batch_id": "", "changes": []}}):
        r = office.client.post("/api/v1/sync", json=body, headers=laptop.headers)
        assert r.status_code == 422, (body, r.text)
    assert office.client.post("/api/v1/sync", json={}).status_code == 401
