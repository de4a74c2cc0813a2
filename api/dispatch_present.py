"""Turn leading-group and dispatch documents into API responses; compliance from the views."""

from __future__ import annotations

from typing import Any

from api.dispatch_models import DispatchPublic, GroupMemberPublic, MemberCompliancePublic
from api.services import Services
from domain.cadence import MemberCompliance


def names_of(svc: Services, person_ids: list[str]) -> dict[str, str]:
    """Registered names of guarantors, by id (as the views know them)."""
    return {i: d["name"] for i, d in svc.queries.docs("v_guarantors", person_ids).items()}


def member_public(doc: dict[str, Any], names: dict[str, str]) -> GroupMemberPublic:
    return GroupMemberPublic.model_validate({**doc, "name": names.get(doc["person_id"])})


def dispatch_public(doc: dict[str, Any], names: dict[str, str]) -> DispatchPublic:
    return DispatchPublic.model_validate({**doc, "convener_name": names.get(doc["convener_id"])})


def compliance_public(result: MemberCompliance, names: dict[str, str]) -> MemberCompliancePublic:
    t = result.tenure
    return MemberCompliancePublic.model_validate(
        {
            "member_id": t.member_id,
            "person_id": t.person_id,
            "name": names.get(str(t.person_id)),
            "role": t.role,
            "effective_from": t.effective_from,
            "effective_to": t.effective_to,
            "slots": [
                {
                    "start": s.slot.start,
                    "end": s.slot.end,
                    "required": s.required,
                    "status": s.status,
                    "dispatch_ids": list(s.dispatch_ids),
                }
                for s in result.slots
            ],
            "held": result.held,
            "missed": result.missed,
        }
    )
