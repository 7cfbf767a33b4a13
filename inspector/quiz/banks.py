"""Question bank files (TOML, resources/question_banks/): format and validation.

    [bank]
    code = "coal-gas-inspector"        # a-z, 0-9 and "-"
    revision = 1                        # bump on every change
    title = "煤矿瓦斯检查工应知应会题库"
    industry = "煤矿"                   # an Industry value, or "通用" for every industry
    pass_mark = 80                      # of 100
    sources = ["《中华人民共和国安全生产法》", "《煤矿安全规程》"]

    [[questions]]
    code = "coal-gas-001"               # unique within the bank
    type = "单选"                        # 判断 / 单选 / 多选 / 简答
    posts = ["瓦斯检查工"]                # 岗位 the question is for
    stem = "…"
    options = ["…", "…", "…", "…"]       # choices only, at most 8, lettered A, B, C …
    answer = "B"                         # letters ("ACD"), 对/错, or the reference answer of a 简答
    explanation = "…"                    # taught on the spot after the quiz (our wording)
    basis = "《…》第X条"                   # the clause the question tests
    difficulty = 2                       # 1 easy, 2 medium, 3 hard
    unconfirmed = false                  # true when the clause was not checked against an official text
    note = ""                            # where an unconfirmed clause came from

Every problem is reported with the file, the line and the question code.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.domain.enums import Industry
from inspector.quiz.questions import QuestionDef, QuestionError, make_question
from inspector.resources import resource_path
from inspector.tomlfiles import DataFileError, LineFinder, Problem, ProblemsError, loads, read_text

GENERAL_INDUSTRY = "通用"
CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_BANK_KEYS = {"code", "revision", "title", "industry", "pass_mark", "sources"}
_QUESTION_KEYS = {
    "code",
    "type",
    "posts",
    "stem",
    "options",
    "answer",
    "explanation",
    "basis",
    "difficulty",
    "unconfirmed",
    "note",
}


BankProblem = Problem


class BankFileError(ProblemsError):
    code = "bank_file"
    kind_en = "question bank file"
    kind_zh = "题库文件"


@dataclass(frozen=True)
class BankDef:
    code: str
    revision: int
    title: str
    industry: str
    pass_mark: int
    sources: tuple[str, ...]
    questions: tuple[QuestionDef, ...]
    unconfirmed_codes: frozenset[str] = frozenset()
    sha256: str = ""


def parse_bank_text(text: str, *, name: str = "<text>") -> BankDef:
    try:
        data: dict[str, Any] = loads(text)
    except DataFileError as exc:
        raise BankFileError([BankProblem(name, exc.line, "", exc.reason)]) from exc
    problems: list[BankProblem] = []
    lines = LineFinder(text)

    def add(where: str, reason: str, line: int | None = None) -> None:
        problems.append(BankProblem(name, line, where, reason))

    head = data.get("bank")
    if not isinstance(head, dict):
        raise BankFileError([BankProblem(name, None, "[bank]", "the [bank] table is missing")])
    for key in sorted(set(data) - {"bank", "questions"}):
        add("top level", f"unknown key {key!r}")
    for key in sorted(set(head) - _BANK_KEYS):
        add("[bank]", f"unknown key {key!r} (allowed: {', '.join(sorted(_BANK_KEYS))})")
    code = head.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        add("[bank]", "code must hold only a-z, 0-9 and single hyphens")
        code = ""
    revision = head.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool) or not 1 <= revision <= 1_000_000:
        add("[bank]", "revision must be a whole number from 1 to 1000000")
        revision = 0
    title = head.get("title")
    if not isinstance(title, str) or not title.strip():
        add("[bank]", "title is missing")
        title = ""
    industry = head.get("industry")
    known = {i.value for i in Industry} | {GENERAL_INDUSTRY}
    if industry not in known:
        add("[bank]", f"industry {industry!r} is not one of: {', '.join(sorted(known))}")
        industry = ""
    pass_mark = head.get("pass_mark", 80)
    if not isinstance(pass_mark, int) or isinstance(pass_mark, bool) or not 1 <= pass_mark <= 100:
        add("[bank]", "pass_mark must be a whole number from 1 to 100")
        pass_mark = 80
    sources = head.get("sources", [])
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and s.strip() for s in sources):
        add("[bank]", "sources must be a non-empty list of the laws and standards the questions test")
        sources = []

    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        add("[[questions]]", "a bank needs at least one question")
        raw_questions = []
    questions: list[QuestionDef] = []
    unconfirmed: set[str] = set()
    codes: set[str] = set()
    fingerprints: dict[str, str] = {}
    for index, raw in enumerate(raw_questions, start=1):
        if not isinstance(raw, dict):
            add(f"question {index}", "must be a table")
            continue
        q_code = raw.get("code")
        line = lines.next_line(q_code) if isinstance(q_code, str) else None
        where = f"question {q_code}" if isinstance(q_code, str) and q_code else f"question {index}"
        if not isinstance(q_code, str) or not CODE_PATTERN.match(q_code):
            add(where, "code must hold only a-z, 0-9 and single hyphens", line)
            q_code = ""
        elif q_code in codes:
            add(where, "question code used twice", line)
        codes.add(q_code)
        for key in sorted(set(raw) - _QUESTION_KEYS):
            add(where, f"unknown key {key!r} (allowed: {', '.join(sorted(_QUESTION_KEYS))})", line)
        flag = raw.get("unconfirmed", False)
        note = raw.get("note", "")
        if not isinstance(flag, bool):
            add(where, "unconfirmed must be true or false", line)
            flag = False
        if flag and not (isinstance(note, str) and note.strip()):
            add(where, "an unconfirmed question must say in note where its clause came from", line)
        basis = raw.get("basis", "")
        if not isinstance(basis, str) or "《" not in basis:
            add(where, "basis must name the law or standard in 《》 with its article", line)
        options = raw.get("options", [])
        posts = raw.get("posts", [])
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            add(where, "options must be a list of texts", line)
            options = []
        if not isinstance(posts, list) or not all(isinstance(p, str) for p in posts):
            add(where, "posts must be a list of texts", line)
            posts = []
        try:
            question = make_question(
                qtype=str(raw.get("type", "")),
                stem=str(raw.get("stem", "")),
                options=options,
                answer=raw.get("answer"),
                posts=posts,
                explanation=str(raw.get("explanation", "")),
                basis=str(basis),
                difficulty=raw.get("difficulty"),
                industry=str(industry),
                code=q_code,
            )
        except QuestionError as exc:
            add(where, str(exc), line)
            continue
        twin = fingerprints.get(question.fingerprint)
        if twin is not None:
            add(where, f"the same question as {twin}", line)
        fingerprints[question.fingerprint] = q_code
        if flag:
            unconfirmed.add(q_code)
        questions.append(question)
    if problems:
        raise BankFileError(problems)
    return BankDef(
        code=str(code),
        revision=int(revision),
        title=str(title).strip(),
        industry=str(industry),
        pass_mark=int(pass_mark),
        sources=tuple(s.strip() for s in sources),
        questions=tuple(questions),
        unconfirmed_codes=frozenset(unconfirmed),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def parse_bank_file(path: Path) -> BankDef:
    try:
        text = read_text(path)
    except DataFileError as exc:
        name = path.name if exc.line is not None else str(path)
        raise BankFileError([BankProblem(name, exc.line, "", exc.reason)]) from exc
    return parse_bank_text(text, name=path.name)


def builtin_bank_paths() -> list[Path]:
    return sorted(resource_path("question_banks").glob("*.toml"))
