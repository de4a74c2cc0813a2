"""Resource faults (issue 8, item 5): the database locked, out of reach, its backends
terminated, its disk full, too slow. The API answers 503 problem+json with Retry-After and a
message that says which, records nothing partial, and works again without a restart once the
fault clears; the follower beside it carries on too."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from api.settings import Settings
from domain.base import utc_now
from domain.storage import parse_database_url
from projections.sql import ViewDatabase
from tests.app.chaos import (
    TcpProxy,
    child_env,
    cli,
    events_table,
    free_port,
    pg_connect,
    write_lock,
)
from tests.app.workload import admin_token, caught_up, wait_until

PROBLEM = "application/problem+json"
# Short waits, so that each fault shows within a second or two.
QUICK = {"SQLITE_LOCK_TIMEOUT": "1", "POSTGRES_CONNECT_TIMEOUT": "2", "POSTGRES_LOCK_TIMEOUT": "1"}
POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


@dataclass
class Api:
    """A client of the API (with the follower and the sealer running beside it)."""

    client: TestClient
    svc: Services
    token: str
    start: int = 0

    def post_unit(self, key: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post("/v1/units", json={"name": "经济发展局"}, headers=headers)

    def health(self) -> httpx.Response:
        return self.client.get("/v1/health")

    def recorded(self) -> int:
        """Events recorded since the fault's test began."""
        found = self.svc.park.recorder.select_notifications(
            self.start, 10_000, inclusive_of_start=False
        )
        return len(found)

    def until_answered(self, attempts: int = 100) -> tuple[httpx.Response, int]:
        """Retry a command as a client told `Retry-After` would: the first answer that is not
        503, and how many 503s came before it."""
        for tries in range(attempts):
            response = self.post_unit()
            if response.status_code != 503:
                return response, tries
            time.sleep(0.1)
        raise AssertionError("the API did not recover")

    def settled(self) -> None:
        """The follower and the sealer have carried on: the views reach the log head."""
        wait_until(lambda: caught_up(self.svc), 60, "the follower caught up after the fault")


@contextmanager
def running(url: str, tmp_path: Path, **env: str) -> Iterator[Api]:
    database = parse_database_url(url)
    database = dataclasses.replace(database, env={**database.env, **QUICK, **env})
    settings = Settings(
        database=database,
        signing_key_path=str(tmp_path / "signing.key"),
        sms_sender=f"file:{tmp_path}/sms.log",
    )
    svc = Services(settings, clock=utc_now)
    try:
        with TestClient(create_app(svc), raise_server_exceptions=False) as client:
            api = Api(client, svc, admin_token(svc.park))
            api.start = svc.park.log_head()
            yield api
    finally:
        svc.stop()
        svc.park.close()
        svc.views.close()


