"""Successor selection and hand-over in the web pages.

On the case page (officials, auditors, the selected successor): the ranking of candidates with
every rule's result and the score's parts, the program manager's selection with a reason, the
hand-over status (terms accepted, copies released and downloaded, dissemination requests, the
certificate of destruction) and the program manager's actions on it. For the successor's users
(the successor portal): the inbox on the dashboard, the terms of each case with the acceptance,
their copies with an audited streaming download and a dissemination request per copy.

Every action calls `succession.services` (and the read-only `handover_status`), which decide
who may do what; the page only chooses which buttons to offer.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, Request, Response
from fastapi.responses import StreamingResponse
from markupsafe import Markup

from shokei.api_support import ShokeiDep, content_disposition
from shokei.cases import services as cases
from shokei.cases.domain import CaseState, Guard, TransitionName
from shokei.errors import BadInput, Conflict, ShokeiError
from shokei.kernel import Actor, Role
from shokei.kernel.bounds import Id
from shokei.secrets.pages import refusal_text
from shokei.succession import services, terms
from shokei.succession.schemas import CandidateFilter
from shokei.web.i18n import N_, current_language, label, ngettext
from shokei.web.i18n import gettext as _
from shokei.web.registry import CASE, COMPANY, DASHBOARD, Box, BoxContext, FeaturePages, NavItem
from shokei.web.routing import TemplatesDep, WebActor, flash, page_router, redirect
from shokei.web.templating import render_box

router = page_router()

RULE_LABELS: dict[str, str] = {
    "domestic": N_("Domestic company with a valid corporate number"),
    "foreign_ownership": N_("Foreign ownership below the threshold"),
    "financial_health": N_("Not in financial distress"),
    "security_compliance": N_("Security compliance valid on the hand-over date"),
    "independence": N_("Independent of the withdrawing company"),
    "capability": N_("Capability match"),
    "capacity": N_("Capacity"),
}
SCORE_LABELS: dict[str, str] = {
    "capability": N_("Capability overlap"),
    "supply_relationships": N_("Supply relationships to the affected weapon systems"),
    "geography": N_("Geography and continuity"),
    "capacity": N_("Capacity headroom"),
}
REQUEST_STATUS_LABELS: dict[str, str] = {
    "requested": N_("Awaiting approval"),
    "approved": N_("Approved"),
    "refused": N_("Not approved"),
    "rejected": N_("Not approved"),
    "accepted": N_("Terms accepted by the subcontractor"),
}
_SUCCESSION_STATES = frozenset({CaseState.SUCCESSOR_SELECTION, CaseState.HANDED_OVER, CaseState.CLOSED})


def rule_label(name: str) -> str:
    return label(RULE_LABELS, name)


def score_label(name: str) -> str:
    return label(SCORE_LABELS, name)


def request_status_label(status: str) -> str:
    return label(REQUEST_STATUS_LABELS, status)


def copy_status_label(status: str) -> str:
    return label(COPY_STATUSES, status)


def score_number(value: Decimal | float) -> str:
    return f"{Decimal(value):.3f}"


_FILTER_FIELDS = {"name": 100, "prefecture": 8, "capability": 64}  # each with its longest value
CANDIDATES_PER_PAGE = 20


def _candidate_filter(request: Request) -> CandidateFilter:
    """The selection list's filter and page from the case page's query (`candidate_*`); a bad
    value is ignored, as a hand-edited address should not break the case page."""
    params = request.query_params
    values = {name: params.get(f"candidate_{name}", "")[:longest] for name, longest in _FILTER_FIELDS.items()}
    page = params.get("candidate_page", "1")
    number = int(page) if page.isdigit() and 0 < len(page) < 7 else 1
    return CandidateFilter(**values, page=max(number, 1), per_page=CANDIDATES_PER_PAGE)


def _candidate_url(request: Request, case_id: int, page: int) -> str:
    wanted = _candidate_filter(request)
    query = {f"candidate_{name}": getattr(wanted, name) for name in _FILTER_FIELDS if getattr(wanted, name)}
    query["candidate_page"] = str(page)
    return f"/cases/{case_id}?{urlencode(query)}#candidates-title"


# -- the case page's box -----------------------------------------------------------------------


def _case_box(context: BoxContext) -> Markup | None:
    case, actor = context.subject, context.actor
    if CaseState(case.state) not in _SUCCESSION_STATES:
        return None
    official = actor.is_official or actor.role is Role.AUDITOR
    if not official and actor.role is not Role.SUCCESSOR:
        return None
    uow = context.shokei.uow
    status = services.handover_status(uow, actor, case.id)
    selecting = case.state == CaseState.SUCCESSOR_SELECTION
    manager = actor.role is Role.PROGRAM_MANAGER
    candidates = (
        services.candidate_page(uow, actor, case.id, _candidate_filter(context.request))
        if official and selecting
        else None
    )
    return render_box(
        context.request,
        "succession/_case_box.html",
        {
            "case": case,
            "status": status,
            "candidates": candidates,
            "prefecture_options": [(p, p) for p in candidates.prefectures] if candidates else [],
            "capability_options": [(c, c) for c in candidates.capabilities] if candidates else [],
            "wanted": _candidate_filter(context.request),
            "candidate_url": lambda page: _candidate_url(context.request, case.id, page),
            "official": official,
            "can_select": manager and selecting,
            "can_release": manager and selecting and status.successor is not None and status.accepted,
            "on_paper": not status.stored_documents,
            "can_approve": manager,
            **_certification(
                context, manager and case.state == CaseState.HANDED_OVER and status.destruction is None
            ),
            "holder": actor.role is Role.SUCCESSOR,
            "can_accept": actor.role is Role.SUCCESSOR and selecting and not status.accepted,
        },
    )


def _certification(context: BoxContext, may: bool) -> dict[str, object]:
    """Whether the certificate form is offered: recording it closes the case, so the case must
    be closable now (a committed purchase not yet paid keeps it open); else why not."""
    if not may:
        return {"can_certify": False, "certify_waiting": None}
    try:
        cases.check_move(
            context.shokei.uow,
            context.actor,
            context.subject.id,
            TransitionName.CLOSE,
            assuming=frozenset({Guard.DESTRUCTION_CERTIFIED}),  # what the form records
        )
    except ShokeiError as refused:
        return {"can_certify": False, "certify_waiting": refused.localised(_)}
    return {"can_certify": True, "certify_waiting": None}


@router.post("/cases/{case_id}/successor")
def select_successor(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    corporate_number: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The program manager's choice, with a reason (the successor gets an inbox message)."""
    if not reason.strip():
        raise BadInput(_("Give the reason for the selection."))
    chosen = services.select_successor(
        shokei.uow, actor, case_id, corporate_number.strip(), reason=reason.strip()
    )
    flash(
        request,
        "success",
        _("%(name)s has been selected as the successor and notified.") % {"name": chosen.successor_name},
    )
    return redirect(request, f"/cases/{case_id}#succession")


