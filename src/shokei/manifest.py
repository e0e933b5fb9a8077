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
Named = tuple[tuple[str, str], ...]  # (name, one-line help) of each top-level group or command


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    models: str | None = None  # module defining its tables (on Base.metadata)
    handlers: str | None = None  # "module:function(bus)" subscribing its event handlers
    api: str | None = None  # "module:router" mounted under /api/v1
    cli: str | None = None  # "module:function(root)" adding its groups and commands to `shokei`
    pages: str | None = None  # "module:pages", a web.registry.FeaturePages
    # What `cli` adds to `shokei`, in its order, with the help shown by `shokei --help`: the root
    # lists them without importing the feature, and imports `cli` only when one of them runs
    # (tests/unit/test_manifest.py holds these to what `cli` registers).
    cli_groups: Named = ()
    cli_commands: Named = ()
    # Other features' groups that `cli` adds commands to (they are loaded together).
    cli_extends: tuple[str, ...] = ()


# Which features have a part on each surface, in the order shown there (not the dependency
# order): paths in the API document, groups in `shokei --help`, entries in the menu. A feature
# named here has the usual module for it, `shokei/<name>/{api,cli,pages}.py`.
ORDER: dict[Surface, tuple[str, ...]] = {
    "api": (
        "accounts",
        "companies",
        "cases",
        "documents",
        "audit",
        "supply_chain",
        "ownership",
        "risk",
        "examination",
        "purchase",
        "succession",
        "measures",
        "secrets",
        "incidents",
        "deadlines",
        "notifications",
    ),
    "cli": (
        "accounts",
        "companies",
        "cases",
        "demo",
        "audit",
        "documents",
        "supply_chain",
        "ownership",
        "risk",
        "examination",
        "purchase",
        "succession",
        "measures",
        "secrets",
        "incidents",
        "deadlines",
        "notifications",
        "reporting",
        "operations",
    ),
    "pages": (
        "cases",
        "documents",
        "examination",
        "purchase",
        "succession",
        "measures",
        "secrets",
        "incidents",
        "companies",
        "supply_chain",
        "ownership",
        "risk",
        "audit",
        "accounts",
        "reporting",
        "deadlines",
        "notifications",
    ),
}


def _parts(
    name: str,
    *,
    models: bool = True,
    handlers: bool = False,
    cli_groups: Named = (),
    cli_commands: Named = (),
    cli_extends: tuple[str, ...] = (),
) -> Feature:
    """A feature laid out the usual way: `shokei/<name>/{models,handlers}.py`, and the part of
    each surface whose `ORDER` names it."""
    package = f"shokei.{name}"
    return Feature(
        name,
        models=f"{package}.models" if models else None,
        handlers=f"{package}.handlers:register" if handlers else None,
        api=f"{package}.api:router" if name in ORDER["api"] else None,
        cli=f"{package}.cli:register" if name in ORDER["cli"] else None,
        pages=f"{package}.pages:pages" if name in ORDER["pages"] else None,
        cli_groups=cli_groups,
        cli_commands=cli_commands,
        cli_extends=cli_extends,
    )


FEATURES: tuple[Feature, ...] = (
    _parts(
        "audit",
        handlers=True,
        cli_groups=(("audit", "The tamper-evident audit ledger."),),
    ),
    _parts("accounts", cli_groups=(("user", "Users, roles and API tokens."),)),
    _parts("companies", cli_groups=(("company", "The company registry."),)),
    _parts(
        "supply_chain",
        cli_groups=(
            ("supply", "The supply-chain map: weapon systems, BOMs and suppliers."),
            ("survey", "Supply-chain surveys: campaigns down the tiers, answers validated at the door."),
        ),
        cli_commands=(
            (
                "impact",
                "Exit impact: components that lose every qualified source, and the weapon systems hit.",
            ),
            ("spof", "Single points of failure: the companies whose exit alone does the most damage."),
        ),
    ),
    _parts(
        "ownership",
        handlers=True,
        cli_groups=(
            ("ownership", "Ownership: BODS and register imports, foreign control, ownership events."),
            ("alerts", "Foreign-control alerts raised by ownership changes."),
        ),
    ),
    _parts(
        "risk",
        handlers=True,
        cli_groups=(
            ("risk", "Leak-risk watchlist: explainable scores, financial indicators, company events."),
            ("system", "Weapon systems' supplier bases."),
        ),
    ),
    _parts("interests"),  # declared interests: use cases only
    _parts(
        "cases",
        handlers=True,
        cli_groups=(("case", "Exit cases: notice, inventory, examination, purchase, succession."),),
    ),
    _parts(
        "documents",
        cli_groups=(
            ("docs", "Hand in, read and search design documents."),
            ("vault", "The encrypted document vault."),
        ),
    ),
    _parts(
        "examination",
        handlers=True,
        cli_groups=(("exam", "Examination of technological significance (技術的重要性の審査)."),),
    ),
    _parts(
        "purchase",
        handlers=True,
        cli_groups=(
            ("purchase", "Purchase of the documents: valuation, negotiation, approval, payment."),
            ("budget", "Fiscal-year budget (会計年度: 1 April - 31 March)."),
        ),
    ),
    _parts(
        "secrets",
        cli_groups=(
            ("secret", "Designated secrets (装備品等秘密, Art. 27): designate, renew, lift, the register."),
        ),
    ),
    _parts(
        "succession",
        handlers=True,
        cli_groups=(
            ("successor", "Successor eligibility, ranking, selection and acceptance."),
            ("handover", "Release of traced copies to the successor and dissemination."),
        ),
        cli_commands=(("trace", "Identify which issued copy a file comes from, and its chain of holders."),),
        cli_extends=("company",),  # `company holdings`, the holdings register
    ),
    _parts(
        "measures",
        handlers=True,
        cli_groups=(
            ("measure", "Measures for an escalated case: facility acquisition, succession support, custody."),
            ("facility", "State-held facilities (Art. 29): acquire, entrust, report, transfer."),
        ),
    ),
    _parts(
        "incidents",
        cli_groups=(("incident", "Leak incidents: a found file traced, its holder suspended, the clock."),),
    ),
    _parts(
        "deadlines",
        handlers=True,
        cli_groups=(("deadlines", "Deadlines: the policy that sets every duty's period."),),
        cli_commands=(
            ("duties", "What is waiting for me: my open duties on the cases I may see, most urgent first."),
        ),
    ),
    _parts(
        "notifications",
        handlers=True,
        cli_groups=(("inbox", "My notices (the in-app inbox)."),),
        cli_commands=(
            (
                "worker",
                "Deliver pending notices by e-mail (SHOKEI_SMTP_URL, or the outbox folder), with retries.",
            ),
        ),
    ),
    # Program reports: read the ledger only (no tables of their own, no API yet).
    _parts(
        "reporting",
        models=False,
        cli_groups=(("report", "Program reports computed from the audit ledger."),),
    ),
    _parts("demo", models=False, cli_groups=(("demo", "Demo data."),)),
    # Backup and restore: the installation as a whole, above every feature it reads.
    _parts(
        "operations",
        models=False,
        cli_groups=(("db", "The database: PostgreSQL roles for migrations and for the service."),),
        cli_extends=("vault",),  # `vault fsck`: the documents' and the copies' vaults together
        cli_commands=(
            (
                "backup",
                # The docstring's first paragraph, its line break included (shown as written).
                "Write a consistent, signed backup: the database snapshot, the blobs it refers to, and a\n"
                "manifest of hashes; keys only with --include-keys.",
            ),
            (
                "restore",
                "Restore a backup into an empty data dir and database, then run `vault fsck --deep` and\n"
                "`audit verify` on the result (exit 5 when either fails).",
            ),
        ),
    ),
)


