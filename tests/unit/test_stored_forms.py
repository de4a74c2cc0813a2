"""How events are read and view documents written: the same values and text as before, faster."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex
from hypothesis import given
from hypothesis import strategies as st

from domain.base import Actor
from domain.calendar import SHANGHAI
from domain.deadline import Deadline
from domain.transcodings import ParkTranscoder, register
from projections.base import dumps
from projections.documents import local

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def library_dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@given(json_values)
def test_view_documents_are_written_as_json_wrote_them(doc: Any) -> None:
    assert dumps(doc) == library_dumps(doc)


def test_documents_json_refuses_are_refused() -> None:
    with pytest.raises(TypeError):
        dumps({"on": date(2026, 3, 2)})


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from([UTC, SHANGHAI, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))]),
)
def test_local_time_is_business_time_whatever_the_offset(moment: datetime, zone: Any) -> None:
    given_in = moment.astimezone(zone)
    assert local(given_in) == moment.astimezone(SHANGHAI).isoformat()


def transcoders() -> tuple[JSONTranscoder, JSONTranscoder]:
    library, park = JSONTranscoder(), ParkTranscoder()
    for transcoder in (library, park):
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
            transcoder.register(transcoding)  # as the Application registers them
        register(transcoder)
    return library, park


@given(
    st.datetimes(timezones=st.just(timezone(timedelta(hours=8)))),
    st.uuids(),
    st.text(),
    st.none() | st.text(),
)
def test_events_decode_to_the_same_values(
    moment: datetime, some_id: UUID, text: str, scope: str | None
) -> None:
    library, park = transcoders()
    deadline = Deadline("handle", text, "working_days:5", moment, moment, False, 1, 2, set_by=3)
    state = {
        "timestamp": moment,
        "originator": some_id,
        "actor": Actor(text, "admin", "r-1", scope),
        "deadline": deadline.met(moment, 4),
        "plain": {"_type_": text, "other": 1},
        "nested": [{"_type_": "uuid_hex", "_data_": some_id.hex}],
    }
    encoded = library.encode(state)
    decoded = park.decode(encoded)
    assert decoded == library.decode(encoded)
    assert decoded["deadline"].met_by == 4
    assert hash(decoded["actor"]) == hash(state["actor"])


def test_events_missing_later_fields_take_their_defaults() -> None:
    _, park = transcoders()
    actor = park.decode(
        b'{"_type_":"actor","_data_":{"principal_id":"p","role":"admin","request_id":"r"}}'
    )
    assert actor == Actor("p", "admin", "r", None)


@pytest.mark.parametrize(
    "stored",
    [
        b'{"_type_":"actor","_data_":{"principal_id":"p","role":"admin"}}',
        b'{"_type_":"actor","_data_":{"principal_id":"p","role":"a","request_id":"r","x":1}}',
        b'{"_type_":"uuid_hex","_data_":"not-a-uuid"}',
    ],
)
def test_malformed_values_fail_as_with_the_library(stored: bytes) -> None:
    library, park = transcoders()
    with pytest.raises((TypeError, ValueError)) as ours:
        park.decode(stored)
    with pytest.raises((TypeError, ValueError)) as theirs:
        library.decode(stored)
    assert type(ours.value) is type(theirs.value)


def test_uuids_read_back_equal() -> None:
    _, park = transcoders()
    some_id = uuid4()
    assert park.decode(park.encode(some_id)) == some_id


typed_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too
    | st.floats(allow_nan=False)  # infinities too
    | st.text()
    | st.uuids()
    | st.datetimes(timezones=st.just(timezone(timedelta(hours=8))))
    | st.dates()
    | st.builds(Actor, st.text(), st.text(), st.text(), st.none() | st.text()),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["_type_", "_data_", "a", "b", "c"]) | st.text(), inner)
        | st.fixed_dictionaries({"_type_": st.sampled_from(["uuid_hex", "actor"]), "_data_": inner})
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(), typed_values, max_size=6) | typed_values)
def test_any_stored_state_decodes_to_what_the_library_decodes(state: Any) -> None:
    library, park = transcoders()
    encoded = library.encode(state)
    try:
        expected = library.decode(encoded)
    except Exception as error:  # a value whose data the library cannot decode either
        with pytest.raises(type(error)):
            park.decode(encoded)
        return
    assert park.decode(encoded) == expected


@pytest.mark.parametrize(
    "stored",
    [
        b'{"at":{"_type_":"datetime_iso"}}',  # no data: a plain dict
        b'{"at":{"_type_":"no_such_type","_data_":1}}',
        b'{"big":123456789012345678901234567890,"at":{"_type_":"date_iso","_data_":"2026-03-02"}}',
        b'{"x":Infinity}',
        b'{"x":"\\ud800"}',
        b'[{"_type_":"uuid_hex","_data_":"00000000000000000000000000000001"}]',
    ],
)
def test_edge_states_decode_or_fail_as_with_the_library(stored: bytes) -> None:
    library, park = transcoders()
    try:
        expected = library.decode(stored)
    except Exception as error:
        with pytest.raises(type(error)):
            park.decode(stored)
        return
    assert park.decode(stored) == expected
