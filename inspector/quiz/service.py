"""The on-site quiz (逢查必考): draw a paper for a person's post, take answers, score, and record the outcome.

A paper is drawn from the current banks of the enterprise's industry and the general bank, for the
person's post, leaving out what the same person saw in their last quizzes, with the options of each choice
question shuffled. The seed and what was drawn from are stored with the quiz, so the paper can be drawn
again exactly. A failed quiz becomes a finding of the inspection (安全生产法 第二十七条 for 主要负责人 and
安全管理人员, 第二十八条 for other staff), so it goes into the 责令限期整改指令书.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from inspector import clock
from inspector.domain.enums import FindingMeasure, HazardGrade, QuestionType, QuizMode, QuizStatus
from inspector.domain.identifiers import validate_id_number
from inspector.errors import TransitionError, ValidationError
from inspector.evidence.service import link_evidence
from inspector.inspections.service import add_finding
from inspector.quiz.questions import LETTERS, QuestionError, parse_answer
from inspector.store.models import (
    Enterprise,
    Evidence,
    Finding,
    Inspection,
    Question,
    QuestionBank,
    QuizAnswer,
    QuizSession,
)

GENERAL_INDUSTRY = "通用"
MANAGERS = ("主要负责人", "安全管理人员")
DEFAULT_MIX: Mapping[QuestionType, int] = {
    QuestionType.TRUE_FALSE: 4,
    QuestionType.SINGLE_CHOICE: 4,
    QuestionType.MULTIPLE_CHOICE: 2,
}
RECENT_QUIZZES = 3  # a person does not see again what was on their last three papers
RECTIFY_DAYS = 30


@dataclass(frozen=True)
class PaperQuestion:
    position: int
    question_id: str
    qtype: QuestionType
    stem: str
    options: list[str]  # in the shuffled order shown, lettered A, B, C …
    answer: str  # in the shown letters (hidden from the person in kiosk mode)
    explanation: str
    basis: str
    given: str
    correct: bool | None


@dataclass(frozen=True)
class QuizResult:
    quiz_id: str
    person_name: str
    person_post: str
    score: float | None
    pass_mark: int
    status: QuizStatus
    questions: list[PaperQuestion]
    finding_id: str | None
    person_photo_evidence_id: str | None = None
    paper_evidence_id: str | None = None

    @property
    def wrong(self) -> list[PaperQuestion]:
        return [q for q in self.questions if q.correct is False or (q.correct is None and not q.given)]


@dataclass(frozen=True)
class Person:
    name: str
    post: str
    id_number: str = ""
    staff_no: str = ""

    def key(self, enterprise_id: str) -> dict[str, str]:
        """Who this is, for "what did this person see before": ID number, else 工号, else the name."""
        if self.id_number:
            return {"person_id_number": self.id_number}
        if self.staff_no:
            return {"person_staff_no": self.staff_no, "enterprise_id": enterprise_id}
        return {"person_name": self.name, "enterprise_id": enterprise_id}


def check_person(person: Person) -> Person:
    name, post = person.name.strip(), person.post.strip()
    if not name:
        raise ValidationError("The person's name is required.", "请填写受考人员姓名。")
    if not post:
        raise ValidationError("The person's post is required.", "请填写受考人员岗位。")
    id_number = validate_id_number(person.id_number) if person.id_number.strip() else ""
    staff_no = person.staff_no.strip()
    if not id_number and not staff_no:
        raise ValidationError("Give an ID number or a staff number.", "请填写身份证号或工号。")
    return Person(name, post, id_number, staff_no)


def _inspection(session: Session, inspection_id: str) -> Inspection:
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise ValidationError(f"No inspection {inspection_id}.", "找不到该现场检查。")
    return inspection


def recently_seen(session: Session, person: Person, enterprise_id: str, *, quizzes: int = RECENT_QUIZZES) -> set[str]:
    stmt = select(QuizSession.id)
    for column, value in person.key(enterprise_id).items():
        stmt = stmt.where(getattr(QuizSession, column) == value)
    recent = list(session.exec(stmt.order_by(col(QuizSession.started_at).desc()).limit(quizzes)))
    if not recent:
        return set()
    return set(session.exec(select(QuizAnswer.question_id).where(col(QuizAnswer.session_id).in_(recent))))


@dataclass(frozen=True)
class Pool:
    """The questions a paper may be drawn from: per (type, difficulty), the count in each bank."""

    banks: tuple[str, ...]
    post: str
    counts: dict[tuple[QuestionType, int], list[tuple[str, int]]]

    def size(self, qtype: QuestionType | None = None, difficulty: int | None = None) -> int:
        return sum(
            n
            for (kind, level), per_bank in self.counts.items()
            if (qtype is None or kind is qtype) and (difficulty is None or level == difficulty)
            for _bank, n in per_bank
        )


# Difficulty mixes offered on screen: shares of 易 (1), 中 (2), 难 (3); None draws regardless of difficulty.
DIFFICULTY_MIXES: Mapping[str, Mapping[int, float] | None] = {
    "不限": None,
    "偏易": {1: 0.5, 2: 0.4, 3: 0.1},
    "标准": {1: 0.3, 2: 0.5, 3: 0.2},
    "偏难": {1: 0.1, 2: 0.4, 3: 0.5},
}


def _driver(session: Session) -> Any:
    # Straight through the driver: a draw is a handful of index lookups, no ORM objects needed.
    dbapi = session.connection().connection.driver_connection
    assert dbapi is not None
    return dbapi


def pool_for(session: Session, *, industry: str, post: str) -> Pool:
    """The current banks of the industry and the general bank, counted by type and difficulty for the post."""
    banks = tuple(
        sorted(
            str(b)
            for b in session.exec(
                select(QuestionBank.id).where(
                    col(QuestionBank.is_current), col(QuestionBank.industry).in_((industry, GENERAL_INDUSTRY))
                )
            )
        )
    )
    counts: dict[tuple[QuestionType, int], list[tuple[str, int]]] = {}
    if banks:
        marks = ", ".join("?" for _ in banks)
        rows = _driver(session).execute(
            f"SELECT qtype, difficulty, bank_id, count(*) FROM question_post WHERE post = ? AND bank_id IN ({marks}) "
            "GROUP BY qtype, difficulty, bank_id ORDER BY qtype, difficulty, bank_id",
            (post, *banks),
        )
        for qtype, difficulty, bank, n in rows:
            counts.setdefault((QuestionType(qtype), int(difficulty)), []).append((bank, int(n)))
    return Pool(banks, post, counts)


def known_posts(session: Session) -> list[str]:
    """Every post the current banks have questions for, most questions first (for the post picker)."""
    rows = _driver(session).execute(
        "SELECT qp.post FROM question_post qp JOIN questionbank b ON b.id = qp.bank_id "
        "WHERE b.is_current GROUP BY qp.post ORDER BY count(*) DESC, qp.post"
    )
    return [str(r[0]) for r in rows]


def _question_at(session: Session, pool: Pool, qtype: QuestionType, levels: list[int], position: int) -> str:
    """The position-th question of the type among the given difficulties (levels, banks, ids in order)."""
    for level in levels:
        for bank, n in pool.counts.get((qtype, level), []):
            if position < n:
                row = (
                    _driver(session)
                    .execute(
                        "SELECT question_id FROM question_post WHERE post = ? AND qtype = ? AND difficulty = ? "
                        "AND bank_id = ? ORDER BY question_id LIMIT 1 OFFSET ?",
                        (pool.post, qtype.value, level, bank, position),
                    )
                    .fetchone()
                )
                return str(row[0])
            position -= n
    raise IndexError(position)


def split_by_difficulty(wanted: int, weights: Mapping[int, float] | None) -> list[tuple[list[int], int]]:
    """How many questions of each difficulty (largest remainders), as (levels, count); None: one group of all."""
    if not weights:
        return [([1, 2, 3], wanted)]
    total = sum(weights.values())
    exact = {level: wanted * share / total for level, share in sorted(weights.items())}
    counts = {level: int(x) for level, x in exact.items()}
    for level in sorted(exact, key=lambda lv: exact[lv] - counts[lv], reverse=True)[: wanted - sum(counts.values())]:
        counts[level] += 1
    return [([level], n) for level, n in counts.items() if n]


def _pick(
    session: Session,
    pool: Pool,
    rng: random.Random,
    *,
    qtype: QuestionType,
    levels: list[int],
    wanted: int,
    exclude: set[str],
    taken: set[str],
) -> list[str]:
    total = sum(pool.size(qtype, level) for level in levels)
    picked: list[str] = []
    seen_again: list[str] = []
    for position in _positions(rng, total, tries=wanted * 4 + len(exclude) * 2 + 20):
        if len(picked) >= wanted:
            break
        question_id = _question_at(session, pool, qtype, levels, position)
        if question_id in taken:
            continue
        (seen_again if question_id in exclude else picked).append(question_id)
    # What was seen recently comes back only when there is not enough else.
    return picked + seen_again[: wanted - len(picked)]


SMALL_POOL = 5000


def _positions(rng: random.Random, total: int, *, tries: int) -> Iterator[int]:
    """Distinct random positions: every one of a small pool (so an unseen question is always found if
    there is one), or a bounded number of tries in a large pool, where recently seen ones are a few."""
    if total <= SMALL_POOL:
        yield from rng.sample(range(total), total)
        return
    tried: set[int] = set()
    for _ in range(tries):
        position = rng.randrange(total)
        if position not in tried:
            tried.add(position)
            yield position


def draw(
    session: Session,
    pool: Pool,
    *,
    seed: str,
    mix: Mapping[QuestionType, int],
    exclude: set[str],
    difficulty: Mapping[int, float] | None = None,
) -> list[str]:
    """The paper's question ids: per type (and difficulty share), random positions in the pool, unseen first.

    Only the drawn questions are read, never the whole pool, so a 50,000-question bank draws as fast as a
    small one; the same seed over the same banks gives the same paper. A difficulty that runs short is made
    up from the others.
    """
    rng = random.Random(seed)  # not for security: a paper that can be drawn again from its seed
    chosen: list[str] = []
    for qtype, wanted in mix.items():
        got: list[str] = []
        for levels, count in split_by_difficulty(wanted, difficulty):
            got += _pick(session, pool, rng, qtype=qtype, levels=levels, wanted=count, exclude=exclude, taken=set(got))
        if len(got) < wanted:
            got += _pick(
                session,
                pool,
                rng,
                qtype=qtype,
                levels=[1, 2, 3],
                wanted=wanted - len(got),
                exclude=exclude,
                taken=set(got),
            )
        chosen.extend(got)
    return chosen


def start_quiz(
    session: Session,
    *,
    inspection_id: str,
    person: Person,
    mode: QuizMode = QuizMode.KIOSK,
    mix: Mapping[QuestionType, int] | None = None,
    seed: str | None = None,
    examiner_id: str | None = None,
    time_limit_minutes: int | None = 15,
    difficulty: Mapping[int, float] | None = None,
    person_photo_evidence_id: str | None = None,
) -> QuizSession:
    inspection = _inspection(session, inspection_id)
    _check_photo(session, person_photo_evidence_id, inspection_id)
    enterprise = session.get(Enterprise, inspection.enterprise_id)
    assert enterprise is not None
    person = check_person(person)
    mix = dict(mix or DEFAULT_MIX)
    if sum(mix.values()) < 1:
        raise ValidationError("A paper needs at least one question.", "试卷至少需要一道题。")
    pool = pool_for(session, industry=enterprise.industry.value, post=person.post)
    if not pool.size():
        raise ValidationError(
            f"No questions for post {person.post} in {enterprise.industry.value}.",
            f"题库中没有适用于“{person.post}”岗位的题目。",
        )
    seed = seed or secrets.token_hex(8)
    exclude = recently_seen(session, person, enterprise.id)
    chosen = draw(session, pool, seed=seed, mix=mix, exclude=exclude, difficulty=difficulty)
    if not chosen:
        raise ValidationError("No questions of the requested types.", "题库中没有所需题型的题目。")
    questions = {q.id: q for q in session.exec(select(Question).where(col(Question.id).in_(chosen)))}
    banks = {q.bank_id for q in questions.values()}
    pass_mark = min(
        (b.pass_mark for b in session.exec(select(QuestionBank).where(col(QuestionBank.id).in_(banks)))),
        default=80,
    )
    quiz = QuizSession(
        inspection_id=inspection_id,
        enterprise_id=enterprise.id,
        person_name=person.name,
        person_post=person.post,
        person_id_number=person.id_number,
        person_staff_no=person.staff_no,
        mode=mode,
        seed=seed,
        draw_params={
            "industry": enterprise.industry.value,
            "post": person.post,
            "mix": {t.value: n for t, n in mix.items()},
            "banks": list(pool.banks),
            "difficulty": {str(k): v for k, v in difficulty.items()} if difficulty else None,
            "pool": {t.value: pool.size(t) for t in QuestionType if pool.size(t)},
            "excluded": sorted(exclude),
        },
        started_at=clock.now(),
        pass_mark=pass_mark,
        status=QuizStatus.IN_PROGRESS,
        examiner_id=examiner_id,
        time_limit_seconds=time_limit_minutes * 60 if time_limit_minutes else None,
        person_photo_evidence_id=person_photo_evidence_id,
    )
    session.add(quiz)
    session.flush()
    rng = random.Random(f"{seed}:options")
    for position, question_id in enumerate(chosen):
        question = questions[question_id]
        order = list(range(len(question.options)))
        if question.qtype in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            rng.shuffle(order)
        session.add(QuizAnswer(session_id=quiz.id, question_id=question_id, position=position, option_order=order))
    session.flush()
    return quiz


def _shown_answer(question: Question, order: list[int]) -> str:
    """The correct letters as the person sees them after the options were shuffled."""
    if question.qtype not in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        return question.answer
    original = {LETTERS.index(ch) for ch in question.answer}
    return "".join(LETTERS[shown] for shown, index in enumerate(order) if index in original)


def paper(session: Session, quiz_id: str) -> list[PaperQuestion]:
    answers = session.exec(
        select(QuizAnswer).where(QuizAnswer.session_id == quiz_id).order_by(col(QuizAnswer.position))
    ).all()
    questions = {
        q.id: q for q in session.exec(select(Question).where(col(Question.id).in_([a.question_id for a in answers])))
    }
    out = []
    for a in answers:
        q = questions[a.question_id]
        order = list(a.option_order) or list(range(len(q.options)))
        out.append(
            PaperQuestion(
                position=a.position,
                question_id=q.id,
                qtype=q.qtype,
                stem=q.stem,
                options=[q.options[i] for i in order],
                answer=_shown_answer(q, order),
                explanation=q.explanation,
                basis=q.basis,
                given=a.given,
                correct=a.correct,
            )
        )
    return out


def _open_quiz(session: Session, quiz_id: str) -> QuizSession:
    quiz = session.get(QuizSession, quiz_id)
    if quiz is None:
        raise ValidationError(f"No quiz {quiz_id}.", "找不到该次考试。")
    if quiz.status is not QuizStatus.IN_PROGRESS:
        raise TransitionError("The quiz is finished.", "考试已结束，不能再作答。")
    return quiz


def _answer_row(session: Session, quiz_id: str, position: int) -> QuizAnswer:
    _open_quiz(session, quiz_id)
    row = session.exec(
        select(QuizAnswer).where(QuizAnswer.session_id == quiz_id, QuizAnswer.position == position)
    ).first()
    if row is None:
        raise ValidationError(f"No question {position} on this paper.", "试卷上没有这道题。")
    return row


def answer(session: Session, *, quiz_id: str, position: int, given: str) -> QuizAnswer:
    """Record an answer as the person sees the paper (shown letters); 简答 waits for the inspector's mark."""
    row = _answer_row(session, quiz_id, position)
    question = session.get(Question, row.question_id)
    assert question is not None
    if question.qtype is QuestionType.SHORT_ANSWER:
        row.given = given.strip()
        row.correct = None
    else:
        try:
            normalised = parse_answer(question.qtype, given, len(question.options))
        except QuestionError as exc:
            raise ValidationError(f"Answer {given!r} is not valid.", str(exc)) from exc
        row.given = normalised
        order = list(row.option_order) or list(range(len(question.options)))
        row.correct = normalised == _shown_answer(question, order)
    session.add(row)
    session.flush()
    return row


