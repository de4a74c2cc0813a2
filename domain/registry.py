"""Guarantors (people and departments), undertaking units, and the credit-code index."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from domain.base import Act, BaobaoAggregate, create

GUARANTOR_KINDS = ("person", "department")


class Guarantor(BaobaoAggregate):
    """A leader or a department that can be made answerable for enterprises."""

    class Registered(BaobaoAggregate.Created):
        kind: str
        name: str
        title: str | None
        unit: str | None

    def __init__(self, kind: str, name: str, title: str | None, unit: str | None) -> None:
        self.kind = kind
        self.name = name
        self.title = title
        self.unit = unit

    @classmethod
    def register(
        cls, act: Act, kind: str, name: str, title: str | None, unit: str | None
    ) -> Guarantor:
        return create(
            cls, cls.Registered, act, uuid4(), kind=kind, name=name, title=title, unit=unit
        )


class Unit(BaobaoAggregate):
    """An undertaking unit (承办单位) that handles matters."""

    class Registered(BaobaoAggregate.Created):
        name: str

    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def register(cls, act: Act, name: str) -> Unit:
        return create(cls, cls.Registered, act, uuid4(), name=name)


class UsccClaim(BaobaoAggregate):
    """Claims a credit code for one enterprise; a second claim of the same code conflicts."""

    class Claimed(BaobaoAggregate.Created):
        uscc: str
        enterprise_id: UUID

    def __init__(self, uscc: str, enterprise_id: UUID) -> None:
        self.uscc = uscc
        self.enterprise_id = enterprise_id

    @staticmethod
    def id_for(uscc: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"baobao:uscc:{uscc}")

    @classmethod
    def claim(cls, act: Act, uscc: str, enterprise_id: UUID) -> UsccClaim:
        return create(
            cls, cls.Claimed, act, cls.id_for(uscc), uscc=uscc, enterprise_id=enterprise_id
        )
