"""Tables of the supply_chain feature: weapon systems, components, their BOM and who supplies them.

Every row has a natural key (system code, part number, corporate number) so imports are
incremental upserts. Suppliers are keyed by corporate number, not by registry id: the national
supply map is far larger than the company registry and is imported on its own (the registry is
consulted only to name companies in answers).

`supply_chain_state` and `supply_changes` let every process keep its in-memory graph current
(see `shokei.supply_chain.cache`): each import bumps the revision, and a supply-only import logs
the pairs it changed so a cached graph can apply them instead of reloading everything.

Survey campaigns (`survey_*`) are how the map arrives from its real source: respondents answer
for their own suppliers and forward the survey down the tiers (`shokei.supply_chain.survey`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId, JsonDoc


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


class ForeignSupplyRelation(Base):
    """A foreign company (country + its own registry's id) supplies the component.

    Foreign suppliers have no Japanese corporate number, so they are kept beside the domestic
    pairs: counted in a weapon system's supplier base and as alternative sources there, while
    exit impact (which asks what a domestic exit loses) reads the domestic pairs only.
    """

    __tablename__ = "foreign_supply_relations"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    registry_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    component_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("components.id"), primary_key=True, index=True
    )
    tier: Mapped[int] = mapped_column(SmallInteger)
    share: Mapped[float | None] = mapped_column(Float)
    qualified: Mapped[bool] = mapped_column(Boolean)


class SurveyCampaign(Base):
    """A supply-chain survey (サプライチェーン調査) of one weapon system, open until closed."""

    __tablename__ = "survey_campaigns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    system_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("weapon_systems.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(64))


class SurveyRespondent(Base):
    """A company asked in a campaign: by the officials (tier 1) or forwarded by a respondent."""

    __tablename__ = "survey_respondents"
    __table_args__ = (UniqueConstraint("campaign_id", "corporate_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("survey_campaigns.id"), index=True)
    corporate_number: Mapped[str] = mapped_column(String(13), index=True)
    tier: Mapped[int] = mapped_column(SmallInteger)
    asked_by_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("survey_respondents.id"))
    status: Mapped[str] = mapped_column(String(16))
    # Part numbers the respondent is asked about (an answer leaving one out is partial).
    asked_parts: Mapped[list[str]] = mapped_column(JsonDoc)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SurveyAnswer(Base):
    """One upload of a respondent, accepted or refused, kept with its source file.

    The latest accepted answer is the respondent's answer; `supply_keys` are the supply pairs it
    applied, so a later answer removes the ones it no longer gives.
    """

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("survey_respondents.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    accepted: Mapped[bool] = mapped_column(Boolean)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc)
    applied: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    supply_keys: Mapped[list[list[str]]] = mapped_column(JsonDoc)
