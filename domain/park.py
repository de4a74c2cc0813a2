"""The park: every use case of baobao in one eventsourcing Application."""

from __future__ import annotations

from domain.dispatch_cases import DispatchCases
from domain.entitlement_cases import EntitlementCases
from domain.matter_cases import MatterCases
from domain.notice_cases import NoticeCases
from domain.notification_cases import NotificationCases
from domain.registry_cases import RegistryCases
from domain.sales_cases import SalesCases
from domain.visit_cases import VisitCases
from domain.watch_cases import WatchCases


class Park(
    RegistryCases,
    MatterCases,
    WatchCases,
    DispatchCases,
    SalesCases,
    VisitCases,
    NotificationCases,
    NoticeCases,
    EntitlementCases,
):
    """One Application for the park's event log."""
