"""Senders of SMS (短信): a file of JSON lines (the default) or an HTTP gateway (SPEC N4).

Both are idempotent by message id: sending a message again does not deliver it again (the file
sender checks its file; the gateway is given the id as `Idempotency-Key`).
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import httpx

from api.settings import Settings, sms_sender_target


class SendError(Exception):
    """The message could not be handed over."""


class TransientSendError(SendError):
    """Worth trying again later: a timeout, a refused connection, a 5xx, 408 or 429."""


class PermanentSendError(SendError):
    """Trying again will not help: the gateway refused the message itself (another 4xx)."""


class Sender(Protocol):
    """Hands one message to a channel; returns the channel's reference for it."""

    @property
    def channel(self) -> str: ...

    def send(self, message_id: str, recipient: str, text: str) -> str: ...


class FileSender:
    """Appends one JSON line per message to a file; a message already in it is not added again."""

    channel = "file"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.lock = threading.Lock()
        # What this process has read of the file so far: message id → line number.
        self.identity: tuple[int, int] | None = None
        self.offset = 0
        self.lines = 0
        self.partial = False
        self.known: dict[str, int] = {}

    def send(self, message_id: str, recipient: str, text: str) -> str:
        try:
            with self.lock, self.path.open("a+b") as file:
                # Checking and appending under one lock: two senders cannot both append.
                fcntl.flock(file, fcntl.LOCK_EX)
                self.read_new_lines(file)
                if message_id not in self.known:
                    record = {
                        "id": message_id,
                        "recipient": recipient,
                        "text": text,
                        "sent_at": datetime.now(UTC).isoformat(),
                    }
                    # A line cut short by a crash stays as it is; ours starts on a new line.
                    prefix = b"\n" if self.partial else b""
                    data = json.dumps(record, ensure_ascii=False).encode("utf-8")
                    file.write(prefix + data + b"\n")
                    file.flush()
                    os.fsync(file.fileno())
                    self.read_new_lines(file)
                return f"{self.path.name}:{self.known[message_id]}"
        except OSError as error:
            raise TransientSendError(f"cannot write {self.path}: {error}") from error

    def read_new_lines(self, file: BinaryIO) -> None:
        """Take in the lines appended since the last look (by any process)."""
        stat = os.fstat(file.fileno())
        identity = (stat.st_dev, stat.st_ino)
        if identity != self.identity or stat.st_size < self.offset:
            # A new or truncated file (rotated by an operator): read it from the start.
            self.identity, self.offset, self.lines, self.known = identity, 0, 0, {}
        file.seek(self.offset)
        chunk = file.read()
        end = chunk.rfind(b"\n") + 1
        for line in chunk[:end].split(b"\n")[:-1]:
            self.lines += 1
            found = self.id_of(line)
            if found is not None:
                self.known.setdefault(found, self.lines)
        self.offset += end
        self.partial = end < len(chunk)

    @staticmethod
    def id_of(line: bytes) -> str | None:
        try:
            record = json.loads(line)
        except ValueError:
            return None
        found = record.get("id") if isinstance(record, dict) else None
        return found if isinstance(found, str) else None


RETRYABLE_STATUSES = frozenset({408, 429})


class HttpGatewaySender:
    """POSTs each message to an SMS gateway with its id as `Idempotency-Key`, retrying what may
    pass later (timeouts, connection errors, 5xx, 408, 429) with exponential backoff."""

    channel = "http"

    def __init__(
        self,
        url: str,
        timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.client = client or httpx.Client(timeout=timeout)
        self.sleep = sleep

    def send(self, message_id: str, recipient: str, text: str) -> str:
        payload = {"id": message_id, "recipient": recipient, "text": text}
        headers = {"Idempotency-Key": message_id}
        problem = "not tried"
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.client.post(
                    self.url, json=payload, headers=headers, timeout=self.timeout
                )
            except httpx.HTTPError as error:
                # Timeouts, refused or broken connections, protocol errors: try again.
                problem = f"{type(error).__name__}: {error}"
                continue
            status = response.status_code
            if 200 <= status < 300:
                return self.reference(response, message_id)
            problem = f"gateway answered {status}: {response.text[:200]}"
            if status < 500 and status not in RETRYABLE_STATUSES:
                raise PermanentSendError(problem)
        raise TransientSendError(f"{problem} (after {self.retries + 1} tries)")

    @staticmethod
    def reference(response: httpx.Response, message_id: str) -> str:
        """The gateway's receipt: `reference` (or `id`) of a JSON answer, else the message id."""
        try:
            body: Any = response.json()
        except ValueError:
            return message_id
        if isinstance(body, dict):
            for field in ("reference", "id", "message_id"):
                if isinstance(body.get(field), str | int):
                    return str(body[field])
        return message_id

    def close(self) -> None:
        self.client.close()


def make_sender(settings: Settings) -> Sender:
    """The sender BAOBAO_SMS_SENDER names: `file:PATH` or an http(s) gateway URL."""
    kind, target = sms_sender_target(settings.sms_sender)
    if kind == "file":
        return FileSender(target)
    return HttpGatewaySender(target, timeout=settings.sms_timeout, retries=settings.sms_retries)
