"""What every event carries: who acted, in which request, and when the fact happened."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import BackdatingNotAllowedError, FutureTimeError, InvalidInputError

Clock = Callable[[], datetime]

SYSTEM = "system"


def utc_now() -> datetime:
    """The real clock (UTC, aware)."""
    return datetime.now(tz=UTC)


def require_aware(value: datetime, field: str) -> datetime:
    """Refuse a naive timestamp: business rules need to know the offset."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(f"{field} must carry a UTC offset, e.g. 2026-03-02T08:30:00+08:00")
    return value


@dataclass(frozen=True)
class Actor:
    """The principal behind a command (SPEC A1)."""

    principal_id: str
    role: str
    request_id: str
    scope: str | None = None


@dataclass(frozen=True)
class Act:
    """One command's who and when: the actor, the recorded time and the business time."""

    actor: Actor
    recorded_at: datetime
    occurred_at: datetime

    @property
    def backdated(self) -> bool:
        return self.occurred_at < self.recorded_at

    @classmethod
    def now(cls, actor: Actor, clock: Clock) -> Act:
        moment = clock()
        return cls(actor=actor, recorded_at=moment, occurred_at=moment)

    @classmethod
    def late_entry(
        cls, actor: Actor, clock: Clock, occurred_at: datetime | None, *, allowed_roles: set[str]
    ) -> Act:
        """An act whose business time may be in the past (补录), only for the allowed roles."""
        if occurred_at is None:
            return cls.now(actor, clock)
        require_aware(occurred_at, "occurred_at")
        if actor.role not in allowed_roles:
            raise BackdatingNotAllowedError(
                f"role {actor.role!r} may not record a past business time"
            )
        moment = clock()
        if occurred_at > moment:
            raise FutureTimeError(f"occurred_at {occurred_at.isoformat()} is after now")
        return cls(actor=actor, recorded_at=moment, occurred_at=occurred_at)


class BaobaoAggregate(Aggregate):
    """An aggregate whose every event records the act behind it."""

    class Event(Aggregate.Event):
        actor: Actor
        occurred_at: datetime
        backdated: bool

    class Created(Event, Aggregate.Created):
        pass

    def record(self, event_class: type[Any], act: Act, **fields: Any) -> None:
        """Trigger an event stamped with the act's actor and times."""
        self.trigger_event(event_class, timestamp=act.recorded_at, **stamp(act), **fields)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        """A copy for a command (the repository copies what it caches): what cannot change is
        shared, the rest copied. The same result as `copy.deepcopy` field by field, without
        rebuilding every datetime and frozen deadline (most of a matter's copying time)."""
        copied = object.__new__(type(self))
        memo[id(self)] = copied
        copied.__dict__.update({k: _copied(v, memo) for k, v in self.__dict__.items()})
        return copied


# Values that cannot change, so a copy may share them.
IMMUTABLE = frozenset({str, int, float, bool, type(None), datetime, date, time, timedelta})
IMMUTABLE |= {UUID, Decimal, bytes}


def _copied(value: Any, memo: dict[int, Any]) -> Any:
    if _frozen(value):
        return value
    kind = type(value)
    if kind is list:
        return [_copied(v, memo) for v in value]
    if kind is dict:
        return {k: _copied(v, memo) for k, v in value.items()}
    return copy.deepcopy(value, memo)


def _frozen(value: Any) -> bool:
    """Whether a value cannot change: immutable, or a tuple or frozen dataclass whose every
    field cannot change in turn (a copy may share it)."""
    if type(value) in IMMUTABLE:
        return True
    if type(value) is tuple:
        return all(_frozen(v) for v in value)
    params = getattr(type(value), "__dataclass_params__", None)
    if params is None or not params.frozen:
        return False
    return all(_frozen(getattr(value, f.name)) for f in dataclasses.fields(value))


TAgg = TypeVar("TAgg", bound=BaobaoAggregate)


def stamp(act: Act) -> dict[str, Any]:
    """The fields every event carries for its act."""
    return {"actor": act.actor, "occurred_at": act.occurred_at, "backdated": act.backdated}


def create(cls: type[TAgg], event_class: type[Any], act: Act, id: UUID, **fields: Any) -> TAgg:
    """Create an aggregate whose first event carries the act."""
    return cls._create(event_class, id=id, timestamp=act.recorded_at, **stamp(act), **fields)
