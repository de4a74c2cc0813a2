"""Notices (通报): computed from the log, published by the supervision office (SPEC §10)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Act, BaobaoAggregate, create
from domain.errors import DomainError

KINDS = ("commendation", "criticism", "supervision")


class AlreadyPublishedError(DomainError):
    code = "already_published"
    title = "The notice has already been published"


def notice_id(kind: str, period: str, subject: str) -> UUID:
    """Stable: the same kind, period and subject always give the same notice id."""
    return uuid5(NAMESPACE_URL, f"baobao:notice:{kind}:{period}:{subject}")


@dataclass(frozen=True)
class Draft:
    """A notice as computed: kind, period, whom it names, its text, recipients, evidence."""

    id: UUID
    kind: str
    reason: str  # grade_excellent | grade_failing | overdue_step | missed_dispatch | overdue_list
    period: str
    subject: str
    title: str
    body: str
    recipients: tuple[str, ...]
    event_ids: tuple[str, ...]


class Notice(BaobaoAggregate):
    """A published notice: its text and evidence as they were when the office published it."""

    class Published(BaobaoAggregate.Created):
        kind: str
        reason: str
        period: str
        subject: str
        title: str
        body: str
        recipients: list[str]
        event_ids: list[str]

    def __init__(
        self,
        kind: str,
        reason: str,
        period: str,
        subject: str,
        title: str,
        body: str,
        recipients: list[str],
        event_ids: list[str],
    ) -> None:
        self.kind = kind
        self.reason = reason
        self.period = period
        self.subject = subject
        self.title = title
        self.body = body
        self.recipients = recipients
        self.event_ids = event_ids

    @classmethod
    def publish(cls, act: Act, draft: Draft) -> Notice:
        return create(
            cls,
            cls.Published,
            act,
            draft.id,
            kind=draft.kind,
            reason=draft.reason,
            period=draft.period,
            subject=draft.subject,
            title=draft.title,
            body=draft.body,
            recipients=list(draft.recipients),
            event_ids=list(draft.event_ids),
        )
