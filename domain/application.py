"""The park's Application: loads aggregates, calls them, saves the events they record."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording, Transcoder

from domain import transcodings
from domain.base import SYSTEM, Act, Actor, BaobaoAggregate, Clock, require_aware, utc_now
from domain.calendar import (
    SHANGHAI,
    OfficeHours,
    WorkingCalendar,
    YearSchedule,
    library_schedules,
)
from domain.calendar_book import CALENDAR_ID, CalendarBook
from domain.deadline import Rules
from domain.errors import NotFoundError, VersionConflictError
from domain.group_commit import GroupCommit, collected
from domain.policy import POLICY_ID, AdoptedPolicy, PolicyBook, PolicyDocument
from domain.storage import Database

# The books every command's rules come from.
RULE_BOOKS = (POLICY_ID, CALENDAR_ID)

TAgg = TypeVar("TAgg", bound=BaobaoAggregate)

# Positions of aggregates committed by this process, kept for the answers to their commands.
POSITIONS_KEPT = 10_000

BOOTSTRAP_ACTOR = Actor(principal_id=SYSTEM, role="admin", request_id="bootstrap")


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """The aggregate with the events applied in order: the library's projector without its
    check of each event against a runtime-checkable protocol (an isinstance that costs tens of
    microseconds per event on Python 3.11). The park's events all mutate."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class ParkCore(Application[UUID]):
    """Shared machinery of the park's use cases: typed loading, versions, saving, rules."""

    name = "baobao"

    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock
        self._calendars: dict[tuple[int, OfficeHours], WorkingCalendar] = {}
        self._policies: dict[int, tuple[dict[str, Any], AdoptedPolicy]] = {}
        self._rule_books_held: dict[UUID, Any] = {}
        self._batch = threading.local()
        # Where each aggregate's last commit of this process put it: (version, log position).
        self._positions: dict[UUID, tuple[int, int]] = {}
        super().__init__(env=dict(database.env))
        self._group = GroupCommit(self._write)

    def construct_transcoder(self) -> Transcoder:
        transcoder = self.factory.transcoder()
        if type(transcoder) is JSONTranscoder:  # not one chosen by TRANSCODER_TOPIC
            transcoder = transcodings.ParkTranscoder()
            self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcodings.register(transcoder)

    # -- loading and saving ----------------------------------------------------------------

    def load(
        self,
        cls: type[TAgg],
        aggregate_id: UUID,
        expected_version: int | None = None,
        *,
        read_only: bool = False,
    ) -> TAgg:
        """The aggregate of that class, or the domain's not-found error; checks If-Match.

        `read_only`: the cached aggregate itself, brought up to date with the log but not
        copied, for a command that only reads it (it must not change it)."""
        label = cls.__name__.lower()
        try:
            aggregate: Any = self._batched(aggregate_id) or self._get(
                aggregate_id, copied=not read_only
            )
        except AggregateNotFoundError:
            raise NotFoundError(f"no {label} {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(f"no {label} {aggregate_id}")
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionConflictError(
                f"{label} {aggregate_id} is at version {aggregate.version}, not {expected_version}"
            )
        return aggregate

    def load_as_of(self, cls: type[TAgg], aggregate_id: UUID, as_of: datetime) -> TAgg:
        """The aggregate as it stood at a recorded time (what the system showed then)."""
        require_aware(as_of, "as_of")
        aggregate: Any = None
        for event in self.events.get(aggregate_id):
            if not isinstance(event, BaobaoAggregate.Event | BaobaoAggregate.Created):
                continue
            if event.timestamp > as_of:
                break
            aggregate = event.mutate(aggregate)
        if not isinstance(aggregate, cls):
            raise NotFoundError(
                f"no {cls.__name__.lower()} {aggregate_id} as of {as_of.isoformat()}"
            )
        return aggregate

    def _get(self, aggregate_id: UUID, *, copied: bool = True) -> Any:
        """The cached aggregate brought up to date with the log (a copy unless `copied` is
        False), replayed with `replay`."""
        return self.repository.get(aggregate_id, deepcopy_from_cache=copied, projector_func=replay)

    def exists(self, aggregate_id: UUID) -> bool:
        if self._batched(aggregate_id) is not None:
            return True
        try:
            self._get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def _write(self, processing: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """One transaction, then what the library's `save` does after it."""
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        return recordings

    def commit(self, *aggregates: BaobaoAggregate) -> int:
        """Save atomically; a concurrent writer that got there first makes this a 409.
        Commands of other threads committing at the same moment share the transaction (group
        commit). Inside `batched()`, the aggregates are kept and saved with the batch."""
        pending = self._pending()
        if pending is not None:
            for aggregate in aggregates:
                pending[aggregate.id] = aggregate
            self._batch.commits += 1
            if self._batch.commits >= self._batch.size:
                self.flush()
            return 0
        try:
            recordings = self._group.save(*aggregates)
        except IntegrityError as error:
            ids = ", ".join(str(a.id) for a in aggregates)
            raise VersionConflictError(
                f"changed concurrently: {ids}; read it again and retry"
            ) from error
        if len(self._positions) > POSITIONS_KEPT:
            self._positions.clear()
        for recording in recordings:
            event = recording.domain_event
            self._positions[event.originator_id] = (
                event.originator_version,
                recording.notification.id,
            )
        return max((r.notification.id for r in recordings), default=0)

    def position_of(self, aggregate: BaobaoAggregate) -> int:
        """The log position of the event that brought the aggregate to its version, when this
        process committed it (a command's answer needs no query); else the log's head."""
        known = self._positions.get(aggregate.id)
        if known is not None and known[0] == aggregate.version:
            return known[1]
        return self.log_head()

    @contextmanager
    def batched(self, size: int = 500, keep: int = 20_000) -> Iterator[None]:
        """Bulk loading by one writer: commands' changes are saved together, every `size`
        commands and at the end, each batch in one transaction. Reads see unsaved changes.

        The writer also keeps the last `keep` aggregates it saved, and the policy and calendar
        it read, and loads them from memory: as the only writer it knows they are current,
        and it saves them without copying or reading the log again."""
        self._batch.pending = {}
        self._batch.commits = 0
        self._batch.size = size
        self._batch.kept = OrderedDict()
        self._batch.keep = keep
        self._batch.read_only = {}
        try:
            yield
            self.flush()
        finally:
            self._batch.pending = None
            self._batch.kept = None
            self._batch.read_only = None

    def flush(self) -> None:
        pending = self._pending()
        if pending:
            self._batch.pending = None
            try:
                # The log keeps the order in which the batch's commands happened.
                processing = collected(pending.values())
                processing.events.sort(key=lambda event: event.timestamp)  # type: ignore[attr-defined]
                try:
                    self._write(processing)
                except IntegrityError as error:
                    msg = "a batch was changed concurrently; bulk loading needs a single writer"
                    raise VersionConflictError(msg) from error
                kept: OrderedDict[UUID, BaobaoAggregate] = self._batch.kept
                for aggregate_id, aggregate in pending.items():
                    kept[aggregate_id] = aggregate
                    kept.move_to_end(aggregate_id)
                while len(kept) > self._batch.keep:
                    kept.popitem(last=False)
            finally:
                self._batch.pending = {}
                self._batch.commits = 0

    def _pending(self) -> dict[UUID, BaobaoAggregate] | None:
        found: dict[UUID, BaobaoAggregate] | None = getattr(self._batch, "pending", None)
        return found

    def _batched(self, aggregate_id: UUID) -> Any:
        """In a batch: the aggregate as this writer last changed it (pending or kept), if any."""
        pending = self._pending()
        if pending is None:
            return None
        found = pending.get(aggregate_id)
        if found is None:
            found = self._batch.kept.get(aggregate_id)
        return found

    def _current(self, aggregate_id: UUID) -> Any:
        """A read-only copy at the latest version (the policy, the calendar)."""
        found = self._batched(aggregate_id)
        if found is not None:
            return found
        read_only: dict[UUID, Any] | None = getattr(self._batch, "read_only", None)
        if read_only is None:
            return self._get(aggregate_id, copied=False)
        if aggregate_id not in read_only:
            read_only[aggregate_id] = self._get(aggregate_id, copied=False)
        return read_only[aggregate_id]

    def log_head(self) -> int:
        return self.recorder.max_notification_id() or 0

    # -- calendar and policy ---------------------------------------------------------------

    def bootstrap(self, schedules: list[YearSchedule] | None = None) -> None:
        """At first start: publish the calendar library's years and adopt policy v1."""
        act = Act.now(BOOTSTRAP_ACTOR, self.clock)
        if not self.exists(CALENDAR_ID):
            book = CalendarBook.start(act)
            for schedule in schedules if schedules is not None else library_schedules():
                book.publish(act, schedule)
            self.commit_if_first(book)
        if not self.exists(POLICY_ID):
            policy = PolicyBook.start(act)
            policy.adopt(act, PolicyDocument(), "2000-01")
            self.commit_if_first(policy)

    def commit_if_first(self, aggregate: BaobaoAggregate) -> None:
        # Another process may bootstrap at the same moment; its copy is as good as ours.
        try:
            self.save(aggregate)
        except IntegrityError:
            return

    def calendar_book(self) -> CalendarBook:
        return self.load(CalendarBook, CALENDAR_ID)

    def policy_book(self) -> PolicyBook:
        return self.load(PolicyBook, POLICY_ID)

    def rules_at(self, at: datetime) -> Rules:
        """The calendar and the policy in force on the business day of `at`."""
        policies, book = self._rule_books()
        number = policies.version_in_force(at.astimezone(SHANGHAI).date())
        # A version, once adopted, never changes: its document is read once per book read.
        document = policies.adoptions[number - 1][1]
        held = self._policies.get(number)
        if held is None or held[0] is not document:
            held = self._policies[number] = (document, policies.version_of(number))
        policy = held[1]
        calendar, version = self._calendar_for(book, policy)
        return Rules(calendar, version, policy)

    def _rule_books(self) -> tuple[Any, Any]:
        """Read-only copies of the policy and the calendar books at their latest versions.
        Where the log can say in one query whether either changed since this process last
        looked (neither usually has for months), only a changed one is read again."""
        latest_versions = getattr(self.recorder, "latest_versions", None)
        if latest_versions is None or self._pending() is not None:
            return self._current(POLICY_ID), self._current(CALENDAR_ID)
        latest: dict[UUID, int] = latest_versions(RULE_BOOKS)
        books = []
        for aggregate_id in RULE_BOOKS:
            held = self._rule_books_held.get(aggregate_id)
            if held is None or held.version != latest.get(aggregate_id):
                held = self._rule_books_held[aggregate_id] = self._get(aggregate_id, copied=False)
            books.append(held)
        return books[0], books[1]

    def calendar_for(self, policy: AdoptedPolicy) -> tuple[WorkingCalendar, int]:
        """The latest published calendar with the policy's office hours, and its version."""
        return self._calendar_for(self._current(CALENDAR_ID), policy)

    def _calendar_for(self, book: Any, policy: AdoptedPolicy) -> tuple[WorkingCalendar, int]:
        hours = policy.document.office_hours()
        key = (book.version, hours)
        calendar = self._calendars.get(key)
        if calendar is None:
            calendar = self._calendars[key] = book.working_calendar(hours)
        return calendar, int(book.version)

    def publish_calendar(self, act: Act, schedule: YearSchedule) -> CalendarBook:
        book = self.calendar_book()
        book.publish(act, schedule)
        self.commit(book)
        return book

    def adopt_policy(
        self, act: Act, document: dict[str, Any], effective_from: str
    ) -> AdoptedPolicy:
        book = self.policy_book()
        adopted = book.adopt(act, PolicyDocument.from_dict(document), effective_from)
        self.commit(book)
        return adopted

    @staticmethod
    def business_day(at: datetime) -> date:
        return at.astimezone(SHANGHAI).date()
