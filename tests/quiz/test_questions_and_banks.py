"""Question checking (answer notations offices use), bank files, and the shipped banks."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from inspector.domain.enums import QuestionType
from inspector.errors import ValidationError
from inspector.quiz.bank_service import add_questions, create_bank, import_bank_def, install_builtin_banks
from inspector.quiz.banks import BankFileError, builtin_bank_paths, parse_bank_file, parse_bank_text
from inspector.quiz.questions import QuestionError, make_question, parse_answer
from inspector.store.db import Store
from inspector.store.models import Question, QuestionBank

SINGLE, MULTI, TF = QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE


@pytest.mark.parametrize(
    ("qtype", "raw", "expected"),
    [
        (MULTI, "AB", "AB"),
        (MULTI, "A、B", "AB"),
        (MULTI, "Ａ，Ｃ", "AC"),
        (MULTI, "c a", "AC"),
        (MULTI, "B;D", "BD"),
        (SINGLE, "ｂ", "B"),
        (SINGLE, " C。", "C"),
        (TF, "对", "对"),
        (TF, "√", "对"),
        (TF, "正确", "对"),
        (TF, "T", "对"),
        (TF, "错", "错"),
        (TF, "×", "错"),
        (TF, "错误", "错"),
        (TF, "F", "错"),
    ],
)
def test_answer_notations(qtype: QuestionType, raw: str, expected: str) -> None:
    assert parse_answer(qtype, raw, 4) == expected


@pytest.mark.parametrize(
    ("qtype", "raw", "reason"),
    [
        (SINGLE, "E", "不在选项之中"),
        (SINGLE, "AB", "只能有一个答案"),
        (MULTI, "A", "至少有两个"),
        (TF, "也许", "判断题答案"),
        (SINGLE, "", "答案不能为空"),
        (SINGLE, "甲", "应为选项字母"),
    ],
)
def test_bad_answers_say_why_in_chinese(qtype: QuestionType, raw: str, reason: str) -> None:
    with pytest.raises(QuestionError, match=reason):
        parse_answer(qtype, raw, 4)


def test_make_question_keeps_chinese_punctuation_and_reports_every_problem() -> None:
    q = make_question(
        qtype="单项选择题",
        stem="生产经营单位的主要负责人，是本单位安全生产的（　）。",
        options=["第一责任人", "直接责任人", " "],
        answer="Ａ",
        posts="主要负责人、安全管理人员",
        difficulty="易",
    )
    assert q.qtype is SINGLE and q.answer == "A" and q.difficulty == 1
    assert "，" in q.stem and q.options == ("第一责任人", "直接责任人")
    assert q.posts == ("主要负责人", "安全管理人员")
    with pytest.raises(QuestionError) as err:
        make_question(qtype="填空", stem="", options=[], answer="", posts="", difficulty=7)
    message = str(err.value)
    for part in ("题型", "题干", "岗位", "难度"):
        assert part in message


def test_fingerprint_ignores_width_and_spacing() -> None:
    a = make_question(qtype="单选", stem="题 目", options=["甲", "乙"], answer="A", posts="主要负责人")
    b = make_question(qtype="单选", stem="题目", options=["甲 ", "乙"], answer="B", posts="安全管理人员")
    assert a.fingerprint == b.fingerprint


@settings(max_examples=200, deadline=None)
@given(
    qtype=st.sampled_from(["判断", "单选", "多选", "简答", "x"]),
    stem=st.text(max_size=30),
    options=st.lists(st.text(max_size=8), max_size=9),
    answer=st.one_of(st.none(), st.text(max_size=6), st.integers()),
    posts=st.text(max_size=12),
    difficulty=st.one_of(st.none(), st.integers(), st.text(max_size=3), st.floats(allow_nan=True)),
)
def test_any_row_is_a_question_or_a_question_error(
    qtype: str, stem: str, options: list[str], answer: object, posts: str, difficulty: object
) -> None:
    with contextlib.suppress(QuestionError):
        make_question(qtype=qtype, stem=stem, options=options, answer=answer, posts=posts, difficulty=difficulty)


BANK = """
[bank]
code = "t"
revision = 1
title = "测试题库"
industry = "煤矿"
sources = ["《中华人民共和国安全生产法》"]

[[questions]]
code = "t-1"
type = "判断"
posts = ["主要负责人"]
stem = "题一"
answer = "对"
basis = "《中华人民共和国安全生产法》第五条"

