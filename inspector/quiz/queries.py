"""Read-side list of question banks with their question counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from inspector.store.models import Question, QuestionBank


@dataclass(frozen=True)
class BankRow:
    id: str
    title: str
    industry: str
    revision: int
    pass_mark: int
    question_count: int


def list_banks(session: Session) -> list[BankRow]:
    stmt = (
        select(QuestionBank, func.count(col(Question.id)))
        .join(Question, col(Question.bank_id) == col(QuestionBank.id), isouter=True)
        .where(col(QuestionBank.is_current))
        .group_by(col(QuestionBank.id))
        .order_by(col(QuestionBank.industry), col(QuestionBank.title))
    )
    return [
        BankRow(
            id=b.id,
            title=b.title,
            industry=b.industry,
            revision=b.revision,
            pass_mark=b.pass_mark,
            question_count=int(n),
        )
        for b, n in session.exec(stmt)
    ]
