"""The feature manifest: every feature declared once, in dependency order (a feature may use only
those listed before it). The composition root (`bootstrap`), the API (`app`), the command line
(`cli`), the web shell and the model registry iterate this list instead of naming features again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shokei.audit import handlers as audit_handlers
from shokei.examination import handlers as examination_handlers
from shokei.kernel.bus import MessageBus, default_bus
from shokei.ownership import handlers as ownership_handlers
from shokei.purchase import handlers as purchase_handlers
from shokei.succession import handlers as succession_handlers


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    # Subscribes the feature's event handlers and registers its command handlers on a bus.
    handlers: Callable[[MessageBus], None] | None = None


FEATURES: tuple[Feature, ...] = (
    Feature("audit", handlers=audit_handlers.register),
    Feature("accounts"),
    Feature("companies"),
    Feature("supply_chain"),
    Feature("ownership", handlers=ownership_handlers.register),
    Feature("risk"),
    Feature("interests"),
    Feature("cases"),
    Feature("documents"),
    Feature("examination", handlers=examination_handlers.register),
    Feature("purchase", handlers=purchase_handlers.register),
    Feature("succession", handlers=succession_handlers.register),
    Feature("demo"),
)


def wire(bus: MessageBus = default_bus) -> MessageBus:
    """Subscribe every feature's handlers to `bus` (idempotent); returns it."""
    for feature in FEATURES:
        if feature.handlers is not None:
            feature.handlers(bus)
    return bus
