"""What the reader chose at the top of the page: the moment (as of) and the month."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from api.services import Services
from domain.calendar import SHANGHAI
from domain.period import Period


@dataclass(frozen=True)
class Choice:
    """The moment the page is read as of, the month it shows, and what could not be used."""

    moment: datetime
    period: Period
    as_of_text: str | None  # as the reader gave it, for the form and the links
    errors: tuple[str, ...] = field(default=())

    @property
    def live(self) -> bool:
        return self.as_of_text is None

    @property
    def local_input(self) -> str:
        """The moment as a datetime-local value."""
        return self.moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")

    def query(self, **extra: str | None) -> str:
        """The query string that keeps these choices on another page of the board."""
        params = {"period": str(self.period), "as_of": self.as_of_text, **extra}
        return urlencode({k: v for k, v in params.items() if v})


def parse_moment(text: str) -> datetime:
    """A datetime-local value (Asia/Shanghai) or an ISO 8601 time with an offset."""
    if len(text) > 40:
        raise ValueError(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)


def choose(now: datetime, as_of: str | None, period: str | None) -> Choice:
    """The reader's choices, each falling back to now and this month with a message if unusable."""
    errors = []
    moment, as_of_text = now, None
    if as_of:
        try:
            chosen = parse_moment(as_of.strip())
        except ValueError:
            errors.append(f"时间“{as_of[:40]}”无法识别，已按当前时间显示。")
        else:
            if chosen > now:
                errors.append("所选时间晚于当前时间，已按当前时间显示。")
            else:
                moment, as_of_text = chosen, as_of.strip()
    month = Period("month", moment.astimezone(SHANGHAI).year, moment.astimezone(SHANGHAI).month)
    if period:
        valid = re.fullmatch(r"\d{4}-\d{2}", period) is not None
        if valid and 1 <= int(period[5:]) <= 12 and 2000 <= int(period[:4]) <= 2100:
            month = Period.parse(period)
        else:
            errors.append(f"月份“{period[:20]}”应为“年-月”（如 2026-03），已显示本月。")
    return Choice(moment, month, as_of_text, tuple(errors))


def services_at(svc: Services, moment: datetime) -> Services:
    """The same services with the clock read as `moment`: the API's own reads, asked as of then.

    Only the clock differs (the Park, the views and the follower are shared), so nothing is
    computed twice and every figure comes from the very function the API answers with.
    """
    shifted = copy.copy(svc)
    shifted.clock = lambda: moment
    return shifted
