"""The SMS outbox through the Park and the follower, on SQLite and PostgreSQL (SPEC N4, M7)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from uuid import UUID

import pytest

from api.notify import FileSender, TransientSendError
from api.sender import SenderLoop
from api.services import Services
from api.settings import Settings
from domain.base import Actor
from domain.enterprise import Enterprise
from domain.matter import Matter
from domain.messages import SUPERVISOR, unit_recipient
from domain.notification import Delivery
from domain.park import Park
from domain.registry import Unit
from domain.storage import parse_database_url
from projections.outbox import OutboxEntry, outbox_page
from tests.conftest import Acts, Clock, sh

WATCHER = Actor("watcher", "system", "watch-test")


@pytest.fixture
def svc(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Services]:
    settings = Settings(
        database=parse_database_url(database_url),
        signing_key_path=str(tmp_path / "key"),
        sms_sender=f"file:{tmp_path}/sms.log",
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
def matter(park: Park, acts: Acts, clock: Clock, enterprise: Enterprise, unit: Unit) -> Matter:
    """Assigned Wed 2026-09-30 10:00: due Sat 2026-10-10 17:30 (调休)."""
    clock.set(sh(2026, 9, 30, 9))
    received = park.receive_matter(
        acts.clerk(), enterprise.id, "厂区道路积水，需协调排水改造", "基础设施", "window"
    )
    clock.set(sh(2026, 9, 30, 10))
    return park.assign_matter(acts.clerk(), received.id, unit.id)


def watch(svc: Services, clock: Clock, matter: Matter, at: datetime) -> None:
    clock.set(at)
    svc.park.watch_matter(WATCHER, matter.id, at)


def outbox(svc: Services, status: str | None = None) -> list[OutboxEntry]:
    svc.settle()
    entries, _ = outbox_page(svc.views, status=status, limit=500)
    return entries


def logged(park: Park, name: str) -> list[object]:
    events = [park.mapper.to_domain_event(n) for n in park.recorder.select_notifications(1, 10**6)]
    return [e for e in events if type(e).__qualname__ == name]


def test_a_reminder_yields_one_pending_message_for_the_unit(
    svc: Services, clock: Clock, matter: Matter, unit: Unit
) -> None:
    watch(svc, clock, matter, sh(2026, 10, 10, 9))
    watch(svc, clock, matter, sh(2026, 10, 10, 9, 30))
    (entry,) = outbox(svc)
    assert entry.status == "pending"
    assert entry.message.recipient == unit_recipient(str(unit.id))
    assert "办理时限将于10月10日17:30届满" in entry.message.text
    assert entry.source_event.startswith(f"{matter.id}/")


def test_the_sender_delivers_a_message_once(
    svc: Services, clock: Clock, matter: Matter, tmp_path: Path
) -> None:
    watch(svc, clock, matter, sh(2026, 10, 10, 9))
    assert isinstance(svc.sender, FileSender)  # BAOBAO_SMS_SENDER=file:…
    loop = SenderLoop(svc)
    (outcome,) = loop.run_once()
    assert outcome.result == "delivered"
    assert loop.run_once() == []
    lines = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [str(outcome.message_id)]
    (delivered,) = logged(svc.park, "Delivery.Delivered")
    assert delivered.gateway_reference == "sms.log:1"  # type: ignore[attr-defined]
    assert delivered.actor.principal_id == "sender"  # type: ignore[attr-defined]
    assert delivered.actor.role == "system"  # type: ignore[attr-defined]
    (entry,) = outbox(svc)
    assert (entry.status, entry.attempts, entry.channel) == ("delivered", 1, "file")


def test_a_miss_notifies_the_unit_and_the_supervision_office(
    svc: Services, clock: Clock, matter: Matter, unit: Unit
) -> None:
    watch(svc, clock, matter, sh(2026, 10, 12, 9))
    entries = outbox(svc)
    assert sorted(e.message.recipient for e in entries) == sorted(
        [unit_recipient(str(unit.id)), SUPERVISOR]
    )
    assert {e.message.notice_key for e in entries} == {entries[0].message.notice_key}
    SenderLoop(svc).run_once()
    assert [e.status for e in outbox(svc)] == ["delivered", "delivered"]
    assert len(logged(svc.park, "Delivery.Delivered")) == 2


def test_a_view_behind_the_log_does_not_send_again(
    svc: Services, clock: Clock, matter: Matter, tmp_path: Path
) -> None:
    watch(svc, clock, matter, sh(2026, 10, 10, 9))
    (entry,) = outbox(svc)
    svc.park.record_delivered(WATCHER, entry.message, "file", "elsewhere")
    calls: list[str] = []

    class Recording:
        channel = "test"

        def send(self, message_id: str, recipient: str, text: str) -> str:
            calls.append(message_id)
            return "x"

    # The follower has not applied the Delivered event yet: the log says it is done.
    outcome = SenderLoop(svc, Recording()).dispatch(WATCHER, entry.message)
    assert outcome.result == "skipped"
    assert calls == []


class Flaky:
    """Fails the first `failures` sends, then accepts."""

    channel = "test"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def send(self, message_id: str, recipient: str, text: str) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise TransientSendError("gateway timed out")
        return f"ref-{self.calls}"


def test_a_transient_failure_is_retried_after_the_backoff(
    svc: Services, clock: Clock, matter: Matter
) -> None:
    watch(svc, clock, matter, sh(2026, 10, 10, 9))
    sender = Flaky(failures=1)
    loop = SenderLoop(svc, sender)
    assert [o.result for o in loop.run_once()] == ["retrying"]
    (entry,) = outbox(svc)
    assert (entry.status, entry.attempts, entry.last_error) == ("pending", 1, "gateway timed out")
    assert entry.next_attempt_at is not None
    assert entry.next_attempt_at > clock()
    assert loop.run_once() == []
    assert sender.calls == 1
    clock.advance(seconds=31)
    assert [o.result for o in loop.run_once()] == ["delivered"]
    (entry,) = outbox(svc)
    assert (entry.status, entry.attempts, entry.reference) == ("delivered", 2, "ref-2")


def test_two_senders_recording_at_once_record_one_delivery(
    svc: Services,
    clock: Clock,
    matter: Matter,
    open_park: Callable[[str], Park],
    database_url: str,
) -> None:
    watch(svc, clock, matter, sh(2026, 10, 10, 9))
    (entry,) = outbox(svc)
    other = open_park(database_url)
    svc.park.record_delivered(WATCHER, entry.message, "http", "first")
    # The other sender read the log before the first one recorded, and records second.
    reads: list[UUID] = []
    real = other.delivery_of

    def stale_once(message_id: UUID) -> Delivery | None:
        reads.append(message_id)
        return None if len(reads) == 1 else real(message_id)

    other.delivery_of = stale_once  # type: ignore[method-assign]
    delivery = other.record_delivered(WATCHER, entry.message, "http", "second")
    assert len(reads) == 2  # its first record conflicted; it read the log again
    assert delivery.reference == "first"
    assert len(logged(svc.park, "Delivery.Delivered")) == 1


def test_rebuilding_the_outbox_gives_the_same_outbox(
    svc: Services, clock: Clock, matter: Matter
) -> None:
    watch(svc, clock, matter, sh(2026, 10, 10, 9))
    SenderLoop(svc, Flaky(failures=1)).run_once()
    watch(svc, clock, matter, sh(2026, 10, 12, 9))
    SenderLoop(svc).run_once()
    svc.settle()
    projection = svc.follower.projection("outbox")
    with svc.views.transaction() as tx:
        before = projection.digest(tx)  # type: ignore[attr-defined]
    svc.follower.reset("outbox")
    svc.follower.catch_up()
    with svc.views.transaction() as tx:
        assert projection.digest(tx) == before  # type: ignore[attr-defined]
    assert {e.status for e in outbox(svc)} == {"delivered"}


def test_message_ids_are_uuids_of_the_notice_and_recipient(
    svc: Services, clock: Clock, matter: Matter
) -> None:
    watch(svc, clock, matter, sh(2026, 10, 10, 9))
    (entry,) = outbox(svc)
    assert isinstance(entry.message.id, UUID)
    assert entry.message.id.version == 5
