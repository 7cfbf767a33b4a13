"""Validation of Chinese identifiers: 统一社会信用代码, 居民身份证号, 执法证号 and phone numbers."""

from __future__ import annotations

import re
from datetime import date

from inspector.errors import ValidationError

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "credit_code_check_char",
    "id_number_birth_date",
    "id_number_check_char",
    "id_number_sex",
    "make_credit_code",
    "normalize_credit_code",
    "normalize_id_number",
    "org_code_check_char",
    "validate_credit_code",
    "validate_enforcement_cert_no",
    "validate_id_number",
    "validate_phone",
]

# GB 32100-2015 leaves out I, O, Z, S and V so that they cannot be misread as 1, 0, 2, 5 and U.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11714-1997 组织机构代码: body over 0-9A-Z, letters worth 10..35.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# GB 11643-1999.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_EARLIEST_BIRTH = date(1900, 1, 1)

_CERT_NO_RE = re.compile(r"[0-9A-Za-z-]{6,20}")
_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
# Local numbers never start with 0 or 1: those prefixes are the trunk code and special services.
_LOCAL_RE = re.compile(r"[2-9]\d{6,7}")
# Beijing (010) and 02x cities have 3-digit area codes; every other area code has 4 digits.
_AREA_3_RE = re.compile(r"0(?:10|2\d)")
_AREA_4_RE = re.compile(r"0[3-9]\d{2}")

_WHITESPACE_RE = re.compile(r"\s+")


def _to_half_width(raw: str) -> str:
    """Map full-width ASCII (what Chinese IMEs type in full-width mode) and the ideographic space to ASCII.

    NFKC would also do this, but it turns ①, ² and the like into digits too, accepting input that is not a
    number at all.
    """
    out: list[str] = []
    for ch in raw:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _compact(raw: str) -> str:
    """Half-width, upper-case, with every space removed (codes are often typed or printed in groups)."""
    return _WHITESPACE_RE.sub("", _to_half_width(raw)).upper()


# --- 统一社会信用代码 -----------------------------------------------------------------------------


def normalize_credit_code(raw: str) -> str:
    """Remove spaces, turn full-width characters half-width and upper-case; does not validate."""
    return _compact(raw)