def mark(session: Session, *, quiz_id: str, position: int, correct: bool) -> QuizAnswer:
    """The inspector's mark for a 简答 (or an oral answer)."""
    row = _answer_row(session, quiz_id, position)
    row.correct = correct
    session.add(row)
    session.flush()
    return row


def finish_quiz(session: Session, *, quiz_id: str, abandon: bool = False) -> QuizResult:
    """Score the paper (unanswered = wrong); a fail becomes a finding of the inspection."""
    quiz = _open_quiz(session, quiz_id)
    quiz.ended_at = clock.now()
    if abandon:
        quiz.status = QuizStatus.ABANDONED
        session.add(quiz)
        session.flush()
        return result(session, quiz_id)
    rows = session.exec(select(QuizAnswer).where(QuizAnswer.session_id == quiz_id)).all()
    unmarked = [r for r in rows if r.correct is None and r.given]
    if unmarked:
        raise ValidationError(
            f"{len(unmarked)} short answers are not marked yet.", f"还有{len(unmarked)}道简答题未评分。"
        )
    points = 100 / len(rows)
    for r in rows:
        r.points = points if r.correct else 0.0
        session.add(r)
    quiz.score = round(sum(r.points for r in rows), 1)
    _settle(session, quiz)
    return result(session, quiz_id)


