"""Monthly taxable sales and year-to-date growth against the +5% target (SPEC §8)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Response

from api.deps import (
    STAFF,
    AppDep,
    Cursor,
    IfMatch,
    Limit,
    MinPosition,
    RequestId,
    ServicesDep,
    allow,
    make_act,
    versioned,
)
from api.errors import ApiError, not_found
from api.models import MONTH_PATTERN, BusinessTime, CleanLine, Page
from api.routes.enterprises import visible_enterprise
from api.sales_models import (
    GrowthFigures,
    ReportSalesRequest,
    SalesGrowthReport,
    SalesGrowthRow,
    SalesMonthPublic,
)
from api.services import Caller, Services
from domain.errors import NotFoundError
from domain.growth import YtdGrowth, combined, ytd_growth
from domain.money import fen_to_yuan, parse_yuan
from domain.sales import SalesLedger, parse_month
from projections.queries import decode_cursor, encode_cursor
from projections.sales import SalesQueries, ledger_month_doc

router = APIRouter(tags=["sales"])

SALES_READERS = (*STAFF, "hr", "enterprise", "guarantor")
GROWTH_READERS = (*STAFF, "hr", "guarantor")
Month = Annotated[str, Path(pattern=MONTH_PATTERN, description="yyyy-mm")]
CSV = "text/csv"
CSV_HEADER = (
    "企业ID",
    "企业名称",
    "产业链",
    "本年累计(元)",
    "上年同期(元)",
    "增速",
    "是否达标",
    "不可评估原因",
)


@router.put("/v1/enterprises/{enterprise_id}/sales/{month}", response_model=SalesMonthPublic)
def report_sales(
    enterprise_id: UUID,
    month: Month,
    body: ReportSalesRequest,
    app: AppDep,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow("clerk", "admin"))],
    req: RequestId,
    if_match: IfMatch,
    response: Response,
) -> SalesMonthPublic:
    """Report a month's taxable sales in yuan; reporting it again is a correction (reason needed).

    Repeating the figure and source in force records nothing and returns the month as it is.
    """
    act = make_act(svc, caller, req, body.occurred_at)
    amount = parse_yuan(body.amount)
    ledger = app.report_sales(act, enterprise_id, month, amount, body.source, body.reason, if_match)
    versioned(response, ledger.version, app.log_head())
    return SalesMonthPublic.model_validate(ledger_month_doc(ledger, month))


@router.get("/v1/enterprises/{enterprise_id}/sales", response_model=Page[SalesMonthPublic])
def list_sales(
    enterprise_id: UUID,
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*SALES_READERS))],
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    as_of: Annotated[
        BusinessTime | None, Query(description="Recorded time: what the system showed then")
    ] = None,
    min_position: MinPosition = None,
) -> Page[SalesMonthPublic]:
    """An enterprise's monthly sales in month order, each with its corrections."""
    if caller.role != "hr" and not visible_enterprise(svc, caller, str(enterprise_id)):
        raise not_found(f"no enterprise {enterprise_id}")
    after = month_after(cursor)
    if as_of is not None:
        docs = months_as_of(svc, enterprise_id, as_of, year)
    else:
        svc.settle(min_position)
        if svc.queries.doc("v_enterprises", str(enterprise_id)) is None:
            raise not_found(f"no enterprise {enterprise_id}")
        docs = SalesQueries(svc.views).months_of(str(enterprise_id), year, after, limit + 1)
    docs = [d for d in docs if d["month"] > after]
    page = docs[:limit]
    next_cursor = month_cursor(page[-1]["month"]) if len(docs) > limit else None
    return Page(items=[SalesMonthPublic.model_validate(d) for d in page], next_cursor=next_cursor)


