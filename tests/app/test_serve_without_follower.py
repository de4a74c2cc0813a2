"""`baobao serve --no-follow` beside `baobao worker`: the server answers commands and leaves
the views and the seals to the worker, which keeps them up to the log's head."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.services import Services
from domain.base import utc_now
from tests.app.audit_helpers import open_services
from tests.app.chaos import Child, Server, child_env, warm
from tests.app.workload import admin_token, caught_up, registry, sealed_to_head, wait_until


@pytest.fixture
def svc(database_url: str, tmp_path: Path) -> Iterator[Services]:
    with open_services(database_url, tmp_path, utc_now) as services:
        yield services


def test_a_server_without_follower_serves_and_a_worker_keeps_the_views(
    svc: Services, database_url: str, tmp_path: Path
) -> None:
    warm()
    env = child_env(database_url, tmp_path)
    where = registry(svc.park)
    svc.follower.catch_up()
    token = admin_token(svc.park)
    server = Server(env, tmp_path, "--no-watch", "--no-send", "--no-follow")
    server.start()
    worker: Child | None = None
    try:
        headers = {"Authorization": f"Bearer {token}"}
        body = {
            "enterprise_id": str(where.enterprise_id),
            "summary": "用电增容",
            "category": "要素保障",
            "channel": "window",
        }
        received = httpx.post(f"{server.url}/v1/matters", json=body, headers=headers, timeout=30)
        assert received.status_code == 201, received.text
        position = int(received.headers["X-Log-Position"])
        # Nothing in the server follows the log: the views stay where they were.
        time.sleep(1.0)
        assert max(svc.follower.positions().values()) < position
        assert not sealed_to_head(svc)

        worker = Child(["worker", "--no-watch", "--no-send"], env, tmp_path, tmp_path / "w.log")
        wait_until(lambda: caught_up(svc) and sealed_to_head(svc), 60, "the worker caught up")
        matter_id = received.json()["id"]
        read = httpx.get(
            f"{server.url}/v1/matters",
            params={"status": "received", "min_position": position},
            headers=headers,
            timeout=30,
        )
        assert read.status_code == 200, read.text
        assert matter_id in [m["id"] for m in read.json()["items"]]
    finally:
        server.stop()
        if worker is not None:
            assert worker.stop() == 0, worker.output()
