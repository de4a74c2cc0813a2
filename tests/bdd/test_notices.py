"""Steps for features/notices.feature: notices drawn up from the month's record, and published.

The history is written as in the scoring feature (its Given steps and fixtures are shared
below); notices are listed as the supervision office's list shows them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pytest_bdd import given, parsers, scenario, scenarios, then, when

from api.routes.notices import list_notices
from api.services import Caller, Services
from domain.matter import Matter
from domain.notice import AlreadyPublishedError, Draft
from domain.period import Period
from projections.outbox import outbox_page
from tests.bdd import test_scoring
from tests.bdd.conftest import Outcome, attempt, shanghai_time
from tests.bdd.test_scoring import History, month_of

# The fixtures and the history-writing steps of the scoring feature, shared: pytest-bdd keeps
# step definitions as module attributes (its scenarios are not taken along).
svc, park, history = test_scoring.svc, test_scoring.park, test_scoring.history
globals().update(
    {k: v for k, v in vars(test_scoring).items() if k.startswith("pytestbdd_stepdef_given")}
)

Notice = dict[str, Any]
SUPERVISOR = Caller("p-supervisor", "督查室", "supervisor", None)


@scenario("notices.feature", "A published notice goes out to those it is addressed to")
def test_a_published_notice_goes_out_to_those_it_is_addressed_to() -> None:
    pass


scenarios("notices.feature")


def listed(svc: Services, month: str) -> list[Notice]:
    """The notices of a month as the supervision office's list shows them (once the views have
    followed the log, as the service's follower keeps them)."""
    svc.settle()
    page = list_notices(
        svc,
        SUPERVISOR,
        period=month,
        kind=None,
        status=None,
        limit=500,
        cursor=None,
        min_position=None,
    )
    assert page.next_cursor is None
    return [item.model_dump(mode="json") for item in page.items]


def drafted(history: History, month: str) -> list[Draft]:
    svc = history.svc
    return svc.drafter.drafts(Period.parse(month), svc.clock(), svc.settle())


def subject_of(history: History, who: str) -> str:
    return str(history.guarantors[who].id)


def one(notices: list[Notice], **wanted: str) -> Notice:
    found = [n for n in notices if all(n[k] == v for k, v in wanted.items())]
    assert len(found) == 1, (wanted, [(n["reason"], n["subject"], n["title"]) for n in notices])
    return found[0]


def step_subject(history: History, step: str, request: str) -> str:
    matter = history.park.load(Matter, history.matters[request].id)
    (index,) = [i for i, d in enumerate(matter.deadlines) if d.step == step]
    return f"{matter.id}:{index}"


def recipients_of(history: History, names: str) -> set[str]:
    """'the Economic Development Bureau, 张伟 and 工业和信息化局' as recipients."""
    found = set()
    for name in names.replace(" and ", ", ").split(", "):
        if name.startswith("the ") and name[4:] in history.units:
            found.add(f"unit:{history.units[name[4:]].id}")
        else:
            found.add(f"guarantor:{history.guarantors[name].id}")
    return found


# -- Given / When --------------------------------------------------------------------------


@given(parsers.parse("the notices for {month} were drawn up on {at}"), target_fixture="notices")
@when(parsers.parse("the notices for {month} are drawn up on {at}"), target_fixture="notices")
def drawn_up(history: History, month: str, at: str) -> list[Notice]:
    history.replay()
    history.clock.set(shanghai_time(at))
    return listed(history.svc, month_of(month))


def publish(history: History, notices: list[Notice], who: str) -> Draft:
    notice = one(notices, kind="commendation", subject=subject_of(history, who))
    (draft,) = [d for d in drafted(history, notice["period"]) if str(d.id) == notice["id"]]
    act = history.act("supervisor")
    history.park.publish_notice(act, draft)
    return draft


@given(parsers.parse("the supervision office published the commendation of {who}"))
def published_before(history: History, notices: list[Notice], who: str) -> None:
    publish(history, notices, who)


@when(
    parsers.parse("the supervision office publishes the commendation of {who}"),
    target_fixture="outcome",
)
def publishes(history: History, notices: list[Notice], who: str) -> Outcome:
    return attempt(lambda: publish(history, notices, who))


