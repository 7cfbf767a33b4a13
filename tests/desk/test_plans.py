"""年度监督检查计划: who is in it, the seeded 双随机 sample, the yearly cap, the lock after approval, progress."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from inspector import clock
from inspector.desk.plans import (
    approve_plan,
    delete_plan,
    draft_plan,
    plan_entries,
    plan_progress,
    remove_entry,
    set_entry,
    spread_months,
)
from inspector.domain.enums import PlanBasis, PlanStatus
from inspector.errors import TransitionError, ValidationError
from inspector.inspections.draw import DEFAULT_YEARLY_CAP, INSPECTION_CAP_KEY, replay_draw
from inspector.inspections.findings import start_review_inspection
from inspector.inspections.service import add_finding, finish_inspection
from inspector.store.audit import RECORD_ACTIONS
from inspector.store.db import Store
from inspector.store.models import AnnualPlan, AuditEvent, PlanEntry, RandomDraw
from inspector.store.settings import set_setting
from tests.desk.conftest import COUNTY, PLAN_YEAR, County, in_month, inspect

SERVICE_EVENT = col(AuditEvent.action).not_in(RECORD_ACTIONS)  # not the store's own record events


def _entries(store: Store, plan_id: str) -> dict[str, PlanEntry]:
    with store.session() as session:
        return {e.enterprise_id: e for e in plan_entries(session, plan_id)}


def test_key_and_high_risk_in_full_and_a_sample_of_the_rest(store: Store, county: County) -> None:
    with store.session() as session:
        draft = draft_plan(session, year=PLAN_YEAR, county=COUNTY, sample_ratio=0.3, seed="阳城2026年度")
    entries = _entries(store, draft.plan_id)
    full = set(county.key_ids) | set(county.high_risk_ids)  # risk "a" counts as A
    assert {e for e, x in entries.items() if x.basis is PlanBasis.KEY} == full
    sampled = {e for e, x in entries.items() if x.basis is PlanBasis.RANDOM}
    assert len(county.general_ids) == 12 and len(sampled) == 4 == draft.sampled  # 0.3 × 12 = 3.6 → 4
    assert sampled <= set(county.general_ids)
    assert county.other_county_id not in entries  # another county's key enterprise
    assert (draft.full_coverage, draft.candidates, draft.seed) == (4, 12, "阳城2026年度")
    assert all(x.planned_count == len(x.months) == 1 for x in entries.values())
    # Eight inspections over twelve months: no month holds two while another holds none.
    load = Counter(m for x in entries.values() for m in x.months)
    assert max(load.values()) == 1 and len(load) == 8
    with store.session() as session:
        plan = session.get(AnnualPlan, draft.plan_id)
        assert plan is not None and plan.status is PlanStatus.DRAFT
        assert plan.title == f"{PLAN_YEAR}年度安全生产监督检查计划"
        draw = session.get(RandomDraw, draft.random_draw_id)
        assert draw is not None and plan.random_draw_id == draw.id
        assert sorted(draw.candidate_enterprise_ids) == county.general_ids
        assert set(draw.chosen_enterprise_ids) == sampled and draw.inspector_count == 0
        assert replay_draw(session, draw.id)  # the sample is a recorded, replayable draw


def test_the_same_seed_draws_the_same_sample(store: Store, county: County) -> None:
    def sample(seed: str | None) -> tuple[set[str], str]:
        with store.session() as session:
            draft = draft_plan(session, year=PLAN_YEAR, county=COUNTY, sample_ratio=0.5, seed=seed)
            chosen = {e.enterprise_id for e in plan_entries(session, draft.plan_id) if e.basis is PlanBasis.RANDOM}
            delete_plan(session, draft.plan_id)  # draft again from the same registry
        return chosen, draft.seed

    first, _ = sample("第1期")
    assert sample("第1期")[0] == first
    others = [sample(f"第{n}期")[0] for n in range(2, 6)]
    assert any(o != first for o in others)  # the seed, not the order of the registry, decides
    fresh, seed = sample(None)
    assert len(seed) == 32 and len(fresh) == 6  # a random seed is made and kept when none is given


def test_enterprises_at_the_yearly_cap_are_left_out(store: Store, county: County) -> None:
    at_cap_key, at_cap_general = county.key_ids[0], county.general_ids[0]
    with store.session() as session:
        set_setting(session, INSPECTION_CAP_KEY, 2)
        for enterprise_id in (at_cap_key, at_cap_general):
            for month in (1, 2):
                inspect(session, county, enterprise_id, in_month(PLAN_YEAR, month))
        inspect(session, county, county.key_ids[1], in_month(PLAN_YEAR, 1))  # one of two made
        draft = draft_plan(session, year=PLAN_YEAR, county=COUNTY, sample_ratio=1.0, seed="cap", full_coverage_count=3)
    entries = _entries(store, draft.plan_id)
    assert draft.cap == 2 and draft.at_cap == {at_cap_key: 2, at_cap_general: 2}
    assert at_cap_key not in entries and at_cap_general not in entries
    assert draft.candidates == 11  # the general enterprise at the cap is not drawn from
    assert entries[county.key_ids[1]].planned_count == 1  # 2 allowed, 1 made already
    assert all(entries[e].planned_count == 2 for e in county.high_risk_ids)  # 3 wanted, the cap allows 2
    months = entries[county.high_risk_ids[0]].months
    assert len(months) == 2 and months[1] - months[0] == 6  # spread over the year


def test_the_default_cap_applies_when_the_office_set_none(store: Store, county: County) -> None:
    with store.session() as session:
        draft = draft_plan(session, year=PLAN_YEAR, county=COUNTY, sample_ratio=0.0, full_coverage_count=4)
        assert draft.random_draw_id is None and draft.sampled == 0
        entries = plan_entries(session, draft.plan_id)
    assert draft.cap == DEFAULT_YEARLY_CAP == 1
    assert {e.planned_count for e in entries} == {1}


def test_editing_a_draft_respects_the_cap(store: Store, county: County) -> None:
    with store.session() as session:
        set_setting(session, INSPECTION_CAP_KEY, 3)
        inspect(session, county, county.general_ids[1], in_month(PLAN_YEAR, 3))
        draft = draft_plan(session, year=PLAN_YEAR, county=COUNTY, sample_ratio=0.0)
        entry = set_entry(
            session, plan_id=draft.plan_id, enterprise_id=county.general_ids[1], planned_count=2, note="群众反映较多"
        )
        assert entry.basis is PlanBasis.OTHER and len(entry.months) == 2
        with pytest.raises(ValidationError) as over:
            set_entry(session, plan_id=draft.plan_id, enterprise_id=county.general_ids[1], planned_count=3)
        assert over.value.code == "over_cap" and "超过每年检查3次的上限" in over.value.message_zh
        changed = set_entry(
            session, plan_id=draft.plan_id, enterprise_id=county.key_ids[0], planned_count=3, months=[11, 2, 6]
        )
        assert changed.months == [2, 6, 11] and changed.planned_count == 3
        for months in ([1, 2], [0, 5, 13]):
            with pytest.raises(ValidationError):
                set_entry(
                    session, plan_id=draft.plan_id, enterprise_id=county.key_ids[0], planned_count=3, months=months
                )
        with pytest.raises(ValidationError):  # another county's enterprise
            set_entry(session, plan_id=draft.plan_id, enterprise_id=county.other_county_id, planned_count=1)
        remove_entry(session, plan_id=draft.plan_id, enterprise_id=county.general_ids[1])
        assert county.general_ids[1] not in {e.enterprise_id for e in plan_entries(session, draft.plan_id)}


def test_an_approved_plan_is_locked(store: Store, county: County) -> None:
    with store.session() as session:
        draft = draft_plan(session, year=PLAN_YEAR, county=COUNTY, sample_ratio=0.2, seed="lock")
        approved = approve_plan(session, draft.plan_id, county.supervisor_id, approval_ref="阳政函〔2026〕3号")
        assert approved.status is PlanStatus.APPROVED and approved.approved_at is not None
        assert approved.approved_by_id == county.supervisor_id
    plan_id, some = draft.plan_id, county.key_ids[0]
    refused = [
        lambda s: set_entry(s, plan_id=plan_id, enterprise_id=county.general_ids[0], planned_count=1),
        lambda s: set_entry(s, plan_id=plan_id, enterprise_id=some, planned_count=1, months=[12]),
        lambda s: remove_entry(s, plan_id=plan_id, enterprise_id=some),
        lambda s: delete_plan(s, plan_id),
        lambda s: approve_plan(s, plan_id, county.supervisor_id),
        lambda s: draft_plan(s, year=PLAN_YEAR, county=COUNTY, sample_ratio=0.2),
    ]
    for change in refused:
        with pytest.raises(TransitionError) as err, store.session() as session:
            change(session)
        assert err.value.code == "plan_locked" and "已批准" in err.value.message_zh
    # Any other path is refused too, by the store's guard: an entry edited or added by hand, the plan retitled.
    with pytest.raises(TransitionError), store.session() as session:
        entry = session.exec(select(PlanEntry).where(PlanEntry.plan_id == plan_id)).first()
        assert entry is not None
        entry.months = [1]
        session.add(entry)
    with pytest.raises(TransitionError), store.session() as session:
        session.add(PlanEntry(plan_id=plan_id, enterprise_id=county.general_ids[0], months=[3]))
    with pytest.raises(TransitionError), store.session() as session:
        plan = session.get(AnnualPlan, plan_id)
        assert plan is not None
        plan.title = "改过的标题"
        session.add(plan)
    before = _entries(store, plan_id)
    assert len(before) == 4 + 2 and before[some].months != [12]


def test_approval_is_a_supervisors_and_is_audited(store: Store, county: County) -> None:
    with store.session() as session:
        draft = draft_plan(session, year=PLAN_YEAR, county=COUNTY, sample_ratio=0.0)
        with pytest.raises(ValidationError) as err:
            approve_plan(session, draft.plan_id, county.officer_ids[0])
        assert err.value.code == "not_supervisor"
        approve_plan(session, draft.plan_id, county.supervisor_id)
        [event] = session.exec(select(AuditEvent).where(AuditEvent.record_id == draft.plan_id, SERVICE_EVENT)).all()
    assert (event.actor, event.action, event.table_name) == (county.supervisor_id, "approve", "annualplan")
    assert event.old_values == {"status": "草稿", "approved_by_id": None}
    assert event.new_values == {"status": "已批准", "approved_by_id": county.supervisor_id, "approval_ref": ""}


def test_an_empty_plan_or_a_past_year_is_refused(store: Store, county: County) -> None:
    with store.session() as session:
        draft = draft_plan(session, year=PLAN_YEAR, county="140599", sample_ratio=0.5)  # a county with nobody
        with pytest.raises(TransitionError):
            approve_plan(session, draft.plan_id, county.supervisor_id)
        with pytest.raises(ValidationError):
            draft_plan(session, year=clock.local_today().year - 1, county=COUNTY)
        with pytest.raises(ValidationError):
            draft_plan(session, year=PLAN_YEAR + 1, county=COUNTY, sample_ratio=1.5)
        with pytest.raises(ValidationError) as again:
            draft_plan(session, year=PLAN_YEAR, county="140599")
        assert again.value.code == "plan_exists"


def test_a_plan_for_this_year_starts_this_month(store: Store, county: County) -> None:
    today = clock.local_today()
    with store.session() as session:
        draft = draft_plan(session, year=today.year, county=COUNTY, sample_ratio=1.0, seed="now")
        months = {m for e in plan_entries(session, draft.plan_id) for m in e.months}
    assert months and min(months) >= today.month


def test_the_unique_plan_per_county_and_year_holds_in_the_database(store: Store, county: County) -> None:
    with store.session() as session:
        draft_plan(session, year=PLAN_YEAR, county=COUNTY, sample_ratio=0.0)
    with pytest.raises(IntegrityError), store.session() as session:
        session.add(AnnualPlan(county_code=COUNTY, year=PLAN_YEAR, title="重复的计划"))


def test_progress_by_month_counts_finished_inspections_of_plan_enterprises(store: Store, county: County) -> None:
    with store.session() as session:
        draft = draft_plan(session, year=PLAN_YEAR, county=COUNTY, sample_ratio=0.0)
        key = county.key_ids[0]
        set_entry(session, plan_id=draft.plan_id, enterprise_id=key, planned_count=1, months=[3])
        approve_plan(session, draft.plan_id, county.supervisor_id)
        first = inspect(session, county, key, in_month(PLAN_YEAR, 3), finish=False)
        add_finding(session, inspection_id=first, description="消防通道堵塞", deadline=date(PLAN_YEAR, 3, 20))
        finish_inspection(session, inspection_id=first, ended_at=in_month(PLAN_YEAR, 3, 11))
        inspect(session, county, county.high_risk_ids[0], in_month(PLAN_YEAR, 5))
        inspect(session, county, county.high_risk_ids[1], in_month(PLAN_YEAR, 5), finish=False)  # still on site
        inspect(session, county, county.general_ids[0], in_month(PLAN_YEAR, 5))  # not in the plan
        inspect(session, county, key, in_month(PLAN_YEAR - 1, 5))  # the year before
        review = start_review_inspection(
            session, of_inspection_id=first, inspector_ids=county.officer_ids[:2], started_at=in_month(PLAN_YEAR, 4)
        )
        finish_inspection(session, inspection_id=review.id, ended_at=in_month(PLAN_YEAR, 4, 11))  # a 复查
        progress = plan_progress(session, draft.plan_id)
    by_month = {m.month: (m.planned, m.done) for m in progress.months}
    assert [m.month for m in progress.months] == list(range(1, 13))
    # Planned: key0 moved to March (with hr0), key1 in February, hr1 in April.
    assert by_month[2] == (1, 0) and by_month[3] == (2, 1) and by_month[4] == (1, 0) and by_month[5] == (0, 1)
    assert progress.planned == 4 and progress.done == 2 and progress.status == "已批准"
    entry = {e.enterprise_id: e for e in progress.entries}
    assert entry[key].done == 1 and entry[county.high_risk_ids[1]].done == 0
    data = progress.to_json()
    assert data["planned"] == 4 and data["months"][2] == {"month": 3, "planned": 2, "done": 1}


def test_spread_months_balances_the_load() -> None:
    load: Counter[int] = Counter()
    months = list(range(1, 13))
    assert spread_months(2, months, load) == [1, 7]
    assert spread_months(2, months, load) == [2, 8]
    assert spread_months(1, months, load) == [3]
    assert spread_months(4, months, load) == [3, 6, 9, 12]  # the evenly spaced set with the least load
    assert spread_months(20, [11, 12], Counter()) == [11, 12]  # no more than the months left
    assert spread_months(0, months, load) == []
