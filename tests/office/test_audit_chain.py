"""The office keeps each laptop's audit chain as it received it (issue 8), on SQLite and on PostgreSQL.

Real laptops (data folders) sync with the office in-process: the chain arrives over several syncs, a batch sent
again changes nothing, a cut answer resumes without doubling, a laptop whose chain was altered is refused and
the break recorded and reported by `inspector office verify-audit`, and a device sends only its own chain.
"""

from __future__ import annotations

import itertools
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlmodel import col
from sqlmodel import select as sm_select

from inspector.cli import main
from inspector.domain.enums import Industry
from inspector.domain.identifiers import make_credit_code
from inspector.office.admin import add_user, enroll_device
from inspector.office.audit import verify_chains
from inspector.office.db import office_audit_break, office_audit_chain, office_audit_event
from inspector.registry.service import register_enterprise
from inspector.store import audit
from inspector.store.db import Store, open_store
from inspector.store.models import AuditEvent, Enterprise
from inspector.store.settings import get_setting, set_setting
from inspector.sync import client as sync_client
from inspector.sync.client import AUDIT_CURSOR_KEY, SyncError, enroll, office_link, sync_once
from inspector.sync.protocol import AuditEventBody
from tests.office.conftest import COUNTY_A, Office

URL = "http://testserver"
THREADS = 6
_codes = itertools.count(1)


# ─── laptops ─────────────────────────────────────────────────────────────────────────────────────────


def laptop(office: Office, tmp_path: Path, user: str) -> tuple[Store, TestClient]:
    """A data folder enrolled with the office as `user`'s laptop, and its HTTP client (token set)."""
    store = open_store(tmp_path / f"laptop-{next(_codes)}")  # an ASCII folder name (see the report on issue 8)
    user_id = add_user(office.engine, name=user, role="inspector", county_code=COUNTY_A)
    code = enroll_device(office.engine, user_id)
    http = TestClient(office.app)
    link = enroll(store, http, url=URL, code=code, device_name=f"{user}的笔记本")
    http.headers["Authorization"] = f"Bearer {link.token}"
    return store, http


def add_enterprises(store: Store, n: int) -> None:
    with store.session() as session:
        for _ in range(n):
            k = next(_codes)
            register_enterprise(
                session,
                name=f"阳城县测试企业{k}号",
                credit_code=make_credit_code(COUNTY_A, f"MA0K{k:04d}"),
                industry=Industry.INDUSTRY_TRADE,
                county_code=COUNTY_A,
            )


def laptop_chain(store: Store) -> list[tuple[str, str]]:
    with store.session() as session:
        return [(e.id, e.hash) for e in session.exec(sm_select(AuditEvent).order_by(col(AuditEvent.seq)))]


def office_chain(office: Office, device_id: str) -> list[tuple[int, str, str]]:
    e = office_audit_event.c
    with office.engine.connect() as conn:
        rows = conn.execute(
            select(e.position, e.event_id, e.hash).where(e.device_id == device_id).order_by(e.position)
        ).all()
    return [(int(p), i, h) for p, i, h in rows]


def device_of(store: Store) -> str:
    with store.session() as session:
        link = office_link(session)
    assert link is not None
    return link.device_id


def breaks(office: Office) -> list[Any]:
    with office.engine.connect() as conn:
        return list(conn.execute(select(office_audit_break).order_by(office_audit_break.c.id)).all())


def bodies(store: Store, first: int = 0, last: int | None = None) -> list[dict[str, Any]]:
    """Events of the laptop as the sync client sends them (seq from `first` to `last`)."""
    with store.session() as session:
        query = sm_select(AuditEvent).where(col(AuditEvent.seq) >= first).order_by(col(AuditEvent.seq))
        if last is not None:
            query = query.where(col(AuditEvent.seq) <= last)
        return [sync_client._audit_body(e).model_dump() for e in session.exec(query)]


def post(http: TestClient, events: list[dict[str, Any]]) -> httpx.Response:
    return http.post("/api/v1/audit", json={"events": events})


def assert_same_chain(office: Office, store: Store) -> None:
    """The office holds exactly the laptop's chain: every event once, in order, positions 1 … n."""
    held = office_chain(office, device_of(store))
    assert [(i, h) for _, i, h in held] == laptop_chain(store)
    assert [p for p, _, _ in held] == list(range(1, len(held) + 1))


