"""What the supply-chain use cases return (the CLI prints these, the API serves them).

Systems and components are named by their natural keys (system code, part number): the keys
the map was imported with.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ImportCounts(BaseModel):
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


class ImportReport(BaseModel):
    revision: int  # the map's revision after this import (the ledger entry's subject)
    sources: list[str]
    systems: ImportCounts
    components: ImportCounts
    system_components: ImportCounts
    bom: ImportCounts
    supply: ImportCounts
    structural: bool  # systems, components or BOM changed: cached graphs reload


class ExportReport(BaseModel):
    directory: str
    format: str
    files: dict[str, int]  # file name -> rows written


class CompanyImpact(BaseModel):
    corporate_number: str
    name: str | None  # from the company registry, when the company is registered
    registered: bool
    qualified_components: int  # components it is a qualified supplier of now


class SystemImpactView(BaseModel):
    id: str  # system code
    name: str
    lost_components: int
    depth: int  # deepest BOM level (top-level component = 1) where a loss originated
    lost_top_components: list[str]


class ImpactView(BaseModel):
    companies: list[CompanyImpact]
    lost_components: int
    criticality: int
    systems_hit: int
    system_component_losses: int
    deepest_origin_level: int
    systems: list[SystemImpactView]
    components: list[str] = Field(description="lost part numbers, ascending, at most `limit`")
    single_source_components: list[str] = Field(
        description="lost part numbers whose every qualified supplier exits, at most `limit`"
    )
    limit: int


class SpofEntryView(BaseModel):
    rank: int
    corporate_number: str
    name: str | None
    criticality: int
    sole_sourced_components: int
    systems_hit: int
    components_lost: int
    system_component_losses: int
    deepest_origin_level: int


class ComponentRef(BaseModel):
    part_number: str
    name: str | None


class ExitImpactEvidence(BaseModel):
    """What one company's exit does to the weapon systems: evidence for its examination."""

    company_id: int
    corporate_number: str | None
    criticality: int
    systems: list[SystemImpactView]
    single_source_components: list[ComponentRef]
    lost_components: int
