"""The leak-risk watchlist and the foreign-control alerts in the web pages.

`/risk` ranks every registry company by explainable leak risk (each factor's points and
evidence, the recommendation); `/alerts` lists the ownership-threshold alerts with the chain that
caused each. The dashboard shows the top of the watchlist and the latest alerts, the company
profile the company's risk breakdown and its score in every recorded run.

`/risk` computes the watchlist when it is opened and says so ("as of" the time of computing);
recording a run (offices that record facts) keeps it, and later pages compare with it. The
dashboard box shows the top of the last recorded run, dated by it, without scoring again.
Every figure comes from `risk.services` and `ownership.services`, which decide who may see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from babel.numbers import format_decimal
from fastapi import Query, Request, Response
from markupsafe import Markup

from shokei.api_support import ShokeiDep
from shokei.errors import Forbidden, NotFound, Text
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from shokei.ownership.schemas import AlertView, ChainView
from shokei.risk import services
from shokei.risk.domain import Recommendation
from shokei.risk.schemas import SupplierBaseView, WatchlistEntry
from shokei.web.formatting import number, percent
from shokei.web.i18n import N_, current_language, label
from shokei.web.i18n import gettext as _
from shokei.web.registry import COMPANY, DASHBOARD, Box, BoxContext, FeaturePages, NavItem
from shokei.web.routing import TemplatesDep, WebActor, flash, page_router, redirect
from shokei.web.templating import render_box

router = page_router()
TOP_CHOICES = (10, 20, 50, 100, 500)
DEFAULT_TOP = 20
DASHBOARD_TOP = 5
DASHBOARD_ALERTS = 5
ALERT_STATUSES = ("open", "resolved")

RECOMMENDATION_LABELS: dict[str, str] = {
    Recommendation.MONITOR: N_("Monitor"),
    Recommendation.EARLY_OUTREACH: N_("Early outreach"),
    Recommendation.SUCCESSION_CASE: N_("Succession case"),
    Recommendation.TEMPORARY_ACQUISITION: N_("Temporary acquisition of facilities"),
}
# The colour of each recommendation: the case-state badge classes, from calm to urgent.
RECOMMENDATION_CLASSES: dict[str, str] = {
    Recommendation.MONITOR: "state-done",
    Recommendation.EARLY_OUTREACH: "state-negotiation",
    Recommendation.SUCCESSION_CASE: "state-examination",
    Recommendation.TEMPORARY_ACQUISITION: "state-protection",
}
FACTOR_LABELS: dict[str, str] = {
    "sme": N_("SME or small-scale business"),
    "financial_distress": N_("Financial distress"),
    "restructuring": N_("Restructuring or closure"),
    "foreign_control": N_("Foreign control"),
    "recent_foreign_acquisition": N_("Recent foreign share acquisition"),
    "foreign_subcontracting_or_exports": N_("Foreign subcontractors or exports of related items"),
    "supply_chain_criticality": N_("Supply-chain criticality"),
    "no_survey_answer": N_("No answer to the supply-chain survey"),
    "open_exit_case": N_("Exit case in progress"),
}
ALERT_STATUS_LABELS: dict[str, str] = {"open": N_("Open"), "resolved": N_("Cleared")}


def recommendation_label(value: str) -> str:
    return label(RECOMMENDATION_LABELS, value)


def recommendation_class(value: str) -> str:
    return RECOMMENDATION_CLASSES.get(value, "state-done")


def factor_label(name: str) -> str:
    return label(FACTOR_LABELS, name)


def alert_status_label(status: str) -> str:
    return label(ALERT_STATUS_LABELS, status)


def points(value: float | None, *, signed: bool = False) -> str:
    """Risk points: 6.66, 115; with `signed` +15 / −5 (a change since the last run)."""
    if value is None:
        return "—"
    text = format_decimal(abs(value) if signed else value, format="#,##0.##", locale=current_language())
    if not signed:
        return text
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def chain_steps(chain: ChainView | None) -> list[tuple[str, str | None, str | None]]:
    """A chain as (name, country, the share held in the next step) for the templates."""
    if chain is None:
        return []
    return [
        (step.name, step.country, percent(step.holds) if step.holds is not None else None)
        for step in chain.path
    ]


def _may_read(actor: Actor) -> bool:
    return actor.can(Permission.RISK_READ)


def _may_record(actor: Actor) -> bool:
    return actor.can(Permission.RISK_READ) and actor.can(Permission.RISK_WRITE)


def _now(shokei: ShokeiDep) -> datetime:
    return shokei.uow.clock.now()


def _last_run_at(uow: UnitOfWork, actor: Actor) -> datetime | None:
    """When the run the changes compare with was recorded (`previous_score` comes from the last)."""
    run = services.latest_recorded_run(uow, actor, top=1)
    return run.run_at if run else None


# -- the watchlist ----------------------------------------------------------------------------


@router.get("/risk")
def watchlist_page(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    templates: TemplatesDep,
    top: Annotated[int, Query(ge=1, le=10_000)] = DEFAULT_TOP,
) -> Response:
    """Every registry company ranked by leak risk; the `top` filter refreshes the table (htmx)."""
    entries = services.watchlist(shokei.uow, actor)
    context = {
        "entries": entries[:top],
        "total": len(entries),
        "top": top,
        "top_choices": sorted({*TOP_CHOICES, top}),
        "computed_at": _now(shokei),
        "policy_version": entries[0].policy_version if entries else None,
        "can_record": _may_record(actor),
        "last_run_at": _last_run_at(shokei.uow, actor),
    }
    return templates.page(request, "risk/watchlist.html", context, fragment="risk/_watchlist.html")


@router.post("/risk/runs")
def record_run(request: Request, shokei: ShokeiDep, actor: WebActor) -> Response:
    """Score every company now and keep the run: later runs show what changed since."""
    entries = services.watchlist(shokei.uow, actor, record=True)
    flash(
        request,
        "success",
        _("The scores of %(count)s companies were recorded.") % {"count": number(len(entries))},
    )
    return redirect(request, "/risk")


# -- alerts -----------------------------------------------------------------------------------


@router.get("/alerts")
def alerts_page(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    templates: TemplatesDep,
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Foreign-control alerts, newest first, open or cleared, each with the chain behind it."""
    alerts = ownership.list_alerts(shokei.uow, actor, status=status or None)
    context = {
        "alerts": alerts,
        "status": status,
        "statuses": [(value, alert_status_label(value)) for value in ALERT_STATUSES],
    }
    return templates.page(request, "risk/alerts.html", context, fragment="risk/_alerts.html")


