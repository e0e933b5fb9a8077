"""The evidence panel's supply-chain port and its adapters.

The examination shows, beside the scores, what the supply chain knows about the withdrawing
company: the weapon systems its parts go into and the components it is the only source of (which
fires the `single_source` hard rule). The supply-chain feature provides that through
`shokei.supply_chain.services.exit_impact_evidence(uow, actor, company_id)`; until it does, the
panel says the evidence is not available and no single-source rule can fire.

The provider's answer may be an object or a mapping with `systems` (or `weapon_systems`) and
`single_source_components` (each a sequence of names, or of items with a `part_number`, `code` or
`id` and a `name`). A provider that exists but fails, or answers in another shape, stops the
determination: deciding without evidence that exists would be deciding blind.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from shokei.errors import N_, ShokeiError, Text
from shokei.examination.domain import NO_SUPPLY_CHAIN, SupplyChainFindings
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork

PROVIDER_MODULE = "shokei.supply_chain.services"
PROVIDER_FUNCTION = "exit_impact_evidence"
_SYSTEM_FIELDS = ("weapon_systems", "systems_affected", "systems")
_SOURCE_FIELDS = ("single_source_components", "sole_source_components", "sole_sourced_components")
_ITEM_KEYS = ("part_number", "code", "id")  # how an item is identified
_ITEM_NAMES = ("name", "label")  # what people call it


class SupplyChainEvidence(Protocol):
    """Port: what the supply chain says about a company, for the examination's evidence panel."""

    def findings(self, uow: UnitOfWork, actor: Actor, company_id: int) -> SupplyChainFindings: ...


class EvidenceUnavailable(ShokeiError):
    exit_code = 1
    http_status = 503
    title = "Evidence unavailable"


class NoSupplyChainEvidence:
    """For installations (and tests) without the supply-chain feature."""

    def findings(self, uow: UnitOfWork, actor: Actor, company_id: int) -> SupplyChainFindings:
        return NO_SUPPLY_CHAIN


class SupplyChainServiceEvidence:
    """Adapter over the supply-chain feature's service, looked up at call time so the feature
    plugs in when it is installed, with nothing to change here."""

    def findings(self, uow: UnitOfWork, actor: Actor, company_id: int) -> SupplyChainFindings:
        provider = _provider()
        if provider is None:
            return NO_SUPPLY_CHAIN
        return normalise(provider(uow, actor, company_id))


def _provider() -> Callable[[UnitOfWork, Actor, int], object] | None:
    try:
        module = importlib.import_module(PROVIDER_MODULE)
    except ModuleNotFoundError as error:
        missing = error.name or ""
        if not (missing == PROVIDER_MODULE or PROVIDER_MODULE.startswith(missing + ".")):
            raise  # the feature is there but something it imports is missing: a real fault
        return None
    provider = getattr(module, PROVIDER_FUNCTION, None)
    return provider if callable(provider) else None


def normalise(answer: object) -> SupplyChainFindings:
    """The provider's answer as the panel's findings (see the module docstring for shapes)."""
    if answer is None:
        return SupplyChainFindings(True, note="the supply chain holds nothing about this company")
    systems, sources = _first_field(answer, _SYSTEM_FIELDS), _first_field(answer, _SOURCE_FIELDS)
    if systems is None and sources is None:
        raise EvidenceUnavailable(
            Text(
                N_(
                    "supply-chain evidence came as %(name__)s without %(value)s: the "
                    "examination cannot weigh it"
                ),
                {
                    "name__": type(answer).__name__,
                    "value": " or ".join(_SYSTEM_FIELDS[:1] + _SOURCE_FIELDS[:1]),
                },
            )
        )
    return SupplyChainFindings(True, _names(systems or ()), _names(sources or ()))


def _first_field(answer: object, names: Iterable[str]) -> Iterable[object] | None:
    for name in names:
        value = answer.get(name) if isinstance(answer, Mapping) else getattr(answer, name, None)
        if value is not None:
            return value  # type: ignore[no-any-return]
    return None


def _names(items: Iterable[object]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_name(item) for item in items))


def _name(item: object) -> str:
    """`P-123 (name)`, or whichever of the two the item has."""
    if isinstance(item, str | int):
        return str(item)
    key, name = _first_value(item, _ITEM_KEYS), _first_value(item, _ITEM_NAMES)
    if key and name and key != name:
        return f"{key} ({name})"
    return key or name or str(item)


def _first_value(item: object, fields: Iterable[str]) -> str | None:
    for field in fields:
        value = item.get(field) if isinstance(item, Mapping) else getattr(item, field, None)
        if value:
            return str(value)
    return None


def default_supply_chain() -> SupplyChainEvidence:
    return SupplyChainServiceEvidence()
