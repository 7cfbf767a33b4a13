"""Hostile input on the laptop, case by case: path traversal in file names, oversized fields, SQL and FTS5
metacharacters in the search boxes, text that is not UTF-8. Each gets a clear error (Chinese for the screen,
English for the command line and logs) or is handled, and nothing already saved is lost or changed by it.

The office's side of the same (blob URLs, oversized and malformed pushes) is in tests/office/test_hostile_requests.py.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from inspector.checklists.schema import ChecklistFileError, parse_checklist_file, parse_checklist_text
from inspector.checklists.service import import_definition
from inspector.documents.render import RenderError
from inspector.documents.service import MAX_EXPORT_STEM_BYTES, create_draft, export_documents, export_file_name
from inspector.domain.enums import DocumentKind, Industry
from inspector.domain.identifiers import make_credit_code
from inspector.errors import ValidationError
from inspector.evidence.images import PhotoRejectedError
from inspector.evidence.samples import sample_photo
from inspector.evidence.service import ingest_photo_bytes, ingest_photos
from inspector.inspections.queries import InspectionFilter, list_inspections
from inspector.inspections.service import start_inspection, update_site_details
from inspector.quiz.banks import BankFileError, parse_bank_file, parse_bank_text
from inspector.quiz.spreadsheet import SpreadsheetError, read_question_rows
from inspector.registry.service import MAX_ENTERPRISE_NAME, register_enterprise, search_enterprises
from inspector.store.db import Store
from inspector.store.models import ChecklistTemplate, Document, Enterprise, Evidence, Inspection
from tests.checklists.samples import demo_checklist
from tests.conftest import Basics
from tests.documents.conftest import build_case

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _files_under(folder: Path) -> set[Path]:
    return {Path(root) / name for root, _dirs, names in os.walk(folder) for name in names}


def _inspection(store: Store, basics: Basics, *, place: str = "", minutes: int = 0) -> str:
    with store.session() as session:
        return start_inspection(
            session,
            enterprise_id=basics.mine_id,
            inspector_ids=basics.inspector_ids[:2],
            started_at=T0 + timedelta(minutes=minutes),
            place=place or "井下",
        ).id


# ─── path traversal in file names ────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("..\\..\\Windows\\System32\\evil.jpg", "evil.jpg"),
        ("C:\\DCIM\\Camera\\IMG_0001.jpg", "IMG_0001.jpg"),
        ("/absolute/IMG_0002.jpg", "IMG_0002.jpg"),
        ("IMG\x00_0003\n.jpg", "IMG_0003.jpg"),  # NUL and a line break: control characters go
        ("../..", "照片"),
        ("\x00\x01", "照片"),
    ],
)
def test_a_photo_is_known_by_the_last_part_of_its_name_only(
    store: Store, basics: Basics, tmp_path: Path, name: str, kept: str
) -> None:
    inspection_id = _inspection(store, basics)
    before = _files_under(tmp_path)
    evidence = ingest_photo_bytes(store, inspection_id, sample_photo(size=(64, 48)), name=name)
    assert evidence.original_name == kept
    # The photo went into the data folder's blob store, nowhere else.
    new_files = _files_under(tmp_path) - before
    assert new_files and all(store.data_dir in f.parents for f in new_files)


def test_a_photo_path_holding_nul_is_refused_and_the_rest_of_the_batch_goes_in(
    store: Store, basics: Basics, tmp_path: Path
) -> None:
    inspection_id = _inspection(store, basics)
    good = tmp_path / "IMG_good.jpg"
    good.write_bytes(sample_photo(size=(64, 48)))
    # Before: the ValueError of os.stat ("embedded null byte") escaped the batch, and the good photo was lost too.
    report = ingest_photos(store, inspection_id, [tmp_path / "IMG\x00bad.jpg", good])
    assert len(report.added) == 1
    [rejected] = report.rejected
    assert rejected.name == "IMGbad.jpg"
    assert "空字符" in rejected.reason_zh and "NUL" in rejected.reason_en


def test_a_photo_name_longer_than_any_file_system_allows_is_refused(
    store: Store, basics: Basics, tmp_path: Path
) -> None:
    inspection_id = _inspection(store, basics)
    # Before: kept cut to 255 characters without a word.
    with pytest.raises(PhotoRejectedError) as info:
        ingest_photo_bytes(store, inspection_id, sample_photo(size=(64, 48)), name="长" * 300 + ".jpg")
    assert "文件名超过255个字符" in info.value.message_zh
    assert "longer than 255" in info.value.message_en
    # A path that long cannot even be looked at (ENAMETOOLONG): before, that OSError of is_dir() escaped and
    # the whole batch failed; now that file is refused by name and the good photo beside it goes in.
    good = tmp_path / "IMG_good.jpg"
    good.write_bytes(sample_photo(size=(64, 48)))
    report = ingest_photos(store, inspection_id, [tmp_path / ("x" * 300 + ".jpg"), good])
    assert len(report.added) == 1 and len(report.rejected) == 1
    assert "文件名超过255个字符" in report.rejected[0].reason_zh
    with store.session() as session:
        assert session.exec(select(func.count()).select_from(Evidence)).one() == 1


HOSTILE_NUMBERS = [
    "../../../../tmp/evil",
    "/etc/passwd",
    "..\\..\\Windows\\evil",
    "C:\\evil",
    'a/b\\c:d*e?f"g<h>i|j',
    "..",
    ".hidden",
    "NUL\x00and\nnew line\r\t",
    "号" * 200,  # 600 bytes of UTF-8: longer than a file name may be
    "." * 300,
]


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
def test_an_export_file_name_is_one_plain_safe_name(number: str) -> None:
    name = export_file_name(DocumentKind.RECTIFICATION_ORDER, number, "0190-abcdef12")
    assert Path(name).name == name and name not in (".", "..")
    assert not any(ch in name for ch in '/\\:*?"<>|\x00\n\r\t')
    assert not name.startswith((".", " "))
    assert name.endswith("责令限期整改指令书.pdf")
    assert len(name.encode("utf-8")) <= MAX_EXPORT_STEM_BYTES + len(".pdf")


def test_batch_export_writes_inside_the_chosen_folder_only(store: Store, basics: Basics, tmp_path: Path) -> None:
    """The number on a document comes from data (the agency's short name, a synced record): whatever it holds,
    the exported PDFs land in the chosen folder, one file each."""
    case = build_case(store, basics)
    ids = []
    with store.session() as session:
        for number in HOSTILE_NUMBERS:
            draft = create_draft(
                session, kind=DocumentKind.INSPECTION_PLAN, inspection_id=case.inspection_id,
                inputs={"planned_time": "2024年5月6日上午", "matters": "检查事项"},
            )  # fmt: skip
            draft.number_text = number
            session.add(draft)
            ids.append(draft.id)
    folder = tmp_path / "exports" / "chosen"
    before = _files_under(tmp_path)
    report = export_documents(store, ids, folder)
    written = [Path(w) for w in report.written]
    assert len(written) == len(HOSTILE_NUMBERS) == len(set(written))
    assert all(w.parent == folder and w.is_file() for w in written)
    new_files = _files_under(tmp_path) - before
    outside = {f for f in new_files if folder not in f.parents and store.data_dir not in f.parents}
    assert outside == set()


# ─── oversized fields ────────────────────────────────────────────────────────────────────────────────


def test_an_enterprise_name_too_long_is_refused_and_nothing_is_stored(store: Store) -> None:
    with store.session() as session:
        count = session.exec(select(func.count()).select_from(Enterprise)).one()
        with pytest.raises(ValidationError) as info:
            register_enterprise(
                session, name="煤" * (MAX_ENTERPRISE_NAME + 1), credit_code=make_credit_code("140522", "MA0LNG01"),
                industry=Industry.COAL, county_code="140522",
            )  # fmt: skip
    assert "单位名称过长" in info.value.message_zh and "longer than" in info.value.message_en
    with store.session() as session:
        assert session.exec(select(func.count()).select_from(Enterprise)).one() == count
        exact = register_enterprise(
            session, name="煤" * MAX_ENTERPRISE_NAME, credit_code=make_credit_code("140522", "MA0LNG02"),
            industry=Industry.COAL, county_code="140522",
        )  # fmt: skip
        assert len(exact.name) == MAX_ENTERPRISE_NAME


def test_very_long_notes_are_kept_whole_and_found_by_search(store: Store, basics: Basics) -> None:
    inspection_id = _inspection(store, basics)
    notes = "现场备注。" * 40_000 + "末尾标记QZX"  # 200 000 characters
    with store.session() as session:
        update_site_details(session, inspection_id=inspection_id, notes=notes)
    with store.session() as session:
        stored = session.get(Inspection, inspection_id)
        assert stored is not None and stored.notes == notes  # not truncated
        rows = list_inspections(session, InspectionFilter(text="末尾标记QZX"))
    assert [r.id for r in rows] == [inspection_id]


def test_a_document_whose_text_cannot_fit_a_page_is_a_clear_error(store: Store, basics: Basics) -> None:
    """A name of thousands of characters (synced in, or typed before names were limited) used to crash the
    renderer with reportlab's LayoutError; now it is a RenderError the user can act on."""
    case = build_case(store, basics)
    with store.session() as session:
        enterprise = session.get(Enterprise, basics.mine_id)
        assert enterprise is not None
        enterprise.name = "超长单位名称" * 3_000
        session.add(enterprise)
    with store.session() as session:
        draft = create_draft(session, kind=DocumentKind.INSPECTION_RECORD, inspection_id=case.inspection_id)
        draft_id = draft.id
    with pytest.raises(RenderError) as info:
        export_documents(store, [draft_id], store.data_dir.parent / "out")
    assert "过长" in info.value.message_zh and "too long" in info.value.message_en
    with store.session() as session:
        kept = session.get(Document, draft_id)
        assert kept is not None and kept.pdf_sha256 == ""  # the draft is still there, unchanged


def test_a_checklist_item_longer_than_the_limit_is_refused_with_its_line() -> None:
    with pytest.raises(ChecklistFileError) as info:
        parse_checklist_text(demo_checklist(first_content="长" * 2001), name="long.toml")
    [problem] = info.value.problems
    assert problem.reason == "content is longer than 2000 characters" and problem.line is not None
    assert "检查表" in info.value.message_zh or "错误" in info.value.message_zh


def test_a_bank_question_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    bank = """
[bank]
code = "long"
revision = 1
title = "超长题库"
industry = "煤矿"
sources = ["《中华人民共和国安全生产法》"]

[[questions]]
code = "long-1"
type = "判断"
posts = ["主要负责人"]
stem = "{stem}"
answer = "对"
basis = "《中华人民共和国安全生产法》第五条"
"""
    with pytest.raises(BankFileError) as info:
        parse_bank_text(bank.replace("{stem}", "题" * 1001), name="long.toml")
    assert any("题干超过1000字" in p.reason for p in info.value.problems)
    # The same in a spreadsheet: that row is refused with its reason, the other row is read.
    sheet = tmp_path / "long.csv"
    sheet.write_text(f"题型,适用岗位,题干,答案\n判断,主要负责人,{'题' * 1001},对\n判断,主要负责人,短题,错\n", "utf-8")
    result = read_question_rows(sheet)
    assert [q.stem for _row, q in result.questions] == ["短题"]
    assert [(p.row, "题干超过1000字" in p.reason) for p in result.problems] == [(2, True)]


# ─── SQL and FTS5 metacharacters in the search boxes ─────────────────────────────────────────────────

METACHARACTERS = ["%", "_", "'", '"', ";--", "' OR '1'='1", "NEAR(", "*", "^", "AND", 'a"b', '"""', "\\", "%_%"]


def test_inspection_search_takes_every_character_literally(store: Store, basics: Basics) -> None:
    """Each query finds exactly the inspections whose text holds it: no exception, no operator, no wildcard."""
    places = {f"场所{n}号{token}末": _inspection(store, basics, place=f"场所{n}号{token}末", minutes=n)
              for n, token in enumerate(METACHARACTERS)}  # fmt: skip
    plain = _inspection(store, basics, place="普通场所", minutes=100)
    with store.session() as session:
        for query in [*METACHARACTERS, *(f"号{t}末" for t in METACHARACTERS), "NEAR(a b)", "a OR b", "x*"]:
            expected = {i for place, i in places.items() if query.lower() in place.lower()}
            found = {r.id for r in list_inspections(session, InspectionFilter(text=query))}
            assert found == expected, query
        # The plain record is found by its own text, and only by it.
        assert [r.id for r in list_inspections(session, InspectionFilter(text="普通场所"))] == [plain]


def test_enterprise_search_takes_every_character_literally(store: Store, basics: Basics) -> None:
    # basics' chemical plant lives on "凤城镇100%路_1号"; the coal mine has neither % nor _ anywhere.
    with store.session() as session:
        for query in ["%", "_", "%路_", "100%"]:
            assert [r.id for r in search_enterprises(session, text=query)] == [basics.plant_id], query
        for query in ["\\", "'", '"', ";--", "' OR '1'='1", "[a-z]", "NEAR(", "*"]:
            assert search_enterprises(session, text=query) == [], query
        assert len(search_enterprises(session, text="")) == 2


# ─── text that is not UTF-8 ──────────────────────────────────────────────────────────────────────────


def test_a_gbk_checklist_is_refused_naming_the_encoding_and_the_installed_one_stays(
    store: Store, tmp_path: Path
) -> None:
    with store.session() as session:
        import_definition(session, parse_checklist_text(demo_checklist(), name="demo.toml"))
    path = tmp_path / "demo-gbk.toml"
    path.write_bytes(demo_checklist(revision=2, first_content="改过的内容").encode("gbk"))  # Notepad's "ANSI"
    with pytest.raises(ChecklistFileError) as info:
        parse_checklist_file(path)
    [problem] = info.value.problems
    assert "not UTF-8" in problem.reason and "GBK" in problem.reason and "UTF-8 编码" in problem.reason
    assert problem.line == 5  # title = "演示检查表": the first line with a Chinese character
    assert info.value.message_zh.startswith("检查表") or "错误" in info.value.message_zh
    with store.session() as session:
        [template] = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.code == "demo")).all()
        assert template.revision == 1


