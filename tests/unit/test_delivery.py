"""The Delivery aggregate: failed attempts, backoff, and one delivery per message (SPEC N4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.messages import Message
from domain.notification import AlreadyDeliveredError, Delivery, retry_delay
from tests.conftest import Acts, Clock

MESSAGE = Message("reminder:m:1:2026-10-10T09:30:00+00:00", "unit:u", "【包保】测试")


def test_a_delivery_has_the_id_of_its_message(acts: Acts) -> None:
    delivery = Delivery.start(acts.by("sender", "system"), MESSAGE)
    assert delivery.id == MESSAGE.id
    assert (delivery.notice_key, delivery.recipient) == (MESSAGE.notice_key, MESSAGE.recipient)


def test_a_second_delivery_is_refused(acts: Acts) -> None:
    delivery = Delivery.start(acts.by("sender", "system"), MESSAGE)
    delivery.deliver(acts.by("sender", "system"), "file", "sms.log:1")
    with pytest.raises(AlreadyDeliveredError):
        delivery.deliver(acts.by("sender", "system"), "file", "sms.log:2")
    with pytest.raises(AlreadyDeliveredError):
        delivery.fail(acts.by("sender", "system"), "late", permanent=False)
    assert delivery.reference == "sms.log:1"


def test_a_transient_failure_is_retried_later_and_later(acts: Acts, clock: Clock) -> None:
    delivery = Delivery.start(acts.by("sender", "system"), MESSAGE)
    delivery.fail(acts.by("sender", "system"), "timeout", permanent=False)
    assert delivery.retry_at == clock() + timedelta(seconds=30)
    delivery.fail(acts.by("sender", "system"), "timeout", permanent=False)
    assert delivery.retry_at == clock() + timedelta(minutes=1)
    delivery.deliver(acts.by("sender", "system"), "http", "gw-1")
    events = delivery.collect_events()
    assert [type(e).__name__ for e in events] == ["Attempted", "Failed", "Failed", "Delivered"]
    assert events[-1].attempts == 3  # type: ignore[attr-defined]
    assert all(e.actor.principal_id == "sender" for e in events)  # type: ignore[attr-defined]


def test_a_permanent_failure_is_not_retried(acts: Acts) -> None:
    delivery = Delivery.start(acts.by("sender", "system"), MESSAGE)
    delivery.fail(acts.by("sender", "system"), "gateway answered 400", permanent=True)
    assert delivery.gave_up
    assert delivery.retry_at is None


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(50) == timedelta(hours=1)
