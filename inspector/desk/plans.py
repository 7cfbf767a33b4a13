"""年度监督检查计划: drafted from the registry, edited while a draft, approved (then locked), followed by month.

安全生产法 requires a yearly supervision plan (research-notes §2.2: 2014 第五十九条, 2021 第六十三条 [K]); the
2025 rules have it approved by the 本级人民政府 and cap how often one enterprise is inspected in a year. Who is
in it (research-notes §2.3, §5 step 1): every 重点监管 enterprise and every one of high risk level in full
(全覆盖), and a 双随机 sample of the others. The cap is `inspections.draw.yearly_cap` (an office setting,
DEFAULT_YEARLY_CAP when unset); inspections already made this year count against it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session, col, select

from inspector import clock
from inspector.domain.enums import InspectionStatus, InspectorRole, PlanBasis, PlanStatus
from inspector.errors import TransitionError, ValidationError
from inspector.inspections.draw import inspections_in_year, sample_enterprises, yearly_cap
from inspector.store.audit import record_event
from inspector.store.models import AnnualPlan, Enterprise, Inspection, Inspector, PlanEntry
from inspector.store.plan_lock import locked_error

# Risk levels run A (highest) … D; A is covered in full like a 重点监管 enterprise.
HIGH_RISK_LEVELS = frozenset({"A"})
MONTHS = tuple(range(1, 13))
_DONE = (InspectionStatus.FINISHED, InspectionStatus.DOCUMENTS_ISSUED, InspectionStatus.CLOSED)


@dataclass(frozen=True)
class PlanDraft:
    plan_id: str
    year: int
    county_code: str
    cap: int
    full_coverage: int  # enterprises in full (重点 / high risk)
    sampled: int  # drawn by 双随机
    candidates: int  # general enterprises the sample was drawn from
    seed: str  # "" when nothing was drawn
    random_draw_id: str | None
    at_cap: dict[str, int] = field(default_factory=dict)  # enterprise id → inspections this year, left out

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "year": self.year,
            "county_code": self.county_code,
            "yearly_cap": self.cap,
            "full_coverage": self.full_coverage,
            "sampled": self.sampled,
            "candidates": self.candidates,
            "seed": self.seed,
            "random_draw_id": self.random_draw_id,
            "at_cap": self.at_cap,
        }


def spread_months(count: int, months: list[int], load: Counter[int]) -> list[int]:
    """`count` months out of `months`, evenly spaced, placed where the fewest inspections are planned yet."""
    count = min(count, len(months))
    if count <= 0:
        return []
    step = len(months) / count
    best: list[int] = []
    best_load = math.inf
    for offset in range(math.ceil(step)):
        chosen = [months[int(offset + k * step)] for k in range(count)]
        total = sum(load[m] for m in chosen)
        if total < best_load:  # ties keep the earliest offset: the same inputs give the same months
            best, best_load = chosen, total
    load.update(best)
    return best


def _plan_months(year: int) -> list[int]:
    """The months still ahead: a plan for the current year starts this month."""
    today = clock.local_today()
    if year < today.year:
        raise ValidationError(f"{year} is over; no plan is drafted for it.", f"{year}年已过去，不能编制该年度计划。")
    first = today.month if year == today.year else 1
    return list(range(first, 13))


def _is_full_coverage(enterprise: Enterprise) -> bool:
    return enterprise.is_key or enterprise.risk_level.strip().upper() in HIGH_RISK_LEVELS


def draft_plan(
    session: Session,
    *,
    year: int,
    county: str,
    sample_ratio: float = 0.3,
    seed: str | None = None,
    title: str = "",
    full_coverage_count: int = 1,
) -> PlanDraft:
    """Draft the county's plan for a year: full coverage of key / high-risk enterprises, a seeded sample of the rest.

    No enterprise is planned beyond the yearly cap (inspections already made this year count); those at the
    cap are left out and reported. The sample is a recorded 双随机 draw (RandomDraw), replayable from its seed."""
    county = county.strip()
    if not county:
        raise ValidationError("No county given (set the agency's county code).", "请指定县（区）行政区划代码。")
    if not 0 <= sample_ratio <= 1:
        raise ValidationError("The sample ratio is between 0 and 1.", "抽查比例应在0到1之间。")
    if full_coverage_count < 1:
        raise ValidationError("Full coverage means at least one inspection.", "全覆盖企业每年至少检查1次。")
    existing = session.exec(select(AnnualPlan).where(AnnualPlan.county_code == county, AnnualPlan.year == year)).first()
    if existing is not None:
        if existing.status is PlanStatus.APPROVED:
            raise locked_error()
        raise ValidationError(
            f"A draft plan for {year} exists already ({existing.id}); edit it or delete it first.",
            f"{year}年度计划草稿已存在，请修改该草稿或先删除再重新编制。",
            code="plan_exists",
        )
    months = _plan_months(year)
    enterprises = list(
        session.exec(select(Enterprise).where(Enterprise.county_code == county).order_by(col(Enterprise.id)))
    )
    cap = yearly_cap(session)
    done = inspections_in_year(session, [e.id for e in enterprises], year)
    at_cap = {e.id: done[e.id] for e in enterprises if done.get(e.id, 0) >= cap}

    plan = AnnualPlan(
        county_code=county,
        year=year,
        title=title.strip() or f"{year}年度安全生产监督检查计划",
        status=PlanStatus.DRAFT,
        sample_ratio=sample_ratio,
        yearly_cap=cap,
    )
    session.add(plan)
    session.flush()
    load: Counter[int] = Counter()
    full = [e for e in enterprises if _is_full_coverage(e) and e.id not in at_cap]
    for enterprise in full:
        count = min(full_coverage_count, cap - done.get(enterprise.id, 0))
        _add_entry(session, plan, enterprise.id, spread_months(count, months, load), PlanBasis.KEY)

    pool = [e.id for e in enterprises if not _is_full_coverage(e) and e.id not in at_cap]
    wanted = math.floor(sample_ratio * len(pool) + 0.5)
    draw_seed, draw_id = "", None
    if wanted > 0:
        draw = sample_enterprises(session, candidates=pool, count=wanted, seed=seed, year=year, area=county)
        draw_seed, draw_id = draw.seed, draw.id
        plan.random_draw_id = draw.id
        session.add(plan)
        for enterprise_id in draw.chosen_enterprise_ids:
            _add_entry(session, plan, enterprise_id, spread_months(1, months, load), PlanBasis.RANDOM)
    session.flush()
    return PlanDraft(plan.id, year, county, cap, len(full), wanted, len(pool), draw_seed, draw_id, at_cap)


def _add_entry(session: Session, plan: AnnualPlan, enterprise_id: str, months: list[int], basis: PlanBasis) -> None:
    session.add(
        PlanEntry(plan_id=plan.id, enterprise_id=enterprise_id, planned_count=len(months), basis=basis, months=months)
    )


def get_plan(session: Session, plan_id: str) -> AnnualPlan:
    plan = session.get(AnnualPlan, plan_id)
    if plan is None:
        raise ValidationError(f"No annual plan {plan_id}.", "找不到该年度监督检查计划。")
    return plan


def _draft(session: Session, plan_id: str) -> AnnualPlan:
    plan = get_plan(session, plan_id)
    if plan.status is PlanStatus.APPROVED:
        raise locked_error()
    return plan


def plan_entries(session: Session, plan_id: str) -> list[PlanEntry]:
    return list(
        session.exec(select(PlanEntry).where(PlanEntry.plan_id == plan_id).order_by(col(PlanEntry.enterprise_id)))
    )


def set_entry(
    session: Session,
    *,
    plan_id: str,
    enterprise_id: str,
    planned_count: int,
    months: list[int] | None = None,
    basis: PlanBasis = PlanBasis.OTHER,
    note: str = "",
) -> PlanEntry:
    """Put an enterprise in a draft plan, or change its entry; refused beyond the yearly cap."""
    plan = _draft(session, plan_id)
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise ValidationError(f"No enterprise {enterprise_id}.", "找不到该企业。")
    if enterprise.county_code != plan.county_code:
        raise ValidationError("The enterprise is in another county.", "该企业不属于本计划所在县（区）。")
    if planned_count < 1:
        raise ValidationError("Plan at least one inspection (or remove the entry).", "计划检查次数至少为1次。")
    cap = yearly_cap(session)
    already = inspections_in_year(session, [enterprise_id], plan.year).get(enterprise_id, 0)
    if planned_count + already > cap:
        raise ValidationError(
            f"{enterprise.name}: {planned_count} planned + {already} made in {plan.year} exceed the yearly cap {cap}.",
            f"{enterprise.name}：计划{planned_count}次，{plan.year}年已检查{already}次，超过每年检查{cap}次的上限。",
            code="over_cap",
        )
    entries = plan_entries(session, plan_id)
    entry = next((e for e in entries if e.enterprise_id == enterprise_id), None)
    if months is None:
        load = Counter(m for e in entries if e is not entry for m in e.months)
        months = spread_months(planned_count, _plan_months(plan.year), load)
    if len(months) != planned_count or any(m not in MONTHS for m in months):
        raise ValidationError(
            "Give one month (1–12) per planned inspection.", "计划月份须为1至12月，且每次检查对应一个月份。"
        )
    if entry is None:
        entry = PlanEntry(plan_id=plan_id, enterprise_id=enterprise_id)
    entry.planned_count, entry.months, entry.basis, entry.note = planned_count, sorted(months), basis, note.strip()
    session.add(entry)
    session.flush()
    return entry


def remove_entry(session: Session, *, plan_id: str, enterprise_id: str) -> None:
    _draft(session, plan_id)
    entry = session.exec(
        select(PlanEntry).where(PlanEntry.plan_id == plan_id, PlanEntry.enterprise_id == enterprise_id)
    ).first()
    if entry is None:
        raise ValidationError("The enterprise is not in the plan.", "该企业不在计划中。")
    session.delete(entry)
    session.flush()


def delete_plan(session: Session, plan_id: str) -> None:
    """Throw a draft away (to draft it again); an approved plan stays."""
    plan = _draft(session, plan_id)
    for entry in plan_entries(session, plan_id):
        session.delete(entry)
    session.flush()
    session.delete(plan)
    session.flush()


def approve_plan(session: Session, plan_id: str, approved_by: str, *, approval_ref: str = "") -> AnnualPlan:
    """Record the plan's approval (by a supervisor; the approving document may be named); it is locked after."""
    plan = _draft(session, plan_id)
    supervisor = session.get(Inspector, approved_by)
    if supervisor is None:
        raise ValidationError(f"No inspector {approved_by}.", "找不到该执法人员。")
    if supervisor.role is not InspectorRole.SUPERVISOR or not supervisor.active:
        raise ValidationError(
            f"{supervisor.name} is not an active supervisor; only a supervisor approves the plan.",
            f"{supervisor.name}不是审核人，只有审核人（supervisor）可以批准年度计划。",
            code="not_supervisor",
        )
    if not plan_entries(session, plan_id):
        raise TransitionError("The plan has no enterprises.", "年度计划中没有企业，不能批准。")
    old = {"status": plan.status, "approved_by_id": plan.approved_by_id}
    plan.status = PlanStatus.APPROVED
    plan.approved_by_id = supervisor.id
    plan.approved_at = clock.now()
    plan.approval_ref = approval_ref.strip()
    session.add(plan)
    session.flush()
    new = {"status": plan.status, "approved_by_id": plan.approved_by_id, "approval_ref": plan.approval_ref}
    record_event(
        session,
        actor=supervisor.id,
        action="approve",
        table_name="annualplan",
        record_id=plan.id,
        old_values=old,
        new_values=new,
    )
    return plan


