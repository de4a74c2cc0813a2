"""Configuration from the environment (and a `.env` file)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from dotenv import load_dotenv

from api.admission import COMMANDS_IN_FLIGHT
from domain.storage import DEFAULT_URL, ConfigurationError, Database, parse_database_url

DEFAULT_SMS_SENDER = "file:./sms-outbox.log"


def sms_sender_target(value: str) -> tuple[str, str]:
    """BAOBAO_SMS_SENDER as ("file", path) or ("http", url); anything else is refused."""
    if value.startswith("file:"):
        path = value.removeprefix("file:")
        if not path:
            raise ConfigurationError(
                f"BAOBAO_SMS_SENDER {value!r} names no file; use e.g. {DEFAULT_SMS_SENDER}"
            )
        folder = Path(path).resolve().parent
        if not folder.is_dir():
            raise ConfigurationError(
                f"folder {folder} for the SMS file (BAOBAO_SMS_SENDER) does not exist"
            )
        return "file", path
    parsed = urlparse(value)
    if parsed.scheme in ("http", "https") and parsed.hostname:
        return "http", value
    raise ConfigurationError(
        f"BAOBAO_SMS_SENDER {value!r} is neither file:PATH nor an http(s):// gateway URL"
    )


def env_seconds(name: str, default: str) -> float:
    raw = os.environ.get(name, default)
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} {raw!r} is not a number of seconds") from None


def env_switch(name: str) -> bool:
    raw = os.environ.get(name, "0").strip().lower()
    if raw not in ("0", "1", "true", "false", "yes", "no", ""):
        raise ConfigurationError(f"{name} {raw!r} must be 1 or 0")
    return raw in ("1", "true", "yes")


def env_count(name: str, default: str) -> int:
    raw = os.environ.get(name, default)
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} {raw!r} is not a whole number") from None


@dataclass(frozen=True)
class Settings:
    """Where the data lives and how the service behaves."""

    database: Database
    signing_key_path: str
    sms_sender: str
    sms_timeout: float = 5.0
    sms_retries: int = 3
    commands_in_flight: int = COMMANDS_IN_FLIGHT
    pin_cpu: bool = False

    def __post_init__(self) -> None:
        sms_sender_target(self.sms_sender)
        if not 0 < self.sms_timeout <= 300:
            raise ConfigurationError(
                f"BAOBAO_SMS_TIMEOUT {self.sms_timeout!r} must be seconds between 0 and 300"
            )
        if not 0 <= self.sms_retries <= 10:
            raise ConfigurationError(
                f"BAOBAO_SMS_RETRIES {self.sms_retries!r} must be a whole number from 0 to 10"
            )
        if not 1 <= self.commands_in_flight <= 256:
            raise ConfigurationError(
                f"BAOBAO_COMMANDS_IN_FLIGHT {self.commands_in_flight!r} must be a whole number "
                "from 1 to 256"
            )

    @classmethod
    def from_env(cls) -> Settings:
        load_dotenv(".env", override=False)
        return cls(
            database=parse_database_url(os.environ.get("BAOBAO_DATABASE_URL", DEFAULT_URL)),
            signing_key_path=os.environ.get("BAOBAO_SIGNING_KEY", "./baobao-signing.key"),
            sms_sender=os.environ.get("BAOBAO_SMS_SENDER", DEFAULT_SMS_SENDER),
            sms_timeout=env_seconds("BAOBAO_SMS_TIMEOUT", "5"),
            sms_retries=env_count("BAOBAO_SMS_RETRIES", "3"),
            commands_in_flight=env_count("BAOBAO_COMMANDS_IN_FLIGHT", str(COMMANDS_IN_FLIGHT)),
            pin_cpu=env_switch("BAOBAO_PIN_CPU"),
        )
