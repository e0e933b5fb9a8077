"""The feature manifest: every feature declared once, in dependency order (a feature may use only
those listed before it). The composition root (`bootstrap`), the API (`app`), the command line
(`cli`), the web shell and the model registry iterate this list instead of naming features again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shokei.audit import handlers as audit_handlers
from shokei.kernel.bus import MessageBus, default_bus


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
    Feature("ownership"),
    Feature("risk"),
    Feature("cases"),
    Feature("documents"),
    Feature("examination"),
    Feature("purchase"),
    Feature("succession"),
    Feature("demo"),
)


def wire(bus: MessageBus = default_bus) -> MessageBus:
    """Subscribe every feature's handlers to `bus` (idempotent); returns it."""
    for feature in FEATURES:
        if feature.handlers is not None:
            feature.handlers(bus)
    return bus
