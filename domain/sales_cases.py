"""Use cases of sales: monthly reports and their corrections (SPEC §8)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from domain.application import ParkCore
from domain.base import Act
from domain.enterprise import Enterprise
from domain.money import to_fen
from domain.sales import SalesLedger


class SalesCases(ParkCore):
    """An enterprise's monthly taxable sales."""

    def report_sales(
        self,
        act: Act,
        enterprise_id: UUID,
        month: str,
        amount: Decimal,
        source: str,
        reason: str | None,
        expected_version: int | None = None,
    ) -> SalesLedger:
        """Report a month's sales in yuan; a month already reported is corrected (with reason)."""
        enterprise = self.load(Enterprise, enterprise_id)
        amount_fen = to_fen(amount)
        ledger_id = SalesLedger.id_for(enterprise.id)
        if self.exists(ledger_id):
            ledger = self.load(SalesLedger, ledger_id, expected_version)
        else:
            ledger = SalesLedger.open(act, enterprise.id)
        if ledger.report(act, month, amount_fen, source, reason):
            self.commit(ledger)
        return ledger

    def sales_ledger(self, enterprise_id: UUID) -> SalesLedger | None:
        """The enterprise's ledger, or None if nothing was ever reported."""
        ledger_id = SalesLedger.id_for(enterprise_id)
        return self.load(SalesLedger, ledger_id) if self.exists(ledger_id) else None
