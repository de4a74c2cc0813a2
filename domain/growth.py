"""Year-to-date sales growth against the same months of last year (SPEC S2, S3)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

GROWTH_PLACES = 4  # growth is reported rounded half-up to 4 decimal places
# Wide enough that sums of fen and the target multiply without rounding.
EXACT = Context(prec=80)


@dataclass(frozen=True)
class YtdGrowth:
    """Growth through a month: exact sums in fen, growth rounded, or the reason it is missing."""

    ytd_fen: int | None
    base_fen: int | None
    growth: Decimal | None
    meets_target: bool | None
    reason: str | None = None

    @property
    def assessable(self) -> bool:
        return self.growth is not None


def months_through(year: int, month: int) -> list[str]:
    """January to `month` of `year`, as yyyy-mm."""
    return [f"{year:04d}-{m:02d}" for m in range(1, month + 1)]


def ytd_growth(amounts: Mapping[str, int], year: int, month: int, target: Decimal) -> YtdGrowth:
    """sum(year, 1..month) / sum(year-1, 1..month) - 1, from monthly sales in fen by yyyy-mm.

    Not assessable, with the reason, if any of those months is missing or the base is 0.
    """
    if not 1 <= month <= 12:
        msg = f"month must be 1 to 12, not {month}"
        raise ValueError(msg)
    current = months_through(year, month)
    previous = months_through(year - 1, month)
    missing = [m for m in previous + current if m not in amounts]
    ytd = None if any(m in missing for m in current) else sum(amounts[m] for m in current)
    base = None if any(m in missing for m in previous) else sum(amounts[m] for m in previous)
    if missing:
        return YtdGrowth(ytd, base, None, None, f"missing {', '.join(missing)}")
    return growth_of(ytd or 0, base or 0, target)


def growth_of(ytd_fen: int, base_fen: int, target: Decimal) -> YtdGrowth:
    """Growth of `ytd_fen` over `base_fen`; not assessable if the base is 0."""
    if base_fen <= 0:
        return YtdGrowth(ytd_fen, base_fen, None, None, "base is 0")
    return YtdGrowth(
        ytd_fen,
        base_fen,
        rounded_growth(ytd_fen, base_fen),
        meets_target(ytd_fen, base_fen, target),
    )


def combined(results: Iterable[YtdGrowth], target: Decimal) -> YtdGrowth:
    """Growth of the sums over the assessable results (a chain's or the park's total)."""
    assessable = [r for r in results if r.assessable]
    if not assessable:
        return YtdGrowth(None, None, None, None, "no assessable enterprise")
    ytd = sum(r.ytd_fen or 0 for r in assessable)
    base = sum(r.base_fen or 0 for r in assessable)
    return growth_of(ytd, base, target)


def rounded_growth(ytd_fen: int, base_fen: int) -> Decimal:
    """(ytd - base) / base rounded half-up (away from zero) to 4 places, in integers: exact."""
    scale = 10**GROWTH_PLACES
    numerator = (ytd_fen - base_fen) * scale
    quotient, remainder = divmod(abs(numerator), base_fen)
    if 2 * remainder >= base_fen:
        quotient += 1
    signed = -quotient if numerator < 0 else quotient
    return Decimal(signed).scaleb(-GROWTH_PLACES, context=EXACT)


def meets_target(ytd_fen: int, base_fen: int, target: Decimal) -> bool:
    """Whether ytd / base - 1 >= target, compared exactly (not on the rounded growth)."""
    with localcontext(EXACT):
        return Decimal(ytd_fen - base_fen) >= target * base_fen
