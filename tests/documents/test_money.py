"""Amounts as penalty documents print them: strict parsing, figures and capital numerals with the 零 rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inspector.documents.money import capital, capital_amount, figures, parse_amount
from inspector.errors import ValidationError


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("20000", "贰万元整"),
        ("1005", "壹仟零伍元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("10000.05", "壹万元零伍分"),
        ("530000", "伍拾叁万元整"),
        ("10", "壹拾元整"),
        ("1", "壹元整"),
        ("110000", "壹拾壹万元整"),
        ("1000001", "壹佰万零壹元整"),
        ("10010000", "壹仟零壹万元整"),
        ("100000000", "壹亿元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("1500.5", "壹仟伍佰元伍角"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("0.05", "伍分"),
    ],
)
def test_capital_numerals(amount: str, expected: str) -> None:
    assert capital_amount(amount) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("20000", "20000.00元"), ("1,500.5", "1500.50元"), ("800元", "800.00元")]
)
def test_figures_always_carry_two_decimals(text: str, expected: str) -> None:
    assert figures(parse_amount(text)) == expected


@pytest.mark.parametrize("text", ["", "abc", "5万", "-100", "0", "0.00", "20000.123", "2e4", "1 000.5.5"])
def test_what_is_not_an_amount_is_refused(text: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_amount(text)
    assert "金额" in err.value.message_zh


def test_capital_takes_a_decimal() -> None:
    assert capital(Decimal("53")) == "伍拾叁元整"
