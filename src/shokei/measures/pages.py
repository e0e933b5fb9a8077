"""Measures and state-held facilities in the web pages: the case page's "Measures" section (the
measures decided for the case; for a program manager, the decision on an escalated case), the
measure's page (its details and facilities; the acquisition form), the facility's page (its
entrustment and transfer) and the facilities page with the annual report of a fiscal year.

Every action calls `measures.services`, which decides who may do what (program managers decide
and act; the facilities line is never over-committed; a contractor must be eligible as a
successor); the page only chooses which forms to offer.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Form, Query, Request, Response
from markupsafe import Markup

from shokei.api_support import ShokeiDep
from shokei.cases import services as cases
from shokei.cases.domain import CaseState, Guard, TransitionName
from shokei.errors import ShokeiError
from shokei.kernel import Actor, Role
from shokei.kernel.bounds import Id, Int64
from shokei.measures import services
from shokei.measures.domain import FacilityStatus, MeasureKind, MeasureStatus
from shokei.purchase.domain import fiscal_year
from shokei.purchase.pages import parse_yen
from shokei.web.i18n import N_, label
from shokei.web.i18n import gettext as _
from shokei.web.registry import CASE, COMPANY, Box, BoxContext, FeaturePages, NavItem
from shokei.web.routing import TemplatesDep, WebActor, flash, page_router, redirect
from shokei.web.templating import render_box

router = page_router()

KIND_LABELS: dict[str, str] = {
    MeasureKind.FACILITY_ACQUISITION: N_("Acquisition of the manufacturing facility by the state (Art. 29)"),
    MeasureKind.SUCCESSION_SUPPORT: N_("Business succession support (Art. 4)"),
    MeasureKind.STATE_CUSTODY: N_("State custody of the documents until a successor is found"),
    MeasureKind.REOPEN_NEGOTIATION: N_("Reopen the purchase negotiation"),
}
MEASURE_STATUS_LABELS: dict[str, str] = {
    MeasureStatus.DECIDED: N_("Decided"),
    MeasureStatus.IN_EFFECT: N_("In effect"),
    MeasureStatus.COMPLETED: N_("Completed"),
}
FACILITY_STATUS_LABELS: dict[str, str] = {
    FacilityStatus.STATE_HELD: N_("Held by the state"),
    FacilityStatus.ENTRUSTED: N_("Held by the state, management entrusted"),
    FacilityStatus.TRANSFERRED: N_("Transferred"),
}


def kind_label(kind: str) -> str:
    return label(KIND_LABELS, kind)


def measure_status_label(status: str) -> str:
    return label(MEASURE_STATUS_LABELS, status)


def facility_status_label(status: str) -> str:
    return label(FACILITY_STATUS_LABELS, status)


def _may_read(actor: Actor) -> bool:
    return actor.is_official or actor.role is Role.AUDITOR


def _is_manager(actor: Actor) -> bool:
    return actor.role is Role.PROGRAM_MANAGER


def _measures_box(context: BoxContext) -> Markup | None:
    """The measures decided for the case; the decision form on an escalated case."""
    actor, case = context.actor, context.subject
    can_decide = _is_manager(actor) and CaseState(case.state) is CaseState.ESCALATED
    waiting = None
    if can_decide:
        # Separation of duties and a declared interest refuse the decision: then why, not a form.
        try:
            cases.check_move(
                context.shokei.uow,
                actor,
                case.id,
                TransitionName.TAKE_MEASURE,
                assuming=frozenset({Guard.REASON_GIVEN}),  # the form asks for the reason
            )
        except ShokeiError as refused:
            can_decide, waiting = False, refused.localised(_)
    if not _may_read(actor) or not (case.measures or can_decide or waiting):
        return None
    return render_box(
        context.request,
        "measures/_case_box.html",
        {
            "case": case,
            "can_decide": can_decide,
            "decide_waiting": waiting,
            "kinds": [(kind.value, kind_label(kind)) for kind in MeasureKind],
        },
    )


def _company_box(context: BoxContext) -> Markup | None:
    """The state-held facilities the company is party to (withdrawing, managing, transferee)."""
    if not _may_read(context.actor):
        return None
    found = services.facilities_of_company(context.shokei.uow, context.actor, context.subject.id)
    if not found:
        return None
    return render_box(context.request, "measures/_company_box.html", {"facilities": found})


@router.post("/cases/{case_id}/measures")
def decide_measure(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    kind: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=4000)],
    version: Annotated[Int64 | None, Form()] = None,
    parties: Annotated[str, Form(max_length=2000)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    review_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Decide the measure for an escalated case (program managers)."""
    view = services.decide_measure(
        shokei.uow,
        actor,
        case_id,
        kind=kind,
        reason=reason,
        parties=parties.split(),
        amount_yen=parse_yen(amount, required=False),
        review_on=date.fromisoformat(review_on) if review_on else None,
        expected_version=version,
    )
    flash(request, "success", _("The measure has been decided."))
    if view.kind == MeasureKind.REOPEN_NEGOTIATION:
        return redirect(request, f"/cases/{case_id}")
    return redirect(request, f"/measures/{view.id}")


