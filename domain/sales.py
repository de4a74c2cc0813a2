"""Each enterprise's monthly taxable sales (应税销售收入), in exact fen, with corrections (S1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Act, BaobaoAggregate, create
from domain.calendar import SHANGHAI
from domain.errors import InvalidInputError
from domain.money import fen_to_yuan

SOURCES = ("tax", "self")


class ReasonRequiredError(InvalidInputError):
    code = "reason_required"
    title = "A correction needs a reason"


class FutureMonthError(InvalidInputError):
    code = "month_in_future"
    title = "Sales can be reported only for past months and the current one"


@dataclass(frozen=True)
class SalesEntry:
    """One report or correction of a month, as history keeps it."""

    amount_fen: int
    source: str
    reason: str | None
    previous_fen: int | None
    recorded_at: datetime
    occurred_at: datetime
    principal_id: str
    role: str
    version: int

    @property
    def amount(self) -> str:
        return fen_to_yuan(self.amount_fen)


class SalesLedger(BaobaoAggregate):
    """One enterprise's monthly sales; its id derives from the enterprise id."""

    class Opened(BaobaoAggregate.Created):
        enterprise_id: UUID

    class MonthReported(BaobaoAggregate.Event):
        enterprise_id: UUID
        month: str
        amount_fen: int
        source: str

        def apply(self, ledger: SalesLedger) -> None:
            ledger.months.setdefault(self.month, []).append(self.entry())

        def entry(self) -> SalesEntry:
            return entry_of(self, None, None)

    class MonthCorrected(BaobaoAggregate.Event):
        enterprise_id: UUID
        month: str
        amount_fen: int
        source: str
        reason: str
        previous_fen: int

        def apply(self, ledger: SalesLedger) -> None:
            ledger.months[self.month].append(self.entry())

        def entry(self) -> SalesEntry:
            return entry_of(self, self.reason, self.previous_fen)

    def __init__(self, enterprise_id: UUID) -> None:
        self.enterprise_id = enterprise_id
        # Each month's reports, oldest first; the last one is the figure in force.
        self.months: dict[str, list[SalesEntry]] = {}

    @staticmethod
    def id_for(enterprise_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"baobao:sales:{enterprise_id}")

    @classmethod
    def open(cls, act: Act, enterprise_id: UUID) -> SalesLedger:
        return create(cls, cls.Opened, act, cls.id_for(enterprise_id), enterprise_id=enterprise_id)

    def report(
        self, act: Act, month: str, amount_fen: int, source: str, reason: str | None
    ) -> bool:
        """Report a month; re-reporting is a correction and needs a reason.

        Re-reporting the figure and source in force records nothing (a repeated PUT);
        False says nothing changed.
        """
        check_month(month, act.occurred_at)
        if source not in SOURCES:
            raise InvalidInputError(f"source must be one of {', '.join(SOURCES)}")
        if amount_fen < 0:
            raise InvalidInputError("amount must be 0 or more")
        current = self.current(month)
        if current is None:
            self.record(
                self.MonthReported,
                act,
                enterprise_id=self.enterprise_id,
                month=month,
                amount_fen=amount_fen,
                source=source,
            )
            return True
        if (current.amount_fen, current.source) == (amount_fen, source):
            return False
        self.check_reason(month, current, reason)
        self.record(
            self.MonthCorrected,
            act,
            enterprise_id=self.enterprise_id,
            month=month,
            amount_fen=amount_fen,
            source=source,
            reason=(reason or "").strip(),
            previous_fen=current.amount_fen,
        )
        return True

    def current(self, month: str) -> SalesEntry | None:
        history = self.months.get(month)
        return history[-1] if history else None

    def check_reason(self, month: str, current: SalesEntry, reason: str | None) -> None:
        if reason is None or not reason.strip():
            raise ReasonRequiredError(
                f"{month} is already reported ({current.amount} yuan, {current.source}); "
                "a correction needs a reason"
            )


def entry_of(event: Any, reason: str | None, previous_fen: int | None) -> SalesEntry:
    return SalesEntry(
        amount_fen=event.amount_fen,
        source=event.source,
        reason=reason,
        previous_fen=previous_fen,
        recorded_at=event.timestamp,
        occurred_at=event.occurred_at,
        principal_id=event.actor.principal_id,
        role=event.actor.role,
        version=event.originator_version,
    )


def parse_month(value: str) -> tuple[int, int]:
    """A yyyy-mm month (year 2000 or later) as (year, month)."""
    try:
        first = date.fromisoformat(value + "-01")
    except ValueError:
        first = None
    if first is None or len(value) != 7 or first.year < 2000:
        raise InvalidInputError(f"{value!r} is not a month (yyyy-mm, from 2000-01)")
    return first.year, first.month


def check_month(month: str, at: datetime) -> None:
    """A real month, not after the month of `at` in business time."""
    year, number = parse_month(month)
    today = at.astimezone(SHANGHAI).date()
    if (year, number) > (today.year, today.month):
        raise FutureMonthError(
            f"{month} is after the current month {today.year:04d}-{today.month:02d}"
        )
