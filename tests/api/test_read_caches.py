"""Reads kept between requests are never stale: a write or the clock changes the next answer.

Rankings, explanations and matter pages are kept once drawn; these tests check that what a
reader is given is what a fresh computation would give after each kind of change.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from api.read_cache import ReadCache
from domain.period import Period
from projections.assessment import Assessor
from tests.api.conftest import Api, running_api, sh
from tests.api.test_assessments_api import ParkMonth, ranking, scores_of


@pytest.fixture
def march(database_url: str, tmp_path: Any) -> Iterator[ParkMonth]:
    """The park month of the assessment tests, on both stores, for tests that write."""
    with running_api(database_url, tmp_path) as api:
        yield ParkMonth(api).write()


def explanation(march: ParkMonth, who: str, period: str = "2026-03") -> dict[str, Any]:
    response = march.api.as_("hr").get(f"/v1/assessments/{period}/guarantors/{march.ids[who]}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_rating_entered_late_for_a_past_month_changes_its_ranking_on_the_next_read(
    march: ParkMonth,
) -> None:
    assert scores_of(ranking(march))["李娜"] == "100.00"
    assert explanation(march, "李娜")["explanation"]["components"]["satisfaction"]["total"] == 0
    # 用工招聘 (Xinyuan, 李娜's) was resolved on 03-04 and never rated: an admin enters the
    # enterprise's 非常不满意 of 03-20 late, in April.
    response = march.api.admin.post(
        f"/v1/matters/{march.ids['用工招聘']}/ratings",
        {"level": 1, "occurred_at": sh(2026, 3, 20, 10).isoformat()},
    )
    assert response.status_code == 201, response.text
    # The 差评 reopens it with a rectify step due 03-27 that is never met: timeliness 2 of 3,
    # satisfaction 0 of 1: (30·200/3 + 20·0 + 10·100) / 60 = 50.00.
    assert scores_of(ranking(march))["李娜"] == "50.00"
    satisfaction = explanation(march, "李娜")["explanation"]["components"]["satisfaction"]
    assert (satisfaction["good"], satisfaction["total"]) == (0, 1)


def test_a_rating_changes_the_current_months_ranking_within_the_same_minute(
    march: ParkMonth,
) -> None:
    march.raise_("新诉求", "Xinyuan").assign("新诉求")
    march.at(sh(2026, 4, 16, 9))
    # April so far for 李娜: the new matter's assign step, met on time; no rating; no visit.
    assert scores_of(ranking(march, "2026-04"))["李娜"] == "75.00"
    march.resolve("新诉求").rate("新诉求", "Xinyuan", 5)
    # The clock has not moved: (30·100 + 20·100 + 10·0) / 60 = 83.33.
    assert scores_of(ranking(march, "2026-04"))["李娜"] == "83.33"
    satisfaction = explanation(march, "李娜", "2026-04")["explanation"]["components"]
    assert satisfaction["satisfaction"]["good"] == 1


def test_a_past_month_scores_the_same_at_any_later_moment(march: ParkMonth) -> None:
    """Why a past month is kept for as long as the log stays put: nothing in it depends on
    the moment of asking once its last day is over."""
    svc = march.api.services
    position = svc.settle()
    march_2026 = Period.parse("2026-03")

    def scored_at(moment: datetime) -> list[tuple[Any, ...]]:
        scores = Assessor(svc.views, svc.park).scores(march_2026, moment, position)
        return [(s.guarantor.id, s.score, s.rank, s.explanation) for s in scores]

    after = [sh(2026, 4, 1), sh(2026, 4, 1, 0, 1), sh(2026, 4, 20, 16), sh(2026, 12, 31, 23)]
    assert all(scored_at(moment) == scored_at(after[0]) for moment in after[1:])
    # On its last day the month still reads differently with the time of day.
    assert scored_at(sh(2026, 3, 31, 8)) != scored_at(after[0])


def overdue_ids(api: Api) -> list[str]:
    response = api.as_("supervisor").get("/v1/matters", {"overdue": "true", "limit": 50})
    assert response.status_code == 200, response.text
    return [m["id"] for m in response.json()["items"]]


def matter_states(api: Api, enterprise_id: str) -> list[str]:
    response = api.as_("supervisor").get("/v1/matters", {"enterprise_id": enterprise_id})
    assert response.status_code == 200, response.text
    return [d["state"] for m in response.json()["items"] for d in m["deadlines"]]


def test_the_matter_list_follows_the_clock_between_writes(sqlite_api: Api) -> None:
    api = sqlite_api
    unit = api.unit()
    enterprise = api.enterprise()
    api.clock.set(sh(2026, 3, 2, 9))
    matter = api.matter(enterprise["id"])
    due = datetime.fromisoformat(matter["deadlines"][0]["due_at"])
    assert due == sh(2026, 3, 2, 14, 30)  # half a working day after 09:00
    assert matter_states(api, enterprise["id"]) == ["pending"]
    assert matter["id"] not in overdue_ids(api)
    api.clock.set(due)
    assert matter_states(api, enterprise["id"]) == ["pending"]
    assert matter["id"] not in overdue_ids(api)
    api.clock.set(due + timedelta(seconds=1))
    assert matter_states(api, enterprise["id"]) == ["missed"]
    assert matter["id"] in overdue_ids(api)
    api.assign(matter["id"], unit["id"])
    assert matter["id"] not in overdue_ids(api)
    assert matter_states(api, enterprise["id"]) == ["met", "pending"]


def test_kept_pages_give_way_to_newer_ones_beyond_their_byte_budget() -> None:
    kept = ReadCache(budget=10)
    now = sh(2026, 3, 2, 9)
    kept.put("first", b"12345", None)
    kept.put("due soon", b"123", now)
    kept.put("third", b"1234", None)
    assert kept.get("first", now) is None  # the least recently read went first
    assert kept.get("due soon", now) == b"123"
    assert kept.get("due soon", now + timedelta(microseconds=1)) is None  # the clock moved on
    assert kept.get("third", now) == b"1234"
    kept.put("too big", b"x" * 11, None)
    assert kept.get("too big", now) is None
    assert kept.get("third", now) == b"1234"