def org_code_check_char(first8: str) -> str:
    """The GB 11714 check character for an 8-character 组织机构代码 body."""
    body = _compact(first8)
    if len(body) != 8 or any(ch not in _ORG_BODY_ALPHABET for ch in body):
        raise ValidationError(
            f"organization code body must be 8 characters of 0-9/A-Z, got {first8!r}",
            "组织机构代码本体应为8位数字或大写字母",
        )
    total = sum(_ORG_BODY_ALPHABET.index(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character (position 18) for the first 17 characters of a credit code."""
    body = normalize_credit_code(first17)
    if len(body) != 17 or any(ch not in _CREDIT_VALUES for ch in body):
        raise ValidationError(
            f"credit code body must be 17 characters of {CREDIT_CODE_ALPHABET}, got {first17!r}",
            "统一社会信用代码前17位含有非法字符或位数不对",
        )
    total = sum(_CREDIT_VALUES[ch] * w for ch, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(raw: str) -> str:
    """Return the normalized 统一社会信用代码, or raise ValidationError saying what is wrong with it."""
    code = normalize_credit_code(raw)
    if not code:
        raise ValidationError("credit code is empty", "统一社会信用代码不能为空")
    if len(code) != 18:
        raise ValidationError(
            f"credit code must have 18 characters, got {len(code)}",
            f"统一社会信用代码应为18位，当前为{len(code)}位",
        )
    for position, ch in enumerate(code, start=1):
        if ch not in _CREDIT_VALUES:
            raise ValidationError(
                f"credit code has an illegal character {ch!r} at position {position} "
                "(allowed: digits and capital letters except I, O, Z, S, V)",
                f"统一社会信用代码第{position}位字符“{ch}”不合法（不使用I、O、Z、S、V）",
            )
    region = code[2:8]
    if not region.isdigit():
        raise ValidationError(
            f"credit code positions 3-8 (registration region code) must be 6 digits, got {region!r}",
            "统一社会信用代码第3至8位（登记管理机关行政区划码）应为6位数字",
        )
    # The embedded 组织机构代码 is checked first: a typo in positions 9-17 breaks both check characters, and
    # naming the narrower range tells the user where to look.
    org_expected = org_code_check_char(code[8:16])
    if code[16] != org_expected:
        raise ValidationError(
            f"embedded organization code {code[8:17]!r} has a wrong check digit: "
            f"position 17 should be {org_expected!r}",
            "统一社会信用代码第9至17位（组织机构代码）校验码错误",
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            f"credit code check character is wrong: position 18 is {code[17]!r}, should be {expected!r}",
            "统一社会信用代码校验位错误",
        )
    return code


def make_credit_code(region: str, org_body8: str, department: str = "9", category: str = "1") -> str:
    """Build a valid credit code from its parts, computing both check characters.

    The defaults 9/1 are 工商 / 企业, the kind every company registered with 市场监管 carries.
    """
    dept = normalize_credit_code(department)
    cat = normalize_credit_code(category)
    reg = normalize_credit_code(region)
    body = normalize_credit_code(org_body8)
    if len(dept) != 1 or dept not in _CREDIT_VALUES or len(cat) != 1 or cat not in _CREDIT_VALUES:
        raise ValidationError(
            f"department and category codes must be one credit-code character each, got {department!r}, {category!r}",
            "登记管理部门代码和机构类别代码应各为1位",
        )
    if len(reg) != 6 or not reg.isdigit():
        raise ValidationError(
            f"region code must be 6 digits, got {region!r}",
            "登记管理机关行政区划码应为6位数字",
        )
    if len(body) != 8 or any(ch not in _CREDIT_VALUES for ch in body):
        raise ValidationError(
            f"organization body must be 8 characters of {CREDIT_CODE_ALPHABET}, got {org_body8!r}",
            "主体标识码本体应为8位，且不使用I、O、Z、S、V",
        )
    first17 = dept + cat + reg + body + org_code_check_char(body)
    return first17 + credit_code_check_char(first17)


# --- 居民身份证号 ---------------------------------------------------------------------------------


def normalize_id_number(raw: str) -> str:
    """Remove spaces, turn full-width characters half-width and upper-case (x → X); does not validate."""
    return _compact(raw)


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    body = normalize_id_number(first17)
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise ValidationError(
            f"ID number body must be 17 digits, got {first17!r}",
            "身份证号码前17位应为数字",
        )
    total = sum(int(ch) * w for ch, w in zip(body, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _parse_birth_date(number: str) -> date:
    text = number[6:14]
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise ValidationError(
            f"ID number birth date {text!r} is not a real date",
            "身份证号码中的出生日期不存在",
        ) from None


def _check_id_number(raw: str, today: date | None) -> str:
    """Validate shape, area, birth date and check char; skips the future-date check when today is None."""
    number = normalize_id_number(raw)
    if not number:
        raise ValidationError("ID number is empty", "身份证号码不能为空")
    if len(number) != 18:
        raise ValidationError(
            f"ID number must have 18 characters, got {len(number)}",
            f"身份证号码应为18位，当前为{len(number)}位",
        )
    body = number[:17]
    if not body.isascii() or not body.isdigit():
        position = next(i for i, ch in enumerate(body, start=1) if not ("0" <= ch <= "9"))
        raise ValidationError(
            f"ID number has a non-digit {body[position - 1]!r} at position {position}",
            f"身份证号码第{position}位应为数字",
        )
    if number[17] not in _ID_CHECK_CHARS:
        raise ValidationError(
            f"ID number check character must be a digit or X, got {number[17]!r}",
            "身份证号码最后一位应为数字或X",
        )
    if number[0] == "0":
        raise ValidationError(
            f"ID number area code {number[:6]!r} is not a valid administrative division code",
            "身份证号码前6位（地址码）不正确",
        )
    birth = _parse_birth_date(number)
    if birth < _ID_EARLIEST_BIRTH:
        raise ValidationError(
            f"ID number birth date {birth.isoformat()} is before 1900",
            "身份证号码中的出生日期早于1900年",
        )
    if today is not None and birth > today:
        raise ValidationError(
            f"ID number birth date {birth.isoformat()} is in the future",
            "身份证号码中的出生日期晚于今天",
        )
    expected = id_number_check_char(body)
    if number[17] != expected:
        raise ValidationError(
            f"ID number check character is wrong: position 18 is {number[17]!r}, should be {expected!r}",
            "身份证号码校验位错误",
        )
    return number


def validate_id_number(raw: str, *, today: date | None = None) -> str:
    """Return the normalized 18-character ID number, or raise ValidationError saying what is wrong."""
    return _check_id_number(raw, today if today is not None else date.today())


def id_number_birth_date(valid: str) -> date:
    """The birth date encoded in an ID number (positions 7-14)."""
    # No future-date check: the caller already validated the number against its own notion of today.
    return _parse_birth_date(_check_id_number(valid, None))


def id_number_sex(valid: str) -> str:
    """Return "男" or "女" from the parity of the 17th digit."""
    number = _check_id_number(valid, None)
    return "男" if int(number[16]) % 2 == 1 else "女"


# --- 执法证号 -------------------------------------------------------------------------------------


def validate_enforcement_cert_no(raw: str) -> str:
    """Return the trimmed, half-width, upper-cased 执法证号 (6-20 of digits, ASCII letters, hyphen)."""
    cert = _to_half_width(raw).strip().upper()
    if not _CERT_NO_RE.fullmatch(cert):
        raise ValidationError(
            f"enforcement certificate number must be 6-20 digits, letters or hyphens, got {raw!r}",
            "执法证号格式不正确",
        )
    return cert


# --- 联系电话 -------------------------------------------------------------------------------------


def validate_phone(raw: str) -> str:
    """Return a mobile number as 11 digits, a landline as "0356-4212345" or (no area code) "4212345"."""
    text = re.sub(r"[\s\-()]", "", _to_half_width(raw))
    error = ValidationError(f"not a valid phone number: {raw!r}", "联系电话格式不正确")
    for prefix in ("+86", "0086"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix) :]
            break
    if not text.isascii() or not text.isdigit():
        raise error
    if _MOBILE_RE.fullmatch(text):
        return text
    if text.startswith("0"):
        for area_re, width in ((_AREA_3_RE, 3), (_AREA_4_RE, 4)):
            if area_re.fullmatch(text[:width]) and _LOCAL_RE.fullmatch(text[width:]):
                return f"{text[:width]}-{text[width:]}"
        raise error
    if _LOCAL_RE.fullmatch(text):
        return text
    raise error
