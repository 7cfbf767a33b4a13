"""Walking a checklist: answers, notes, findings made from failed items, whole sections, progress."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from inspector.checklists.schema import parse_checklist_text
from inspector.checklists.service import import_definition
from inspector.domain.enums import FindingStatus, HazardGrade, InspectionStatus, ItemResultValue
from inspector.errors import TransitionError, ValidationError
from inspector.inspections import walk
from inspector.inspections.findings import update_finding
from inspector.inspections.service import finish_inspection, reopen_inspection, start_inspection
from inspector.store.db import Store
from inspector.store.models import Finding, ItemResult
from tests.conftest import Basics

ARRIVAL = datetime(2024, 5, 6, 1, 30, tzinfo=UTC)

CHECKLIST = """
[checklist]
code = "mini"
revision = 1
title = "小检查表"
industry = "煤矿"
sources = ["《测试标准》（测试〔2024〕1号）"]

[[sections]]
code = "mini-01"
title = "第一节"

[[sections.items]]
code = "mini-01-01"
content = "瓦斯检查应当按规定进行"
method = "查阅瓦斯检查记录"
basis = "《测试标准》第一条第（一）项"
basis_text = "瓦斯检查不按规定进行的"
grade = "重大事故隐患"

[[sections.items]]
code = "mini-01-02"
content = "培训档案应当完整"
method = "抽查培训档案"
basis = "《测试标准》第二条"
grade = "一般隐患"

[[sections]]
code = "mini-02"
title = "第二节（液氨制冷）"

[[sections.items]]
code = "mini-02-01"
content = "液氨储罐应当设置监测报警"
method = "现场查看"
basis = "《测试标准》第三条"
grade = "一般隐患"

