"""Read responses kept as JSON bytes, for as long as they would read the same."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime

from fastapi import Request, Response
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
        found = self.entry(key, now)
        return None if found is None else found[0]

    def entry(self, key: Hashable, now: datetime) -> tuple[bytes, datetime | None] | None:
        """The body kept under `key` and the moment it is kept until, if it still holds."""
        with self._lock:
            found = self._bodies.get(key)
            if found is None:
                return None
            if found[1] is not None and now > found[1]:
                self._drop(key)
                return None
            self._bodies.move_to_end(key)
            return found

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


MAX_PATHS = 100_000
# What a client may send as Accept and still get the JSON a route keeps.
JSON_ACCEPTS = (b"", b"*/*", b"application/json")


class FastReads:
    """Kept bodies by caller, path, query and the log position they were read at."""

    def __init__(self, budget: int = 16 * 1024 * 1024) -> None:
        self.bodies = ReadCache(budget)
        self.paths: set[str] = set()

    def keep(
        self,
        request: Request,
        caller_id: str,
        position: int,
        body: bytes,
        until: datetime | None,
        min_position: int | None = None,
    ) -> None:
        """Keep `body`, read at log `position`, as the answer to this request from this caller
        until the log moves or the clock passes `until`. Not when the request asked for a later
        position than was read (its views were behind): asked again, it waits for them."""
        if min_position is not None and min_position > position:
            return
        if request.headers.get("accept", "").encode() not in JSON_ACCEPTS:
            return
        path = request.scope["path"]
        query = request.scope["query_string"].decode("latin-1")
        if path not in self.paths:
            if len(self.paths) >= MAX_PATHS:
                self.paths.clear()
            self.paths.add(path)
        self.bodies.put((caller_id, path, query, position), body, until)

    def answer(
        self, caller_id: str, path: str, query: str, head: int, now: datetime
    ) -> bytes | None:
        return self.bodies.get((caller_id, path, query, head), now)
