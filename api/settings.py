"""Configuration from the environment (and a `.env` file)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from dotenv import load_dotenv

from domain.storage import DEFAULT_URL, Database, parse_database_url


@dataclass(frozen=True)
class Settings:
    """Where the data lives and how the service behaves."""

    database: Database
    signing_key_path: str
    sms_sender: str

    @classmethod
    def from_env(cls) -> Settings:
        load_dotenv(".env", override=False)
        return cls(
            database=parse_database_url(os.environ.get("BAOBAO_DATABASE_URL", DEFAULT_URL)),
            signing_key_path=os.environ.get("BAOBAO_SIGNING_KEY", "./baobao-signing.key"),
            sms_sender=os.environ.get("BAOBAO_SMS_SENDER", "file:./sms-outbox.log"),
        )
