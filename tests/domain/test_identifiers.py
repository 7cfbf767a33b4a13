"""Tests for the identifier validators: credit codes, ID numbers, certificate numbers and phones."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from inspector.domain.identifiers import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    id_number_birth_date,
    id_number_check_char,
    id_number_sex,
    make_credit_code,
    normalize_credit_code,
    normalize_id_number,
    org_code_check_char,
    validate_credit_code,
    validate_enforcement_cert_no,
    validate_id_number,
    validate_phone,
)
from inspector.errors import ValidationError

TODAY = date(2024, 6, 1)


def to_full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


# --- 统一社会信用代码 -----------------------------------------------------------------------------

# Worked by hand from GB 32100-2015 / GB 11714-1997:
#   91350100M000100Y43: 组织机构代码 body M000100Y → 22*3 + 1*5 + 34*2 = 139, 139 % 11 = 7, 11 - 7 = 4;
#     credit sum over the first 17 = 1640, 1640 % 31 = 28, 31 - 28 = 3 → '3'.
#   91140522MA0K12348Q: body MA0K1234 → 377 % 11 = 3 → '8'; credit sum 1712 % 31 = 7 → 24 → 'Q'.
#   911405227012H46K0H: body sum 231 % 11 = 0 → 11 - 0 = 11 → '0'.
#   9114052210000018XK: body 10000018 → sum % 11 = 1 → 10 → 'X'.
VALID_CREDIT_CODES = [
    "91350100M000100Y43",
    "91140522MA0K12348Q",
    "911405227012H46K0H",
    "9114052210000018XK",
    "91140522000000000G",
]


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_valid_credit_codes(code: str) -> None:
    assert validate_credit_code(code) == code
    assert credit_code_check_char(code[:17]) == code[17]
    assert org_code_check_char(code[8:16]) == code[16]


def test_org_code_check_char_maps_10_and_11() -> None:
    assert org_code_check_char("10000018") == "X"
    assert org_code_check_char("7012H46K") == "0"
    assert org_code_check_char("M000100Y") == "4"


def test_credit_code_normalization() -> None:
    assert normalize_credit_code(" 9135 0100 m000 100y 43 ") == "91350100M000100Y43"
    assert validate_credit_code(to_full_width("91350100m000100y43")) == "91350100M000100Y43"
    assert validate_credit_code("91350100M000100Y43\u3000") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("raw", "zh_part"),
    [
        ("91350100M000100Y4", "当前为17位"),
        ("91350100M000100Y433", "当前为19位"),
        ("", "不能为空"),
    ],
)
def test_credit_code_length(raw: str, zh_part: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_credit_code(raw)
    assert zh_part in info.value.message_zh
    assert info.value.code == "invalid"


def test_credit_code_length_message_exact() -> None:
    with pytest.raises(ValidationError) as info:
        validate_credit_code("91350100M000100Y4")
    assert info.value.message_zh == "统一社会信用代码应为18位，当前为17位"
    assert "18" in info.value.message_en and "17" in info.value.message_en


@pytest.mark.parametrize("bad", ["I", "O", "Z", "S", "V", "-", "中"])
def test_credit_code_illegal_character_position(bad: str) -> None:
    code = "91350100M000100Y43"
    broken = code[:9] + bad + code[10:]
    with pytest.raises(ValidationError) as info:
        validate_credit_code(broken)
    assert "position 10" in info.value.message_en
    assert "第10位" in info.value.message_zh


def test_credit_code_region_not_digits() -> None:
    first17 = "91" + "1405A2" + "MA0K1234" + org_code_check_char("MA0K1234")
    code = first17 + credit_code_check_char(first17)
    with pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    assert "6 digits" in info.value.message_en
    assert "行政区划码" in info.value.message_zh


def test_credit_code_wrong_org_check_digit() -> None:
    # Overall check char recomputed so only the embedded 组织机构代码 is wrong.
    first17 = "91140522MA0K1234" + "7"
    code = first17 + credit_code_check_char(first17)
    with pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    assert "should be '8'" in info.value.message_en
    assert "组织机构代码" in info.value.message_zh


def test_credit_code_wrong_check_char_names_expected_in_english_only() -> None:
    with pytest.raises(ValidationError) as info:
        validate_credit_code("91350100M000100Y44")
    assert "should be '3'" in info.value.message_en
    assert info.value.message_zh == "统一社会信用代码校验位错误"
    assert "3" not in info.value.message_zh


def test_credit_code_check_char_rejects_bad_body() -> None:
    with pytest.raises(ValidationError):
        credit_code_check_char("91350100M000100Y")
    with pytest.raises(ValidationError):
        credit_code_check_char("91350100M000100YI")


def test_make_credit_code_known() -> None:
    assert make_credit_code("140522", "MA0K1234") == "91140522MA0K12348Q"
    assert make_credit_code("350100", "M000100Y") == "91350100M000100Y43"
    assert make_credit_code("140522", "MA0K1234", department="5", category="2").startswith("52140522")


@pytest.mark.parametrize(
    ("region", "body", "department", "category"),
    [
        ("14052", "MA0K1234", "9", "1"),
        ("14052A", "MA0K1234", "9", "1"),
        ("140522", "MA0K123", "9", "1"),
        ("140522", "MA0K123O", "9", "1"),
        ("140522", "MA0K1234", "91", "1"),
        ("140522", "MA0K1234", "9", "I"),
    ],
)
def test_make_credit_code_rejects_bad_parts(region: str, body: str, department: str, category: str) -> None:
    with pytest.raises(ValidationError):
        make_credit_code(region, body, department, category)


credit_chars = st.sampled_from(CREDIT_CODE_ALPHABET)
org_bodies = st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=8, max_size=8)
regions = st.text(alphabet="0123456789", min_size=6, max_size=6)


@given(region=regions, body=org_bodies, department=credit_chars, category=credit_chars)
def test_make_credit_code_always_validates(region: str, body: str, department: str, category: str) -> None:
    code = make_credit_code(region, body, department, category)
    assert len(code) == 18
    assert validate_credit_code(code) == code


@given(
    region=regions,
    body=org_bodies,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from(CREDIT_CODE_ALPHABET + "IOZSV"),
)
def test_any_single_change_invalidates_credit_code(region: str, body: str, position: int, replacement: str) -> None:
    code = make_credit_code(region, body)
    assume(code[position] != replacement)
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        validate_credit_code(changed)


# --- 居民身份证号 ---------------------------------------------------------------------------------


def test_well_known_sample_id_number() -> None:
    # 7*1 + 9*1 + ... over 11010519491231002 = 167; 167 % 11 = 2 → 'X'.
    assert id_number_check_char("11010519491231002") == "X"
    assert validate_id_number("11010519491231002X", today=TODAY) == "11010519491231002X"
    assert id_number_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert id_number_sex("11010519491231002X") == "女"


def test_id_number_lower_case_x_and_full_width() -> None:
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"
    assert validate_id_number("11010519491231002x", today=TODAY) == "11010519491231002X"
    assert validate_id_number(to_full_width("110105 19491231 002x"), today=TODAY) == "11010519491231002X"


def test_id_number_sex_male() -> None:
    first17 = "14052219850317001"
    number = first17 + id_number_check_char(first17)
    assert id_number_sex(number) == "男"
    assert id_number_birth_date(number) == date(1985, 3, 17)


def make_id(area: str, birth: date, seq: str) -> str:
    first17 = f"{area}{birth:%Y%m%d}{seq}"
    return first17 + id_number_check_char(first17)


@pytest.mark.parametrize(
    ("raw", "zh_part"),
    [
        ("", "不能为空"),
        ("11010519491231002", "当前为17位"),
        ("11010519491231002X1", "当前为19位"),
        ("1101051949123100AX", "第17位应为数字"),
        ("11010519491231002Y", "最后一位应为数字或X"),
    ],
)
def test_id_number_shape_errors(raw: str, zh_part: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_id_number(raw, today=TODAY)
    assert zh_part in info.value.message_zh


def test_id_number_area_starting_with_zero() -> None:
    with pytest.raises(ValidationError) as info:
        validate_id_number(make_id("010105", date(1980, 1, 1), "001"), today=TODAY)
    assert "地址码" in info.value.message_zh


@pytest.mark.parametrize("birth", ["19490230", "19491301", "20230229", "19490000"])
def test_id_number_impossible_birth_date(birth: str) -> None:
    first17 = f"110105{birth}002"
    number = first17 + id_number_check_char(first17)
    with pytest.raises(ValidationError) as info:
        validate_id_number(number, today=TODAY)
    assert "出生日期不存在" in info.value.message_zh


def test_id_number_leap_day_is_real() -> None:
    number = make_id("140522", date(2000, 2, 29), "123")
    assert validate_id_number(number, today=TODAY) == number


def test_id_number_birth_before_1900() -> None:
    with pytest.raises(ValidationError) as info:
        validate_id_number(make_id("110105", date(1899, 12, 31), "002"), today=TODAY)
    assert "1900" in info.value.message_zh


def test_id_number_birth_in_future() -> None:
    tomorrow = TODAY + timedelta(days=1)
    with pytest.raises(ValidationError) as info:
        validate_id_number(make_id("140522", tomorrow, "002"), today=TODAY)
    assert "晚于今天" in info.value.message_zh
    # Born today is fine.
    assert validate_id_number(make_id("140522", TODAY, "002"), today=TODAY)


def test_id_number_default_today_is_the_real_today() -> None:
    far_future = date.today() + timedelta(days=400)
    with pytest.raises(ValidationError):
        validate_id_number(make_id("140522", far_future, "002"))


def test_id_number_wrong_check_char() -> None:
    with pytest.raises(ValidationError) as info:
        validate_id_number("110105194912310021", today=TODAY)
    assert "should be 'X'" in info.value.message_en
    assert info.value.message_zh == "身份证号码校验位错误"


def test_id_number_helpers_reject_invalid() -> None:
    with pytest.raises(ValidationError):
        id_number_birth_date("110105194912310021")
    with pytest.raises(ValidationError):
        id_number_sex("1101051949")
    with pytest.raises(ValidationError):
        id_number_check_char("1101051949123100")


areas = st.from_regex(r"[1-9][0-9]{5}", fullmatch=True)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.from_regex(r"[0-9]{3}", fullmatch=True)


@given(area=areas, birth=births, seq=sequences)
def test_generated_id_numbers_validate(area: str, birth: date, seq: str) -> None:
    number = make_id(area, birth, seq)
    assert validate_id_number(number, today=TODAY) == number
    assert id_number_birth_date(number) == birth
    assert id_number_sex(number) == ("男" if int(seq[-1]) % 2 else "女")


@given(area=areas, birth=births, seq=sequences, replacement=st.sampled_from("0123456789X"))
def test_changed_id_check_char_fails(area: str, birth: date, seq: str, replacement: str) -> None:
    number = make_id(area, birth, seq)
    assume(number[17] != replacement)
    with pytest.raises(ValidationError):
        validate_id_number(number[:17] + replacement, today=TODAY)


# --- 执法证号 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("14052200101", "14052200101"),
        ("  14052200101 ", "14052200101"),
        (to_full_width("14052200101"), "14052200101"),
        ("sx-0522-017", "SX-0522-017"),
        ("123456", "123456"),
        ("1" * 20, "1" * 20),
    ],
)
def test_enforcement_cert_no_valid(raw: str, expected: str) -> None:
    assert validate_enforcement_cert_no(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "1" * 21, "1405 2200101", "晋14052200101", "140522_00101"])
def test_enforcement_cert_no_invalid(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_enforcement_cert_no(raw)
    assert info.value.message_zh == "执法证号格式不正确"


# --- 联系电话 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13803561234", "13803561234"),
        ("138 0356 1234", "13803561234"),
        ("138-0356-1234", "13803561234"),
        ("+86 13803561234", "13803561234"),
        (to_full_width("13803561234"), "13803561234"),
        ("0356-4212345", "0356-4212345"),
        ("03564212345", "0356-4212345"),
        ("(0356)4212345", "0356-4212345"),
        ("0356-42123456", "0356-42123456"),
        ("010-62345678", "010-62345678"),
        ("4212345", "4212345"),
        ("62345678", "62345678"),
    ],
)
def test_phone_valid(raw: str, expected: str) -> None:
    assert validate_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12803561234",
        "1380356123",
        "138035612345",
        "0356-0212345",
        "0356-421234",
        "0012-4212345",
        "1212345",
        "138O3561234",
        "电话13803561234",
    ],
)
def test_phone_invalid(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_phone(raw)
    assert info.value.message_zh == "联系电话格式不正确"


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_any_mobile_validates(number: str) -> None:
    assert validate_phone(number) == number