def unavailable(response: httpx.Response, *words: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.headers["Retry-After"] == "1"
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["title"] == "Service temporarily unavailable"
    assert any(word in body["detail"] for word in words), body["detail"]
    assert "Traceback" not in response.text
    assert "127.0.0.1" not in body["detail"]  # the fault's raw text stays in the log


def test_a_locked_log_answers_503_then_records_again_when_the_lock_goes(
    database_url: str, tmp_path: Path
) -> None:
    with running(database_url, tmp_path) as api:
        key = f"locked-{uuid.uuid4()}"
        with write_lock(database_url):
            unavailable(api.post_unit(), "busy")
            unavailable(api.post_unit(key), "busy")
            assert api.health().status_code == 200  # reading goes on
        assert api.recorded() == 0
        assert api.post_unit().status_code == 201
        # The failed attempt did not leave its key pending: the retry runs.
        again = api.post_unit(key)
        assert again.status_code == 201
        assert "Idempotent-Replayed" not in again.headers
        assert api.recorded() == 2
        api.settled()


@POSTGRES_ONLY
def test_postgres_out_of_reach_answers_503_and_recovers_once_it_is_back(
    database_url: str, tmp_path: Path
) -> None:
    where = urlparse(database_url)
    proxy = TcpProxy(where.hostname or "127.0.0.1", where.port or 5432)
    through = where._replace(netloc=f"{where.username}@127.0.0.1:{proxy.port}").geturl()
    try:
        with running(through, tmp_path) as api:
            assert api.post_unit().status_code == 201
            proxy.cut()
            unavailable(api.post_unit(), "cannot be reached")
            unavailable(api.health(), "cannot be reached")
            proxy.restore()
            answered, refused = api.until_answered()
            assert answered.status_code == 201
            # The pools' dropped connections fail once each, then are replaced.
            assert refused <= 30
            assert all(api.post_unit().status_code == 201 for _ in range(5))
            assert api.recorded() == 1 + 1 + 5
            api.settled()
    finally:
        proxy.cut()


def test_serve_pointed_at_a_closed_port_says_so_and_exits(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/baobao"
    env = {**child_env(url, tmp_path), "PARK_POSTGRES_CONNECT_TIMEOUT": "1"}
    started = time.monotonic()
    code, output = cli(env, tmp_path, "serve", "--port", str(free_port()))
    assert code == 2, output
    assert "baobao: the database cannot be used" in output
    assert "Traceback" not in output
    assert time.monotonic() - started < 30


def terminate_backends(database_url: str, application_name: str) -> tuple[Any, ...] | None:
    """Terminate every server process of connections with that application name, as an
    administrator would; the row with how many were terminated."""
    with pg_connect(database_url, autocommit=True, application_name="chaos") as admin:
        row: tuple[Any, ...] | None = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            [application_name],
        ).fetchone()
    return row


@POSTGRES_ONLY
def test_terminated_backends_are_replaced_without_a_restart(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"baobao-faults-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PGAPPNAME", name)  # this API's connections, and no one else's
    with running(database_url, tmp_path) as api:
        assert api.post_unit().status_code == 201
        killed = terminate_backends(database_url, name)
        assert killed is not None
        assert killed[0] > 0
        answered, refused = api.until_answered()
        assert answered.status_code == 201
        assert refused <= 30
        assert all(api.post_unit().status_code == 201 for _ in range(5))
        assert api.recorded() == 1 + 1 + 5
        api.settled()


@POSTGRES_ONLY
def test_postgres_too_slow_to_answer_is_503_when_a_statement_timeout_is_set(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator bounds every statement with PGOPTIONS; a migration holds the log's table."""
    monkeypatch.setenv("PGOPTIONS", "-c statement_timeout=1000")
    with running(database_url, tmp_path) as api:
        held = threading.Event()
        done = threading.Event()

        def migrate() -> None:
            with pg_connect(database_url) as conn, conn.transaction():
                conn.execute(f"LOCK TABLE {events_table(database_url)} IN ACCESS EXCLUSIVE MODE")
                held.set()
                done.wait(30)

        holder = threading.Thread(target=migrate, daemon=True)
        holder.start()
        try:
            assert held.wait(10)
            unavailable(api.health(), "did not answer in time")
            unavailable(api.post_unit(), "did not answer in time", "busy")
        finally:
            done.set()
            holder.join(30)
        assert api.health().status_code == 200
        assert api.post_unit().status_code == 201
        assert api.recorded() == 1
        api.settled()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs (root only)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Fill the disk to the last byte."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    size = 1 << 20
    try:
        while size:
            try:
                os.write(fd, b"\0" * size)
            except OSError:
                size //= 2
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_answers_503_and_records_again_once_space_is_freed(
    small_disk: Path, tmp_path: Path
) -> None:
    with running(f"sqlite:///{small_disk}/t.db", tmp_path) as api:
        assert api.post_unit().status_code == 201
        api.settled()
        filler = fill(small_disk)
        key = f"full-{uuid.uuid4()}"
        answers: list[Any] = [api.post_unit() for _ in range(3)]
        answers.append(api.post_unit(key))
        for answer in answers:
            unavailable(answer, "disk is full")
        filler.unlink()
        answered, _ = api.until_answered()
        assert answered.status_code == 201
        assert api.post_unit(key).status_code == 201
        assert api.recorded() == 3
        api.settled()


@POSTGRES_ONLY
def test_a_view_read_after_the_pools_connections_were_terminated_takes_a_fresh_one(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"baobao-views-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PGAPPNAME", name)
    views = ViewDatabase(parse_database_url(database_url))
    try:
        assert views.read("SELECT 1") == [(1,)]  # the pool now lends a connection it keeps
        killed = terminate_backends(database_url, name)
        assert killed is not None
        assert killed[0] > 0
        assert views.read("SELECT 2") == [(2,)]
    finally:
        views.close()
