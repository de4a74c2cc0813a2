"""A small SQL layer for the read models, the same statements on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from domain.storage import SCHEMA_LOCK, Database
from domain.write_turns import turn_if, write_turns

Params = Sequence[Any]

# Rows a statement takes on PostgreSQL (as arrays, one per column).
ROWS_PER_STATEMENT = 5_000


class Tx:
    """One transaction's cursor; statements use `?` placeholders on both databases."""

    def __init__(
        self, cursor: Any, postgres: bool, types: dict[str, dict[str, str]] | None = None
    ) -> None:
        self.cursor = cursor
        self.postgres = postgres
        # Column types by table, on PostgreSQL (kept by the database between transactions).
        self.types: dict[str, dict[str, str]] = {} if types is None else types

    def lock_schema(self) -> None:
        """Before creating tables: on PostgreSQL, processes starting together take turns
        (each CREATE … IF NOT EXISTS would otherwise race on the catalogue); a SQLite write
        transaction already excludes the others."""
        if self.postgres:
            self.cursor.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.postgres else statement

    def execute(self, statement: str, params: Params = ()) -> int:
        self.cursor.execute(self.sql(statement), tuple(params))
        return int(self.cursor.rowcount)

    def executemany(self, statement: str, rows: Sequence[Params]) -> None:
        if rows:
            self.cursor.executemany(self.sql(statement), [tuple(r) for r in rows])

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[Params], tail: str = ""
    ) -> None:
        """`INSERT INTO table (columns) … tail` of each row. On SQLite the statement runs once
        per row (the loop is in C); on PostgreSQL the rows go as one array per column, a
        statement for many rows instead of one executed per row (two to three times faster on
        the server). Rows given to a statement whose `tail` updates on conflict must have
        distinct keys: PostgreSQL updates a row at most once in a statement."""
        if not rows:
            return
        names = ", ".join(columns)
        if not self.postgres:
            self.cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))}) {tail}",
                [tuple(r) for r in rows],
            )
            return
        types = self.column_types(table, columns)
        arrays = ", ".join(f"%s::{types[c]}[]" for c in columns)
        statement = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {tail}"
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            self.cursor.execute(statement, [list(column) for column in zip(*chunk, strict=True)])

    def column_types(self, table: str, columns: Sequence[str]) -> dict[str, str]:
        """The columns' SQL types on PostgreSQL (from the catalogue, kept per database)."""
        known = self.types.get(table)
        if known is None or any(c not in known for c in columns):
            self.cursor.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                (table,),
            )
            known = self.types[table] = {str(n): str(t) for n, t in self.cursor.fetchall()}
        return known

    def all(self, statement: str, params: Params = ()) -> list[tuple[Any, ...]]:
        self.cursor.execute(self.sql(statement), tuple(params))
        return list(self.cursor.fetchall())

    def one(self, statement: str, params: Params = ()) -> tuple[Any, ...] | None:
        self.cursor.execute(self.sql(statement), tuple(params))
        row = self.cursor.fetchone()
        return tuple(row) if row is not None else None


class ViewDatabase:
    """Connections to the database that holds the event log, for the views beside it."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.postgres = database.kind == "postgres"
        self._local = threading.local()
        self._turns = write_turns(database.sqlite_path)
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._column_types: dict[str, dict[str, str]] = {}
        if self.postgres:
            env = database.env
            schema = env.get("POSTGRES_SCHEMA")
            options = f"-c search_path={schema}" if schema else ""
            conninfo = psycopg.conninfo.make_conninfo(
                dbname=env["POSTGRES_DBNAME"],
                host=env["POSTGRES_HOST"],
                port=env["POSTGRES_PORT"],
                user=env["POSTGRES_USER"],
                password=env["POSTGRES_PASSWORD"] or None,
                connect_timeout=env.get("POSTGRES_CONNECT_TIMEOUT", "5"),
                options=options or None,
            )
            # Waiting for a connection (the server unreachable) ends as the log's pool does.
            timeout = float(env.get("POSTGRES_CONNECT_TIMEOUT", "5"))
            self._pool = ConnectionPool(
                conninfo, min_size=1, max_size=16, open=True, timeout=timeout
            )
        elif database.kind != "sqlite":
            msg = "views need SQLite or PostgreSQL"
            raise ValueError(msg)

    def _sqlite(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            path = self.database.env["SQLITE_DBNAME"]
            timeout = float(self.database.env.get("SQLITE_LOCK_TIMEOUT", "10"))
            connection = sqlite3.connect(
                path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Tx]:
        """A transaction: committed if the block ends normally, rolled back if it raises."""
        if self._pool is not None:
            with self._begun() as pg, pg.cursor() as pg_cursor:
                yield Tx(pg_cursor, postgres=True, types=self._column_types)
            return
        connection = self._sqlite()
        with turn_if(self._turns, write):
            cursor = connection.cursor()
            cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield Tx(cursor, postgres=False)
            except BaseException:
                connection.rollback()
                raise
            else:
                connection.commit()
            finally:
                cursor.close()

    @contextmanager
    def _begun(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled PostgreSQL connection in a transaction just begun; the transaction ends and
        the connection goes back with the block. The pool does not test a connection before
        lending it: one whose server process has gone (terminated, the server restarted)
        fails at BEGIN, before anything is done in it. It is then closed and given back, which
        the pool discards, and another is taken."""
        assert self._pool is not None
        # Every connection the pool holds may have gone at once (a server restart).
        attempts = self._pool.max_size + 1
        for attempt in range(1, attempts + 1):
            with ExitStack() as begun:
                pg = begun.enter_context(self._pool.connection())
                try:
                    begun.enter_context(pg.transaction())
                except psycopg.OperationalError:
                    pg.close()  # given back closed, it is discarded
                    if attempt == attempts:
                        raise
                    continue
                yield pg
                return

    def read(self, statement: str, params: Params = ()) -> list[tuple[Any, ...]]:
        with self.transaction(write=False) as tx:
            return tx.all(statement, params)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
