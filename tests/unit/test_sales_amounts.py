"""Sales amounts: yuan strings parsed exactly into integer fen, never through a float (S1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.money import InvalidAmountError, fen_to_yuan, parse_yuan, to_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1234567.89", 123456789),
        ("0", 0),
        ("0.00", 0),
        ("0.5", 50),
        ("0.05", 5),
        ("12.340", 1234),
        ("007", 700),
        ("1000000000000000", 10**17),
        ("1000000000000000.00", 10**17),
        ("999999999999999.99", 10**17 - 1),
    ],
)
def test_plain_decimal_yuan_become_exact_fen(text: str, fen: int) -> None:
    amount = parse_yuan(text)
    assert isinstance(amount, Decimal)
    assert to_fen(amount) == fen


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("1e5", "plain decimal"),
        ("1E5", "plain decimal"),
        ("12.345", "more than 2 decimals"),
        ("0.001", "more than 2 decimals"),
        ("-1", "negative"),
        ("-0.01", "negative"),
        (" -5", "negative"),
        ("NaN", "plain decimal"),
        ("nan", "plain decimal"),
        ("Infinity", "plain decimal"),
        ("inf", "plain decimal"),
        ("+5", "plain decimal"),
        ("", "plain decimal"),
        (" 12", "plain decimal"),
        ("12 ", "plain decimal"),
        ("1,000.00", "plain decimal"),
        (".5", "plain decimal"),
        ("5.", "plain decimal"),
        ("１２", "plain decimal"),  # full-width digits
        ("0x10", "plain decimal"),
        ("1000000000000000.01", "more than 10^15"),
        ("99999999999999999999", "more than 10^15"),
    ],
)
def test_anything_else_is_refused_with_a_clear_message(text: str, says: str) -> None:
    with pytest.raises(InvalidAmountError, match=says.replace("^", r"\^")) as refused:
        parse_yuan(text)
    assert refused.value.code == "invalid_amount"
    assert refused.value.status == 422


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        Decimal("-0.01"),
        Decimal("1.005"),
        Decimal("1E+16"),
        Decimal("1E-1000000"),
        # 30 significant digits: a Decimal operation would round this to an integral fen.
        Decimal("1.00000000000000000000000000001"),
    ],
)
def test_decimals_that_are_not_whole_fen_are_refused(amount: Decimal) -> None:
    with pytest.raises(InvalidAmountError):
        to_fen(amount)


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        (Decimal("1.2E+3"), 120000),
        (Decimal("0E+100000"), 0),
        (Decimal("-0"), 0),
        (Decimal("12.3400000"), 1234),
    ],
)
def test_any_decimal_of_whole_fen_is_accepted(amount: Decimal, fen: int) -> None:
    assert to_fen(amount) == fen


@pytest.mark.parametrize(
    ("fen", "yuan"),
    [(0, "0.00"), (5, "0.05"), (50, "0.50"), (123456789, "1234567.89"), (-5, "-0.05")],
)
def test_fen_are_shown_as_yuan_with_two_decimals(fen: int, yuan: str) -> None:
    assert fen_to_yuan(fen) == yuan


@given(st.integers(min_value=0, max_value=10**17))
def test_yuan_strings_round_trip_exactly(fen: int) -> None:
    assert to_fen(parse_yuan(fen_to_yuan(fen))) == fen
