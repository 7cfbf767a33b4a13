"""The shipped checklists in resources/checklists/: they validate together and say what their standards say."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from inspector.checklists.files import builtin_checklist_paths, load_builtin_definitions, load_definitions
from inspector.checklists.schema import GENERAL_INDUSTRY, ChecklistDef, ChecklistFileError, parse_checklist_file
from inspector.domain.enums import HazardGrade, Industry
from tests.checklists.samples import INDUSTRY_CODES

_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int:
    """一 … 九十九 as used in 第N条 / 第N项."""
    if text.startswith("十"):
        text = "一" + text
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _DIGITS[tens] * 10 + (_DIGITS[ones] if ones else 0)
    return _DIGITS[text]


def numbered(pattern: str, text: str) -> int:
    """The Chinese number captured by `pattern` in `text` (which must match)."""
    match = re.search(pattern, text)
    assert match is not None, (pattern, text)
    return chinese_number(match.group(1))


def test_chinese_number_helper() -> None:
    assert [chinese_number(t) for t in ("一", "九", "十", "十一", "十八", "二十", "二十一")] == [
        1,
        9,
        10,
        11,
        18,
        20,
        21,
    ]


@pytest.fixture(scope="module")
def resolved() -> dict[str, ChecklistDef]:
    return load_builtin_definitions()


@pytest.fixture(scope="module")
def raw() -> dict[str, ChecklistDef]:
    """Each file as written, includes not applied."""
    return {d.code: d for d in (parse_checklist_file(p) for p in builtin_checklist_paths())}


def items_of(definition: ChecklistDef) -> list:
    return [item for section in definition.sections for item in section.items]


def major_items(definition: ChecklistDef) -> list:
    return [i for i in items_of(definition) if i.grade is HazardGrade.MAJOR]


# ─── all shipped files together ────────────────────────────────────────────────────────────────────


def test_shipped_files_are_the_general_one_and_nine_industries(raw: dict[str, ChecklistDef]) -> None:
    names = sorted(p.name for p in builtin_checklist_paths())
    assert names == sorted(f"{c}.toml" for c in (*INDUSTRY_CODES, "general"))
    assert set(raw) == {*INDUSTRY_CODES, "general"}
    for code, definition in raw.items():
        assert definition.path is not None and definition.path.name == f"{code}.toml"  # file named after its code


def test_every_shipped_checklist_validates_together(resolved: dict[str, ChecklistDef]) -> None:
    assert set(resolved) == {*INDUSTRY_CODES, "general"}
    for definition in resolved.values():
        assert definition.include == ()  # resolved
        assert definition.item_count > 0
        assert definition.revision >= 1
        assert len(definition.sha256) == 64


def test_each_header_industry_is_a_known_value(raw: dict[str, ChecklistDef]) -> None:
    known = {i.value for i in Industry}
    assert raw["general"].industry == GENERAL_INDUSTRY
    industries = [d.industry for code, d in raw.items() if code != "general"]
    assert all(industry in known for industry in industries), industries
    assert len(set(industries)) == len(industries) == 9  # one checklist per industry
    expected = {
        "coal": Industry.COAL,
        "metal-mines": Industry.METAL_NONMETAL_MINE,
        "chemicals": Industry.HAZARDOUS_CHEMICALS,
        "industry-trade": Industry.INDUSTRY_TRADE,
        "construction": Industry.CONSTRUCTION,
        "city-gas": Industry.CITY_GAS,
        "fire": Industry.FIRE,
        "explosives": Industry.EXPLOSIVES,
        "fireworks": Industry.FIREWORKS,
    }
    assert {code: raw[code].industry for code in INDUSTRY_CODES} == expected


def test_every_industry_checklist_includes_the_general_section(
    raw: dict[str, ChecklistDef], resolved: dict[str, ChecklistDef]
) -> None:
    general = raw["general"]
    assert general.include == ()
    general_titles = [s.title for s in general.sections]
    general_codes = [i.code for i in items_of(general)]
    assert all(code.startswith("general-") for code in general_codes)
    for code in INDUSTRY_CODES:
        own = raw[code]
        assert own.include == ("general",), code
        full = resolved[code]
        own_count = len(own.sections)
        assert full.sections[:own_count] == own.sections  # own sections first, unchanged
        tail = full.sections[own_count:]
        assert [s.title for s in tail] == general_titles, code
        assert [i.code for s in tail for i in s.items] == general_codes, code
        assert not any(i.code.startswith("general-") for i in items_of(own)), code
        assert full.item_count == own.item_count + general.item_count
        assert set(general.sources) <= set(full.sources)
        assert full.sha256 != own.sha256  # the resolved hash covers the included file too


def test_item_and_section_codes_are_unique_per_resolved_checklist(resolved: dict[str, ChecklistDef]) -> None:
    for code, definition in resolved.items():
        item_codes = [i.code for i in items_of(definition)]
        assert len(item_codes) == len(set(item_codes)), [c for c, n in Counter(item_codes).items() if n > 1]
        section_codes = [s.code for s in definition.sections]
        assert len(section_codes) == len(set(section_codes)), code


def test_own_codes_carry_the_checklist_code_as_prefix(raw: dict[str, ChecklistDef]) -> None:
    for code, definition in raw.items():
        for section in definition.sections:
            assert section.code.startswith(f"{code}-"), section.code
            for item in section.items:
                assert item.code.startswith(f"{code}-"), item.code


def test_general_checklist_has_only_general_grade_items(raw: dict[str, ChecklistDef]) -> None:
    grades = {i.grade for i in items_of(raw["general"])}
    assert grades == {HazardGrade.GENERAL}
    assert not any(i.unconfirmed for i in items_of(raw["general"]))  # its header: 全部条目均已与法规文本核对


def test_every_major_item_quotes_its_clause_or_is_unconfirmed(resolved: dict[str, ChecklistDef]) -> None:
    for definition in resolved.values():
        for item in major_items(definition):
            assert item.basis_text or item.unconfirmed, item.code
            if item.unconfirmed:
                assert item.note, item.code
            assert "《" in item.basis and "》" in item.basis, item.code


def test_coal_has_fifteen_sections_of_its_own(raw: dict[str, ChecklistDef], resolved: dict[str, ChecklistDef]) -> None:
    coal = raw["coal"]
    # 《煤矿重大事故隐患判定标准》第三条: 15 个方面; coal-01 … coal-15 follow 第四条 … 第十八条.
    assert [s.code for s in coal.sections] == [f"coal-{n:02d}" for n in range(1, 16)]
    assert [s.code for s in resolved["coal"].sections][:15] == [f"coal-{n:02d}" for n in range(1, 16)]
    assert [s.code for s in resolved["coal"].sections][15:] == [s.code for s in raw["general"].sections]
    assert coal.sections[0].title == "超能力、超强度或者超定员组织生产"
    for number, section in enumerate(coal.sections, start=1):
        articles = {numbered(r"第([一二三四五六七八九十]+)条", i.basis) for i in section.items}
        assert articles == {number + 3}, section.code
        assert all(i.code.startswith(f"{section.code}-") for i in section.items)


def test_coal_counts_match_its_header(raw: dict[str, ChecklistDef]) -> None:
    coal = raw["coal"]
    # Header: 一个情形一项，共80项，全部为“重大事故隐患” (the 解读 speaks of 81; the missing one was not invented).
    assert coal.item_count == 80
    assert len(major_items(coal)) == 80
    # Header: 共7项 unconfirmed = false（coal-05-06 … coal-05-10、coal-06-01、coal-06-02）, 73 unconfirmed.
    confirmed = sorted(i.code for i in items_of(coal) if not i.unconfirmed)
    assert confirmed == [*(f"coal-05-{n:02d}" for n in range(6, 11)), "coal-06-01", "coal-06-02"]
    assert sum(i.unconfirmed for i in items_of(coal)) == 73
    assert coal.sources == ("《煤矿重大事故隐患判定标准》（应急管理部令第4号）",)


def test_chemicals_has_the_twenty_items_of_the_2017_standard(raw: dict[str, ChecklistDef]) -> None:
    chemicals = raw["chemicals"]
    # 安监总管三〔2017〕121号: 20 项并列, 全部为重大事故隐患; 5 groups as its header lists.
    assert len(major_items(chemicals)) == 20
    assert chemicals.item_count == 20
    assert [s.code for s in chemicals.sections] == [f"chemicals-{n:02d}" for n in range(1, 6)]
    numbers = []
    for item in items_of(chemicals):
        number = numbered(r"第([一二三四五六七八九十]+)项$", item.basis)
        assert item.code.endswith(f"-{number:02d}"), (item.code, item.basis)  # chemicals-<节>-<标准项号>
        assert "安监总管三〔2017〕121号" in item.basis
        numbers.append(number)
    assert sorted(numbers) == list(range(1, 21))  # 第一项 … 第二十项, each once
    groups = {s.code: sorted(int(i.code.rsplit("-", 1)[1]) for i in s.items) for s in chemicals.sections}
    assert groups == {
        "chemicals-01": [1, 2],
        "chemicals-02": [3, 8, 9, 13],
        "chemicals-03": [4, 10, 11, 12, 14, 15],
        "chemicals-04": [5, 6, 7, 20],
        "chemicals-05": [16, 17, 18, 19],
    }


def test_city_gas_has_the_twenty_two_items_of_the_2023_standard(raw: dict[str, ChecklistDef]) -> None:
    gas = raw["city-gas"]
    # 建城规〔2023〕4号: 第四～七条、第九条的每一项 + 第八条、第十条整条 = 22 项, one section per article.
    assert len(major_items(gas)) == 22
    assert gas.item_count == 22
    assert [s.code for s in gas.sections] == [f"city-gas-{n:02d}" for n in range(1, 8)]
    per_article: dict[int, int] = {}
    for number, section in enumerate(gas.sections, start=1):
        articles = {numbered(r"号）第([一二三四五六七八九十]+)条", i.basis) for i in section.items}
        assert articles == {number + 3}, section.code
        per_article[number + 3] = len(section.items)
        assert all(i.basis_text for i in section.items)  # header: 未核对的条目：无
    assert per_article == {4: 5, 5: 5, 6: 3, 7: 3, 8: 1, 9: 4, 10: 1}
    assert not any(i.unconfirmed for i in items_of(gas))


# ─── includes and clashes ──────────────────────────────────────────────────────────────────────────

SMALL = """\
[checklist]
code = "{code}"
revision = 1
title = "小表"
industry = "{industry}"
sources = ["《小标准》"]
include = {include}