[[sections.items]]
code = "mini-02-02"
content = "液氨管道应当定期检测"
method = "查阅检测报告"
basis = "《测试标准》第四条"
grade = "一般隐患"
"""


@pytest.fixture
def walking(store: Store, basics: Basics) -> tuple[str, list[str]]:
    with store.session() as session:
        template_id = import_definition(session, parse_checklist_text(CHECKLIST)).template_id
        inspection = start_inspection(
            session,
            enterprise_id=basics.mine_id,
            inspector_ids=basics.inspector_ids[:2],
            started_at=ARRIVAL,
            checklist_template_id=template_id,
        )
        rows = walk.checklist_rows(session, inspection.id)
    return inspection.id, [r.item_id for r in rows]


def test_rows_follow_the_checklist_and_start_unanswered(store: Store, walking: tuple[str, list[str]]) -> None:
    inspection_id, _ = walking
    with store.session() as session:
        rows = walk.checklist_rows(session, inspection_id)
    assert [r.code for r in rows] == ["mini-01-01", "mini-01-02", "mini-02-01", "mini-02-02"]
    assert [r.section for r in rows] == ["第一节", "第一节", "第二节（液氨制冷）", "第二节（液氨制冷）"]
    assert all(r.result is None and r.finding_id is None for r in rows)
    assert rows[0].basis_text == "瓦斯检查不按规定进行的"
    progress = walk.progress_of(rows)
    assert (progress.answered, progress.total, progress.failed, progress.complete) == (0, 4, 0, False)


def test_failed_item_makes_a_prefilled_finding(store: Store, walking: tuple[str, list[str]]) -> None:
    inspection_id, items = walking
    with store.session() as session:
        walk.record_result(session, inspection_id=inspection_id, item_id=items[0], result=ItemResultValue.FAIL)
    with store.session() as session:
        finding = session.exec(select(Finding).where(Finding.item_id == items[0])).one()
        rows = walk.checklist_rows(session, inspection_id)
    assert finding.description == "瓦斯检查应当按规定进行"
    assert finding.grade is HazardGrade.MAJOR
    assert finding.basis == "《测试标准》第一条第（一）项"
    assert finding.source == "checklist"
    # 重大: 30 days from the inspection date (6 May in 阳城) to start from; the inspector edits it.
    assert finding.deadline == date(2024, 6, 5)
    assert rows[0].finding_id == finding.id and rows[0].result is ItemResultValue.FAIL


def test_taking_a_failure_back_removes_the_untouched_finding_only(store: Store, walking: tuple[str, list[str]]) -> None:
    inspection_id, items = walking
    with store.session() as session:
        for item_id in items[:2]:
            walk.record_result(session, inspection_id=inspection_id, item_id=item_id, result=ItemResultValue.FAIL)
    with store.session() as session:
        edited = session.exec(select(Finding).where(Finding.item_id == items[1])).one()
        update_finding(session, finding_id=edited.id, description="抽查6名新员工培训档案无考核记录")
    with store.session() as session:
        for item_id in items[:2]:
            walk.record_result(session, inspection_id=inspection_id, item_id=item_id, result=ItemResultValue.PASS)
    with store.session() as session:
        remaining = session.exec(select(Finding).where(Finding.inspection_id == inspection_id)).all()
    # The one the inspector rewrote is kept; the untouched one went with the answer.
    assert [f.description for f in remaining] == ["抽查6名新员工培训档案无考核记录"]


def test_answering_twice_keeps_one_answer_and_one_finding(store: Store, walking: tuple[str, list[str]]) -> None:
    inspection_id, items = walking
    with store.session() as session:
        for _ in range(3):
            walk.record_result(session, inspection_id=inspection_id, item_id=items[0], result=ItemResultValue.FAIL)
        walk.record_result(
            session, inspection_id=inspection_id, item_id=items[0], result=ItemResultValue.FAIL, note="现场查看"
        )
    with store.session() as session:
        answers = session.exec(select(ItemResult).where(ItemResult.inspection_id == inspection_id)).all()
        findings = session.exec(select(Finding).where(Finding.inspection_id == inspection_id)).all()
    assert len(answers) == 1 and answers[0].note == "现场查看"
    assert len(findings) == 1


def test_notes_need_an_answer_first(store: Store, walking: tuple[str, list[str]]) -> None:
    inspection_id, items = walking
    with store.session() as session:
        assert walk.set_note(session, inspection_id=inspection_id, item_id=items[2], note="x") is None
        walk.record_result(session, inspection_id=inspection_id, item_id=items[2], result=ItemResultValue.PASS)
        answer = walk.set_note(session, inspection_id=inspection_id, item_id=items[2], note="  报警仪在线  ")
        assert answer is not None and answer.note == "报警仪在线"


def test_item_of_another_checklist_is_refused(store: Store, walking: tuple[str, list[str]], basics: Basics) -> None:
    _, items = walking
    with store.session() as session:
        other = start_inspection(session, enterprise_id=basics.plant_id, inspector_ids=basics.inspector_ids[:2])
    with pytest.raises(ValidationError), store.session() as session:
        walk.record_result(session, inspection_id=other.id, item_id=items[0], result=ItemResultValue.PASS)


def test_whole_section_not_applicable_leaves_answered_items(store: Store, walking: tuple[str, list[str]]) -> None:
    inspection_id, items = walking
    with store.session() as session:
        walk.record_result(session, inspection_id=inspection_id, item_id=items[2], result=ItemResultValue.FAIL)
        count = walk.mark_section(
            session,
            inspection_id=inspection_id,
            section_code="mini-02",
            result=ItemResultValue.NOT_APPLICABLE,
            reason="本企业不涉及液氨制冷",
        )
        assert count == 1
        rows = walk.checklist_rows(session, inspection_id)
    assert [r.result for r in rows[2:]] == [ItemResultValue.FAIL, ItemResultValue.NOT_APPLICABLE]
    with pytest.raises(ValidationError) as err, store.session() as session:
        walk.mark_section(
            session, inspection_id=inspection_id, section_code="mini-01", result=ItemResultValue.NOT_CHECKED
        )
    assert "原因" in err.value.message_zh
    with pytest.raises(ValidationError), store.session() as session:
        walk.mark_section(session, inspection_id=inspection_id, section_code="mini-01", result=ItemResultValue.PASS)
    with pytest.raises(ValidationError), store.session() as session:
        walk.mark_section(
            session, inspection_id=inspection_id, section_code="nope", result=ItemResultValue.NOT_APPLICABLE
        )


def test_full_walk_then_finish_then_no_more_edits_until_reopened(store: Store, walking: tuple[str, list[str]]) -> None:
    inspection_id, items = walking
    with store.session() as session:
        walk.record_result(session, inspection_id=inspection_id, item_id=items[0], result=ItemResultValue.PASS)
        walk.record_result(session, inspection_id=inspection_id, item_id=items[1], result=ItemResultValue.FAIL)
        walk.record_result(
            session,
            inspection_id=inspection_id,
            item_id=items[2],
            result=ItemResultValue.NOT_CHECKED,
            unchecked_reason="储罐区检修，无法进入",
        )
        walk.record_result(
            session, inspection_id=inspection_id, item_id=items[3], result=ItemResultValue.NOT_APPLICABLE
        )
        assert walk.progress_of(walk.checklist_rows(session, inspection_id)).complete
        finish_inspection(session, inspection_id=inspection_id, ended_at=ARRIVAL + timedelta(hours=2))
    with pytest.raises(TransitionError) as err, store.session() as session:
        walk.record_result(session, inspection_id=inspection_id, item_id=items[0], result=ItemResultValue.FAIL)
    assert "不能再修改" in err.value.message_zh
    with store.session() as session:
        reopened = reopen_inspection(session, inspection_id=inspection_id)
        assert reopened.status is InspectionStatus.ON_SITE and reopened.ended_at is None
        walk.record_result(session, inspection_id=inspection_id, item_id=items[0], result=ItemResultValue.FAIL)
        statuses = {f.status for f in session.exec(select(Finding).where(Finding.inspection_id == inspection_id))}
    assert statuses == {FindingStatus.OPEN}
