"""Start-up time of the desktop app to a shown, loaded main window (offscreen), median of several cold runs.

Each run is a fresh Python process (imports, Qt, font, translations, opening and migrating-check of the
database, the 工作台's first load), timed from spawn to the moment the window has shown its data.

    python benchmarks/startup.py [--runs 7] [--data-dir DIR]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # An installed app has its bytecode compiled; this machine sets PYTHONDONTWRITEBYTECODE, so compile once.
    import inspector

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(inspector.__file__).parent)], check=True)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="inspector-bench-")) / "demo"
    subprocess.run([sys.executable, "-m", "inspector", "--data-dir", str(data_dir), "demo"], check=True, env=env)
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
