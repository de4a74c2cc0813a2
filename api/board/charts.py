"""SVG charts drawn on the server: scores over the months, growth against the target, slots."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from markupsafe import Markup, escape

from api.board.ranking import Series
from api.dispatch_models import SlotPublic

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
GRADE_LINES = ((90, "优秀"), (75, "良好"), (60, "合格"))
SLOT_COLORS = {"held": "#2e7d32", "missed": "#c62828", "open": "#b0bec5", "not_required": "#eceff1"}
STATUS_NAMES = {"held": "已召开", "missed": "未召开", "open": "未到期", "not_required": "不计"}


def color(index: int) -> str:
    return COLORS[index % len(COLORS)]


FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
# A chart served as a document of its own (not inline in a page) carries its own styles.
OWN_STYLE = (
    f"<style>text {{ font-family: {FONTS}; font-size: 12px; fill: #212121; }} "
    ".tick { fill: #616161; font-size: 11px; }</style>"
)


def svg(width: int, height: int, label: str, body: list[str], standalone: bool = False) -> Markup:
    # Inline, it is as wide as its column; on its own, it fills the frame that shows it.
    size = 'width="100%" height="100%"' if standalone else 'width="100%"'
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" {size} '
        f'role="img" aria-label="{escape(label)}" class="chart">'
        f"<title>{escape(label)}</title>{OWN_STYLE if standalone else ''}"
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text in it is escaped


def score_lines(series: Sequence[Series], year: int, standalone: bool = False) -> Markup:
    """Each guarantor's monthly score (0–100) over the year, with the grade thresholds."""
    width, height, left, right, top, bottom = 760, 300, 44, 56, 16, 32
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(month: int) -> float:
        return left + plot_w * (month - 1) / 11

    def y(score: float) -> float:
        return top + plot_h * (1 - score / 100)

    body = []
    for tick in range(0, 101, 20):
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#e0e0e0"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end" class="tick">{tick}</text>'
        )
    for threshold, name in GRADE_LINES:
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(threshold):.1f}" '
            f'y2="{y(threshold):.1f}" stroke="#9e9e9e" stroke-dasharray="4 3"/>'
            f'<text x="{width - right + 4}" y="{y(threshold) + 4:.1f}" class="tick">'
            f"{name} {threshold}</text>"
        )
    for month in range(1, 13):
        body.append(
            f'<text x="{x(month):.1f}" y="{height - 10}" text-anchor="middle" class="tick">'
            f"{month}月</text>"
        )
    for index, line in enumerate(series):
        stroke = color(index)
        points = [(m, float(s)) for m, s in enumerate(line.scores, start=1) if s is not None]
        for run in runs(line.scores):
            path = " ".join(f"{x(m):.1f},{y(float(s)):.1f}" for m, s in run)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{stroke}" stroke-width="2"/>'
            )
        for month, score in points:
            body.append(
                f'<circle cx="{x(month):.1f}" cy="{y(score):.1f}" r="3.5" fill="{stroke}">'
                f"<title>{escape(line.name)} {year}年{month}月：{score:.2f}分</title></circle>"
            )
    return svg(width, height, f"{year}年各月考核得分", body, standalone)


def runs(scores: Sequence[Decimal | None]) -> list[list[tuple[int, Decimal]]]:
    """Consecutive months with a score, so that a line breaks where a month has none."""
    found: list[list[tuple[int, Decimal]]] = [[]]
    for month, score in enumerate(scores, start=1):
        if score is None:
            found.append([])
        else:
            found[-1].append((month, score))
    return [run for run in found if run]


