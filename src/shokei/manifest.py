"""The feature manifest: every feature declared once, in dependency order (a feature may use only
those listed before it). The composition root (`bootstrap`), the API (`app`), the command line
(`cli`), the web shell (`web.registry`) and the model registry (`all_models`) iterate this list
instead of naming features again.

A feature's parts are named by reference ("module" or "module:attribute") and imported only by the
root that uses them: `bootstrap` imports this module on every command, so naming the routers or
pages here directly would load FastAPI and every page into each CLI run, and the CLI adapters
(which import `bootstrap` through `cli_support`) would import this module while it loads.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from shokei.kernel.bus import MessageBus, default_bus

Surface = Literal["api", "cli", "pages"]


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    models: str | None = None  # module defining its tables (on Base.metadata)
    handlers: str | None = None  # "module:function(bus)" subscribing its event handlers
    api: str | None = None  # "module:router" mounted under /api/v1
    cli: str | None = None  # "module:function(root)" adding its groups and commands to `shokei`
    pages: str | None = None  # "module:pages", a web.registry.FeaturePages
    # Where the feature's part comes on each surface, lowest first, since that is not the
    # dependency order: paths in the API document, groups in `shokei --help`, entries in the menu.
    api_at: int = 0
    cli_at: int = 0
    menu_at: int = 0

    def place(self, surface: Surface) -> int:
        return {"api": self.api_at, "cli": self.cli_at, "pages": self.menu_at}[surface]


def _parts(
    name: str,
    *,
    models: bool = True,
    handlers: bool = False,
    api: bool = True,
    cli: bool = True,
    pages: bool = True,
    api_at: int = 0,
    cli_at: int = 0,
    menu_at: int = 0,
) -> Feature:
    """A feature laid out the usual way: `shokei/<name>/{models,handlers,api,cli,pages}.py`."""
    package = f"shokei.{name}"
    return Feature(
        name,
        models=f"{package}.models" if models else None,
        handlers=f"{package}.handlers:register" if handlers else None,
        api=f"{package}.api:router" if api else None,
        cli=f"{package}.cli:register" if cli else None,
        pages=f"{package}.pages:pages" if pages else None,
        api_at=api_at,
        cli_at=cli_at,
        menu_at=menu_at,
    )


FEATURES: tuple[Feature, ...] = (
    _parts("audit", handlers=True, api_at=5, cli_at=5, menu_at=10),
    _parts("accounts", api_at=1, cli_at=1, menu_at=11),
    _parts("companies", api_at=2, cli_at=2, menu_at=6),
    _parts("supply_chain", api_at=6, cli_at=8, menu_at=7),
    _parts("ownership", handlers=True, api_at=7, cli_at=9, menu_at=8),
    _parts("risk", handlers=True, api_at=8, cli_at=10, menu_at=9),
    _parts("interests", api=False, cli=False, pages=False),  # declared interests: use cases only
    _parts("cases", api_at=3, cli_at=3, menu_at=1),
    _parts("documents", api_at=4, cli_at=6, menu_at=2),
    _parts("examination", handlers=True, api_at=9, cli_at=11, menu_at=3),
    _parts("purchase", handlers=True, api_at=10, cli_at=12, menu_at=4),
    _parts("succession", handlers=True, api_at=11, cli_at=13, menu_at=5),
    _parts("deadlines", handlers=True, pages=False, api_at=12, cli_at=14),
    _parts("notifications", handlers=True, pages=False, api_at=13, cli_at=15),
    # Program reports: read the ledger only (no tables of their own, no API yet).
    _parts("reporting", models=False, api=False, cli_at=16, menu_at=12),
    _parts("demo", models=False, api=False, pages=False, cli_at=4),
    # Backup and restore: the installation as a whole, above every feature it reads.
    _parts("operations", models=False, api=False, pages=False, cli_at=17),
)


def load(reference: str) -> Any:
    """Import "module" or "module:attribute" and return it."""
    module_name, _, attribute = reference.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def parts(surface: Surface) -> list[Any]:
    """Every feature's part on `surface` (API routers, CLI registrations, FeaturePages), imported,
    in that surface's order."""
    present = [feature for feature in FEATURES if getattr(feature, surface) is not None]
    return [load(getattr(feature, surface)) for feature in sorted(present, key=lambda f: f.place(surface))]


def model_modules() -> list[Any]:
    """Every feature's models module, imported: Base.metadata then holds every table."""
    return [load(feature.models) for feature in FEATURES if feature.models is not None]


def wire(bus: MessageBus = default_bus) -> MessageBus:
    """Subscribe every feature's handlers to `bus` (idempotent); returns it."""
    for feature in FEATURES:
        if feature.handlers is not None:
            register: Callable[[MessageBus], None] = load(feature.handlers)
            register(bus)
    return bus
