"""The office merges records column by column by clock stamp, and logs the values two laptops fought over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from inspector.store.hlc import format_stamp, parse_stamp
from tests.office.conftest import COUNTY_A, Laptop, Office, change, enterprise, later, new_id

BASE = {"name": "阳城县测试煤业有限公司", "county_code": COUNTY_A, "address": "北留镇", "contact_phone": "0356-1"}


def stamp(minute: int, device: str, counter: int = 0) -> str:
    ms = int((datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=minute)).timestamp() * 1000)
    return format_stamp(ms, counter, device)


def created(record_id: str) -> dict[str, Any]:
    return change("enterprise", record_id, BASE, origin="laptop-0", fields={"*": [stamp(0, "laptop-0"), None]})


def edit(record_id: str, device: str, minute: int, **values: Any) -> dict[str, Any]:
    """A laptop's push after editing some columns of the record as it was created."""
    return change(
        "enterprise",
        record_id,
        {**BASE, **values},
        version=2,
        updated_at=later(minute),
        origin="laptop-0",
        fields={name: [stamp(minute, device), BASE[name]] for name in values},
    )


def conflicts(laptop: Laptop) -> list[dict[str, Any]]:
    return [c["data"] for c in laptop.pull_all() if c["table"] == "syncconflict"]


def test_edits_of_different_columns_both_stay(office: Office) -> None:
    one, two = office.enroll(name="王一"), office.enroll(name="赵二")
    ent = new_id("ent")
    one.push([created(ent)])
    one.push([edit(ent, "laptop-a", 5, address="北留镇东街1号")])
    two.push([edit(ent, "laptop-b", 3, contact_phone="13800000000")])  # older, but another column
    data = office.stored("enterprise", ent).data
    assert (data["address"], data["contact_phone"], data["name"]) == ("北留镇东街1号", "13800000000", BASE["name"])
    supervisor = office.enroll(role="supervisor", name="李主任")
    assert conflicts(supervisor) == []


def test_the_same_column_in_either_order_gives_one_result_and_one_conflict(office: Office) -> None:
    supervisor = office.enroll(role="supervisor", name="李主任")
    results = []
    for order in ("a first", "b first"):
        one, two = office.enroll(name="王一"), office.enroll(name="赵二")
        ent = new_id("ent")
        one.push([created(ent)])
        a = edit(ent, "laptop-a", 5, name="阳城县甲煤业有限公司", address="东街")
        b = edit(ent, "laptop-b", 9, name="阳城县乙煤业有限公司")
        for laptop, pushed in ((one, a), (two, b)) if order == "a first" else ((two, b), (one, a)):
            assert laptop.push([pushed]).status_code == 200
        stored = office.stored("enterprise", ent)
        results.append((stored.data["name"], stored.data["address"], stored.field_stamps))
        logged = [c for c in conflicts(supervisor) if c["record_id"] == ent]
        assert len(logged) == 1, order
        entry = logged[0]
        assert (entry["field_name"], entry["kept_value"], entry["lost_value"]) == (
            "name",
            "阳城县乙煤业有限公司",
            "阳城县甲煤业有限公司",
        )
        assert (entry["kept_device"], entry["lost_device"], entry["table_name"]) == (
            "laptop-b",
            "laptop-a",
            "enterprise",
        )
        assert entry["county_code"] == COUNTY_A and entry["record_label"]
        results[-1] += (entry["kept_stamp"], entry["lost_stamp"])
    (name_1, address_1, stamps_1, *conflict_1), (name_2, address_2, stamps_2, *conflict_2) = results
    assert (name_1, address_1) == (name_2, address_2) == ("阳城县乙煤业有限公司", "东街")
    assert [stamps_1[k] for k in sorted(stamps_1)] == [stamps_2[k] for k in sorted(stamps_2)]
    assert conflict_1 == conflict_2


