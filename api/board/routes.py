"""The supervision board (督查看板): server-rendered pages over the API's own read functions."""

from __future__ import annotations

import re
import time
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.board.charts import score_lines
from api.board.choice import choose, services_at
from api.board.deadlines import deadline_section
from api.board.dispatch import dispatch_section
from api.board.matter import matter_page
from api.board.notices import notice_section, publish
from api.board.ranking import TOP, enterprise_ids, explained, ranking_section, score_series
from api.board.render import SVG_HEADERS, message, page
from api.board.sales import sales_section
from api.board.session import (
    MAX_TOKEN_LENGTH,
    BoardSession,
    form_fields,
    session_of,
    sign_in,
    sign_out,
)
from api.deps import STAFF, ServicesDep
from api.errors import ApiError
from api.services import Services
from domain.errors import DomainError
from domain.notice import AlreadyPublishedError

router = APIRouter(tags=["board"])

# Each section shows what the JSON API would show the same role, and nothing more.
SECTION_ROLES: dict[str, frozenset[str]] = {
    "ranking": frozenset({"hr", "supervisor", "auditor"}),  # GET /v1/assessments
    "deadlines": frozenset({"supervisor", "leader"}),  # GET /v1/notices/supervision
    "dispatch": frozenset({"leader", "supervisor", "hr"}),  # GET /v1/dispatch-compliance
    "sales": frozenset({*STAFF, "hr"}),  # GET /v1/sales/growth
    "notices": frozenset({"supervisor", "hr", "auditor"}),  # GET /v1/notices
}


def allowed(session: BoardSession) -> dict[str, bool]:
    return {name: session.caller.role in roles for name, roles in SECTION_ROLES.items()}


Form = Annotated[dict[str, str], Depends(form_fields)]
Text = str | None


def gate(request: Request, svc: Services, anonymous: int = 200) -> BoardSession | HTMLResponse:
    """The signed-in staff member, or the page to show instead (sign in, or not allowed)."""
    session, sent = session_of(request, svc)
    if session is None:
        error = "登录已失效（令牌已吊销或不正确），请重新登录。" if sent else None
        response = page("login.html", 401 if sent else anonymous, session=None, error=error)
        if sent:
            sign_out(response)
        return response
    if not session.may_read:
        return forbidden(session)
    return session


def forbidden(session: BoardSession) -> HTMLResponse:
    return message(
        403,
        "无权查看",
        f"“{session.role_name}”角色不能使用督查看板；看板供管理员、窗口受理员、分管领导和督查室使用。",
        session=session,
    )


@router.get(
    "/board",
    response_class=HTMLResponse,
    summary="The supervision board (督查看板), HTML",
    responses={200: {"content": {"text/html": {}}, "description": "The board, or its sign-in"}},
    openapi_extra={"security": []},
)
def board(
    request: Request,
    svc: ServicesDep,
    as_of: Text = None,
    period: Text = None,
    guarantor: Text = None,
    published: Text = None,
) -> HTMLResponse:
    """The supervision board for people: rankings, overdue steps, dispatch, sales and notices as
    of now or a chosen time. Signed in through a form (POST /board/login) and then a cookie;
    staff roles only. Every figure comes from the same functions as the JSON API."""
    started = time.perf_counter()
    gated = gate(request, svc)
    if isinstance(gated, HTMLResponse):
        return gated
    position = svc.settle()
    choice = choose(svc.clock(), as_of, period)
    at, caller = services_at(svc, choice.moment), gated.caller
    may = allowed(gated)
    notices = notice_section(svc, caller, choice.period) if may["notices"] else None
    done = [n for n in notices.published if str(n.id) == published] if notices else []
    response = page(
        "board.html",
        session=gated,
        choice=choice,
        top=TOP,
        may=may,
        ranking=ranking_section(at, choice.period, guarantor) if may["ranking"] else None,
        deadlines=deadline_section(at, caller, choice.moment) if may["deadlines"] else None,
        dispatch=dispatch_section(at, caller, choice.period.year) if may["dispatch"] else None,
        sales=sales_section(at, caller, choice.period) if may["sales"] else None,
        notices=notices,
        published_notice=done[0] if done else None,
        position=position,
        elapsed_ms=lambda: round((time.perf_counter() - started) * 1000),
    )
    elapsed = (time.perf_counter() - started) * 1000
    response.headers["Server-Timing"] = f"board;dur={elapsed:.1f}"
    return response


