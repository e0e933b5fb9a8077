"""Existing supply relationships for ranking, read from the supply map (the supply_chain feature).

A company supplies a weapon system when one of the components it is a **qualified** supplier of
lies in that system's bill of materials: the component itself is a top-level component of the
system, or an assembly above it is (walked up `bom_lines`). One recursive query answers for any
number of companies at once, so a ranking over ~200 candidates costs one round trip per 500.

The supply_chain feature answers impact questions from its in-memory engine but offers no
"systems supplied by these companies" service; until it does, this adapter reads its tables
(read-only) — the one place succession does so.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shokei.supply_chain.models import BomLine, SupplyRelation, SystemComponent, WeaponSystem

BATCH = 500


def systems_supplied(session: Session, corporate_numbers: Iterable[str]) -> dict[str, frozenset[str]]:
    """Weapon system codes each company supplies into (companies supplying none are absent)."""
    numbers = sorted({number for number in corporate_numbers if number})
    found: dict[str, set[str]] = {}
    for start in range(0, len(numbers), BATCH):
        batch = numbers[start : start + BATCH]
        supplied = (
            select(
                SupplyRelation.corporate_number.label("number"),
                SupplyRelation.component_id.label("component"),
            )
            .where(SupplyRelation.corporate_number.in_(batch), SupplyRelation.qualified.is_(True))
            .cte("supplied_up", recursive=True)
        )
        above = select(supplied.c.number, BomLine.parent_id).join(
            BomLine, BomLine.child_id == supplied.c.component
        )
        walk = supplied.union(above)
        rows = session.execute(
            select(walk.c.number, WeaponSystem.code)
            .join(SystemComponent, SystemComponent.component_id == walk.c.component)
            .join(WeaponSystem, WeaponSystem.id == SystemComponent.system_id)
            .distinct()
        ).all()
        for number, code in rows:
            found.setdefault(number, set()).add(code)
    return {number: frozenset(codes) for number, codes in found.items()}


def system_codes(session: Session, names: Iterable[str]) -> dict[str, str]:
    """Free-text weapon system names (inventory lines, documents) mapped to system codes, where the
    text is a registered system's code or name; unknown texts are absent."""
    wanted = sorted({name.strip() for name in names if name and name.strip()})
    if not wanted:
        return {}
    rows = session.execute(
        select(WeaponSystem.code, WeaponSystem.name).where(
            or_(WeaponSystem.code.in_(wanted), WeaponSystem.name.in_(wanted))
        )
    ).all()
    codes: dict[str, str] = {}
    for code, name in rows:
        for text in (code, name):
            if text in wanted:
                codes.setdefault(text, code)
    return codes