def growth_bars(rows: Sequence[tuple[str, Decimal | None, bool | None]], target: Decimal) -> Markup:
    """Year-to-date growth per row as a bar, against a line at the target."""
    row_h, left, right, top = 30, 150, 80, 26
    width, height = 760, top + row_h * len(rows) + 28
    known = [g for _, g, _ in rows if g is not None]
    step = Decimal("0.05")
    low = ((min([Decimal(0), *known]) - step / 2) / step).to_integral_value(ROUND_FLOOR) * step
    high = ((max([target * 2, *known]) + step / 2) / step).to_integral_value(ROUND_CEILING) * step

    bottom = top + row_h * len(rows) + 2

    def x(value: Decimal) -> float:
        return left + float((value - low) / (high - low)) * (width - left - right)

    body = []
    tick = low
    while tick <= high:
        body.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top - 4}" y2="{bottom}" '
            f'stroke="{"#616161" if tick == 0 else "#eeeeee"}"/>'
            f'<text x="{x(tick):.1f}" y="{top - 8}" text-anchor="middle" class="tick">'
            f"{percent(tick, 0)}</text>"
        )
        tick += step
    for index, (label, growth, meets) in enumerate(rows):
        middle = top + row_h * index + row_h / 2
        body.append(
            f'<text x="{left - 8}" y="{middle + 4:.1f}" text-anchor="end">{escape(label)}</text>'
        )
        if growth is None:
            body.append(
                f'<text x="{x(Decimal(0)) + 6:.1f}" y="{middle + 4:.1f}" class="tick">'
                "无可评估数据</text>"
            )
            continue
        start, end = sorted((x(Decimal(0)), x(growth)))
        fill = "#2e7d32" if meets else "#ef6c00"
        body.append(
            f'<rect x="{start:.1f}" y="{middle - 9:.1f}" width="{max(end - start, 1):.1f}" '
            f'height="18" fill="{fill}"><title>{escape(label)}：{percent(growth)}</title></rect>'
            f'<text x="{max(x(growth), x(Decimal(0))) + 6:.1f}" y="{middle + 4:.1f}">'
            f"{percent(growth)}</text>"
        )
    body.append(
        f'<line x1="{x(target):.1f}" x2="{x(target):.1f}" y1="{top - 4}" y2="{bottom}" '
        f'stroke="#c62828" stroke-width="2" stroke-dasharray="6 3"/>'
        f'<text x="{x(target):.1f}" y="{height - 8}" fill="#c62828" text-anchor="middle" '
        f'class="tick">'
        f"目标 {percent(target, 0)}</text>"
    )
    return svg(width, height, f"本年累计销售增速与目标（{percent(target, 0)}）", body)


def percent(value: Decimal, places: int = 2) -> str:
    """0.0525 → +5.25%."""
    shown = (value * 100).quantize(Decimal(1).scaleb(-places))
    return f"{'+' if shown > 0 else ''}{shown}%"


def slot_strip(slots: Sequence[SlotPublic], year: int) -> Markup:
    """A member's slots as cells on a strip of the year's days: held, missed, open, not counted."""
    first = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - first).days
    width, height = days * 2, 18
    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fafafa"/>']
    for slot in slots:
        start = (slot.start - first).days * 2
        end = ((slot.end - first).days + 1) * 2
        body.append(
            f'<rect x="{start + 1}" y="2" width="{end - start - 2}" height="{height - 4}" '
            f'fill="{SLOT_COLORS.get(slot.status, "#eceff1")}" class="slot-{slot.status}">'
            f"<title>{slot.start.month}月{slot.start.day}日至{slot.end.month}月{slot.end.day}日："
            f"{STATUS_NAMES.get(slot.status, slot.status)}</title></rect>"
        )
    return svg(width, height, f"{year}年调度日历", body)


def month_ruler(year: int) -> Markup:
    """The month labels above the slot strips."""
    first = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - first).days
    body = []
    for month in range(1, 13):
        start = (date(year, month, 1) - first).days * 2
        body.append(
            f'<line x1="{start}" x2="{start}" y1="0" y2="18" stroke="#bdbdbd"/>'
            f'<text x="{start + 4}" y="13" class="tick">{month}月</text>'
        )
    return svg(days * 2, 18, f"{year}年月份", body)