@router.get(
    "/v1/sales/growth",
    response_model=SalesGrowthReport,
    responses={
        200: {
            "content": {
                CSV: {
                    "schema": {"type": "string"},
                    "example": "\ufeff企业ID,企业名称,产业链,本年累计(元),上年同期(元),"
                    "增速,是否达标,不可评估原因\r\n",
                }
            },
            "description": "JSON, or with `Accept: text/csv` a CSV file (UTF-8 with BOM)",
        }
    },
)
def sales_growth(
    svc: ServicesDep,
    caller: Annotated[Caller, Depends(allow(*GROWTH_READERS))],
    period: Annotated[
        str, Query(pattern=MONTH_PATTERN, description="yyyy-mm: year to date through it")
    ],
    chain: Annotated[CleanLine | None, Query(max_length=200, description="Only this chain")] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    min_position: MinPosition = None,
) -> Any:
    """Each listed enterprise's year-to-date growth through `period` against the +5% target.

    Growth is sum(this year, Jan..period) / sum(last year, same months) - 1, rounded half-up to
    4 decimal places; an enterprise with a month missing or a base of 0 is not assessable and
    says why. A guarantor sees its own enterprises. `Accept: text/csv` gives a CSV file.
    """
    year, month = parse_month(period)
    svc.settle(min_position)
    target = Decimal(svc.park.policy_book().in_force(date(year, month, 1)).document.sales_target)
    queries = SalesQueries(svc.views)
    scope = caller.scope if caller.role == "guarantor" else None
    enterprises = queries.listed_enterprises(chain, scope)
    amounts = queries.amounts(f"{year - 1:04d}-01", period)
    rows = []
    results = []
    for enterprise in enterprises:
        result = ytd_growth(amounts.get(enterprise["id"], {}), year, month, target)
        results.append(result)
        rows.append(
            SalesGrowthRow(
                enterprise_id=enterprise["id"],
                name=enterprise["name"],
                chain=enterprise["chain"],
                **figures(result),
            )
        )
    report = SalesGrowthReport(
        period=period,
        target=str(target),
        items=rows,
        total=GrowthFigures(**figures(combined(results, target))),
    )
    if accept is not None and CSV in accept.lower():
        return growth_csv(report)
    return report


def figures(result: YtdGrowth) -> dict[str, Any]:
    return {
        "ytd": None if result.ytd_fen is None else fen_to_yuan(result.ytd_fen),
        "base": None if result.base_fen is None else fen_to_yuan(result.base_fen),
        "growth": None if result.growth is None else f"{result.growth:f}",
        "meets_target": result.meets_target,
        "reason": result.reason,
    }


def growth_csv(report: SalesGrowthReport) -> Response:
    """The report as CSV, UTF-8 with a BOM so that spreadsheet programs read the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in report.items:
        writer.writerow([str(row.enterprise_id), row.name, row.chain, *csv_figures(row)])
    writer.writerow(["", "合计", "", *csv_figures(report.total)])
    filename = f"sales-growth-{report.period}.csv"
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type=f"{CSV}; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def csv_figures(f: GrowthFigures) -> list[str]:
    met = "" if f.meets_target is None else ("是" if f.meets_target else "否")
    return [f.ytd or "", f.base or "", f.growth or "", met, f.reason or ""]


def months_as_of(
    svc: Services, enterprise_id: UUID, as_of: datetime, year: int | None
) -> list[dict[str, Any]]:
    """The months as the ledger stood at a recorded time."""
    try:
        ledger = svc.park.load_as_of(SalesLedger, SalesLedger.id_for(enterprise_id), as_of)
    except NotFoundError:
        return []
    months = sorted(m for m in ledger.months if year is None or m.startswith(f"{year:04d}-"))
    return [ledger_month_doc(ledger, m) for m in months]


def month_cursor(month: str) -> str:
    return encode_cursor(int(month.replace("-", "")))


def month_after(cursor: str | None) -> str:
    """The month a cursor points after ("" for the first page)."""
    value = decode_cursor(cursor)
    if value < 0:
        return ""
    if not 200001 <= value <= 999912:
        raise ApiError(400, "bad_cursor", "Bad cursor", "use next_cursor from a previous page")
    return f"{value // 100:04d}-{value % 100:02d}"
