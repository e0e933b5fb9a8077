"""Exit cases in the web pages: the list, the case page, notifying an exit, moving a case along.

Every action calls `cases.services`, which decides who may do what; the page only chooses which
buttons to offer (from the transition table) so a role is not shown moves it cannot make.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Form, Query, Request, Response
from markupsafe import Markup

from shokei.api_support import ShokeiDep
from shokei.cases import services
from shokei.cases.domain import (
    INVENTORY_EDITABLE_STATES,
    MOVE_NAMES,
    STATE_NAMES,
    TERMINAL_STATES,
    TRANSITIONS,
    CaseState,
    ExitReason,
    TransitionName,
)
from shokei.cases.pages import assignment
from shokei.cases.pages.offered import company_links, offered_moves
from shokei.cases.schemas import CaseSummary
from shokei.companies import services as companies
from shokei.errors import BadInput, Forbidden, ShokeiError, Text
from shokei.kernel import Actor, Permission, Role, role_name
from shokei.kernel.bounds import JSON_INT_MAX, Id, Int64, ascii_int
from shokei.web.i18n import N_, label, ngettext
from shokei.web.i18n import gettext as _
from shokei.web.registry import CASE, DASHBOARD, Box, BoxContext, FeaturePages, NavItem, boxes_for
from shokei.web.routing import TemplatesDep, WebActor, flash, page_router, redirect
from shokei.web.templating import render_box

router = page_router()
router.include_router(assignment.router)
PAGE_SIZE = 50
DUE_SOON_DAYS = 30

STATE_LABELS: dict[str, str] = STATE_NAMES
STATE_GROUPS = {
    CaseState.NOTIFIED: "intake",
    CaseState.DOCUMENTS_SUBMITTED: "intake",
    CaseState.UNDER_EXAMINATION: "examination",
    CaseState.NOT_SIGNIFICANT: "examination",
    CaseState.PROTECTION_REQUIRED: "protection",
    CaseState.NEGOTIATING: "negotiation",
    CaseState.PURCHASE_AGREED: "negotiation",
    CaseState.NEGOTIATION_FAILED: "protection",
    CaseState.SUCCESSOR_SELECTION: "succession",
    CaseState.HANDED_OVER: "succession",
    CaseState.CLOSED_RELEASED: "done",
    CaseState.ESCALATED: "protection",
    CaseState.MEASURE_TAKEN: "done",
    CaseState.CLOSED: "done",
}
# What a button says (a verb) and what the timeline says afterwards (an event).
TRANSITION_ACTIONS: dict[str, str] = MOVE_NAMES
TRANSITION_EVENTS: dict[str, str] = {
    "open": N_("Exit notice registered"),
    TransitionName.SUBMIT: N_("Documents submitted"),
    TransitionName.START_EXAMINATION: N_("Examination started"),
    TransitionName.DETERMINE_PROTECTION_REQUIRED: N_("Determined: protection required"),
    TransitionName.DETERMINE_NOT_SIGNIFICANT: N_("Determined: not significant"),
    TransitionName.RELEASE: N_("Released and closed"),
    TransitionName.OPEN_NEGOTIATION: N_("Purchase negotiation opened"),
    TransitionName.APPROVE_PURCHASE: N_("Purchase approved"),
    TransitionName.FAIL_NEGOTIATION: N_("Negotiation failed"),
    TransitionName.ESCALATE: N_("Escalated to other measures"),
    TransitionName.TAKE_MEASURE: N_("Measure decided"),
    TransitionName.REOPEN_NEGOTIATION: N_("Negotiation reopened"),
    TransitionName.START_SUCCESSOR_SELECTION: N_("Successor selection started"),
    TransitionName.SELECT_SUCCESSOR: N_("Successor selected"),
    TransitionName.HAND_OVER: N_("Handed over"),
    TransitionName.CLOSE: N_("Case closed"),
    "cancel_purchase": N_("Approved purchase cancelled"),
}
REASON_LABELS: dict[str, str] = {
    ExitReason.BUSINESS_DIFFICULTY: N_("Business difficulty"),
    ExitReason.FACTORY_CLOSURE: N_("Factory closure"),
    ExitReason.RESTRUCTURING: N_("Restructuring"),
    ExitReason.ACQUISITION: N_("Acquisition"),
    ExitReason.OTHER: N_("Other"),
}
OFFER_KIND_LABELS: dict[str, str] = {
    services.OfferKind.OFFER: N_("Offer"),
    services.OfferKind.COUNTER: N_("Counter-offer"),
    services.OfferKind.AGREEMENT: N_("Agreed amount"),
}


INVOLVEMENT_LABELS: dict[str, str] = {
    "supplier": N_("as the withdrawing supplier"),
    "successor": N_("as the selected successor"),
    "subcontractor": N_("as a subcontractor holding a copy"),
}


def involvement_label(involvement: str) -> str:
    return label(INVOLVEMENT_LABELS, involvement)


def state_label(state: str) -> str:
    return label(STATE_LABELS, state)


def reason_label(reason: str) -> str:
    return label(REASON_LABELS, reason)


def event_label(transition: str) -> str:
    return label(TRANSITION_EVENTS, transition)


def offer_kind_label(kind: str) -> str:
    return label(OFFER_KIND_LABELS, kind)


def state_group(state: str) -> str:
    try:
        return STATE_GROUPS[CaseState(state)]
    except ValueError:
        return "done"


def due(case: CaseSummary) -> tuple[str, str]:
    """How the planned exit date reads today, and the CSS class that colours it."""
    if CaseState(case.state) in TERMINAL_STATES:
        return "", ""
    days = case.days_remaining
    if case.overdue:
        text = ngettext("%(num)d day overdue", "%(num)d days overdue", -days) % {"num": -days}
        return text, "overdue"
    text = ngettext("%(num)d day left", "%(num)d days left", days) % {"num": days}
    return text, "due-soon" if days <= DUE_SOON_DAYS else ""


# Moves made by the succession feature's own steps, on the case page's "Successor and hand-over"
# section: selection with a reason and the successor's notice (select_successor), release of
# the marked copies once the terms are accepted (release_copies), the supplier's certificate of
# destruction (record_destruction_certificate). One way to do each: no generic button for them.
SUCCESSION_STEPS: frozenset[str] = frozenset(
    {TransitionName.SELECT_SUCCESSOR, TransitionName.HAND_OVER, TransitionName.CLOSE}
)


# Moves made by the measures feature on the case page's "Measures" section: the measure decided
# for an escalated case (its kind, reason and details), or negotiation reopened.
MEASURE_STEPS: frozenset[str] = frozenset({TransitionName.TAKE_MEASURE, TransitionName.REOPEN_NEGOTIATION})


def _matches(case: CaseSummary, text: str) -> bool:
    needle = unicodedata.normalize("NFKC", text).strip().lower().lstrip("#")
    haystack = [case.company_name.lower(), case.company_corporate_number or "", str(case.id)]
    return any(needle in value for value in haystack)


@router.get("/cases")
def case_list(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    templates: TemplatesDep,
    q: Annotated[str, Query(max_length=200)] = "",
    state: Annotated[str, Query(max_length=40)] = "",
    overdue: bool = False,
    page: Annotated[Id, Query()] = 1,
) -> Response:
    """Cases the user may know of, filtered by state, overdue and a search over company and number."""
    found = services.list_cases(shokei.uow, actor, state=state or None)
    if q.strip():
        found = [case for case in found if _matches(case, q)]
    if overdue:
        found = [case for case in found if case.overdue]
    start = (page - 1) * PAGE_SIZE
    context = {
        "cases": found[start : start + PAGE_SIZE],
        "total": len(found),
        "page": page,
        "pages": max(1, -(-len(found) // PAGE_SIZE)),
        "filters": {"q": q, "state": state, "overdue": overdue},
        "states": [(s.value, state_label(s)) for s in CaseState],
    }
    return templates.page(request, "cases/list.html", context, fragment="cases/_results.html")


def _own_company(shokei: ShokeiDep, actor: Actor) -> str | None:
    if actor.role is not Role.SUPPLIER:
        return None
    own = companies.list_companies(shokei.uow, actor, limit=1)
    return own[0].corporate_number if own else None


@router.get("/cases/new")
def notify_form(request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep) -> Response:
    """The exit notice form: suppliers for their own company, intake officers for any."""
    if not actor.can(Permission.CASE_OPEN):
        # A form the role could not send anyway (open_case refuses it): say so before it is filled in.
        raise Forbidden(Text(N_("%(role)s may not open cases"), {"role": role_name(actor.role)}))
    own = companies.list_companies(shokei.uow, actor, limit=1) if actor.role is Role.SUPPLIER else []
    context = {
        "own_company": own[0] if own else None,
        "reasons": [(r.value, reason_label(r)) for r in ExitReason],
        "today": shokei.uow.clock.today(),
    }
    return templates.page(request, "cases/new.html", context)


@router.post("/cases")
def notify_exit(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    reason: Annotated[str, Form(max_length=40)],
    planned_exit_date: Annotated[date, Form()],
    company: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    number = _own_company(shokei, actor) or company
    case = services.open_case(
        shokei.uow, actor, company=number, reason=reason, planned_exit_date=planned_exit_date
    )
    flash(request, "success", _("The exit notice has been registered as case %(id)d.") % {"id": case.id})
    for warning in services.notice_warnings(shokei.uow, actor, case.id):
        flash(request, "warning", warning.render(_))
    return redirect(request, f"/cases/{case.id}")


@router.get("/cases/{case_id}")
def case_page(
    case_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    case = services.get_case(shokei.uow, actor, case_id)
    state = CaseState(case.state)
    succession_steps = [
        name
        for name in case.available_transitions
        if name in SUCCESSION_STEPS and actor.role in TRANSITIONS[TransitionName(name)].roles
    ]
    measure_steps = [
        name
        for name in case.available_transitions
        if name in MEASURE_STEPS and actor.role in TRANSITIONS[TransitionName(name)].roles
    ]
    moves, waiting = offered_moves(shokei.uow, actor, case, lambda name: label(TRANSITION_ACTIONS, name))
    context = {
        "case": case,
        "moves": moves,
        "waiting": waiting,
        "may_open_company": company_links(shokei.uow, actor),
        "succession_steps": bool(succession_steps),
        "measure_steps": bool(measure_steps),
        "can_edit_inventory": actor.can(Permission.CASE_INVENTORY_WRITE)
        and state in INVENTORY_EDITABLE_STATES,
        "can_examine": actor.role is Role.EXAMINER and state is CaseState.UNDER_EXAMINATION,
        "boxes": boxes_for(request, CASE, shokei, actor, case),
    }
    return templates.page(request, "cases/detail.html", context)


@router.post("/cases/{case_id}/transitions")
def move_case(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    name: Annotated[str, Form(max_length=60)],
    version: Annotated[Int64 | None, Form()] = None,
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """One move of the workflow; `version` makes a stale page fail instead of moving twice."""
    if name in SUCCESSION_STEPS:
        raise BadInput(_("This step is taken in the section “Successor and hand-over” of the case page."))
    if name in MEASURE_STEPS:
        raise BadInput(_("This step is taken in the section “Measures” of the case page."))
    case = services.transition_case(
        shokei.uow,
        actor,
        case_id,
        name,
        reason=reason.strip() or None,
        expected_version=version,
    )
    flash(
        request,
        "success",
        _("Done: %(action)s. The case is now: %(state)s.")
        % {
            "action": label(TRANSITION_ACTIONS, name),
            "state": state_label(case.state),
        },
    )
    return redirect(request, f"/cases/{case_id}")


@router.post("/cases/{case_id}/inventory")
def add_inventory_line(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    title: Annotated[str, Form(max_length=500)],
    drawing_number: Annotated[str, Form(max_length=100)] = "",
    revision: Annotated[str, Form(max_length=50)] = "",
    component: Annotated[str, Form(max_length=255)] = "",
    weapon_system: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    """A paper document described without a file (files come in through the upload page)."""
    services.add_inventory_line(
        shokei.uow,
        actor,
        case_id,
        title=title,
        drawing_number=drawing_number.strip() or None,
        revision=revision.strip() or None,
        component=component.strip() or None,
        weapon_system=weapon_system.strip() or None,
    )
    flash(request, "success", _("The document has been added to the inventory."))
    return redirect(request, f"/cases/{case_id}#inventory")


@router.post("/cases/{case_id}/inventory/{line_id}/examination")
def examine_document(
    case_id: Id,
    line_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    note: Annotated[str, Form(max_length=4000)],
) -> Response:
    services.examine_document(shokei.uow, actor, case_id, line_id, note=note)
    flash(request, "success", _("The examination of the document has been recorded."))
    return redirect(request, f"/cases/{case_id}#inventory")


def parse_yen(text: str) -> int:
    """Amounts as people type them: 48,500,000 / ４８５０００００ / ¥48,500,000 / 48500000円."""
    cleaned = unicodedata.normalize("NFKC", text)
    for noise in (",", "¥", "￥", "円", " "):
        cleaned = cleaned.replace(noise, "")
    amount = ascii_int(cleaned)
    if amount is None or amount > JSON_INT_MAX:
        raise BadInput(_("Enter the amount in yen, in digits (for example 48500000)."))
    return amount


@router.post("/cases/{case_id}/offers")
def record_offer(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    amount: Annotated[str, Form(max_length=40)],
    kind: Annotated[str, Form(max_length=20)] = services.OfferKind.OFFER,
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    services.record_offer(
        shokei.uow, actor, case_id, amount_yen=parse_yen(amount), kind=kind, note=note.strip() or None
    )
    flash(request, "success", _("The amount has been recorded."))
    return redirect(request, f"/cases/{case_id}#offers")


# -- dashboard boxes -------------------------------------------------------------------------


def _portal_box(context: BoxContext) -> Markup | None:
    """Suppliers: their own cases and what to do next. Successors: cases handed to them."""
    actor = context.actor
    if actor.role not in (Role.SUPPLIER, Role.SUCCESSOR):
        return None
    mine = services.list_cases(context.shokei.uow, actor)
    return render_box(context.request, "cases/_portal_box.html", {"cases": mine})


def _states_box(context: BoxContext) -> Markup | None:
    actor = context.actor
    if not (actor.is_official or actor.role is Role.AUDITOR):
        return None
    counts = services.count_by_state(context.shokei.uow, actor)
    rows = [(s.value, state_label(s), counts.get(s.value, 0)) for s in CaseState]
    total = sum(counts.values())
    return render_box(context.request, "cases/_states_box.html", {"rows": rows, "total": total})


def _overdue_box(context: BoxContext) -> Markup | None:
    actor = context.actor
    if not (actor.is_official or actor.role is Role.AUDITOR):
        return None
    open_cases = [
        case
        for case in services.list_cases(context.shokei.uow, actor)
        if CaseState(case.state) not in TERMINAL_STATES and case.days_remaining <= DUE_SOON_DAYS
    ]
    open_cases.sort(key=lambda case: case.days_remaining)
    return render_box(
        context.request, "cases/_overdue_box.html", {"cases": open_cases[:15], "count": len(open_cases)}
    )


_NEGOTIATION_STATES = frozenset(
    {CaseState.NEGOTIATING, CaseState.PURCHASE_AGREED, CaseState.NEGOTIATION_FAILED, CaseState.ESCALATED}
)


def _offers_box(context: BoxContext) -> Markup | None:
    """Offers, counter-offers and the agreed amount, once there is a negotiation to show."""
    case, actor = context.subject, context.actor
    state = CaseState(case.state)
    if not case.offers and state not in _NEGOTIATION_STATES:
        return None
    can_offer = actor.can(Permission.CASE_NEGOTIATE) and state is CaseState.NEGOTIATING
    waiting = None
    if can_offer:
        try:  # separation of duties, a declared interest: the reason instead of the form
            services.check_offer(context.shokei.uow, actor, case.id)
        except ShokeiError as refused:
            can_offer, waiting = False, refused.localised(_)
    kinds = [(kind, offer_kind_label(kind)) for kind in OFFER_KIND_LABELS]
    return render_box(
        context.request,
        "cases/_offers_box.html",
        {"case": case, "can_offer": can_offer, "offer_waiting": waiting, "offer_kinds": kinds},
    )


def _can_read_cases(actor: Actor) -> bool:
    return actor.can(Permission.CASE_READ)


pages = FeaturePages(
    name="cases",
    router=router,
    templates=Path(__file__).parent.parent / "templates",
    nav=(
        NavItem(N_("Cases"), "/cases", _can_read_cases),
        NavItem(N_("Notify exit"), "/cases/new", lambda actor: actor.can(Permission.CASE_OPEN)),
    ),
    boxes=(
        Box(DASHBOARD, "portal", _portal_box),
        Box(DASHBOARD, "cases_by_state", _states_box),
        Box(DASHBOARD, "overdue", _overdue_box),
        Box(CASE, "negotiation", _offers_box),
        Box(CASE, "assignment", assignment.assignment_box),
    ),
    template_globals={
        "state_label": state_label,
        "state_group": state_group,
        "reason_label": reason_label,
        "event_label": event_label,
        "offer_kind_label": offer_kind_label,
        "involvement_label": involvement_label,
        "due": due,
    },
)
