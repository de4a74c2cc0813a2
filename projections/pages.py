"""Reading the log for a set of projections: each event decoded in full only if one reads it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import orjson
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder, Notification
from eventsourcing.utils import resolve_topic

from projections.base import PositionedEvent, Projection, Stamp


class PageReader:
    """Decodes a page of notifications for some projections. An event none of them reads (each
    says which it reads; one that does not say reads every event) is given as a stamp: its
    originator, version and recorded time, taken from the stored state without the rest."""

    def __init__(self, app: Application[Any], projections: Sequence[Projection]) -> None:
        self.app = app
        selectors: list[Callable[[type[Any]], bool] | None] = [
            getattr(p, "reads", None) for p in projections
        ]
        self.everything = any(s is None for s in selectors)
        self.selectors = [s for s in selectors if s is not None]
        self.in_full: dict[str, bool] = {}

    def read(self, start: int, limit: int) -> Sequence[Notification]:
        return self.app.recorder.select_notifications(
            start=start, limit=limit, inclusive_of_start=False
        )

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
