"""The notification sender: sends what the outbox holds and records what became of it (SPEC N4).

Never twice, never lost: a message stays pending until its delivery is recorded, and every
sending of it carries the same message id (the idempotency key), so sending it again after a
crash between the send and the record does not deliver it again.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from uuid import UUID

from api.notify import PermanentSendError, Sender, TransientSendError
from api.services import Services
from domain.base import Actor
from domain.messages import Message
from projections.outbox import outbox_page

log = logging.getLogger("baobao.sender")

INTERVAL_SECONDS = 2.0
PAGE = 100


@dataclass(frozen=True)
class Outcome:
    """What became of one message in a round."""

    message_id: UUID
    recipient: str
    result: str  # delivered | retrying | failed | skipped
    detail: str = ""


class SenderLoop:
    """Sends pending messages whose time has come, one round at a time."""

    def __init__(self, svc: Services, sender: Sender | None = None) -> None:
        self.svc = svc
        self.sender = sender if sender is not None else svc.sender

    def run_once(self) -> list[Outcome]:
        """One round: every pending message due now; after a transient failure the rest wait
        for the next round (the channel is likely down)."""
        self.svc.settle()
        now = self.svc.clock()
        actor = Actor(principal_id="sender", role="system", request_id=f"send-{uuid.uuid4()}")
        outcomes: list[Outcome] = []
        cursor: str | None = None
        while True:
            entries, cursor = outbox_page(self.svc.views, due_by=now, limit=PAGE, cursor=cursor)
            for entry in entries:
                outcome = self.dispatch(actor, entry.message)
                outcomes.append(outcome)
                if outcome.result == "retrying":
                    return outcomes
            if cursor is None:
                return outcomes

    def dispatch(self, actor: Actor, message: Message) -> Outcome:
        park = self.svc.park
        # The log, not the view, says whether it is done: the view may lag behind it.
        known = park.delivery_of(message.id)
        if known is not None and (
            known.delivered
            or known.gave_up
            or (known.retry_at is not None and known.retry_at > self.svc.clock())
        ):
            return Outcome(message.id, message.recipient, "skipped")
        try:
            reference = self.sender.send(str(message.id), message.recipient, message.text)
        except PermanentSendError as error:
            park.record_failed(actor, message, str(error), permanent=True)
            return Outcome(message.id, message.recipient, "failed", str(error))
        except TransientSendError as error:
            delivery = park.record_failed(actor, message, str(error), permanent=False)
            result = "delivered" if delivery.delivered else "retrying"
            return Outcome(message.id, message.recipient, result, str(error))
        delivery = park.record_delivered(actor, message, self.sender.channel, reference)
        return Outcome(message.id, message.recipient, "delivered", delivery.reference or "")

    def run(self, stop: threading.Event, interval: float = INTERVAL_SECONDS) -> None:
        """Send until stopped; a failed round is logged and retried next time."""
        while not stop.is_set():
            try:
                for outcome in self.run_once():
                    if outcome.result != "skipped":
                        log.info(
                            "%s: message %s to %s %s",
                            outcome.result,
                            outcome.message_id,
                            outcome.recipient,
                            outcome.detail,
                        )
            except Exception:
                log.exception("send round failed; retrying")
            stop.wait(interval)