def test_a_conflict_is_logged_once_however_often_the_batch_comes(office: Office) -> None:
    one, two = office.enroll(name="王一"), office.enroll(name="赵二")
    supervisor = office.enroll(role="supervisor", name="李主任")
    ent = new_id("ent")
    one.push([created(ent)])
    one.push([edit(ent, "laptop-a", 5, name="甲")])
    late = edit(ent, "laptop-b", 2, name="乙")  # the older change loses, and is logged as lost
    assert two.push([late], batch_id="x1").json()["applied"] == 0
    assert two.push([late], batch_id="x2").json()["applied"] == 0  # sent again under another key
    logged = conflicts(supervisor)
    assert [(c["kept_value"], c["lost_value"]) for c in logged] == [("甲", "乙")]
    assert office.stored("enterprise", ent).data["name"] == "甲"


def test_a_laptop_changing_its_own_value_again_is_no_conflict(office: Office) -> None:
    one = office.enroll(name="王一")
    supervisor = office.enroll(role="supervisor", name="李主任")
    ent = new_id("ent")
    one.push([created(ent)])
    one.push([edit(ent, "laptop-a", 5, name="甲")])
    # The ack was lost; the laptop edited again, so its pending change still says "changed from BASE".
    one.push([edit(ent, "laptop-a", 6, name="丙")])
    assert office.stored("enterprise", ent).data["name"] == "丙"
    assert conflicts(supervisor) == []


def test_a_change_made_after_seeing_the_other_is_no_conflict(office: Office) -> None:
    one, two = office.enroll(name="王一"), office.enroll(name="赵二")
    supervisor = office.enroll(role="supervisor", name="李主任")
    ent = new_id("ent")
    one.push([created(ent)])
    one.push([edit(ent, "laptop-a", 5, name="甲")])
    seen = change(
        "enterprise",
        ent,
        {**BASE, "name": "乙"},
        version=3,
        updated_at=later(7),
        origin="laptop-0",
        fields={"name": [stamp(7, "laptop-b"), "甲"]},  # laptop b pulled 甲, then changed it
    )
    two.push([seen])
    assert office.stored("enterprise", ent).data["name"] == "乙"
    assert conflicts(supervisor) == []


def test_only_supervisors_receive_the_conflict_log_and_no_laptop_may_write_it(office: Office) -> None:
    one, two = office.enroll(name="王一"), office.enroll(name="赵二")
    supervisor = office.enroll(role="supervisor", name="李主任")
    ent = new_id("ent")
    one.push([created(ent)])
    one.push([edit(ent, "laptop-a", 5, name="甲")])
    two.push([edit(ent, "laptop-b", 9, name="乙")])
    assert len(conflicts(supervisor)) == 1
    assert conflicts(one) == [] and conflicts(two) == []
    forged = change("syncconflict", new_id("c"), {"county_code": COUNTY_A, "field_name": "name"})
    for laptop in (one, supervisor):
        r = laptop.push([forged])
        assert r.status_code == 403 and r.json()["code"] == "office_table"


def test_a_clock_far_ahead_is_pulled_back_to_the_offices(office: Office) -> None:
    one, two = office.enroll(name="王一"), office.enroll(name="赵二")
    ent = new_id("ent")
    one.push([created(ent)])
    future = change(
        "enterprise",
        ent,
        {**BASE, "name": "未来"},
        version=2,
        origin="laptop-0",
        fields={"name": [format_stamp(99_999_999_999_999, 0, "laptop-z"), BASE["name"]]},
    )
    one.push([future])
    ms, _counter, device = parse_stamp(office.stored("enterprise", ent).field_stamps["name"])
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    assert device == "laptop-z" and ms <= now_ms + 5 * 60 * 1000
    # A correct laptop editing later than the office's clock + 5 minutes wins again.
    fixed = edit(ent, "laptop-b", 0, name="现在")
    fixed["fields"]["name"][0] = format_stamp(now_ms + 6 * 60 * 1000, 0, "laptop-b")
    two.push([fixed])
    assert office.stored("enterprise", ent).data["name"] == "现在"


def test_a_malformed_stamp_is_refused(office: Office) -> None:
    laptop = office.enroll()
    ent = new_id("ent")
    r = laptop.push([change("enterprise", ent, BASE, fields={"name": ["yesterday", "x"]})])
    assert r.status_code == 422
    r = laptop.push([enterprise(ent, fields={"name": []})])
    assert r.status_code == 422
    assert office.stored("enterprise", ent) is None
