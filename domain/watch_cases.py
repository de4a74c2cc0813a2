"""The deadline watcher's use case: reminders, misses and rating invitations as time passes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.application import ParkCore
from domain.base import Act, Actor
from domain.errors import VersionConflictError
from domain.matter import Matter


@dataclass(frozen=True)
class Noted:
    """One fact the watcher recorded."""

    matter_id: UUID
    kind: str  # reminded | missed | rating_invited
    step: str | None
    due_at: datetime | None


class WatchCases(ParkCore):
    """Facts that happen with time, not with commands (SPEC M7, M8)."""

    def watch_matter(self, actor: Actor, matter_id: UUID, as_of: datetime) -> list[Noted]:
        """Record what was due by `as_of` for one matter; a concurrent watcher's record wins."""
        for _ in range(3):
            matter = self.load(Matter, matter_id)
            noted = self.note_due(matter, actor, as_of)
            if not noted:
                return []
            try:
                self.commit(matter)
            except VersionConflictError:
                continue
            return noted
        return []

    def note_due(self, matter: Matter, actor: Actor, as_of: datetime) -> list[Noted]:
        recorded_at = self.clock()
        rules = self.rules_at(as_of)
        calendar = rules.calendar
        day = rules.policy.document.office_hours().day_length()
        noted: list[Noted] = []
        for index, deadline in enumerate(matter.deadlines):
            if not deadline.open_at(as_of):
                continue
            if as_of > deadline.due_at:
                act = Act(actor, recorded_at=recorded_at, occurred_at=deadline.due_at)
                if matter.note_missed(act, index):
                    noted.append(Noted(matter.id, "missed", deadline.step, deadline.due_at))
            elif calendar.working_time_between(as_of, deadline.due_at) <= day:
                moment = max(
                    deadline.started_at, calendar.working_time_before(deadline.due_at, day)
                )
                act = Act(actor, recorded_at=recorded_at, occurred_at=moment)
                if matter.remind(act, index):
                    noted.append(Noted(matter.id, "reminded", deadline.step, deadline.due_at))
        if matter.status == "resolved" and matter.resolved_at is not None:
            days = rules.policy.document.rating_invitation_working_days
            invite_at = calendar.working_days_after(matter.resolved_at, days).at
            if as_of > invite_at:
                act = Act(actor, recorded_at=recorded_at, occurred_at=invite_at)
                if matter.invite_rating(act):
                    noted.append(Noted(matter.id, "rating_invited", None, None))
        return noted