[[questions]]
code = "t-2"
type = "单选"
posts = ["主要负责人"]
stem = "题二"
options = ["甲", "乙"]
answer = "C"
basis = "安全生产法"
colour = "red"

[[questions]]
code = "t-1"
type = "判断"
posts = ["主要负责人"]
stem = "题一"
answer = "错"
basis = "《中华人民共和国安全生产法》第五条"
"""


def test_bank_file_problems_have_lines_and_codes() -> None:
    with pytest.raises(BankFileError) as err:
        parse_bank_text(BANK, name="t.toml")
    problems = {(p.line, p.where, p.reason.split("（")[0]) for p in err.value.problems}
    assert (18, "question t-2", "basis must name the law or standard in 《》 with its article") in problems
    assert any(p.line == 18 and "unknown key 'colour'" in p.reason for p in err.value.problems)
    assert any(p.line == 18 and "不在选项之中" in p.reason for p in err.value.problems)
    assert any(p.line == 28 and p.reason == "question code used twice" for p in err.value.problems)
    assert any(p.line == 28 and "the same question as t-1" in p.reason for p in err.value.problems)


def test_import_is_idempotent_and_a_changed_revision_is_refused(store: Store) -> None:
    good = BANK.split('[[questions]]\ncode = "t-2"', maxsplit=1)[0]
    with store.session() as session:
        first = import_bank_def(session, parse_bank_text(good))
        again = import_bank_def(session, parse_bank_text(good))
    assert first.created and not again.created and first.bank_id == again.bank_id
    with pytest.raises(ValidationError) as err, store.session() as session:
        import_bank_def(session, parse_bank_text(good.replace("题一", "题一改")))
    assert "版本号" in err.value.message_zh
    with store.session() as session:
        newer = import_bank_def(
            session, parse_bank_text(good.replace("题一", "题一改").replace("revision = 1", "revision = 2"))
        )
        banks = session.exec(select(QuestionBank).where(QuestionBank.code == "t")).all()
    assert {(b.revision, b.is_current) for b in banks} == {(1, False), (2, True)} and newer.created


def test_spreadsheet_questions_are_added_once(store: Store) -> None:
    q = make_question(qtype="判断", stem="题", options=[], answer="对", posts="主要负责人")
    with store.session() as session:
        bank = create_bank(session, code="office", title="本局题库", industry="通用")
        first = add_questions(session, bank_id=bank.id, questions=[q, q])
        second = add_questions(session, bank_id=bank.id, questions=[q])
        assert (first.added, first.skipped_duplicates, second.added, second.skipped_duplicates) == (1, 1, 0, 1)
        with pytest.raises(ValidationError):
            create_bank(session, code="office", title="x", industry="通用")


def test_every_shipped_bank_validates_and_installs(store: Store) -> None:
    banks = [parse_bank_file(p) for p in builtin_bank_paths()]
    with store.session() as session:
        results = install_builtin_banks(session)
        assert len(results) == len(banks) and all(r.created for r in results)
        assert install_builtin_banks(session) == [r.__class__(r.bank_id, r.code, 0, 0, False) for r in results]
        stored = session.exec(select(Question)).all()
    assert len(stored) == sum(len(b.questions) for b in banks)
    for bank in banks:
        for q in bank.questions:
            assert q.basis.startswith("《") and q.explanation, q.code


def test_post_index_follows_every_way_questions_are_written(store: Store) -> None:
    from sqlalchemy import text

    q = make_question(qtype="判断", stem="题", options=[], answer="对", posts="主要负责人、安全管理人员")
    with store.session() as session:
        bank = create_bank(session, code="office", title="本局题库", industry="通用")
        add_questions(session, bank_id=bank.id, questions=[q])  # the bulk path
        session.add(Question(bank_id=bank.id, qtype=TF, posts=["爆破工"], stem="另一题", answer="错"))  # the ORM path
        session.flush()
        rows = session.connection().execute(text("SELECT post, qtype FROM question_post ORDER BY post")).all()
        assert [tuple(r) for r in rows] == [("主要负责人", "判断"), ("安全管理人员", "判断"), ("爆破工", "判断")]
        orm_question = session.exec(select(Question).where(Question.stem == "另一题")).one()
        orm_question.posts = ["瓦斯检查工"]
        session.add(orm_question)
        session.flush()
        session.delete(session.exec(select(Question).where(Question.stem == "题")).one())
        session.flush()
        rows = session.connection().execute(text("SELECT post FROM question_post")).all()
        assert [r[0] for r in rows] == ["瓦斯检查工"]
