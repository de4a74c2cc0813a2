"""Request and response models of sales and their growth (SPEC §8)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from api.models import Command, OptionalText

YUAN = 'Yuan as a decimal string with 2 decimals, e.g. "1234567.89"'


class ReportSalesRequest(Command):
    amount: str = Field(
        min_length=1,
        max_length=40,
        description="Taxable sales of the month in yuan: a plain decimal string, 0 or more, "
        "at most 2 decimals, at most 10^15 (no sign, exponent or separators)",
        examples=["1234567.89"],
    )
    source: Literal["tax", "self"] = Field(
        description="`tax`: from the tax bureau; `self`: reported by the enterprise"
    )
    reason: OptionalText | None = Field(
        default=None,
        description="Why the figure changes; required when the month is already reported "
        "(a correction), ignored on the first report",
    )


class SalesActorPublic(BaseModel):
    principal_id: str
    role: str


class SalesEntryPublic(BaseModel):
    """One report or correction of a month."""

    kind: Literal["reported", "corrected"]
    amount: str = Field(description=YUAN)
    source: Literal["tax", "self"]
    reason: str | None
    previous_amount: str | None = Field(description="The figure this correction replaced")
    recorded_at: AwareDatetime
    occurred_at: AwareDatetime
    actor: SalesActorPublic
    version: int = Field(description="Version of the enterprise's sales ledger after this entry")


class SalesMonthPublic(BaseModel):
    """A month's figure in force and its whole history, oldest first."""

    enterprise_id: UUID
    month: str = Field(description="yyyy-mm")
    amount: str = Field(description=YUAN)
    source: Literal["tax", "self"]
    corrections: int
    reported_at: AwareDatetime
    corrected_at: AwareDatetime | None
    version: int = Field(
        description="Version of the enterprise's sales ledger when this month last changed"
    )
    history: list[SalesEntryPublic]


class GrowthFigures(BaseModel):
    """Year-to-date sales against the same months of last year."""

    ytd: str | None = Field(description=f"Sales from January through the period. {YUAN}")
    base: str | None = Field(description=f"Sales of the same months last year. {YUAN}")
    growth: str | None = Field(
        description='ytd / base - 1, rounded half-up to 4 decimal places ("0.0525" = +5.25%); '
        "null when not assessable"
    )
    meets_target: bool | None = Field(
        description="growth >= target, compared exactly (before rounding); null when not assessable"
    )
    reason: str | None = Field(
        description='Why it is not assessable, e.g. "missing 2025-03" or "base is 0"'
    )


class SalesGrowthRow(GrowthFigures):
    enterprise_id: UUID
    name: str
    chain: str


class SalesGrowthReport(BaseModel):
    """Every listed enterprise's year-to-date growth, and the total over the assessable ones."""

    period: str = Field(description="yyyy-mm: growth is year to date through this month")
    target: str = Field(description="The park's growth target under the policy in force (+5%)")
    items: list[SalesGrowthRow]
    total: GrowthFigures = Field(
        description="Sums over the assessable enterprises of this report (the park, the chain "
        "asked for, or a guarantor's own)"
    )
