"""Purchase and the fiscal-year budget in the web pages: the case page's valuation, agreement,
approval, budget commitment and payment; the dashboard's budget for the current fiscal year; the
budget page with per-year figures and charts.

Every action calls `purchase.services`, which decides who may do what (negotiators value,
program managers who neither examined nor negotiated approve, the budget is never
over-committed); the page only chooses which forms to offer. Charts are SVG drawn by the
templates from the figures computed here: no script, no inline style.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Form, Query, Request, Response
from markupsafe import Markup

from shokei.api_support import ShokeiDep
from shokei.cases.domain import CaseState
from shokei.errors import BadInput, Forbidden, NotFound
from shokei.kernel import Actor, Role
from shokei.kernel.bounds import JSON_INT_MAX, YEAR_MAX, YEAR_MIN, Id, Int64, Year, ascii_int
from shokei.purchase import services
from shokei.purchase.schemas import BudgetSummary, BudgetView
from shokei.web import formatting
from shokei.web.i18n import N_, label
from shokei.web.i18n import gettext as _
from shokei.web.registry import CASE, DASHBOARD, Box, BoxContext, FeaturePages, NavItem
from shokei.web.routing import TemplatesDep, WebActor, flash, page_router, redirect
from shokei.web.templating import render_box

router = page_router()
YEARS_SHOWN = 5  # the budget page charts this many fiscal years up to the current one
CHART_WIDTH = 600  # SVG user units; the chart scales with the page

LINE_STATUS_LABELS: dict[str, str] = {
    "committed": N_("Committed"),
    "paid": N_("Paid"),
    "released": N_("Released"),
}
AGREEMENT_STATUS_LABELS: dict[str, str] = {
    "proposed": N_("Proposed, awaiting approval"),
    "approved": N_("Approved"),
    "superseded": N_("Superseded by a later proposal"),
    "withdrawn": N_("Withdrawn"),
    "cancelled": N_("Cancelled"),
}
OBLIGATION_LABELS: dict[str, str] = {
    "no_retained_copies": N_("No copies retained by the supplier"),
    "certified_destruction_of_supplier_copies": N_("Certified destruction of the supplier's copies"),
    "no_transfer_abroad": N_("No transfer abroad"),
}
_PURCHASE_STATES = frozenset(
    {
        CaseState.PROTECTION_REQUIRED,
        CaseState.NEGOTIATING,
        CaseState.PURCHASE_AGREED,
        CaseState.NEGOTIATION_FAILED,
        CaseState.ESCALATED,
        CaseState.MEASURE_TAKEN,
        CaseState.SUCCESSOR_SELECTION,
        CaseState.HANDED_OVER,
        CaseState.CLOSED,
    }
)
_VALUATION_STATES = frozenset({CaseState.PROTECTION_REQUIRED, CaseState.NEGOTIATING})


def line_status_label(status: str) -> str:
    return label(LINE_STATUS_LABELS, status)


def agreement_status_label(status: str) -> str:
    return label(AGREEMENT_STATUS_LABELS, status)


def obligation_label(obligation: str) -> str:
    return label(OBLIGATION_LABELS, obligation)


def budget_audience(actor: Actor) -> bool:
    """Who is shown the budget (menu and dashboard); the services decide who may read it."""
    return actor.role in (Role.PROGRAM_MANAGER, Role.NEGOTIATOR, Role.AUDITOR)


def _may_read(actor: Actor) -> bool:
    return actor.is_official or actor.role is Role.AUDITOR


def parse_yen(text: str, *, required: bool = True) -> int | None:
    """Amounts as people type them: 48,500,000 / ４８５０００００ / ¥48,500,000 / 48500000円."""
    cleaned = unicodedata.normalize("NFKC", text)
    for noise in (",", "¥", "円", " "):
        cleaned = cleaned.replace(noise, "")
    if not cleaned and not required:
        return None
    amount = ascii_int(cleaned)
    if amount is None or amount > JSON_INT_MAX:
        raise BadInput(_("Enter the amount in yen, in digits (for example 48500000)."))
    return amount


def _parse_year(text: str) -> int | None:
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        return None
    year = ascii_int(cleaned)
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        raise BadInput(_("Enter the year in digits (for example 2019)."))
    return year


# -- charts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    kind: str  # paid / committed / available: the CSS class and legend entry
    label: str
    amount: int
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class Bar:
    fiscal_year: Year
    budget: BudgetSummary
    appropriation_set: bool
    segments: tuple[Segment, ...]
    width: float  # the appropriation's length at the chart's scale


def bar(view: BudgetView, scale: int, width: float = CHART_WIDTH) -> Bar:
    """A fiscal year as one stacked bar: paid, then committed, then available, each as long as
    its share of `scale` (the largest appropriation on the chart)."""
    parts = (
        ("paid", _("Paid"), view.paid),
        ("committed", _("Committed"), view.committed),
        ("available", _("Available"), max(view.available, 0)),
    )
    segments, x = [], 0.0
    for kind, caption, amount in parts:
        length = round(width * amount / scale, 2) if scale else 0.0
        segments.append(Segment(kind, caption, amount, round(x, 2), length))
        x += length
    summary = BudgetSummary(**view.model_dump(include=set(BudgetSummary.model_fields)))
    total = round(width * view.appropriation / scale, 2) if scale else 0.0
    return Bar(view.fiscal_year, summary, view.appropriation_set, tuple(segments), total)


def chart(views: list[BudgetView]) -> list[Bar]:
    scale = max([v.appropriation for v in views] + [v.committed + v.paid for v in views] + [0])
    return [bar(view, scale) for view in views]


# -- the budget page -------------------------------------------------------------------------


def _years(current: int, selected: int) -> list[int]:
    return sorted({selected, *range(current - YEARS_SHOWN + 1, current + 1)})


@router.get("/budget")
def budget_page(
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    templates: TemplatesDep,
    fy: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    """Per-fiscal-year appropriation, committed, paid and available, with charts, and the
    selected year's commitments (officials and auditors: the services decide)."""
    current = formatting.fiscal_year(shokei.uow.clock.today())
    selected = fy if fy is not None else current
    views = [services.get_budget(shokei.uow, actor, fiscal_year=year) for year in _years(current, selected)]
    chosen = next(view for view in views if view.fiscal_year == selected)
    context = {
        "years": chart(views),
        "selected": chosen,
        "selected_bar": chart([chosen])[0],
        "current": current,
        "can_set": actor.role is Role.PROGRAM_MANAGER,
        "chart_width": CHART_WIDTH,
    }
    return templates.page(request, "purchase/budget.html", context)


