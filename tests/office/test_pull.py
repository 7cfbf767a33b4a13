"""Pull: the caller's county (and the shared tables) in seq order, page by page; a laptop's own tables stay its own."""

from __future__ import annotations

from tests.office.conftest import COUNTY_A, COUNTY_B, Office, change, enterprise, inspection, later, new_id


def test_pages_in_seq_order_scoped_to_the_county(office: Office) -> None:
    yangcheng = office.enroll(county=COUNTY_A)
    qinshui = office.enroll(county=COUNTY_B, name="孙四")
    a1, a2, b1 = new_id("ent"), new_id("ent"), new_id("ent")
    i1, i2 = new_id("insp"), new_id("insp")
    yangcheng.push([enterprise(a1), inspection(i1, a1)])  # seq 1, 2
    qinshui.push([enterprise(b1, county=COUNTY_B)])  # seq 3
    yangcheng.push([enterprise(a2), inspection(i2, a2)])  # seq 4, 5
    yangcheng.push([enterprise(a1, name="新名称", updated_at=later(1), version=2)])  # a1 moves to seq 6

    pages = []
    cursor = 0
    while True:
        r = yangcheng.pull(cursor, limit=2)
        assert r.status_code == 200, r.text
        page = r.json()
        pages.append(([c["id"] for c in page["changes"]], page["cursor"], page["more"]))
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert pages == [([i1, a2], 4, True), ([i2, a1], 6, False)]
    assert yangcheng.pull(6).json() == {"changes": [], "cursor": 6, "more": False, "stamp": ""}
    assert yangcheng.pull(2, limit=1).json()["changes"][0]["id"] == a2

    # Qinshui sees nothing of Yangcheng.
    b_changes = qinshui.pull_all()
    assert [c["id"] for c in b_changes] == [b1]
    assert qinshui.pull(3).json() == {"changes": [], "cursor": 3, "more": False, "stamp": ""}

    newest = yangcheng.pull(5).json()["changes"][0]
    assert newest["op"] == "upsert" and newest["version"] == 2 and newest["data"]["name"] == "新名称"
    assert newest["updated_at"].startswith("2025-03-01T08:01:00")


def test_a_laptops_own_tables_go_back_to_it_alone(office: Office) -> None:
    mine = office.enroll(name="王一")
    colleague = office.enroll(name="赵二")
    supervisor = office.enroll(role="supervisor", name="钱主任")
    block = change(
        "numberblock",
        new_id("nb"),
        {"agency_short_name": "阳", "year": 2025, "first_number": 1, "last_number": 100, "next_number": 7},
        origin="local-device-id",
    )
    draw = change("randomdraw", new_id("draw"), {"seed": "42"}, origin="local-device-id")
    ent = new_id("ent")
    assert mine.push([block, draw, enterprise(ent)]).json()["applied"] == 3
    assert [c["id"] for c in mine.pull_all()] == [block["id"], draw["id"], ent]
    assert [c["id"] for c in colleague.pull_all()] == [ent]
    assert [c["id"] for c in supervisor.pull_all()] == [block["id"], draw["id"], ent]
    # Nor may a colleague overwrite them.
    r = colleague.push([change("numberblock", block["id"], {"next_number": 1}, updated_at=later(1))])
    assert r.status_code == 403 and r.json()["code"] == "other_device"


def test_bad_cursor_and_limit_are_invalid(office: Office) -> None:
    laptop = office.enroll()
    for params in ({"cursor": -1}, {"limit": 0}, {"limit": 1001}, {"cursor": "x"}):
        r = office.client.get("/api/v1/pull", params=params, headers=laptop.headers)
        assert r.status_code == 422 and r.json()["code"] == "invalid", (params, r.text)
