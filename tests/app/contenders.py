"""A crowd of contenders, threads of the test and processes of their own, each sending its
command at the same instant: over HTTP to one of several servers, or straight to a Park."""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import httpx

from domain.errors import DomainError
from domain.park import Park
from domain.storage import parse_database_url
from tests.app.chaos import context
from tests.app.workload import admin_act

Spec = dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What one contender got: a success (with the version it made), or a refusal's code."""

    status: int
    code: str | None = None
    version: int | None = None
    id: str | None = None
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return self.status < 300


def park_call(park: Park, op: str, a: dict[str, Any]) -> tuple[int, str]:
    """One command straight to the Park: the aggregate's new version and id."""
    act = admin_act(op)
    expected = a.get("expected")
    if op == "assign":
        done: Any = park.assign_matter(act, UUID(a["matter"]), UUID(a["unit"]), expected)
    elif op == "transfer":
        done = park.transfer_matter(act, UUID(a["matter"]), UUID(a["unit"]), "转办", expected)
    elif op == "resolve":
        done = park.resolve_matter(act, UUID(a["matter"]), "已办结", expected)
    elif op == "rate":
        done, _ = park.rate_matter(act, UUID(a["matter"]), a["level"], None, expected)
    elif op == "lead":
        done, _ = park.assign_guarantor(
            act,
            UUID(a["enterprise"]),
            UUID(a["guarantor"]),
            "lead_leader",
            date.fromisoformat(a["from"]),
            expected,
        )
    elif op == "list":
        done = park.list_enterprise(act, a["uscc"], a["name"], "医药", "现代中药", False)
    else:
        raise ValueError(op)
    return int(done.version), str(done.id)


def http_call(client: httpx.Client, spec: Spec) -> Outcome:
    response = client.post(spec["url"], json=spec["json"], headers=spec["headers"])
    if response.status_code >= 300:
        code = None
        with contextlib.suppress(ValueError, KeyError, TypeError):
            code = response.json()["code"]
        return Outcome(response.status_code, code)
    etag = response.headers.get("ETag")
    doc = response.json()
    return Outcome(
        response.status_code,
        version=int(etag.strip('"')) if etag else None,
        id=str(doc.get("id")) if doc.get("id") else None,
        replayed=response.headers.get("Idempotent-Replayed") == "true",
    )


def perform(spec: Spec, park: Park | None, client: httpx.Client) -> Outcome:
    """Wait for the agreed instant, then send."""
    time.sleep(max(0.0, spec["go"] - time.time()))
    if spec["via"] == "http":
        return http_call(client, spec)
    assert park is not None
    try:
        version, made = park_call(park, spec["op"], spec["args"])
    except DomainError as error:
        return Outcome(error.status, error.code)
    return Outcome(200, version=version, id=made)


def contend(url: str, tasks: Any, results: Any) -> None:
    """The body of a contender process: its own Park and HTTP client, one task at a time."""
    # The PostgreSQL server has 100 connections for everyone (keys: the application's name).
    os.environ.setdefault("PARK_POSTGRES_POOL_SIZE", "2")
    park = Park(parse_database_url(url))
    with httpx.Client(timeout=60) as client:
        while (spec := tasks.get()) is not None:
            try:
                results.put((spec["n"], perform(spec, park, client)))
            except Exception as error:  # the test reports it
                results.put((spec["n"], Outcome(599, repr(error))))
    park.close()


class Crowd:
    """`threads` contenders in this process (sharing its Park) and `processes` in their own."""

    def __init__(self, url: str, park: Park, threads: int, processes: int) -> None:
        ctx = context()
        self.results: Any = ctx.Queue()
        self.inboxes: list[Any] = []
        self.workers: list[Any] = []
        for _ in range(processes):
            inbox = ctx.Queue()
            process = ctx.Process(target=contend, args=(url, inbox, self.results), daemon=True)
            process.start()
            self.inboxes.append(inbox)
            self.workers.append(process)
        for _ in range(threads):
            inbox = queue.Queue()
            thread = threading.Thread(target=self.serve, args=(park, inbox), daemon=True)
            thread.start()
            self.inboxes.append(inbox)
            self.workers.append(thread)

    @property
    def size(self) -> int:
        return len(self.inboxes)

    def serve(self, park: Park, inbox: queue.Queue[Spec | None]) -> None:
        with httpx.Client(timeout=60) as client:
            while (spec := inbox.get()) is not None:
                try:
                    self.results.put((spec["n"], perform(spec, park, client)))
                except Exception as error:  # the test reports it
                    self.results.put((spec["n"], Outcome(599, repr(error))))

    def run(self, specs: list[Spec], delay: float = 0.15) -> list[Outcome]:
        """Each contender its spec, all at once; the outcomes in the specs' order."""
        assert len(specs) == self.size
        go = time.time() + delay
        for n, (inbox, spec) in enumerate(zip(self.inboxes, specs, strict=True)):
            inbox.put({**spec, "n": n, "go": go})
        got = dict(self.results.get(timeout=120) for _ in specs)
        return [got[n] for n in range(len(specs))]

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for worker in self.workers:
            worker.join(30)
