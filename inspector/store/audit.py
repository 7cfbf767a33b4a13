"""The one audit log: who did what to which record, written in the same transaction as the change.

The hash chain (each event holding the previous event's hash, DESIGN.md §3) is not computed here yet:
prev_hash and hash stay empty until `inspector verify` and its chain are built.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import to_jsonable_python
from sqlmodel import Session

from inspector import clock
from inspector.store.models import AuditEvent

SYSTEM_ACTOR = "system"


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    table_name: str,
    record_id: str,
    old_values: dict[str, Any] | None = None,
    new_values: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event (actor: an inspector's id, or "system"); values are stored as JSON."""
    event = AuditEvent(
        at=clock.now(),
        device_id=str(session.info.get("device_id", "")),
        actor=actor,
        action=action,
        table_name=table_name,
        record_id=record_id,
        old_values=to_jsonable_python(old_values) if old_values is not None else None,
        new_values=to_jsonable_python(new_values) if new_values is not None else None,
    )
    session.add(event)
    session.flush()
    return event