[[sections]]
code = "{code}-01"
title = "一节"

[[sections.items]]
code = "{item}"
content = "内容"
method = "方法"
basis = "《小标准》第一条"
grade = "一般隐患"
"""


def small(tmp_path: Path, code: str, *, include: str = "[]", item: str = "", industry: str = "工贸") -> Path:
    path = tmp_path / f"{code}.toml"
    path.write_text(
        SMALL.format(code=code, include=include, item=item or f"{code}-01-01", industry=industry), encoding="utf-8"
    )
    return path


def test_include_resolves_against_extra_files_only(tmp_path: Path) -> None:
    a = small(tmp_path, "alpha", include='["beta"]')
    b = small(tmp_path, "beta")
    result = load_definitions([a], extra=[b])
    assert set(result) == {"alpha"}  # extra files are read for includes, not returned
    assert [s.code for s in result["alpha"].sections] == ["alpha-01", "beta-01"]


def test_unknown_include_is_reported(tmp_path: Path) -> None:
    a = small(tmp_path, "alpha", include='["gamma"]')
    with pytest.raises(ChecklistFileError) as info:
        load_definitions([a])
    [problem] = info.value.problems
    assert problem.file == "alpha.toml"
    assert problem.where == "include"
    assert "unknown checklist 'gamma'" in problem.reason


def test_include_clash_is_reported(tmp_path: Path) -> None:
    a = small(tmp_path, "alpha", include='["beta"]', item="shared-01")
    b = small(tmp_path, "beta", item="shared-01")
    with pytest.raises(ChecklistFileError) as info:
        load_definitions([a], extra=[b])
    [problem] = info.value.problems
    assert problem.file == "alpha.toml"
    assert problem.where == "include"
    assert "'beta'" in problem.reason and "shared-01" in problem.reason


def test_including_the_general_checklist_twice_clashes(tmp_path: Path) -> None:
    a = small(tmp_path, "alpha", include='["general", "general"]')
    with pytest.raises(ChecklistFileError) as info:
        load_definitions([a], extra=builtin_checklist_paths())
    assert "general-01-01" in info.value.problems[0].reason


def test_two_files_with_one_code_are_reported(tmp_path: Path) -> None:
    first = small(tmp_path, "alpha")
    second = tmp_path / "copy.toml"
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ChecklistFileError) as info:
        load_definitions([first, second])
    [problem] = info.value.problems
    assert problem.file == "copy.toml"
    assert "'alpha' used by two files" in problem.reason


def test_problems_of_all_files_are_collected(tmp_path: Path) -> None:
    good = small(tmp_path, "alpha", include='["nowhere"]')
    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL.format(code="beta", include="[]", item="Beta_1", industry="工贸"), encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_bytes(b"[checklist\n")
    with pytest.raises(ChecklistFileError) as info:
        load_definitions([good, bad, broken])
    files = [p.file for p in info.value.problems]
    assert sorted(set(files)) == ["alpha.toml", "bad.toml", "broken.toml"], info.value.problems


def test_a_wanted_file_shadows_an_extra_one_with_the_same_code(tmp_path: Path) -> None:
    mine = small(tmp_path, "general", industry="通用")
    alpha = small(tmp_path, "alpha", include='["general"]')
    result = load_definitions([mine, alpha], extra=builtin_checklist_paths())
    assert [s.code for s in result["alpha"].sections] == ["alpha-01", "general-01"]
    assert result["alpha"].item_count == 2  # the general of `mine`, not the shipped one