def record_written(
    session: Session,
    *,
    inspection_id: str,
    person: Person,
    score: float,
    pass_mark: int = 80,
    examiner_id: str | None = None,
    paper_evidence_id: str | None = None,
    person_photo_evidence_id: str | None = None,
) -> QuizResult:
    """A quiz taken on paper: the inspector enters the score and attaches a photo of the paper.

    The photo of a failed paper is linked to the finding the failure makes: it is that finding's evidence."""
    inspection = _inspection(session, inspection_id)
    _check_photo(session, paper_evidence_id, inspection_id)
    _check_photo(session, person_photo_evidence_id, inspection_id)
    person = check_person(person)
    if not 0 <= score <= 100:
        raise ValidationError("The score must be 0–100.", "分数应在0到100之间。")
    now = clock.now()
    quiz = QuizSession(
        inspection_id=inspection_id,
        enterprise_id=inspection.enterprise_id,
        person_name=person.name,
        person_post=person.post,
        person_id_number=person.id_number,
        person_staff_no=person.staff_no,
        mode=QuizMode.WRITTEN,
        started_at=now,
        ended_at=now,
        score=round(score, 1),
        pass_mark=pass_mark,
        examiner_id=examiner_id,
        paper_evidence_id=paper_evidence_id,
        person_photo_evidence_id=person_photo_evidence_id,
    )
    session.add(quiz)
    session.flush()
    _settle(session, quiz)
    if quiz.finding_id is not None and paper_evidence_id is not None:
        link_evidence(session, evidence_id=paper_evidence_id, finding_id=quiz.finding_id)
    return result(session, quiz.id)


