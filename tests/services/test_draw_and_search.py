"""双随机 draws (replayable, capped) and the inspection list's filters and full-text search."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from inspector.domain.enums import Industry, InspectionStatus, TaskStatus
from inspector.domain.identifiers import make_credit_code
from inspector.errors import ValidationError
from inspector.inspections.draw import INSPECTION_CAP_KEY, draw_enterprises, replay_draw
from inspector.inspections.queries import InspectionFilter, count_inspections, list_inspections
from inspector.inspections.service import add_finding, finish_inspection, start_inspection
from inspector.registry.service import register_enterprise
from inspector.store.db import Store
from inspector.store.models import Enterprise, Inspection, InspectionTask, RandomDraw, TaskInspector
from inspector.store.settings import set_setting
from tests.conftest import Basics


@pytest.fixture
def many(store: Store, basics: Basics) -> list[str]:
    """Ten more coal mines besides the fixture's two enterprises."""
    with store.session() as session:
        return [
            register_enterprise(
                session,
                name=f"阳城县第{n}煤业有限公司",
                credit_code=make_credit_code("140522", f"MA0C{n:04d}"),
                industry=Industry.COAL,
                county_code="140522",
                township="町店镇" if n % 2 else "芹池镇",
            ).id
            for n in range(10)
        ]


def test_draw_is_recorded_and_replays(store: Store, many: list[str]) -> None:
    with store.session() as session:
        result = draw_enterprises(session, enterprise_count=4, industry=Industry.COAL, seed="阳城2024年第3期")
    assert len(result.enterprise_ids) == 4 and len(set(result.enterprise_ids)) == 4
    assert all(len(pair) == 2 and len(set(pair)) == 2 for pair in result.inspector_pairs)
    with store.session() as session:
        record = session.get(RandomDraw, result.draw_id)
        assert record is not None
        assert len(record.candidate_enterprise_ids) == 11  # every coal mine was a candidate
        assert record.seed == "阳城2024年第3期"
        assert replay_draw(session, result.draw_id)
        tasks = session.exec(select(InspectionTask).where(InspectionTask.random_draw_id == result.draw_id)).all()
        assert sorted(t.enterprise_id for t in tasks) == sorted(result.enterprise_ids)
        assert all(t.status is TaskStatus.PLANNED and t.mode == "双随机抽查" for t in tasks)
        officers = session.exec(select(TaskInspector).where(TaskInspector.task_id == tasks[0].id)).all()
        assert len(officers) == 2
        # Tampering with the stored choice is caught by the replay.
        record.chosen_enterprise_ids = list(reversed(record.chosen_enterprise_ids))
        session.add(record)
        session.flush()
        assert not replay_draw(session, result.draw_id)


def test_same_seed_same_candidates_same_draw(store: Store, many: list[str]) -> None:
    with store.session() as session:
        first = draw_enterprises(session, enterprise_count=3, industry=Industry.COAL, seed="s")
        second = draw_enterprises(session, enterprise_count=3, industry=Industry.COAL, seed="s")
        other = draw_enterprises(session, enterprise_count=3, industry=Industry.COAL)
    assert first.enterprise_ids == second.enterprise_ids and first.inspector_pairs == second.inspector_pairs
    assert len(other.seed) == 32  # a fresh random seed is made and kept when none is given


def test_draw_filters_by_township_and_refuses_impossible_counts(store: Store, many: list[str]) -> None:
    with store.session() as session:
        result = draw_enterprises(session, enterprise_count=5, township="町店镇", seed="x")
        townships = {session.get(Enterprise, e).township for e in result.enterprise_ids}  # type: ignore[union-attr]
    assert townships == {"町店镇"}
    for count in (0, 6):
        with pytest.raises(ValidationError), store.session() as session:
            draw_enterprises(session, enterprise_count=count, township="町店镇")
    with pytest.raises(ValidationError), store.session() as session:
        draw_enterprises(session, enterprise_count=1, inspectors_per_enterprise=1)


def test_draw_warns_about_enterprises_at_the_yearly_cap(store: Store, basics: Basics) -> None:
    with store.session() as session:
        set_setting(session, INSPECTION_CAP_KEY, 2)
        for _ in range(2):
            start_inspection(session, enterprise_id=basics.mine_id, inspector_ids=basics.inspector_ids[:2])
        result = draw_enterprises(session, enterprise_count=1, industry=Industry.COAL, seed="cap")
    assert result.enterprise_ids == [basics.mine_id]
    assert result.at_cap == {basics.mine_id: 2}


