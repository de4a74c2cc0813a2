"""The delivery of one message (短信): its failed attempts and its one delivery (SPEC N4)."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.base import Act, BaobaoAggregate, create
from domain.errors import DomainError
from domain.messages import Message

RETRY_FIRST = timedelta(seconds=30)
RETRY_LONGEST = timedelta(hours=1)
ERROR_LENGTH = 500


def retry_delay(attempt: int) -> timedelta:
    """The wait after the n-th failed attempt: 30 s, 1 min, 2 min, … never more than an hour."""
    doublings = min(max(attempt - 1, 0), 16)
    return min(RETRY_FIRST * (1 << doublings), RETRY_LONGEST)


class AlreadyDeliveredError(DomainError):
    code = "already_delivered"
    title = "The message has already been delivered"


class Delivery(BaobaoAggregate):
    """One message to one recipient; its id is the message's id, so there is one per message."""

    class Attempted(BaobaoAggregate.Created):
        """Sending the message was attempted (recorded with the first attempt's outcome)."""

        notice_key: str
        recipient: str

    class Failed(BaobaoAggregate.Event):
        """An attempt failed; a transient failure is retried from `retry_at`, a permanent not."""

        attempt: int
        error: str
        permanent: bool
        retry_at: datetime | None

        def apply(self, d: Delivery) -> None:
            d.failures = self.attempt
            d.last_error = self.error
            d.gave_up = self.permanent
            d.retry_at = self.retry_at

    class Delivered(BaobaoAggregate.Event):
        """The channel accepted the message; `gateway_reference` is its receipt."""

        channel: str
        attempts: int
        gateway_reference: str

        def apply(self, d: Delivery) -> None:
            d.delivered_at = self.occurred_at
            d.channel = self.channel
            d.reference = self.gateway_reference
            d.retry_at = None

    def __init__(self, notice_key: str, recipient: str) -> None:
        self.notice_key = notice_key
        self.recipient = recipient
        self.failures = 0
        self.last_error: str | None = None
        self.gave_up = False
        self.retry_at: datetime | None = None
        self.delivered_at: datetime | None = None
        self.channel: str | None = None
        self.reference: str | None = None

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None

    @classmethod
    def start(cls, act: Act, message: Message) -> Delivery:
        return create(
            cls,
            cls.Attempted,
            act,
            message.id,
            notice_key=message.notice_key,
            recipient=message.recipient,
        )

    def deliver(self, act: Act, channel: str, reference: str) -> None:
        """Record the delivery: at most once per message, ever."""
        self.check_not_delivered()
        self.record(
            self.Delivered,
            act,
            channel=channel,
            attempts=self.failures + 1,
            gateway_reference=reference,
        )

    def fail(self, act: Act, error: str, *, permanent: bool) -> None:
        """Record a failed attempt and, unless it is permanent, when to try again."""
        self.check_not_delivered()
        attempt = self.failures + 1
        retry_at = None if permanent else act.recorded_at + retry_delay(attempt)
        self.record(
            self.Failed,
            act,
            attempt=attempt,
            error=error[:ERROR_LENGTH],
            permanent=permanent,
            retry_at=retry_at,
        )

    def check_not_delivered(self) -> None:
        if self.delivered:
            raise AlreadyDeliveredError(f"message {self.id} was delivered at {self.delivered_at}")
