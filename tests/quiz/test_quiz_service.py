"""The on-site quiz: drawing a paper, answering with shuffled options, scoring, a fail becoming a finding."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from inspector.domain.enums import QuestionType, QuizMode, QuizStatus
from inspector.errors import TransitionError, ValidationError
from inspector.evidence.samples import sample_photo
from inspector.evidence.service import add_photo
from inspector.inspections.service import start_inspection
from inspector.quiz import service as quiz
from inspector.quiz.bank_service import import_bank_def
from inspector.quiz.banks import parse_bank_text
from inspector.store.db import Store
from inspector.store.models import EvidenceLink, Finding, Question, QuizAnswer, QuizSession
from tests.conftest import Basics

VALID_ID = "11010519491231002X"
BASIS = 'basis = "《中华人民共和国安全生产法》第五条"\n'


def _bank(industry: str, code: str, n: int, post: str) -> str:
    parts = [
        f'[bank]\ncode = "{code}"\nrevision = 1\ntitle = "{code}"\nindustry = "{industry}"\npass_mark = 80\n'
        'sources = ["《中华人民共和国安全生产法》"]\n'
    ]
    for i in range(n):
        parts.append(
            f'[[questions]]\ncode = "{code}-j{i}"\ntype = "判断"\nposts = ["{post}", "安全管理人员"]\n'
            f'stem = "{code}判断题{i}"\nanswer = "{"对" if i % 2 else "错"}"\n' + BASIS
        )
        parts.append(
            f'[[questions]]\ncode = "{code}-d{i}"\ntype = "单选"\nposts = ["{post}"]\nstem = "{code}单选题{i}"\n'
            f'options = ["甲{i}", "乙{i}", "丙{i}", "丁{i}"]\nanswer = "B"\n' + BASIS
        )
        parts.append(
            f'[[questions]]\ncode = "{code}-m{i}"\ntype = "多选"\nposts = ["{post}"]\nstem = "{code}多选题{i}"\n'
            f'options = ["子{i}", "丑{i}", "寅{i}", "卯{i}"]\nanswer = "AC"\n' + BASIS
        )
    return "\n".join(parts)


@pytest.fixture
def on_site(store: Store, basics: Basics) -> str:
    with store.session() as session:
        import_bank_def(session, parse_bank_text(_bank("煤矿", "coalq", 12, "主要负责人")))
        import_bank_def(session, parse_bank_text(_bank("通用", "genq", 6, "主要负责人")))
        import_bank_def(session, parse_bank_text(_bank("危险化学品", "chemq", 6, "主要负责人")))
        inspection = start_inspection(
            session,
            enterprise_id=basics.mine_id,
            inspector_ids=basics.inspector_ids[:2],
            started_at=datetime(2024, 5, 6, 1, 30, tzinfo=UTC),
        )
        return inspection.id


BOSS = quiz.Person(name="李矿长", post="主要负责人", id_number=VALID_ID)


def test_paper_mix_comes_from_the_industry_and_general_banks_for_the_post(store: Store, on_site: str) -> None:
    with store.session() as session:
        q = quiz.start_quiz(session, inspection_id=on_site, person=BOSS, seed="s1")
        paper = quiz.paper(session, q.id)
    kinds = [p.qtype for p in paper]
    assert kinds.count(QuestionType.TRUE_FALSE) == 4
    assert kinds.count(QuestionType.SINGLE_CHOICE) == 4
    assert kinds.count(QuestionType.MULTIPLE_CHOICE) == 2
    assert all(not p.stem.startswith("chemq") for p in paper)  # a coal mine gets no 危化 questions
    assert q.seed == "s1" and q.draw_params["post"] == "主要负责人" and q.pass_mark == 80


def test_same_seed_same_paper_and_options_are_shuffled(store: Store, on_site: str) -> None:
    other = quiz.Person(name="王五", post="主要负责人", staff_no="A-17")
    with store.session() as session:
        first = quiz.paper(session, quiz.start_quiz(session, inspection_id=on_site, person=BOSS, seed="same").id)
        second = quiz.paper(session, quiz.start_quiz(session, inspection_id=on_site, person=other, seed="same").id)
    assert [p.question_id for p in first] == [p.question_id for p in second]
    choices = [p for p in first if p.qtype is QuestionType.SINGLE_CHOICE]
    # The right answer ("乙…") moves with the shuffle, and the shown letter follows it.
    for p in choices:
        assert p.options[ord(p.answer) - ord("A")].startswith("乙")
    assert {p.answer for p in choices} != {"B"} or len(choices) < 3


def test_recent_questions_are_not_drawn_again_for_the_same_person(store: Store, on_site: str) -> None:
    with store.session() as session:
        first = {
            p.question_id for p in quiz.paper(session, quiz.start_quiz(session, inspection_id=on_site, person=BOSS).id)
        }
        second = {
            p.question_id for p in quiz.paper(session, quiz.start_quiz(session, inspection_id=on_site, person=BOSS).id)
        }
    assert not first & second


def test_answers_score_and_a_fail_becomes_a_finding(store: Store, on_site: str) -> None:
    with store.session() as session:
        q = quiz.start_quiz(session, inspection_id=on_site, person=BOSS, seed="fail")
        paper = quiz.paper(session, q.id)
        for p in paper[:5]:
            quiz.answer(session, quiz_id=q.id, position=p.position, given=p.answer)
        for p in paper[5:8]:
            wrong = "对" if p.answer == "错" else ("错" if p.answer == "对" else ("A" if p.answer != "A" else "B"))
            quiz.answer(session, quiz_id=q.id, position=p.position, given=wrong)
        result = quiz.finish_quiz(session, quiz_id=q.id)  # the last two are unanswered: wrong
    assert result.score == 50.0 and result.status is QuizStatus.FAILED
    assert len(result.wrong) == 5
    with store.session() as session:
        finding = session.get(Finding, result.finding_id)
        assert finding is not None and finding.source == "quiz"
        assert "主要负责人李矿长安全生产知识和管理能力考核不合格（得分50分，合格分80分）" in finding.description
        assert finding.basis == "《中华人民共和国安全生产法》第二十七条第一款"
        assert finding.deadline is not None
    with pytest.raises(TransitionError), store.session() as session:
        quiz.answer(session, quiz_id=q.id, position=0, given="对")


def test_full_marks_pass_without_a_finding(store: Store, on_site: str) -> None:
    with store.session() as session:
        q = quiz.start_quiz(session, inspection_id=on_site, person=BOSS, mix={QuestionType.MULTIPLE_CHOICE: 3})
        for p in quiz.paper(session, q.id):
            # Answers in office notations all count: "A、C" style for the shuffled letters.
            quiz.answer(session, quiz_id=q.id, position=p.position, given="、".join(p.answer).lower())
        result = quiz.finish_quiz(session, quiz_id=q.id)
    assert result.score == 100.0 and result.status is QuizStatus.PASSED and result.finding_id is None


def test_bad_answers_and_people_are_refused(store: Store, on_site: str) -> None:
    with pytest.raises(ValidationError) as err, store.session() as session:
        quiz.start_quiz(
            session, inspection_id=on_site, person=quiz.Person("张三", "主要负责人", id_number="110105194912310021")
        )
    assert "身份证" in err.value.message_zh
    with pytest.raises(ValidationError), store.session() as session:
        quiz.start_quiz(session, inspection_id=on_site, person=quiz.Person("张三", "主要负责人"))
    with pytest.raises(ValidationError) as err, store.session() as session:
        quiz.start_quiz(session, inspection_id=on_site, person=quiz.Person("张三", "烟花爆竹仓库保管员", staff_no="1"))
    assert "没有适用于" in err.value.message_zh
    with store.session() as session:
        q = quiz.start_quiz(session, inspection_id=on_site, person=BOSS, mix={QuestionType.SINGLE_CHOICE: 1})
        with pytest.raises(ValidationError):
            quiz.answer(session, quiz_id=q.id, position=0, given="E")
        with pytest.raises(ValidationError):
            quiz.answer(session, quiz_id=q.id, position=7, given="A")


def test_written_paper_score_and_the_review_list(store: Store, on_site: str) -> None:
    worker = quiz.Person(name="赵六", post="瓦斯检查工", staff_no="W-08")
    with store.session() as session:
        failed = quiz.record_written(session, inspection_id=on_site, person=worker, score=62)
        passed = quiz.record_written(session, inspection_id=on_site, person=BOSS, score=90)
        assert failed.status is QuizStatus.FAILED and passed.status is QuizStatus.PASSED
        finding = session.get(Finding, failed.finding_id)
        assert finding is not None and finding.basis == "《中华人民共和国安全生产法》第二十八条第一款"
        assert [r.person_name for r in quiz.failed_people(session, on_site)] == ["赵六"]
        rows = session.exec(select(QuizSession).where(QuizSession.mode == QuizMode.WRITTEN)).all()
        assert len(rows) == 2
        assert session.exec(select(QuizAnswer)).all() == []
    with pytest.raises(ValidationError), store.session() as session:
        quiz.record_written(session, inspection_id=on_site, person=worker, score=101)


def test_quiz_photos_must_be_of_the_inspection_and_a_failed_paper_proves_its_finding(
    store: Store, on_site: str, basics: Basics
) -> None:
    worker = quiz.Person(name="赵六", post="瓦斯检查工", staff_no="W-08")
    with store.session() as session:
        paper = add_photo(session, store, on_site, sample_photo(size=(400, 560), seed=1), name="paper.jpg")
        face = add_photo(session, store, on_site, sample_photo(size=(300, 400), seed=2), name="face.jpg")
        other = start_inspection(session, enterprise_id=basics.mine_id, inspector_ids=basics.inspector_ids[:2])
        stranger = add_photo(session, store, other.id, sample_photo(size=(300, 400), seed=3), name="x.jpg")
    with pytest.raises(ValidationError) as err, store.session() as session:
        quiz.record_written(session, inspection_id=on_site, person=worker, score=60, paper_evidence_id=stranger.id)
    assert "照片不属于本次检查" in err.value.message_zh
    with store.session() as session:
        failed = quiz.record_written(
            session,
            inspection_id=on_site,
            person=worker,
            score=60,
            paper_evidence_id=paper.id,
            person_photo_evidence_id=face.id,
        )
        assert failed.paper_evidence_id == paper.id and failed.person_photo_evidence_id == face.id
        links = session.exec(select(EvidenceLink).where(EvidenceLink.evidence_id == paper.id)).all()
        assert [link.finding_id for link in links] == [failed.finding_id]
        started = quiz.start_quiz(session, inspection_id=on_site, person=BOSS, person_photo_evidence_id=face.id)
        assert started.person_photo_evidence_id == face.id


@pytest.mark.parametrize(
    ("wanted", "weights", "expected"),
    [
        (10, None, [([1, 2, 3], 10)]),
        (10, {1: 0.3, 2: 0.5, 3: 0.2}, [([1], 3), ([2], 5), ([3], 2)]),
        (4, {1: 0.3, 2: 0.5, 3: 0.2}, [([1], 1), ([2], 2), ([3], 1)]),
        (1, {1: 0.1, 2: 0.4, 3: 0.5}, [([3], 1)]),
    ],
)
def test_split_by_difficulty(
    wanted: int, weights: dict[int, float] | None, expected: list[tuple[list[int], int]]
) -> None:
    assert quiz.split_by_difficulty(wanted, weights) == expected
    assert sum(n for _levels, n in quiz.split_by_difficulty(wanted, weights)) == wanted


def test_difficulty_mix_is_followed_and_made_up_when_short(store: Store, basics: Basics) -> None:
    parts = _bank("煤矿", "lv", 12, "主要负责人").split('type = "判断"')
    # Half of the 判断 questions hard (3), half easy (1); no 判断 of medium difficulty (2).
    text = parts[0] + "".join(
        f'type = "判断"\ndifficulty = {3 if n % 2 else 1}' + part for n, part in enumerate(parts[1:])
    )
    with store.session() as session:
        import_bank_def(session, parse_bank_text(text))
        inspection = start_inspection(session, enterprise_id=basics.mine_id, inspector_ids=basics.inspector_ids[:2])
        levels = {q.id: q.difficulty for q in session.exec(select(Question))}
        hard = quiz.start_quiz(
            session, inspection_id=inspection.id, person=BOSS, mix={QuestionType.TRUE_FALSE: 5}, difficulty={3: 1.0}
        )
        assert {levels[p.question_id] for p in quiz.paper(session, hard.id)} == {3}
        assert hard.draw_params["difficulty"] == {"3": 1.0}
        # Medium 判断 questions were asked for, and there are none: made up from the other levels.
        medium = quiz.start_quiz(
            session,
            inspection_id=inspection.id,
            person=quiz.Person("王五", "主要负责人", staff_no="9"),
            mix={QuestionType.TRUE_FALSE: 4},
            difficulty={2: 1.0},
        )
        assert len(quiz.paper(session, medium.id)) == 4


def test_known_posts_come_from_the_current_banks(store: Store, on_site: str) -> None:
    with store.session() as session:
        posts = quiz.known_posts(session)
    assert posts == ["主要负责人", "安全管理人员"]  # every generated question has the first, one third the second
