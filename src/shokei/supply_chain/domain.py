"""Exit impact on the supply chain, as pure values: what is lost, which systems are hit, how badly.

The loss rules (shared by the engine and the test oracle, `tests/oracles/supply_chain.py`):

- The unit of supply is a (company, component) pair. It is *qualified* when any of its supply
  rows is qualified; unqualified suppliers never keep a component available.
- A component is **lost through its suppliers** when it had at least one qualified supplier and
  every one of them exited. A component with no qualified supplier at all is treated as made
  in-house by the system's prime (or, for a leaf, as a pre-existing data gap): an exit cannot
  take it away directly, so it is lost only through its sub-components.
- A component is **lost through a sub-component** when any of its sub-components is lost: every
  sub-component is required, whatever its quantity.
- A weapon system is **hit** when any of its top-level components is lost. Its BOM is everything
  reachable from its top-level components.
- The **level** of a component in a system is 1 for a top-level component and one more than its
  parent's otherwise; a component reached along paths of different lengths takes the deepest
  (the MRP "low-level code" convention). A hit system's **depth** is the deepest level at which a
  loss originated (a component lost through its suppliers).
"""

from __future__ import annotations

from dataclasses import dataclass

# Criticality weights. A hit weapon system dominates: losing any system outweighs a long list of
# lost parts in systems that still fly.
SYSTEM_HIT_WEIGHT = 100
# One point per lost component per system that needs it, so a part shared by five systems weighs
# five times a part used by one.
SYSTEM_COMPONENT_LOSS_WEIGHT = 1
# Each BOM level between the origin and the top is one more assembly to requalify with a new
# source, so a loss that starts deep takes longer to recover from (and is found later).
ORIGIN_DEPTH_WEIGHT = 10


class BomCycleError(ValueError):
    """The bill of materials is not acyclic: a component (indirectly) contains itself."""

    def __init__(self, cycle: list[int]) -> None:
        self.cycle = cycle
        path = " → ".join(str(component) for component in [*cycle, cycle[0]])
        super().__init__(f"the bill of materials has a cycle: {path}")


def canonical_cycle(cycle: list[int]) -> list[int]:
    """Rotate a cycle (parent → child order) to start at its smallest component id.

    Two finders walking the same cycle from different starting points then name it the same way.
    """
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


@dataclass(frozen=True, slots=True)
class Criticality:
    """How much damage one company's (or one group's) exit does, in explainable parts."""

    systems_hit: int
    components_lost: int
    # Sum over hit systems of the components each lost: a component counts once per system.
    system_component_losses: int
    # Deepest BOM level (top-level component = 1) at which a loss originated; 0 when none.
    deepest_origin_level: int

    @property
    def parts(self) -> dict[str, int]:
        """Each weighted contribution to the score, by name; they add up to `score`."""
        return {
            "systems_hit": SYSTEM_HIT_WEIGHT * self.systems_hit,
            "system_component_losses": SYSTEM_COMPONENT_LOSS_WEIGHT * self.system_component_losses,
            "deepest_origin_level": ORIGIN_DEPTH_WEIGHT * self.deepest_origin_level,
        }

    @property
    def score(self) -> int:
        """The criticality score, the sum of `parts`.

        It is zero when no weapon system is hit (all three parts are then zero): losing parts
        that no weapon system uses is not a defense risk.
        """
        return sum(self.parts.values())


@dataclass(frozen=True, slots=True)
class ComponentLoss:
    """One lost component and why it is lost."""

    component: int
    # All its qualified suppliers, every one of which exited; empty when lost only from below.
    exited_suppliers: tuple[int, ...]
    # Its required sub-components that are lost too (the loss came up through them).
    lost_sub_components: tuple[int, ...]

    @property
    def originated_here(self) -> bool:
        """True when the loss starts at this component (its suppliers exited)."""
        return bool(self.exited_suppliers)


@dataclass(frozen=True, slots=True)
class SystemImpact:
    """How one weapon system is hit."""

    system: int
    lost_components: int  # lost components in this system's BOM, top-level ones included
    depth: int  # deepest level (top-level component = 1) at which a loss originated
    lost_top_components: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ImpactReport:
    """What a set of companies exiting together does; components and systems ascend by id."""

    exited_companies: tuple[int, ...]
    lost_components: tuple[ComponentLoss, ...]
    systems: tuple[SystemImpact, ...]

    @property
    def lost_component_ids(self) -> frozenset[int]:
        """The ids of every lost component."""
        return frozenset(loss.component for loss in self.lost_components)

    @property
    def hit_system_ids(self) -> tuple[int, ...]:
        """The ids of every hit weapon system, ascending."""
        return tuple(system.system for system in self.systems)

    @property
    def criticality(self) -> Criticality:
        """The criticality of this exit, scored like a single point of failure."""
        return Criticality(
            systems_hit=len(self.systems),
            components_lost=len(self.lost_components),
            system_component_losses=sum(system.lost_components for system in self.systems),
            deepest_origin_level=max((system.depth for system in self.systems), default=0),
        )


@dataclass(frozen=True, slots=True)
class SpofEntry:
    """A company whose exit alone loses components that weapon systems need."""

    company: int
    sole_sourced_components: int  # components it is the only qualified supplier of
    criticality: Criticality

    @property
    def score(self) -> int:
        """The criticality score the ranking sorts by."""
        return self.criticality.score


def rank_key(entry: SpofEntry) -> tuple[int, int]:
    """Sort key for the SPOF ranking: highest score first, then lowest company id."""
    return (-entry.score, entry.company)