# ─── progress ────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class MonthProgress:
    month: int
    planned: int
    done: int


@dataclass(frozen=True)
class EntryProgress:
    enterprise_id: str
    enterprise_name: str
    basis: str
    months: list[int]
    planned: int
    done: int


@dataclass(frozen=True)
class PlanProgress:
    plan_id: str
    year: int
    title: str
    status: str
    months: list[MonthProgress]
    entries: list[EntryProgress]

    @property
    def planned(self) -> int:
        return sum(m.planned for m in self.months)

    @property
    def done(self) -> int:
        return sum(m.done for m in self.months)

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "year": self.year,
            "title": self.title,
            "status": self.status,
            "planned": self.planned,
            "done": self.done,
            "months": [{"month": m.month, "planned": m.planned, "done": m.done} for m in self.months],
            "entries": [
                {
                    "enterprise_id": e.enterprise_id,
                    "enterprise": e.enterprise_name,
                    "basis": e.basis,
                    "months": e.months,
                    "planned": e.planned,
                    "done": e.done,
                }
                for e in self.entries
            ],
        }


def _finished_in_year(session: Session, enterprise_ids: Iterable[str], year: int) -> list[tuple[str, datetime]]:
    """(enterprise id, start) of the finished inspections of these enterprises in the year, 复查 left out:
    a 复查 follows up an earlier inspection's findings and is not one of the plan's inspections."""
    ids = list(enterprise_ids)
    start = datetime.combine(date(year, 1, 1), time(), tzinfo=clock.CHINA_TZ)
    end = datetime.combine(date(year + 1, 1, 1), time(), tzinfo=clock.CHINA_TZ)
    found: list[tuple[str, datetime]] = []
    for first in range(0, len(ids), 500):
        rows = session.exec(
            select(Inspection.enterprise_id, Inspection.started_at).where(
                col(Inspection.enterprise_id).in_(ids[first : first + 500]),
                col(Inspection.status).in_(_DONE),
                col(Inspection.review_of_inspection_id).is_(None),
                col(Inspection.started_at) >= start,
                col(Inspection.started_at) < end,
            )
        )
        found.extend((str(e), s) for e, s in rows if s is not None)
    return found


