"""Leak response in the web pages: `/trace` (upload a found file with progress, see the holder and
the evidence, open an incident from it), `/incidents` and each incident with its reporting clock,
and the dashboard's box of open incidents with the time left.

The found file streams in through the API's multipart receiver (`api_support.received_files`),
sealed in scratch; the trace keeps it in the vault as evidence, so opening the incident refers
to the kept file instead of asking for it again.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Form, Request, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from shokei.api_support import ShokeiDep, received_files
from shokei.errors import BadInput, Forbidden, ShokeiError
from shokei.incidents import services
from shokei.incidents.domain import IncidentState
from shokei.incidents.schemas import IncidentView
from shokei.kernel.bounds import Id
from shokei.succession import services as succession
from shokei.succession.schemas import TraceView
from shokei.web.i18n import N_
from shokei.web.i18n import gettext as _
from shokei.web.registry import DASHBOARD, Box, BoxContext, FeaturePages, NavItem
from shokei.web.routing import ERROR_TITLES, TemplatesDep, WebActor, flash, page_router, redirect
from shokei.web.templating import render_box

router = page_router()
DASHBOARD_INCIDENTS = 5

STATE_LABELS = {
    IncidentState.OPENED: N_("Opened"),
    IncidentState.HOLDER_IDENTIFIED: N_("Holder identified"),
    IncidentState.CONTAINED: N_("Contained"),
    IncidentState.CLOSED: N_("Closed"),
    IncidentState.UNRESOLVED: N_("Unresolved"),
}
METHOD_LABELS = {
    "hash": N_("identical file (SHA-256)"),
    "marks": N_("embedded marks"),
    "code": N_("2D code with a verified MAC"),
    "ocr": N_("watermark and stamp read by OCR"),
    "text": N_("text similarity"),
}


def state_label(value: str) -> str:
    return _(STATE_LABELS[IncidentState(value)])


def method_label(value: str) -> str:
    return _(METHOD_LABELS[value]) if value in METHOD_LABELS else value


def time_left(seconds: int) -> str:
    """Hours and minutes left on the clock, or how long overdue."""
    hours, minutes = divmod(abs(seconds) // 60, 60)
    if seconds < 0:
        return _("overdue by %(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(hours)d h %(minutes)02d min left") % {"hours": hours, "minutes": minutes}


def _keys(shokei: ShokeiDep) -> services.TraceKeys:
    return services.TraceKeys(shokei.vaults.copies, shokei.handover_signing_key, shokei.copy_code_key)


def _day(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise BadInput(_("Give the date as YYYY-MM-DD.")) from error


@router.get("/trace")
def trace_page(request: Request, actor: WebActor, templates: TemplatesDep) -> Response:
    services.require_reader(actor)
    return templates.page(request, "incidents/trace.html", {"may_open": actor.is_official})


@router.post("/trace")
async def trace_upload(
    request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    """The upload script's target: streams the found file in, traces it, answers with a fragment."""
    try:
        services.require_reader(actor)  # before a byte of the body is read
        async with received_files(request, shokei) as files:
            found = files[0]

            def run() -> TraceView:  # reading pixels takes seconds a page: off the event loop
                with found.sealed.plaintext_path() as path:
                    return succession.trace_found_file(
                        shokei.uow,
                        actor,
                        path,
                        file_name=found.name,
                        vault=shokei.vaults.copies,
                        key=shokei.handover_signing_key,
                        code_key=shokei.copy_code_key,
                    )

            view = await run_in_threadpool(run)
    except ShokeiError as error:
        failed = {
            "error": _(ERROR_TITLES.get(error.http_status, ERROR_TITLES[500])),
            "detail": error.localised(_),
        }
        return templates.page(
            request, "incidents/_trace_result.html", {"trace": None, **failed}, status=error.http_status
        )
    context = {
        "trace": view,
        "error": None,
        "detail": None,
        "may_open": actor.is_official,
        "today": shokei.uow.clock.today(),
    }
    return templates.page(request, "incidents/_trace_result.html", context)


@router.post("/incidents")
def open_incident(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    found_file_id: Annotated[Id, Form()],
    found_at: Annotated[str, Form(max_length=4000)] = "",
    found_on: Annotated[str, Form(max_length=10)] = "",
    reporter: Annotated[str, Form(max_length=4000)] = "",
    suspend_chain: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Open the incident from a traced found file: the holder is suspended at once (and, when
    asked, every holder above it in the chain)."""
    view = services.open_incident_from_evidence(
        shokei.uow,
        actor,
        found_file_id,
        report=services.FoundReport(
            found_at, _day(found_on), reporter or None, suspend_chain=bool(suspend_chain)
        ),
        keys=_keys(shokei),
        scratch_dir=shokei.scratch_dir,
        reporting_hours=shokei.settings.incident_reporting_hours,
    )
    flash(request, "success", _("Leak incident %(id)d is open.") % {"id": view.id})
    return redirect(request, f"/incidents/{view.id}")


@router.get("/incidents")
def incidents_page(request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep) -> Response:
    views = services.list_incidents(shokei.uow, actor)
    return templates.page(request, "incidents/list.html", {"incidents": views})


@router.get("/incidents/{incident_id}")
def incident_page(
    incident_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    view = services.get_incident(shokei.uow, actor, incident_id)
    context = {"incident": view, "may_act": actor.is_official and view.state not in ("closed", "unresolved")}
    return templates.page(request, "incidents/detail.html", context)


@router.post("/incidents/{incident_id}/contain")
def contain(
    incident_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    action: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    services.contain_incident(shokei.uow, actor, incident_id, action)
    flash(request, "success", _("The action is recorded and the incident is contained."))
    return redirect(request, f"/incidents/{incident_id}")


@router.post("/incidents/{incident_id}/close")
def close(
    incident_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    outcome: Annotated[str, Form(max_length=4000)] = "",
    unresolved: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    services.close_incident(shokei.uow, actor, incident_id, outcome, resolved=not unresolved)
    flash(request, "success", _("The incident is closed."))
    return redirect(request, f"/incidents/{incident_id}")


def _incidents_box(context: BoxContext) -> Markup | None:
    try:
        views: list[IncidentView] = services.list_incidents(context.shokei.uow, context.actor, open_only=True)
    except Forbidden:
        return None
    return render_box(
        context.request,
        "incidents/_dashboard_box.html",
        {"incidents": views[:DASHBOARD_INCIDENTS], "open_count": len(views)},
    )


pages = FeaturePages(
    name="incidents",
    router=router,
    templates=Path(__file__).parent / "templates",
    nav=(
        NavItem(N_("Trace a found file"), "/trace", services.may_read),
        NavItem(N_("Leak incidents"), "/incidents", services.may_read),
    ),
    boxes=(Box(DASHBOARD, "incidents", _incidents_box),),
    template_globals={
        "incident_state_label": state_label,
        "trace_method_label": method_label,
        "incident_time_left": time_left,
    },
)
