"""Work to crash in the middle of: writers through the Park and through HTTP that keep every
acknowledged write, a bulk history, and the checks that follow a crash."""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import httpx

from api.services import Services
from domain.base import Act, Actor, utc_now
from domain.errors import DomainError
from domain.notification import Delivery
from domain.park import Park
from projections.audit_verify import ensure_tables
from tests.conftest import valid_uscc

SUMMARY = "厂区道路积水，需协调排水改造"
USCC_SERIALS = itertools.count(20_000)


def admin_act(request: str = "chaos") -> Act:
    return Act.now(Actor("p-chaos", "admin", f"{request}-{uuid.uuid4().hex[:8]}"), utc_now)


def late_act(occurred_at_days_ago: float) -> Act:
    """An admin's late entry (补录) of something that happened days ago."""
    actor = Actor("p-chaos", "admin", f"late-{uuid.uuid4().hex[:8]}")
    past = utc_now() - timedelta(days=occurred_at_days_ago)
    return Act.late_entry(actor, utc_now, past, allowed_roles={"admin"})


def admin_token(park: Park) -> str:
    _, token = park.issue_token(admin_act("token"), "chaos admin", "admin", None)
    return token


@dataclass
class Registry:
    """Units and an enterprise to hang matters on."""

    enterprise_id: UUID
    unit_ids: list[UUID]


def registry(park: Park, units: int = 3) -> Registry:
    act = admin_act("registry")
    enterprise = park.list_enterprise(
        act,
        valid_uscc(next(USCC_SERIALS)),
        "亳州恒丰汽车零部件有限公司",
        "汽车零部件",
        "新能源汽车",
        True,
    )
    return Registry(enterprise.id, [park.register_unit(act, f"单位{n}").id for n in range(units)])


def bulk(park: Park, where: Registry, matters: int) -> int:
    """`matters` matters received and assigned, and a unit per ten, saved in large batches
    (fast); the number of events written."""
    act = admin_act("bulk")
    written = 0
    with park.batched(500):
        for n in range(matters):
            matter = park.receive_matter(act, where.enterprise_id, SUMMARY, "基础设施", "window")
            park.assign_matter(act, matter.id, where.unit_ids[n % len(where.unit_ids)])
            written += 2
            if n % 10 == 0:
                park.register_unit(act, f"批量单位{n}")
                written += 1
    return written


