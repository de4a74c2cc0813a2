"""Money in yuan as exact decimals and integer fen (分); never a float (SPEC S1)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from domain.errors import InvalidInputError

MAX_YUAN = Decimal(10) ** 15
PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


class InvalidAmountError(InvalidInputError):
    code = "invalid_amount"
    title = "Not a valid amount of yuan"


def parse_yuan(text: str) -> Decimal:
    """A yuan amount written as a plain decimal string, e.g. "1234567.89"."""
    if text.strip().startswith("-"):
        raise InvalidAmountError(f"amount {text!r} is negative; sales are 0 or more")
    if not PLAIN_DECIMAL.fullmatch(text):
        raise InvalidAmountError(
            f'amount {text!r} is not a plain decimal number of yuan such as "1234567.89" '
            "(digits and at most one point; no sign, exponent, spaces or separators)"
        )
    try:
        amount = Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only digits
        raise InvalidAmountError(f"amount {text!r} is not a number") from error
    to_fen(amount)
    return amount


def to_fen(amount: Decimal) -> int:
    """Exact integer fen of a yuan amount: finite, 0 or more, at most 2 decimals, ≤ 10^15."""
    if not amount.is_finite():
        raise InvalidAmountError(f"amount {amount} is not a finite number")
    if amount < 0:
        raise InvalidAmountError(f"amount {amount} is negative; sales are 0 or more")
    if amount > MAX_YUAN:
        raise InvalidAmountError(f"amount {amount} is more than 10^15 yuan")
    # Integer arithmetic on the digits: Decimal operations would round to the context.
    _, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)
    value = int("".join(map(str, digits)) or "0")
    if value == 0:
        return 0
    shift = exponent + 2
    if shift >= 0:
        return value * int(10**shift)
    if -shift > len(digits):
        raise InvalidAmountError(f"amount {amount} has more than 2 decimals (fen)")
    whole, fraction = divmod(value, int(10**-shift))
    if fraction:
        raise InvalidAmountError(f"amount {amount} has more than 2 decimals (fen)")
    return whole


def fen_to_yuan(fen: int) -> str:
    """Integer fen as a yuan string with exactly 2 decimals: 123456 -> "1234.56"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
