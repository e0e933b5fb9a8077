"""The program report in the web pages (program managers and auditors): the fiscal year's
figures from the audit ledger, bar charts of the cases by state and of each budget line, the
case listing, and the downloads (JSON, CSV, XLSX, PDF). The services decide who may read it;
the charts are SVG drawn by the template from the figures computed here (no script, no inline
style)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Query, Request, Response
from fastapi.responses import Response as RawResponse

from shokei.api_support import ShokeiDep
from shokei.errors import NotFound, Text
from shokei.kernel import Actor, Permission
from shokei.kernel.bounds import Year
from shokei.reporting import exports, services
from shokei.reporting.domain import BUDGET_FIGURES
from shokei.web import formatting
from shokei.web.i18n import N_, label
from shokei.web.registry import FeaturePages, NavItem
from shokei.web.routing import TemplatesDep, WebActor, page_router

router = page_router()
CHART_WIDTH = 600  # SVG user units; the chart scales with the page
BUDGET_LABELS: dict[str, str] = {
    "appropriated": N_("Appropriated"),
    "committed": N_("Committed, unpaid"),
    "paid": N_("Paid"),
    "carried_in": N_("Carried in from the previous year"),
    "carried_out": N_("Carried over into the next year"),
    "lapsed": N_("Lapsed"),
}
LINE_TITLES: dict[str, str] = {
    "purchases": N_("Budget: purchase of design documents"),
    "facilities": N_("Budget: facilities"),
}
DOWNLOADS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def report_audience(actor: Actor) -> bool:
    """Who is shown the menu entry; the services decide who may read reports."""
    return actor.can(Permission.REPORT_READ)


@dataclass(frozen=True, slots=True)
class ChartBar:
    kind: str  # the figure's name: the CSS class and the data attribute
    label: str
    amount: int
    y: int
    width: float


def budget_chart(figures: dict[str, int], width: int = CHART_WIDTH) -> list[ChartBar]:
    """One horizontal bar per budget figure, as long as its share of the largest."""
    scale = max([figures[k] for k in BUDGET_FIGURES] + [0])
    return [
        ChartBar(
            kind,
            label(BUDGET_LABELS, kind),
            figures[kind],
            index * 30,
            round(width * figures[kind] / scale, 2) if scale else 0.0,
        )
        for index, kind in enumerate(BUDGET_FIGURES)
    ]


def state_chart(by_state: dict[str, int], width: int = CHART_WIDTH) -> list[ChartBar]:
    """One horizontal bar per state that holds cases at the year's end, scaled to the largest
    (the template labels each with the cases feature's state label)."""
    scale = max([*by_state.values(), 0])
    return [
        ChartBar(state, state, count, index * 30, round(width * count / scale, 2) if scale else 0.0)
        for index, (state, count) in enumerate(by_state.items())
    ]


def line_title(line: str) -> str:
    """A budget line's heading in the reader's language (the line's code when unlabelled)."""
    return label(LINE_TITLES, line)


@router.get("/reports")
def reports_page(
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    templates: TemplatesDep,
    fy: Annotated[Year | None, Query()] = None,  # the service checks the year
) -> Response:
    """The fiscal year's program report with its chart and downloads."""
    current = formatting.fiscal_year(shokei.uow.clock.today())
    year = fy if fy is not None else current
    report = services.program_report(shokei.uow, actor, fiscal_year=year)
    context: dict[str, Any] = {
        "report": report,
        "years": list(range(current - 4, current + 1)),
        "budget_lines": [
            (line, line_title(line), figures, budget_chart(figures))
            for line, figures in report["budget"].items()
        ],
        "state_bars": state_chart(report["cases"]["by_state"]),
        "budget_labels": {k: label(BUDGET_LABELS, k) for k in BUDGET_FIGURES},
        "chart_width": CHART_WIDTH,
        "downloads": list(DOWNLOADS),
    }
    return templates.page(request, "reporting/reports.html", context)


@router.get("/reports/program-{year}.{kind}")
def download(year: Year, kind: str, shokei: ShokeiDep, actor: WebActor) -> Response:
    """The report as a file (JSON, CSV, XLSX, PDF), computed now."""
    if kind not in DOWNLOADS:
        raise NotFound(Text(N_("no %(kind)s report"), {"kind": kind}))
    report = services.program_report(shokei.uow, actor, fiscal_year=year)
    name = f"shokei-program-report-fy{year}.{kind}"
    if kind == "json":
        body = json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")
    else:
        with tempfile.TemporaryDirectory() as scratch:
            out = exports.write(report, kind, Path(scratch) / name)
            body = out.read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return RawResponse(body, media_type=DOWNLOADS[kind], headers=headers)


pages = FeaturePages(
    name="reporting",
    router=router,
    templates=Path(__file__).parent / "templates",
    nav=(NavItem(N_("Reports"), "/reports", report_audience),),
)
