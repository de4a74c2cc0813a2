"""The busiest commands reach their routes before FastAPI's router, and answer the same.

The same scenario of matter commands — valid ones and every kind of bad one — is sent to a
server with the dispatch and to one without it; each answer must be the same (status, media
type, problem code, the fields of the body, the headers a client reads)."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import httpx
import pytest
from fastapi import Depends, Response

from api.deps import Acting, acting
from api.fast_commands import FastCommandsMiddleware, fast_command
from api.models import AssignMatterRequest
from tests.api.conftest import Api, running_api

HEADERS = ("etag", "location", "x-log-position", "x-request-id", "retry-after")


def shown(name: str, value: str) -> str:
    if name == "etag" or value == "fast-1":
        return value  # a version (the same in both runs), or the request id sent
    return "present"  # ids, log positions and request ids made up differ run to run


def seen(response: httpx.Response) -> tuple[Any, ...]:
    """What a client reads of an answer, without the ids and times that differ run to run."""
    body = response.json() if response.content else None
    code = body.get("code") if isinstance(body, dict) else None
    fields = sorted(body) if isinstance(body, dict) else None
    headers = tuple(
        (name, shown(name, response.headers[name])) for name in HEADERS if name in response.headers
    )
    return (response.status_code, response.headers.get("content-type"), code, fields, headers)


def scenario(api: Api, run: int) -> list[tuple[Any, ...]]:
    api.serials = itertools.count(100 * run)  # both runs write to the same database
    enterprise = api.enterprise()
    unit, other_unit = api.unit(f"一号局{run}"), api.unit(f"二号局{run}")
    clerk, holder = api.clerk, api.unit_session(unit["id"])
    valid = {
        "enterprise_id": enterprise["id"],
        "summary": "用电增容",
        "category": "要素保障",
        "channel": "window",
    }
    answers = []

    def post(session: Any, path: str, body: Any, **headers: str) -> httpx.Response:
        response: httpx.Response = session.post(path, body, headers=headers)
        answers.append(seen(response))
        return response

    received = post(clerk, "/v1/matters", valid, **{"X-Request-Id": "fast-1"})
    matter = received.json()["id"]
    post(clerk, "/v1/matters", {**valid, "summary": ""})  # 422, from the model
    post(clerk, "/v1/matters", {k: v for k, v in valid.items() if k != "channel"})
    post(clerk, "/v1/matters", {**valid, "enterprise_id": str(UUID(int=7))})  # no such
    post(holder, "/v1/matters", valid)  # a unit may not receive: 403
    post(clerk, "/v1/matters", {**valid, "received_at": "2026-03-01T09:00:00+08:00"})
    post(holder, f"/v1/matters/{matter}/resolve", {"reply": "还没交办"})  # not held: 403
    for bad in ('"x"', "W/1", "12345678901"):
        post(clerk, f"/v1/matters/{matter}/assign", {"unit_id": unit["id"]}, **{"If-Match": bad})
    post(clerk, f"/v1/matters/{matter}/assign", {"unit_id": unit["id"]}, **{"If-Match": '"9"'})
    post(clerk, f"/v1/matters/{matter}/assign", {"unit_id": unit["id"]}, **{"If-Match": '"1"'})
    post(clerk, f"/v1/matters/{matter}/assign", {"unit_id": unit["id"]}, **{"If-Match": '"1"'})
    post(clerk, f"/v1/matters/{matter.upper()}/assign", {"unit_id": other_unit["id"]})
    post(clerk, "/v1/matters/not-a-uuid/assign", {"unit_id": unit["id"]})
    post(clerk, f"/v1/matters/{UUID(int=9)}/assign", {"unit_id": unit["id"]})
    post(api.unit_session(other_unit["id"]), f"/v1/matters/{matter}/resolve", {"reply": "不是我"})
    post(holder, f"/v1/matters/{matter}/resolve", {"reply": "已办结"})
    post(holder, f"/v1/matters/{matter}/resolve", {"reply": "再办结一次"})  # 409
    post(clerk, f"/v1/matters/{matter}/transfer", {"unit_id": other_unit["id"], "reason": "x"})
    post(clerk, f"/v1/matters/{matter}/withdraw", {"reason": "企业撤回"})
    post(clerk, f"/v1/matters/{matter}/assign", [1, 2, 3])
    answers.append(seen(api.client.post("/v1/matters", json=valid)))  # no token: 401
    answers.append(
        seen(api.client.post("/v1/matters", json=valid, headers={"Authorization": "Bearer no"}))
    )
    raw = api.client.post(
        "/v1/matters",
        content=b'{"enterprise_id": ',
        headers={
            "Authorization": f"Bearer {api.token('clerk')}",
            "Content-Type": "application/json",
        },
    )
    answers.append(seen(raw))
    return answers


def test_the_commands_answer_the_same_with_and_without_the_dispatch(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatched: list[str] = []
    dispatch = FastCommandsMiddleware.dispatch

    async def counted(self: FastCommandsMiddleware, route: Any, *args: Any) -> None:
        dispatched.append(route.endpoint.__name__)
        await dispatch(self, route, *args)

    monkeypatch.setattr(FastCommandsMiddleware, "dispatch", counted)
    with running_api(database_url, tmp_path) as api:
        fast = scenario(api, 1)
    assert {"receive_matter", "assign_matter", "resolve_matter", "transfer_matter"} <= set(
        dispatched
    )

    async def straight_on(
        self: FastCommandsMiddleware,
        scope: Any,
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        await self.app(scope, receive, send)

    monkeypatch.setattr(FastCommandsMiddleware, "__call__", straight_on)
    with running_api(database_url, tmp_path) as api:
        routed = scenario(api, 2)
    assert len(fast) == len(routed)
    for number, (one, other) in enumerate(zip(fast, routed, strict=True)):
        assert one == other, f"request {number}: dispatched {one}, routed {other}"
    statuses = [answer[0] for answer in fast]
    assert {200, 201, 400, 401, 403, 404, 409, 422} <= set(statuses)


def test_a_route_of_another_shape_is_refused_when_marked() -> None:
    def takes_a_query(
        body: AssignMatterRequest,
        it: Annotated[Acting, Depends(acting("clerk"))],
        response: Response,
        limit: int = 10,
    ) -> Response:
        return response

    with pytest.raises(TypeError, match="not a fast command"):
        fast_command(takes_a_query)

    def without_caller(body: AssignMatterRequest, response: Response) -> Response:
        return response

    with pytest.raises(TypeError, match="not a fast command"):
        fast_command(without_caller)
