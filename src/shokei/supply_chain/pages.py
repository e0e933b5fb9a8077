"""The supply chain in the web pages: the company profile's section on weapon systems, and the
supply-chain surveys (サプライチェーン調査).

The company section: which weapon systems the company's exit hits (the ones it supplies with no
other qualified source, directly as a top-level component or deeper in the bill of materials),
whether it is a single point of failure, and what its exit loses. Everything comes from
`supply_chain.services.exit_impact` and `exit_impact_evidence`, which decide who may see it.

Surveys: officials list the campaigns, open one, follow the tree of who asked whom and who
answered, and close it. A respondent company's users see the tasks addressed to their company
(the dashboard and `/surveys`), download the pre-filled XLSX form, upload an answer (XLSX or
CSV; a refused one comes back with every problem by sheet, row and column, each a catalogue
message rendered in the page's language) and forward the survey to the suppliers their answer
names. `survey.services` decides who may read what: a respondent never sees another
respondent's task or answer.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Form, Request, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from shokei.api_support import ShokeiDep, received_files
from shokei.errors import BadInput, Forbidden, NotFound, ShokeiError
from shokei.kernel import Actor, Permission
from shokei.kernel.bounds import Id
from shokei.supply_chain import services
from shokei.supply_chain.survey import services as survey
from shokei.supply_chain.survey.domain import CampaignStatus, RespondentStatus
from shokei.supply_chain.survey.schemas import AnswerReport, AnswerView, RespondentView
from shokei.supply_chain.survey.services.answers import MAX_ANSWER_BYTES
from shokei.web.formatting import number
from shokei.web.i18n import N_, label
from shokei.web.i18n import gettext as _
from shokei.web.registry import COMPANY, DASHBOARD, Box, BoxContext, FeaturePages, NavItem
from shokei.web.routing import ERROR_TITLES, TemplatesDep, WebActor, flash, page_router, redirect
from shokei.web.templating import render_box

router = page_router()
LISTED_COMPONENTS = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


# -- surveys: the officials' campaigns, the respondents' tasks ---------------------------------

SURVEY_STATUS_LABELS: dict[str, str] = {
    RespondentStatus.PENDING: N_("Awaiting answer"),
    RespondentStatus.ANSWERED: N_("Answered"),
    RespondentStatus.PARTIAL: N_("Partly answered"),
    RespondentStatus.UNANSWERED: N_("Not answered"),
}
SURVEY_STATUS_CLASSES: dict[str, str] = {
    RespondentStatus.PENDING: "state-intake",
    RespondentStatus.ANSWERED: "state-done",
    RespondentStatus.PARTIAL: "state-negotiation",
    RespondentStatus.UNANSWERED: "state-protection",
}
CAMPAIGN_STATUS_LABELS: dict[str, str] = {
    CampaignStatus.OPEN: N_("Survey open"),
    CampaignStatus.CLOSED: N_("Survey closed"),
}


def survey_status_label(value: str) -> str:
    return label(SURVEY_STATUS_LABELS, value)


def survey_status_class(value: str) -> str:
    return SURVEY_STATUS_CLASSES.get(value, "state-intake")


def campaign_status_label(value: str) -> str:
    return label(CAMPAIGN_STATUS_LABELS, value)


@dataclass
class TreeNode:
    respondent: RespondentView
    children: list[TreeNode] = field(default_factory=list)


def respondent_tree(respondents: list[RespondentView]) -> list[TreeNode]:
    """Who asked whom: the officials' respondents at the roots, each forwarded one below its asker."""
    nodes = {r.corporate_number: TreeNode(r) for r in respondents}
    roots: list[TreeNode] = []
    for node in nodes.values():
        asker = nodes.get(node.respondent.asked_by or "")
        (asker.children if asker is not None else roots).append(node)
    return roots


def _sees_all(actor: Actor) -> bool:
    return actor.can(Permission.SUPPLY_READ)


def _in_surveys(actor: Actor) -> bool:
    return actor.can(Permission.SUPPLY_READ) or actor.can(Permission.SURVEY_RESPOND)


@router.get("/surveys")
def surveys_page(request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep) -> Response:
    """Officials: every campaign and the form to open one. A respondent's user: its tasks."""
    if _sees_all(actor):
        context = {
            "campaigns": survey.list_campaigns(shokei.uow, actor),
            "can_manage": actor.can(Permission.SURVEY_MANAGE),
            "today": shokei.uow.clock.today(),
        }
        return templates.page(request, "supply_chain/surveys.html", context)
    tasks = survey.my_tasks(shokei.uow, actor)
    return templates.page(request, "supply_chain/tasks.html", {"tasks": tasks})


@router.post("/surveys")
def create_survey(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    system: Annotated[str, Form(max_length=64)],
    due_on: Annotated[date, Form()],
    respondents: Annotated[str, Form(max_length=200_000)],
) -> Response:
    numbers = [text for text in re.split(r"[\s,、，]+", respondents) if text]
    created = survey.create_campaign(shokei.uow, actor, system.strip(), due_on=due_on, respondents=numbers)
    flash(
        request,
        "success",
        _("Survey %(id)s is open: each respondent has a task in its portal.") % {"id": created.id},
    )
    return redirect(request, f"/surveys/{created.id}")


def _own_answer(shokei: ShokeiDep, actor: Actor, campaign_id: Id, number: str) -> AnswerView | None:
    try:
        return survey.get_answer(shokei.uow, actor, campaign_id, number)
    except NotFound:
        return None


