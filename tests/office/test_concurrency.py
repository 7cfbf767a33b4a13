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
