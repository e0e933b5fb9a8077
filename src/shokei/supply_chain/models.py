"""Tables of the supply_chain feature: weapon systems, components, their BOM and who supplies them.

Every row has a natural key (system code, part number, corporate number) so imports are
incremental upserts. Suppliers are keyed by corporate number, not by registry id: the national
supply map is far larger than the company registry and is imported on its own (the registry is
consulted only to name companies in answers).

`supply_chain_state` and `supply_changes` let every process keep its in-memory graph current
(see `shokei.supply_chain.cache`): each import bumps the revision, and a supply-only import logs
the pairs it changed so a cached graph can apply them instead of reloading everything.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId


class WeaponSystem(Base):
    __tablename__ = "weapon_systems"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))


class Component(Base):
    __tablename__ = "components"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    part_number: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))


class SystemComponent(Base):
    """A top-level component of a weapon system (its BOM is everything below these)."""

    __tablename__ = "system_components"

    system_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("weapon_systems.id"), primary_key=True)
    component_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("components.id"), primary_key=True, index=True
    )
    quantity: Mapped[float] = mapped_column(Float)


class BomLine(Base):
    """The parent assembly is made with `quantity` of the child component."""

    __tablename__ = "bom_lines"

    parent_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("components.id"), primary_key=True)
    child_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("components.id"), primary_key=True, index=True
    )
    quantity: Mapped[float] = mapped_column(Float)


class SupplyRelation(Base):
    """The company (by corporate number) supplies the component; only qualified rows count."""

    __tablename__ = "supply_relations"

    corporate_number: Mapped[str] = mapped_column(String(13), primary_key=True)
    component_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("components.id"), primary_key=True, index=True
    )
    tier: Mapped[int] = mapped_column(SmallInteger)
    share: Mapped[float | None] = mapped_column(Float)
    qualified: Mapped[bool] = mapped_column(Boolean)


class SupplyChainState(Base):
    """The single row saying which revision of the map the database holds.

    `generation` changes whenever the row is created afresh (a new or emptied database), so a
    cached graph never mistakes a restarted revision count for its own. The change log holds every
    supply change made after `log_from_revision`.
    """

    __tablename__ = "supply_chain_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(BigInteger)
    log_from_revision: Mapped[int] = mapped_column(BigInteger)


class SupplyChange(Base):
    """A supply pair's qualified state as of `revision` (False also when the row was removed)."""

    __tablename__ = "supply_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, index=True)
    corporate_number: Mapped[str] = mapped_column(String(13))
    component_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("components.id"))
    qualified: Mapped[bool] = mapped_column(Boolean)
