"""How the domain's value types are stored in events (JSON)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date, datetime
from typing import Any
from uuid import UUID

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
    if len(data) == 32:
        try:
            return UUID(int=int(data, 16))
        except ValueError:
            pass  # not hex: UUID's own error
    return UUID(data)


class ParkTranscoder(JSONTranscoder):
    """The library's JSON transcoder, with less work for each value an event holds: times,
    ids and actors, a few in every event, decoded on every replay and rebuild."""

    def __init__(self) -> None:
        super().__init__()
        self.decoders: dict[str, Callable[[Any], Any]] = {}

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        decode: Callable[[Any], Any] = transcoding.decode
        if type(transcoding) is DatetimeAsISO:
            decode = datetime.fromisoformat
        elif type(transcoding) is UUIDAsHex:
            decode = uuid_of_hex
        self.decoders[transcoding.name] = decode

    def _decode_obj(self, d: dict[str, Any]) -> Any:
        if len(d) == 2:
            try:
                decode, data = self.decoders[d["_type_"]], d["_data_"]
            except KeyError:  # a plain dict, or a name never registered: as the library does
                return super()._decode_obj(d)
            return decode(data)
        return d


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