def _check_photo(session: Session, evidence_id: str | None, inspection_id: str) -> None:
    if evidence_id is None:
        return
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.inspection_id != inspection_id:
        raise ValidationError("The photo is not one of this inspection's.", "照片不属于本次检查。")


def _settle(session: Session, quiz: QuizSession) -> None:
    assert quiz.score is not None
    passed = quiz.score >= quiz.pass_mark
    quiz.status = QuizStatus.PASSED if passed else QuizStatus.FAILED
    if not passed and quiz.inspection_id is not None and quiz.finding_id is None:
        quiz.finding_id = _finding_for(session, quiz).id
    session.add(quiz)
    session.flush()


def _finding_for(session: Session, quiz: QuizSession) -> Finding:
    assert quiz.inspection_id is not None and quiz.score is not None
    inspection = _inspection(session, quiz.inspection_id)
    day = clock.to_local(inspection.started_at or clock.now()).date()
    if quiz.person_post in MANAGERS:
        what = "安全生产知识和管理能力"
        basis = "《中华人民共和国安全生产法》第二十七条第一款"
    else:
        what = "安全生产知识和岗位安全操作技能"
        basis = "《中华人民共和国安全生产法》第二十八条第一款"
    return add_finding(
        session,
        inspection_id=quiz.inspection_id,
        description=(
            f"{quiz.person_post}{quiz.person_name}{what}考核不合格（得分{quiz.score:g}分，合格分{quiz.pass_mark}分），"
            "未具备必要的安全生产知识。"
        ),
        grade=HazardGrade.GENERAL,
        basis=basis,
        measure=FindingMeasure.RECTIFY_BY_DEADLINE,
        deadline=day + timedelta(days=RECTIFY_DAYS),
        source="quiz",
    )


