"""How features plug their pages into the web shell.

Each feature with pages exposes `pages: FeaturePages` in `shokei/<feature>/pages.py`: a router,
its templates folder, menu entries and boxes. A box is a piece of another page that the
feature fills: a dashboard panel, a section of the case page, a section of the company
profile. The shell takes the pages the feature manifest (`shokei.manifest`) declares, in menu
order, so a feature's pages arrive with the feature and nothing else changes. A slot that no
feature fills yet shows a plain "not available yet" box to the roles that will use it: never a made-up figure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup

from shokei.bootstrap import Shokei
from shokei.kernel import Actor, Permission, Role
from shokei.manifest import parts
from shokei.web.i18n import N_

DASHBOARD, CASE, COMPANY, DOCUMENT = "dashboard", "case", "company", "document"


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str  # msgid, translated when shown
    path: str
    visible: Callable[[Actor], bool]  # display only: the services decide what a role may do


@dataclass(frozen=True, slots=True)
class BoxContext:
    request: Request
    shokei: Shokei
    actor: Actor
    today: date
    subject: Any = None  # the case (CaseDetail), company (CompanyView) or document (DocumentDetail)


@dataclass(frozen=True, slots=True)
class Box:
    """A feature's piece of a page; `render` returns its HTML, or None when it is not for this actor."""

    place: str
    slot: str
    render: Callable[[BoxContext], Markup | None]


@dataclass(frozen=True, slots=True)
class HeaderCount:
    """A count in the page header on every page (my duties, my unread notices): `count` returns
    (how many, whether any needs attention now), or None when it is not for this actor."""

    label: str  # msgid, translated when shown
    path: str
    count: Callable[[BoxContext], tuple[int, bool] | None]


@dataclass(frozen=True)
class FeaturePages:
    name: str
    router: APIRouter
    templates: Path | None = None
    nav: tuple[NavItem, ...] = ()
    boxes: tuple[Box, ...] = ()
    header: tuple[HeaderCount, ...] = ()
    template_globals: Mapping[str, Any] = field(default_factory=dict)


def _officials_and_auditor(actor: Actor) -> bool:
    return actor.is_official or actor.role is Role.AUDITOR


def _budget_audience(actor: Actor) -> bool:
    return actor.role in (Role.PROGRAM_MANAGER, Role.NEGOTIATOR, Role.AUDITOR)


def _everyone(actor: Actor) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Slot:
    """A place on a page, in display order; `feature` is the one that will fill it when it is not
    there yet, `title` what the waiting box is called and `audience` who will see it."""

    place: str
    name: str
    feature: str | None = None
    title: str = ""
    audience: Callable[[Actor], bool] = _everyone


SLOTS: tuple[Slot, ...] = (
    Slot(DASHBOARD, "work_queue"),  # what is waiting for me: first on every role's dashboard
    Slot(DASHBOARD, "portal"),
    Slot(DASHBOARD, "cases_by_state"),
    Slot(DASHBOARD, "overdue"),
    Slot(DASHBOARD, "budget", "purchase", N_("Budget for the fiscal year"), _budget_audience),
    Slot(DASHBOARD, "risk_watchlist", "risk", N_("Risk watchlist"), _officials_and_auditor),
    Slot(DASHBOARD, "alerts", "risk", N_("Recent alerts"), _officials_and_auditor),
    Slot(
        DASHBOARD,
        "designations_expiring",
        "secrets",
        N_("Designated secrets expiring soon"),
        _officials_and_auditor,
    ),
    Slot(DASHBOARD, "users", audience=lambda actor: actor.can(Permission.USER_MANAGE)),
    Slot(CASE, "duties"),  # the case's open duties and their clocks, breaches flagged
    Slot(CASE, "assignment"),  # who is assigned; program managers assign, a break-glass opens contents
    Slot(CASE, "documents"),
    Slot(CASE, "designations", "secrets", N_("Designated secrets (装備品等秘密)"), _officials_and_auditor),
    Slot(CASE, "examination", "examination", N_("Examination scores and evidence"), _officials_and_auditor),
    Slot(CASE, "negotiation"),
    Slot(CASE, "measures"),
    Slot(CASE, "purchase", "purchase", N_("Valuation and budget commitment"), _budget_audience),
    Slot(
        CASE, "succession", "succession", N_("Successor ranking and hand-over copies"), _officials_and_auditor
    ),
    Slot(CASE, "ledger"),
    Slot(COMPANY, "risk", "risk", N_("Risk breakdown"), _officials_and_auditor),
    Slot(COMPANY, "ownership", "ownership", N_("Ownership chain"), _officials_and_auditor),
    Slot(COMPANY, "holdings", "succession", N_("Copies held and cases"), _officials_and_auditor),
    Slot(DOCUMENT, "designation", "secrets", N_("Designated secret (装備品等秘密)"), _officials_and_auditor),
    Slot(
        COMPANY,
        "supply_chain",
        "supply_chain",
        N_("Weapon systems supplied and impact of exit"),
        _officials_and_auditor,
    ),
)


def discover() -> list[FeaturePages]:
    """Every feature's pages, in menu order."""
    found: list[FeaturePages] = parts("pages")
    return found


@dataclass(frozen=True, slots=True)
class RenderedBox:
    slot: str
    html: Markup | None  # None: the feature that fills this slot has no pages yet
    title: str = ""
    feature: str | None = None


def render_boxes(features: list[FeaturePages], place: str, context: BoxContext) -> list[RenderedBox]:
    """The boxes of `place` this actor sees, in slot order."""
    filled: dict[str, list[Box]] = {}
    for feature in features:
        for box in feature.boxes:
            if box.place == place:
                filled.setdefault(box.slot, []).append(box)
    slots = [slot for slot in SLOTS if slot.place == place]
    known = {slot.name for slot in slots}
    slots += [Slot(place, name) for name in filled if name not in known]
    rendered = []
    for slot in slots:
        if slot.name in filled:
            for box in filled[slot.name]:
                if (html := box.render(context)) is not None:
                    rendered.append(RenderedBox(slot.name, html))
        elif slot.feature is not None and slot.audience(context.actor):
            rendered.append(RenderedBox(slot.name, None, slot.title, slot.feature))
    return rendered


def boxes_for(
    request: Request, place: str, shokei: Shokei, actor: Actor, subject: Any = None
) -> list[RenderedBox]:
    context = BoxContext(request, shokei, actor, shokei.uow.clock.today(), subject)
    return render_boxes(request.app.state.web.features, place, context)


@dataclass(frozen=True, slots=True)
class ShownCount:
    label: str
    path: str
    count: int
    alert: bool


def header_counts(request: Request, shokei: Shokei, actor: Actor) -> list[ShownCount]:
    """The counts every page's header shows this actor, in menu order."""
    context = BoxContext(request, shokei, actor, shokei.uow.clock.today())
    shown = []
    for feature in request.app.state.web.features:
        for item in feature.header:
            if (counted := item.count(context)) is not None:
                shown.append(ShownCount(item.label, item.path, *counted))
    return shown
