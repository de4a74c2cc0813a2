"""Rows written to the views in bulk, on SQLite and on PostgreSQL: what a page's upsert leaves is
what the same rows upserted one after another would leave, over more rows than one statement
takes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.storage import parse_database_url
from projections.base import upsert
from projections.sql import ROWS_PER_STATEMENT, ViewDatabase

MANY = ROWS_PER_STATEMENT * 2 + 7
COLUMNS = ("id", "seq", "due", "doc")


@pytest.fixture
def views(database_url: str) -> Iterator[ViewDatabase]:
    views = ViewDatabase(parse_database_url(database_url))
    with views.transaction() as tx:
        tx.execute("CREATE TABLE v_things (id TEXT PRIMARY KEY, seq BIGINT, due BIGINT, doc TEXT)")
    yield views
    views.close()


def things(views: ViewDatabase) -> dict[str, tuple[object, ...]]:
    rows = views.read("SELECT id, seq, due, doc FROM v_things")
    return {str(row[0]): tuple(row[1:]) for row in rows}


def test_an_upsert_of_many_rows_writes_each_and_replaces_those_there(views: ViewDatabase) -> None:
    with views.transaction() as tx:
        upsert(tx, "v_things", [{"id": "a", "seq": 1, "due": 5, "doc": "old"}])
    rows = [
        {"id": f"t{i}", "seq": i, "due": None if i % 3 else i * 10, "doc": f"文{i}"}
        for i in range(MANY)
    ]
    with views.transaction() as tx:
        upsert(tx, "v_things", [*rows, {"id": "a", "seq": 2, "due": None, "doc": "new"}])
    found = things(views)
    assert len(found) == MANY + 1
    assert found["a"] == (2, None, "new")
    assert found["t3"] == (3, 30, "文3")
    assert found[f"t{MANY - 1}"] == (MANY - 1, None, f"文{MANY - 1}")


def test_an_id_twice_in_one_upsert_ends_as_if_upserted_in_turn(views: ViewDatabase) -> None:
    with views.transaction() as tx:
        upsert(tx, "v_things", [{"id": "there", "seq": 1, "due": 1, "doc": "before"}])
    rows = [
        {"id": "new", "seq": 10, "due": 1, "doc": "first"},
        {"id": "there", "seq": 20, "due": 2, "doc": "first"},
        {"id": "new", "seq": 11, "due": 3, "doc": "last"},
        {"id": "there", "seq": 21, "due": None, "doc": "last"},
    ]
    with views.transaction() as tx:
        upsert(tx, "v_things", rows, keep=("seq",))
    # `seq` is kept: the first row's for an id that was not there, the stored one's otherwise.
    assert things(views) == {"new": (10, 3, "last"), "there": (1, None, "last")}


def test_rows_inserted_in_bulk_leave_those_there_alone_when_told_to(views: ViewDatabase) -> None:
    with views.transaction() as tx:
        upsert(tx, "v_things", [{"id": "t5", "seq": 5, "due": 5, "doc": "kept"}])
    rows = [(f"t{i}", i, None, "bulk") for i in range(MANY)]
    with views.transaction() as tx:
        tx.insert_many("v_things", COLUMNS, rows, "ON CONFLICT (id) DO NOTHING")
    found = things(views)
    assert len(found) == MANY
    assert found["t5"] == (5, 5, "kept")
    assert found["t6"] == (6, None, "bulk")


def test_a_failing_bulk_write_changes_nothing(views: ViewDatabase) -> None:
    rows = [(f"t{i}", i, None, "bulk") for i in range(MANY)]
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"), views.transaction() as tx:
        tx.insert_many("v_things", COLUMNS, [*rows, rows[0]])
    assert things(views) == {}
