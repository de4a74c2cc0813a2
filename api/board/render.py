"""Pages from the templates: Chinese formatting, and the headers every board page carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.board import charts
from api.board.formats import grade_class, moment, percent, wan
from api.board.matter import EVENT_NAMES, STATE_NAMES, STATUS_NAMES
from api.board.notices import KIND_NAMES, REASON_NAMES
from projections.notices import STEP_NAMES

# No scripts at all; styles are inline; forms post only to the board itself.
POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}

# The score chart is its own document, shown in the board's page and nowhere else.
SVG_HEADERS = {
    **HEADERS,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
}


ENVIRONMENT = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.filters.update(moment=moment, percent=percent, wan=wan, grade_class=grade_class)
ENVIRONMENT.globals.update(
    color=charts.color,
    event_names=EVENT_NAMES,
    state_names=STATE_NAMES,
    status_names=STATUS_NAMES,
    kind_names=KIND_NAMES,
    reason_names=REASON_NAMES,
    slot_names=charts.STATUS_NAMES,
    slot_colors=charts.SLOT_COLORS,
    step_names=STEP_NAMES,
    component_names={
        "sales": "销售",
        "timeliness": "时效",
        "satisfaction": "满意度",
        "service": "服务",
    },
    growth_bars=charts.growth_bars,
    slot_strip=charts.slot_strip,
    month_ruler=charts.month_ruler,
)


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A rendered board page with the board's security headers."""
    html = ENVIRONMENT.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def message(status: int, title: str, detail: str, **context: Any) -> HTMLResponse:
    """A page that only says what went wrong (403, 404, 409) with a way back."""
    context.setdefault("session", None)
    return page("message.html", status, title=title, detail=detail, **context)
