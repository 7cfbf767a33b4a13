"""The command line: version, demo (idempotent), info, and clear errors for unusable data folders."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from inspector import __version__
from inspector.cli import main
from inspector.domain.identifiers import validate_credit_code
from inspector.store.db import open_store
from inspector.store.migrate import head_revision
from inspector.store.models import Document, Enterprise, Finding, Inspection, InspectionInspector, Inspector


def run_cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"inspector {__version__}"


def test_demo_seeds_once_and_reports_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli("--data-dir", str(data_dir), "demo", "--json", capsys=capsys)
    assert code == 0
    first = json.loads(out)
    assert first["created"] is True
    assert len(first["enterprises"]) >= 20
    assert len(first["industries"]) >= 6
    code, out, _ = run_cli("--data-dir", str(data_dir), "demo", "--json", capsys=capsys)
    second = json.loads(out)
    assert second["created"] is False
    assert second["enterprises"] == first["enterprises"]
    assert second["finished_inspection_id"] == first["finished_inspection_id"]

    store = open_store(data_dir)
    try:
        with store.session() as session:
            enterprises = session.exec(select(Enterprise)).all()
            assert len(enterprises) == len(first["enterprises"])  # nothing duplicated by the second run
            assert all(validate_credit_code(e.credit_code) == e.credit_code for e in enterprises)
            assert all(e.county_code == "140522" for e in enterprises)
            inspectors = session.exec(select(Inspector)).all()
            assert len(inspectors) >= 4 and all(i.cert_no for i in inspectors)
            inspection = session.get(Inspection, first["finished_inspection_id"])
            # The demo issued the record and the order on site; the 现场处理措施决定书 waits as a draft.
            assert inspection is not None and inspection.status == "文书已出具"
            documents = session.exec(select(Document).where(Document.inspection_id == inspection.id)).all()
            assert {(d.kind.value, d.status.value) for d in documents} == {
                ("现场检查记录", "已出具"),
                ("现场处理措施决定书", "草稿"),
                ("责令限期整改指令书", "已出具"),
            }
            officers = session.exec(
                select(InspectionInspector).where(InspectionInspector.inspection_id == inspection.id)
            ).all()
            assert len(officers) >= 2
            findings = session.exec(select(Finding).where(Finding.inspection_id == inspection.id)).all()
            assert {f.grade for f in findings} == {"一般隐患", "重大事故隐患"}
            assert all(f.basis.startswith("《") for f in findings)
    finally:
        store.close()


def test_info_json_counts_rows(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli("--data-dir", str(data_dir), "demo", capsys=capsys)
    code, out, _ = run_cli("--data-dir", str(data_dir), "info", "--json", capsys=capsys)
    assert code == 0
    info = json.loads(out)
    assert info["data_dir"] == str(data_dir.resolve())
    assert info["schema_version"] == head_revision()
    counts = info["row_counts"]
    assert counts["enterprise"] >= 20
    assert counts["inspection"] == 1
    assert counts["outboxentry"] > 0  # everything the demo made waits to be synced
    assert "auditevent" in counts and "document" in counts


def test_data_dir_from_environment(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # conftest points INSPECTOR_DATA_DIR at data_dir; no --data-dir given.
    code, out, _ = run_cli("info", "--json", capsys=capsys)
    assert code == 0
    assert json.loads(out)["data_dir"] == str(data_dir.resolve())


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_corrupt_database_one_line_error_and_file_untouched(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir.mkdir(parents=True)
    db = data_dir / "inspector.sqlite"
    db.write_bytes(b"PK\x03\x04 this is a zip, not a database" * 50)
    before = _sha(db)
    code, out, err = run_cli("--data-dir", str(data_dir), "info", capsys=capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "not an Inspector database" in err
    assert _sha(db) == before


def test_newer_database_refused_on_the_command_line(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    open_store(data_dir).close()
    db = data_dir / "inspector.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = _sha(db)
    code, _, err = run_cli("--data-dir", str(data_dir), "demo", capsys=capsys)
    assert code == 2
    assert "newer version of Inspector" in err
    assert _sha(db) == before


def test_demo_refuses_a_folder_with_real_data(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from inspector.domain.enums import Industry
    from inspector.domain.identifiers import make_credit_code
    from inspector.registry.service import register_enterprise

    store = open_store(data_dir)
    with store.session() as session:
        register_enterprise(
            session,
            name="真实企业",
            credit_code=make_credit_code("140522", "MA0REAL1"),
            industry=Industry.COAL,
            county_code="",
        )
    store.close()
    code, _, err = run_cli("--data-dir", str(data_dir), "demo", capsys=capsys)
    assert code == 2
    assert "already holds real data" in err


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "inspector", "--data-dir", str(tmp_path / "d"), "info", "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["schema_version"] == head_revision()
