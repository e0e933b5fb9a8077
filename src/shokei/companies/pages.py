"""The company registry in the web pages: search and the company profile (SME status and the
sections later features add: risk, ownership chain, weapon systems supplied, impact of exit)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Form, Query, Request, Response

from shokei.api_support import ShokeiDep
from shokei.companies import access, services
from shokei.companies.domain import SME_THRESHOLDS, Industry, SuspensionCause
from shokei.companies.schemas import CompanyView
from shokei.kernel import Permission
from shokei.kernel.bounds import Id
from shokei.web.formatting import number, yen_units
from shokei.web.i18n import N_
from shokei.web.i18n import gettext as _
from shokei.web.registry import COMPANY, FeaturePages, NavItem, boxes_for
from shokei.web.routing import TemplatesDep, WebActor, flash, page_router, redirect

router = page_router()
PAGE_SIZE = 50

INDUSTRY_LABELS = {
    Industry.MANUFACTURING: N_("Manufacturing"),
    Industry.WHOLESALE: N_("Wholesale"),
    Industry.RETAIL: N_("Retail"),
    Industry.SERVICES: N_("Services"),
}


CAUSE_LABELS = {
    SuspensionCause.MANUAL: N_("By hand"),
    SuspensionCause.OWNERSHIP: N_("Ownership change"),
    SuspensionCause.RISK: N_("Financial distress or restructuring"),
    SuspensionCause.CERTIFICATION: N_("Certification revoked or expired"),
    SuspensionCause.CHANGED_CONDITION: N_("Changed-condition report"),
    SuspensionCause.LEAK: N_("Leak incident"),
}


def cause_label(cause: str) -> str:
    try:
        return _(CAUSE_LABELS[SuspensionCause(cause)])
    except ValueError:
        return cause


# The capability tags the registry uses (free tags: one not listed here is shown as written).
CAPABILITY_LABELS: dict[str, str] = {
    "machining": N_("Machining"),
    "castings": N_("Castings"),
    "rf_antenna": N_("RF antennas"),
    "optics": N_("Optics"),
    "composites": N_("Composites"),
    "electronics": N_("Electronics"),
    "heat_treatment": N_("Heat treatment"),
    "propulsion": N_("Propulsion"),
    "sonar": N_("Sonar"),
    "small_arms": N_("Small arms"),
    "radar": N_("Radar"),
    "software": N_("Software"),
}


def capability_label(tag: str) -> str:
    msgid = CAPABILITY_LABELS.get(tag)
    return _(msgid) if msgid else tag


def industry_label(industry: str) -> str:
    try:
        return _(INDUSTRY_LABELS[Industry(industry)])
    except ValueError:
        return industry


def sme_rule(company: CompanyView) -> str:
    """The SME Basic Act test the company was measured against, in the reader's language."""
    limit = SME_THRESHOLDS[Industry(company.industry)]
    return _("%(industry)s: capital of %(capital)s or less, or %(employees)s employees or fewer") % {
        "industry": industry_label(company.industry),
        "capital": yen_units(limit.capital_yen),
        "employees": number(limit.employees),
    }


@router.get("/companies")
def company_list(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    templates: TemplatesDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[Id, Query()] = 1,
) -> Response:
    found = services.list_companies(
        shokei.uow, actor, search=q.strip() or None, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    context = {"companies": found[:PAGE_SIZE], "more": len(found) > PAGE_SIZE, "page": page, "q": q}
    return templates.page(request, "companies/list.html", context, fragment="companies/_results.html")


@router.get("/companies/{identifier}")
def company_page(
    identifier: str, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    company = services.get_company(shokei.uow, actor, identifier)
    context = {
        "company": company,
        "boxes": boxes_for(request, COMPANY, shokei, actor, company),
        "may_manage_access": actor.can(Permission.COMPANY_ACCESS),
    }
    return templates.page(request, "companies/detail.html", context)


@router.post("/companies/{identifier}/suspend")
def suspend_company(
    identifier: str,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    company = access.suspend(shokei.uow, actor, identifier, reason)
    text = _("%(name)s is suspended: no copy can be opened or passed on.")
    flash(request, "success", text % {"name": company.name})
    return redirect(request, f"/companies/{company.corporate_number}")


@router.post("/companies/{identifier}/reinstate")
def reinstate_company(
    identifier: str,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    company = access.reinstate(shokei.uow, actor, identifier, reason)
    flash(request, "success", _("%(name)s has its access back.") % {"name": company.name})
    return redirect(request, f"/companies/{company.corporate_number}")


pages = FeaturePages(
    name="companies",
    router=router,
    templates=Path(__file__).parent / "templates",
    nav=(NavItem(N_("Companies"), "/companies", lambda actor: actor.can(Permission.COMPANY_READ)),),
    template_globals={
        "industry_label": industry_label,
        "capability_label": capability_label,
        "sme_rule": sme_rule,
        "cause_label": cause_label,
    },
)