def verify_cli(office: Office, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    url = office.engine.url.render_as_string(hide_password=False)
    code = main(["office", "verify-audit", "--db", url, *extra])
    out, _err = capsys.readouterr()
    return code, out


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_client, "AUDIT_BATCH", 7)  # several batches per sync


# ─── the chain arrives ───────────────────────────────────────────────────────────────────────────────


@pytest.mark.usefixtures("small_batches")
def test_the_chain_arrives_over_several_syncs(office: Office, tmp_path: Path) -> None:
    store, http = laptop(office, tmp_path, "王一")
    other, other_http = laptop(office, tmp_path, "李二")
    try:
        add_enterprises(store, 10)
        first = sync_once(store, http)
        assert first.audit_events == len(laptop_chain(store)) > 10  # 10 enterprises and the number block
        assert_same_chain(office, store)

        add_enterprises(other, 4)
        sync_once(other, other_http)
        before = len(laptop_chain(store))
        with store.session() as session:
            row = session.exec(sm_select(Enterprise).order_by(Enterprise.name)).first()
            assert row is not None
            row.contact_phone = "13900001111"
            session.add(row)
        second = sync_once(store, http)  # its own edit, and the colleague's 4 enterprises pulled ("sync" events)
        chain = laptop_chain(store)
        assert second.pulled == 4 and second.audit_events == len(chain) - before == 5
        assert_same_chain(office, store)
        assert_same_chain(office, other)
        e = office_audit_event.c
        with office.engine.connect() as conn:
            actions = conn.execute(
                select(e.action).where(e.device_id == device_of(store), e.position > before).order_by(e.position)
            ).scalars()
            assert list(actions) == ["update", "sync", "sync", "sync", "sync"]

        assert sync_once(store, http).audit_events == 0  # nothing new: nothing sent
        assert_same_chain(office, store)
        with store.session() as session:
            cursor = get_setting(session, AUDIT_CURSOR_KEY)
        assert cursor == {"device_id": device_of(store), "seq": len(chain), "hash": chain[-1][1]}
        checks = {c.device_id: c for c in verify_chains(office.engine)}
        assert checks[device_of(store)].events == len(chain)
        assert checks[device_of(store)].user_name == "王一"
        assert all(c.problems == [] for c in checks.values())
    finally:
        store.close()
        other.close()


def test_the_stored_events_carry_what_the_laptop_hashed(office: Office, tmp_path: Path) -> None:
    store, http = laptop(office, tmp_path, "王一")
    try:
        add_enterprises(store, 1)
        sync_once(store, http)
        with store.session() as session:
            created = session.exec(sm_select(AuditEvent).where(AuditEvent.action == "create")).first()
            assert created is not None
        e = office_audit_event.c
        with office.engine.connect() as conn:
            row = conn.execute(select(office_audit_event).where(e.event_id == created.id)).one()
        body = json.loads(row.body)
        assert body["new_values"] == created.new_values and body["record_id"] == created.record_id
        assert (row.prev_hash, row.hash, row.seq, row.table_name) == (
            created.prev_hash,
            created.hash,
            created.seq,
            created.table_name,
        )
        assert audit.event_hash(row.prev_hash, AuditEventBody.model_validate(body)) == row.hash
    finally:
        store.close()


# ─── idempotent and resumable ────────────────────────────────────────────────────────────────────────


def test_a_repeated_batch_changes_nothing(office: Office, tmp_path: Path) -> None:
    store, http = laptop(office, tmp_path, "王一")
    try:
        add_enterprises(store, 6)
        events = bodies(store)
        first = post(http, events[:4])
        assert first.status_code == 200, first.text
        assert first.json() == {
            "position": 4,
            "last_seq": events[3]["seq"],
            "last_hash": events[3]["hash"],
            "status": "received",
            "received": 4,
        }
        again = post(http, events[:4])
        assert again.status_code == 200
        assert again.json() == {**first.json(), "status": "already_received", "received": 0}
        overlapping = post(http, events[2:])  # two held, the rest new: only the new are kept
        assert overlapping.json()["received"] == len(events) - 4
        assert overlapping.json()["position"] == len(events)
        state = http.get("/api/v1/audit").json()
        assert state == {"position": len(events), "last_seq": events[-1]["seq"], "last_hash": events[-1]["hash"]}
        assert_same_chain(office, store)
        assert breaks(office) == []
    finally:
        store.close()


