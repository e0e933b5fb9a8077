"""A generated base (`generator.SyntheticBase`, integer ids) as an import batch with natural keys,
so demos and benchmarks fill the database through the same bulk path as a file import."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shokei.companies.domain import CorporateNumber
from shokei.supply_chain.batch import RecordKind, SupplyBatch
from shokei.supply_chain.generator import SyntheticBase

# Synthetic companies get corporate numbers built from consecutive bases from here on, far from
# the random bases the demo registry draws (collisions there are checked, not assumed away).
SYNTHETIC_NUMBER_BASE = 700_000_000_000
PART_KINDS = (
    "レーダー送受信機",
    "慣性航法装置",
    "油圧アクチュエータ",
    "アンテナ素子",
    "熱交換器",
    "制御基板",
    "高圧ポンプ",
    "光学センサ",
    "減速歯車箱",
    "耐熱合金鍛造品",
    "電源ユニット",
    "配線ハーネス",
    "複合材パネル",
    "シール材",
    "精密軸受",
    "信号処理モジュール",
)


def synthetic_corporate_numbers(count: int, first_base: int = SYNTHETIC_NUMBER_BASE) -> list[str]:
    """`count` valid corporate numbers from consecutive 12-digit bases."""
    return [CorporateNumber.from_base(f"{first_base + n:012d}").value for n in range(count)]


@dataclass(frozen=True, slots=True)
class NaturalKeys:
    """What the generator's integer ids are called in the database."""

    corporate_numbers: Sequence[str]  # per synthetic company
    system_codes: Sequence[str]  # per synthetic system
    system_names: Sequence[str]
    part_prefix: str = "SYN"

    def part_number(self, component: int) -> str:
        return f"{self.part_prefix}-{component:07d}"


def default_keys(base: SyntheticBase) -> NaturalKeys:
    """Keys for a generated national base: synthetic companies, systems SYS-001...; parts SYN-..."""
    systems = base.edges.n_systems
    return NaturalKeys(
        corporate_numbers=synthetic_corporate_numbers(base.edges.n_companies),
        system_codes=[f"SYS-{n + 1:03d}" for n in range(systems)],
        system_names=[f"合成装備 {n + 1:03d}" for n in range(systems)],
    )


def synthetic_batch(base: SyntheticBase, keys: NaturalKeys, source: str) -> SupplyBatch:
    """Every system, component, top-level row, BOM line and supply row of the base."""
    edges = base.edges
    part = keys.part_number
    batch = SupplyBatch(sources=[source])
    batch[RecordKind.SYSTEMS].append_columns(
        source, {"code": list(keys.system_codes), "name": list(keys.system_names)}
    )
    batch[RecordKind.COMPONENTS].append_columns(
        source,
        {
            "part_number": [part(c) for c in range(edges.n_components)],
            "name": [PART_KINDS[c % len(PART_KINDS)] for c in range(edges.n_components)],
        },
    )
    tops = edges.system_top_component.tolist()
    batch[RecordKind.SYSTEM_COMPONENTS].append_columns(
        source,
        {
            "system_code": [keys.system_codes[s] for s in edges.system_id.tolist()],
            "part_number": [part(c) for c in tops],
            "quantity": [1.0] * len(tops),
            "removed": [False] * len(tops),
        },
    )
    _add_bom(batch, base, keys, source)
    _add_supply(batch, base, keys, source)
    return batch


def _add_bom(batch: SupplyBatch, base: SyntheticBase, keys: NaturalKeys, source: str) -> None:
    edges = base.edges
    batch[RecordKind.BOM].append_columns(
        source,
        {
            "parent_part_number": [keys.part_number(c) for c in edges.bom_parent.tolist()],
            "child_part_number": [keys.part_number(c) for c in edges.bom_child.tolist()],
            "quantity": [float(q) for q in base.bom_quantity.tolist()],
            "removed": [False] * int(edges.bom_parent.size),
        },
    )


def _add_supply(batch: SupplyBatch, base: SyntheticBase, keys: NaturalKeys, source: str) -> None:
    edges = base.edges
    rows = int(edges.supply_company.size)
    batch[RecordKind.SUPPLY].append_columns(
        source,
        {
            "corporate_number": [keys.corporate_numbers[c] for c in edges.supply_company.tolist()],
            "part_number": [keys.part_number(c) for c in edges.supply_component.tolist()],
            "tier": [int(t) for t in base.supply_tier.tolist()],
            # float32 shares printed as float64 would show noise digits (0.3333333432674408).
            "share": [round(s, 6) for s in base.supply_share.tolist()],
            "qualified": [bool(q) for q in edges.supply_qualified.tolist()],
            "removed": [False] * rows,
        },
    )
