"""Steps and helpers shared by the feature files: time, the enterprise, refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from pytest_bdd import given, parsers

from domain.calendar import SHANGHAI
from domain.enterprise import Enterprise
from domain.errors import DomainError
from domain.park import Park
from tests.conftest import Acts, Clock

# What a refusable act came to: the refusal, or None when it was accepted.
Outcome = DomainError | None


def shanghai_time(text: str) -> datetime:
    """Parse 'Wed 2026-09-30 16:00' as Shanghai time, checking the weekday."""
    at = datetime.strptime(text, "%a %Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)
    assert at.strftime("%a") == text[:3], f"{text} is a {at:%A}"
    return at


def calendar_day(text: str) -> date:
    return date.fromisoformat(text)


def attempt(act: Callable[[], object]) -> Outcome:
    """Run an act that the policy may refuse; the refusal is what a person observes."""
    try:
        act()
    except DomainError as refusal:
        return refusal
    return None


@given(parsers.parse("it is now {at}"))
def now(clock: Clock, at: str) -> None:
    clock.set(shanghai_time(at))


@given(parsers.parse("{name} is a key enterprise"), target_fixture="enterprise")
def key_enterprise(park: Park, acts: Acts, new_uscc: Callable[[], str], name: str) -> Enterprise:
    return park.list_enterprise(acts.admin(), new_uscc(), name, "汽车零部件", "新能源汽车", True)
