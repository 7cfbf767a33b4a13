"""The evidence and document commands on the demo: list, add with verdicts, verify, render, issue, check a PDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.cli import main
from inspector.evidence.samples import write_sample_photo
from inspector.inspections.service import inspection_inspectors, start_inspection
from inspector.store.db import open_store
from inspector.store.models import Inspection


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, _ = run("--data-dir", str(data_dir), "demo", "--json", capsys=capsys)
    assert code == 0
    return str(json.loads(out)["finished_inspection_id"])


def test_evidence_list_add_and_verify(
    data_dir: Path, demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(data_dir)
    code, out, _ = run("--data-dir", d, "evidence", "list", demo, "--json", capsys=capsys)
    photos = json.loads(out)
    assert code == 0 and len(photos) == 5 and all(p["findings"] for p in photos)
    code, out, err = run("--data-dir", d, "evidence", "add", demo, str(tmp_path), capsys=capsys)
    assert code == 2 and "photos cannot be added" in err  # documents were issued: the evidence is fixed
    store = open_store(data_dir)
    with store.session() as session:
        finished = session.get(Inspection, demo)
        assert finished is not None
        on_site = start_inspection(
            session,
            enterprise_id=finished.enterprise_id,
            inspector_ids=[i.id for i in inspection_inspectors(session, demo)],
        ).id
    store.close()
    folder = tmp_path / "DCIM"
    folder.mkdir()
    write_sample_photo(folder / "IMG_1.jpg", size=(640, 480), seed=1)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    code, out, err = run("--data-dir", d, "evidence", "add", on_site, str(folder), capsys=capsys)
    assert code == 1  # one file refused, the other added
    assert "added      IMG_1.jpg" in out and "broken.jpg" in err and "1 added" in err
    code, out, _ = run("--data-dir", d, "evidence", "verify", capsys=capsys)
    assert code == 0 and "6 photo(s) checked: 6 ok" in out
    sha = photos[0]["sha256"]
    (data_dir / "blobs" / sha[:2] / sha).write_bytes(b"changed")
    code, out, _ = run("--data-dir", d, "evidence", "verify", capsys=capsys)
    assert code == 1 and "CHANGED" in out


def test_doc_render_list_verify_and_numbers(
    data_dir: Path, demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(data_dir)
    code, out, _ = run("--data-dir", d, "doc", "list", "--json", capsys=capsys)
    documents = json.loads(out)
    assert code == 0 and {x["status"] for x in documents} == {"已出具", "草稿"}
    code, _, err = run(
        "--data-dir", d, "doc", "render", "measures", "--inspection", demo, "--out", str(tmp_path / "m.pdf"),
        "--issue", capsys=capsys,
    )  # fmt: skip
    assert code == 2 and "supervisor's approval" in err  # a new decision is issued only once approved
    code, out, _ = run(
        "--data-dir", d, "doc", "render", "order", "--inspection", demo, "--out", str(tmp_path / "m.pdf"),
        "--issue", capsys=capsys,
    )  # fmt: skip
    assert code == 0 and "（阳）应急责改〔" in out and (tmp_path / "m.pdf").read_bytes().startswith(b"%PDF")
    code, out, _ = run("--data-dir", d, "doc", "verify", str(tmp_path / "m.pdf"), capsys=capsys)
    assert code == 0 and out.startswith("OK:")
    (tmp_path / "bad.pdf").write_bytes((tmp_path / "m.pdf").read_bytes() + b"%%EOF\n")
    code, _, err = run("--data-dir", d, "doc", "verify", str(tmp_path / "bad.pdf"), capsys=capsys)
    assert code == 1 and "bytes differ" in err
    code, _, err = run(
        "--data-dir", d, "doc", "render", "nonsense", "--inspection", demo, "--out", str(tmp_path / "x.pdf"),
        capsys=capsys,
    )  # fmt: skip
    assert code == 2 and "Unknown document kind" in err
    code, out, _ = run("--data-dir", d, "doc", "numbers", capsys=capsys)
    assert code == 0 and "left" in out
