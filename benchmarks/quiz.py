"""Quiz speed: drawing a paper from a 50,000-question bank, and importing a 10,000-row spreadsheet.

    python benchmarks/quiz.py [--questions 50000] [--rows 10000] [--runs 15]

Goals from the issue: draw ≤ 50 ms, import of 10,000 rows ≤ 5 s.
"""

from __future__ import annotations

import argparse
import resource  # POSIX only: benchmarks run on the Linux CI machines
import statistics
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from inspector.demo.seed import seed_demo
from inspector.domain.enums import QuestionType
from inspector.inspections.service import start_inspection
from inspector.quiz import service as quiz
from inspector.quiz.bank_service import add_questions, create_bank
from inspector.quiz.questions import make_question
from inspector.quiz.spreadsheet import read_question_rows
from inspector.registry.service import active_inspectors, search_enterprises
from inspector.store.db import Store, open_store

POSTS = ["主要负责人", "安全管理人员", "瓦斯检查工", "采煤机司机", "井下电钳工", "爆破工"]


def big_bank(store: Store, n: int) -> None:
    questions = []
    for i in range(n):
        kind = (QuestionType.TRUE_FALSE, QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)[i % 3]
        options = [] if kind is QuestionType.TRUE_FALSE else [f"选项{i}-{k}" for k in range(4)]
        answer = {"判断": "对", "单选": "B", "多选": "AC"}[kind.value]
        questions.append(
            make_question(
                qtype=kind,
                stem=f"第{i}题：煤矿井下作业场所的安全要求之{i}",
                options=options,
                answer=answer,
                posts=[POSTS[i % len(POSTS)], POSTS[(i + 1) % len(POSTS)]],
                basis="《中华人民共和国安全生产法》第二十八条",
                difficulty=1 + i % 3,
            )
        )
    with store.session() as session:
        bank = create_bank(session, code="bench", title="基准题库", industry="煤矿")
        add_questions(session, bank_id=bank.id, questions=questions)


def bench_draw(store: Store, runs: int, total: int) -> None:
    with store.session() as session:
        mine = next(e for e in search_enterprises(session) if e.industry == "煤矿")
        people = [i.id for i in active_inspectors(session)][:2]
        inspection_id = start_inspection(session, enterprise_id=mine.id, inspector_ids=people).id
    times = []
    for n in range(runs + 1):
        person = quiz.Person(name=f"受考人{n}", post="瓦斯检查工", staff_no=f"W{n:04d}")
        started = time.perf_counter()
        with store.session() as session:
            quiz.start_quiz(session, inspection_id=inspection_id, person=person)
        if n:  # the first warms the caches
            times.append((time.perf_counter() - started) * 1000)
    print(
        f"draw a 10-question paper for 瓦斯检查工 (pool of the post within {total:,} questions), "
        f"paper stored: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
    )


def bench_import(store: Store, rows: int, folder: Path) -> None:
    path = folder / "bank.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["题型", "适用岗位", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "依据", "难度"])
    for i in range(rows):
        ws.append(
            ["单选", "主要负责人、安全管理人员", f"导入题{i}：生产经营单位应当……", f"甲{i}", f"乙{i}", f"丙{i}",
             f"丁{i}", "B", "见条文。", "《中华人民共和国安全生产法》第二十一条", 2]
        )  # fmt: skip
    wb.save(path)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    sheet = read_question_rows(path)
    read = time.perf_counter() - started
    with store.session() as session:
        bank = create_bank(session, code="imported", title="导入题库", industry="通用")
        result = add_questions(session, bank_id=bank.id, questions=[q for _row, q in sheet.questions])
    total = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    print(
        f"import {rows:,}-row xlsx: read + check {read:.2f} s, stored {result.added:,} questions, "
        f"total {total:.2f} s, peak RSS grew {grown:.0f} MB, {len(sheet.problems)} row problems"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="inspector-bench-quiz-"))
    store = open_store(folder / "data")
    try:
        seed_demo(store)
        bench_import(store, args.rows, folder)  # first, so that its memory growth is its own
        started = time.perf_counter()
        big_bank(store, args.questions)
        print(f"made a {args.questions:,}-question bank in {time.perf_counter() - started:.0f} s")
        bench_draw(store, args.runs, args.questions)
    finally:
        store.close()