def result(session: Session, quiz_id: str) -> QuizResult:
    quiz = session.get(QuizSession, quiz_id)
    if quiz is None:
        raise ValidationError(f"No quiz {quiz_id}.", "找不到该次考试。")
    return QuizResult(
        quiz_id=quiz.id,
        person_name=quiz.person_name,
        person_post=quiz.person_post,
        score=quiz.score,
        pass_mark=quiz.pass_mark,
        status=quiz.status,
        questions=paper(session, quiz_id),
        finding_id=quiz.finding_id,
        person_photo_evidence_id=quiz.person_photo_evidence_id,
        paper_evidence_id=quiz.paper_evidence_id,
    )


@dataclass(frozen=True)
class QuizRow:
    id: str
    person_name: str
    person_post: str
    mode: str
    score: float | None
    pass_mark: int
    status: str
    finding_id: str | None = None


def quizzes_of(session: Session, inspection_id: str) -> list[QuizRow]:
    stmt = select(QuizSession).where(QuizSession.inspection_id == inspection_id).order_by(col(QuizSession.started_at))
    return [
        QuizRow(q.id, q.person_name, q.person_post, str(q.mode), q.score, q.pass_mark, str(q.status), q.finding_id)
        for q in session.exec(stmt)
    ]


def failed_people(session: Session, inspection_id: str) -> list[QuizRow]:
    """Who failed at an inspection: they are examined again at its 复查."""
    return [q for q in quizzes_of(session, inspection_id) if q.status == QuizStatus.FAILED.value]
