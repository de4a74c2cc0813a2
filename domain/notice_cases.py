"""Publishing notices: the supervision office's act, recorded once per notice."""

from __future__ import annotations

from domain.application import ParkCore
from domain.base import Act
from domain.errors import VersionConflictError
from domain.notice import AlreadyPublishedError, Draft, Notice


class NoticeCases(ParkCore):
    """Commendations and criticisms are published by the supervision office (SPEC N3)."""

    def publish_notice(self, act: Act, draft: Draft) -> Notice:
        if self.exists(draft.id):
            raise AlreadyPublishedError(f"notice {draft.id} is already published")
        notice = Notice.publish(act, draft)
        try:
            self.commit(notice)
        except VersionConflictError:
            raise AlreadyPublishedError(f"notice {draft.id} is already published") from None
        return notice
