"""Reading the log for a set of projections: each event decoded in full only if one reads it,
and, where none of them wants the rest, only the events they read."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

import orjson
from eventsourcing.application import Application
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import JSONTranscoder, Notification
from eventsourcing.utils import TopicError, _topic_cache, construct_topic, resolve_topic

from projections.base import PositionedEvent, Projection, Stamp


@dataclass(frozen=True)
class Page:
    """Notifications read after a position, and the position reading them takes a follower to:
    the last one's, or, for a reader of some topics whose page is not full, the log's head as
    it was read (nothing between the last one and the head is for its projections)."""

    notifications: Sequence[Notification]
    end: int


class PageReader:
    """Decodes a page of notifications for some projections. An event none of them reads (each
    says which it reads; one that does not say reads every event) is given as a stamp: its
    originator, version and recorded time, taken from the stored state without the rest. If
    none of them asks for stamps (`stamps = True`), such events are not read at all: the
    reader selects the topics of the event classes they read."""

    def __init__(self, app: Application[Any], projections: Sequence[Projection]) -> None:
        self.app = app
        selectors: list[Callable[[type[Any]], bool] | None] = [
            getattr(p, "reads", None) for p in projections
        ]
        self.everything = any(s is None for s in selectors)
        self.selectors = [s for s in selectors if s is not None]
        self.in_full: dict[str, bool] = {}
        wants_all = self.everything or any(getattr(p, "stamps", False) for p in projections)
        self.topics: list[str] | None = None if wants_all else self.topics_read()

    def topics_read(self) -> list[str] | None:
        """The topics of the event classes these projections read; None if they cannot be
        told from the classes (a topic registered for a class or module moved or renamed:
        events stored under the old topic would be missed)."""
        if any(renamed(topic, target) for topic, target in list(_topic_cache.items())):
            return None
        topics: set[str] = set()
        for cls in event_classes(DomainEvent):
            topic = construct_topic(cls)
            try:
                stored_as = resolve_topic(topic)  # the class an event of this topic decodes to
            except TopicError:
                continue  # a class made in passing, not reachable by its name
            if any(reads(stored_as) for reads in self.selectors):
                topics.add(topic)
        return sorted(topics)

    def read(self, start: int, limit: int) -> Page:
        recorder = self.app.recorder
        if self.topics is None:
            notifications = recorder.select_notifications(
                start=start, limit=limit, inclusive_of_start=False
            )
            return Page(notifications, notifications[-1].id if notifications else start)
        # The head first: a notification at or below it is committed (the log is written in
        # order), so none of these topics lies between the last read and the head.
        head = recorder.max_notification_id() or 0
        if head <= start:
            return Page([], start)
        notifications = recorder.select_notifications(
            start=start, limit=limit, stop=head, topics=self.topics, inclusive_of_start=False
        )
        return Page(notifications, notifications[-1].id if len(notifications) == limit else head)

    def decode(self, notifications: Sequence[Notification]) -> list[PositionedEvent]:
        to_domain_event = self.app.mapper.to_domain_event
        events: list[PositionedEvent] = []
        for n in notifications:
            wanted = self.in_full.get(n.topic)
            if wanted is None:
                wanted = self.wanted(n.topic)
            events.append((n.id, to_domain_event(n) if wanted else Stamp(n, self.time_of)))
        return events

    def wanted(self, topic: str) -> bool:
        """Whether events of this topic are decoded in full (remembered per topic by
        `decode`, which looks there first)."""
        cls = resolve_topic(topic)
        wanted = (
            self.everything
            or any(reads(cls) for reads in self.selectors)
            # An upcast event is decoded as the library does, whatever it changes.
            or getattr(cls, "class_version", 1) != 1
            or not isinstance(self.app.mapper.transcoder, JSONTranscoder)
        )
        self.in_full[topic] = wanted
        return wanted

    def time_of(self, n: Notification) -> datetime:
        """When an event was recorded, from its stored state without decoding the rest."""
        mapper = self.app.mapper
        state = n.state
        if mapper.cipher:
            state = mapper.cipher.decrypt(state)
        if mapper.compressor:
            state = mapper.compressor.decompress(state)
        transcoder = mapper.transcoder
        assert isinstance(transcoder, JSONTranscoder)  # else `wanted` decodes in full
        try:
            stored = orjson.loads(state)["timestamp"]
            timestamp: datetime = transcoder.names[stored["_type_"]].decode(stored["_data_"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            # Not as the library's JSON transcoder writes it: decode it as the library does.
            timestamp = mapper.to_domain_event(n).timestamp  # type: ignore[attr-defined]
        return timestamp


def event_classes(root: type[Any]) -> Iterator[type[Any]]:
    """Every class derived from `root`, at any depth."""
    for cls in root.__subclasses__():
        yield cls
        yield from event_classes(cls)


def renamed(topic: str, target: object) -> bool:
    """Whether the library's topic registry resolves this topic to something named otherwise."""
    if isinstance(target, ModuleType):
        return target.__name__ != topic
    if isinstance(target, type):
        return construct_topic(target) != topic
    return False
