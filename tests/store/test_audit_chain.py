"""The hash-chained audit log: every change is an event, chained; verify names a broken link, a record edited
or added or deleted behind the app's back, and a changed file."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from inspector.cli import main
from inspector.demo.seed import seed_demo
from inspector.store import audit
from inspector.store.db import Store, open_store
from inspector.store.models import AuditEvent, Enterprise, Evidence, Finding


def problems(store: Store) -> list[tuple[str, str]]:
    with store.session() as session:
        return [(p.kind, p.table_name) for p in audit.verify_audit(session).problems]


@pytest.fixture
def demo(store: Store) -> Store:
    seed_demo(store)
    return store


def test_every_change_is_a_chained_event_and_a_clean_folder_verifies(demo: Store) -> None:
    with demo.session() as session:
        finding = session.exec(select(Finding)).first()
        assert finding is not None
        finding.description += "（补充）"
        session.add(finding)
    with demo.session() as session:
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all()
        last = [e for e in events if e.record_id == finding.id][-1]
        assert last.action == "update" and set(last.new_values or {}) == {"description"}
        assert (last.old_values or {})["description"] + "（补充）" == (last.new_values or {})["description"]
        assert events[0].prev_hash == audit.GENESIS
        assert all(b.prev_hash == a.hash and b.hash for a, b in itertools.pairwise(events))
        report = audit.verify_audit(session)
    assert report.problems == [] and report.events == len(events) and report.records > 100


def test_a_record_edited_with_sql_is_named(demo: Store) -> None:
    with demo.session() as session:
        finding = session.exec(select(Finding)).first()
        assert finding is not None
    with demo.engine.begin() as conn:
        conn.execute(text("UPDATE finding SET description = '已整改' WHERE id = :id"), {"id": finding.id})
    with demo.session() as session:
        found = audit.verify_audit(session).problems
    assert [(p.kind, p.table_name, p.record_id) for p in found] == [("changed", "finding", finding.id)]


def test_rows_added_or_removed_with_sql_are_named(demo: Store) -> None:
    with demo.session() as session:
        enterprise = session.exec(select(Enterprise)).first()
        assert enterprise is not None
    with demo.engine.begin() as conn:
        conn.execute(text("PRAGMA foreign_keys = OFF"))
        conn.execute(
            text(
                "INSERT INTO enterprise (id, name, credit_code, industry, sector, address, township, county_code, "
                "legal_representative, contact_phone, risk_level, is_key, licence_no, notes, origin_device, version) "
                "VALUES ('forged', '伪造企业', '91140522MA0KFAKE01', '煤矿', '', '', '', '140522', '', '', '', 0, '', "
                "'', '', 1)"
            )
        )
        conn.execute(text("DELETE FROM evidencelink"))
        conn.execute(text("DELETE FROM evidence WHERE id = (SELECT id FROM evidence LIMIT 1)"))
    kinds = problems(demo)
    assert ("unaudited", "enterprise") in kinds and ("deleted", "evidence") in kinds
    assert ("deleted", "evidencelink") in kinds


def test_an_event_altered_or_removed_breaks_the_chain_there(demo: Store) -> None:
    with demo.engine.begin() as conn:
        seqs = [row[0] for row in conn.execute(text("SELECT seq FROM auditevent ORDER BY seq"))]
        conn.execute(text("UPDATE auditevent SET actor = 'someone' WHERE seq = :s"), {"s": seqs[10]})
        conn.execute(text("DELETE FROM auditevent WHERE seq = :s"), {"s": seqs[20]})
    with demo.session() as session:
        chain = [p for p in audit.verify_audit(session).problems if p.kind == "chain"]
    assert len(chain) == 2  # the altered event, and the one after the removed event
    assert f"audit event {seqs[10]} " in chain[0].detail and f"audit event {seqs[21]} " in chain[1].detail


def test_a_folder_from_before_the_audit_log_gets_a_baseline(tmp_path: Path) -> None:
    store = open_store(tmp_path / "old")
    try:
        seed_demo(store)
        with store.engine.begin() as conn:  # as if no event had been kept
            conn.execute(text("DELETE FROM auditevent"))
            conn.execute(text("DELETE FROM setting WHERE key = 'audit.baseline'"))
    finally:
        store.close()
    store = open_store(tmp_path / "old")
    try:
        assert problems(store) == []
        with store.session() as session:
            assert session.exec(select(AuditEvent).where(AuditEvent.action == "baseline")).first() is not None
    finally:
        store.close()


def test_the_verify_command_checks_records_and_files(demo: Store, capsys: pytest.CaptureFixture[str]) -> None:
    folder = ["--data-dir", str(demo.data_dir)]
    demo.close()
    assert main([*folder, "verify"]) == 0
    assert "0 record problem(s), 0 file problem(s)" in capsys.readouterr().out
    store = open_store(demo.data_dir)
    with store.session() as session:
        photo = session.exec(select(Evidence)).first()
        assert photo is not None
    path = store.blobs.path_of(photo.sha256)
    path.chmod(0o644)
    path.write_bytes(b"not the photo")
    store.close()
    assert main([*folder, "verify", "--json"]) == 1
    out = capsys.readouterr().out
    assert '"status": "changed"' in out and photo.sha256 in out
