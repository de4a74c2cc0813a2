"""The park: every use case of baobao in one eventsourcing Application."""

from __future__ import annotations

from domain.matter_cases import MatterCases
from domain.registry_cases import RegistryCases
from domain.watch_cases import WatchCases


class Park(RegistryCases, MatterCases, WatchCases):
    """One Application for the park's event log."""
