"""Laptops and the office, end to end through the real app (in-process): push, pull, blobs, scope, revocation."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from inspector.domain.enums import Industry
from inspector.domain.identifiers import make_credit_code
from inspector.office.admin import add_user, enroll_device, revoke_device
from inspector.office.db import office_blob
from inspector.registry.service import register_enterprise
from inspector.store import audit
from inspector.store.blobs import BlobStore
from inspector.store.db import Store, open_store
from inspector.store.models import Document, Enterprise, Evidence, Finding, ItemResult, OutboxEntry
from inspector.sync.client import SyncError, enroll, office_link, sync_once
from inspector.sync.protocol import GLOBAL_TABLES
from tests.sync.conftest import URL, Office, laptop


def _record_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, object]]]:
    """Every request the sync client makes from now on, as ("METHOD /path", its keyword arguments)."""
    from inspector.sync import client

    recorded: list[tuple[str, dict[str, object]]] = []
    real_call = client._call

    def recording(http: object, method: str, path: str, **kwargs: object) -> object:
        recorded.append((f"{method} {path}", kwargs))
        return real_call(http, method, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(client, "_call", recording)
    return recorded


def _ids(store: Store, model: type) -> set[str]:
    with store.session() as session:
        return {row.id for row in session.exec(select(model))}


def test_a_laptops_work_reaches_a_colleagues_laptop_with_its_photos_and_pdfs(office: Office, tmp_path: Path) -> None:
    a, http_a = laptop(office, tmp_path, "a", demo=True)
    b, http_b = laptop(office, tmp_path, "b")
    try:
        first = sync_once(a, http_a)
        assert first.pushed > 100 and first.blobs_uploaded >= 7  # 5 photos and 2 issued PDFs
        with a.session() as session:
            assert session.exec(select(OutboxEntry)).all() == []  # everything acknowledged
        assert first.number_blocks == 1  # the office reserved this laptop's case numbers
        assert first.pulled == 0  # its own records came back unchanged: nothing received
        again = sync_once(a, http_a)
        assert again.pushed == 0 and again.blobs_uploaded == 0 and again.number_blocks == 0
        pulled = sync_once(b, http_b)
        assert pulled.pulled > 100
        for store in (a, b):  # what was pulled is audited too ("sync" events), so both folders verify clean
            with store.session() as session:
                assert audit.verify_audit(session).problems == []
        for model in (Enterprise, Finding, Evidence, Document, ItemResult):
            assert _ids(b, model) == _ids(a, model), model
        with b.session() as session:
            photos = session.exec(select(Evidence)).all()
            documents = session.exec(select(Document).where(Document.pdf_sha256 != "")).all()
            assert all(b.blobs.verify(p.sha256).status == "ok" for p in photos)
            assert all(b.blobs.verify(d.pdf_sha256).status == "ok" for d in documents)
            assert session.exec(select(OutboxEntry)).all() == []  # what was pulled is not sent back
    finally:
        a.close()
        b.close()


def test_an_edit_on_one_laptop_reaches_the_other_once(office: Office, tmp_path: Path) -> None:
    a, http_a = laptop(office, tmp_path, "a", demo=True)
    b, http_b = laptop(office, tmp_path, "b")
    try:
        sync_once(a, http_a)
        sync_once(b, http_b)
        with b.session() as session:
            enterprise = session.exec(select(Enterprise).order_by(Enterprise.name)).first()
            assert enterprise is not None
            enterprise.contact_phone = "13900001111"
            session.add(enterprise)
            target = enterprise.id
        assert sync_once(b, http_b).pushed == 1
        report = sync_once(a, http_a)
        assert report.pushed == 0
        with a.session() as session:
            updated = session.get(Enterprise, target)
            assert updated is not None and updated.contact_phone == "13900001111"
            assert session.exec(select(OutboxEntry)).all() == []
        assert sync_once(a, http_a).pulled == 0  # nothing new: the cursor moved past it
    finally:
        a.close()
        b.close()


def test_another_countys_laptop_sees_nothing_and_may_not_send_our_data(office: Office, tmp_path: Path) -> None:
    a, http_a = laptop(office, tmp_path, "a", demo=True)
    c, http_c = laptop(office, tmp_path, "c", county="140581")
    try:
        sync_once(a, http_a)
        sync_once(c, http_c)  # it pulls only its own number block back
        for model in (Enterprise, Finding, Evidence, Document):
            assert _ids(c, model) == set(), model
        with c.session() as session:
            register_enterprise(
                session,
                name="冒名登记的阳城企业",
                credit_code=make_credit_code("140522", "MA0K0001"),
                industry=Industry.INDUSTRY_TRADE,
                county_code="140522",
            )
        with pytest.raises(SyncError) as err:
            sync_once(c, http_c)
        assert err.value.code == "forbidden"
        with c.session() as session:
            assert len(session.exec(select(OutboxEntry)).all()) == 1  # kept: nothing was acknowledged
    finally:
        a.close()
        c.close()


def test_a_revoked_laptop_is_told_so_and_keeps_its_changes(office: Office, tmp_path: Path) -> None:
    a, http_a = laptop(office, tmp_path, "a", demo=True)
    try:

        def own_changes() -> int:  # shipped checklists and banks are never sent, so not counted
            with a.session() as session:
                return sum(1 for e in session.exec(select(OutboxEntry)) if e.table_name not in GLOBAL_TABLES)

        pending = own_changes()

        with a.session() as session:
            link = office_link(session)
        assert link is not None
        revoke_device(office.engine, link.device_id)
        with pytest.raises(SyncError) as err:
            sync_once(a, http_a)
        assert err.value.code == "unauthorized" and "重新登记" in err.value.message_zh
        assert own_changes() == pending > 100
    finally:
        a.close()


def test_a_full_disk_is_named_and_the_next_sync_finishes(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from inspector.store.blobs import BlobStore

    a, http_a = laptop(office, tmp_path, "a", demo=True)
    b, http_b = laptop(office, tmp_path, "b")
    try:
        sync_once(a, http_a)

        def full(self: BlobStore, chunks: object) -> str:
            raise OSError(errno.ENOSPC, "No space left on device")

        with monkeypatch.context() as patch:
            patch.setattr(BlobStore, "put_stream", full)
            with pytest.raises(SyncError) as err:
                sync_once(b, http_b)
        assert err.value.code == "disk_full" and "磁盘空间已满" in err.value.message_zh
        with b.session() as session:
            link = office_link(session)
            assert link is not None
        report = sync_once(b, http_b)  # space again: it carries on where it stopped
        assert report.blobs_downloaded >= 7
        assert _ids(b, Evidence) == _ids(a, Evidence)
        assert all(b.blobs.has(sha) for sha in _blob_hashes(a))
    finally:
        a.close()
        b.close()


def _blob_hashes(store: Store) -> set[str]:
    with store.session() as session:
        return {row.sha256 for row in session.exec(select(Evidence))}


def test_an_enrolment_whose_answer_was_lost_is_repeated_with_the_same_code(office: Office, tmp_path: Path) -> None:
    import httpx

    from inspector.store.settings import get_setting
    from inspector.sync.client import PENDING_ENROLL_KEY

    store = open_store(tmp_path / "lost")
    try:
        user = add_user(office.engine, name="执法丢包", role="inspector", county_code="140522")
        code = enroll_device(office.engine, user)

        class AnswerLost(TestClient):
            def request(self, method: str, url: object, *args: object, **kwargs: object) -> httpx.Response:  # type: ignore[override]
                super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]  # the office enrolled it …
                raise httpx.ReadError("connection reset")  # … and the answer was lost

        http = AnswerLost(office.client.app)
        with pytest.raises(SyncError) as err:
            enroll(store, http, url=URL, code=code, device_name="丢包的笔记本")
        assert err.value.code == "network"
        with store.session() as session:
            assert office_link(session) is None and get_setting(session, PENDING_ENROLL_KEY)
        link = enroll(store, TestClient(office.client.app), url=URL, code=code, device_name="丢包的笔记本")
        assert link.token and link.county_code == "140522"
        with store.session() as session:
            assert get_setting(session, PENDING_ENROLL_KEY) is None
    finally:
        store.close()


def test_a_push_too_big_for_one_request_is_split_and_arrives_whole(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector.sync import client

    a, http_a = laptop(office, tmp_path, "a")
    b, http_b = laptop(office, tmp_path, "b")
    try:
        long_note = "井下作业规程逐条核对。" * 5000  # ~150 KB of JSON each
        with a.session() as session:
            ids = [
                register_enterprise(
                    session,
                    name=f"阳城县长备注企业{n}",
                    credit_code=make_credit_code("140522", f"MA0LANG{n}"),
                    industry=Industry.COAL,
                    county_code="140522",
                    address="阳城县",
                    township="凤城镇",
                    legal_representative="张三",
                ).id
                for n in range(8)
            ]
            for enterprise in session.exec(select(Enterprise).where(col(Enterprise.id).in_(ids))):
                enterprise.notes = long_note
                session.add(enterprise)
        monkeypatch.setattr(client, "PUSH_BODY_BUDGET", 400_000)
        calls = _record_calls(monkeypatch)
        report = sync_once(a, http_a)
        bodies = [len(kwargs["content"]) for name, kwargs in calls if name == "POST /push"]  # type: ignore[arg-type]
        assert len(bodies) >= 4 and max(bodies) <= 400_000  # split in halves until each fits
        assert report.pushed >= 8
        sync_once(b, http_b)
        with b.session() as session:
            arrived = {e.id: e.notes for e in session.exec(select(Enterprise).where(col(Enterprise.id).in_(ids)))}
        assert arrived == dict.fromkeys(ids, long_note)
    finally:
        a.close()
        b.close()


def test_photos_go_up_in_packs_a_large_one_by_offset_and_a_cancel_keeps_what_was_sent(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector.sync import client

    a, http_a = laptop(office, tmp_path, "a", demo=True)
    try:
        with a.session() as session:
            hashes = sorted(client.referenced_blobs(session, client._pending(session)), key=a.blobs.size)
        sizes = [a.blobs.size(h) for h in hashes]
        assert len(hashes) >= 7  # photos, signatures and issued PDFs
        # The largest goes by offset (in two requests); the others in packs of about two.
        monkeypatch.setattr(client, "CHUNK", (sizes[-2] + sizes[-1]) // 2)
        monkeypatch.setattr(client, "PACK_BYTES", sizes[-3] + sizes[-2])
        recorded = _record_calls(monkeypatch)
        uploads: list[int] = []

        def progress(stage: str, done: int, _total: int) -> None:
            if stage == "upload":
                uploads.append(done)

        cancelled = sync_once(a, http_a, progress=progress, should_cancel=lambda: len(uploads) >= 3)  # after 3 blobs
        assert cancelled.cancelled and cancelled.blobs_uploaded == 3 and cancelled.pushed == 0
        with office.engine.connect() as conn:
            kept = {r.sha256 for r in conn.execute(sa_select(office_blob.c.sha256))}
        assert len(kept) == 3 and kept < set(hashes)  # the blobs sent before the cancel stay on the office

        recorded.clear()
        uploads.clear()
        report = sync_once(a, http_a, progress=progress)
        calls = [name for name, _ in recorded]
        assert not report.cancelled and report.blobs_uploaded == len(hashes) - 3
        assert report.bytes_uploaded == sum(sizes) - sum(a.blobs.size(h) for h in kept)
        packs = calls.count("PUT /blobs/pack")
        by_offset = [c for c in calls if c.startswith("PUT /blobs/") and c != "PUT /blobs/pack"]
        assert 2 <= packs < len(hashes) - 3 and len(by_offset) == 2  # the largest, in two requests
        assert uploads == list(range(len(hashes) - 3))  # one step per blob, in order
        store = BlobStore(tmp_path / "office-blobs")
        assert all(store.verify(h).status == "ok" for h in hashes)
    finally:
        a.close()


def test_an_everyday_sync_takes_two_requests(office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    a, http_a = laptop(office, tmp_path, "a")
    b, http_b = laptop(office, tmp_path, "b")
    try:
        for store, http in ((a, http_a), (b, http_b)):
            sync_once(store, http)
        with a.session() as session:
            register_enterprise(
                session,
                name="阳城县日常同步测试有限公司",
                credit_code=make_credit_code("140522", "MA0DAY01"),
                industry=Industry.COAL,
                county_code="140522",
                address="阳城县",
                township="凤城镇",
                legal_representative="张三",
            )
        recorded = _record_calls(monkeypatch)

        def calls() -> list[str]:
            names = [name for name, _ in recorded]
            recorded.clear()
            return names

        sent = sync_once(a, http_a)
        assert sent.pushed == 1 and calls() == ["POST /sync", "POST /audit"]  # numbers, push and pull in one
        got = sync_once(b, http_b)
        assert got.pulled == 1 and calls() == ["POST /sync", "POST /audit"]  # the "sync" event of what came
        assert sync_once(b, http_b).pulled == 0 and calls() == ["POST /sync"]  # nothing new: nothing to audit
    finally:
        a.close()
        b.close()
