"""One question, as read from a bank file or a spreadsheet row, checked and normalised.

Answers are stored one way whatever the source wrote: choice questions as capital letters in order ("AC"),
判断 as "对" or "错", 简答 as the reference answer text. Office spreadsheets write them every which way —
"A、C", "ac", "Ａ，Ｃ", "√", "×", "正确", "错误", "T", "F" — and all of those are accepted here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from inspector.domain.enums import QuestionType

LETTERS = "ABCDEFGH"
MAX_OPTIONS = len(LETTERS)
TRUE_WORDS = {"对", "正确", "是", "√", "✓", "✔", "T", "TRUE", "Y", "YES", "1"}
FALSE_WORDS = {"错", "错误", "否", "×", "✗", "✘", "X", "F", "FALSE", "N", "NO", "0"}
TYPE_WORDS = {
    "判断": QuestionType.TRUE_FALSE,
    "判断题": QuestionType.TRUE_FALSE,
    "单选": QuestionType.SINGLE_CHOICE,
    "单选题": QuestionType.SINGLE_CHOICE,
    "单项选择": QuestionType.SINGLE_CHOICE,
    "单项选择题": QuestionType.SINGLE_CHOICE,
    "多选": QuestionType.MULTIPLE_CHOICE,
    "多选题": QuestionType.MULTIPLE_CHOICE,
    "多项选择": QuestionType.MULTIPLE_CHOICE,
    "多项选择题": QuestionType.MULTIPLE_CHOICE,
    "简答": QuestionType.SHORT_ANSWER,
    "简答题": QuestionType.SHORT_ANSWER,
    "问答": QuestionType.SHORT_ANSWER,
    "问答题": QuestionType.SHORT_ANSWER,
}
DIFFICULTY_WORDS = {"易": 1, "容易": 1, "简单": 1, "中": 2, "中等": 2, "一般": 2, "难": 3, "困难": 3, "较难": 3}


class QuestionError(ValueError):
    """What is wrong with one question, in Chinese (shown per row/item to the clerk who made the file)."""


@dataclass(frozen=True)
class QuestionDef:
    qtype: QuestionType
    stem: str
    options: tuple[str, ...]
    answer: str
    posts: tuple[str, ...]
    explanation: str = ""
    basis: str = ""
    difficulty: int = 2
    industry: str = ""
    code: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def fingerprint(self) -> str:
        """Same type, stem and options (whatever their spacing or width) = the same question."""
        key = "\x1f".join([self.qtype.value, squash(self.stem), *(squash(o) for o in self.options)])
        return hashlib.sha256(key.encode("utf-8")).hexdigest()


def fold(text: str) -> str:
    """Full-width letters, digits and punctuation to half-width (Ａ，→ A,), spaces trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", fold(text)).lower()


def parse_type(raw: str) -> QuestionType:
    word = fold(raw).replace(" ", "")
    if word in TYPE_WORDS:
        return TYPE_WORDS[word]
    raise QuestionError(f"题型“{raw}”无法识别，应为：判断、单选、多选或简答")


def parse_difficulty(raw: object) -> int:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 2
    if isinstance(raw, bool):
        raise QuestionError("难度应为 1、2、3 或 易、中、难")
    if isinstance(raw, int | float) and float(raw).is_integer() and 1 <= int(raw) <= 3:
        return int(raw)
    word = fold(str(raw))
    if word in DIFFICULTY_WORDS:
        return DIFFICULTY_WORDS[word]
    if word.isascii() and word.isdecimal() and 1 <= int(word) <= 3:
        return int(word)
    raise QuestionError(f"难度“{raw}”应为 1、2、3 或 易、中、难")


