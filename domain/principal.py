"""Principals: who may call the API, in which role and scope; tokens are kept only as hashes."""

from __future__ import annotations

import hashlib
import secrets
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Act, BaobaoAggregate, create
from domain.errors import InvalidInputError

ROLES = (
    "admin",
    "clerk",
    "unit",
    "leader",
    "guarantor",
    "enterprise",
    "supervisor",
    "hr",
    "auditor",
)
SCOPED_ROLES = ("unit", "guarantor", "enterprise")
TOKEN_PREFIX = "bb_"  # noqa: S105 (a prefix, not a secret)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_id_for(token: str) -> UUID:
    """The principal id is derived from the token's hash, so a token is looked up directly."""
    return uuid5(NAMESPACE_URL, f"baobao:token:{hash_token(token)}")


class Principal(BaobaoAggregate):
    """A named holder of a bearer token, with a role and (for scoped roles) the id it acts for."""

    class Created(BaobaoAggregate.Created):
        name: str
        role: str
        scope: str | None
        token_hash: str

    class Revoked(BaobaoAggregate.Event):
        def apply(self, aggregate: Principal) -> None:
            aggregate.revoked = True

    def __init__(self, name: str, role: str, scope: str | None, token_hash: str) -> None:
        self.name = name
        self.role = role
        self.scope = scope
        self.token_hash = token_hash
        self.revoked = False

    @classmethod
    def issue(cls, act: Act, name: str, role: str, scope: str | None) -> tuple[Principal, str]:
        """A new principal and its token (the token itself is never stored)."""
        if role not in ROLES:
            raise InvalidInputError(f"role must be one of {', '.join(ROLES)}")
        if (role in SCOPED_ROLES) != (scope is not None):
            raise InvalidInputError(
                f"roles {', '.join(SCOPED_ROLES)} need --scope (the id they act for); "
                "others take none"
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        principal = create(
            cls,
            cls.Created,
            act,
            principal_id_for(token),
            name=name,
            role=role,
            scope=scope,
            token_hash=hash_token(token),
        )
        return principal, token

    def revoke(self, act: Act) -> None:
        self.record(self.Revoked, act)
