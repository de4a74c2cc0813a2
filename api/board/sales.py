"""Section 4: the park's year-to-date sales growth against the target, by chain, and laggards."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from api.routes.sales import figures, sales_growth
from api.sales_models import GrowthFigures, SalesGrowthReport, SalesGrowthRow
from api.services import Caller, Services
from domain.growth import YtdGrowth, combined
from domain.money import parse_yuan, to_fen
from domain.period import Period

LAGGARDS = 10
LOOK_BACK = 12  # months to look back for the latest month with figures


@dataclass(frozen=True)
class SalesSection:
    asked: str  # the month asked for
    period: str  # the month shown: the latest, up to the one asked, with assessable figures
    target: Decimal
    total: GrowthFigures
    chains: list[tuple[str, GrowthFigures]]
    laggards: list[SalesGrowthRow]
    assessable: int
    listed: int

    @property
    def bars(self) -> list[tuple[str, Decimal | None, bool | None]]:
        """The park's total and each chain's, as the growth chart draws them."""
        rows = [("园区合计", self.total), *self.chains]
        return [
            (name, None if f.growth is None else Decimal(f.growth), f.meets_target)
            for name, f in rows
        ]


def report(
    svc: Services, caller: Caller, period: str, chain: str | None = None
) -> SalesGrowthReport:
    found = sales_growth(svc, caller, period, chain, None, None)
    assert isinstance(found, SalesGrowthReport)
    return found


def sales_section(svc: Services, caller: Caller, period: Period) -> SalesSection:
    """GET /v1/sales/growth for the month (or the latest before it that has figures), each
    chain's total, and the enterprises furthest below the target."""
    month = period
    found = report(svc, caller, str(month))
    for _ in range(LOOK_BACK):
        if found.total.growth is not None:
            break
        month = previous(month)
        found = report(svc, caller, str(month))
    if found.total.growth is None:
        month, found = period, report(svc, caller, str(period))
    target = Decimal(found.target)
    chains = sorted({row.chain for row in found.items})
    by_chain = [
        (chain, chain_total([r for r in found.items if r.chain == chain], target))
        for chain in chains
    ]
    below = [row for row in found.items if row.growth is not None and not row.meets_target]
    below.sort(key=lambda row: (Decimal(row.growth or "0"), row.name))
    return SalesSection(
        str(period),
        str(month),
        target,
        found.total,
        by_chain,
        below[:LAGGARDS],
        sum(1 for row in found.items if row.growth is not None),
        len(found.items),
    )


def chain_total(rows: list[SalesGrowthRow], target: Decimal) -> GrowthFigures:
    """A chain's total as GET /v1/sales/growth?chain= gives it: the same `combined` over the same
    enterprises' figures (taken from the park's report instead of asking once per chain)."""
    results = [
        YtdGrowth(
            None if row.ytd is None else to_fen(parse_yuan(row.ytd)),
            None if row.base is None else to_fen(parse_yuan(row.base)),
            None if row.growth is None else Decimal(row.growth),
            row.meets_target,
            row.reason,
        )
        for row in rows
    ]
    return GrowthFigures(**figures(combined(results, target)))


def previous(month: Period) -> Period:
    if month.number == 1:
        return Period("month", month.year - 1, 12)
    return Period("month", month.year, month.number - 1)
