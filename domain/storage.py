"""Where the event log lives: BAOBAO_DATABASE_URL turned into eventsourcing settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

DEFAULT_URL = "sqlite:///./baobao.db"


class ConfigurationError(Exception):
    """The configuration cannot be used; the message says what to change."""


@dataclass(frozen=True)
class Database:
    """A parsed database URL."""

    url: str
    kind: str  # sqlite | postgres | memory
    env: dict[str, str]

    @property
    def sqlite_path(self) -> str | None:
        return self.env.get("SQLITE_DBNAME") if self.kind == "sqlite" else None


def parse_database_url(url: str) -> Database:
    """sqlite:///rel.db, sqlite:////abs.db, postgresql://user:pw@host:port/db[?schema=s], memory:"""
    parsed = urlparse(url)
    cache = {"AGGREGATE_CACHE_MAXSIZE": "5000", "AGGREGATE_CACHE_FASTFORWARD": "y"}
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        path = path.removeprefix("/")
        if not path:
            raise ConfigurationError(f"{url!r} names no file; use e.g. sqlite:///./baobao.db")
        folder = Path(path).resolve().parent
        if not folder.is_dir():
            raise ConfigurationError(f"folder {folder} for the SQLite database does not exist")
        return Database(
            url,
            "sqlite",
            {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": path,
                "SQLITE_LOCK_TIMEOUT": "10",
                **cache,
            },
        )
    if parsed.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        dbname = parsed.path.lstrip("/")
        if not dbname:
            raise ConfigurationError(
                f"{url!r} names no database; use postgresql://user@host:5432/dbname"
            )
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_POOL_SIZE": "8",
            "POSTGRES_MAX_OVERFLOW": "16",
            **cache,
        }
        for part in parsed.query.split("&"):
            if part.startswith("schema="):
                env["POSTGRES_SCHEMA"] = part.split("=", 1)[1]
        return Database(url, "postgres", env)
    if url == "memory:":
        return Database(url, "memory", {"PERSISTENCE_MODULE": "eventsourcing.popo", **cache})
    raise ConfigurationError(
        f"BAOBAO_DATABASE_URL {url!r} is neither sqlite:///PATH nor postgresql://USER@HOST:PORT/DB"
    )
