"""Unified social credit codes, GB 32100-2015 (SPEC E1)."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInputError, InvalidUsccError
from domain.uscc import ALPHABET, check_character, validate_uscc

FIRST17 = "91340100MA2N00001"
VALID = FIRST17 + check_character(FIRST17)


def test_a_code_with_the_right_check_character_passes() -> None:
    assert validate_uscc(VALID) == VALID


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038216",  # Huawei Technologies Co., Ltd. (published on its licence)
        "9144030071526726XG",  # Shenzhen Tencent Computer Systems Co., Ltd.
        "91340100MA2NXXXXX" + check_character("91340100MA2NXXXXX"),
        "Y" * 17 + check_character("Y" * 17),
        "0" * 17 + check_character("0" * 17),
    ],
)
def test_well_formed_codes_pass(code: str) -> None:
    assert validate_uscc(code) == code


def test_lower_case_and_surrounding_spaces_are_normalised() -> None:
    assert validate_uscc(f"  {VALID.lower()}\n") == VALID


def test_the_check_character_is_always_in_the_alphabet() -> None:
    assert all(check_character(c * 17) in ALPHABET for c in ALPHABET)


@pytest.mark.parametrize("code", ["", VALID[:17], VALID + "0", "9134"])
def test_wrong_length_is_refused_saying_how_long_it_was(code: str) -> None:
    with pytest.raises(InvalidUsccError, match=f"18 characters, got {len(code)}"):
        validate_uscc(code)


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_alphabet_are_refused_by_name(letter: str) -> None:
    code = VALID[:10] + letter + VALID[11:]
    with pytest.raises(InvalidUsccError, match=f"not allowed in a credit code: {letter}"):
        validate_uscc(code)


def test_punctuation_is_refused() -> None:
    with pytest.raises(InvalidUsccError, match="not allowed"):
        validate_uscc(VALID[:17] + "-")


def test_wrong_check_character_is_refused_naming_the_right_one() -> None:
    expected = VALID[17]
    wrong = "0" if expected != "0" else "1"
    with pytest.raises(InvalidUsccError) as refused:
        validate_uscc(VALID[:17] + wrong)
    assert repr(wrong) in str(refused.value)
    assert repr(expected) in str(refused.value)


def test_a_single_mistyped_digit_is_caught() -> None:
    mistyped = VALID[:16] + ("1" if VALID[16] != "1" else "2") + VALID[17]
    with pytest.raises(InvalidUsccError, match="check character"):
        validate_uscc(mistyped)


def test_an_invalid_code_is_invalid_input() -> None:
    refused = InvalidUsccError("x")
    assert isinstance(refused, InvalidInputError)
    assert refused.code == "invalid_uscc"
    assert refused.status == 422
