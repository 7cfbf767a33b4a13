"""`inspector --selftest`: every step passes on a fresh folder; a failing step fails the run and is named."""

from __future__ import annotations

import io

import pytest

from inspector import selftest
from inspector.cli import main
from inspector.selftest import STEPS, Context, Step, run_selftest


@pytest.mark.slow  # the whole run: ~15 s (demo seeding, two laptops syncing)
def test_selftest_passes_and_prints_one_line_per_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--selftest"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [["ok", step.name] for step in STEPS]
    assert all(line.split()[3] == "ms" for line in lines[:-1])
    assert lines[-1].startswith(f"selftest passed: {len(STEPS)} steps")


def _broken(_ctx: Context) -> str:
    raise RuntimeError("the demo is gone")


def test_a_failing_step_is_reported_its_dependants_skipped_and_the_exit_status_is_1() -> None:
    steps = [
        Step("migrate", selftest._migrate),
        Step("demo", _broken, needs=("migrate",)),
        Step("document", selftest._document, needs=("demo",)),
        Step("drivers", selftest._drivers),
    ]
    out = io.StringIO()
    assert run_selftest(out, steps=steps) == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("ok   migrate")
    assert lines[1] == "FAIL demo: RuntimeError: the demo is gone"
    assert lines[2] == "FAIL document: skipped, needs demo"
    assert lines[3].startswith("ok   drivers")  # independent steps still run
    assert lines[4].startswith("selftest FAILED: 2 of 4 steps")
