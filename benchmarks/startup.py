"""Start-up time of the desktop app to a shown, loaded main window (offscreen), median of several cold runs.

Each run is a fresh Python process (imports, Qt, font, translations, opening and migrating-check of the
database, the 工作台's first load), timed from spawn to the moment the window has shown its data.

    python benchmarks/startup.py [--runs 7] [--data-dir DIR] [--bundle dist/inspector]

With --bundle, the PyInstaller bundle is timed instead, against the same command from this Python: each
run is `inspector --data-dir DIR screenshot FILE.png`, from spawn to exit (the window shown offscreen, its
first page loaded, grabbed, saved as PNG, the app closed), since the bundle runs no code but its own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from inspector.store.db import open_store
from inspector.ui.app import ensure_app, open_main_window
app = ensure_app()
store = open_store(Path(sys.argv[1]))
window = open_main_window(store)
def shown():
    print("shown", flush=True)
    QTimer.singleShot(0, app.quit)
window.pages["工作台"].refreshed.connect(shown)
window.show()
app.exec()
store.close()
"""


def _screenshot_runs(command: list[str], data_dir: Path, runs: int, env: dict[str, str]) -> list[float]:
    """Milliseconds from spawn to exit of `command --data-dir DIR screenshot FILE`, `runs` times."""
    timings = []
    with tempfile.TemporaryDirectory(prefix="inspector-bench-shot-") as tmp:
        for n in range(runs):
            target = Path(tmp) / f"shot-{n}.png"
            started = time.perf_counter()
            subprocess.run(
                [*command, "--data-dir", str(data_dir), "screenshot", str(target)],
                check=True,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            timings.append((time.perf_counter() - started) * 1000)
            if not target.is_file():
                raise SystemExit(f"{command[0]} wrote no screenshot")
    return timings


def _report(label: str, timings: list[float]) -> None:
    print(
        f"{label} ({len(timings)} runs): median {statistics.median(timings):.0f} ms, "
        f"min {min(timings):.0f} ms, max {max(timings):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--bundle", type=Path, metavar="DIR", help="time the bundle in DIR (e.g. dist/inspector)")
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # An installed app has its bytecode compiled; this machine sets PYTHONDONTWRITEBYTECODE, so compile once.
    import inspector

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(inspector.__file__).parent)], check=True)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="inspector-bench-")) / "demo"
    subprocess.run([sys.executable, "-m", "inspector", "--data-dir", str(data_dir), "demo"], check=True, env=env)
    if args.bundle:
        executable = args.bundle / ("inspector.exe" if sys.platform == "win32" else "inspector")
        _report("bundle: screenshot, spawn to exit", _screenshot_runs([str(executable)], data_dir, args.runs, env))
        python = [sys.executable, "-m", "inspector"]
        _report("python -m inspector: the same", _screenshot_runs(python, data_dir, args.runs, env))
        return
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_dir)], stdout=subprocess.PIPE, text=True, env=env
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - started
        proc.wait(timeout=60)
        if line.strip() != "shown":
            raise SystemExit(f"child did not show the window (exit {proc.returncode})")
        timings.append(elapsed * 1000)
    print(
        f"start-up to shown 工作台 (offscreen, {args.runs} runs): median {statistics.median(timings):.0f} ms, "
        f"min {min(timings):.0f} ms, max {max(timings):.0f} ms"
    )


if __name__ == "__main__":
    main()
