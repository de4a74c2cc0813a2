"""Section 3: each leading-group member's dispatch slots of the year, held and missed."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.dispatch_models import SlotPublic
from api.routes.dispatch import dispatch_compliance
from api.services import Caller, Services

EVERYONE = 500
ROLE_NAMES = {"group_leader": "组长", "deputy_group_leader": "副组长"}


@dataclass
class MemberYear:
    """One appointment's slots over the year, month after month."""

    member_id: str
    name: str
    role: str
    slots: list[SlotPublic] = field(default_factory=list)
    held: int = 0
    missed: int = 0

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


def dispatch_section(svc: Services, caller: Caller, year: int) -> list[MemberYear]:
    """GET /v1/dispatch-compliance for each month of the year, gathered per member."""
    members: dict[str, MemberYear] = {}
    for month in range(1, 13):
        page = dispatch_compliance(f"{year:04d}-{month:02d}", svc, caller, EVERYONE, None, None)
        for item in page.items:
            member = members.setdefault(
                str(item.member_id),
                MemberYear(str(item.member_id), item.name or str(item.person_id), item.role),
            )
            member.slots.extend(item.slots)
            member.held += item.held
            member.missed += item.missed
    return sorted(members.values(), key=lambda m: (m.role != "group_leader", m.name, m.member_id))
