"""How the domain's value types are stored in events (JSON)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

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


class ActorAsDict(Transcoding):
    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, Any]:
        return {
            "principal_id": obj.principal_id,
            "role": obj.role,
            "request_id": obj.request_id,
            "scope": obj.scope,
        }

    def decode(self, data: dict[str, Any]) -> Actor:
        return Actor(**data)


class DataclassAsDict(Transcoding):
    """A frozen dataclass of transcodable fields, stored as a dict of its fields."""

    def __init__(self, cls: type[Any], name: str) -> None:
        self.type = cls
        self.name = name

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


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
