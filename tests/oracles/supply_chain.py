"""The test oracle of the supply-chain engine: the exit-impact rules on dicts and sets.

It answers the same questions as `SupplyGraph`, the obvious way and independently (its own cycle
finder, per-system BOM walks, one impact per company for the SPOF ranking), so the tests can hold
the fast engine to it on many random graphs. It is fine for a few thousand components, not for
the national base. No recursion: BOMs can be deep enough to exhaust Python's stack.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from shokei.supply_chain.domain import (
    BomCycleError,
    ComponentLoss,
    ImpactReport,
    SpofEntry,
    SystemImpact,
    canonical_cycle,
    rank_key,
)


class ReferenceSupplyGraph:
    """The supply-chain map as plain Python containers; same loss rules as the engine."""

    def __init__(
        self,
        bom: Iterable[tuple[int, int]],
        supply: Iterable[tuple[int, int, bool]],
        system_tops: Iterable[tuple[int, int]],
        n_companies: int,
    ) -> None:
        """`bom` holds (parent, child), `supply` (company, component, qualified) and
        `system_tops` (system, top-level component) rows. Raises BomCycleError on a cycle."""
        self.n_companies = n_companies
        self.children: dict[int, set[int]] = {}
        self.parents: dict[int, set[int]] = {}
        for parent, child in bom:
            self.children.setdefault(parent, set()).add(child)
            self.parents.setdefault(child, set()).add(parent)
        self.suppliers: dict[int, set[int]] = {}
        for company, component, qualified in supply:
            if qualified:
                self.suppliers.setdefault(component, set()).add(company)
        self.tops: dict[int, set[int]] = {}
        for system, top in system_tops:
            self.tops.setdefault(system, set()).add(top)
        cycle = find_cycle(self.children)
        if cycle is not None:
            raise BomCycleError(cycle)

    @classmethod
    def from_edges(
        cls,
        *,
        bom_parent: Sequence[int],
        bom_child: Sequence[int],
        supply_company: Sequence[int],
        supply_component: Sequence[int],
        supply_qualified: Sequence[bool],
        system_id: Sequence[int],
        system_top_component: Sequence[int],
        n_companies: int,
    ) -> ReferenceSupplyGraph:
        """Same columns as `SupplyGraph.from_edges` (component and system counts are implied)."""
        return cls(
            bom=zip(bom_parent, bom_child, strict=True),
            supply=zip(supply_company, supply_component, supply_qualified, strict=True),
            system_tops=zip(system_id, system_top_component, strict=True),
            n_companies=n_companies,
        )

    def add_supply(self, company: int, component: int, qualified: bool = True) -> None:
        """Record a supply pair; `qualified=False` makes it not count."""
        if qualified:
            self.suppliers.setdefault(component, set()).add(company)
        else:
            self.remove_supply(company, component)

    def remove_supply(self, company: int, component: int) -> None:
        """Drop a supply pair."""
        self.suppliers.get(component, set()).discard(company)

    def impact(self, company_ids: Iterable[int]) -> ImpactReport:
        """What is lost and which systems are hit if these companies exit together."""
        exited = set(company_ids)
        origins = {
            component for component, suppliers in self.suppliers.items() if suppliers and suppliers <= exited
        }
        lost = self._lost_from(origins)
        losses = tuple(
            ComponentLoss(
                component=component,
                exited_suppliers=tuple(sorted(self.suppliers[component])) if component in origins else (),
                lost_sub_components=tuple(sorted(self.children.get(component, set()) & lost)),
            )
            for component in sorted(lost)
        )
        systems = tuple(
            impact
            for system in sorted(self.tops)
            if (impact := self._system_impact(system, lost, origins)) is not None
        )
        return ImpactReport(tuple(sorted(exited)), losses, systems)

    def single_points_of_failure(self, top: int) -> list[SpofEntry]:
        """Every company scored by its own exit's impact, best first, hitless ones left out."""
        entries = []
        for company in range(self.n_companies):
            criticality = self.impact([company]).criticality
            sole = sum(1 for suppliers in self.suppliers.values() if suppliers == {company})
            if criticality.score > 0:
                entries.append(SpofEntry(company, sole, criticality))
        return sorted(entries, key=rank_key)[:top]

    def _lost_from(self, origins: set[int]) -> set[int]:
        """Origins plus everything that contains one, directly or not (a component is lost when
        any required sub-component is)."""
        lost = set(origins)
        pending = list(origins)
        while pending:
            for parent in self.parents.get(pending.pop(), ()):
                if parent not in lost:
                    lost.add(parent)
                    pending.append(parent)
        return lost

    def _system_impact(self, system: int, lost: set[int], origins: set[int]) -> SystemImpact | None:
        tops = self.tops[system]
        lost_tops = tops & lost
        if not lost_tops:
            return None
        levels = self._deepest_levels(tops)
        return SystemImpact(
            system=system,
            lost_components=len(levels.keys() & lost),
            depth=max(levels[component] for component in levels.keys() & origins),
            lost_top_components=tuple(sorted(lost_tops)),
        )

    def _deepest_levels(self, tops: set[int]) -> dict[int, int]:
        """Level of every component in the BOM under `tops`: top-level = 1, deepest path wins."""
        members = self._reachable(tops)
        waiting = {node: len(self.parents.get(node, set()) & members) for node in members}
        ready = deque(node for node, count in waiting.items() if count == 0)
        levels = dict.fromkeys(tops, 1)
        while ready:
            node = ready.popleft()
            # Every member hangs below a top, so its level is final once its parents are done.
            for child in self.children.get(node, ()):
                levels[child] = max(levels.get(child, 0), levels[node] + 1)
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)
        return levels

    def _reachable(self, starts: set[int]) -> set[int]:
        seen = set(starts)
        pending = list(starts)
        while pending:
            for child in self.children.get(pending.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    pending.append(child)
        return seen


def find_cycle(children: dict[int, set[int]]) -> list[int] | None:
    """One cycle of a directed graph in parent → child order, or None when it is acyclic.

    Iterative depth-first search: meeting a component that is still on the current path closes
    a cycle, which is that stretch of the path.
    """
    finished: set[int] = set()
    for root in sorted(children):
        if root in finished:
            continue
        path = [root]
        on_path = {root}
        branches = [iter(sorted(children.get(root, ())))]
        while branches:
            child = next(branches[-1], None)
            if child is None:
                finished.add(path[-1])
                on_path.discard(path.pop())
                branches.pop()
            elif child in on_path:
                return canonical_cycle(path[path.index(child) :])
            elif child not in finished:
                path.append(child)
                on_path.add(child)
                branches.append(iter(sorted(children.get(child, ()))))
    return None