@dataclass
class Acks:
    """Writes acknowledged to their writer: (aggregate id, version) pairs, thread-safe."""

    items: list[tuple[UUID, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refused: int = 0
    failed: int = 0

    def add(self, aggregate_id: UUID, version: int) -> None:
        with self.lock:
            self.items.append((aggregate_id, version))


class ParkWriter(threading.Thread):
    """Commands through the Park (units, matters received, assigned, resolved) until stopped."""

    def __init__(self, park: Park, where: Registry, seed: int) -> None:
        super().__init__(daemon=True)
        self.park = park
        self.where = where
        self.random = random.Random(seed)
        self.acks = Acks()
        self.halt = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        received: list[UUID] = []
        assigned: list[UUID] = []
        try:
            while not self.halt.is_set():
                self.step(received, assigned)
        except BaseException as error:  # reported by the test
            self.error = error

    def step(self, received: list[UUID], assigned: list[UUID]) -> None:
        act = admin_act("writer")
        choice = self.random.random()
        try:
            if choice < 0.1:
                unit = self.park.register_unit(act, "新单位")
                self.acks.add(unit.id, unit.version)
            elif choice < 0.5 or not received:
                matter = self.park.receive_matter(
                    act, self.where.enterprise_id, SUMMARY, "基础设施", "window"
                )
                self.acks.add(matter.id, matter.version)
                received.append(matter.id)
            elif choice < 0.8 or not assigned:
                unit_id = self.random.choice(self.where.unit_ids)
                matter = self.park.assign_matter(act, received.pop(), unit_id, 1)
                self.acks.add(matter.id, matter.version)
                assigned.append(matter.id)
            else:
                matter = self.park.resolve_matter(act, assigned.pop(), "已办结", 2)
                self.acks.add(matter.id, matter.version)
        except DomainError:
            self.acks.refused += 1

    def stop(self) -> Acks:
        self.halt.set()
        self.join(60)
        assert self.error is None, f"the writer failed: {self.error!r}"
        return self.acks


class HttpWriter(threading.Thread):
    """Commands over HTTP (with Idempotency-Keys) until stopped; a request that gets no answer
    (the server was killed) is simply not acknowledged and the writer goes on."""

    def __init__(self, base_url: str, token: str, where: Registry, seed: int) -> None:
        super().__init__(daemon=True)
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.where = where
        self.random = random.Random(seed)
        self.acks = Acks()
        self.halt = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        received: list[str] = []
        assigned: list[str] = []
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            try:
                while not self.halt.is_set():
                    self.step(client, received, assigned)
            except BaseException as error:  # reported by the test
                self.error = error

    def step(self, client: httpx.Client, received: list[str], assigned: list[str]) -> None:
        choice = self.random.random()
        if choice < 0.1:
            path, body, version, after = "/v1/units", {"name": "新单位"}, None, None
        elif choice < 0.5 or not received:
            body = {
                "enterprise_id": str(self.where.enterprise_id),
                "summary": SUMMARY,
                "category": "基础设施",
                "channel": "window",
            }
            path, version, after = "/v1/matters", None, received
        elif choice < 0.8 or not assigned:
            matter_id = received.pop()
            path = f"/v1/matters/{matter_id}/assign"
            body = {"unit_id": str(self.random.choice(self.where.unit_ids))}
            version, after = "1", assigned
        else:
            path, body, version, after = (
                f"/v1/matters/{assigned.pop()}/resolve",
                {"reply": "已办结"},
                "2",
                None,
            )
        headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        try:
            response = client.post(path, json=body, headers=headers)
        except httpx.HTTPError:
            self.acks.failed += 1
            time.sleep(0.02)  # the server is down: try again once it is back
            return
        if response.status_code >= 300:
            assert response.status_code in (409, 503), response.text
            self.acks.refused += 1
            return
        doc = response.json()
        self.acks.add(UUID(doc["id"]), int(response.headers["ETag"].strip('"')))
        if after is not None:
            after.append(doc["id"])

    def stop(self) -> Acks:
        self.halt.set()
        self.join(60)
        assert self.error is None, f"the writer failed: {self.error!r}"
        return self.acks


def missing_acks(park: Park, acks: Acks) -> list[tuple[UUID, int]]:
    """Acknowledged writes that the log does not hold."""
    missing = []
    for aggregate_id, version in acks.items:
        found = park.recorder.select_events(aggregate_id, gt=version - 1, lte=version)
        if len(found) != 1:
            missing.append((aggregate_id, version))
    return missing


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting until {what}")
        time.sleep(0.05)


def caught_up(svc: Services) -> bool:
    """Every projection has applied the whole log."""
    head = svc.park.log_head()
    return all(position == head for position in svc.follower.positions().values())


def sealed_to_head(svc: Services) -> bool:
    ensure_tables(svc.views)  # before any sealer ran
    rows = svc.views.read("SELECT position FROM audit_progress WHERE name='chain'")
    return bool(rows) and int(rows[0][0]) == svc.park.log_head()


def file_ids(path: Path) -> tuple[list[str], int]:
    """The message ids of the SMS file's complete lines, in order, and the lines without one."""
    if not path.exists():
        return [], 0
    ids: list[str] = []
    broken = 0
    for line in path.read_bytes().split(b"\n"):
        if not line:
            continue
        with contextlib.suppress(ValueError):
            ids.append(str(json.loads(line)["id"]))
            continue
        broken += 1
    return ids, broken


def delivered_ids(park: Park) -> list[str]:
    """The message of every `Delivery.Delivered` event in the log (one per delivery)."""
    found: list[str] = []
    after = 0
    while notifications := park.recorder.select_notifications(
        start=after, limit=1000, inclusive_of_start=False
    ):
        for n in notifications:
            if n.topic.endswith("Delivery.Delivered"):
                found.append(str(n.originator_id))
        after = notifications[-1].id
    assert Delivery.Delivered.__qualname__ == "Delivery.Delivered"
    return found
