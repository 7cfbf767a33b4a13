"""An approved annual plan is locked: any change to it or its entries is refused at flush, whatever the caller.

The desk services check first and say why in the user's words; this guard is what makes "locked" hold for
every other path (a script, a future screen) too. Rows applied from the office pass: once plans sync, the
office's copy is the place of record (DESIGN.md §4), as for every other table.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession

from inspector.domain.enums import PlanStatus
from inspector.errors import TransitionError
from inspector.store.models import AnnualPlan, PlanEntry


def locked_error() -> TransitionError:
    return TransitionError(
        "The annual plan is approved and locked; it cannot be changed.",
        "年度监督检查计划已批准，不能再修改、增删计划企业或删除计划。",
        code="plan_locked",
    )


def _stored_value(obj: Any, name: str) -> Any:
    """The value as the database holds it (before this flush's change), or the current one if unchanged."""
    history = inspect(obj).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(obj, name)


def _approved(session: OrmSession, plan_id: str | None) -> bool:
    if plan_id is None:
        return False
    plan = session.get(AnnualPlan, plan_id)
    return plan is not None and _stored_value(plan, "status") == PlanStatus.APPROVED


@event.listens_for(OrmSession, "before_flush")
def _refuse_changes_to_approved_plans(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    from inspector.store.db import APPLYING_REMOTE  # db imports this module to register the guard

    if session.info.get(APPLYING_REMOTE, False):
        return
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, AnnualPlan):
            continue
        changed = obj in session.deleted or session.is_modified(obj)
        if changed and _stored_value(obj, "status") == PlanStatus.APPROVED:
            raise locked_error()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, PlanEntry):
            continue
        if obj in session.dirty and not session.is_modified(obj):
            continue
        plan_ids = {obj.plan_id, _stored_value(obj, "plan_id")} if obj not in session.new else {obj.plan_id}
        if any(_approved(session, plan_id) for plan_id in plan_ids):
            raise locked_error()
