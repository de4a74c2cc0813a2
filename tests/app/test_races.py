"""Races (issue 8, item 3): many clients at once, threads of this process and processes of
their own, over HTTP to two servers or straight to the Park, on SQLite and PostgreSQL.

Every round puts one contested command to the crowd at the same instant. Each version is won
once: the log grows by exactly the successes' events, the losers get 409, and afterwards one
lead leader is in effect, a resolution has one rating, a credit code one enterprise. The same
Idempotency-Key sent by everyone records one event; so do retries after client timeouts."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from api.services import Services
from domain.base import utc_now
from domain.enterprise import Enterprise
from domain.matter import Matter
from domain.registry import UsccClaim
from tests.app.audit_helpers import open_services
from tests.app.chaos import ITERATIONS, SEED, Server, child_env, hold_in_thread, report, rng
from tests.app.contenders import Crowd, Outcome, Spec
from tests.app.workload import (
    SUMMARY,
    USCC_SERIALS,
    Registry,
    admin_act,
    admin_token,
    caught_up,
    registry,
    wait_until,
)
from tests.conftest import valid_uscc

THREADS, PROCESSES = 4, 2
CONTENDERS = THREADS + PROCESSES
ROUTES = ("park", "http-a", "http-b")


@dataclass
class Race:
    """One contested command: who sends what, and what must hold afterwards."""

    name: str
    specs: list[Spec]
    losers: set[str]  # the codes a loser may get (all 409)
    per_win: int = 1  # events a success records
    one_winner: bool = True
    check: Callable[[list[Outcome]], None] = lambda _: None


@dataclass
class Arena:
    """The servers, the crowd and what the rounds share."""

    svc: Services
    where: Registry
    servers: list[Server]
    token: str
    guarantors: list[UUID]
    rounds: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def park(self) -> Any:
        return self.svc.park

    def command(
        self,
        i: int,
        turn: int,
        op: str,
        args: dict[str, Any],
        path: str,
        body: dict[str, Any],
        if_match: int | None = None,
    ) -> Spec:
        """Contender i's command, straight to the Park or over HTTP to one of the servers,
        by turns; `if_match` is the version it claims to have read (None: no If-Match)."""
        route = ROUTES[(i + turn) % len(ROUTES)]
        if route == "park":
            return {"via": "park", "op": op, "args": {**args, "expected": if_match}}
        headers = {"Authorization": f"Bearer {self.token}"}
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        server = self.servers[route == "http-b"]
        return {"via": "http", "url": server.url + path, "json": body, "headers": headers}

    def matter(self, steps: int) -> Matter:
        """A matter received, then assigned (steps ≥ 2), then resolved (steps ≥ 3)."""
        act = admin_act("setup")
        matter = self.park.receive_matter(
            act, self.where.enterprise_id, SUMMARY, "基础设施", "window"
        )
        if steps >= 2:
            matter = self.park.assign_matter(act, matter.id, self.where.unit_ids[0])
        if steps >= 3:
            matter = self.park.resolve_matter(act, matter.id, "已办结")
        return matter  # type: ignore[no-any-return]

    def events_of(self, aggregate_id: UUID) -> int:
        return len(self.park.recorder.select_events(aggregate_id))


def assign_race(arena: Arena, turn: int) -> Race:
    matter = arena.matter(1)
    units = arena.where.unit_ids
    specs = [
        arena.command(
            i,
            turn,
            "assign",
            {"matter": str(matter.id), "unit": str(units[i % 3])},
            f"/v1/matters/{matter.id}/assign",
            {"unit_id": str(units[i % 3])},
            1 if i % 2 == 0 else None,
        )
        for i in range(CONTENDERS)
    ]

    def check(_: list[Outcome]) -> None:
        assert arena.events_of(matter.id) == 2

    return Race("assign", specs, {"version_conflict", "invalid_state"}, check=check)


def transfer_or_resolve_race(arena: Arena, turn: int) -> Race:
    """Everyone read version 2 (assigned): some transfer it, some resolve it."""
    matter = arena.matter(2)
    specs = []
    for i in range(CONTENDERS):
        unit = str(arena.where.unit_ids[1 + i % 2])
        if i % 2:
            specs.append(
                arena.command(
                    i,
                    turn,
                    "resolve",
                    {"matter": str(matter.id)},
                    f"/v1/matters/{matter.id}/resolve",
                    {"reply": "已办结"},
                    2,
                )
            )
        else:
            specs.append(
                arena.command(
                    i,
                    turn,
                    "transfer",
                    {"matter": str(matter.id), "unit": unit},
                    f"/v1/matters/{matter.id}/transfer",
                    {"unit_id": unit, "reason": "转办"},
                    2,
                )
            )

    def check(_: list[Outcome]) -> None:
        assert arena.events_of(matter.id) == 3

    return Race("transfer/resolve", specs, {"version_conflict"}, check=check)


def blind_transfer_race(arena: Arena, turn: int) -> Race:
    """No If-Match: transfers may win one after another, each to a version of its own."""
    matter = arena.matter(2)
    targets = [str(arena.where.unit_ids[1 + i % 2]) for i in range(CONTENDERS)]
    specs = [
        arena.command(
            i,
            turn,
            "transfer",
            {"matter": str(matter.id), "unit": targets[i]},
            f"/v1/matters/{matter.id}/transfer",
            {"unit_id": targets[i], "reason": "转办"},
        )
        for i in range(CONTENDERS)
    ]

    def check(outcomes: list[Outcome]) -> None:
        won = sorted((o.version or 0, i) for i, o in enumerate(outcomes) if o.ok)
        assert [v for v, _ in won] == list(range(3, 3 + len(won)))
        assert arena.events_of(matter.id) == 2 + len(won)
        last = arena.park.load(Matter, matter.id)
        assert last.unit_id == targets[won[-1][1]]

    return Race(
        "blind transfer", specs, {"version_conflict", "same_unit"}, one_winner=False, check=check
    )


def lead_leader_race(arena: Arena, turn: int) -> Race:
    """Two (six) lead leaders at once for an enterprise that has none."""
    enterprise = arena.park.list_enterprise(
        admin_act("setup"),
        valid_uscc(next(USCC_SERIALS)),
        "亳州华信药业有限公司",
        "医药",
        "现代中药",
        False,
    )
    today = utc_now().date().isoformat()
    specs = [
        arena.command(
            i,
            turn,
            "lead",
            {"enterprise": str(enterprise.id), "guarantor": str(g), "from": today},
            f"/v1/enterprises/{enterprise.id}/assignments",
            {"guarantor_id": str(g), "role": "lead_leader", "effective_from": today},
            1 if i % 2 == 0 else None,
        )
        for i, g in enumerate(arena.guarantors)
    ]

    def check(_: list[Outcome]) -> None:
        after = arena.park.load(Enterprise, enterprise.id)
        assert len(after.open_assignments("lead_leader")) == 1
        assert len(after.assignments) == 1
        assert len(after.guarantors_on(date.fromisoformat(today))) == 1

    return Race("lead leader", specs, {"version_conflict", "lead_leader_in_effect"}, check=check)


def rating_race(arena: Arena, turn: int) -> Race:
    """Six ratings at once of one resolution."""
    matter = arena.matter(3)
    specs = [
        arena.command(
            i,
            turn,
            "rate",
            {"matter": str(matter.id), "level": 1 + i % 5},
            f"/v1/matters/{matter.id}/ratings",
            {"level": 1 + i % 5},
            3 if i % 2 == 0 else None,
        )
        for i in range(CONTENDERS)
    ]

    def check(_: list[Outcome]) -> None:
        after = arena.park.load(Matter, matter.id)
        assert [r.resolution for r in after.ratings] == [1]
        assert arena.events_of(matter.id) == 4

    return Race("rating", specs, {"version_conflict", "already_rated"}, check=check)


def uscc_race(arena: Arena, turn: int) -> Race:
    """Six clerks list the same credit code at once."""
    code = valid_uscc(next(USCC_SERIALS))
    specs = [
        arena.command(
            i,
            turn,
            "list",
            {"uscc": code, "name": f"重复企业{i}"},
            "/v1/enterprises",
            {
                "uscc": code,
                "name": f"重复企业{i}",
                "industry": "医药",
                "chain": "现代中药",
                "above_scale": False,
            },
        )
        for i in range(CONTENDERS)
    ]

    def check(outcomes: list[Outcome]) -> None:
        (winner,) = [o for o in outcomes if o.ok]
        claim = arena.park.load(UsccClaim, UsccClaim.id_for(code))
        assert str(claim.enterprise_id) == winner.id
        assert claim.version == 1

    return Race("uscc", specs, {"duplicate_uscc", "version_conflict"}, per_win=2, check=check)


def same_key_race(arena: Arena, turn: int) -> Race:
    """Everyone sends the same request with the same Idempotency-Key, to both servers."""
    key = f"race-{uuid.uuid4()}"
    body = {
        "enterprise_id": str(arena.where.enterprise_id),
        "summary": SUMMARY,
        "category": "基础设施",
        "channel": "window",
    }
    headers = {"Authorization": f"Bearer {arena.token}", "Idempotency-Key": key}
    specs = [
        {
            "via": "http",
            "url": arena.servers[(i + turn) % 2].url + "/v1/matters",
            "json": body,
            "headers": headers,
        }
        for i in range(CONTENDERS)
    ]

    def check(outcomes: list[Outcome]) -> None:
        made = {o.id for o in outcomes if o.ok}
        assert len(made) == 1
        again = httpx.post(arena.servers[turn % 2].url + "/v1/matters", json=body, headers=headers)
        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["id"] in made

    return Race("same key", specs, {"idempotency_in_progress"}, check=check)


RACES = (
    assign_race,
    transfer_or_resolve_race,
    blind_transfer_race,
    lead_leader_race,
    rating_race,
    uscc_race,
    same_key_race,
)


def recorded_since(svc: Services, position: int) -> int:
    """Events in the log after `position` (PostgreSQL's positions have gaps: a transaction
    that rolls back has used its sequence numbers)."""
    return len(svc.park.recorder.select_notifications(position, 10_000, inclusive_of_start=False))


def settle_views(arena: Arena) -> None:
    wait_until(lambda: caught_up(arena.svc), 60, "the views caught up")


def views_hold_the_invariants(svc: Services) -> None:
    """What the read models say agrees: one enterprise per credit code, at most one open lead
    leader per enterprise, one rating per resolution."""
    assert svc.views.read("SELECT uscc FROM v_enterprises GROUP BY uscc HAVING COUNT(*) > 1") == []
    assert (
        svc.views.read(
            "SELECT enterprise_id FROM v_assignments WHERE role='lead_leader' "
            "AND effective_to IS NULL GROUP BY enterprise_id HAVING COUNT(*) > 1"
        )
        == []
    )
    doubles = svc.views.read(
        "SELECT matter_id FROM v_ratings GROUP BY matter_id HAVING COUNT(*) > 1"
    )
    assert doubles == []


@pytest.fixture
def svc(database_url: str, tmp_path: Path) -> Iterator[Services]:
    with open_services(database_url, tmp_path, utc_now) as services:
        yield services


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    # Two servers, two processes and this one share the PostgreSQL server's 100 connections.
    return {**child_env(database_url, tmp_path), "PARK_POSTGRES_POOL_SIZE": "3"}


def test_conflicting_commands_from_many_clients_each_win_one_version(
    svc: Services, env: dict[str, str], tmp_path: Path, database_url: str
) -> None:
    where = registry(svc.park)
    act = admin_act("setup")
    guarantors = [
        svc.park.register_guarantor(act, "person", f"包保人{i}", "副主任", "管委会").id
        for i in range(CONTENDERS)
    ]
    servers = [Server(env, tmp_path, name=f"serve-{n}") for n in "ab"]
    crowd: Crowd | None = None
    try:
        for server in servers:
            server.start()
        arena = Arena(svc, where, servers, admin_token(svc.park), guarantors)
        crowd = Crowd(database_url, svc.park, THREADS, PROCESSES)
        order = rng("races")
        tally: dict[str, list[int]] = {}
        for turn in range(len(RACES) * max(1, ITERATIONS // 2)):
            make = RACES[turn % len(RACES)] if turn < len(RACES) else order.choice(RACES)
            race = make(arena, turn)
            before = svc.park.log_head()
            outcomes = crowd.run(race.specs)
            won = [o for o in outcomes if o.ok and not o.replayed]
            lost = [o for o in outcomes if not o.ok]
            where_ = f"seed {SEED}, round {turn} ({race.name}): {outcomes}"
            assert recorded_since(svc, before) == race.per_win * len(won), where_
            assert len(won) == 1 if race.one_winner else len(won) >= 1, where_
            assert all(o.status == 409 and o.code in race.losers for o in lost), where_
            race.check(outcomes)
            counts = tally.setdefault(race.name, [0, 0, 0])
            counts[0] += 1
            counts[1] += len(outcomes)
            counts[2] += len(lost)
        settle_views(arena)
        views_hold_the_invariants(svc)
        report(
            f"races ({svc.settings.database.kind})",
            **{name.replace(" ", "_"): "/".join(map(str, t)) for name, t in tally.items()},
            legend="rounds/commands/409s",
        )
    finally:
        if crowd is not None:
            crowd.close()
        for server in servers:
            server.kill()


def test_retries_after_client_timeouts_record_the_command_once(
    svc: Services, env: dict[str, str], tmp_path: Path, database_url: str
) -> None:
    """The log is held (another writer) while the first request waits in the server; the
    client gives up after 0.3 s and retries with the same key, from three threads."""
    where = registry(svc.park)
    server = Server(env, tmp_path)
    try:
        server.start()
        token = admin_token(svc.park)
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"t-{uuid.uuid4()}"}
        body = {
            "enterprise_id": str(where.enterprise_id),
            "summary": SUMMARY,
            "category": "基础设施",
            "channel": "window",
        }
        before = svc.park.log_head()
        seen: list[str] = []
        answers: list[httpx.Response] = []
        lock = threading.Lock()

        def client() -> None:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    response = httpx.post(
                        server.url + "/v1/matters", json=body, headers=headers, timeout=0.3
                    )
                except httpx.TimeoutException:
                    with lock:
                        seen.append("timeout")
                    continue
                with lock:
                    seen.append(str(response.status_code))
                if response.status_code == 409:
                    assert response.json()["code"] == "idempotency_in_progress"
                    assert response.headers["Retry-After"] == "1"
                    time.sleep(0.1)
                    continue
                with lock:
                    answers.append(response)
                return

        holder = hold_in_thread(database_url, 2.0)
        clients = [threading.Thread(target=client) for _ in range(3)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(60)
        holder.join(30)
        assert "timeout" in seen
        assert [a.status_code for a in answers] == [201, 201, 201], seen
        assert len({a.json()["id"] for a in answers}) == 1
        assert recorded_since(svc, before) == 1
        assert svc.park.exists(UUID(answers[0].json()["id"]))
    finally:
        server.kill()
