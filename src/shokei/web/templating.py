"""Jinja2 for every feature's templates: autoescaped, translated, with Shokei's formatting filters.

One view serves a whole page or, for an htmx request, just the fragment it asks for (the way
NetBox does): the page template includes the fragment template, so both render the same markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from shokei.web import formatting, i18n
from shokei.web.i18n import N_
from shokei.web.registry import FeaturePages, NavItem, ShownCount, header_counts
from shokei.web.sessions import session_of

WEB_TEMPLATES = Path(__file__).parent / "templates"


def is_htmx(request: Request) -> bool:
    """An htmx request for a fragment (a boosted link wants the whole page)."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def request_language(request: Request) -> str:
    """Japanese unless this user chose English (whatever language the browser asks for)."""
    session = request.scope.get("shokei.session")
    return i18n.normalise(getattr(session, "lang", None))


class Templates:
    def __init__(self, features: list[FeaturePages]) -> None:
        folders = [WEB_TEMPLATES, *(f.templates for f in features if f.templates is not None)]
        self.env = Environment(
            loader=FileSystemLoader(folders),
            autoescape=True,
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
        )
        self.env.filters.update(
            yen=formatting.yen,
            yen_units=formatting.yen_units,
            number=formatting.number,
            date=formatting.format_date,
            datetime=formatting.format_datetime,
            iso=formatting.iso_datetime,
            fiscal_year=formatting.fiscal_year_label,
            file_size=formatting.file_size,
            message=i18n.message,
        )
        self.env.globals.update(
            fiscal_year_of=formatting.fiscal_year,
            percent=formatting.percent,
            language_names=i18n.LANGUAGE_NAMES,
        )
        for feature in features:
            self.env.globals.update(feature.template_globals)
        home = NavItem(N_("Dashboard"), "/", lambda actor: True)
        self.nav = [home, *(item for feature in features for item in feature.nav)]

    def render_text(
        self, request: Request, name: str, context: Mapping[str, Any], *, whole_page: bool = False
    ) -> str:
        """`whole_page`: this is what the browser will show, so one-shot messages are shown (and
        spent) here; boxes and fragments leave them for the page."""
        with i18n.activate(request_language(request)):
            return self.env.get_template(name).render({**self._base(request, name, whole_page), **context})

    def page(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any],
        *,
        fragment: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        """The full page, or only `fragment` when htmx asks for it."""
        partial = fragment is not None and is_htmx(request)
        chosen = fragment if partial and fragment is not None else name
        html = self.render_text(request, chosen, context, whole_page=not partial)
        response = HTMLResponse(html, status_code=status)
        response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
        return response

    @staticmethod
    def _counts(request: Request, actor: Any, name: str) -> list[ShownCount]:
        if actor is None or _no_counts_on(name):
            return []
        return header_counts(request, request.app.state.shokei, actor)

    def _base(self, request: Request, name: str, whole_page: bool) -> dict[str, Any]:
        session = session_of(request)
        actor = getattr(request.state, "actor", None)
        return {
            "request": request,
            "actor": actor,
            "csrf_token": session.csrf,
            "lang": i18n.current_language(),
            "languages": i18n.LANGUAGES,
            "nav": [item for item in self.nav if actor is not None and item.visible(actor)],
            "flashes": session.pop_flashes() if whole_page else [],
            "header_counts": self._counts(request, actor, name) if whole_page else [],
            "current_path": request.url.path,
            "template_name": name,
        }


def _no_counts_on(name: str) -> bool:
    """Error pages show no counts: the request that failed may have left nothing to count with."""
    return name in ("web/error.html", "web/login.html")


def render_box(request: Request, name: str, context: Mapping[str, Any]) -> Markup:
    """A feature's box on another page: its template rendered in the page's language."""
    templates: Templates = request.app.state.web.templates
    return Markup(templates.render_text(request, name, context))  # noqa: S704 - autoescaped template output
