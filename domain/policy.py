"""The assessment and time-limit policy, adopted as versioned events (SPEC T5, §9)."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Act, BaobaoAggregate, create
from domain.calendar import SHANGHAI, OfficeHours
from domain.errors import InvalidInputError

POLICY_ID = uuid5(NAMESPACE_URL, "baobao:policy")


@dataclass(frozen=True)
class PolicyDocument:
    """Everything the policy fixes: office hours, time limits, scoring weights and grades."""

    office_sessions: tuple[tuple[str, str], ...] = (("08:30", "12:00"), ("14:00", "17:30"))
    handle_working_days: int = 3
    cap_working_days: int = 30
    rectification_working_days: int = 5
    rating_invitation_working_days: int = 3
    criticism_overdue_working_days: int = 5
    weights: dict[str, int] = field(
        default_factory=lambda: {"sales": 40, "timeliness": 30, "satisfaction": 20, "service": 10}
    )
    sales_target: str = "0.05"
    grade_thresholds: dict[str, str] = field(
        default_factory=lambda: {"优秀": "90", "良好": "75", "合格": "60"}
    )
    deduction_per_overdue_step: str = "2"
    deduction_per_missed_dispatch: str = "5"

    def office_hours(self) -> OfficeHours:
        return office_hours_of(self.office_sessions)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["office_sessions"] = [list(s) for s in self.office_sessions]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PolicyDocument:
        """Build and validate a document; unknown keys or bad values are refused."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInputError(f"unknown policy fields: {', '.join(unknown)}")
        values = dict(data)
        if "office_sessions" in values:
            values["office_sessions"] = tuple(tuple(s) for s in values["office_sessions"])
        doc = cls(**values)
        doc.check_sound()
        return doc

    def check_sound(self) -> None:
        try:
            hours = self.office_hours()
            for key in (
                "sales_target",
                "deduction_per_overdue_step",
                "deduction_per_missed_dispatch",
            ):
                Decimal(getattr(self, key))
            for value in self.grade_thresholds.values():
                Decimal(value)
        except (ValueError, ArithmeticError, TypeError) as error:
            raise InvalidInputError(f"policy document is not sound: {error}") from error
        previous = time(0, 0)
        for start, end in hours.sessions:
            if not previous <= start < end:
                raise InvalidInputError("office sessions must be ordered and non-overlapping")
            previous = end
        if (
            min(self.handle_working_days, self.cap_working_days, self.rectification_working_days)
            < 1
        ):
            raise InvalidInputError("working-day limits must be at least 1")
        if sum(self.weights.values()) <= 0:
            raise InvalidInputError("weights must add up to more than 0")


@dataclass(frozen=True)
class AdoptedPolicy:
    """A policy version and the first month it governs."""

    version: int
    effective_from: str  # yyyy-mm
    document: PolicyDocument


class PolicyBook(BaobaoAggregate):
    """The park's policy versions, in the order they were adopted."""

    class Adopted(BaobaoAggregate.Event):
        effective_from: str
        document: dict[str, Any]

        def apply(self, aggregate: PolicyBook) -> None:
            aggregate.adoptions.append((self.effective_from, self.document))

    class Started(BaobaoAggregate.Created):
        pass

    def __init__(self) -> None:
        self.adoptions: list[tuple[str, dict[str, Any]]] = []

    @classmethod
    def start(cls, act: Act) -> PolicyBook:
        return create(cls, cls.Started, act, POLICY_ID)

    def adopt(self, act: Act, document: PolicyDocument, effective_from: str) -> AdoptedPolicy:
        check_month(effective_from)
        now = act.occurred_at.astimezone(SHANGHAI)
        if self.adoptions and effective_from < f"{now.year:04d}-{now.month:02d}":
            raise InvalidInputError(
                f"a policy takes effect from this month on, not {effective_from}: past periods "
                "stay scored under the policy in force for them (ask what-if instead)"
            )
        self.record(self.Adopted, act, effective_from=effective_from, document=document.to_dict())
        return self.version_of(len(self.adoptions))

    def version_of(self, version: int) -> AdoptedPolicy:
        if not 1 <= version <= len(self.adoptions):
            raise InvalidInputError(f"no policy version {version}")
        month, doc = self.adoptions[version - 1]
        return AdoptedPolicy(version, month, PolicyDocument.from_dict(doc))

    def in_force(self, day: date) -> AdoptedPolicy:
        """The policy governing a day: the latest adopted whose first month is not after it."""
        return self.version_of(self.version_in_force(day))

    def version_in_force(self, day: date) -> int:
        """The number of the version `in_force` gives."""
        month = f"{day.year:04d}-{day.month:02d}"
        best = 0
        for index, (effective_from, _) in enumerate(self.adoptions, start=1):
            if effective_from <= month:
                best = index
        # Before any policy's first month, the first adopted one governs.
        return best or 1


@functools.lru_cache(maxsize=64)
def office_hours_of(sessions: tuple[tuple[str, str], ...]) -> OfficeHours:
    """Office hours from their sessions as text (a policy's few sessions, parsed once)."""
    return OfficeHours(
        sessions=tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in sessions)
    )


def check_month(value: str) -> str:
    """Accept yyyy-mm only."""
    try:
        parsed = date.fromisoformat(value + "-01")
    except ValueError as error:
        raise InvalidInputError(f"{value!r} is not a month (yyyy-mm)") from error
    if len(value) != 7 or parsed.year < 2000:
        raise InvalidInputError(f"{value!r} is not a month (yyyy-mm)")
    return value


def policy_id() -> UUID:
    return POLICY_ID
