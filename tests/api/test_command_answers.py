"""A command's answer, and the aggregates a server keeps in memory between commands.

The server answers a command with its own event's log position, and loads the aggregates it
keeps from its cache brought up to date with the log: a write by another process (another
server, a worker, the command line) is never hidden by what this one remembers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from domain.base import Act, Actor
from domain.park import Park
from domain.storage import parse_database_url
from tests.api.conftest import Api, problem


@pytest.fixture
def other(api: Api, database_url: str) -> Iterator[Park]:
    """The same log seen by another process: its own Application, with its own cache."""
    park = Park(parse_database_url(database_url), clock=api.clock)
    try:
        yield park
    finally:
        park.close()


def act(api: Api, role: str, scope: str | None = None) -> Act:
    return Act.now(Actor("other-process", role, "elsewhere", scope=scope), api.clock)


def head_of(park: Park) -> int:
    return park.log_head()


def test_a_command_answers_with_the_log_position_of_its_own_event(
    api: Api, other: Park, tmp_path: Path
) -> None:
    enterprise, unit = api.enterprise(), api.unit()
    received = api.clerk.post(
        "/v1/matters",
        {
            "enterprise_id": enterprise["id"],
            "summary": "用电增容",
            "category": "要素保障",
            "channel": "window",
        },
        headers={"X-Request-Id": "req-1"},
    )
    assert received.status_code == 201, received.text
    assert int(received.headers["X-Log-Position"]) == head_of(other)
    assert received.headers["X-Request-Id"] == "req-1"
    assert received.headers["ETag"] == '"1"'
    assert received.headers["Location"] == f"/v1/matters/{received.json()['id']}"
    assert received.headers["content-type"] == "application/json"

    # Another process writes after it: the head moves on, the matter's position does not.
    other.register_unit(act(api, "admin"), "自然资源局")
    matter_id = received.json()["id"]
    assigned = api.clerk.post(f"/v1/matters/{matter_id}/assign", {"unit_id": unit["id"]})
    assert assigned.status_code == 200, assigned.text
    position = int(assigned.headers["X-Log-Position"])
    assert position == head_of(other)
    assert position > int(received.headers["X-Log-Position"]) + 1
    recorded = other.recorder.select_notifications(start=position, limit=1)
    assert [(n.originator_id, n.originator_version) for n in recorded] == [(UUID(matter_id), 2)]
    # Reading at that position sees the command.
    read = api.clerk.get(f"/v1/matters/{matter_id}", params={"min_position": position})
    assert read.json()["status"] == "assigned"


def test_a_write_by_another_process_after_the_server_cached_a_matter_is_not_hidden(
    api: Api, other: Park
) -> None:
    enterprise, first, second = api.enterprise(), api.unit(), api.unit("自然资源局")
    matter = api.matter(enterprise["id"])
    assigned = api.clerk.post(f"/v1/matters/{matter['id']}/assign", {"unit_id": first["id"]})
    assert assigned.headers["ETag"] == '"2"'
    api.unit_session(second["id"])  # its token, issued before the other process writes

    # Another process transfers the matter the server has just loaded and kept.
    other.transfer_matter(act(api, "clerk"), UUID(matter["id"]), UUID(second["id"]), "职责调整")

    # What the server remembers (version 2, held by the first unit) does not win:
    stale = api.unit_session(second["id"]).post(
        f"/v1/matters/{matter['id']}/resolve", {"reply": "已办结"}, headers={"If-Match": '"2"'}
    )
    problem(stale, 409, "version_conflict")
    gone = api.unit_session(first["id"]).post(
        f"/v1/matters/{matter['id']}/resolve", {"reply": "已办结"}
    )
    problem(gone, 403, "not_holding_unit")
    resolved = api.unit_session(second["id"]).post(
        f"/v1/matters/{matter['id']}/resolve", {"reply": "已办结"}, headers={"If-Match": '"3"'}
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.headers["ETag"] == '"4"'
    events = [type(e).__qualname__ for e in other.events.get(UUID(matter["id"]))]
    assert events == ["Matter.Received", "Matter.Assigned", "Matter.Transferred", "Matter.Resolved"]


def test_an_enterprise_delisted_by_another_process_takes_no_new_matter(
    api: Api, other: Park
) -> None:
    enterprise = api.enterprise()
    api.matter(enterprise["id"])  # the server has the enterprise in memory now
    other.delist_enterprise(act(api, "admin"), UUID(enterprise["id"]), "迁出园区")
    refused = api.clerk.post(
        "/v1/matters",
        {
            "enterprise_id": enterprise["id"],
            "summary": "用工招聘",
            "category": "用工",
            "channel": "window",
        },
    )
    problem(refused, 409, "enterprise_not_listed")