@router.post("/budget")
def set_appropriation(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    fiscal_year: Annotated[int, Form(ge=2000, le=2100)],
    amount: Annotated[str, Form(max_length=40)],
) -> Response:
    """A fiscal year's appropriation (program managers; never below what is spoken for)."""
    amount_yen = parse_yen(amount)
    assert amount_yen is not None
    services.set_appropriation(shokei.uow, actor, fiscal_year=fiscal_year, amount_yen=amount_yen)
    flash(request, "success", _("The appropriation has been set."))
    return redirect(request, f"/budget?fy={fiscal_year}")


# -- the case's purchase ---------------------------------------------------------------------


@router.post("/cases/{case_id}/purchase/valuation")
def record_valuation(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    development_cost: Annotated[str, Form(max_length=40)] = "",
    development_year: Annotated[str, Form(max_length=10)] = "",
    reproduction_cost: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    services.record_valuation(
        shokei.uow,
        actor,
        case_id,
        development_cost_yen=parse_yen(development_cost, required=False),
        development_year=_parse_year(development_year),
        reproduction_cost_yen=parse_yen(reproduction_cost, required=False),
        note=note.strip() or None,
    )
    flash(request, "success", _("The valuation has been recorded."))
    return redirect(request, f"/cases/{case_id}#purchase")


@router.post("/cases/{case_id}/purchase/approval")
def approve_purchase(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    override_reason: Annotated[str, Form(max_length=4000)] = "",
    version: Annotated[Int64 | None, Form()] = None,
) -> Response:
    approval = services.approve_purchase(
        shokei.uow, actor, case_id, override_reason=override_reason.strip() or None, expected_version=version
    )
    flash(
        request,
        "success",
        _("The purchase has been approved: %(amount)s committed to the budget of %(year)s.")
        % {
            "amount": formatting.yen(approval.amount_yen),
            "year": formatting.fiscal_year_label(approval.fiscal_year),
        },
    )
    return redirect(request, f"/cases/{case_id}#purchase")


@router.post("/cases/{case_id}/purchase/payment")
def pay_purchase(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    paid_on: Annotated[date, Form()],
) -> Response:
    services.pay_purchase(shokei.uow, actor, case_id, paid_on=paid_on)
    flash(request, "success", _("The payment has been recorded."))
    return redirect(request, f"/cases/{case_id}#purchase")


@router.post("/cases/{case_id}/purchase/cancellation")
def cancel_purchase(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    services.cancel_purchase(shokei.uow, actor, case_id, reason=reason)
    flash(request, "success", _("The agreement has been cancelled."))
    return redirect(request, f"/cases/{case_id}#purchase")


# -- boxes -----------------------------------------------------------------------------------


def _purchase_box(context: BoxContext) -> Markup | None:
    """Valuation, agreement, approval, budget commitment and payment, once protection is required."""
    actor, case = context.actor, context.subject
    if not _may_read(actor) or CaseState(case.state) not in _PURCHASE_STATES:
        return None
    try:
        purchase = services.get_purchase(context.shokei.uow, actor, case.id)
    except (Forbidden, NotFound):
        return None
    state = CaseState(case.state)
    agreement, line = purchase.agreement, purchase.budget_line
    is_manager = actor.role is Role.PROGRAM_MANAGER
    current = formatting.fiscal_year(context.today)
    budget = None
    proposed = agreement is not None and agreement.status == "proposed"
    can_approve = is_manager and state is CaseState.NEGOTIATING and proposed
    short_of_budget = False
    if can_approve and agreement is not None:
        budget = services.get_budget(context.shokei.uow, actor, fiscal_year=current)
        # The approval commits the amount: with too little left it would be refused, so the
        # form gives way to the figures and what to do.
        short_of_budget = budget.available < agreement.amount_yen
        can_approve = not short_of_budget
    can_cancel = agreement is not None and (
        (agreement.status == "proposed" and (is_manager or actor.role is Role.NEGOTIATOR))
        or (
            agreement.status == "approved"
            and is_manager
            and state is CaseState.PURCHASE_AGREED  # later the case has moved on: no cancelling
            and line is not None
            and line.status == "committed"
        )
    )
    return render_box(
        context.request,
        "purchase/_case_box.html",
        {
            "case": case,
            "purchase": purchase,
            "can_value": actor.role is Role.NEGOTIATOR and state in _VALUATION_STATES,
            "can_approve": can_approve,
            "above_ceiling": bool(
                agreement
                and purchase.valuation.ceiling_yen is not None
                and agreement.amount_yen > purchase.valuation.ceiling_yen
            ),
            "budget": budget,
            "short_of_budget": short_of_budget,
            "can_pay": is_manager and line is not None and line.status == "committed",
            "can_cancel": can_cancel,
            "today": context.today,
        },
    )


def _budget_box(context: BoxContext) -> Markup | None:
    """The current fiscal year: appropriation, committed, paid, available, with a chart."""
    if not budget_audience(context.actor):
        return None
    year = formatting.fiscal_year(context.today)
    try:
        view = services.get_budget(context.shokei.uow, context.actor, fiscal_year=year)
    except Forbidden:
        return None
    return render_box(
        context.request,
        "purchase/_budget_box.html",
        {"budget": view, "bar": chart([view])[0], "chart_width": CHART_WIDTH},
    )


pages = FeaturePages(
    name="purchase",
    router=router,
    templates=Path(__file__).parent / "templates",
    nav=(NavItem(N_("Budget"), "/budget", budget_audience),),
    boxes=(Box(DASHBOARD, "budget", _budget_box), Box(CASE, "purchase", _purchase_box)),
    template_globals={
        "purchase_line_status_label": line_status_label,
        "purchase_agreement_status_label": agreement_status_label,
        "purchase_obligation_label": obligation_label,
    },
)