def load(reference: str) -> Any:
    """Import "module" or "module:attribute" and return it."""
    module_name, _, attribute = reference.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def parts(surface: Surface) -> list[Any]:
    """Every feature's part on `surface` (API routers, CLI registrations, FeaturePages), imported,
    in that surface's order."""
    return [load(getattr(feature, surface)) for feature in _in_order(surface)]


def cli_entries() -> tuple[list[tuple[Feature, str, str]], list[tuple[Feature, str, str]]]:
    """Every feature's top-level (commands, groups) on `shokei`, each as (feature, name, help), in
    `shokei --help` order; nothing is imported."""
    present = _in_order("cli")
    commands = [(f, name, text) for f in present for name, text in f.cli_commands]
    groups = [(f, name, text) for f in present for name, text in f.cli_groups]
    return commands, groups


def cli_loaded_with(name: str) -> list[Feature]:
    """The features whose `cli` must be registered, in `shokei --help` order, for the top-level
    group or command `name` to be whole: its own feature, those adding commands to `name`, and
    those whose groups these add to (and so on); nothing is imported. A feature adding commands
    only to another of the owner's groups is not loaded (`docs submit` needs no `vault fsck`)."""
    present = _in_order("cli")
    owner = {entry: f.name for f in present for entry, _ in (*f.cli_groups, *f.cli_commands)}
    chosen = {owner[name]} if name in owner else set()
    chosen |= {feature.name for feature in present if name in feature.cli_extends}
    while True:
        wider = set(chosen)
        for feature in present:
            if feature.name in chosen:
                wider |= {owner[group] for group in feature.cli_extends if group in owner}
        if wider == chosen:
            return [f for f in present if f.name in chosen]
        chosen = wider


def _in_order(surface: Surface) -> list[Feature]:
    by_name = {feature.name: feature for feature in FEATURES}
    return [by_name[name] for name in ORDER[surface]]


def model_modules() -> list[Any]:
    """Every feature's models module, imported: Base.metadata then holds every table."""
    return [load(feature.models) for feature in FEATURES if feature.models is not None]


def wire(bus: MessageBus = default_bus) -> MessageBus:
    """Subscribe every feature's handlers to `bus` (idempotent); returns it. The handlers' modules
    are imported when the bus is first asked for a handler (`MessageBus.defer`), so a command that
    publishes nothing does not import every feature that handles something; and they import their
    feature's services when first called (`kernel.imports.on_first_use`).

    Every table is registered before the first flush of any session: models name the tables of
    other features only by foreign key (no relationship crosses features), and a flush resolves
    those across the whole metadata (an inventory line refers to its stored document, a duty to
    its survey), so a process that reads (`case show`) imports only the tables its queries name."""
    bus.defer(_subscribe_all)
    _register_every_table_before_a_flush()
    return bus


def _register_every_table_before_a_flush() -> None:
    from sqlalchemy import event  # noqa: PLC0415 - `shokei --help` imports this module, not SQLAlchemy
    from sqlalchemy.orm import Session  # noqa: PLC0415 - as above

    if not event.contains(Session, "before_flush", _register_every_table):
        event.listen(Session, "before_flush", _register_every_table)


def _register_every_table(session: object, flush_context: object, instances: object) -> None:
    del session, flush_context, instances
    model_modules()  # after the first time, a lookup in sys.modules per feature


def _subscribe_all(bus: MessageBus) -> None:
    for feature in FEATURES:
        if feature.handlers is not None:
            register: Callable[[MessageBus], None] = load(feature.handlers)
            register(bus)
