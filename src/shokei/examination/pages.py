"""Examination in the web pages: the case page's scores, evidence panel and determination, and
the examiner's scoring form (one per document, criteria from the policy in force).

Every action calls `examination.services`, which decides who may do what (examiners only, while
the case is under examination, no conflict of interest, separation of duties); the page only
chooses which forms to offer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Form, Request, Response
from markupsafe import Markup

from shokei.api_support import ShokeiDep
from shokei.cases.domain import CaseState
from shokei.errors import BadInput, Forbidden, NotFound, ShokeiError, Text
from shokei.examination import services
from shokei.examination.domain import EXAMINER_JUDGEMENT_DETAIL
from shokei.examination.schemas import CriterionView, ExaminationView
from shokei.kernel import Actor, Role
from shokei.kernel.bounds import Id, Int64
from shokei.web.i18n import N_, message
from shokei.web.i18n import gettext as _
from shokei.web.registry import CASE, Box, BoxContext, FeaturePages
from shokei.web.routing import WebActor, flash, page_router, redirect
from shokei.web.templating import render_box

router = page_router()
CRITERION_FIELD = "criterion_"  # form fields: criterion_<name>

# Criteria and rules by name: the policy file names them in both languages; the pages show the
# catalogue's wording and fall back to the policy's own title for a criterion it does not know.
CRITERION_LABELS: dict[str, str] = {
    "criticality": N_("Criticality to weapon systems"),
    "disclosure": N_("Disclosure of capabilities or performance"),
    "uniqueness": N_("Uniqueness / availability of alternatives"),
    "export_control": N_("Export-control status"),
    "package_completeness": N_("Completeness and reusability of the package"),
    "age": N_("Age and currency of the design"),
}
RULE_LABELS: dict[str, str] = {
    "secrecy_marking": N_("A document bears a government secrecy marking"),
    "single_source_component": N_("The company is the only source of a component of a weapon system"),
    "reveals_fielded_performance": N_("The performance or vulnerabilities of a fielded system are disclosed"),
    "program_manager_override": N_("Program manager's override"),
    "score_threshold": N_("Weighted score at or above the threshold"),
    "below_threshold": N_("Every weighted score below the threshold"),
    "examiner_judgement": N_("Examiner's judgement (note-only examination)"),
}
# The published policy's guidance (policy/v1.toml), shown in the reader's language; a policy
# published with other words is shown as written.
CRITERION_GUIDANCE: dict[str, str] = {
    "criticality": N_(
        "0 no defense use; 1 commercial part in a non-critical role; 3 part of "
        "a subsystem whose loss degrades a weapon system; 5 a weapon system "
        "cannot be built, operated or maintained without it. Consult the "
        "supply-chain evidence: single source, systems affected."
    ),
    "disclosure": N_(
        "0 reveals nothing about a system; 3 reveals design margins or "
        "tolerances from which performance can be inferred; 5 reveals the "
        "performance or vulnerabilities of a fielded system."
    ),
    "uniqueness": N_(
        "0 equivalent designs are available off the shelf; 3 alternatives "
        "exist but need requalification; 5 no alternative design or source "
        "exists in Japan."
    ),
    "export_control": N_(
        "0 not controlled (非該当); 1 catch-all control only; 2 list-controlled "
        "dual-use technology (該当); 3 military technology (weapons-specific "
        "list items, ITAR-origin)."
    ),
    "package_completeness": N_(
        "Modelled on a technical data package: 0 fragments; 1 conceptual "
        "level; 2 developmental level; 3 production level in 2D with "
        "associated lists (parts, specifications, processes); 4 production "
        "level with 3D models and every associated list, enough for a "
        "successor to manufacture."
    ),
    "age": N_(
        "0 over 30 years old or for a retired system; 1 20-30 years; 2 10-20 "
        "years; 3 5-10 years; 4 less than 5 years or for a system in "
        "production."
    ),
}
DETERMINATION_LABELS: dict[str, str] = {
    "protection_required": N_("Protection required"),
    "not_significant": N_("Not significant"),
}


def criterion_label(criterion: CriterionView | str) -> str:
    name = criterion if isinstance(criterion, str) else criterion.name
    msgid = CRITERION_LABELS.get(name)
    if msgid:
        return _(msgid)
    return name if isinstance(criterion, str) else criterion.title


def criterion_guidance(criterion: CriterionView) -> str:
    published = CRITERION_GUIDANCE.get(criterion.name)
    return _(published) if published == criterion.guidance else criterion.guidance


def rule_detail(text: Text | None, detail: str) -> str:
    """A deciding rule's detail in the page's language: its catalogue message (a determination
    recorded before messages were data holds its English, shown as written, or the examiners'
    judgement's msgid itself)."""
    return _(detail) if detail == EXAMINER_JUDGEMENT_DETAIL else message(text, detail)


def rule_label(rule: str) -> str:
    msgid = RULE_LABELS.get(rule)
    return _(msgid) if msgid else rule


def determination_label(value: str) -> str:
    msgid = DETERMINATION_LABELS.get(value)
    return _(msgid) if msgid else value


def score_text(value: float | None) -> str:
    """Weighted scores with two decimals, as the policy shows them."""
    return "—" if value is None else f"{value:.2f}"


async def _criterion_values(request: Request) -> dict[str, str]:
    """The form's criterion_<name> fields (which criteria there are is the policy's business)."""
    form = await request.form()  # cached by Starlette: the Form() parameters read the same body
    return {
        key.removeprefix(CRITERION_FIELD): str(value)
        for key, value in form.multi_items()
        if key.startswith(CRITERION_FIELD)
    }


def _as_integers(values: dict[str, str]) -> dict[str, int]:
    parsed = {}
    for name, text in values.items():
        if not text.strip():
            raise BadInput(_("Choose a score for every criterion."))
        try:
            parsed[name] = int(text.strip())
        except ValueError:
            raise BadInput(_("Scores are whole numbers.")) from None
    return parsed


@router.post("/cases/{case_id}/examination/scores")
def score_document(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    document_id: Annotated[Id, Form()],
    rationale: Annotated[str, Form(max_length=4000)] = "",
    values: Annotated[dict[str, str], Depends(_criterion_values)],
) -> Response:
    """An examiner's scores of one document, with the rationale (the services check the rest)."""
    score = services.score_document(
        shokei.uow, actor, case_id, document_id, values=_as_integers(values), rationale=rationale
    )
    flash(
        request,
        "success",
        _("The scores have been recorded. Weighted score: %(score)s.")
        % {"score": score_text(score.weighted_score)},
    )
    return redirect(request, f"/cases/{case_id}#examination")


@router.post("/cases/{case_id}/examination/determination")
def determine_case(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    rationale: Annotated[str, Form(max_length=4000)] = "",
    version: Annotated[Int64 | None, Form()] = None,
) -> Response:
    """Determine the case under the policy in force (examiners); the deciding rule is recorded."""
    decided = services.determine_case(
        shokei.uow, actor, case_id, rationale=rationale.strip() or None, expected_version=version
    )
    flash(
        request,
        "success",
        _("The case has been determined: %(determination)s (%(rule)s).")
        % {"determination": determination_label(decided.determination), "rule": rule_label(decided.rule)},
    )
    return redirect(request, f"/cases/{case_id}#examination")


@router.post("/cases/{case_id}/examination/override")
def override_determination(
    case_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    determination: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """A program manager's decision, with a reason; an examiner then applies it."""
    services.override_determination(shokei.uow, actor, case_id, determination=determination, reason=reason)
    flash(
        request,
        "success",
        _("The override has been recorded. An examiner applies it by determining the case."),
    )
    return redirect(request, f"/cases/{case_id}#examination")


# -- the case page's box ---------------------------------------------------------------------


def _may_read(actor: Actor) -> bool:
    return actor.is_official or actor.role is Role.AUDITOR


def _examination_box(context: BoxContext) -> Markup | None:
    """Scores per criterion, the evidence panel and the determination; the scoring form for
    examiners while the case is under examination."""
    actor, case = context.actor, context.subject
    if not _may_read(actor):
        return None
    try:
        view: ExaminationView | None = services.get_examination(context.shokei.uow, actor, case.id)
        problem = None
    except (Forbidden, NotFound):
        return None
    except ShokeiError as error:  # the evidence cannot be gathered: say so, never guess
        view, problem = None, error.localised(_)
    policy = services.get_policy(actor)
    under_examination = case.state == CaseState.UNDER_EXAMINATION
    return render_box(
        context.request,
        "examination/_case_box.html",
        {
            "case": case,
            "exam": view,
            "problem": problem,
            "policy": policy,
            "can_score": actor.role is Role.EXAMINER and under_examination,
            "can_override": actor.role is Role.PROGRAM_MANAGER and under_examination,
            "determinations": [(value, _(label)) for value, label in DETERMINATION_LABELS.items()],
        },
    )


pages = FeaturePages(
    name="examination",
    router=router,
    templates=Path(__file__).parent / "templates",
    boxes=(Box(CASE, "examination", _examination_box),),
    template_globals={
        "exam_criterion_label": criterion_label,
        "exam_criterion_guidance": criterion_guidance,
        "exam_rule_detail": rule_detail,
        "exam_rule_label": rule_label,
        "exam_determination_label": determination_label,
        "exam_score_text": score_text,
        "exam_criterion_field": CRITERION_FIELD,
    },
)
