"""What is waiting to be sent to the office, and when this laptop last synced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from inspector.store.models import OutboxEntry, SyncState
from inspector.sync.protocol import GLOBAL_TABLES


@dataclass(frozen=True)
class SyncStatus:
    pending_records: int
    pending_by_table: dict[str, int] = field(default_factory=dict)
    office_url: str | None = None
    last_push_at: datetime | None = None
    last_pull_at: datetime | None = None
    last_error: str = ""


def sync_status(session: Session) -> SyncStatus:
    by_table = {
        str(table): int(n)
        for table, n in session.exec(
            select(OutboxEntry.table_name, func.count(func.distinct(OutboxEntry.record_id)))
            .where(col(OutboxEntry.table_name).not_in(GLOBAL_TABLES))  # shipped content: never sent
            .group_by(col(OutboxEntry.table_name))
            .order_by(col(OutboxEntry.table_name))
        )
    }
    state = session.exec(select(SyncState).order_by(col(SyncState.last_pull_at).desc())).first()
    return SyncStatus(
        pending_records=sum(by_table.values()),
        pending_by_table=by_table,
        office_url=state.office_url if state else None,
        last_push_at=state.last_push_at if state else None,
        last_pull_at=state.last_pull_at if state else None,
        last_error=state.last_error if state else "",
    )
