"""How the board writes times, percentages and money for people in the park."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from api.board.charts import percent as signed_percent
from domain.calendar import SHANGHAI


def moment(value: datetime | str | None) -> str:
    """A time as the park reads it: 2026年3月5日 17:30 (Asia/Shanghai)."""
    if value is None:
        return ""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = when.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def percent(value: str | Decimal | None, places: int = 2) -> str:
    return "—" if value is None else signed_percent(Decimal(value), places)


def wan(value: str | None) -> str:
    """Yuan as 万元 with two decimals and thousands separators."""
    return "—" if value is None else f"{Decimal(value) / 10000:,.2f}"


def grade_class(grade: str | None) -> str:
    return {"优秀": "g-a", "良好": "g-b", "合格": "g-c", "不合格": "g-d"}.get(grade or "", "")