def _forwardable(answer: AnswerView | None, own: str) -> list[str]:
    """The Japanese suppliers the respondent's answer names (it may forward the survey to them)."""
    if answer is None:
        return []
    return sorted({row.supplier for row in answer.supply if row.supplier.isdigit() and row.supplier != own})


@router.get("/surveys/{campaign_id}")
def survey_page(
    campaign_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    """Officials: the tree of who asked whom and who answered. A respondent: its own task."""
    status = survey.campaign_status(shokei.uow, actor, campaign_id)
    if _sees_all(actor):
        context = {
            "campaign": status,
            "tree": respondent_tree(status.respondents),
            "counts": Counter(r.status for r in status.respondents),
            "can_manage": actor.can(Permission.SURVEY_MANAGE),
        }
        return templates.page(request, "supply_chain/survey.html", context)
    task = status.respondents[0]
    answer = _own_answer(shokei, actor, campaign_id, task.corporate_number)
    context = {
        "campaign": status,
        "task": task,
        "answer": answer,
        "forwardable": _forwardable(answer, task.corporate_number),
        "open": status.status == CampaignStatus.OPEN,
    }
    return templates.page(request, "supply_chain/task.html", context)


@router.get("/surveys/{campaign_id}/template")
def survey_template(campaign_id: Id, shokei: ShokeiDep, actor: WebActor) -> Response:
    """The XLSX answer form (pre-filled for a respondent)."""
    data = survey.template(shokei.uow, actor, campaign_id)
    disposition = f'attachment; filename="survey-{campaign_id}.xlsx"'
    return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition})


@router.post("/surveys/{campaign_id}/answers")
async def answer_survey(
    campaign_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    """The upload script's target: the answer is checked in full; the report comes back as a
    fragment (every problem by sheet, row and column, nothing applied; or what was applied)."""
    try:
        await run_in_threadpool(survey.admit_answer, shokei.uow, actor, campaign_id)
        async with received_files(request, shokei) as files:

            def run() -> AnswerReport:
                with files[0].sealed.open() as source:
                    data = source.read(MAX_ANSWER_BYTES + 1)
                return survey.answer_survey(shokei.uow, actor, campaign_id, files[0].name, data)

            report = await run_in_threadpool(run)
    except ShokeiError as error:
        refusal = {
            "error": _(ERROR_TITLES.get(error.http_status, ERROR_TITLES[500])),
            "detail": error.localised(_),
        }
        return templates.page(request, "supply_chain/_answer_report.html", refusal, status=error.http_status)
    status = survey.campaign_status(shokei.uow, actor, campaign_id)
    task = status.respondents[0]
    answer = _own_answer(shokei, actor, campaign_id, task.corporate_number) if report.accepted else None
    context = {
        "report": report.localised(_),
        "campaign": status,
        "task": task,
        "answer": answer,
        "forwardable": _forwardable(answer, task.corporate_number),
        "open": True,
        "error": None,
    }
    return templates.page(
        request, "supply_chain/_answer_report.html", context, status=201 if report.accepted else 422
    )


@router.post("/surveys/{campaign_id}/cascade")
def cascade(
    campaign_id: Id,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    to: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Forward the survey to suppliers the respondent's answer names."""
    if not to:
        raise BadInput(_("Choose at least one supplier to forward the survey to."))
    report = survey.cascade(shokei.uow, actor, campaign_id, to)
    if report.added:
        flash(
            request,
            "success",
            _("The survey was forwarded to %(companies)s.")
            % {"companies": "、".join(r.name or r.corporate_number for r in report.added)},
        )
    if report.already_asked:
        flash(
            request,
            "info",
            _("Already asked in this survey: %(numbers)s.") % {"numbers": "、".join(report.already_asked)},
        )
    return redirect(request, f"/surveys/{campaign_id}")


@router.post("/surveys/{campaign_id}/close")
def close_survey(campaign_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor) -> Response:
    closing = survey.close_campaign(shokei.uow, actor, campaign_id)
    flash(
        request,
        "success",
        _("Survey %(id)s is closed: %(unanswered)s respondents did not answer, %(partial)s answered in part.")
        % {
            "id": campaign_id,
            "unanswered": number(len(closing.unanswered)),
            "partial": number(len(closing.partial)),
        },
    )
    return redirect(request, f"/surveys/{campaign_id}")


@router.get("/surveys/{campaign_id}/answers/{corporate_number}")
def answer_page(
    *,
    campaign_id: Id,
    corporate_number: str,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    templates: TemplatesDep,
) -> Response:
    """A respondent's answer as received: the respondent itself and officials only."""
    answer = survey.get_answer(shokei.uow, actor, campaign_id, corporate_number)
    return templates.page(request, "supply_chain/answer.html", {"answer": answer})


def _tasks_box(context: BoxContext) -> Markup | None:
    """A respondent's open survey tasks on its dashboard."""
    actor = context.actor
    if not actor.is_company_bound or not actor.can(Permission.SURVEY_RESPOND):
        return None
    tasks = survey.my_tasks(context.shokei.uow, actor)
    if not tasks:
        return None
    return render_box(
        context.request, "supply_chain/_tasks_box.html", {"tasks": tasks, "today": context.today}
    )


pages = FeaturePages(
    name="supply_chain",
    router=router,
    templates=Path(__file__).parent / "templates",
    nav=(NavItem(N_("Supply-chain surveys"), "/surveys", _in_surveys),),
    boxes=(Box(DASHBOARD, "portal", _tasks_box), Box(COMPANY, "supply_chain", _supply_chain_box)),
    template_globals={
        "survey_status_label": survey_status_label,
        "survey_status_class": survey_status_class,
        "campaign_status_label": campaign_status_label,
    },
)
