"""Where the event log lives: BAOBAO_DATABASE_URL turned into eventsourcing settings."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteDatastore,
    SQLiteFactory,
)
from eventsourcing.utils import Environment, EnvType, retry
from psycopg.errors import DuplicateObject
from psycopg.sql import SQL, Identifier

from domain.write_turns import WriteTurns, turn_if, write_turns

DEFAULT_URL = "sqlite:///./baobao.db"
# Held while the log's and the views' tables are created: processes starting together on an
# empty PostgreSQL database take turns instead of failing on the catalogue.
SCHEMA_LOCK = 0x62616F62616F  # "baobao"


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
                "PERSISTENCE_MODULE": "domain.storage:SQLiteLogFactory",
                "SQLITE_DBNAME": path,
                "SQLITE_LOCK_TIMEOUT": "10",
                "SQLITE_POOL_SIZE": "40",
                "SQLITE_MAX_OVERFLOW": "10",
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
            # A writer waits this long for the log's table lock, then fails (503), as on SQLite.
            "POSTGRES_LOCK_TIMEOUT": "5",
            "APPLICATION_RECORDER_TOPIC": "domain.storage:PostgresLogRecorder",
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


class TurnTakingDatastore(SQLiteDatastore):
    """The library's SQLite datastore, each write in its turn among the database's writers
    (`domain.write_turns`), taken before the library's own writer lock of this process."""

    def __init__(self, db_name: str, **options: Any) -> None:
        super().__init__(db_name, **options)
        self.turns: WriteTurns | None = write_turns(db_name)

    @contextlib.contextmanager
    def get_connection(self, *, commit: bool) -> Iterator[SQLiteConnection]:
        with turn_if(self.turns, commit), super().get_connection(commit=commit) as connection:
            yield connection


class SQLiteLogRecorder(SQLiteApplicationRecorder):
    """The library's recorder, and the latest versions of a few aggregates in one query."""

    def latest_versions(self, ids: Sequence[UUID]) -> dict[UUID, int]:
        """Each aggregate's latest version; one with no events yet is absent."""
        statement = (
            f"SELECT originator_id, MAX(originator_version) FROM {self.events_table_name} "
            f"WHERE originator_id IN ({', '.join('?' * len(ids))}) GROUP BY originator_id"
        )
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, [aggregate_id.hex for aggregate_id in ids])
            return {UUID(str(row[0])): int(row[1]) for row in c.fetchall()}


class SQLiteLogFactory(SQLiteFactory):
    """The library's SQLite persistence with a larger pool of connections kept open, whose
    writes take turns with the other writers of the database. The library keeps 5 connections
    and closes any more when they come back; a server's 40 worker threads reading at once
    would open a new connection (and check its journal mode) for most reads."""

    application_recorder_class = SQLiteLogRecorder
    SQLITE_POOL_SIZE = "SQLITE_POOL_SIZE"
    SQLITE_MAX_OVERFLOW = "SQLITE_MAX_OVERFLOW"

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        made = self.datastore
        self.datastore = TurnTakingDatastore(
            db_name=made.pool.db_name,
            lock_timeout=made.pool.lock_timeout,
            single_row_tracking=made.single_row_tracking,
            originator_id_type=made.originator_id_type,
        )
        made.close()
        pool = self.datastore.pool
        pool.pool_size = int(self.env.get(self.SQLITE_POOL_SIZE) or pool.pool_size)
        pool.max_overflow = int(self.env.get(self.SQLITE_MAX_OVERFLOW) or pool.max_overflow)


def _three_tries(method: Callable[..., Any]) -> Any:
    plain = getattr(method, "__wrapped__", method)  # without the library's ten tries
    return retry((InterfaceError, OperationalError), max_attempts=3, wait=0.2)(plain)


class PostgresLogRecorder(PostgresApplicationRecorder):
    """The library's recorder, but a statement that fails for want of the server (unreachable,
    locked, connection dropped) is tried 3 times, not 10: the client gets its 503 within
    seconds, not a minute, and a dropped pooled connection is still replaced unseen."""

    insert_events = _three_tries(PostgresApplicationRecorder.insert_events)
    select_events = _three_tries(PostgresApplicationRecorder.select_events)
    select_notifications = _three_tries(PostgresApplicationRecorder.select_notifications)
    max_notification_id = _three_tries(PostgresApplicationRecorder.max_notification_id)

    @_three_tries
    def latest_versions(self, ids: Sequence[UUID]) -> dict[UUID, int]:
        """Each aggregate's latest version; one with no events yet is absent."""
        statement = SQL(
            "SELECT originator_id, MAX(originator_version) AS version FROM {schema}.{table} "
            "WHERE originator_id = ANY(%s) GROUP BY originator_id"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, [list(ids)], prepare=True)
            return {UUID(str(row["originator_id"])): int(row["version"]) for row in curs.fetchall()}

    def create_table(self) -> None:
        """The library's tables, types and functions, created in one transaction under an
        advisory lock (each type in a savepoint, as a type has no IF NOT EXISTS)."""
        with self.datastore.get_connection() as conn, conn.transaction():
            cursor = conn.cursor()
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in self.sql_create_statements:
                if "CREATE TYPE" in statement.as_string():
                    with contextlib.suppress(DuplicateObject), conn.transaction():
                        cursor.execute(statement, prepare=False)
            self._create_table(cursor)
        self.datastore.register_type_adapters()
