"""Push: one transaction per batch, once per batch_id, scoped to the device's county, parents and blobs first."""

from __future__ import annotations

import hashlib

import pytest

from tests.office.conftest import (
    COUNTY_A,
    COUNTY_B,
    Office,
    change,
    enterprise,
    evidence,
    inspection,
    later,
    new_id,
)


def _error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    return body["message"]


def test_a_batch_is_applied_once(office: Office) -> None:
    laptop = office.enroll()
    ent, insp = new_id("ent"), new_id("insp")
    batch = [enterprise(ent), inspection(insp, ent)]
    first = laptop.push(batch, batch_id="batch-1")
    assert first.status_code == 200, first.text
    assert first.json() == {"batch_id": "batch-1", "status": "applied", "applied": 2, "cursor": 2}
    count, seqs = office.record_count(), office.seqs()
    assert (count, seqs) == (2, [1, 2])

    # The laptop did not hear the answer and sends the batch again (even with newer data): nothing changes.
    batch[0] = enterprise(ent, name="改过的名字", updated_at=later(5), version=2)
    again = laptop.push(batch, batch_id="batch-1")
    assert again.json() == {"batch_id": "batch-1", "status": "already_applied", "applied": 2, "cursor": 2}
    assert (office.record_count(), office.seqs()) == (count, seqs)
    assert office.stored("enterprise", ent).data["name"] == "阳城县测试煤业有限公司"

    # Another device may use the same batch id: batch ids are per device.
    other = office.enroll(name="赵二")
    assert other.push([enterprise(new_id("ent"))], batch_id="batch-1").json()["status"] == "applied"
    # The same change again in a new batch is not newer than what the office has: nothing applied.
    repeat = laptop.push([inspection(insp, ent)]).json()
    assert repeat["status"] == "applied" and repeat["applied"] == 0 and repeat["cursor"] == 3


def test_parent_earlier_in_the_same_batch(office: Office) -> None:
    laptop = office.enroll()
    ent, insp, item = new_id("ent"), new_id("insp"), new_id("item")
    r = laptop.push(
        [
            enterprise(ent),
            inspection(insp, ent),
            change("itemresult", item, {"inspection_id": insp, "item_id": "x", "result": "合格"}),
        ]
    )
    assert r.status_code == 200 and r.json()["applied"] == 3, r.text
    assert office.stored("itemresult", item).county_code == COUNTY_A

    # The order within a batch matters: a child before its parent has no parent yet.
    ent2, insp2 = new_id("ent"), new_id("insp")
    message = _error(laptop.push([inspection(insp2, ent2), enterprise(ent2)]), 409, "missing_parent")
    assert ent2 in message and insp2 in message
    assert office.stored("enterprise", ent2) is None


def test_missing_parent_refuses_the_batch(office: Office) -> None:
    laptop = office.enroll()
    ent, insp = new_id("ent"), new_id("insp")
    message = _error(laptop.push([enterprise(ent), inspection(insp, "no-such-enterprise")]), 409, "missing_parent")
    assert "no-such-enterprise" in message
    assert office.record_count() == 0
    # The batch was not recorded: once fixed, the same batch id is applied.
    fixed = laptop.push([enterprise(ent), inspection(insp, ent)], batch_id="b")
    assert fixed.json()["applied"] == 2


def test_another_countys_records_refuse_the_whole_batch(office: Office) -> None:
    yangcheng = office.enroll(county=COUNTY_A)
    qinshui = office.enroll(county=COUNTY_B, name="孙四")
    own, foreign = new_id("ent"), new_id("ent")
    message = _error(yangcheng.push([enterprise(own), enterprise(foreign, county=COUNTY_B)]), 403, "other_jurisdiction")
    assert foreign in message and COUNTY_B in message
    assert office.record_count() == 0

    assert yangcheng.push([enterprise(own)]).json()["applied"] == 1
    insp = new_id("insp")
    # Qinshui may neither take over Yangcheng's enterprise nor add an inspection under it,
    _error(qinshui.push([enterprise(own, county=COUNTY_B, updated_at=later(9))]), 403, "other_jurisdiction")
    _error(qinshui.push([inspection(insp, own)]), 403, "other_jurisdiction")
    # nor delete it.
    _error(qinshui.push([change("enterprise", own, op="delete", updated_at=later(9))]), 403, "other_jurisdiction")
    stored = office.stored("enterprise", own)
    assert (stored.county_code, stored.deleted, office.record_count()) == (COUNTY_A, False, 1)


def test_global_tables_only_from_a_supervisor(office: Office) -> None:
    inspector = office.enroll(role="inspector")
    supervisor = office.enroll(role="supervisor", name="钱主任")
    elsewhere = office.enroll(county=COUNTY_B, name="孙四")
    template = change("checklisttemplate", new_id("tpl"), {"code": "coal", "revision": 3, "title": "煤矿"})
    _error(inspector.push([template]), 403, "global_table")
    assert office.record_count() == 0

    assert supervisor.push([template]).json()["applied"] == 1
    assert office.stored("checklisttemplate", template["id"]).county_code == "*"
    # Every county receives the shared checklists.
    assert [c["id"] for c in elsewhere.pull_all()] == [template["id"]]


