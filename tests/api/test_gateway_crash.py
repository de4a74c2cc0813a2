"""The HTTP gateway sender against a fake gateway: retries, refusals, and a crash between the
send and its record (issue 3: never sent twice, never lost), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from api.notify import HttpGatewaySender
from api.sender import SenderLoop
from api.services import Services
from api.settings import Settings
from domain.base import Actor
from domain.calendar import SHANGHAI
from domain.park import Park
from domain.storage import parse_database_url
from projections.outbox import OutboxEntry, outbox_page
from tests.conftest import Acts, Clock, sh

ROOT = Path(__file__).resolve().parents[2]
WATCHER = Actor("watcher", "system", "watch-test")


@dataclass
class Request:
    key: str
    status: int
    replay: bool = False


@dataclass
class FakeGateway:
    """An SMS gateway that honours Idempotency-Key: a repeated key is answered with the first
    reference and not delivered again. It can answer with scripted errors first, and hold its
    answer to a new message (after counting it delivered) until released."""

    script: list[int] = field(default_factory=list)
    hold: bool = False
    delivered: dict[str, str] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def answer(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], bool]:
        with self.lock:
            if self.script:
                status = self.script.pop(0)
                self.requests.append(Request(key, status))
                return status, {"error": f"scripted {status}"}, False
            replay = key in self.delivered
            if not replay:
                assert body["id"] == key
                self.delivered[key] = f"gw-{len(self.delivered) + 1}"
            self.requests.append(Request(key, 200, replay))
            return (
                200,
                {"reference": self.delivered[key], "replay": replay},
                self.hold and not replay,
            )


def handler_for(gateway: FakeGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            status, answer, hold = gateway.answer(self.headers["Idempotency-Key"], body)
            if hold:
                gateway.held.set()
                gateway.release.wait(30)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the sender is gone (killed): nobody reads the answer

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def svc(
    database_url: str, tmp_path: Path, clock: Clock, gateway: FakeGateway
) -> Iterator[Services]:
    settings = Settings(
        database=parse_database_url(database_url),
        signing_key_path=str(tmp_path / "key"),
        sms_sender=gateway.url,
    )
    services = Services(settings, clock=clock)
    yield services
    services.stop()
    services.park.close()
    services.views.close()


@pytest.fixture
def park(svc: Services) -> Park:
    return svc.park


@pytest.fixture
def reminded(svc: Services, acts: Acts, clock: Clock, new_uscc: Callable[[], str]) -> None:
    """A unit is due to be reminded of a matter (one message in the outbox)."""
    park = svc.park
    enterprise = park.list_enterprise(
        acts.admin(), new_uscc(), "亳州恒丰汽车零部件有限公司", "汽车零部件", "新能源汽车", True
    )
    unit = park.register_unit(acts.admin(), "经济发展局")
    clock.set(sh(2026, 9, 30, 9))
    matter = park.receive_matter(acts.clerk(), enterprise.id, "用电增容", "要素保障", "window")
    clock.set(sh(2026, 9, 30, 10))
    park.assign_matter(acts.clerk(), matter.id, unit.id)
    clock.set(sh(2026, 10, 10, 9))
    park.watch_matter(WATCHER, matter.id, clock())


def outbox(svc: Services) -> list[OutboxEntry]:
    svc.settle()
    return outbox_page(svc.views, limit=500)[0]


def delivered_events(park: Park) -> list[Any]:
    events = [park.mapper.to_domain_event(n) for n in park.recorder.select_notifications(1, 10**6)]
    return [e for e in events if type(e).__qualname__ == "Delivery.Delivered"]


def quick(gateway: FakeGateway, timeout: float = 5.0) -> HttpGatewaySender:
    return HttpGatewaySender(gateway.url, timeout=timeout, retries=3, backoff=0.01)


def sender_process(
    database_url: str, gateway: FakeGateway, tmp_path: Path
) -> subprocess.Popen[str]:
    """`baobao notifications send --once` in a process of its own."""
    env = {
        **os.environ,
        "BAOBAO_DATABASE_URL": database_url,
        "BAOBAO_SMS_SENDER": gateway.url,
        "BAOBAO_SMS_TIMEOUT": "60",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from api.cli import main; main()",
            "notifications",
            "send",
            "--once",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.usefixtures("reminded")
def test_a_sender_killed_between_sending_and_recording_does_not_send_twice(
    svc: Services, gateway: FakeGateway, database_url: str, tmp_path: Path
) -> None:
    gateway.hold = True
    first = sender_process(database_url, gateway, tmp_path)
    try:
        assert gateway.held.wait(60), "the sender never reached the gateway"
        assert first.poll() is None
        # The gateway has delivered the message; the sender has not recorded it yet.
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.wait(30)
    assert first.returncode == -signal.SIGKILL
    gateway.release.set()
    assert delivered_events(svc.park) == []
    (entry,) = outbox(svc)
    assert entry.status == "pending"

    gateway.hold = False
    second = sender_process(database_url, gateway, tmp_path)
    output, _ = second.communicate(timeout=60)
    assert second.returncode == 0, output
    assert "delivered 1 of 1" in output

    assert len(gateway.delivered) == 1
    assert [r.replay for r in gateway.requests] == [False, True]
    assert len({r.key for r in gateway.requests}) == 1
    (delivered,) = delivered_events(svc.park)
    assert delivered.gateway_reference == "gw-1"
    assert delivered.attempts == 1
    assert [e.status for e in outbox(svc)] == ["delivered"]
    assert SenderLoop(svc).run_once() == []
    assert len(gateway.requests) == 2


@pytest.mark.usefixtures("reminded")
def test_a_gateway_failing_twice_is_retried_until_it_delivers(
    svc: Services, gateway: FakeGateway
) -> None:
    gateway.script = [500, 503]
    (outcome,) = SenderLoop(svc, quick(gateway)).run_once()
    assert outcome.result == "delivered"
    assert [r.status for r in gateway.requests] == [500, 503, 200]
    assert len(gateway.delivered) == 1
    assert len(delivered_events(svc.park)) == 1


@pytest.mark.usefixtures("reminded")
def test_a_refused_message_is_recorded_as_failed_and_not_retried(
    svc: Services, gateway: FakeGateway, clock: Clock
) -> None:
    gateway.script = [400]
    loop = SenderLoop(svc, quick(gateway))
    (outcome,) = loop.run_once()
    assert outcome.result == "failed"
    (entry,) = outbox(svc)
    assert (entry.status, entry.attempts) == ("failed", 1)
    assert entry.last_error is not None
    assert "400" in entry.last_error
    clock.advance(hours=2)
    assert loop.run_once() == []
    assert len(gateway.requests) == 1
    assert delivered_events(svc.park) == []


@pytest.mark.usefixtures("reminded")
def test_a_gateway_down_for_long_leaves_the_message_pending_for_later(
    svc: Services, gateway: FakeGateway, clock: Clock
) -> None:
    gateway.script = [502] * 4
    loop = SenderLoop(svc, quick(gateway))
    assert [o.result for o in loop.run_once()] == ["retrying"]
    (entry,) = outbox(svc)
    assert (entry.status, entry.attempts) == ("pending", 1)
    assert entry.next_attempt_at is not None
    assert entry.next_attempt_at.astimezone(SHANGHAI) > clock()
    clock.advance(minutes=1)
    assert [o.result for o in loop.run_once()] == ["delivered"]
    assert [e.status for e in outbox(svc)] == ["delivered"]


@pytest.mark.usefixtures("reminded")
def test_an_answer_too_slow_is_retried_and_replayed_not_delivered_again(
    svc: Services, gateway: FakeGateway
) -> None:
    gateway.hold = True
    threading.Timer(1.5, gateway.release.set).start()
    (outcome,) = SenderLoop(svc, quick(gateway, timeout=0.3)).run_once()
    assert outcome.result == "delivered"
    assert len(gateway.delivered) == 1
    assert [r.replay for r in gateway.requests][:1] == [False]
    assert all(r.replay for r in gateway.requests[1:])
    assert len(delivered_events(svc.park)) == 1
