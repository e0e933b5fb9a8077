"""The supply-chain criticality port of the watchlist, and its adapters.

The watchlist asks one question of the supply chain: how critical is each company's exit? Any
object with a `criticality` method answers it (`CriticalitySource`). `SupplyChainCriticality`
asks `shokei.supply_chain.services`, using whichever of these the feature offers:

- `criticality_by_company(uow, actor, corporate_numbers)` -> mapping of corporate number to a
  score (a number, or an object/dict with `score` or `criticality`), or
- `single_points_of_failure(uow, actor, top=N)` -> ranked items with `corporate_number` and
  `criticality` (a number, or an object/dict with `score`), and optionally `systems_hit`,
  `components_lost`, `sole_sourced_components` for the evidence. `N` is the number of registry
  companies, whichever companies are asked about (so one company scored alone gets what the
  whole watchlist gives it), capped at the module's `MAX_SPOF_TOP` if it has one; companies
  below the cap stay unknown.

While neither exists, every company's criticality is unknown and the factor contributes
nothing. `NoCriticality` says so explicitly.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any, Protocol

from shokei.companies import services as companies
from shokei.errors import N_, Text
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.risk.domain import CriticalityFacts

SUPPLY_CHAIN_SERVICES = "shokei.supply_chain.services"
_DETAIL_FIELDS = (
    ("systems_hit", N_("%(count)s weapon systems hit")),
    ("components_lost", N_("%(count)s components lost")),
    ("sole_sourced_components", N_("%(count)s sole-sourced components")),
)
_CRITICALITY = N_("supply-chain criticality %(score)s")


class CriticalitySource(Protocol):
    """Port: the supply-chain criticality of companies, by corporate number (unknown = absent)."""

    def criticality(
        self, uow: UnitOfWork, actor: Actor, corporate_numbers: Sequence[str]
    ) -> Mapping[str, CriticalityFacts]: ...


class NoCriticality:
    """No supply-chain data: nobody is critical."""

    def criticality(
        self, uow: UnitOfWork, actor: Actor, corporate_numbers: Sequence[str]
    ) -> Mapping[str, CriticalityFacts]:
        return {}


class SupplyChainCriticality:
    """Adapter to the supply-chain feature's services (see the module docstring)."""

    def criticality(
        self, uow: UnitOfWork, actor: Actor, corporate_numbers: Sequence[str]
    ) -> Mapping[str, CriticalityFacts]:
        services = _services()
        if services is None or not corporate_numbers:
            return {}
        wanted = set(corporate_numbers)
        by_company = getattr(services, "criticality_by_company", None)
        if callable(by_company):
            answer = by_company(uow, actor, list(corporate_numbers))
            return {str(number): _facts(value) for number, value in answer.items() if str(number) in wanted}
        ranking = getattr(services, "single_points_of_failure", None)
        if callable(ranking):
            items = ranking(uow, actor, top=_ranking_size(services, _registry_size(uow)))
            return {
                str(_field(item, "corporate_number")): _ranked_facts(item)
                for item in items
                if str(_field(item, "corporate_number")) in wanted
            }
        return {}


def _registry_size(uow: UnitOfWork) -> int:
    return max(companies.count_companies(uow), 1)


def _ranking_size(services: ModuleType, wanted: int) -> int:
    # As many places as the registry has companies, whichever companies are asked about, so
    # that one company scored alone gets what the whole watchlist gives it. The ranking may be
    # capped (MAX_SPOF_TOP): companies below the cap are the least critical, and are left
    # unknown (no contribution) rather than guessed.
    cap = getattr(services, "MAX_SPOF_TOP", None)
    return min(wanted, cap) if isinstance(cap, int) else wanted


def _services() -> ModuleType | None:
    try:
        return importlib.import_module(SUPPLY_CHAIN_SERVICES)
    except ModuleNotFoundError as missing:
        if missing.name != SUPPLY_CHAIN_SERVICES:
            raise  # the module exists but something it imports is broken: say so
        return None


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)


def _ranked_facts(item: Any) -> CriticalityFacts:
    """A ranking item: its `criticality` is the score, or an object carrying one."""
    criticality = _field(item, "criticality")
    if isinstance(criticality, int | float) and not isinstance(criticality, bool):
        return CriticalityFacts(
            float(criticality), _detail(item) or Text(_CRITICALITY, {"score": f"{criticality:g}"})
        )
    return _facts(criticality if criticality is not None else 0)


def _detail(value: Any) -> Text | None:
    parts = tuple(
        Text(msgid, {"count": _field(value, name)})
        for name, msgid in _DETAIL_FIELDS
        if _field(value, name) is not None
    )
    if not parts:
        return None
    # A msgid of placeholders only (not in the catalogue): the parts joined by commas.
    return Text(
        ", ".join(f"%(part{n})s" for n in range(len(parts))), {f"part{n}": p for n, p in enumerate(parts)}
    )


def _facts(value: Any) -> CriticalityFacts:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return CriticalityFacts(float(value), Text(_CRITICALITY, {"score": f"{value:g}"}))
    score = _field(value, "score")
    if score is None:
        return _facts(_field(value, "criticality") or 0)
    return CriticalityFacts(float(score), _detail(value) or Text(_CRITICALITY, {"score": f"{score:g}"}))
