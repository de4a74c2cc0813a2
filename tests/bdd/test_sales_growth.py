"""Steps for features/sales_growth.feature."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from pytest_bdd import given, parsers, scenarios, then, when

from domain.enterprise import Enterprise
from domain.growth import YtdGrowth, ytd_growth
from domain.park import Park
from domain.sales import ReasonRequiredError, SalesLedger, parse_month
from tests.bdd.conftest import Outcome, attempt
from tests.conftest import Acts

scenarios("sales_growth.feature")

Enterprises = dict[str, Enterprise]


def report(park: Park, acts: Acts, enterprise: Enterprise, month: str, yuan: str) -> SalesLedger:
    return park.report_sales(acts.clerk(), enterprise.id, month, Decimal(yuan), "tax", None)


def ledger_of(park: Park, enterprise: Enterprise) -> SalesLedger:
    ledger = park.sales_ledger(enterprise.id)
    assert ledger is not None
    return ledger


def as_read(result: YtdGrowth) -> tuple[str, str]:
    """Growth and target as a person reads them: "+10.00%", "met"."""
    if result.growth is None:
        return f"not assessable: {result.reason}", ""
    return f"{result.growth * 100:+.2f}%", "met" if result.meets_target else "missed"


# -- Given ---------------------------------------------------------------------------------


@given("these key enterprises:", target_fixture="enterprises")
def these_enterprises(
    park: Park, acts: Acts, new_uscc: Callable[[], str], datatable: list[list[str]]
) -> Enterprises:
    header, *rows = datatable
    assert header == ["name"]
    return {
        name: park.list_enterprise(acts.admin(), new_uscc(), name, "制造", "新能源汽车", True)
        for (name,) in rows
    }


@given("these taxable sales in yuan:")
def these_sales(
    park: Park, acts: Acts, enterprises: Enterprises, datatable: list[list[str]]
) -> None:
    header, *rows = datatable
    assert header[0] == "enterprise"
    for name, *amounts in rows:
        for month, yuan in zip(header[1:], amounts, strict=True):
            if yuan.strip():  # a blank cell: the month was never reported
                report(park, acts, enterprises[name], month, yuan)


@given(parsers.parse("{name} reported {amount} yuan of sales for {month}"))
def reported(
    park: Park, acts: Acts, enterprises: Enterprises, name: str, amount: str, month: str
) -> None:
    report(park, acts, enterprises[name], month, amount)


# -- When ----------------------------------------------------------------------------------


@when(
    parsers.parse("the year-to-date growth through {period} is reported"),
    target_fixture="growth_report",
)
def growth_through(park: Park, enterprises: Enterprises, period: str) -> dict[str, YtdGrowth]:
    year, month = parse_month(period)
    policy = park.policy_book().in_force(date(year, month, 1))
    target = Decimal(policy.document.sales_target)
    report: dict[str, YtdGrowth] = {}
    for name, enterprise in enterprises.items():
        ledger = park.sales_ledger(enterprise.id)
        months = ledger.months if ledger is not None else {}
        amounts = {m: history[-1].amount_fen for m, history in months.items()}
        report[name] = ytd_growth(amounts, year, month, target)
    return report


@when(
    parsers.parse("the window corrects {month} of {name} to {amount} yuan without a reason"),
    target_fixture="outcome",
)
def correct_without_reason(
    park: Park, acts: Acts, enterprises: Enterprises, month: str, name: str, amount: str
) -> Outcome:
    return attempt(lambda: report(park, acts, enterprises[name], month, amount))


@when(
    parsers.parse('the window corrects {month} of {name} to {amount} yuan because "{reason}"'),
    target_fixture="outcome",
)
def correct_with_reason(
    park: Park,
    acts: Acts,
    enterprises: Enterprises,
    month: str,
    name: str,
    amount: str,
    reason: str,
) -> Outcome:
    return attempt(
        lambda: park.report_sales(
            acts.clerk(), enterprises[name].id, month, Decimal(amount), "tax", reason
        )
    )


# -- Then ----------------------------------------------------------------------------------


@then("the report reads:")
def the_report_reads(growth_report: dict[str, YtdGrowth], datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert header == ["enterprise", "growth", "target"]
    expected = {name: (growth.strip(), target.strip()) for name, growth, target in rows}
    assert {name: as_read(result) for name, result in growth_report.items()} == expected


@then("it is refused because a correction needs a reason")
def refused_for_reason(outcome: Outcome) -> None:
    assert isinstance(outcome, ReasonRequiredError)


@then(parsers.parse("the sales of {name} for {month} are {amount} yuan"))
def sales_are(park: Park, enterprises: Enterprises, name: str, month: str, amount: str) -> None:
    current = ledger_of(park, enterprises[name]).current(month)
    assert current is not None
    assert current.amount == amount


@then(
    parsers.parse(
        "the history of {name} for {month} shows {first} yuan, "
        'then {second} yuan because "{reason}"'
    )
)
def history_shows(
    park: Park,
    enterprises: Enterprises,
    name: str,
    month: str,
    first: str,
    second: str,
    reason: str,
) -> None:
    history = ledger_of(park, enterprises[name]).months[month]
    assert [(e.amount, e.reason) for e in history] == [(first, None), (second, reason)]
