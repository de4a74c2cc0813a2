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
    moment: the first time after which the clock alone would change them (a step falling due)."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._bodies: OrderedDict[Hashable, tuple[bytes, datetime | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, now: datetime) -> bytes | None:
        with self._lock:
            found = self._bodies.get(key)
            if found is None:
                return None
            body, until = found
            if until is not None and now > until:
                del self._bodies[key]
                return None
            self._bodies.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes, until: datetime | None) -> None:
        with self._lock:
            self._bodies[key] = (body, until)
            self._bodies.move_to_end(key)
            while len(self._bodies) > self.size:
                self._bodies.popitem(last=False)
