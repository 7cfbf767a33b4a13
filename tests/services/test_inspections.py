"""Starting, recording and finishing an inspection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from inspector.domain.enums import (
    FindingMeasure,
    FindingStatus,
    HazardGrade,
    InspectionMode,
    InspectionStatus,
    ItemResultValue,
    TaskStatus,
)
from inspector.errors import TransitionError, ValidationError
from inspector.evidence.samples import sample_photo
from inspector.evidence.service import add_photo, link_evidence
from inspector.inspections.queries import list_findings, list_inspections
from inspector.inspections.service import (
    OnSitePerson,
    add_finding,
    finish_inspection,
    inspection_inspectors,
    major_findings_without_photo,
    start_inspection,
)
from inspector.store.db import Store
from inspector.store.models import ChecklistItem, ChecklistTemplate, Inspection, InspectionTask, ItemResult
from tests.conftest import Basics

ARRIVAL = datetime(2024, 5, 6, 1, 30, tzinfo=UTC)  # 09:30 in 阳城


def test_start_refuses_a_single_inspector_and_stores_nothing(store: Store, basics: Basics) -> None:
    with pytest.raises(ValidationError) as err, store.session() as session:
        start_inspection(session, enterprise_id=basics.mine_id, inspector_ids=[basics.inspector_ids[0]])
    assert "不少于2名" in err.value.message_zh
    with pytest.raises(ValidationError), store.session() as session:
        start_inspection(session, enterprise_id=basics.mine_id, inspector_ids=[basics.inspector_ids[0]] * 2)
    with store.session() as session:
        assert session.exec(select(Inspection)).all() == []


def test_start_records_unannounced_facts_inspectors_and_task(store: Store, basics: Basics) -> None:
    with store.session() as session:
        task = InspectionTask(enterprise_id=basics.mine_id, title="暗查")
        session.add(task)
        session.flush()
        inspection = start_inspection(
            session,
            enterprise_id=basics.mine_id,
            inspector_ids=[basics.inspector_ids[1], basics.inspector_ids[0]],
            started_at=ARRIVAL,
            task_id=task.id,
            on_site_person=OnSitePerson(name="郭某", post="安全副矿长", phone="13800000000"),
        )
        inspection_id, task_id = inspection.id, task.id
    with store.session() as session:
        stored = session.get(Inspection, inspection_id)
        assert stored is not None
        assert stored.status is InspectionStatus.ON_SITE
        assert stored.mode is InspectionMode.UNANNOUNCED
        assert stored.no_advance_notice and stored.no_escort and stored.straight_to_site
        assert stored.place == "山西省晋城市阳城县北留镇"  # defaults to the enterprise's address
        assert stored.on_site_person_post == "安全副矿长"
        assert stored.started_at == ARRIVAL
        # The order given is kept: the first named is the one in charge.
        assert [i.cert_no for i in inspection_inspectors(session, inspection_id)] == ["14052200902", "14052200901"]
        task = session.get(InspectionTask, task_id)
        assert task is not None and task.status is TaskStatus.IN_PROGRESS


def test_routine_inspection_does_not_claim_unannounced_facts(store: Store, basics: Basics) -> None:
    with store.session() as session:
        inspection = start_inspection(
            session, enterprise_id=basics.plant_id, inspector_ids=basics.inspector_ids[:2], mode=InspectionMode.ROUTINE
        )
        assert not inspection.no_advance_notice and not inspection.no_escort


def _started(store: Store, basics: Basics, **kw: object) -> str:
    with store.session() as session:
        return start_inspection(
            session, enterprise_id=basics.mine_id, inspector_ids=basics.inspector_ids[:2], started_at=ARRIVAL, **kw
        ).id  # type: ignore[arg-type]


def test_findings_validate_and_number_in_order(store: Store, basics: Basics) -> None:
    inspection_id = _started(store, basics)
    with store.session() as session:
        with pytest.raises(ValidationError):
            add_finding(session, inspection_id=inspection_id, description="   ")
        with pytest.raises(ValidationError) as err:
            add_finding(session, inspection_id=inspection_id, description="台账不全", deadline=None)
        assert "整改期限" in err.value.message_zh
        with pytest.raises(ValidationError) as err:
            add_finding(session, inspection_id=inspection_id, description="台账不全", deadline=date(2024, 5, 1))
        assert "早于检查日期" in err.value.message_zh
        with pytest.raises(ValidationError) as err:
            add_finding(
                session,
                inspection_id=inspection_id,
                description="风电闭锁失效",
                grade=HazardGrade.MAJOR,
                measure=FindingMeasure.CORRECTED_ON_SITE,
            )
        assert "重大事故隐患" in err.value.message_zh
        first = add_finding(session, inspection_id=inspection_id, description="台账不全", deadline=date(2024, 5, 20))
        second = add_finding(
            session, inspection_id=inspection_id, description="灭火器过期", measure=FindingMeasure.CORRECTED_ON_SITE
        )
        third = add_finding(
            session,
            inspection_id=inspection_id,
            description="风电闭锁失效",
            grade=HazardGrade.MAJOR,
            measure=FindingMeasure.WITHDRAW_WORKERS,
            deadline=date(2024, 5, 13),
        )
    assert (first.position, second.position, third.position) == (0, 1, 2)
    assert first.status is FindingStatus.OPEN and first.enterprise_id == basics.mine_id
    assert second.status is FindingStatus.CLOSED and second.closed_at is not None
    with store.session() as session:
        rows = list_findings(session, today=date(2024, 5, 15))
    # Corrected on the spot is not open; the major one is past its deadline on 15 May.
    assert [(r.description, r.overdue) for r in rows] == [("风电闭锁失效", True), ("台账不全", False)]


def test_finish_requires_every_checklist_item(store: Store, basics: Basics) -> None:
    with store.session() as session:
        template = ChecklistTemplate(code="t", revision=1, title="测试检查表")
        session.add(template)
        session.flush()
        items = [
            ChecklistItem(template_id=template.id, section="一", position=n, code=f"t-{n}", content=f"第{n}项")
            for n in range(3)
        ]
        session.add_all(items)
        session.flush()
        template_id, item_ids = template.id, [i.id for i in items]
    inspection_id = _started(store, basics, checklist_template_id=template_id)
    with store.session() as session:
        session.add(ItemResult(inspection_id=inspection_id, item_id=item_ids[0], result=ItemResultValue.PASS))
        session.add(ItemResult(inspection_id=inspection_id, item_id=item_ids[1], result=ItemResultValue.NOT_CHECKED))
    with pytest.raises(ValidationError) as err, store.session() as session:
        finish_inspection(session, inspection_id=inspection_id)
    assert "1项" in err.value.message_zh
    with store.session() as session:
        session.add(ItemResult(inspection_id=inspection_id, item_id=item_ids[2], result=ItemResultValue.FAIL))
    with pytest.raises(ValidationError) as err, store.session() as session:
        finish_inspection(session, inspection_id=inspection_id)
    assert "未检" in err.value.message_zh
    with store.session() as session:
        result = session.exec(select(ItemResult).where(ItemResult.item_id == item_ids[1])).one()
        result.unchecked_reason = "井下该区域停产密闭，无法进入"
        session.add(result)
    with store.session() as session:
        finished = finish_inspection(session, inspection_id=inspection_id, ended_at=ARRIVAL + timedelta(hours=3))
    assert finished.status is InspectionStatus.FINISHED
    assert finished.ended_at == ARRIVAL + timedelta(hours=3)


def test_finish_refuses_end_before_start_and_finishing_twice(store: Store, basics: Basics) -> None:
    inspection_id = _started(store, basics)
    with pytest.raises(ValidationError), store.session() as session:
        finish_inspection(session, inspection_id=inspection_id, ended_at=ARRIVAL - timedelta(minutes=1))
    with store.session() as session:
        finish_inspection(session, inspection_id=inspection_id, ended_at=ARRIVAL + timedelta(hours=1))
    with pytest.raises(TransitionError), store.session() as session:
        finish_inspection(session, inspection_id=inspection_id)
    with store.session() as session:
        rows = list_inspections(session)
    assert [(r.id, r.status) for r in rows] == [(inspection_id, "检查完成")]


def test_a_major_hazard_needs_a_linked_photo_before_the_inspection_finishes(store: Store, basics: Basics) -> None:
    inspection_id = _started(store, basics)
    with store.session() as session:
        major = add_finding(
            session,
            inspection_id=inspection_id,
            description="主要通风机未设置备用风机",
            grade=HazardGrade.MAJOR,
            measure=FindingMeasure.WITHDRAW_WORKERS,
        )
        add_finding(session, inspection_id=inspection_id, description="培训档案不全", deadline=date(2024, 5, 20))
    with pytest.raises(ValidationError) as err, store.session() as session:
        finish_inspection(session, inspection_id=inspection_id, ended_at=ARRIVAL + timedelta(hours=1))
    assert err.value.code == "major_needs_photo"
    assert "1条重大事故隐患还没有关联照片" in err.value.message_zh
    with store.session() as session:
        # A photo of the inspection that proves something else does not count.
        other = add_photo(session, store, inspection_id, sample_photo(size=(320, 240), seed=9), name="other.jpg")
        assert major_findings_without_photo(session, inspection_id)[0].id == major.id
        link_evidence(session, evidence_id=other.id, finding_id=major.id)
        assert major_findings_without_photo(session, inspection_id) == []
        finish_inspection(session, inspection_id=inspection_id, ended_at=ARRIVAL + timedelta(hours=1))
    with store.session() as session:
        inspection = session.get(Inspection, inspection_id)
        assert inspection is not None and inspection.status.value == "检查完成"


def test_a_photo_of_the_item_a_major_finding_came_from_proves_it(store: Store, basics: Basics) -> None:
    with store.session() as session:
        template = ChecklistTemplate(code="t", revision=1, title="测试检查表")
        session.add(template)
        session.flush()
        item = ChecklistItem(template_id=template.id, section="一", position=0, code="t-0", content="瓦斯检查")
        session.add(item)
        session.flush()
        template_id = template.id
    inspection_id = _started(store, basics, checklist_template_id=template_id)
    with store.session() as session:
        finding = add_finding(
            session,
            inspection_id=inspection_id,
            description="瓦斯超限作业",
            grade=HazardGrade.MAJOR,
            measure=FindingMeasure.WITHDRAW_WORKERS,
            item_id=item.id,
        )
        assert [f.id for f in major_findings_without_photo(session, inspection_id)] == [finding.id]
        photo = add_photo(session, store, inspection_id, sample_photo(size=(320, 240), seed=4), name="item.jpg")
        link_evidence(session, evidence_id=photo.id, item_id=item.id)
        assert major_findings_without_photo(session, inspection_id) == []
