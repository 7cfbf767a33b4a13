"""Supervisor review of decisions (决定书) before they are issued: submit → approve, or return with a comment.

The state lives on the Document itself (review_status, review_comment, reviewed_by_id, reviewed_at), so an
approval given on the supervisor's machine reaches the inspectors' laptops with the next sync and merges per
field with their own edits. Each step also writes an AuditEvent: the rounds of a returned draft are there.
`issue_document` refuses a decision that is not approved (`service.check_approved`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from inspector import clock
from inspector.domain.enums import DocumentStatus, InspectorRole, ReviewStatus
from inspector.domain.rules import check_review_transition
from inspector.errors import TransitionError, ValidationError
from inspector.store.audit import record_event
from inspector.store.models import Document, Enterprise, Inspector


def _reviewable(session: Session, document_id: str) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise ValidationError(f"No document {document_id}.", "找不到该文书。")
    if not document.kind.needs_review:
        raise ValidationError(
            f"A {document.kind.value} is issued without review.", f"{document.kind.value}无需审核，可直接签发。"
        )
    if document.status is not DocumentStatus.DRAFT:
        raise TransitionError("Only a draft is reviewed.", "文书已出具，不能再审核。")
    return document


def _inspector(session: Session, inspector_id: str) -> Inspector:
    inspector = session.get(Inspector, inspector_id)
    if inspector is None:
        raise ValidationError(f"No inspector {inspector_id}.", "找不到该执法人员。")
    return inspector


def _supervisor(session: Session, supervisor_id: str) -> Inspector:
    supervisor = _inspector(session, supervisor_id)
    if supervisor.role is not InspectorRole.SUPERVISOR or not supervisor.active:
        raise ValidationError(
            f"{supervisor.name} is not an active supervisor; only a supervisor reviews decisions.",
            f"{supervisor.name}不是审核人，只有审核人（supervisor）可以审核决定书。",
            code="not_supervisor",
        )
    return supervisor


def _state(document: Document) -> dict[str, Any]:
    return {
        "review_status": document.review_status,
        "review_comment": document.review_comment,
        "reviewed_by_id": document.reviewed_by_id,
    }


def _move(
    session: Session, document: Document, new: ReviewStatus, *, actor: str, action: str, comment: str | None
) -> Document:
    check_review_transition(document.review_status, new)
    old = _state(document)
    now = clock.now()
    document.review_status = new
    if comment is not None:
        document.review_comment = comment
    if new is ReviewStatus.PENDING:
        document.review_submitted_at = now
        document.reviewed_by_id, document.reviewed_at = None, None
    else:
        document.reviewed_by_id, document.reviewed_at = actor, now
    session.add(document)
    session.flush()
    record_event(
        session,
        actor=actor,
        action=action,
        table_name="document",
        record_id=document.id,
        old_values=old,
        new_values=_state(document),
    )
    return document


def submit_for_review(session: Session, document_id: str, submitted_by: str) -> Document:
    """The inspector hands the draft decision to the supervisor (again, after a return)."""
    document = _reviewable(session, document_id)
    _inspector(session, submitted_by)
    return _move(session, document, ReviewStatus.PENDING, actor=submitted_by, action="submit_for_review", comment=None)


def approve(session: Session, document_id: str, supervisor_id: str, *, comment: str = "") -> Document:
    """A supervisor approves the draft as it stands; from now on it may be issued."""
    document = _reviewable(session, document_id)
    _supervisor(session, supervisor_id)
    return _move(
        session, document, ReviewStatus.APPROVED, actor=supervisor_id, action="approve", comment=comment.strip()
    )


def return_with_comment(session: Session, document_id: str, supervisor_id: str, comment: str) -> Document:
    """A supervisor sends the draft back, saying what to correct."""
    document = _reviewable(session, document_id)
    _supervisor(session, supervisor_id)
    if not comment.strip():
        raise ValidationError("Say why the decision is returned.", "退回须填写审核意见。")
    return _move(
        session, document, ReviewStatus.RETURNED, actor=supervisor_id, action="return", comment=comment.strip()
    )


@dataclass(frozen=True)
class ReviewRow:
    document_id: str
    kind: str
    enterprise_name: str
    inspection_id: str | None
    submitted_at: datetime | None
    comment: str  # the supervisor's comment of an earlier return, if any

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "kind": self.kind,
            "enterprise": self.enterprise_name,
            "inspection_id": self.inspection_id,
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
            "comment": self.comment,
        }


def documents_awaiting_review(session: Session) -> list[ReviewRow]:
    """Draft decisions submitted and not yet approved or returned, the longest waiting first."""
    stmt = (
        select(Document, Enterprise.name)
        .join(Enterprise, col(Enterprise.id) == col(Document.enterprise_id))
        .where(Document.status == DocumentStatus.DRAFT, Document.review_status == ReviewStatus.PENDING)
        .order_by(col(Document.review_submitted_at), col(Document.id))
    )
    return [
        ReviewRow(d.id, d.kind.value, name, d.inspection_id, d.review_submitted_at, d.review_comment)
        for d, name in session.exec(stmt)
    ]
