"""Inspection speed: opening the largest checklist, recording one answer, listing and searching 100k inspections.

    python benchmarks/inspections.py [--inspections 100000] [--results 30] [--data-dir DIR] [--runs 15]

The large data set (inspections with `--results` item results each and a finding every third one) is
written straight through SQLite for speed, then indexed by the same FTS table the app uses. Goals from the
issue: open ≤ 100 ms, answer ≤ 16 ms, list/search ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from inspector.checklists.service import install_builtin_checklists, list_templates
from inspector.demo.seed import seed_demo
from inspector.domain.enums import Industry, ItemResultValue
from inspector.inspections import walk
from inspector.inspections.queries import InspectionFilter, count_inspections, list_inspections
from inspector.inspections.service import start_inspection
from inspector.registry.service import active_inspectors, search_enterprises
from inspector.store import search_index
from inspector.store.db import Store, open_store
from inspector.store.ids import uuid7


def median_ms(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    fn()  # warm caches once, as a user's second look would
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def bench_checklist(store: Store, runs: int) -> None:
    with store.session() as session:
        install_builtin_checklists(session)
        largest = max(list_templates(session), key=lambda t: t.item_count)
        people = [i.id for i in active_inspectors(session)][:2]
        enterprise = search_enterprises(session)[0].id
        inspection = start_inspection(
            session, enterprise_id=enterprise, inspector_ids=people, checklist_template_id=largest.id
        )
        rows = walk.checklist_rows(session, inspection.id)

    def open_checklist() -> None:
        with store.session() as session:
            walk.progress_of(walk.checklist_rows(session, inspection.id))

    med, worst = median_ms(open_checklist, runs)
    print(
        f"open largest checklist ({largest.code}, {largest.item_count} items): median {med:.1f} ms, max {worst:.1f} ms"
    )

    cycle = [ItemResultValue.PASS, ItemResultValue.NOT_APPLICABLE, ItemResultValue.PASS]
    n = 0

    def answer() -> None:
        nonlocal n
        row = rows[n % len(rows)]
        result = cycle[n % len(cycle)]
        n += 1
        with store.session() as session:
            walk.record_result(session, inspection_id=inspection.id, item_id=row.item_id, result=result)

    med, worst = median_ms(answer, max(runs, 50))
    print(f"record one answer (own transaction, WAL): median {med:.1f} ms, max {worst:.1f} ms")

    def fail_and_back() -> None:
        with store.session() as session:
            walk.record_result(
                session, inspection_id=inspection.id, item_id=rows[0].item_id, result=ItemResultValue.FAIL
            )
        with store.session() as session:
            walk.record_result(
                session, inspection_id=inspection.id, item_id=rows[0].item_id, result=ItemResultValue.PASS
            )

    med, worst = median_ms(fail_and_back, runs)
    print(f"不合格 (creates a finding) then 合格 (removes it): median {med / 2:.1f} ms per answer")


def generate(store: Store, inspections: int, results: int) -> None:
    """Bulk rows in the shape the app writes, without the per-row session work."""
    rng = random.Random(7)
    with store.session() as session:
        enterprises = [e.id for e in search_enterprises(session)]
        people = [i.id for i in active_inspectors(session)]
        template = max(list_templates(session), key=lambda t: t.item_count)
        items = [
            row[0]
            for row in session.connection().execute(
                text("SELECT id FROM checklistitem WHERE template_id = :t ORDER BY position LIMIT :n"),
                {"t": template.id, "n": results},
            )
        ]
    words = ["风电闭锁", "瓦斯检查", "探放水", "培训档案", "应急预案", "液氨", "粉尘", "消防通道", "安全出口", "配电室"]
    start = datetime(2020, 1, 1, tzinfo=UTC)
    conn = store.engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute("BEGIN")
        stamp = "2024-01-01 00:00:00.000000"
        for chunk in range(0, inspections, 5000):
            ins, officers, res, finds = [], [], [], []
            for _ in range(chunk, min(chunk + 5000, inspections)):
                iid = uuid7()
                when = (start + timedelta(minutes=rng.randrange(0, 6 * 365 * 24 * 60))).strftime("%Y-%m-%d %H:%M:%S")
                ins.append(
                    (
                        iid,
                        stamp,
                        stamp,
                        "bench",
                        1,
                        rng.choice(enterprises),
                        "四不两直暗查暗访",
                        "检查完成",
                        template.id,
                        when,
                        f"{rng.choice(words)}作业场所{rng.randrange(1000)}号",
                        "检查",
                        "张三",
                        "",
                        "",
                        "",
                        "",
                        "",
                        1,
                        1,
                        1,
                        "",
                    )
                )
                for position, person in enumerate(rng.sample(people, 2)):
                    officers.append((uuid7(), stamp, stamp, "bench", 1, iid, person, position))
                for item in items:
                    res.append((uuid7(), stamp, stamp, "bench", 1, iid, item, "合格", "", "", stamp))
                if rng.random() < 0.33:
                    finds.append(
                        (
                            uuid7(),
                            stamp,
                            stamp,
                            "bench",
                            1,
                            iid,
                            rng.choice(enterprises),
                            0,
                            f"{rng.choice(words)}不符合要求{rng.randrange(100000)}",
                            "一般隐患",
                            "《安全生产法》",
                            "责令限期整改",
                            "待整改",
                            "manual",
                            "",
                            "",
                        )
                    )
            cur.executemany(
                "INSERT INTO inspection (id, created_at, updated_at, origin_device, version, enterprise_id, mode, "
                "status, checklist_template_id, started_at, place, purpose, on_site_person_name, "
                "on_site_person_post, on_site_person_phone, witness, experts, gps_source, no_advance_notice, "
                "no_escort, straight_to_site, notes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                ins,
            )
            cur.executemany(
                "INSERT INTO inspectioninspector (id, created_at, updated_at, origin_device, version, inspection_id, "
                "inspector_id, position) VALUES (?,?,?,?,?,?,?,?)",
                officers,
            )
            cur.executemany(
                "INSERT INTO itemresult (id, created_at, updated_at, origin_device, version, inspection_id, "
                "item_id, result, note, unchecked_reason, answered_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                res,
            )
            cur.executemany(
                "INSERT INTO finding (id, created_at, updated_at, origin_device, version, inspection_id, "
                "enterprise_id, position, description, grade, basis, measure, status, source, supervised_by, "
                "review_note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                finds,
            )
        cur.execute("COMMIT")
    finally:
        conn.close()
    with store.engine.begin() as connection:
        search_index.rebuild(connection)
        connection.exec_driver_sql("ANALYZE")


def bench_lists(store: Store, runs: int) -> None:
    with store.session() as session:
        some_inspector = active_inspectors(session)[0].id
    cases: list[tuple[str, InspectionFilter]] = [
        ("newest page, no filter", InspectionFilter()),
        ("industry filter (煤矿)", InspectionFilter(industry=Industry.COAL)),
        ("one inspector", InspectionFilter(inspector_id=some_inspector)),
        (
            "date range (one month)",
            InspectionFilter(date_from=datetime(2023, 3, 1).date(), date_to=datetime(2023, 3, 31).date()),
        ),
        ("search 3+ chars (indexed): 风电闭锁", InspectionFilter(text="风电闭锁")),
        ("search rare text: 不符合要求12345", InspectionFilter(text="不符合要求12345")),
        ("search 2 chars (pair index): 液氨", InspectionFilter(text="液氨")),
        ("search 2 chars, no match: 液氯", InspectionFilter(text="液氯")),
        ("search 1 char (scan): 氯", InspectionFilter(text="氯")),
        ("search enterprise name: 晟泰煤业", InspectionFilter(text="晟泰煤业")),
    ]
    for label, f in cases:

        def page(f: InspectionFilter = f) -> None:
            with store.session() as session:
                list_inspections(session, f, limit=200)

        def count(f: InspectionFilter = f) -> None:
            with store.session() as session:
                count_inspections(session, f)

        med, worst = median_ms(page, runs)
        cmed, _ = median_ms(count, runs)
        print(f"  {label:<40} first 200 rows: median {med:6.1f} ms (max {worst:6.1f}); total count: {cmed:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inspections", type=int, default=100_000)
    parser.add_argument("--results", type=int, default=30)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="inspector-bench-")) / "data"
    store = open_store(data_dir)
    try:
        seed_demo(store)
        bench_checklist(store, args.runs)
        with store.engine.connect() as conn:
            existing = conn.execute(text("SELECT count(*) FROM inspection")).scalar_one()
        if existing < args.inspections:
            started = time.perf_counter()
            generate(store, args.inspections - existing, args.results)
            took = time.perf_counter() - started
            print(f"generated {args.inspections:,} inspections × {args.results} item results in {took:.0f} s")
        with store.engine.connect() as conn:
            n_results = conn.execute(text("SELECT count(*) FROM itemresult")).scalar_one()
            n_findings = conn.execute(text("SELECT count(*) FROM finding")).scalar_one()
        print(f"list and search over {args.inspections:,} inspections, {n_results:,} results, {n_findings:,} findings:")
        bench_lists(store, args.runs)
        print("the same checklist work with the large data set in place:")
        bench_checklist(store, args.runs)
        print(f"database: {store.db_path} ({store.db_path.stat().st_size / 1e6:.0f} MB)")
    finally:
        store.close()


if __name__ == "__main__":
    main()