@router.post("/cases/{case_id}/handover/release")
def release_copies(case_id: Id, *, request: Request, shokei: ShokeiDep, actor: WebActor) -> Response:
    """One marked copy of every document for the successor; the case is then handed over."""
    try:
        copies = services.release_copies(
            shokei.uow,
            shokei.vaults.documents,
            actor,
            case_id,
            copies=shokei.vaults.copies,
            scratch_dir=shokei.scratch_dir,
            key=shokei.handover_signing_key,
            code_key=shokei.copy_code_key,
        )
    except services.NotCertifiedForSecrets as error:
        raise Conflict(refusal_text(error.company_name, error.gap)) from error
    flash(
        request,
        "success",
        ngettext(
            "%(num)d copy has been released to the successor.",
            "%(num)d copies have been released to the successor.",
            len(copies),
        )
        % {"num": len(copies)},
    )
    return redirect(request, f"/cases/{case_id}#succession")


@router.post("/cases/{case_id}/handover/record")
def record_hand_over(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A case without stored documents: the drawings were handed over on paper."""
    services.record_hand_over(shokei.uow, actor, case_id, reason=note.strip() or None)
    flash(request, "success", _("The hand-over of the paper documents has been recorded."))
    return redirect(request, f"/cases/{case_id}#succession")


@router.post("/cases/{case_id}/handover/destruction")
def record_destruction(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    reference: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    """The supplier's certificate that it destroyed its own copies; the case is then closed."""
    if not reference.strip():
        raise BadInput(_("Give the reference of the certificate of destruction."))
    services.record_destruction_certificate(shokei.uow, actor, case_id, reference=reference.strip())
    flash(request, "success", _("The certificate of destruction has been recorded and the case closed."))
    return redirect(request, f"/cases/{case_id}#succession")


@router.post("/disseminations/{request_id}/approval")
def approve_dissemination(
    request_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    case: Annotated[Id | None, Form()] = None,
) -> Response:
    """The program manager approves: the subcontractor gets a new copy traced to the successor's."""
    try:
        approved = services.approve_dissemination(
            shokei.uow,
            shokei.vaults.copies,
            actor,
            request_id,
            scratch_dir=shokei.scratch_dir,
            key=shokei.handover_signing_key,
            code_key=shokei.copy_code_key,
        )
    except services.NotCertifiedForSecrets as error:
        raise Conflict(refusal_text(error.company_name, error.gap)) from error
    new_copy = approved.copy_id
    flash(
        request,
        "success",
        _("The dissemination has been approved; copy %(copy)s has been issued to %(to)s.")
        % {"copy": new_copy, "to": approved.to},
    )
    return redirect(request, f"/cases/{case}#succession" if case else "/")


@router.post("/disseminations/{request_id}/rejection")
def reject_dissemination(
    request_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    reason: Annotated[str, Form(max_length=2000)] = "",
    case: Annotated[Id | None, Form()] = None,
) -> Response:
    """The program manager rejects, with a reason the requester sees; no copy is made (the service
    refuses a blank reason)."""
    services.reject_dissemination(shokei.uow, actor, request_id, reason=reason.strip())
    flash(request, "success", _("Dissemination request No. %(id)d has been rejected.") % {"id": request_id})
    return redirect(request, f"/cases/{case}#succession" if case else "/")


# -- the successor portal ----------------------------------------------------------------------


@router.get("/cases/{case_id}/terms")
def terms_page(
    case_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    """The terms of acceptance for one case; the successor's users accept them here."""
    status = services.handover_status(shokei.uow, actor, case_id)
    language = "ja" if current_language() == "ja" else "en"
    context = {
        "status": status,
        "case_id": case_id,
        "terms": terms.ACCEPTANCE_TERMS,
        "terms_language": language,
        "terms_version": terms.TERMS_VERSION,
        "terms_digest": terms.terms_digest(),
        "can_accept": actor.role is Role.SUCCESSOR
        and status.state == CaseState.SUCCESSOR_SELECTION
        and not status.accepted,
    }
    return templates.page(request, "succession/terms.html", context)


@router.post("/cases/{case_id}/terms/acceptance")
def accept_terms(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    agree: Annotated[bool, Form()] = False,
) -> Response:
    if not agree:
        raise BadInput(_("Tick the box to confirm that you have read the terms."))
    accepted = services.accept_terms(shokei.uow, actor, case_id)
    flash(
        request,
        "success",
        _("Your company has accepted the terms (%(version)s). The documents can now be released.")
        % {"version": accepted.terms_version},
    )
    return redirect(request, f"/cases/{case_id}/terms")


@router.get("/copies")
def copies_page(request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep) -> Response:
    """Every copy issued to the user's company, with the requests to pass them on."""
    copies, requests = services.held_copies(shokei.uow, actor)
    return templates.page(request, "succession/copies.html", {"copies": copies, "requests": requests})


@router.get("/copies/{copy_id}")
def copy_page(
    copy_id: str, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    detail = services.copy_detail(shokei.uow, actor, copy_id)
    return templates.page(request, "succession/copy.html", {"detail": detail, "copy": detail.item})


@router.post("/copies/{copy_id}/download")
def download_copy(copy_id: str, shokei: ShokeiDep, actor: WebActor) -> StreamingResponse:
    """The decrypted copy, verified as it streams; the service records the download first."""
    try:
        view, chunks = services.stream_copy(shokei.uow, shokei.vaults.copies, actor, copy_id)
    except services.NotCertifiedForSecrets as error:
        raise Conflict(refusal_text(error.company_name, error.gap)) from error
    return StreamingResponse(
        chunks,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(view.file_name),
            "X-Content-SHA256": view.sha256,
        },
    )


@router.post("/copies/{copy_id}/disseminations")
def request_dissemination(
    copy_id: str,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    to: Annotated[str, Form(max_length=40)] = "",
    purpose: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Ask the Ministry to approve passing this copy to a named subcontractor, for a purpose."""
    if not to.strip():
        raise BadInput(_("Give the corporate number of the subcontractor."))
    if not purpose.strip():
        raise BadInput(_("Give the purpose of the dissemination."))
    services.request_dissemination(shokei.uow, actor, copy_id, to=to.strip(), purpose=purpose.strip())
    flash(request, "success", _("The request has been sent to the Ministry of Defense for approval."))
    return redirect(request, f"/copies/{copy_id}")


def _inbox_box(context: BoxContext) -> Markup | None:
    """The successor's users: messages to their company (a selection comes with the terms)."""
    if context.actor.role is not Role.SUCCESSOR:
        return None
    messages = list(reversed(services.inbox(context.shokei.uow, context.actor)))
    return render_box(context.request, "succession/_inbox_box.html", {"messages": messages})


COPY_STATUSES = {"issued": N_("Issued"), "recalled": N_("Recalled"), "destroyed": N_("Destroyed")}
CASE_ROLES = {
    "supplier": N_("Supplier (withdrawing company)"),
    "successor": N_("Successor"),
    "subcontractor": N_("Subcontractor"),
}


def _holdings_box(context: BoxContext) -> Markup | None:
    """The company page: the holdings register (officials and auditors)."""
    company = context.subject
    if not company.corporate_number or not (context.actor.is_official or context.actor.role is Role.AUDITOR):
        return None
    view = services.company_holdings(context.shokei.uow, context.actor, company.corporate_number)
    return render_box(
        context.request,
        "succession/_holdings_box.html",
        {
            "view": view,
            "statuses": {key: _(text) for key, text in COPY_STATUSES.items()},
            "roles": {key: _(text) for key, text in CASE_ROLES.items()},
        },
    )


def _holds_copies(actor: Actor) -> bool:
    return actor.role is Role.SUCCESSOR


pages = FeaturePages(
    name="succession",
    router=router,
    templates=Path(__file__).parent / "templates",
    nav=(NavItem(N_("Received documents"), "/copies", _holds_copies),),
    boxes=(
        Box(DASHBOARD, "portal", _inbox_box),
        Box(CASE, "succession", _case_box),
        Box(COMPANY, "holdings", _holdings_box),
    ),
    template_globals={
        "rule_label": rule_label,
        "score_label": score_label,
        "request_status_label": request_status_label,
        "copy_status_label": copy_status_label,
        "score_number": score_number,
    },
)
