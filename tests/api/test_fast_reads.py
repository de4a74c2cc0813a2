"""Repeated reads answered before routing give exactly what the routes give, and only to whom
the routes would give it.

A ranking, an explanation or a page of matters read once is answered again from the bytes sent
while the log's head and the clock leave it unchanged. These tests check the edges: another
caller, another Accept, a token the server does not know, a write made by another process, and
the clock passing the moment the answer changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.requests import Request

from api.read_cache import FastReads
from domain.base import Act, Actor
from domain.park import Park
from tests.api.conftest import Api, problem, running_api, sh
from tests.api.test_assessments_api import ParkMonth, ranking, scores_of

RANKING = "/v1/assessments?period=2026-03&limit=100"


@pytest.fixture
def march(database_url: str, tmp_path: Path) -> Iterator[ParkMonth]:
    """The park month of the assessment tests, on both stores."""
    with running_api(database_url, tmp_path) as api:
        yield ParkMonth(api).write()


def kept_for(api: Api, path: str) -> int:
    """How many answers to `path` are kept for answering before routing."""
    fast = api.services.fast
    return sum(1 for key in fast.bodies._bodies if key[1] == path)


def test_a_repeated_ranking_is_the_routes_answer_byte_for_byte(march: ParkMonth) -> None:
    hr = march.api.as_("hr")
    first = hr.get(RANKING)
    assert first.status_code == 200, first.text
    assert kept_for(march.api, "/v1/assessments") == 1
    again = hr.get(RANKING)
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert again.headers["content-length"] == first.headers["content-length"]


def test_what_is_kept_for_one_caller_is_not_given_to_another(march: ParkMonth) -> None:
    assert march.api.as_("hr").get(RANKING).status_code == 200
    # A clerk may not read assessments: the routes refuse it, whatever is kept for HR.
    problem(march.api.clerk.get(RANKING), 403, "forbidden")
    problem(march.api.client.get(RANKING), 401, "unauthorized")
    unknown = march.api.client.get(RANKING, headers={"Authorization": "Bearer not-a-token"})
    problem(unknown, 401, "unauthorized")
    # Another HR reader is answered by the routes (and the same figures).
    act = Act.now(Actor("p-admin", "admin", "req-token"), march.api.clock)
    _, second = march.api.services.park.issue_token(act, "second HR reader", "hr", None)
    other = march.api.client.get(RANKING, headers={"Authorization": f"Bearer {second}"})
    assert other.json() == march.api.as_("hr").get(RANKING).json()


def test_a_csv_request_gets_csv_after_a_json_one(march: ParkMonth) -> None:
    hr = march.api.as_("hr")
    assert hr.get(RANKING).status_code == 200
    csv = hr.get(RANKING, headers={"Accept": "text/csv"})
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.lstrip("\ufeff").startswith("排名,包保人")


def test_a_write_by_another_process_shows_on_the_next_read(march: ParkMonth) -> None:
    """The kept answer holds only while the log's head stays put; a write through another
    Application on the same database (another server, a worker) moves it."""
    assert scores_of(ranking(march))["李娜"] == "100.00"
    before = march.api.as_("hr").get(RANKING).content
    other = Park(march.api.services.settings.database)
    try:
        act = Act(
            Actor("p-other-server", "admin", "req-other"),
            recorded_at=march.api.clock(),
            occurred_at=sh(2026, 3, 20, 10),
        )
        other.rate_matter(act, march.uuid("用工招聘"), 1, None)
    finally:
        other.close()
    after = march.api.as_("hr").get(RANKING)
    assert after.content != before
    assert scores_of(after.json()["items"])["李娜"] == "50.00"


def test_a_kept_page_of_overdue_matters_gives_way_when_a_step_falls_due(api: Api) -> None:
    api.unit()
    enterprise = api.enterprise()
    api.clock.set(sh(2026, 3, 2, 9))
    matter = api.matter(enterprise["id"])
    supervisor = api.as_("supervisor")
    path = "/v1/matters?overdue=true&limit=50"
    assert supervisor.get(path).json()["items"] == []
    assert supervisor.get(path).json()["items"] == []  # answered from what was kept
    assert kept_for(api, "/v1/matters") == 1
    api.clock.set(sh(2026, 3, 2, 14, 30) + timedelta(seconds=1))
    assert [m["id"] for m in supervisor.get(path).json()["items"]] == [matter["id"]]


def test_a_read_that_asked_for_a_later_position_than_it_got_is_not_kept() -> None:
    """Its views were behind the position asked for: asked again, the routes wait for them."""
    fast = FastReads()
    scope = {"type": "http", "method": "GET", "path": "/v1/matters", "query_string": b""}
    request = Request({**scope, "headers": []})
    now = sh(2026, 3, 2, 9)
    fast.keep(request, "hr-1", 40, b"[]", None, min_position=41)
    assert fast.answer("hr-1", "/v1/matters", "", 40, now) is None
    fast.keep(request, "hr-1", 40, b"[]", None, min_position=40)
    assert fast.answer("hr-1", "/v1/matters", "", 40, now) == b"[]"
    assert fast.answer("hr-1", "/v1/matters", "", 41, now) is None  # the log moved on
    assert fast.answer("hr-2", "/v1/matters", "", 40, now) is None  # another caller