@router.get("/board/charts/scores.svg", include_in_schema=False)
def score_chart(
    request: Request,
    svc: ServicesDep,
    as_of: Text = None,
    period: Text = None,
    guarantor: Text = None,
) -> Response:
    """The chart of monthly scores, drawn apart from the page: it needs every month's scores,
    so the page shows at once and the chart follows."""
    started = time.perf_counter()
    gated = gate(request, svc, anonymous=401)
    if isinstance(gated, HTMLResponse):
        return gated
    if not allowed(gated)["ranking"]:
        return Response(status_code=403)
    svc.settle()
    choice = choose(svc.clock(), as_of, period)
    at = services_at(svc, choice.moment)
    charted = ranking_section(at, choice.period, guarantor).charted
    drawn = score_lines(score_series(at, choice.period, charted), choice.period.year, True)
    elapsed = (time.perf_counter() - started) * 1000
    headers = {**SVG_HEADERS, "Server-Timing": f"chart;dur={elapsed:.1f}"}
    return Response(str(drawn), media_type="image/svg+xml", headers=headers)


@router.post("/board/login", include_in_schema=False)
def login(request: Request, svc: ServicesDep, form: Form) -> Response:
    """Check the token as the API does; keep it in an HttpOnly, SameSite=Strict cookie."""
    token = form.get("token", "").strip()
    caller = svc.caller_for(token) if 0 < len(token) <= MAX_TOKEN_LENGTH else None
    if caller is None:
        error = "令牌无效或已被吊销，请核对后重新输入。"
        return page("login.html", 401, session=None, error=error)
    session = BoardSession(caller, token)
    if not session.may_read:
        return forbidden(session)
    response = RedirectResponse("/board", status_code=303)
    sign_in(request, response, token)
    return response


@router.post("/board/logout", include_in_schema=False)
def logout() -> Response:
    response = RedirectResponse("/board", status_code=303)
    sign_out(response)
    return response


@router.post("/board/notices/{notice_id}/publish", include_in_schema=False)
def publish_from_board(notice_id: str, request: Request, svc: ServicesDep, form: Form) -> Response:
    """Publish a notice as POST /v1/notices/{id}/publish does: the supervision office only."""
    gated = gate(request, svc, anonymous=401)
    if isinstance(gated, HTMLResponse):
        return gated
    if not gated.may_publish:
        return message(403, "无权发布", "只有督查室可以发布通报。", session=gated)
    if not gated.csrf_matches(form.get("csrf")):
        detail = "表单校验未通过（缺少或不符的 CSRF 令牌），请回到看板刷新后重试。"
        return message(403, "请求校验失败", detail, session=gated)
    try:
        notice = publish(svc, gated.caller, UUID(notice_id))
    except ValueError:
        return message(404, "没有这份通报", f"通报编号 {notice_id[:40]} 无效。", session=gated)
    except AlreadyPublishedError:
        return message(409, "通报已发布", "这份通报已经发布过，不能重复发布。", session=gated)
    except (ApiError, DomainError) as error:
        return message(error.status, "无法发布", str(error.detail), session=gated)
    back = choose(svc.clock(), form.get("as_of"), form.get("period"))
    query = back.query(published=str(notice.id))
    return RedirectResponse(f"/board?{query}#notices", status_code=303)


@router.get("/board/matters/{matter_id}", response_class=HTMLResponse, include_in_schema=False)
def matter_detail(
    matter_id: str, request: Request, svc: ServicesDep, as_of: Text = None, period: Text = None
) -> HTMLResponse:
    """A matter and its timeline (GET /v1/matters/{id} and its timeline)."""
    gated = gate(request, svc)
    if isinstance(gated, HTMLResponse):
        return gated
    choice = choose(svc.clock(), as_of, period)
    moment = None if choice.live else choice.moment
    try:
        found = matter_page(svc, gated.caller, UUID(matter_id), moment)
    except (ValueError, ApiError, DomainError):
        return message(
            404, "没有这项诉求", f"找不到编号为 {matter_id[:40]} 的诉求。", session=gated
        )
    return page("matter.html", session=gated, choice=choice, page=found, as_of=moment)


@router.get(
    "/board/assessments/{period}/{guarantor_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def assessment_detail(
    period: str, guarantor_id: str, request: Request, svc: ServicesDep, as_of: Text = None
) -> HTMLResponse:
    """One score and its explanation (GET /v1/assessments/{period}/guarantors/{id})."""
    gated = gate(request, svc)
    if isinstance(gated, HTMLResponse):
        return gated
    if not allowed(gated)["ranking"]:
        detail = "考核得分与说明仅供督查室、考核办和审计查阅。"
        return message(403, "无权查看", detail, session=gated)
    month = period if re.fullmatch(r"\d{4}-\d{2}", period) else None
    choice = choose(svc.clock(), as_of, month)
    try:
        score = explained(services_at(svc, choice.moment), gated.caller, period, guarantor_id)
    except ValueError:
        return message(404, "没有这项考核", f"包保人编号 {guarantor_id[:40]} 无效。", session=gated)
    except (ApiError, DomainError) as error:
        return message(404, "没有这项考核", f"{period[:10]}：{error.detail}", session=gated)
    ids = enterprise_ids(score.explanation)
    names = {i: str(d["name"]) for i, d in svc.queries.docs("v_enterprises", ids).items()}
    return page(
        "assessment.html",
        session=gated,
        choice=choice,
        score=score,
        enterprise_names=names,
    )
