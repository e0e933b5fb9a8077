"""The audit ledger in the web pages: the auditor's ledger page and the ledger section of a case.

Reading the ledger is for auditors (`audit:ledger:read`): entries, signed checkpoints, a full
verification on demand, inclusion and consistency proofs. The services decide who may.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import Query, Request, Response
from markupsafe import Markup

from shokei.api_support import ShokeiDep
from shokei.audit import services
from shokei.audit.services import AuditEntryView
from shokei.kernel import Permission
from shokei.kernel.audit_tags import AUDIT_TAGS, audit_tag_name
from shokei.web.i18n import N_, message
from shokei.web.i18n import gettext as _
from shokei.web.registry import CASE, Box, BoxContext, FeaturePages, NavItem
from shokei.web.routing import OptionalCount, TemplatesDep, WebActor, flash, page_router, redirect
from shokei.web.templating import render_box

router = page_router()
PAGE_SIZE = 50


def action_label(action: str) -> str:
    return _(audit_tag_name(action))


def event_json(entry: AuditEntryView) -> str:
    return json.dumps(entry.event, ensure_ascii=False, indent=1, sort_keys=True)


@router.get("/audit")
def ledger_page(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    templates: TemplatesDep,
    before: Annotated[OptionalCount, Query()] = None,
    action: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The newest ledger entries first, or those before entry `before`, optionally of one action
    (auditors only): an auditor comes to see what happened lately."""
    entries = services.list_entries(
        shokei.uow, actor, action=action or None, limit=PAGE_SIZE, newest_first=True, before=before
    )
    context: dict[str, Any] = {
        "entries": entries,
        "before": before,
        "action": action,
        "older_before": entries[-1].index if len(entries) == PAGE_SIZE and entries[-1].index > 0 else None,
        "actions": sorted(AUDIT_TAGS),
    }
    return templates.page(request, "audit/ledger.html", context, fragment="audit/_entries.html")


@router.get("/audit/verification")
def verification_page(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    templates: TemplatesDep,
    index: Annotated[OptionalCount, Query()] = None,
    size: Annotated[OptionalCount, Query()] = None,
    old: Annotated[OptionalCount, Query()] = None,
    new: Annotated[OptionalCount, Query()] = None,
) -> Response:
    """Signed checkpoints, the verification form, and the proofs asked for (auditors only)."""
    checkpoints = services.list_checkpoints(shokei.uow, actor)
    context: dict[str, Any] = {
        "checkpoints": list(reversed(checkpoints)),
        "inclusion": services.prove_inclusion(shokei.uow, actor, index, size) if index is not None else None,
        "consistency": (services.prove_consistency(shokei.uow, actor, old, new) if old is not None else None),
        "index": index,
        "size": size,
        "old": old,
        "new": new,
    }
    return templates.page(request, "audit/verification.html", context, fragment="audit/_proofs.html")


@router.post("/audit/verification")
def verify_ledger(*, request: Request, shokei: ShokeiDep, actor: WebActor) -> Response:
    """Recompute the whole tree and check every entry, node and checkpoint; the outcome is flashed."""
    report = services.verify_ledger(shokei.uow, actor)
    if report.ok:
        verified = _("The ledger verified: %(size)s entries; checkpoints signed up to entry %(signed)s.")
        flash(request, "success", verified % {"size": report.size, "signed": report.signed_size})
    else:
        failed = _("The ledger does NOT verify: the first bad entry is %(index)s. %(problem)s")
        problems = _listed([message(problem) for problem in report.problem_texts[:3]])
        flash(request, "error", failed % {"index": report.first_bad_index, "problem": problems})
    return redirect(request, "/audit/verification")


def _listed(items: list[str]) -> str:
    """Items joined the way the active language lists them (；in Japanese)."""
    joined = items[0] if items else ""
    for item in items[1:]:
        joined = _("%(earlier)s; %(later)s") % {"earlier": joined, "later": item}
    return joined


def _case_ledger_box(context: BoxContext) -> Markup | None:
    """Every entry concerning the case: about it and its files, and those naming it (money,
    copies, downloads); the page has loaded the case, so need-to-know holds. Shown to those who
    may read the ledger, which `services.entries_about_case` enforces."""
    if not context.actor.can(Permission.AUDIT_READ):
        return None
    case_id, uow = context.subject.id, context.shokei.uow
    files = [line.document_id for line in context.subject.inventory if line.document_id is not None]
    entries = services.entries_about_case(uow, context.actor, case_id, files, context.subject.opened_at)
    return render_box(context.request, "audit/_case_box.html", {"entries": entries})


pages = FeaturePages(
    name="audit",
    router=router,
    templates=Path(__file__).parent / "templates",
    nav=(NavItem(N_("Audit ledger"), "/audit", lambda actor: actor.can(Permission.AUDIT_READ)),),
    boxes=(Box(CASE, "ledger", _case_ledger_box),),
    template_globals={"action_label": action_label, "event_json": event_json},
)
