"""Use cases of the SMS outbox: recording what became of each message (SPEC N4)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from domain.application import ParkCore
from domain.base import Act, Actor
from domain.errors import NotFoundError, VersionConflictError
from domain.messages import Message
from domain.notification import Delivery

ATTEMPTS_TO_RECORD = 3


class NotificationCases(ParkCore):
    """Failed attempts and the one delivery of each message, whoever sent it."""

    def delivery_of(self, message_id: UUID) -> Delivery | None:
        """What the log says of a message's sending, or None if nothing yet."""
        try:
            return self.load(Delivery, message_id)
        except NotFoundError:
            return None

    def record_delivered(
        self, actor: Actor, message: Message, channel: str, reference: str
    ) -> Delivery:
        """Record the delivery; if another sender recorded it first, theirs stands."""
        return self.record_outcome(
            actor, message, lambda d, act: d.deliver(act, channel, reference)
        )

    def record_failed(
        self, actor: Actor, message: Message, error: str, *, permanent: bool
    ) -> Delivery:
        """Record a failed attempt (nothing, if the message was delivered meanwhile)."""
        return self.record_outcome(
            actor, message, lambda d, act: d.fail(act, error, permanent=permanent)
        )

    def record_outcome(
        self, actor: Actor, message: Message, change: Callable[[Delivery, Act], None]
    ) -> Delivery:
        for _ in range(ATTEMPTS_TO_RECORD):
            act = Act.now(actor, self.clock)
            delivery = self.delivery_of(message.id) or Delivery.start(act, message)
            if delivery.delivered:
                return delivery
            change(delivery, act)
            try:
                self.commit(delivery)
            except VersionConflictError:
                # Another sender recorded something of this message first: read it again.
                continue
            return delivery
        raise VersionConflictError(f"delivery {message.id} keeps changing; try again")