def parse_posts(raw: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    items = list(raw) if isinstance(raw, list | tuple) else re.split(r"[、,，;；/|\n]+", fold(raw))
    posts = tuple(dict.fromkeys(p.strip() for p in items if p and p.strip()))
    if not posts:
        raise QuestionError("适用岗位不能为空（如：主要负责人、安全管理人员、瓦斯检查工）")
    return posts


def parse_answer(qtype: QuestionType, raw: object, option_count: int) -> str:
    if qtype is QuestionType.SHORT_ANSWER:
        reference = "" if raw is None else str(raw).strip()  # prose: keeps its own punctuation
        if not reference:
            raise QuestionError("简答题须填写参考答案")
        return reference
    text = fold("" if raw is None else str(raw))
    if not text:
        raise QuestionError("答案不能为空")
    if qtype is QuestionType.TRUE_FALSE:
        word = text.upper().rstrip("。.")
        if word in TRUE_WORDS:
            return "对"
        if word in FALSE_WORDS:
            return "错"
        raise QuestionError(f"判断题答案“{raw}”应为 对/错、√/×、正确/错误")
    letters = re.sub(r"[\s、,，;；/.。|和及]+", "", text).upper()
    if not letters or not all(ch in LETTERS for ch in letters):
        raise QuestionError(f"选择题答案“{raw}”应为选项字母，如 A 或 ABD")
    chosen = "".join(sorted(set(letters)))
    if any(LETTERS.index(ch) >= option_count for ch in chosen):
        raise QuestionError(f"答案“{raw}”不在选项之中（共{option_count}个选项）")
    if qtype is QuestionType.SINGLE_CHOICE and len(chosen) != 1:
        raise QuestionError(f"单选题只能有一个答案，而“{raw}”有{len(chosen)}个")
    if qtype is QuestionType.MULTIPLE_CHOICE and len(chosen) < 2:
        raise QuestionError(f"多选题答案应至少有两个选项，而“{raw}”只有一个")
    return chosen


def make_question(
    *,
    qtype: str | QuestionType,
    stem: str,
    options: list[str] | tuple[str, ...],
    answer: object,
    posts: str | list[str] | tuple[str, ...],
    explanation: str = "",
    basis: str = "",
    difficulty: object = None,
    industry: str = "",
    code: str = "",
) -> QuestionDef:
    """Check and normalise one question; raise QuestionError with every problem joined."""
    problems: list[str] = []
    kind: QuestionType | None = None
    try:
        kind = qtype if isinstance(qtype, QuestionType) else parse_type(qtype)
    except QuestionError as exc:
        problems.append(str(exc))
    # Texts keep their own (full-width Chinese) punctuation; only codes and answers are folded.
    stem = (stem or "").strip()
    if not stem:
        problems.append("题干不能为空")
    elif len(stem) > 1000:
        problems.append("题干超过1000字")
    opts = tuple(str(o).strip() for o in options if o is not None and str(o).strip())
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        if len(opts) < 2:
            problems.append("选择题至少需要两个选项")
        elif len(opts) > MAX_OPTIONS:
            problems.append(f"选项不能超过{MAX_OPTIONS}个")
        elif len({squash(o) for o in opts}) != len(opts):
            problems.append("选项有重复")
    elif kind is not None and opts:
        problems.append(f"{kind.value}题不应有选项")
    parsed_posts: tuple[str, ...] = ()
    try:
        parsed_posts = parse_posts(posts)
    except QuestionError as exc:
        problems.append(str(exc))
    level = 2
    try:
        level = parse_difficulty(difficulty)
    except QuestionError as exc:
        problems.append(str(exc))
    chosen = ""
    if kind is not None:
        try:
            chosen = parse_answer(kind, answer, len(opts))
        except QuestionError as exc:
            problems.append(str(exc))
    if problems:
        raise QuestionError("；".join(problems))
    assert kind is not None
    return QuestionDef(
        qtype=kind,
        stem=stem,
        options=opts,
        answer=chosen,
        posts=parsed_posts,
        explanation=(explanation or "").strip(),
        basis=(basis or "").strip(),
        difficulty=level,
        industry=fold(industry),
        code=code,
    )
