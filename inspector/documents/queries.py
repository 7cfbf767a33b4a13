"""Read-side lists of enforcement documents (the 执法文书 page, the CLI, batch export)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
    inspection_id: str | None = None
    pdf_sha256: str = ""
    void_reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "number": self.number_text,
            "status": self.status,
            "enterprise": self.enterprise_name,
            "inspection_id": self.inspection_id,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "pdf_sha256": self.pdf_sha256,
            "void_reason": self.void_reason,
        }


def list_documents(session: Session, *, inspection_id: str | None = None, limit: int = 500) -> list[DocumentRow]:
    """Newest first; one inspection's documents (its case file) when `inspection_id` is given."""
    stmt = (
        select(Document, Enterprise.name)
        .join(Enterprise, col(Enterprise.id) == col(Document.enterprise_id))
        .order_by(col(Document.created_at).desc())
        .limit(limit)
    )
    if inspection_id is not None:
        stmt = stmt.where(Document.inspection_id == inspection_id)
    return [
        DocumentRow(
            id=d.id,
            kind=str(d.kind),
            number_text=d.number_text,
            enterprise_name=name,
            status=str(d.status),
            issued_at=d.issued_at,
            inspection_id=d.inspection_id,
            pdf_sha256=d.pdf_sha256,
            void_reason=d.void_reason,
        )
        for d, name in session.exec(stmt)
    ]
