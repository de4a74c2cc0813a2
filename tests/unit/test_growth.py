"""Year-to-date growth (S2) and the +5% target (S3): exact arithmetic, reasons when missing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.growth import YtdGrowth, combined, months_through, rounded_growth, ytd_growth

TARGET = Decimal("0.05")


def sales(year: int, months: int, fen: int) -> dict[str, int]:
    return dict.fromkeys(months_through(year, months), fen)


def both_years(base_fen: int, ytd_fen: int, months: int = 3) -> dict[str, int]:
    return {**sales(2025, months, base_fen), **sales(2026, months, ytd_fen)}


def test_growth_is_this_years_sum_over_last_years_minus_one() -> None:
    amounts = {"2025-01": 100_00, "2025-02": 200_00, "2026-01": 150_00, "2026-02": 180_00}
    result = ytd_growth(amounts, 2026, 2, TARGET)
    assert (result.ytd_fen, result.base_fen) == (330_00, 300_00)
    assert result.growth == Decimal("0.1000")
    assert result.meets_target is True
    assert result.reason is None
    assert result.assessable


def test_exactly_five_percent_meets_the_target() -> None:
    result = ytd_growth(both_years(1_000_000_00, 1_050_000_00), 2026, 3, TARGET)
    assert result.growth == Decimal("0.0500")
    assert result.meets_target is True


def test_one_fen_short_of_five_percent_misses_it() -> None:
    result = ytd_growth(both_years(1_000_000_00, 1_050_000_00 - 1, 1), 2026, 1, TARGET)
    assert result.meets_target is False
    assert result.growth == Decimal("0.0500")  # rounded, but the comparison is exact


def test_target_is_compared_exactly_not_on_the_rounded_growth() -> None:
    result = ytd_growth(both_years(1_000_000, 1_049_996, 1), 2026, 1, TARGET)
    assert str(result.growth) == "0.0500"
    assert result.meets_target is False


def test_decline_is_negative_growth() -> None:
    result = ytd_growth(both_years(300_00, 240_00, 2), 2026, 2, TARGET)
    assert result.growth == Decimal("-0.2000")
    assert result.meets_target is False


@pytest.mark.parametrize(
    ("ytd", "base", "growth"),
    [
        (20001, 20000, "0.0001"),  # +0.00005 rounds half up
        (19999, 20000, "-0.0001"),  # -0.00005 rounds away from zero
        (4, 3, "0.3333"),
        (5, 3, "0.6667"),
        (2, 3, "-0.3333"),
        (1, 1, "0.0000"),
        (0, 7, "-1.0000"),
        (10**17, 1, "99999999999999999.0000"),
    ],
)
def test_growth_is_rounded_half_up_to_four_places(ytd: int, base: int, growth: str) -> None:
    result = rounded_growth(ytd, base)
    assert isinstance(result, Decimal)
    assert f"{result:f}" == growth


def test_a_missing_month_of_last_year_makes_it_not_assessable() -> None:
    amounts = both_years(100_00, 110_00)
    del amounts["2025-03"]
    result = ytd_growth(amounts, 2026, 3, TARGET)
    assert result == YtdGrowth(330_00, None, None, None, "missing 2025-03")
    assert not result.assessable


def test_every_missing_month_is_named_in_order() -> None:
    amounts = both_years(100_00, 110_00)
    del amounts["2026-02"], amounts["2025-01"]
    result = ytd_growth(amounts, 2026, 3, TARGET)
    assert result.reason == "missing 2025-01, 2026-02"
    assert (result.ytd_fen, result.base_fen, result.growth) == (None, None, None)


def test_a_base_of_zero_makes_it_not_assessable() -> None:
    result = ytd_growth(both_years(0, 500_00), 2026, 3, TARGET)
    assert result == YtdGrowth(1500_00, 0, None, None, "base is 0")


def test_a_month_reported_as_zero_is_not_missing() -> None:
    amounts = both_years(100_00, 100_00)
    amounts["2026-02"] = 0
    result = ytd_growth(amounts, 2026, 3, TARGET)
    assert result.growth == Decimal("-0.3333")


def test_months_after_the_period_do_not_count() -> None:
    amounts = {**both_years(100_00, 120_00, 1), "2026-02": 1, "2025-02": 999_00}
    result = ytd_growth(amounts, 2026, 1, TARGET)
    assert (result.ytd_fen, result.base_fen, result.growth) == (120_00, 100_00, Decimal("0.2"))


def test_the_target_comes_from_policy() -> None:
    result = ytd_growth(both_years(100_00, 107_00), 2026, 3, Decimal("0.08"))
    assert result.meets_target is False


def test_a_period_must_be_a_month() -> None:
    with pytest.raises(ValueError, match="1 to 12"):
        ytd_growth({}, 2026, 13, TARGET)


def test_the_total_sums_the_assessable_enterprises_only() -> None:
    rows = [
        ytd_growth(both_years(100_00, 110_00), 2026, 3, TARGET),
        ytd_growth(both_years(300_00, 300_00), 2026, 3, TARGET),
        ytd_growth(both_years(0, 900_00), 2026, 3, TARGET),
        ytd_growth({}, 2026, 3, TARGET),
    ]
    total = combined(rows, TARGET)
    assert (total.ytd_fen, total.base_fen) == (1230_00, 1200_00)
    assert total.growth == Decimal("0.0250")
    assert total.meets_target is False


def test_a_total_with_nothing_assessable_says_so() -> None:
    total = combined([ytd_growth({}, 2026, 3, TARGET)], TARGET)
    assert total.reason == "no assessable enterprise"
    assert total.growth is None
