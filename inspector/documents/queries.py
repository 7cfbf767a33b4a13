"""Read-side list of enforcement documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from inspector.store.models import Document, Enterprise


@dataclass(frozen=True)
class DocumentRow:
    id: str
    kind: str
    number_text: str
    enterprise_name: str
    status: str
    issued_at: datetime | None


def list_documents(session: Session, *, limit: int = 500) -> list[DocumentRow]:
    stmt = (
        select(Document, Enterprise)
        .join(Enterprise, col(Enterprise.id) == col(Document.enterprise_id))
        .order_by(col(Document.created_at).desc())
        .limit(limit)
    )
    return [
        DocumentRow(
            id=d.id,
            kind=str(d.kind),
            number_text=d.number_text,
            enterprise_name=e.name,
            status=str(d.status),
            issued_at=d.issued_at,
        )
        for d, e in session.exec(stmt)
    ]
