"""What the park tells people by SMS (短信), to whom, for which recorded fact (SPEC N1, N4).

Composition is a pure function of one event and what earlier events said (a matter's summary,
a unit's name). Each source of messages is one entry in `COMPOSERS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.calendar import SHANGHAI
from domain.entitlement import SubsidyLedger
from domain.matter import Matter
from domain.money import fen_to_yuan
from domain.notice import Notice

SMS_LENGTH = 70  # one SMS of Chinese text (UCS-2)
MIN_SUMMARY = 6  # below this a summary says nothing; the text may then run longer
SIGNATURE = "【包保】"

WINDOW = "window"  # 企业服务中心 ("一口收办"): holds a matter until it is assigned
SUPERVISOR = "supervisor"  # 督查: told of every missed deadline
WINDOW_NAME = "企业服务中心"


def unit_recipient(unit_id: str) -> str:
    return f"unit:{unit_id}"


def enterprise_recipient(enterprise_id: UUID | str) -> str:
    return f"enterprise:{enterprise_id}"


def message_id(notice_key: str, recipient: str) -> UUID:
    """The same notice to the same recipient is the same message, whoever composes it."""
    return uuid5(NAMESPACE_URL, f"baobao:message:{notice_key}:{recipient}")


@dataclass(frozen=True)
class Message:
    """One SMS to one recipient for one notice."""

    notice_key: str
    recipient: str
    text: str

    @property
    def id(self) -> UUID:
        return message_id(self.notice_key, self.recipient)


class Subjects(Protocol):
    """What earlier events said of the things a message names."""

    def summary(self, matter_id: UUID) -> str | None: ...
    def unit_name(self, unit_id: str) -> str | None: ...


Composer = Callable[[Any, Subjects], list[Message]]

# step → (the time limit's name, what the holder is asked to do)
STEP_WORDS = {
    "assign": ("交办时限", "交办"),
    "handle": ("办理时限", "办结"),
    "rectify": ("整改时限", "整改到位"),
}


def instant(moment: datetime) -> str:
    """A deadline instant as it appears in a notice key (UTC, seconds)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def short_time(moment: datetime) -> str:
    """10月10日17:30, in business time."""
    local = moment.astimezone(SHANGHAI)
    return f"{local.month}月{local.day}日{local:%H:%M}"


def fit(template: str, summary: str | None, **fields: str) -> str:
    """Fill a template, shortening the matter's summary so the text fits one SMS if it can."""
    if summary is None or not summary.strip():
        return template.format(subject="", **fields)
    text = re.sub(r"\s+", " ", summary).strip()
    room = SMS_LENGTH - len(template.format(subject="「」", **fields))
    if len(text) > room:
        text = text[: max(room - 1, MIN_SUMMARY)] + "…"
    return template.format(subject=f"「{text}」", **fields)


def holder(event: Any) -> str:
    """Who holds the step: its unit, or the window before assignment."""
    return unit_recipient(event.unit_id) if event.unit_id else WINDOW


def holder_phrase(event: Any, subjects: Subjects) -> str:
    if not event.unit_id:
        return f"{WINDOW_NAME}受理的"
    name = subjects.unit_name(event.unit_id)
    return f"{name}承办的" if name else ""


def reminded(event: Any, subjects: Subjects) -> list[Message]:
    """One working day remains: the holder of the step is reminded (限时办结提醒)."""
    limit, action = STEP_WORDS.get(event.step, STEP_WORDS["handle"])
    key = f"reminder:{event.originator_id}:{event.index}:{instant(event.due_at)}"
    text = fit(
        SIGNATURE + "诉求{subject}{limit}将于{due}届满，请及时{action}。",
        subjects.summary(event.originator_id),
        limit=limit,
        due=short_time(event.due_at),
        action=action,
    )
    return [Message(key, holder(event), text)]


def missed(event: Any, subjects: Subjects) -> list[Message]:
    """The deadline passed (超期): the holder and the supervision office are told."""
    limit, action = STEP_WORDS.get(event.step, STEP_WORDS["handle"])
    key = f"missed:{event.originator_id}:{event.index}:{instant(event.due_at)}"
    summary = subjects.summary(event.originator_id)
    due = short_time(event.due_at)
    to_holder = fit(
        SIGNATURE + "诉求{subject}{limit}已于{due}届满，现已超期，请尽快{action}。",
        summary,
        limit=limit,
        due=due,
        action=action,
    )
    to_supervisor = fit(
        SIGNATURE + "超期督办：{who}诉求{subject}{limit}已于{due}届满未办结。",
        summary,
        who=holder_phrase(event, subjects),
        limit=limit,
        due=due,
    )
    return [Message(key, holder(event), to_holder), Message(key, SUPERVISOR, to_supervisor)]


def rating_invited(event: Any, subjects: Subjects) -> list[Message]:
    """A resolution went unrated: the enterprise is invited to rate it (好差评)."""
    key = f"rating-invitation:{event.originator_id}:{event.resolution}"
    text = fit(
        SIGNATURE + "您反映的诉求{subject}已办结，欢迎对办理结果进行评价（好差评）。",
        subjects.summary(event.originator_id),
    )
    return [Message(key, enterprise_recipient(event.enterprise_id), text)]


def notice_published(event: Any, subjects: Subjects) -> list[Message]:
    """A commendation or criticism published by the supervision office goes to those it names."""
    del subjects
    key = f"notice:{event.originator_id}"
    text = fit(SIGNATURE + "{title}已印发，请登录包保系统查阅。", None, title=event.title)
    return [Message(key, recipient, text) for recipient in event.recipients]


LEADER = "leader"  # 分管领导: approves 免申即享 entitlements (SPEC F3)


def approval_reminded(event: Any, subjects: Subjects) -> list[Message]:
    """One working day remains to approve a 免申即享 entitlement: the leaders are reminded."""
    del subjects
    key = f"entitlement-reminder:{event.entitlement_id}:{instant(event.due_at)}"
    text = fit(
        SIGNATURE + "免申即享补贴{subject}{amount}元审批时限将于{due}届满，请及时审批。",
        event.subject,
        amount=fen_to_yuan(event.amount_fen),
        due=short_time(event.due_at),
    )
    return [Message(key, LEADER, text)]


def approval_missed(event: Any, subjects: Subjects) -> list[Message]:
    """An entitlement went unapproved past its deadline: the leaders and supervision are told."""
    del subjects
    key = f"entitlement-missed:{event.entitlement_id}:{instant(event.due_at)}"
    fields = {"amount": fen_to_yuan(event.amount_fen), "due": short_time(event.due_at)}
    to_leader = fit(
        SIGNATURE + "免申即享补贴{subject}{amount}元审批时限已于{due}届满，现已超期，请尽快审批。",
        event.subject,
        **fields,
    )
    to_supervisor = fit(
        SIGNATURE + "超期督办：免申即享补贴{subject}{amount}元审批时限已于{due}届满未审批。",
        event.subject,
        **fields,
    )
    return [Message(key, LEADER, to_leader), Message(key, SUPERVISOR, to_supervisor)]


COMPOSERS: dict[type[Any], Composer] = {
    Matter.DeadlineReminded: reminded,
    Matter.DeadlineMissed: missed,
    Matter.RatingInvited: rating_invited,
    Notice.Published: notice_published,
    SubsidyLedger.ApprovalReminded: approval_reminded,
    SubsidyLedger.ApprovalMissed: approval_missed,
}


def compose(event: Any, subjects: Subjects) -> list[Message]:
    """The messages an event gives rise to (none for most events)."""
    composer = COMPOSERS.get(type(event))
    return composer(event, subjects) if composer is not None else []
