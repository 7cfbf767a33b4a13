"""Amounts of money as a penalty document writes them: figures and capital numerals (贰万元整).

A "53万元" written as "53元" is a cited error in practice, so an amount is parsed strictly (yuan, up to two
decimals, no negative, no thousands separators that could be misread) and printed both ways.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from inspector.errors import ValidationError

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")
_AMOUNT = re.compile(r"^\d{1,13}(\.\d{1,2})?$")


def parse_amount(text: str) -> Decimal:
    cleaned = text.strip().replace("元", "").replace("，", "").replace(",", "").replace(" ", "")
    if not _AMOUNT.match(cleaned):
        raise ValidationError(
            f"{text!r} is not an amount in yuan (e.g. 20000 or 1500.50).",
            f"金额“{text}”格式不正确，请填写以元为单位的数字，例如 20000 或 1500.50。",
        )
    try:
        value = Decimal(cleaned).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules these out
        raise ValidationError(f"{text!r} is not a number.", f"金额“{text}”不是数字。") from exc
    if value <= 0:
        raise ValidationError("The amount must be more than zero.", "金额必须大于零。")
    return value


def figures(value: Decimal) -> str:
    """20000 → "20000.00元"."""
    return f"{value:.2f}元"


def _four(n: int) -> str:
    """0 < n < 10000 in capitals, with 零 for inner gaps (1005 → 壹仟零伍)."""
    out = ""
    zero = False
    for pos in range(3, -1, -1):
        digit = n // 10**pos % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + _UNITS[pos]
    return out


def capital(value: Decimal) -> str:
    """20000 → 贰万元整; 1500.5 → 壹仟伍佰元伍角; 10000.05 → 壹万元零伍分."""
    yuan = int(value)
    jiao = int(value * 10) % 10
    fen = int(value * 100) % 10
    text = ""
    if yuan:
        groups: list[int] = []
        rest = yuan
        while rest:
            groups.append(rest % 10000)
            rest //= 10000
        need_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                need_zero = bool(text)
                continue
            if text and (need_zero or group < 1000):
                text += "零"
            text += _four(group) + _GROUPS[index]
            need_zero = False
        text += "元"
    if not jiao and not fen:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text


def capital_amount(text: str) -> str:
    return capital(parse_amount(text))
