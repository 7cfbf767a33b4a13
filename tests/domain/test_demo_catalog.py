"""Consistency checks on the static demo catalog for 阳城县."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from inspector.demo.catalog import (
    AGENCY,
    ENTERPRISES,
    FINISHED_INSPECTION_ENTERPRISE_KEY,
    FINISHED_INSPECTION_FINDINGS,
    INSPECTORS,
)
from inspector.domain.enums import FindingMeasure, HazardGrade, Industry
from inspector.domain.identifiers import (
    validate_credit_code,
    validate_enforcement_cert_no,
    validate_phone,
)

INDUSTRIES = {
    "煤矿",
    "金属非金属矿山",
    "危险化学品",
    "工贸",
    "建筑施工",
    "城镇燃气",
    "消防",
    "交通运输",
    "民用爆炸物品",
}
TOWNSHIPS = {
    "凤城镇",
    "北留镇",
    "润城镇",
    "町店镇",
    "芹池镇",
    "次营镇",
    "横河镇",
    "河北镇",
    "蟒河镇",
    "东冶镇",
    "白桑乡",
    "寺头乡",
    "西河乡",
    "演礼乡",
    "固隆乡",
    "董封乡",
    "驾岭乡",
}
# The team share lies beside the repository (as in CI: a copy of shared/ next to the clone).
SHARED = Path(__file__).resolve().parents[3] / "shared" / "domain"
ARTICLE_HEADER = re.compile(r"^(第[一二三四五六七八九十百零]+条) ", flags=re.MULTILINE)


def test_credit_codes_validate_and_are_registered_in_yangcheng() -> None:
    for enterprise in ENTERPRISES:
        assert validate_credit_code(enterprise.credit_code) == enterprise.credit_code
        assert enterprise.credit_code[2:8] == "140522"
    assert len({e.credit_code for e in ENTERPRISES}) == len(ENTERPRISES)


def test_phones_validate_as_mobiles() -> None:
    for enterprise in ENTERPRISES:
        assert validate_phone(enterprise.contact_phone) == enterprise.contact_phone
        assert len(enterprise.contact_phone) == 11
    for inspector in INSPECTORS:
        assert validate_phone(inspector.phone) == inspector.phone


def test_keys_and_names_unique() -> None:
    assert len({e.key for e in ENTERPRISES}) == len(ENTERPRISES)
    assert len({e.name for e in ENTERPRISES}) == len(ENTERPRISES)
    assert len({i.key for i in INSPECTORS}) == len(INSPECTORS)
    assert len({i.name for i in INSPECTORS}) == len(INSPECTORS)


def test_enterprise_count_and_industries() -> None:
    assert len(ENTERPRISES) >= 24
    industries = Counter(e.industry for e in ENTERPRISES)
    assert set(industries) <= INDUSTRIES
    assert len(industries) >= 8
    assert industries["煤矿"] >= 4
    assert industries["工贸"] >= 5
    assert industries["危险化学品"] >= 4


def test_industries_match_the_domain_vocabulary() -> None:
    known = {industry.value for industry in Industry}
    assert {e.industry for e in ENTERPRISES} <= known


def test_enterprise_fields_are_plausible() -> None:
    for e in ENTERPRISES:
        assert e.township in TOWNSHIPS, e.key
        assert e.township in e.address, e.key
        assert e.address.startswith("山西省晋城市阳城县"), e.key
        assert e.risk_level in {"A", "B", "C", "D"}, e.key
        assert 35.3 <= e.latitude <= 35.6, e.key
        assert 112.2 <= e.longitude <= 112.6, e.key
        assert e.employees > 0, e.key
        assert e.name and e.legal_representative and e.activity, e.key
        assert "演示" not in e.name, e.key
        if e.industry in {"煤矿", "金属非金属矿山", "危险化学品"}:
            assert e.licence_no, e.key
        if e.industry == "煤矿":
            assert e.licence_no.startswith("（晋）MK安许证字〔"), e.key
        if e.industry == "工贸":
            assert e.sector in {"冶金", "有色", "建材", "机械", "轻工", "纺织", "烟草", "商贸"}, e.key
        else:
            assert e.sector == "", e.key


def test_industry_trade_covers_the_required_sectors() -> None:
    activities = [e for e in ENTERPRISES if e.industry == "工贸"]
    sectors = {e.sector for e in activities}
    assert {"冶金", "建材", "机械", "轻工"} <= sectors
    assert any("液氨" in e.activity for e in activities)
    assert any("粉尘" in e.activity for e in activities)


def test_inspectors() -> None:
    roles = Counter(i.role for i in INSPECTORS)
    assert set(roles) <= {"inspector", "supervisor"}
    assert roles["supervisor"] >= 1
    assert roles["inspector"] >= 4
    cert_nos = [i.cert_no for i in INSPECTORS]
    assert len(set(cert_nos)) == len(cert_nos)
    for inspector in INSPECTORS:
        assert validate_enforcement_cert_no(inspector.cert_no) == inspector.cert_no
        assert len(inspector.cert_no) == 11 and inspector.cert_no.startswith("140522")
        assert inspector.unit == AGENCY.name


def test_agency() -> None:
    assert AGENCY.name == "阳城县应急管理局"
    assert AGENCY.short_name == "阳"
    assert AGENCY.county_code == "140522"
    assert AGENCY.review_government == "阳城县人民政府"
    assert AGENCY.review_agency == "晋城市应急管理局"
    assert AGENCY.court == "阳城县人民法院"


def test_findings() -> None:
    assert 4 <= len(FINISHED_INSPECTION_FINDINGS) <= 6
    enterprise = next(e for e in ENTERPRISES if e.key == FINISHED_INSPECTION_ENTERPRISE_KEY)
    assert enterprise.industry == "煤矿"
    grades = {f.grade for f in FINISHED_INSPECTION_FINDINGS}
    assert grades == {"一般隐患", "重大事故隐患"}
    for finding in FINISHED_INSPECTION_FINDINGS:
        assert "《" in finding.basis
        assert finding.description and finding.basis_text
        assert finding.deadline_days >= 0
        if finding.measure == "当场改正":
            assert finding.deadline_days == 0
        else:
            assert finding.deadline_days > 0
        if finding.grade == "重大事故隐患":
            assert finding.basis.startswith("《煤矿重大事故隐患判定标准》（应急管理部令第4号）第")
            assert "条第（" in finding.basis and finding.basis.endswith("项")


def test_finding_clause_texts_are_quoted_exactly() -> None:
    # The reference texts live outside the repository, on the team share.
    coal = SHARED / "standards" / "coal_2020.txt"
    law = SHARED / "laws" / "安全生产法(2021-06-10).txt"
    coal_text = coal.read_text(encoding="utf-8")
    law_text = law.read_text(encoding="utf-8")
    for finding in FINISHED_INSPECTION_FINDINGS:
        if finding.grade == "重大事故隐患":
            assert finding.basis_text in coal_text, finding.basis
            continue
        position = law_text.index(finding.basis_text)
        headers = list(re.finditer(r"^(第[一二三四五六七八九十百零]+条) ", law_text[:position], flags=re.MULTILINE))
        article = headers[-1].group(1)
        paragraph = "一二三四五六七八九"[law_text.count("\n", headers[-1].start(), position)]
        assert finding.basis.endswith(f"{article}第{paragraph}款"), finding.basis


def test_finding_measures_and_grades_are_domain_values() -> None:
    for finding in FINISHED_INSPECTION_FINDINGS:
        measure = FindingMeasure(finding.measure)
        assert HazardGrade(finding.grade)
        # 重大事故隐患 are never closed on the spot; they go through 复查.
        if finding.grade == HazardGrade.MAJOR:
            assert measure is not FindingMeasure.CORRECTED_ON_SITE