def test_unknown_tables_and_malformed_changes_are_422(office: Office) -> None:
    laptop = office.enroll()
    _error(laptop.push([change("auditevent", new_id())]), 422, "unknown_table")
    bad = enterprise(new_id())
    bad["data"] = None
    _error(laptop.push([bad]), 422, "invalid")
    no_parent = change("inspection", new_id(), {"status": "进行中"})
    _error(laptop.push([no_parent]), 422, "invalid")
    _error(laptop.push([{"table": "enterprise"}]), 422, "invalid")
    assert office.record_count() == 0


def test_rows_wait_for_their_blobs(office: Office) -> None:
    laptop = office.enroll()
    ent, insp = new_id("ent"), new_id("insp")
    laptop.push([enterprise(ent), inspection(insp, ent)])
    photo = b"\xff\xd8 a photo " * 100
    sha = hashlib.sha256(photo).hexdigest()
    doc = change("document", new_id("doc"), {"enterprise_id": ent, "kind": "现场检查记录", "pdf_sha256": ""})
    message = _error(laptop.push([evidence(new_id("ev"), insp, sha), doc]), 409, "missing_blob")
    assert sha in message
    assert office.record_count() == 2

    laptop.upload(photo)
    # An empty blob column references no blob.
    r = laptop.push([evidence(new_id("ev"), insp, sha), doc])
    assert r.status_code == 200 and r.json()["applied"] == 2, r.text


# ─── conflicts ───────────────────────────────────────────────────────────────────────────────────────

CONFLICTS = {
    "newer updated_at wins": (
        {"name": "甲", "updated_at": later(1), "version": 9, "origin": "laptop-z"},
        {"name": "乙", "updated_at": later(2), "version": 1, "origin": "laptop-a"},
    ),
    "same time: higher version wins": (
        {"name": "甲", "updated_at": later(1), "version": 3, "origin": "laptop-z"},
        {"name": "乙", "updated_at": later(1), "version": 4, "origin": "laptop-a"},
    ),
    "same time and version: origin device breaks the tie": (
        {"name": "甲", "updated_at": later(1), "version": 3, "origin": "laptop-a"},
        {"name": "乙", "updated_at": later(1), "version": 3, "origin": "laptop-b"},
    ),
    "all equal: the data breaks the tie": (
        {"name": "甲", "updated_at": later(1), "version": 3, "origin": "laptop-a"},
        {"name": "乙", "updated_at": later(1), "version": 3, "origin": "laptop-a"},
    ),
}


@pytest.mark.parametrize("case", list(CONFLICTS))
def test_last_writer_wins_in_either_order(office: Office, case: str) -> None:
    one, two = office.enroll(name="王一"), office.enroll(name="赵二")
    older, newer = CONFLICTS[case]
    x, y = new_id("ent"), new_id("ent")
    # Record x: the older change arrives first; record y: the newer one does.
    one.push([enterprise(x, **older)])
    two.push([enterprise(x, **newer)])
    two.push([enterprise(y, **newer)])
    one.push([enterprise(y, **older)])
    stored_x, stored_y = office.stored("enterprise", x), office.stored("enterprise", y)
    assert stored_x.data["name"] == stored_y.data["name"]
    assert (stored_x.version, stored_x.origin_device, stored_x.updated_at) == (
        stored_y.version,
        stored_y.origin_device,
        stored_y.updated_at,
    )
    if case != "all equal: the data breaks the tie":
        assert stored_x.data["name"] == "乙"
    # Both laptops end up with the same record, whatever they pushed.
    pulled = {c["id"]: c["data"]["name"] for c in one.pull_all()}
    assert pulled[x] == pulled[y] == stored_x.data["name"]


def test_a_delete_wins_over_any_upsert(office: Office) -> None:
    laptop = office.enroll()
    ent, gone = new_id("ent"), new_id("ent")
    laptop.push([enterprise(ent), enterprise(gone)])
    r = laptop.push([change("enterprise", gone, op="delete", version=2, updated_at=later(1))])
    assert r.json()["applied"] == 1
    stored = office.stored("enterprise", gone)
    assert (stored.deleted, stored.data, stored.county_code) == (True, None, COUNTY_A)
    # A later edit made offline elsewhere does not bring it back; the delete again changes nothing.
    assert laptop.push([enterprise(gone, updated_at=later(60), version=5)]).json()["applied"] == 0
    assert laptop.push([change("enterprise", gone, op="delete")]).json()["applied"] == 0
    last = laptop.pull_all()[-1]
    assert (last["id"], last["op"], last["data"]) == (gone, "delete", None)
    # A record the office never had can be deleted too (a tombstone in the device's county).
    assert laptop.push([change("inspection", "never-seen", op="delete")]).json()["applied"] == 1