@router.get("/measures/{measure_id}")
def measure_page(
    measure_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    measure = services.get_measure(shokei.uow, actor, measure_id)
    can_acquire = (
        _is_manager(actor)
        and measure.kind == MeasureKind.FACILITY_ACQUISITION
        and measure.status != MeasureStatus.COMPLETED
    )
    context = {"measure": measure, "can_acquire": can_acquire, "today": shokei.uow.clock.today()}
    return templates.page(request, "measures/measure.html", context)


@router.post("/measures/{measure_id}/facilities")
def acquire_facility(
    measure_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    name: Annotated[str, Form(max_length=255)],
    prefecture: Annotated[str, Form(max_length=8)],
    price: Annotated[str, Form(max_length=40)],
    acquired_on: Annotated[date, Form()],
    equipment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """The state acquires a facility: its price is committed on the facilities line."""
    price_yen = parse_yen(price)
    assert price_yen is not None
    view = services.acquire_facility(
        shokei.uow,
        actor,
        measure_id,
        name=name,
        prefecture=prefecture,
        price_yen=price_yen,
        acquired_on=acquired_on,
        equipment=equipment.splitlines(),
    )
    flash(request, "success", _("The facility has been acquired and its price committed."))
    return redirect(request, f"/facilities/{view.id}")


@router.get("/facilities")
def facilities_page(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    templates: TemplatesDep,
    fy: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    """Every facility the state acquired, and the annual report of a fiscal year (by default the
    last one that ended)."""
    year = fy if fy is not None else fiscal_year(shokei.uow.clock.today()) - 1
    context = {
        "facilities": services.list_facilities(shokei.uow, actor),
        "report": services.facility_report(shokei.uow, actor, fiscal_year=year),
        "year": year,
    }
    return templates.page(request, "measures/facilities.html", context)


@router.get("/facilities/{facility_id}")
def facility_page(
    facility_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    facility = services.get_facility(shokei.uow, actor, facility_id)
    held = facility.status != FacilityStatus.TRANSFERRED
    context = {
        "facility": facility,
        "can_act": _is_manager(actor) and held,
        "today": shokei.uow.clock.today(),
    }
    return templates.page(request, "measures/facility.html", context)


@router.post("/facilities/{facility_id}/entrustment")
def entrust_facility(
    facility_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    to: Annotated[str, Form(max_length=40)],
    until: Annotated[date, Form()],
    terms: Annotated[str, Form(max_length=4000)],
) -> Response:
    services.entrust_facility(shokei.uow, actor, facility_id, to=to, until=until, terms=terms)
    flash(request, "success", _("The facility's management has been entrusted."))
    return redirect(request, f"/facilities/{facility_id}")


@router.post("/facilities/{facility_id}/transfer")
def transfer_facility(
    facility_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    to: Annotated[str, Form(max_length=40)],
    price: Annotated[str, Form(max_length=40)],
    transferred_on: Annotated[date, Form()],
) -> Response:
    price_yen = parse_yen(price)
    assert price_yen is not None
    services.transfer_facility(
        shokei.uow, actor, facility_id, to=to, price_yen=price_yen, transferred_on=transferred_on
    )
    flash(request, "success", _("The facility has been transferred."))
    return redirect(request, f"/facilities/{facility_id}")


pages = FeaturePages(
    name="measures",
    router=router,
    templates=Path(__file__).parent / "templates",
    nav=(NavItem(N_("Facilities"), "/facilities", _may_read),),
    boxes=(Box(CASE, "measures", _measures_box), Box(COMPANY, "facilities", _company_box)),
    template_globals={
        "measure_kind_label": kind_label,
        "measure_status_label": measure_status_label,
        "facility_status_label": facility_status_label,
    },
)
