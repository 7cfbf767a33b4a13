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
    from inspector.inspections.service import inspection_inspectors, start_inspection
    from inspector.store.db import open_store
    from inspector.store.models import Inspection

    store = open_store(Path(sys.argv[1]))
    with store.session() as session:
        # A new inspection of the demo's mine, on its checklist (the finished one has its documents issued).
        finished = session.get(Inspection, sys.argv[2])
        inspection_id = start_inspection(
            session,
            enterprise_id=finished.enterprise_id,
            inspector_ids=[i.id for i in inspection_inspectors(session, finished.id)],
            checklist_template_id=finished.checklist_template_id,
        ).id
        rows = walk.checklist_rows(session, inspection_id)
    print(inspection_id, flush=True)
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
    inspection_id = proc.stdout.readline().strip()  # the child's own inspection
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