def plan_progress(session: Session, plan_id: str) -> PlanProgress:
    """By month (Beijing time): inspections planned against finished inspections of the plan's enterprises."""
    plan = get_plan(session, plan_id)
    entries = plan_entries(session, plan_id)
    planned = Counter(m for e in entries for m in e.months)
    done_by_month: Counter[int] = Counter()
    done_by_enterprise: Counter[str] = Counter()
    for enterprise_id, started in _finished_in_year(session, (e.enterprise_id for e in entries), plan.year):
        done_by_month[clock.to_local(started).month] += 1
        done_by_enterprise[enterprise_id] += 1
    names = {
        str(i): str(n)
        for i, n in session.exec(
            select(Enterprise.id, Enterprise.name).where(col(Enterprise.id).in_([e.enterprise_id for e in entries]))
        )
    }
    return PlanProgress(
        plan_id=plan.id,
        year=plan.year,
        title=plan.title,
        status=plan.status.value,
        months=[MonthProgress(m, planned[m], done_by_month[m]) for m in MONTHS],
        entries=sorted(
            (
                EntryProgress(
                    e.enterprise_id,
                    names.get(e.enterprise_id, "（企业已删除）"),
                    e.basis.value,
                    list(e.months),
                    e.planned_count,
                    done_by_enterprise[e.enterprise_id],
                )
                for e in entries
            ),
            key=lambda p: (min(p.months, default=13), p.enterprise_name),
        ),
    )


def list_plans(session: Session) -> list[AnnualPlan]:
    return list(session.exec(select(AnnualPlan).order_by(col(AnnualPlan.year).desc(), col(AnnualPlan.county_code))))
