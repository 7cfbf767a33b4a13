"""执法统计 speed: seeding a year of data, the monthly report over it, its spreadsheet, and one enterprise's file.

    python benchmarks/reports.py [--data-dir DIR] [--runs 5] [--year YYYY] [--scale 1] [--document-kb 6]

Seeds the year demo (`inspector demo --year`: 300 enterprises, 4,000 inspections; --scale multiplies
both) into a fresh folder, unless --data-dir names one that holds it already. Goals from issue 10: the
monthly report ≤ 1 s (median of 5), the file of the busiest enterprise ≤ 200 ms.

An issued document keeps every filled field frozen in `document.fields` (4–8 KB for a 记录 or an order);
the year demo's documents carry only a few, so a fresh folder's documents are padded to --document-kb
to read as real ones do. Then the figures are taken again with the index proposed for issue 10 on
`document (status, issued_at, kind)`, made in the benchmark's own folder only (the app's schema is
changed by migrations, not here).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text

from inspector import clock
from inspector.demo.year import YearSize, seed_year_demo
from inspector.reports.enterprise import enterprise_file
from inspector.reports.monthly import monthly_report
from inspector.reports.xlsx import xlsx_bytes
from inspector.store.db import Store, open_store


def timed_ms(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median and worst of `runs` calls after one warm-up call, and the last result."""
    result = fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), result


def bench(store: Store, runs: int, month: tuple[int, int]) -> None:
    with store.engine.connect() as conn:
        counts = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("enterprise", "inspection", "finding", "document", "quizsession", "quizanswer")
        }
        busiest, visits = conn.execute(
            text("SELECT enterprise_id, count(*) FROM inspection GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
        ).one()
    print("data: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))

    def report() -> Any:
        with store.session() as session:
            return monthly_report(session, month)

    med, worst, result = timed_ms(report, runs)
    print(f"monthly report {month[0]}-{month[1]:02d} (month and year to date, 3 breakdowns): "
          f"median {med:.0f} ms, max {worst:.0f} ms (goal ≤ 1000 ms)")  # fmt: skip
    t = result.totals.year_to_date
    print(f"  year to date: {t.inspections:,} inspections, {t.hazards:,} hazards, "
          f"整改率 {t.rectification_rate:.1%}, {t.penalties} penalties, 合格率 {t.pass_rate:.1%}")  # fmt: skip
    med, worst, data = timed_ms(lambda: xlsx_bytes(result), runs)
    print(f"spreadsheet of it (7 sheets): median {med:.0f} ms, {len(data):,} bytes")

    def file() -> Any:
        with store.session() as session:
            return enterprise_file(session, busiest)

    med, worst, f = timed_ms(file, max(runs, 15))
    print(f"file of the busiest enterprise ({f.name}: {visits} inspections, {f.findings} findings, "
          f"{len(f.open_findings)} open, {len(f.documents)} documents, {len(f.quizzes)} quizzes, "
          f"{len(f.penalties)} penalties): median {med:.1f} ms, max {worst:.1f} ms (goal ≤ 200 ms)")  # fmt: skip


# Status first: the report filters on status IN (已出具, 已送达), and without statistics SQLite prefers the
# existing ix_document_status to an index that begins with issued_at.
PROPOSED_INDEX = "CREATE INDEX IF NOT EXISTS bench_ix_document_status_issued ON document (status, issued_at, kind)"


def pad_documents(store: Store, kilobytes: int) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE document SET fields = json_set(fields, '$.frozen_padding', :filler)"),
            {"filler": "x" * (kilobytes * 1024)},
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--year", type=int, help="calendar year to seed (default: the 365 days to yesterday)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply enterprises and inspections")
    parser.add_argument("--document-kb", type=int, default=6, help="pad a fresh folder's documents' fields (KB)")
    args = parser.parse_args()
    fresh = args.data_dir is None
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="inspector-bench-")) / "data"
    size = YearSize(enterprises=round(300 * args.scale), inspections=round(4000 * args.scale))
    store = open_store(data_dir)
    try:
        started = time.perf_counter()
        summary = seed_year_demo(store, year=args.year, size=size)
        took = time.perf_counter() - started
        if summary.created:
            c = summary.counts
            print(f"year demo seeded in {took:.1f} s ({summary.first_day} to {summary.last_day}): "
                  f"{c['enterprises']} enterprises, {c['inspections']:,} inspections, {c['findings']:,} findings, "
                  f"{c['documents']:,} documents, {c['quizzes']:,} quizzes, {c['quiz_answers']:,} answers")  # fmt: skip
            if fresh and args.document_kb > 0:
                pad_documents(store, args.document_kb)
                print(f"documents padded to about {args.document_kb} KB of frozen fields each")
        else:
            print(f"year demo already in {data_dir}")
        # The last full month of the data: the report a county sends up at the start of a month.
        last = min(summary.last_day, clock.local_today())
        month = (last.year, last.month) if last.month == 12 and args.year else _month_before(last)
        bench(store, args.runs, month)
        if fresh:
            with store.engine.begin() as conn:
                conn.execute(text(PROPOSED_INDEX))
            print("with the proposed index on document (status, issued_at, kind):")
            bench(store, args.runs, month)
    finally:
        store.close()
    print(f"data folder: {data_dir}")


def _month_before(day: date) -> tuple[int, int]:
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


if __name__ == "__main__":
    main()
