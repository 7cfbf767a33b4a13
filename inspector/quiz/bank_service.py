"""Question banks in the database: the shipped TOML banks, and questions imported from office spreadsheets."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from inspector.errors import ValidationError
from inspector.quiz.banks import BankDef, BankFileError, builtin_bank_paths, parse_bank_file
from inspector.quiz.questions import QuestionDef
from inspector.store.bulk import insert_synced
from inspector.store.ids import stable_id
from inspector.store.models import Question, QuestionBank

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BankImport:
    bank_id: str
    code: str
    added: int
    skipped_duplicates: int
    created: bool


def _question_row(bank_id: str, q: QuestionDef, *, unconfirmed: bool = False, note: str = "") -> dict[str, Any]:
    return {
        "bank_id": bank_id,
        "code": q.code,
        "qtype": q.qtype,
        "posts": list(q.posts),
        "stem": q.stem,
        "options": list(q.options),
        "answer": q.answer,
        "explanation": q.explanation,
        "basis": q.basis,
        "difficulty": q.difficulty,
        "content_sha256": q.fingerprint,
        "unconfirmed": unconfirmed,
        "note": note,
    }


def import_bank_def(session: Session, bank: BankDef) -> BankImport:
    """A shipped bank as a new revision; the same revision again is a no-op, a changed one is refused."""
    existing = session.exec(
        select(QuestionBank).where(QuestionBank.code == bank.code, QuestionBank.revision == bank.revision)
    ).first()
    if existing is not None:
        if existing.content_sha256 == bank.sha256:
            return BankImport(existing.id, bank.code, 0, 0, False)
        raise ValidationError(
            f"Question bank {bank.code} revision {bank.revision} was imported before with different content; "
            "give the changed file a higher revision.",
            f"题库“{bank.title}”第{bank.revision}版已导入且内容不同，修改后的文件须提高版本号。",
        )
    for older in session.exec(select(QuestionBank).where(QuestionBank.code == bank.code)):
        older.is_current = False
        session.add(older)
    row = QuestionBank(
        id=stable_id("questionbank", bank.code, bank.revision),
        code=bank.code,
        revision=bank.revision,
        title=bank.title,
        industry=bank.industry,
        pass_mark=bank.pass_mark,
        source="；".join(bank.sources),
        content_sha256=bank.sha256,
        is_current=True,
    )
    session.add(row)
    session.flush()
    rows = [
        {
            **_question_row(row.id, q, unconfirmed=q.code in bank.unconfirmed_codes),
            "id": stable_id("question", bank.code, bank.revision, q.code or q.fingerprint),
        }
        for q in bank.questions
    ]
    insert_synced(session, Question, rows)
    return BankImport(row.id, bank.code, len(bank.questions), 0, True)


def install_builtin_banks(session: Session) -> list[BankImport]:
    """The shipped banks (new revisions only); a broken or stale file is logged and skipped."""
    results = []
    for path in builtin_bank_paths():
        try:
            bank = parse_bank_file(path)
            with session.begin_nested():
                results.append(import_bank_def(session, bank))
        except (BankFileError, ValidationError) as exc:
            log.error("shipped question bank %s not installed: %s", path.name, exc)
    return results


def bank_for(session: Session, *, code: str) -> QuestionBank:
    bank = session.exec(select(QuestionBank).where(QuestionBank.code == code, col(QuestionBank.is_current))).first()
    if bank is None:
        raise ValidationError(f"No question bank {code!r}.", f"找不到题库：{code}")
    return bank


def create_bank(session: Session, *, code: str, title: str, industry: str, pass_mark: int = 80) -> QuestionBank:
    """A bank that holds questions imported from spreadsheets (an office's own bank)."""
    if not 1 <= pass_mark <= 100:
        raise ValidationError("The pass mark must be 1–100.", "合格分应在1到100之间。")
    if session.exec(select(QuestionBank).where(QuestionBank.code == code)).first() is not None:
        raise ValidationError(f"Question bank {code!r} exists.", f"题库代码“{code}”已存在。")
    bank = QuestionBank(code=code, revision=1, title=title, industry=industry, pass_mark=pass_mark, source="导入")
    session.add(bank)
    session.flush()
    return bank


def add_questions(session: Session, *, bank_id: str, questions: Sequence[QuestionDef]) -> BankImport:
    """Add imported questions to a bank; ones already in it (same fingerprint) are skipped, not doubled."""
    bank = session.get(QuestionBank, bank_id)
    if bank is None:
        raise ValidationError(f"No question bank {bank_id}.", "找不到题库。")
    known = set(session.exec(select(Question.content_sha256).where(Question.bank_id == bank_id)))
    rows = []
    for q in questions:
        if q.fingerprint not in known:
            known.add(q.fingerprint)
            rows.append(_question_row(bank_id, q))
    insert_synced(session, Question, rows)
    return BankImport(bank_id, bank.code, len(rows), len(questions) - len(rows), False)


def question_count(session: Session, bank_id: str) -> int:
    return int(session.exec(select(func.count()).select_from(Question).where(Question.bank_id == bank_id)).one())
