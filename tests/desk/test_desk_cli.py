"""The desk commands: plan draft / approve / progress, complaint add / task / list / close, review, task dispatch."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from inspector import clock
from inspector.cli import main
from inspector.documents.service import create_draft
from inspector.domain.enums import DocumentKind, InspectorRole
from inspector.store.audit import RECORD_ACTIONS
from inspector.store.db import Store, open_store
from inspector.store.models import AuditEvent, Inspector
from tests.desk.conftest import PLAN_YEAR, County

SERVICE_EVENT = col(AuditEvent.action).not_in(RECORD_ACTIONS)  # not the store's own record events


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_draft_approve_and_progress(
    data_dir: Path, store: Store, county: County, capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(data_dir)
    code, out, _ = run("--data-dir", d, "plan", "draft", "--year", str(PLAN_YEAR), "--ratio", "0.5", "--seed", "7",
                       "--json", capsys=capsys)  # fmt: skip
    draft = json.loads(out)
    assert code == 0 and draft["county_code"] == "140522"  # the agency's county
    assert (draft["full_coverage"], draft["sampled"], draft["seed"], draft["yearly_cap"]) == (4, 6, "7", 1)
    plan_id = draft["plan_id"]
    code, _, err = run("--data-dir", d, "plan", "draft", "--year", str(PLAN_YEAR), capsys=capsys)
    assert code == 2 and err.startswith("inspector: error: A draft plan") and err.count("\n") == 1
    code, out, _ = run("--data-dir", d, "plan", "list", "--json", capsys=capsys)
    assert [p["id"] for p in json.loads(out)] == [plan_id]

    code, _, err = run("--data-dir", d, "plan", "approve", plan_id, "--by", county.officer_ids[0], capsys=capsys)
    assert code == 2 and "not an active supervisor" in err
    code, out, _ = run("--data-dir", d, "plan", "approve", plan_id, "--by", county.supervisor_id, capsys=capsys)
    assert code == 0 and "approved" in out
    code, _, err = run("--data-dir", d, "plan", "approve", plan_id, "--by", county.supervisor_id, capsys=capsys)
    assert code == 2 and "locked" in err

    code, out, _ = run("--data-dir", d, "plan", "progress", plan_id, "--json", capsys=capsys)
    progress = json.loads(out)
    assert code == 0 and progress["planned"] == 10 and progress["done"] == 0 and len(progress["months"]) == 12
    code, out, _ = run("--data-dir", d, "plan", "progress", plan_id, capsys=capsys)
    assert code == 0 and f"{PLAN_YEAR}-01  planned    1  done    0" in out
    code, _, err = run("--data-dir", d, "plan", "progress", "no-such-plan", capsys=capsys)
    assert code == 2 and "No annual plan" in err


def test_complaints_and_dispatch(
    data_dir: Path, store: Store, county: County, capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(data_dir)
    due = (clock.local_today() + timedelta(days=10)).isoformat()
    add = ("--data-dir", d, "complaint", "add", "--channel", "12350", "--content", "夜间违规生产", "--deadline", due)
    code, _, err = run(*add, "--anonymous", "--reporter", "张某", "--enterprise", county.general_ids[0], capsys=capsys)
    assert code == 2 and "anonymous" in err
    code, out, _ = run(*add, "--enterprise", county.general_ids[0], "--received", "2026-01-05T09:30", capsys=capsys)
    complaint_id = out.strip()
    assert code == 0 and len(complaint_id) == 36
    code, _, err = run("--data-dir", d, "complaint", "task", complaint_id, "--inspector", county.officer_ids[0],
                       capsys=capsys)  # fmt: skip
    assert code == 2 and "at least 2 inspectors" in err
    code, out, _ = run("--data-dir", d, "complaint", "task", complaint_id, "--inspector", county.officer_ids[0],
                       "--inspector", county.officer_ids[1], capsys=capsys)  # fmt: skip
    assert code == 0 and len(out.strip()) == 36
    code, _, err = run("--data-dir", d, "complaint", "close", complaint_id, "--result", "已核查", capsys=capsys)
    assert code == 2 and "not finished" in err
    code, out, _ = run(*add, "--place", "町店镇某砖厂", "--reporter", "王某", "--phone", "13812345678", capsys=capsys)
    named_id = out.strip()
    code, out, _ = run("--data-dir", d, "complaint", "close", named_id, "--result", "已转交县住建局", capsys=capsys)
    assert code == 0 and "已转交县住建局" in out
    code, out, _ = run("--data-dir", d, "complaint", "list", "--json", capsys=capsys)
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows[complaint_id]["status"] == "核查中" and rows[complaint_id]["reporter"] == "匿名"
    assert rows[named_id]["status"] == "已办结" and rows[named_id]["reporter"] == "王某"
    assert rows[complaint_id]["received_at"].startswith("2026-01-05T01:30")  # typed as Beijing time
    code, out, _ = run("--data-dir", d, "complaint", "list", "--status", "已办结", capsys=capsys)
    assert code == 0 and named_id in out and complaint_id not in out

    dispatch = ("--data-dir", d, "task", "dispatch", county.key_ids[0], "--due", due, "--title", "专项检查")
    code, _, err = run(*dispatch, "--inspector", county.officer_ids[0], capsys=capsys)
    assert code == 2 and "inspectors" in err
    code, out, err = run(*dispatch, "--inspector", county.officer_ids[0], "--inspector", county.officer_ids[2],
                         capsys=capsys)  # fmt: skip
    assert code == 0 and len(out.strip()) == 36 and "next sync" in err
    two = ("--inspector", county.officer_ids[0], "--inspector", county.officer_ids[1])
    code, _, err = run("--data-dir", d, "task", "dispatch", county.key_ids[0], "--due", "明天", "--title", "x", *two,
                       capsys=capsys)  # fmt: skip
    assert code == 2 and "YYYY-MM-DD" in err


def test_review_commands_on_the_demo(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(data_dir)
    code, out, _ = run("--data-dir", d, "demo", "--json", capsys=capsys)
    inspection_id = json.loads(out)["finished_inspection_id"]
    code, out, err = run("--data-dir", d, "review", "list", capsys=capsys)
    assert code == 0 and out == "" and "0 decision(s)" in err  # the demo's decision is approved already
    store = open_store(data_dir)
    try:
        with store.session() as session:
            boss = session.exec(select(Inspector).where(Inspector.role == InspectorRole.SUPERVISOR)).one().id
            officer = session.exec(select(Inspector).where(Inspector.role == InspectorRole.INSPECTOR)).first()
            assert officer is not None
            draft = create_draft(session, kind=DocumentKind.ON_SITE_MEASURES, inspection_id=inspection_id).id
    finally:
        store.close()
    code, out, _ = run("--data-dir", d, "review", "submit", draft, "--by", officer.id, capsys=capsys)
    assert code == 0 and "submitted" in out
    code, out, _ = run("--data-dir", d, "review", "list", "--json", capsys=capsys)
    assert [r["document_id"] for r in json.loads(out)] == [draft]
    code, _, err = run("--data-dir", d, "review", "return", draft, "--by", officer.id, "--comment", "x", capsys=capsys)
    assert code == 2 and "not an active supervisor" in err
    code, out, _ = run("--data-dir", d, "review", "return", draft, "--by", boss, "--comment", "补充设备编号",
                       capsys=capsys)  # fmt: skip
    assert code == 0 and "补充设备编号" in out
    code, _, err = run("--data-dir", d, "review", "approve", draft, "--by", boss, capsys=capsys)
    assert code == 2 and "已退回" in err
    run("--data-dir", d, "review", "submit", draft, "--by", officer.id, capsys=capsys)
    code, out, _ = run("--data-dir", d, "review", "list", capsys=capsys)
    assert "returned before: 补充设备编号" in out
    code, out, _ = run("--data-dir", d, "review", "approve", draft, "--by", boss, capsys=capsys)
    assert code == 0 and "may be issued" in out
    store = open_store(data_dir)
    try:
        with store.session() as session:
            events = select(AuditEvent).where(AuditEvent.record_id == draft, SERVICE_EVENT)
            actions = [e.action for e in session.exec(events)]
    finally:
        store.close()
    assert actions == ["submit_for_review", "return", "submit_for_review", "approve"]
