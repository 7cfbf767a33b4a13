"""双随机 draw: random enterprises from a filtered list and a random pair of inspectors for each.

The seed and both candidate lists are stored, so anyone can replay the draw and get the same result —
that is how a draw is shown to have been random. Enterprises at the office's yearly inspection cap are
drawn like the others but reported, so the inspector can decide (the 2025 rules cap 涉企检查 frequency;
see DEFAULT_YEARLY_CAP for the figure used when the office has set none).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from inspector import clock
from inspector.domain.enums import Industry, InspectionMode, InspectorRole, TaskStatus
from inspector.domain.rules import MIN_INSPECTORS
from inspector.errors import ValidationError
from inspector.store.models import Enterprise, Inspection, InspectionTask, Inspector, RandomDraw, TaskInspector
from inspector.store.settings import get_setting

INSPECTION_CAP_KEY = "yearly_inspection_cap"  # int set by the office: inspections per enterprise per year
# The cap when the office has set none. 国办发〔2024〕54号 requires a yearly cap per enterprise but names no
# figure, and 阳政发〔2024〕1号 has none either; the one figure in /work/shared/domain/research-notes.md §2.2 is
# the earlier Liaoning rule "同一行政机关每年检查同一企业不超过一次". Offices set their own (the demo sets 2).
DEFAULT_YEARLY_CAP = 1


@dataclass(frozen=True)
class DrawResult:
    draw_id: str
    seed: str
    enterprise_ids: list[str]
    inspector_pairs: list[list[str]]
    task_ids: list[str]
    at_cap: dict[str, int]  # enterprise id → inspections already this year, for those at or over the cap


def _choose(
    seed: str, enterprises: list[str], inspectors: list[str], n: int, k: int
) -> tuple[list[str], list[list[str]]]:
    rng = random.Random(seed)  # not for security: a replayable, documented draw
    chosen = rng.sample(enterprises, n)
    pairs = [rng.sample(inspectors, k) for _ in chosen]
    return chosen, pairs


def yearly_cap(session: Session) -> int:
    """Inspections allowed per enterprise per year: the office's setting, else DEFAULT_YEARLY_CAP."""
    cap = get_setting(session, INSPECTION_CAP_KEY)
    return cap if isinstance(cap, int) and not isinstance(cap, bool) and cap > 0 else DEFAULT_YEARLY_CAP


def sample_enterprises(
    session: Session, *, candidates: list[str], count: int, seed: str | None, year: int, area: str = ""
) -> RandomDraw:
    """A 双随机 sample of enterprises only (no inspectors: the annual plan's), recorded like any draw.

    The same seed and candidates give the same sample, and `replay_draw` checks it like a task draw."""
    if count < 0 or count > len(candidates):
        raise ValidationError(
            f"Cannot sample {count} of {len(candidates)} candidate enterprises.",
            f"符合条件的企业共{len(candidates)}家，不能抽取{count}家。",
        )
    seed = seed or secrets.token_hex(16)
    chosen, _pairs = _choose(seed, candidates, [], count, 0)
    record = RandomDraw(
        drawn_at=clock.now(),
        year=year,
        seed=seed,
        enterprise_count=count,
        inspector_count=0,
        area=area,
        candidate_enterprise_ids=list(candidates),
        candidate_inspector_ids=[],
        chosen_enterprise_ids=chosen,
        chosen_inspector_ids=[],
    )
    session.add(record)
    session.flush()
    return record


def inspections_in_year(session: Session, enterprise_ids: list[str], year: int) -> dict[str, int]:
    start = datetime.combine(date(year, 1, 1), time(), tzinfo=clock.CHINA_TZ)
    end = datetime.combine(date(year + 1, 1, 1), time(), tzinfo=clock.CHINA_TZ)
    stmt = (
        select(Inspection.enterprise_id, func.count())
        .where(col(Inspection.enterprise_id).in_(enterprise_ids))
        .where(col(Inspection.started_at) >= start, col(Inspection.started_at) < end)
        .group_by(col(Inspection.enterprise_id))
    )
    return {str(e): int(n) for e, n in session.exec(stmt)}


