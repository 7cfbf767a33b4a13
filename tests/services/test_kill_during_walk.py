"""Kill the process while answers are being saved: every answer it acknowledged is there after reopening."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlmodel import select

from inspector.demo.seed import seed_demo
from inspector.store.db import open_store
from inspector.store.models import ItemResult

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from inspector.domain.enums import ItemResultValue
    from inspector.inspections import walk
    from inspector.inspections.service import reopen_inspection
    from inspector.store.db import open_store

    store = open_store(Path(sys.argv[1]))
    inspection_id = sys.argv[2]
    with store.session() as session:
        reopen_inspection(session, inspection_id=inspection_id)
        rows = walk.checklist_rows(session, inspection_id)
    n = 0
    while True:
        row = rows[n % len(rows)]
        result = ItemResultValue.NOT_APPLICABLE if (n // len(rows)) % 2 == 0 else ItemResultValue.PASS
        with store.session() as session:
            walk.record_result(session, inspection_id=inspection_id, item_id=row.item_id, result=result, note=str(n))
        print(f"{row.item_id} {result.value} {n}", flush=True)  # acknowledged: committed before this line
        n += 1
    """
)


def test_acknowledged_answers_survive_sigkill(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = open_store(data)
    inspection_id = seed_demo(store).finished_inspection_id
    store.close()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(data), inspection_id], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    acked: dict[str, tuple[str, str]] = {}
    for _ in range(200):
        line = proc.stdout.readline()
        assert line, "the child stopped before it was killed"
        item_id, result, n = line.split()
        acked[item_id] = (result, n)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    store = open_store(data)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        with store.session() as session:
            saved = {
                r.item_id: r for r in session.exec(select(ItemResult).where(ItemResult.inspection_id == inspection_id))
            }
        for item_id, (result, n) in acked.items():
            # The database may hold a newer answer (committed, killed before it was printed), never an older one.
            assert int(saved[item_id].note) >= int(n)
            if saved[item_id].note == n:
                assert saved[item_id].result == result
    finally:
        store.close()