def test_the_same_batch_sent_at_once_is_kept_once(office: Office, tmp_path: Path) -> None:
    """A retry racing the request it repeats (several server processes): the chain row is locked, they take turns."""
    store, http = laptop(office, tmp_path, "王一")
    try:
        add_enterprises(store, 12)
        events = bodies(store)
        start = threading.Barrier(THREADS, timeout=60)

        def send(i: int) -> dict[str, Any]:
            client = TestClient(office.app, headers=dict(http.headers))  # a client (and event loop) per thread
            start.wait()
            r = post(client, events[: 6 + i % 2 * 6])  # half send the first 6 events, half all 12
            assert r.status_code == 200, r.text
            return dict(r.json())

        with ThreadPoolExecutor(THREADS) as pool:
            answers = list(pool.map(send, range(THREADS)))
        assert sum(a["received"] for a in answers) == len(events)
        assert_same_chain(office, store)
        assert breaks(office) == []
    finally:
        store.close()


class CuttingTransport(httpx.BaseTransport):
    """Passes requests to the office; loses the answer of the chosen POST /audit calls after the office handled
    them (the connection cut on the way back), or cuts before the request reaches it."""

    def __init__(self, inner: httpx.BaseTransport, *, lose_answer: set[int], cut_before: set[int]) -> None:
        self.inner = inner
        self.lose_answer = lose_answer
        self.cut_before = cut_before
        self.posts: list[int] = []  # the first seq of every batch that reached the office

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST" or request.url.path != "/api/v1/audit":
            return self.inner.handle_request(request)
        n = len(self.posts) + 1
        if n in self.cut_before:
            self.cut_before.discard(n)
            raise httpx.WriteError("connection reset while sending", request=request)
        self.posts.append(json.loads(request.content)["events"][0]["seq"])
        response = self.inner.handle_request(request)
        if n in self.lose_answer:
            response.read()
            raise httpx.ReadError("connection cut before the answer arrived", request=request)
        return response


@pytest.mark.usefixtures("small_batches")
def test_a_cut_connection_resumes_without_duplicates(office: Office, tmp_path: Path) -> None:
    store, http = laptop(office, tmp_path, "王一")
    try:
        add_enterprises(store, 30)
        cutting = CuttingTransport(http._transport, lose_answer={2}, cut_before={4})
        http._transport = cutting
        with pytest.raises(SyncError) as lost:
            sync_once(store, http)  # batch 2 kept by the office, its answer lost
        assert lost.value.code == "network"
        assert len(office_chain(office, device_of(store))) == 14  # two batches of 7
        with store.session() as session:
            assert get_setting(session, AUDIT_CURSOR_KEY)["seq"] == cutting.posts[1] - 1  # only batch 1 acknowledged

        with pytest.raises(SyncError) as cut:
            sync_once(store, http)  # batch 2 again (held: skipped), then a cut before batch 3 arrives
        assert cut.value.code == "network"
        assert cutting.posts[2] == cutting.posts[1]  # resumed with the batch whose answer was lost
        assert len(office_chain(office, device_of(store))) == 14

        report = sync_once(store, http)
        assert_same_chain(office, store)
        assert report.audit_events == len(laptop_chain(store)) - 14
        assert breaks(office) == []
    finally:
        store.close()


@pytest.mark.usefixtures("small_batches")
def test_a_laptop_that_lost_its_cursor_asks_the_office_where_to_go_on(office: Office, tmp_path: Path) -> None:
    store, http = laptop(office, tmp_path, "王一")
    try:
        add_enterprises(store, 10)
        sync_once(store, http)
        held = len(office_chain(office, device_of(store)))
        add_enterprises(store, 3)
        with store.session() as session:
            set_setting(session, AUDIT_CURSOR_KEY, None)
        cutting = CuttingTransport(http._transport, lose_answer=set(), cut_before=set())
        http._transport = cutting
        assert sync_once(store, http).audit_events == 3
        assert cutting.posts == [held + 1]  # from where the office's copy ends, not from the start
        assert_same_chain(office, store)
    finally:
        store.close()


# ─── an altered chain is refused, recorded and reported ──────────────────────────────────────────────