def draw_enterprises(
    session: Session,
    *,
    enterprise_count: int,
    industry: Industry | None = None,
    township: str = "",
    inspectors_per_enterprise: int = MIN_INSPECTORS,
    seed: str | None = None,
    due_in_days: int = 30,
) -> DrawResult:
    """Draw, record the draw, and create one 双随机抽查 task per drawn enterprise."""
    if inspectors_per_enterprise < MIN_INSPECTORS:
        raise ValidationError(
            f"At least {MIN_INSPECTORS} inspectors per enterprise.", f"每家企业至少派{MIN_INSPECTORS}名执法人员。"
        )
    stmt = select(Enterprise.id).order_by(col(Enterprise.id))
    if industry is not None:
        stmt = stmt.where(Enterprise.industry == industry)
    if township.strip():
        stmt = stmt.where(Enterprise.township == township.strip())
    candidates = [str(i) for i in session.exec(stmt)]
    pool = [
        str(i)
        for i in session.exec(
            select(Inspector.id)
            .where(col(Inspector.active), Inspector.role == InspectorRole.INSPECTOR)
            .order_by(col(Inspector.cert_no))
        )
    ]
    if enterprise_count < 1 or enterprise_count > len(candidates):
        raise ValidationError(
            f"Cannot draw {enterprise_count} of {len(candidates)} candidate enterprises.",
            f"符合条件的企业共{len(candidates)}家，不能抽取{enterprise_count}家。",
        )
    if len(pool) < inspectors_per_enterprise:
        raise ValidationError(
            f"Only {len(pool)} active inspectors to draw from.", f"可抽取的执法人员只有{len(pool)}名，不足。"
        )
    seed = seed or secrets.token_hex(16)
    chosen, pairs = _choose(seed, candidates, pool, enterprise_count, inspectors_per_enterprise)
    today = clock.local_today()
    record = RandomDraw(
        drawn_at=clock.now(),
        year=today.year,
        seed=seed,
        industry=industry.value if industry else "",
        area=township.strip(),
        enterprise_count=enterprise_count,
        inspector_count=inspectors_per_enterprise,
        candidate_enterprise_ids=candidates,
        candidate_inspector_ids=pool,
        chosen_enterprise_ids=chosen,
        chosen_inspector_ids=[i for pair in pairs for i in pair],
    )
    session.add(record)
    session.flush()
    task_ids = []
    for enterprise_id, pair in zip(chosen, pairs, strict=True):
        task = InspectionTask(
            enterprise_id=enterprise_id,
            mode=InspectionMode.DOUBLE_RANDOM,
            title="双随机抽查",
            purpose="对你单位安全生产法律法规执行情况进行双随机抽查。",
            planned_date=today,
            due_date=today + timedelta(days=due_in_days),
            status=TaskStatus.PLANNED,
            source="双随机",
            random_draw_id=record.id,
        )
        session.add(task)
        session.flush()
        for position, inspector_id in enumerate(pair):
            session.add(TaskInspector(task_id=task.id, inspector_id=inspector_id, position=position))
        task_ids.append(task.id)
    cap = yearly_cap(session)
    counts = inspections_in_year(session, chosen, today.year)
    at_cap = {e: n for e, n in counts.items() if n >= cap}
    session.flush()
    return DrawResult(record.id, seed, chosen, pairs, task_ids, at_cap)


def replay_draw(session: Session, draw_id: str) -> bool:
    """True when the stored seed and candidate lists reproduce exactly the stored choice."""
    record = session.get(RandomDraw, draw_id)
    if record is None:
        raise ValidationError(f"No draw {draw_id}.", "找不到该次抽取记录。")
    chosen, pairs = _choose(
        record.seed,
        list(record.candidate_enterprise_ids),
        list(record.candidate_inspector_ids),
        record.enterprise_count,
        record.inspector_count,
    )
    return chosen == record.chosen_enterprise_ids and [i for p in pairs for i in p] == record.chosen_inspector_ids
