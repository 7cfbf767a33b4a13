"""`inspector checklist validate | list | show | import`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from inspector.checklists.files import builtin_checklist_paths, load_builtin_definitions
from inspector.cli import main
from inspector.resources import resource_path
from inspector.store.db import open_store
from inspector.store.stats import row_counts
from tests.checklists.samples import INDUSTRY_CODES, demo_checklist


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def counts(data_dir: Path) -> dict[str, int]:
    store = open_store(data_dir)
    try:
        return row_counts(store)
    finally:
        store.close()


# ─── validate ──────────────────────────────────────────────────────────────────────────────────────


def test_validate_a_good_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "demo.toml", demo_checklist(include=""))
    code, out, err = run(capsys, "checklist", "validate", str(path))
    assert code == 0, err
    assert err == ""
    assert out.strip() == "demo r1: 2 sections, 3 items (2 重大, 1 unconfirmed) — ok"


def test_validate_a_file_that_includes_the_shipped_general(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "demo.toml", demo_checklist(include='include = ["general"]\n'))
    general = load_builtin_definitions()["general"]
    code, out, err = run(capsys, "checklist", "validate", str(path))
    assert code == 0, err
    sections, items = 2 + len(general.sections), 3 + general.item_count
    assert out.strip() == f"demo r1: {sections} sections, {items} items (2 重大, 1 unconfirmed) — ok"


def test_validate_all_shipped_files(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(p) for p in builtin_checklist_paths()]
    code, out, err = run(capsys, "checklist", "validate", *paths)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 10
    assert all(line.endswith("— ok") for line in lines)
    coal = next(line for line in lines if line.startswith("coal "))
    assert coal == "coal r1: 23 sections, 140 items (80 重大, 73 unconfirmed) — ok"


def test_validate_a_bad_file_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = demo_checklist(include="")
    text = text.replace('grade = "一般隐患"', 'grade = "一般"')  # demo-02-01
    text = text.replace('note = "取自转载页"\n', "")  # demo-01-02
    text = text.replace('content = "检查内容一"', 'contnet = "检查内容一"')  # demo-01-01
    path = write(tmp_path / "bad.toml", text)
    lines = text.splitlines()

    def line_of(code: str) -> int:
        return lines.index(f'code = "{code}"') + 1

    code, out, err = run(capsys, "checklist", "validate", str(path))
    assert code == 1
    assert "— ok" not in out
    err_lines = err.strip().splitlines()
    assert err_lines[-1] == "4 problem(s) found"
    assert err_lines[:-1] == [
        f"bad.toml:{line_of('demo-01-01')}: item demo-01-01: unknown key 'contnet' "
        "(allowed: basis, basis_text, code, content, grade, method, note, unconfirmed)",
        f"bad.toml:{line_of('demo-01-01')}: item demo-01-01: content is missing or empty",
        f"bad.toml:{line_of('demo-01-02')}: item demo-01-02: an unconfirmed item must say in note where its text "
        "came from",
        f"bad.toml:{line_of('demo-02-01')}: item demo-02-01: grade must be 一般隐患 or 重大事故隐患, not '一般'",
    ]


def test_validate_reports_problems_of_several_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.toml", demo_checklist(include=""))
    bad = write(
        tmp_path / "bad.toml", demo_checklist(include='include = ["nowhere"]\n').replace('code = "demo"', 'code = "x"')
    )
    broken = write(tmp_path / "broken.toml", "[checklist\n")
    code, out, err = run(capsys, "checklist", "validate", str(good), str(bad), str(broken))
    assert code == 1
    assert out == ""
    assert "bad.toml: include: unknown checklist 'nowhere'" in err
    assert re.search(r"^broken\.toml(:1)?: not valid TOML", err, re.MULTILINE)
    assert err.strip().endswith("2 problem(s) found")


def test_validate_an_invalid_toml_file_prints_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = demo_checklist(include="").replace("revision = 1\n", "revision =\n")
    path = write(tmp_path / "bad.toml", text)
    code, _, err = run(capsys, "checklist", "validate", str(path))
    assert code == 1
    assert err.splitlines()[0].startswith("bad.toml:3: not valid TOML")


def test_validate_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.toml"
    code, _, err = run(capsys, "checklist", "validate", str(missing))
    assert code == 1
    assert f"{missing}: cannot read" in err
    assert err.strip().endswith("1 problem(s) found")


# ─── list, show ────────────────────────────────────────────────────────────────────────────────────


def test_list_json_on_a_fresh_data_dir(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--data-dir", str(data_dir), "checklist", "list", "--json")
    assert code == 0, err
    rows = json.loads(out)
    definitions = load_builtin_definitions()
    assert {r["code"] for r in rows} == INDUSTRY_CODES
    assert len(rows) == 9
    assert {r["code"]: r["item_count"] for r in rows} == {c: definitions[c].item_count for c in INDUSTRY_CODES}
    assert {r["code"]: r["industry"] for r in rows} == {c: definitions[c].industry for c in INDUSTRY_CODES}
    assert all(r["revision"] == 1 and r["is_current"] for r in rows)
    assert next(r for r in rows if r["code"] == "coal")["item_count"] == 140
    assert [r["industry"] for r in rows] == sorted(r["industry"] for r in rows)  # ordered by industry
    assert counts(data_dir)["checklisttemplate"] == 9


def test_list_text(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "checklist", "list")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 9
    coal = next(line for line in lines if line.startswith("coal "))
    assert " 140 items  煤矿重大事故隐患检查表  [" in coal
    assert "(superseded)" not in out


def test_show_coal_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--data-dir", str(data_dir), "checklist", "show", "coal", "--json")
    assert code == 0, err
    shown = json.loads(out)
    coal = load_builtin_definitions()["coal"]
    assert (shown["code"], shown["revision"], shown["industry"]) == ("coal", 1, "煤矿")
    assert shown["title"] == coal.title
    assert shown["source"] == "；".join(coal.sources)
    expected = [(i.code, s.title, i.grade.value, i.unconfirmed) for s in coal.sections for i in s.items]
    assert [(i["code"], i["section"], i["grade"], i["unconfirmed"]) for i in shown["items"]] == expected
    assert len(shown["items"]) == 140
    first = shown["items"][0]
    assert first["code"] == "coal-01-01"
    assert first["basis"].startswith("《煤矿重大事故隐患判定标准》")
    assert first["content"] and first["method"]
    assert shown["items"][-1]["code"].startswith("general-")


def test_show_text(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "checklist", "show", "coal@1")
    assert code == 0
    assert out.startswith("煤矿重大事故隐患检查表 (coal r1, 煤矿)\n依据: 《煤矿重大事故隐患判定标准》")
    assert "  coal-01-01  [重大事故隐患] [未经核对] " in out
    assert "\n超能力、超强度或者超定员组织生产\n" in out


def test_show_unknown_checklist(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--data-dir", str(data_dir), "checklist", "show", "nothing")
    assert code == 2
    assert out == ""
    assert err.strip() == "inspector: error: No checklist 'nothing'."


def test_show_with_a_superscript_revision_is_a_clear_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--data-dir", str(data_dir), "checklist", "show", "coal@²")
    assert code == 2
    assert err.startswith("inspector: error:")


# ─── import ────────────────────────────────────────────────────────────────────────────────────────


def coal_revision(tmp_path: Path, revision: int, *, change: str = "") -> Path:
    text = resource_path("checklists", "coal.toml").read_text(encoding="utf-8")
    assert text.count("\nrevision = 1\n") == 1
    text = text.replace("\nrevision = 1\n", f"\nrevision = {revision}\n")
    return write(tmp_path / "coal.toml", text + change)


def test_import_a_new_revision(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = coal_revision(tmp_path, 2)
    code, out, err = run(capsys, "--data-dir", str(data_dir), "checklist", "import", str(path))
    assert code == 0, err
    assert re.fullmatch(r"coal r2: imported, 140 items \[[^\]]+\]\n", out), out

    code, out, _ = run(capsys, "--data-dir", str(data_dir), "checklist", "list", "--all", "--json")
    assert code == 0
    rows = json.loads(out)
    coal = [(r["revision"], r["is_current"], r["item_count"]) for r in rows if r["code"] == "coal"]
    assert coal == [(1, False, 140), (2, True, 140)]
    assert len(rows) == 10

    code, out, _ = run(capsys, "--data-dir", str(data_dir), "checklist", "list", "--json")
    assert [r["revision"] for r in json.loads(out) if r["code"] == "coal"] == [2]
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "checklist", "list", "--all")
    assert "(superseded)" in next(line for line in out.splitlines() if line.startswith("coal ") and " r1 " in line)

    before = counts(data_dir)
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "checklist", "import", str(path))
    assert code == 0
    assert "coal r2: already present, 140 items" in out
    assert counts(data_dir) == before


def test_import_a_new_checklist_with_include(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "demo.toml", demo_checklist(include='include = ["general"]\n'))
    code, out, err = run(capsys, "--data-dir", str(data_dir), "checklist", "import", str(path))
    assert code == 0, err
    general = load_builtin_definitions()["general"]
    assert out.startswith(f"demo r1: imported, {3 + general.item_count} items [")


def test_import_a_broken_file_changes_nothing(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--data-dir", str(data_dir), "checklist", "list")[0] == 0
    before = counts(data_dir)
    text = demo_checklist(include="").replace('grade = "一般隐患"', 'grade = "一般"')
    path = write(tmp_path / "bad.toml", text)
    code, out, err = run(capsys, "--data-dir", str(data_dir), "checklist", "import", str(path))
    assert code in (1, 2)
    assert out == ""
    assert err.startswith("inspector: error: 1 problem(s) in checklist file:")
    assert "bad.toml:" in err and "item demo-02-01: grade must be 一般隐患 or 重大事故隐患" in err
    assert counts(data_dir) == before


def test_import_a_broken_file_into_a_fresh_data_dir_creates_nothing(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "bad.toml", "[checklist]\ncode = 'x'\n")
    code, _, err = run(capsys, "--data-dir", str(data_dir), "checklist", "import", str(path))
    assert code in (1, 2)
    assert "problem(s) in checklist file" in err
    assert not data_dir.exists()


def test_import_changed_content_under_the_same_revision_changes_nothing(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--data-dir", str(data_dir), "checklist", "list")[0] == 0
    before = counts(data_dir)
    path = coal_revision(tmp_path, 1, change="\n# 改过\n")
    code, out, err = run(capsys, "--data-dir", str(data_dir), "checklist", "import", str(path))
    assert code == 2
    assert out == ""
    assert "imported before with different content" in err and "higher revision" in err
    assert counts(data_dir) == before


def test_import_an_older_revision_changes_nothing(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--data-dir", str(data_dir), "checklist", "import", str(coal_revision(tmp_path, 3)))[0] == 0
    before = counts(data_dir)
    code, _, err = run(capsys, "--data-dir", str(data_dir), "checklist", "import", str(coal_revision(tmp_path, 2)))
    assert code == 2
    assert "already has revision 3" in err
    assert counts(data_dir) == before


def test_import_a_revision_too_large_for_the_database_is_a_clear_error(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """TOML integers are unbounded in tomllib; SQLite's are 64-bit. Such a file must be refused, not crash."""
    assert run(capsys, "--data-dir", str(data_dir), "checklist", "list")[0] == 0
    before = counts(data_dir)
    path = coal_revision(tmp_path, 2**64)
    code, out, err = run(capsys, "--data-dir", str(data_dir), "checklist", "import", str(path))
    assert code in (1, 2)
    assert "imported" not in out
    assert "revision" in err
    assert counts(data_dir) == before