# -- Then ----------------------------------------------------------------------------------


@then(
    parsers.re(r'(?P<who>\S+) draws a (?P<kind>commendation|criticism) titled "(?P<title>.+)"'),
    target_fixture="notice",
)
def draws(history: History, notices: list[Notice], who: str, kind: str, title: str) -> Notice:
    reason = "grade_excellent" if kind == "commendation" else "grade_failing"
    notice = one(notices, kind=kind, reason=reason, subject=subject_of(history, who))
    assert notice["title"] == title
    assert notice["period"] == "2026-03"
    assert notice["status"] == "draft"
    return notice


@then(parsers.re(r"(?P<who>\S+) draws no (?P<kind>commendation|criticism)$"))
def draws_none(history: History, notices: list[Notice], who: str, kind: str) -> None:
    assert not [
        n for n in notices if n["kind"] == kind and n["subject"] == subject_of(history, who)
    ]


@then(
    parsers.parse('the {step} step of "{request}" draws a criticism titled "{title}"'),
    target_fixture="notice",
)
def step_draws(
    history: History, notices: list[Notice], step: str, request: str, title: str
) -> Notice:
    subject = step_subject(history, step, request)
    notice = one(notices, kind="criticism", reason="overdue_step", subject=subject)
    assert notice["title"] == title
    return notice


@then(
    parsers.parse('{who} draws a criticism for the dispatch slot from {first} titled "{title}"'),
    target_fixture="notice",
)
def slot_draws(history: History, notices: list[Notice], who: str, first: str, title: str) -> Notice:
    subject = f"{subject_of(history, who)}:{first}"
    notice = one(notices, kind="criticism", reason="missed_dispatch", subject=subject)
    assert notice["title"] == title
    return notice


@then(parsers.parse("{who} draws no criticism for the dispatch slot from {first}"))
def slot_draws_none(history: History, notices: list[Notice], who: str, first: str) -> None:
    subject = f"{subject_of(history, who)}:{first}"
    assert not [n for n in notices if n["subject"] == subject]


@then(parsers.parse('it says "{text}"'))
def it_says(notice: Notice, text: str) -> None:
    assert text in notice["body"], notice["body"]


@then(parsers.parse("it names {names}"))
def it_names(history: History, notice: Notice, names: str) -> None:
    for name in names.replace(" and ", ", ").split(", "):
        shown = history.units[name[4:]].name if name.startswith("the ") else name
        assert shown in notice["body"], (shown, notice["body"])


@then(parsers.parse("it is addressed to {names}"))
def addressed_to(history: History, notice: Notice, names: str) -> None:
    assert set(notice["recipients"]) == recipients_of(history, names)


@then(parsers.parse('it cites the events of "{request}"'))
def cites(history: History, notice: Notice, request: str) -> None:
    matter_id = str(history.matters[request].id)
    assert notice["event_ids"]
    assert all(e.startswith(f"{matter_id}@") for e in notice["event_ids"]), notice["event_ids"]


@then(parsers.parse("the notices for {month} list the commendation of {who} once, as published"))
def listed_as_published(history: History, month: str, who: str) -> None:
    notices = listed(history.svc, month_of(month))
    notice = one(notices, kind="commendation", subject=subject_of(history, who))
    assert notice["status"] == "published"
    assert datetime.fromisoformat(notice["published_at"]) == history.clock()


@then(parsers.parse("the other notices of {month} are still drafts"))
def others_are_drafts(history: History, month: str) -> None:
    notices = listed(history.svc, month_of(month))
    others = [n for n in notices if n["kind"] != "commendation"]
    assert others
    assert {n["status"] for n in others} == {"draft"}


@then("it is refused because the notice is already published")
def refused_as_published(outcome: Outcome) -> None:
    assert isinstance(outcome, AlreadyPublishedError)


@then(parsers.parse("a message about the commendation awaits sending to {who}"))
def message_awaits(history: History, outcome: Outcome, who: str) -> None:
    assert outcome is None
    history.svc.settle()
    entries, _ = outbox_page(history.svc.views, limit=500)
    recipient = f"guarantor:{history.guarantors[who].id}"
    assert [e for e in entries if e.message.recipient == recipient and "表扬" in e.message.text]