def _inspect(store: Store, basics: Basics, enterprise_id: str, day: date, **kw: object) -> str:
    with store.session() as session:
        inspection = start_inspection(
            session,
            enterprise_id=enterprise_id,
            inspector_ids=kw.pop("inspectors", basics.inspector_ids[:2]),  # type: ignore[arg-type]
            started_at=datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC),
            **kw,  # type: ignore[arg-type]
        )
        return inspection.id


def test_filters_and_search(store: Store, basics: Basics) -> None:
    mine_may = _inspect(store, basics, basics.mine_id, date(2024, 5, 6), place="井下中央变电所")
    plant_june = _inspect(
        store, basics, basics.plant_id, date(2024, 6, 10), inspectors=[basics.inspector_ids[2], basics.inspector_ids[1]]
    )
    with store.session() as session:
        add_finding(
            session, inspection_id=plant_june, description="液氯储罐区可燃气体报警器失效", deadline=date(2024, 7, 1)
        )
        finish_inspection(session, inspection_id=plant_june, ended_at=datetime(2024, 6, 10, 4, tzinfo=UTC))

    def ids(**kw: object) -> list[str]:
        with store.session() as session:
            return [r.id for r in list_inspections(session, InspectionFilter(**kw))]  # type: ignore[arg-type]

    assert ids() == [plant_june, mine_may]  # newest first
    assert ids(status=InspectionStatus.FINISHED) == [plant_june]
    assert ids(industry=Industry.COAL) == [mine_may]
    assert ids(enterprise_id=basics.plant_id) == [plant_june]
    assert ids(inspector_id=basics.inspector_ids[2]) == [plant_june]
    assert ids(date_from=date(2024, 5, 6), date_to=date(2024, 5, 6)) == [mine_may]
    assert ids(date_from=date(2024, 5, 7)) == [plant_june]
    # Search: enterprise name, place and finding text; three characters or more use the index …
    assert ids(text="测试煤业") == [mine_may]
    assert ids(text="中央变电所") == [mine_may]
    assert ids(text="报警器失效") == [plant_june]
    # … shorter ones scan, and still find substrings.
    assert ids(text="液氯") == [plant_june]
    assert ids(text="所") == [mine_may]
    assert ids(text="不存在的词") == []
    # Quotes and FTS syntax are taken literally, never as query operators.
    assert ids(text='"煤业" OR 化工') == []
    assert ids(text="煤业 AND") == []
    with store.session() as session:
        assert count_inspections(session, InspectionFilter(text="有限公司")) == 2
        rows = list_inspections(session, InspectionFilter(text="化工"))
    assert rows[0].finding_count == 1 and rows[0].inspectors == "钱三、赵二"


def test_search_index_follows_edits(store: Store, basics: Basics) -> None:
    inspection_id = _inspect(store, basics, basics.mine_id, date(2024, 5, 6))

    def found(text: str) -> bool:
        with store.session() as session:
            return [r.id for r in list_inspections(session, InspectionFilter(text=text))] == [inspection_id]

    assert not found("主扇风机")
    with store.session() as session:
        add_finding(session, inspection_id=inspection_id, description="主扇风机无备用", deadline=date(2024, 6, 1))
    assert found("主扇风机")
    with store.session() as session:
        enterprise = session.get(Enterprise, basics.mine_id)
        assert enterprise is not None
        enterprise.name = "阳城县更名后煤业有限公司"
        session.add(enterprise)
    assert found("更名后")
    assert not found("测试煤业")


def test_search_results_come_newest_first_and_follow_a_changed_start(store: Store, basics: Basics) -> None:
    older = _inspect(store, basics, basics.mine_id, date(2024, 5, 6))
    newer = _inspect(store, basics, basics.plant_id, date(2024, 6, 10))

    def by_text(text: str) -> list[str]:
        with store.session() as session:
            return [r.id for r in list_inspections(session, InspectionFilter(text=text))]

    assert by_text("有限公司") == [newer, older]
    assert by_text("公司") == [newer, older]  # the short-query scan keeps the same order
    with store.session() as session:
        moved = session.get(Inspection, older)
        assert moved is not None
        moved.started_at = datetime(2024, 7, 1, 1, 0, tzinfo=UTC)
        session.add(moved)
    assert by_text("有限公司") == [older, newer]


def test_counts_are_capped(store: Store, basics: Basics) -> None:
    for day in range(1, 6):
        _inspect(store, basics, basics.mine_id, date(2024, 5, day))
    with store.session() as session:
        assert count_inspections(session, InspectionFilter()) == 5
        assert count_inspections(session, InspectionFilter(), cap=3) == 4  # "more than 3"
