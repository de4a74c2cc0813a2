"""Shared fixtures: a clock tests can move, a bootstrapped Park, acts per role, credit codes."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg import sql

from domain.base import Act, Actor
from domain.calendar import SHANGHAI
from domain.enterprise import Enterprise
from domain.park import Park
from domain.registry import Guarantor, Unit
from domain.storage import parse_database_url
from domain.uscc import check_character

T = TypeVar("T")

POSTGRES_URL = os.environ.get(
    "BAOBAO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday morning in office hours


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Shanghai time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, at: datetime) -> None:
        self.now = at

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Acts:
    """Acts by each kind of principal, at the clock's time, each with its own request id."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.requests = itertools.count(1)

    def actor(self, principal_id: str, role: str, scope: UUID | str | None = None) -> Actor:
        scoped = None if scope is None else str(scope)
        return Actor(principal_id, role, f"req-{next(self.requests)}", scope=scoped)

    def by(self, principal_id: str, role: str, scope: UUID | str | None = None) -> Act:
        return Act.now(self.actor(principal_id, role, scope), self.clock)

    def admin(self) -> Act:
        return self.by("p-admin", "admin")

    def clerk(self) -> Act:
        return self.by("p-clerk", "clerk")

    def leader(self) -> Act:
        return self.by("p-leader", "leader")

    def unit(self, unit_id: UUID) -> Act:
        return self.by("p-unit", "unit", unit_id)

    def enterprise(self, enterprise_id: UUID) -> Act:
        return self.by("p-enterprise", "enterprise", enterprise_id)

    def late(self, role: str, occurred_at: datetime, allowed_roles: set[str]) -> Act:
        return Act.late_entry(
            self.actor(f"p-{role}", role), self.clock, occurred_at, allowed_roles=allowed_roles
        )


def valid_uscc(serial: int) -> str:
    """A credit code that passes GB 32100-2015, distinct for each serial number."""
    first17 = f"91340100MA2N{serial:05d}"
    return first17 + check_character(first17)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def acts(clock: Clock) -> Acts:
    return Acts(clock)


@pytest.fixture
def new_uscc() -> Callable[[], str]:
    serials = itertools.count(1)
    return lambda: valid_uscc(next(serials))


@pytest.fixture
def open_park(clock: Clock) -> Iterator[Callable[[str], Park]]:
    """Opens bootstrapped Parks on a database URL; closes them after the test."""
    parks: list[Park] = []

    def open_(url: str) -> Park:
        park = Park(parse_database_url(url), clock=clock)
        parks.append(park)
        park.bootstrap()
        return park

    yield open_
    for park in parks:
        park.close()


@pytest.fixture
def park(open_park: Callable[[str], Park], tmp_path: Path) -> Park:
    return open_park(f"sqlite:///{tmp_path}/t.db")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same tests on SQLite and on a fresh schema of the local PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/t.db"
        return
    schema = f"t_{uuid4().hex}"
    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    except psycopg.OperationalError as error:
        where = urlparse(POSTGRES_URL)
        message = f"PostgreSQL not reachable at {where.hostname}:{where.port}: {error}"
        if os.environ.get("BAOBAO_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


# -- things already in the library ---------------------------------------------------------


@pytest.fixture
def enterprise(park: Park, acts: Acts, new_uscc: Callable[[], str]) -> Enterprise:
    return park.list_enterprise(
        acts.admin(), new_uscc(), "合肥恒丰汽车零部件有限公司", "汽车零部件", "新能源汽车", True
    )


@pytest.fixture
def other_enterprise(park: Park, acts: Acts, new_uscc: Callable[[], str]) -> Enterprise:
    return park.list_enterprise(
        acts.admin(), new_uscc(), "亳州华信药业有限公司", "医药", "现代中药", False
    )


@pytest.fixture
def unit(park: Park, acts: Acts) -> Unit:
    return park.register_unit(acts.admin(), "经济发展局")


@pytest.fixture
def other_unit(park: Park, acts: Acts) -> Unit:
    return park.register_unit(acts.admin(), "住房和城乡建设局")


@pytest.fixture
def leader(park: Park, acts: Acts) -> Guarantor:
    return park.register_guarantor(acts.admin(), "person", "张伟", "副主任", "管委会")


@pytest.fixture
def other_leader(park: Park, acts: Acts) -> Guarantor:
    return park.register_guarantor(acts.admin(), "person", "李娜", "副主任", "管委会")


@pytest.fixture
def department(park: Park, acts: Acts) -> Guarantor:
    return park.register_guarantor(acts.admin(), "department", "经济发展局", None, None)


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end on a new event loop in a thread of its own (this thread may
    already have a running loop, left by the browser tests' driver)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