# -- a weapon system's supplier base ---------------------------------------------------------

TIER_CHART_WIDTH = 480  # SVG user units of the longest bar; the chart scales with the page
SURVEY_STATUSES = ("answered", "partial", "unanswered", "pending")
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True, slots=True)
class TierBar:
    """One tier of the tier picture: its companies, its bar and its survey coverage."""

    tier: int
    companies: int
    width: int
    y: int
    survey: dict[str, int]


def tier_bars(view: SupplierBaseView, row: int = 40) -> list[TierBar]:
    by_tier = {int(tier): count for tier, count in view.by_tier.items()}
    coverage: dict[str, dict[str, int]] = view.survey.get("by_tier", {})
    tiers = sorted(set(by_tier) | {int(t) for t in coverage})
    widest = max(by_tier.values(), default=0) or 1
    return [
        TierBar(
            tier=tier,
            companies=by_tier.get(tier, 0),
            width=max(2, round(TIER_CHART_WIDTH * by_tier.get(tier, 0) / widest)) if by_tier.get(tier) else 0,
            y=index * row + 8,
            survey={status: coverage.get(str(tier), {}).get(status, 0) for status in SURVEY_STATUSES},
        )
        for index, tier in enumerate(tiers)
    ]


@router.get("/systems/{code}")
def supplier_base_page(
    code: str, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    """A weapon system's whole supplier base: counts, the tier picture, survey coverage, suppliers."""
    view = services.system_supplier_base(shokei.uow, actor, code)
    bars = tier_bars(view)
    context = {
        "base": view,
        "bars": bars,
        "chart_width": TIER_CHART_WIDTH,
        "chart_height": len(bars) * 40 + 8,
        "statuses": SURVEY_STATUSES,
        "campaign_id": view.survey.get("campaign_id"),
    }
    return templates.page(request, "risk/supplier_base.html", context)


@router.get("/systems/{code}/export.{file_format}")
def supplier_base_export(code: str, file_format: str, shokei: ShokeiDep, actor: WebActor) -> Response:
    """The supplier base as CSV or XLSX."""
    if file_format not in EXPORT_TYPES:
        raise NotFound(Text(N_("no export as %(file_format)s"), {"file_format": file_format}))
    data = services.export_supplier_base(shokei.uow, actor, code, file_format)
    disposition = f'attachment; filename="supplier-base-{quote(code)}.{file_format}"'
    return Response(data, media_type=EXPORT_TYPES[file_format], headers={"Content-Disposition": disposition})


# -- boxes ------------------------------------------------------------------------------------


def _watchlist_box(context: BoxContext) -> Markup | None:
    # The last recorded run, not a fresh scoring of every company (seconds at national scale on
    # every dashboard view); /risk computes the current list.
    try:
        run = services.latest_recorded_run(context.shokei.uow, context.actor, top=DASHBOARD_TOP)
    except Forbidden:
        return None
    return render_box(context.request, "risk/_watchlist_box.html", {"run": run})


def _alerts_box(context: BoxContext) -> Markup | None:
    try:
        alerts: list[AlertView] = ownership.list_alerts(context.shokei.uow, context.actor)
    except Forbidden:
        return None
    open_count = sum(1 for alert in alerts if alert.status == "open")
    return render_box(
        context.request,
        "risk/_alerts_box.html",
        {"alerts": alerts[:DASHBOARD_ALERTS], "open_count": open_count, "total": len(alerts)},
    )


def _company_box(context: BoxContext) -> Markup | None:
    company, uow, actor = context.subject, context.shokei.uow, context.actor
    if not _may_read(actor):
        return None  # the services would refuse: no box rather than an error in the profile
    entry: WatchlistEntry | None = None
    history = []
    if company.corporate_number:
        try:
            entry = services.company_risk(uow, actor, company.corporate_number)
            history = services.history(uow, actor, company.corporate_number)
        except Forbidden:
            return None
        except NotFound:
            entry = None
    return render_box(
        context.request,
        "risk/_company_box.html",
        {
            "entry": entry,
            "history": list(reversed(history)),
            "company": company,
            "computed_at": uow.clock.now(),
        },
    )


pages = FeaturePages(
    name="risk",
    router=router,
    templates=Path(__file__).parent / "templates",
    nav=(
        NavItem(N_("Risk watchlist"), "/risk", _may_read),
        NavItem(N_("Alerts"), "/alerts", _may_read),
    ),
    boxes=(
        Box(DASHBOARD, "risk_watchlist", _watchlist_box),
        Box(DASHBOARD, "alerts", _alerts_box),
        Box(COMPANY, "risk", _company_box),
    ),
    template_globals={
        "risk_points": points,
        "recommendation_label": recommendation_label,
        "recommendation_class": recommendation_class,
        "factor_label": factor_label,
        "alert_status_label": alert_status_label,
        "chain_steps": chain_steps,
    },
)
