"""Read responses kept as JSON bytes, for as long as they would read the same."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime

from fastapi import Response
from pydantic import BaseModel

JSON = "application/json"


def json_bytes(model: BaseModel) -> bytes:
    """The model as FastAPI would send it as its route's response model."""
    return model.__pydantic_serializer__.to_json(model, by_alias=True)


def json_response(body: bytes) -> Response:
    return Response(body, media_type=JSON)


class ReadCache:
    """Bodies kept per key (which holds the log position they were read at) and valid until a
    moment: the first time after which the clock alone would change them (a step falling due).
    The least recently read go first once the bodies kept pass `budget` bytes."""

    def __init__(self, budget: int = 32 * 1024 * 1024) -> None:
        self.budget = budget
        self.size = 0
        self._bodies: OrderedDict[Hashable, tuple[bytes, datetime | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, now: datetime) -> bytes | None:
        with self._lock:
            found = self._bodies.get(key)
            if found is None:
                return None
            body, until = found
            if until is not None and now > until:
                self._drop(key)
                return None
            self._bodies.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes, until: datetime | None) -> None:
        if len(body) > self.budget:
            return
        with self._lock:
            self._drop(key)
            self._bodies[key] = (body, until)
            self.size += len(body)
            while self.size > self.budget:
                self._drop(next(iter(self._bodies)))

    def _drop(self, key: Hashable) -> None:
        found = self._bodies.pop(key, None)
        if found is not None:
            self.size -= len(found[0])