def test_an_event_altered_on_the_laptop_is_refused_and_the_break_reported(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, http = laptop(office, tmp_path, "王一")
    try:
        add_enterprises(store, 3)
        sync_once(store, http)
        held = office_chain(office, device_of(store))
        add_enterprises(store, 2)
        altered = len(held) + 2  # an event not sent yet, edited behind the app's back
        with store.engine.begin() as conn:
            conn.execute(
                text("UPDATE auditevent SET new_values = json_set(new_values, '$.name', '改过的名称') WHERE seq = :s"),
                {"s": altered},
            )
        with pytest.raises(SyncError) as refused:
            sync_once(store, http)
        assert refused.value.code == "audit_chain_broken"
        assert "recorded the break" in refused.value.message_en and "办公室已拒收并记录" in refused.value.message_zh
        assert office_chain(office, device_of(store)) == held  # nothing of the batch merged
        with pytest.raises(SyncError):
            sync_once(store, http)  # refused again: the same break, counted
        [found] = breaks(office)
        assert (found.device_id, found.kind, found.position, found.seq, found.attempts) == (
            device_of(store),
            "hash",
            len(held) + 2,
            altered,
            2,
        )
        with store.session() as session:
            event = session.exec(sm_select(AuditEvent).where(AuditEvent.seq == altered)).one()
        assert found.got == event.hash and found.expected == audit.event_hash(event.prev_hash, event)

        code, out = verify_cli(office, capsys)
        assert code == 1
        assert f"BREAK hash      王一 / 王一的笔记本 (device {device_of(store)}) at position {len(held) + 2}" in out
        assert "altered after it was written" in out and "2 attempt(s)" in out
        code, out = verify_cli(office, capsys, "--json")
        report = json.loads(out)
        assert code == 1 and report["breaks"] == 1
        [device] = [d for d in report["devices"] if d["device_id"] == device_of(store)]
        assert device["user_name"] == "王一" and device["device_name"] == "王一的笔记本"
        assert [(p["kind"], p["position"], p["refused"]) for p in device["problems"]] == [("hash", len(held) + 2, True)]
    finally:
        store.close()


def rechain(store: Store) -> None:
    """What a careful forger does after altering an event: hash it and every later event again, so that the
    laptop's own chain verifies."""
    with store.engine.begin() as conn:
        rows = conn.execute(select(AuditEvent.__table__).order_by(text("seq"))).all()  # type: ignore[attr-defined]
        prev = audit.GENESIS
        for row in rows:
            digest = audit.event_hash(prev, row)
            conn.execute(
                text("UPDATE auditevent SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev, "h": digest, "s": row.seq},
            )
            prev = digest


def test_a_rewritten_chain_is_refused_though_the_laptop_itself_verifies(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, http = laptop(office, tmp_path, "王一")
    try:
        add_enterprises(store, 3)
        sync_once(store, http)
        held = office_chain(office, device_of(store))
        with store.engine.begin() as conn:  # an event the office holds, altered
            conn.execute(text("UPDATE auditevent SET actor = 'someone-else' WHERE seq = 2"))
        rechain(store)
        with store.session() as session:
            assert [p.kind for p in audit.verify_audit(session).problems] == []  # locally, no trace
        add_enterprises(store, 1)
        with pytest.raises(SyncError) as refused:
            sync_once(store, http)
        assert refused.value.code == "audit_chain_broken"
        assert office_chain(office, device_of(store)) == held
        [found] = breaks(office)
        assert (found.kind, found.position, found.expected) == ("link", len(held) + 1, held[-1][2])
        with store.session() as session:
            last_sent = session.exec(sm_select(AuditEvent).where(AuditEvent.seq == len(held))).one()
        assert found.got == last_sent.hash != held[-1][2]  # its hash as rewritten here

        code, out = verify_cli(office, capsys)
        assert code == 1 and "BREAK link" in out and "rewritten or events were removed" in out
    finally:
        store.close()


def test_an_event_held_that_comes_again_changed_is_refused(office: Office, tmp_path: Path) -> None:
    store, http = laptop(office, tmp_path, "王一")
    try:
        add_enterprises(store, 2)
        sync_once(store, http)
        events = bodies(store)
        changed = dict(events[1], actor="someone-else")
        prev_hash = str(changed["prev_hash"])
        changed["hash"] = audit.event_hash(prev_hash, AuditEventBody.model_validate(changed))
        r = post(http, [changed])
        assert r.status_code == 409 and r.json()["code"] == "audit_chain_broken"
        [found] = breaks(office)
        assert (found.kind, found.position, found.expected, found.got) == (
            "rewritten",
            2,
            events[1]["hash"],
            changed["hash"],
        )
        assert_same_chain(office, store)  # the office's copy is untouched
    finally:
        store.close()


def test_an_event_held_that_comes_again_under_a_later_seq_is_refused(office: Office, tmp_path: Path) -> None:
    """The office looks up only events at or before its newest; one it holds, renumbered past it on the laptop
    and linked onto the chain's tip, still comes out as a break, recorded, and nothing of the batch is kept."""
    store, http = laptop(office, tmp_path, "王一")
    try:
        add_enterprises(store, 2)
        sync_once(store, http)
        events = bodies(store)
        tip = events[-1]
        again = dict(events[1], seq=tip["seq"] + 1, prev_hash=tip["hash"])
        again["hash"] = audit.event_hash(str(again["prev_hash"]), AuditEventBody.model_validate(again))
        r = post(http, [again])
        assert r.status_code == 409 and r.json()["code"] == "audit_chain_broken", r.text
        [found] = breaks(office)
        assert (found.kind, found.position, found.expected) == ("rewritten", 2, events[1]["hash"])
        assert_same_chain(office, store)
    finally:
        store.close()


def test_verify_audit_finds_an_event_altered_in_the_office_database(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, http = laptop(office, tmp_path, "王一")
    try:
        add_enterprises(store, 2)
        sync_once(store, http)
        code, out = verify_cli(office, capsys)
        assert code == 0 and f"OK    王一 / 王一的笔记本 (device {device_of(store)})" in out
        e = office_audit_event.c
        with office.engine.begin() as conn:
            body = json.loads(conn.execute(select(e.body).where(e.position == 3)).scalar_one())
            body["actor"] = "someone-else"
            conn.execute(office_audit_event.update().where(e.position == 3).values(body=json.dumps(body)))
        [check] = [c for c in verify_chains(office.engine) if c.device_id == device_of(store)]
        assert [(p.kind, p.position, p.refused) for p in check.problems] == [("hash", 3, False)]
        code, out = verify_cli(office, capsys)
        assert code == 1 and "BREAK hash" in out and "at position 3" in out
    finally:
        store.close()


# ─── scope ───────────────────────────────────────────────────────────────────────────────────────────


def test_a_device_cannot_send_another_devices_events(office: Office, tmp_path: Path) -> None:
    a, http_a = laptop(office, tmp_path, "王一")
    b, http_b = laptop(office, tmp_path, "李二")
    try:
        add_enterprises(a, 3)
        sync_once(a, http_a)
        a_events = bodies(a)
        r = post(http_b, a_events)  # 王一's chain, from 李二's laptop
        assert r.status_code == 403 and r.json()["code"] == "foreign_chain"
        add_enterprises(b, 1)
        sync_once(b, http_b)
        r = post(http_b, a_events[-1:])  # once it has a chain of its own, another laptop's event is refused too
        assert r.status_code == 403 and r.json()["code"] == "foreign_chain"
        r = post(http_b, [*bodies(b)[-1:], a_events[-1]])  # mixed in with its own
        assert r.status_code == 403 and r.json()["code"] == "foreign_chain"
        assert_same_chain(office, a)
        assert_same_chain(office, b)
        assert breaks(office) == []  # a refused foreign batch is not a break of either chain
        with office.engine.connect() as conn:
            chains = dict(conn.execute(select(office_audit_chain.c.device_id, office_audit_chain.c.chain_id)).all())
        assert chains == {device_of(a): a.device_id, device_of(b): b.device_id}
    finally:
        a.close()
        b.close()


def test_malformed_or_unauthenticated_batches(office: Office, tmp_path: Path) -> None:
    store, http = laptop(office, tmp_path, "王一")
    try:
        add_enterprises(store, 1)
        events = bodies(store)
        assert office.client.post("/api/v1/audit", json={"events": events}).status_code == 401
        assert post(http, []).status_code == 422
        assert post(http, [dict(events[0], hash="xyz")]).status_code == 422
        assert post(http, [dict(events[0], at="yesterday")]).status_code == 422
        with office.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(office_audit_event)).scalar_one() == 0
    finally:
        store.close()
