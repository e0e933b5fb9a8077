"""What the ownership use cases return: fractions 0-1 for computed figures, declared shares as
decimal percent text (exact as published)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class EntityRef(BaseModel):
    """An entity as a person reads it. `reference` is what `shokei ownership control` accepts:
    the corporate number of a registry company, else its first `SCHEME-ID`, else its recordId."""

    reference: str
    name: str
    kind: str
    country: str | None


class EntityView(EntityRef):
    key: str
    corporate_number: str | None
    identifiers: list[str]
    record_ids: list[str]


class ChainStep(EntityRef):
    holds: float | None  # its direct stake in the next entity of the chain; None for the last


class ChainView(BaseModel):
    """A path of ownership from an ultimate foreign owner down to the company, and its share."""

    share: float
    path: list[ChainStep]


class OwnerView(EntityRef):
    direct: float
    integrated: float


class DeclaredIndirectView(BaseModel):
    """An indirect share a source declared, beside what the recorded chain computes.

    `computed` is None when links on the way have no share (`missing_links`, holder then held).
    """

    owner: EntityRef
    declared: dict[str, str]
    computed: float | None
    missing_links: list[tuple[str, str]]


class ControlView(BaseModel):
    entity: EntityView
    as_of: date
    direct_foreign: float
    integrated_foreign: float
    attributed_foreign: float
    foreign_controlled: bool
    foreign_control: float
    by_country: dict[str, float]
    chains: list[ChainView]
    owners: list[OwnerView]
    declared_indirect: list[DeclaredIndirectView]


class AlertHoldingsView(BaseModel):
    """The copies the alerted company holds (issued or recalled) and the cases they belong to."""

    copies: int
    cases: list[int]


class AlertView(BaseModel):
    id: int
    corporate_number: str | None
    company_name: str
    threshold: float
    status: str
    foreign_control: float
    measures: dict[str, float]
    chain: ChainView | None
    cause: str
    raised_at: datetime
    resolved_at: datetime | None
    resolved_cause: str | None
    resolved_measures: dict[str, float] | None
    holdings: AlertHoldingsView | None = None  # filled where alerts are listed
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledgement_note: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_reason: str | None = None


class InterestChangeView(BaseModel):
    change_id: int
    owner: EntityRef
    owned: EntityRef
    before: str | None
    after: str
    effective_date: date
    recomputed: int
    alerts_raised: list[AlertView]
    alerts_resolved: list[AlertView]


class RejectedStatement(BaseModel):
    """A statement (BODS) or row (CSV, `position` = line number) that was not imported."""

    statement_id: str | None
    position: int
    reason: str


class MatchCandidateView(BaseModel):
    id: int
    entity: EntityRef
    corporate_number: str | None
    company_name: str
    score: float
    status: str


class LinkView(BaseModel):
    entity: EntityRef
    corporate_number: str | None
    company_name: str


class ImportReport(BaseModel):
    import_id: int
    format: str
    file: str
    sha256: str
    read: int
    imported: dict[str, int]
    rejected: list[RejectedStatement]
    linked: list[LinkView]
    review: list[MatchCandidateView]
    closed: list[str]
    alerts_raised: list[AlertView]
    alerts_resolved: list[AlertView]


class ExportReport(BaseModel):
    file: str
    statements: int
    entities: int
    relationships: int


class ThresholdsView(BaseModel):
    levels: list[float]  # fractions 0-1, ascending
    updated_at: datetime | None
    updated_by: str | None


class ThresholdsChange(ThresholdsView):
    alerts_raised: list[AlertView]
    alerts_resolved: list[AlertView]


class MatchDecision(BaseModel):
    candidate: MatchCandidateView
    alerts_raised: list[AlertView]
    alerts_resolved: list[AlertView]


class AcquisitionView(BaseModel):
    """A recorded rise of a foreign (or foreign-controlled) holder's stake in a company."""

    owner: EntityRef
    before: str | None
    after: str
    effective_date: date


class CompanyForeignExposure(BaseModel):
    """What the risk watchlist needs about one registry company's foreign ownership."""

    company_id: int
    direct_foreign: float
    integrated_foreign: float
    attributed_foreign: float
    foreign_control: float
    chain: ChainView | None
    acquisitions: list[AcquisitionView]
