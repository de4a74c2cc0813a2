"""How the domain's value types are stored in events (JSON)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Transcoding, UUIDAsHex

from domain.base import Actor
from domain.deadline import Deadline
from domain.enterprise import Assignment
from domain.entitlement import Entitlement
from domain.leading_group import Directive
from domain.matter import ExtensionRequest, Rating
from domain.sales import SalesEntry
from domain.visit import VisitProblem


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class DataclassAsDict(Transcoding):
    """A frozen dataclass of transcodable fields, stored as a dict of its fields."""

    def __init__(self, cls: type[Any], name: str) -> None:
        self.type = cls
        self.name = name
        self.fields = frozenset(f.name for f in fields(cls))
        # A frozen dataclass's __init__ sets each field through object.__setattr__: a third of
        # decoding an actor, which every event holds. One without __post_init__ or slots is the
        # same object when its fields are put in place directly.
        self.direct = (
            not hasattr(cls, "__post_init__")
            and not hasattr(cls, "__slots__")
            and all(f.init for f in fields(cls))
        )

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        if self.direct and data.keys() == self.fields:
            obj: Any = object.__new__(self.type)
            obj.__dict__.update(data)
            return obj
        return self.type(**data)  # a field missing (its default) or unknown (refused)


class ActorAsDict(DataclassAsDict):
    def __init__(self) -> None:
        super().__init__(Actor, "actor")

    def encode(self, obj: Actor) -> dict[str, Any]:
        return {
            "principal_id": obj.principal_id,
            "role": obj.role,
            "request_id": obj.request_id,
            "scope": obj.scope,
        }


def uuid_of_hex(data: str) -> UUID:
    """UUIDAsHex.decode for its own 32 hex digits, without UUID's parsing of other spellings."""
    if type(data) is str and len(data) == 32:
        try:
            return UUID(int=int(data, 16))
        except ValueError:
            pass  # not hex: UUID's own error
    return UUID_AS_HEX.decode(data)  # anything else: the library's answer, or its error


def datetime_of_iso(data: str) -> datetime:
    """DatetimeAsISO.decode without its check, for text."""
    if type(data) is str:
        return datetime.fromisoformat(data)
    return DATETIME_AS_ISO.decode(data)  # the library's error


UUID_AS_HEX, DATETIME_AS_ISO = UUIDAsHex(), DatetimeAsISO()


class NotForOrjsonError(Exception):
    """A stored state orjson may not read as the library does: it holds a float (orjson reads
    an integer beyond 64 bits as one; the domain stores none)."""


class ParkTranscoder(JSONTranscoder):
    """The library's JSON transcoder, with less work for each value an event holds: times,
    ids and actors, a few in every event, decoded on every replay and rebuild. Stored events
    are parsed by orjson and their typed values decoded afterwards, innermost first, as the
    library's decoder hook does while it parses; what orjson does not read as the library does
    (floats and integers beyond 64 bits, NaN and infinities, text that is not UTF-8) is decoded
    by the library."""

    def __init__(self) -> None:
        super().__init__()
        self.decoders: dict[str, Callable[[Any], Any]] = {}

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        decode: Callable[[Any], Any] = transcoding.decode
        if type(transcoding) is DatetimeAsISO:
            decode = datetime_of_iso
        elif type(transcoding) is UUIDAsHex:
            decode = uuid_of_hex
        self.decoders[transcoding.name] = decode

    def decode(self, data: bytes) -> Any:
        try:
            return self._value(orjson.loads(data))
        except (orjson.JSONDecodeError, NotForOrjsonError):
            return super().decode(data)

    def _value(self, value: Any) -> Any:
        """A parsed value with every dict in it given to the decoder hook, innermost first."""
        kind = type(value)
        if kind is dict:
            if len(value) == 2 and "_data_" in value:
                # A typed value whose data is plain (a time, an id, an actor: a few in every
                # event), decoded without walking it.
                name = value.get("_type_")
                decode = self.decoders.get(name) if type(name) is str else None
                if decode is not None and plain(value["_data_"]):
                    return decode(value["_data_"])
            for key, item in value.items():
                inner = type(item)
                if inner is dict or inner is list:
                    value[key] = self._value(item)
                elif inner is float:
                    raise NotForOrjsonError
            return self._decode_obj(value)
        if kind is list:
            for index, item in enumerate(value):
                inner = type(item)
                if inner is dict or inner is list:
                    value[index] = self._value(item)
                elif inner is float:
                    raise NotForOrjsonError
        elif kind is float:
            raise NotForOrjsonError
        return value

    def _decode_obj(self, d: dict[str, Any]) -> Any:
        if len(d) == 2 and "_data_" in d:
            try:
                decode = self.decoders[d["_type_"]]
            except (KeyError, TypeError):  # not a typed value, or a name never registered
                return super()._decode_obj(d)  # as the library does
            return decode(d["_data_"])
        return d


def plain(data: Any) -> bool:
    """Whether a typed value's data is as parsed what the library's decoder would hand its
    transcoding: text, a whole number, true, false or null, or a dict of those other than of
    two keys (which could be a typed value itself)."""
    kind = type(data)
    if kind is dict:
        if len(data) == 2:
            return False
        for item in data.values():
            inner = type(item)
            if inner is dict or inner is list or inner is float:
                return False
        return True
    return kind is not list and kind is not float


def register(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    transcoder.register(ActorAsDict())
    for cls, name in (
        (Deadline, "deadline"),
        (Assignment, "assignment"),
        (ExtensionRequest, "extension_request"),
        (Rating, "rating"),
        (Directive, "directive"),
        (SalesEntry, "sales_entry"),
        (VisitProblem, "visit_problem"),
        (Entitlement, "entitlement"),
    ):
        transcoder.register(DataclassAsDict(cls, name))