@pytest.mark.parametrize(("raw", "line"), [(b"\xff\xfe\xfd", 1), (b'[bank]\ncode = "x\xc3"\n', 2), (b"\x80" * 10, 1)])
def test_a_bank_file_with_invalid_bytes_is_refused(tmp_path: Path, raw: bytes, line: int) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(raw)
    with pytest.raises(BankFileError) as info:
        parse_bank_file(path)
    [problem] = info.value.problems
    assert problem.reason.startswith("not UTF-8 text") and problem.line == line
    assert info.value.message_zh


def test_a_gbk_spreadsheet_is_read_and_undecodable_bytes_are_refused_in_chinese(tmp_path: Path) -> None:
    # What Excel and WPS on a Chinese Windows save as "CSV": GBK. It is read, characters intact.
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("题型,适用岗位,题干,答案\n判断,主要负责人,安全生产法自何时施行？,对\n".encode("gbk"))
    assert [q.stem for _row, q in read_question_rows(gbk).questions] == ["安全生产法自何时施行？"]
    # Bytes that are neither UTF-8 nor GBK: a clear refusal naming the encoding.
    bad = tmp_path / "bad.csv"
    bad.write_bytes("题型,适用岗位,题干,答案\n".encode() + b"\xff\xff\x80\x80,\xfe\n")
    with pytest.raises(SpreadsheetError) as info:
        read_question_rows(bad)
    assert "编码" in info.value.message_zh and "UTF-8" in info.value.message_en
