"""What the park tells people by SMS, composed from events without storage (SPEC N1, N4)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.calendar import WorkingCalendar, library_schedules
from domain.deadline import Rules
from domain.matter import Matter
from domain.messages import (
    SMS_LENGTH,
    SUPERVISOR,
    WINDOW,
    Message,
    compose,
    enterprise_recipient,
    message_id,
    unit_recipient,
)
from domain.policy import AdoptedPolicy, PolicyDocument
from tests.conftest import Acts, Clock, sh

RULES = Rules(
    WorkingCalendar({s.year: s for s in library_schedules()}),
    24,
    AdoptedPolicy(1, "2000-01", PolicyDocument()),
)
ENTERPRISE = uuid4()
UNIT = str(uuid4())
SUMMARY = "厂区道路积水，需协调排水改造"
LONG_SUMMARY = (
    "企业反映园区东侧主干道路面破损严重，雨季积水导致货车无法正常进出厂区，"
    "影响原材料运输和产品交付，请求协调住建部门尽快实施道路修复和排水管网改造工程"
)


class Known:
    """Subjects as the outbox knows them from earlier events."""

    def __init__(self, summaries: dict[UUID, str], units: dict[str, str]) -> None:
        self.summaries = summaries
        self.units = units

    def summary(self, matter_id: UUID) -> str | None:
        return self.summaries.get(matter_id)

    def unit_name(self, unit_id: str) -> str | None:
        return self.units.get(unit_id)


@pytest.fixture
def matter(acts: Acts, clock: Clock) -> Matter:
    """Assigned Wed 2026-09-30 10:00: handle deadline Sat 2026-10-10 17:30 (调休)."""
    clock.set(sh(2026, 9, 30, 9))
    matter = Matter.receive(acts.clerk(), RULES, ENTERPRISE, SUMMARY, "基础设施", "window")
    clock.set(sh(2026, 9, 30, 10))
    matter.assign(acts.clerk(), RULES, UNIT)
    matter.collect_events()
    return matter


def known(matter: Matter, summary: str = SUMMARY) -> Known:
    return Known({matter.id: summary}, {UNIT: "经济发展局"})


def recorded(matter: Matter) -> Any:
    (event,) = matter.collect_events()
    return event


def test_a_reminder_goes_to_the_unit_holding_the_step_in_one_sms(
    matter: Matter, acts: Acts
) -> None:
    matter.remind(acts.by("watcher", "system"), 1)
    (message,) = compose(recorded(matter), known(matter))
    assert message.recipient == unit_recipient(UNIT)
    assert message.text == (
        "【包保】诉求「厂区道路积水，需协调排水改造」办理时限将于10月10日17:30届满，请及时办结。"
    )
    assert len(message.text) <= SMS_LENGTH
    assert message.notice_key == f"reminder:{matter.id}:1:2026-10-10T09:30:00+00:00"


def test_a_reminder_before_assignment_goes_to_the_window(acts: Acts, clock: Clock) -> None:
    clock.set(sh(2026, 9, 30, 9))
    matter = Matter.receive(acts.clerk(), RULES, ENTERPRISE, SUMMARY, "基础设施", "window")
    matter.collect_events()
    matter.remind(acts.by("watcher", "system"), 0)
    (message,) = compose(recorded(matter), known(matter))
    assert message.recipient == WINDOW
    assert "交办时限将于9月30日14:30届满，请及时交办" in message.text


def test_a_miss_goes_to_the_unit_and_the_supervision_office(matter: Matter, acts: Acts) -> None:
    matter.note_missed(acts.by("watcher", "system"), 1)
    to_unit, to_supervisor = compose(recorded(matter), known(matter))
    assert to_unit.recipient == unit_recipient(UNIT)
    assert to_supervisor.recipient == SUPERVISOR
    assert to_unit.notice_key == to_supervisor.notice_key
    assert to_unit.notice_key.startswith(f"missed:{matter.id}:1:")
    assert "办理时限已于10月10日17:30届满，现已超期，请尽快办结" in to_unit.text
    assert "经济发展局承办的诉求" in to_supervisor.text
    assert all(len(m.text) <= SMS_LENGTH for m in (to_unit, to_supervisor))


def test_a_rating_invitation_goes_to_the_enterprise(
    matter: Matter, acts: Acts, clock: Clock
) -> None:
    clock.set(sh(2026, 10, 9, 15))
    matter.resolve(acts.by("p-unit", "unit", UNIT), "已完成排水改造")
    matter.collect_events()
    matter.invite_rating(acts.by("watcher", "system"))
    (message,) = compose(recorded(matter), known(matter))
    assert message.recipient == enterprise_recipient(ENTERPRISE)
    assert message.notice_key == f"rating-invitation:{matter.id}:1"
    assert "已办结" in message.text
    assert "好差评" in message.text
    assert len(message.text) <= SMS_LENGTH


def test_a_long_summary_is_shortened_to_fit_one_sms(matter: Matter, acts: Acts) -> None:
    matter.note_missed(acts.by("watcher", "system"), 1)
    messages = compose(recorded(matter), known(matter, LONG_SUMMARY))
    for message in messages:
        assert len(message.text) == SMS_LENGTH
        assert "…」" in message.text
        assert LONG_SUMMARY[:10] in message.text


def test_without_a_known_summary_the_text_still_reads(matter: Matter, acts: Acts) -> None:
    matter.remind(acts.by("watcher", "system"), 1)
    (message,) = compose(recorded(matter), Known({}, {}))
    assert message.text == "【包保】诉求办理时限将于10月10日17:30届满，请及时办结。"


def test_message_ids_are_stable_and_differ_by_recipient(matter: Matter, acts: Acts) -> None:
    matter.note_missed(acts.by("watcher", "system"), 1)
    event = recorded(matter)
    first = compose(event, known(matter))
    again = compose(event, known(matter, "另一种说法"))
    assert [m.id for m in first] == [m.id for m in again]
    assert first[0].id != first[1].id
    assert first[0].id == message_id(first[0].notice_key, first[0].recipient)
    assert str(first[0].id) == str(Message(first[0].notice_key, first[0].recipient, "").id)


def test_a_moved_deadline_is_a_new_notice(matter: Matter, acts: Acts, clock: Clock) -> None:
    matter.remind(acts.by("watcher", "system"), 1)
    (before,) = compose(recorded(matter), known(matter))
    clock.set(sh(2026, 10, 9, 9))
    request = matter.request_extension(
        acts.by("p-unit", "unit", UNIT), sh(2026, 10, 20, 17, 30), "需现场踏勘"
    )
    matter.approve_extension(acts.leader(), request.id)
    matter.collect_events()
    matter.remind(acts.by("watcher", "system"), 1)
    (after,) = compose(recorded(matter), known(matter))
    assert after.notice_key != before.notice_key
    assert after.id != before.id
    assert "10月20日17:30" in after.text


def test_other_events_give_rise_to_no_message(acts: Acts, clock: Clock) -> None:
    matter = Matter.receive(acts.clerk(), RULES, ENTERPRISE, SUMMARY, "基础设施", "window")
    (received,) = matter.collect_events()
    assert compose(received, Known({}, {})) == []
