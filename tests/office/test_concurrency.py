"""Many laptops pushing at once: seqs stay unique, and a pull that runs meanwhile misses nothing and repeats nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from tests.office.conftest import Office, enterprise, inspection

THREADS = 8
BATCHES = 4


def test_concurrent_pushes_get_unique_seqs_and_pulls_skip_nothing(office: Office) -> None:
    laptops = [office.enroll(name=f"执法{i}") for i in range(THREADS)]
    watcher = office.enroll(name="值班")
    start = threading.Barrier(THREADS + 1, timeout=60)
    pushing = threading.Event()
    pushing.set()
    expected: set[str] = set()
    for i in range(THREADS):
        for b in range(BATCHES):
            expected |= {f"ent-{i}-{b}", *(f"insp-{i}-{b}-{k}" for k in range(5))}

    def push(i: int) -> list[int]:
        client = TestClient(office.app)  # a client (and event loop) per thread: real concurrency
        headers = laptops[i].headers
        start.wait()
        cursors = []
        for b in range(BATCHES):
            ent = f"ent-{i}-{b}"
            body = {
                "batch_id": f"t{i}-b{b}",
                "changes": [enterprise(ent), *(inspection(f"insp-{i}-{b}-{k}", ent) for k in range(5))],
            }
            r = client.post("/api/v1/push", json=body, headers=headers)
            assert r.status_code == 200, r.text
            assert r.json()["applied"] == 6
            cursors.append(r.json()["cursor"])
        return cursors

    def watch() -> list[dict]:
        # Pulls all along, as a laptop syncing meanwhile would, with small pages.
        client = TestClient(office.app)
        seen, cursor = [], 0
        start.wait()
        for _ in range(10_000):
            finished = not pushing.is_set()
            r = client.get("/api/v1/pull", params={"cursor": cursor, "limit": 7}, headers=watcher.headers)
            assert r.status_code == 200, r.text
            page = r.json()
            seen += page["changes"]
            cursor = page["cursor"]
            if finished and not page["more"]:
                return seen
        raise AssertionError("the pull never caught up")

    with ThreadPoolExecutor(THREADS + 1) as pool:
        watching = pool.submit(watch)
        try:
            cursors = list(pool.map(push, range(len(laptops))))
        finally:
            pushing.clear()  # the watcher stops even when a push failed
        seen = watching.result(timeout=120)

    seqs = office.seqs()
    assert len(seqs) == len(set(seqs)) == THREADS * BATCHES * 6
    assert seqs == list(range(1, len(seqs) + 1))  # no gaps either
    assert all(c == sorted(c) for c in cursors)
    ids = [c["id"] for c in seen]
    assert len(ids) == len(set(ids)) and set(ids) == expected
    # Every child arrives after its parent: a laptop applying the pull in order never misses a parent.
    position = {record_id: n for n, record_id in enumerate(ids)}
    assert all(position[f"ent-{i}-{b}"] < position[f"insp-{i}-{b}-0"] for i in range(THREADS) for b in range(BATCHES))
    # A pull from 0 afterwards has each change exactly once, in seq order.
    again = watcher.pull_all(limit=50)
    assert [c["id"] for c in again] == ids


def test_concurrent_edits_of_one_record_all_stay_and_a_raced_retry_applies_once(office: Office) -> None:
    from tests.office.conftest import change, new_id

    laptops = [office.enroll(name=f"执法{i}") for i in range(THREADS)]
    ent = new_id("ent")
    columns = [f"note_{i}" for i in range(THREADS)]
    base = {"name": "阳城县同时编辑企业", "county_code": "140522", **dict.fromkeys(columns, "")}
    assert laptops[0].push([change("enterprise", ent, base, fields={"*": ["000000000000001.00000.x", None]})])
    start = threading.Barrier(THREADS, timeout=60)

    def edit(i: int) -> list[int]:
        client = TestClient(office.app)
        body = {
            "batch_id": f"same-{i}",
            "changes": [
                change(
                    "enterprise",
                    ent,
                    {**base, columns[i]: f"第{i}台终端"},
                    version=2,
                    fields={columns[i]: [f"{2_000_000_000_000 + i:015d}.00000.laptop-{i}", ""]},
                )
            ],
        }
        start.wait()
        # Each laptop sends its batch twice at once (a retry racing its original).
        with ThreadPoolExecutor(2) as twice:
            answers = list(
                twice.map(lambda _n: client.post("/api/v1/push", json=body, headers=laptops[i].headers), range(2))
            )
        assert all(r.status_code == 200 for r in answers), [r.text for r in answers]
        return sorted(r.json()["status"] for r in answers)

    with ThreadPoolExecutor(THREADS) as pool:
        applied = list(pool.map(edit, range(THREADS)))
    stored = office.stored("enterprise", ent).data
    assert [stored[c] for c in columns] == [f"第{i}台终端" for i in range(THREADS)]  # no edit lost
    assert applied == [["already_applied", "applied"]] * THREADS  # each batch applied once
    assert office.seqs() == [1 + THREADS]  # one record: created, then changed once per laptop
