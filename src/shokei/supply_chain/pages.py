"""The supply chain in the web pages: the company profile's section on weapon systems.

Which weapon systems the company's exit hits (the ones it supplies with no other qualified
source, directly as a top-level component or deeper in the bill of materials), whether it is a
single point of failure (the only qualified source of at least one component), and what its
exit loses: components and systems. Everything comes from `supply_chain.services.exit_impact`
and `exit_impact_evidence`, which decide who may see it.
"""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from shokei.errors import Forbidden, NotFound
from shokei.supply_chain import services
from shokei.web.registry import COMPANY, Box, BoxContext, FeaturePages
from shokei.web.routing import page_router
from shokei.web.templating import render_box

router = page_router()
LISTED_COMPONENTS = 50


def _supply_chain_box(context: BoxContext) -> Markup | None:
    company, uow, actor = context.subject, context.shokei.uow, context.actor
    try:
        evidence = services.exit_impact_evidence(uow, actor, company.id)
    except (Forbidden, NotFound):
        return None  # not for this role (or no such company): no section rather than an error
    impact = None
    if company.corporate_number:
        try:
            impact = services.exit_impact(uow, actor, [company.corporate_number], limit=LISTED_COMPONENTS)
        except NotFound:
            impact = None  # registered but never in the supply map
    supplier = impact.companies[0] if impact is not None and impact.companies else None
    return render_box(
        context.request,
        "supply_chain/_company_box.html",
        {
            "company": company,
            "evidence": evidence,
            "impact": impact,
            "qualified_components": supplier.qualified_components if supplier else 0,
            "single_point": bool(evidence.single_source_components),
            "listed": LISTED_COMPONENTS,
        },
    )


pages = FeaturePages(
    name="supply_chain",
    router=router,
    templates=Path(__file__).parent / "templates",
    boxes=(Box(COMPANY, "supply_chain", _supply_chain_box),),
)
