"""Unified social credit code (统一社会信用代码), GB 32100-2015."""

from __future__ import annotations

from domain.errors import InvalidUsccError

# The code's alphabet: digits and capital letters without I, O, Z, S, V.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The 18th character that GB 32100-2015 derives from the first 17."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    """Return the code normalised to upper case, or raise InvalidUsccError saying why."""
    normal = code.strip().upper()
    if len(normal) != 18:
        raise InvalidUsccError(f"a credit code has 18 characters, got {len(normal)}")
    bad = sorted({c for c in normal if c not in ALPHABET})
    if bad:
        raise InvalidUsccError(f"characters not allowed in a credit code: {''.join(bad)}")
    expected = check_character(normal[:17])
    if normal[17] != expected:
        raise InvalidUsccError(
            f"check character is {normal[17]!r}, GB 32100-2015 gives {expected!r}"
        )
    return normal
