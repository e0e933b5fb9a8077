"""Designated secrets (装備品等秘密) in the web pages: the register for officials and auditors (with
the holders of copies and a filter on what ends soon), the designation box of a document page
(status, history, and the program manager's designate / renew / lift forms), a form designating
every document of a case, and the dashboard box of designations ending within 90 days.

`secrets.services` decides who may do what; the pages only choose which forms to offer.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Form, Query, Request, Response
from markupsafe import Markup

from shokei.api_support import ShokeiDep
from shokei.errors import BadInput
from shokei.kernel import Actor, Permission
from shokei.kernel.bounds import Id
from shokei.secrets import services
from shokei.secrets.domain import DESIGNATION_SCOPE, CertificationGap, DesignationStatus
from shokei.web.i18n import N_, label
from shokei.web.i18n import gettext as _
from shokei.web.registry import CASE, DASHBOARD, DOCUMENT, Box, BoxContext, FeaturePages, NavItem
from shokei.web.routing import TemplatesDep, WebActor, flash, page_router, redirect
from shokei.web.templating import render_box

router = page_router()
DASHBOARD_DAYS = 90  # the dashboard lists designations ending within this many days

STATUS_LABELS: dict[str, str] = {
    DesignationStatus.DESIGNATED: N_("Designated"),
    DesignationStatus.EXPIRED: N_("Validity ended"),
    DesignationStatus.LIFTED: N_("Lifted"),
}
STATUS_BADGES: dict[str, str] = {
    DesignationStatus.DESIGNATED: "state-protection",
    DesignationStatus.EXPIRED: "state-negotiation",
    DesignationStatus.LIFTED: "state-done",
}
ACTION_LABELS: dict[str, str] = {
    "designate": N_("Designation"),
    "renew": N_("Renewal"),
    "lift": N_("Lifting"),
}
GAP_LABELS: dict[str, str] = {
    CertificationGap.NEVER_CERTIFIED: N_("it has never been certified as a recipient"),
    CertificationGap.NOT_IN_FORCE: N_("its certification has been revoked or has expired"),
    CertificationGap.SCOPE: N_("its certification does not cover the scope designated_secret"),
}


def status_label(status: str) -> str:
    return label(STATUS_LABELS, status)


def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "state-done")


def action_label(action: str) -> str:
    return label(ACTION_LABELS, action)


def refusal_text(company_name: str, gap: str) -> str:
    """A refused release or dissemination of designated documents, in the reader's language."""
    return _(
        "Refused under the rule on designated secrets (装備品等秘密): copies of designated documents go "
        "only to companies certified for them, and %(company)s is not: %(gap)s."
    ) % {"company": company_name, "gap": label(GAP_LABELS, gap)}


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(_("Give the last day of validity as YYYY-MM-DD.")) from None


def _can_read(actor: Actor) -> bool:
    return actor.can(Permission.DESIGNATION_READ)


@router.get("/secrets")
def register_page(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    templates: TemplatesDep,
    expiring: Annotated[int | None, Query(ge=0, le=36500)] = None,
    case: Annotated[Id | None, Query()] = None,
) -> Response:
    """The register of designations: lifted ones too, soonest to end first, with their holders."""
    rows = services.list_designations(shokei.uow, actor, expiring_within_days=expiring, case_id=case)
    context = {
        "rows": rows,
        "expiring": expiring,
        "case_filter": case,
        "can_designate": actor.can(Permission.DESIGNATION_WRITE),
        "scope": DESIGNATION_SCOPE,
    }
    return templates.page(request, "secrets/register.html", context)


@router.post("/secrets/cases")
def designate_case(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    case: Annotated[Id, Form()],
    until: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
    from_case: Annotated[bool, Form()] = False,
) -> Response:
    made = services.designate_case(shokei.uow, actor, case, until=_parse_day(until), reason=reason)
    text = _("%(num)d document(s) of case %(case)d have been designated as 装備品等秘密.")
    flash(request, "success", text % {"num": len(made), "case": case})
    return redirect(request, f"/cases/{case}#designations" if from_case else f"/secrets?case={case}")


@router.post("/documents/{document_id}/secret")
def designate_document(
    document_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    until: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    services.designate_document(shokei.uow, actor, document_id, until=_parse_day(until), reason=reason)
    flash(request, "success", _("The document has been designated as 装備品等秘密."))
    return redirect(request, f"/documents/{document_id}#designation")


@router.post("/documents/{document_id}/secret/renewal")
def renew_document(
    document_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    until: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    services.renew_designation(shokei.uow, actor, document_id, until=_parse_day(until), reason=reason)
    flash(request, "success", _("The designation has been renewed."))
    return redirect(request, f"/documents/{document_id}#designation")


@router.post("/documents/{document_id}/secret/lifting")
def lift_document(
    document_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    services.lift_designation(shokei.uow, actor, document_id, reason=reason)
    flash(request, "success", _("The designation has been lifted; it stays on the register."))
    return redirect(request, f"/documents/{document_id}#designation")


# -- boxes --------------------------------------------------------------------------------------


def _document_box(context: BoxContext) -> Markup | None:
    actor = context.actor
    if not _can_read(actor):
        return None
    document = context.subject
    designations = services.document_designations(context.shokei.uow, actor, document.id)
    standing = next((d for d in designations if d.status != DesignationStatus.LIFTED), None)
    manager = actor.can(Permission.DESIGNATION_WRITE)
    return render_box(
        context.request,
        "secrets/_document_box.html",
        {
            "document": document,
            "designations": designations,
            "standing": standing,
            "can_designate": manager and standing is None,
            "can_change": manager and standing is not None,
        },
    )


def _case_box(context: BoxContext) -> Markup | None:
    """The case's designations, and for a program manager the form designating all its documents."""
    actor, case = context.actor, context.subject
    if not _can_read(actor):
        return None
    rows = services.list_designations(context.shokei.uow, actor, case_id=case.id)
    manager = actor.can(Permission.DESIGNATION_WRITE)
    if not rows and not manager:
        return None
    return render_box(
        context.request, "secrets/_case_box.html", {"case": case, "rows": rows, "can_designate": manager}
    )


def _dashboard_box(context: BoxContext) -> Markup | None:
    actor = context.actor
    if not _can_read(actor):
        return None
    rows = services.list_designations(context.shokei.uow, actor, expiring_within_days=DASHBOARD_DAYS)
    return render_box(context.request, "secrets/_dashboard_box.html", {"rows": rows, "days": DASHBOARD_DAYS})


pages = FeaturePages(
    name="secrets",
    router=router,
    templates=Path(__file__).parent / "templates",
    nav=(NavItem(N_("Designated secrets"), "/secrets", _can_read),),
    boxes=(
        Box(DASHBOARD, "designations_expiring", _dashboard_box),
        Box(DOCUMENT, "designation", _document_box),
        Box(CASE, "designations", _case_box),
    ),
    template_globals={
        "secret_status_label": status_label,
        "secret_status_badge": status_badge,
        "secret_action_label": action_label,
    },
)
