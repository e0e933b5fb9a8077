"""Ownership use cases: imports and export, ownership events, foreign control, alerts, matches.

Each use case authorises, loads, decides (domain and engine), saves and audits in one
transaction. Figures are computed as of the clock's today, from the interests in force, over
the entities concerned only: for a control query an entity and everything above it; for an
ownership event the company changed, everything below it, and all their holders.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.accounts.domain import Actor
from shokei.audit import services as audit
from shokei.audit.domain import AuditEvent
from shokei.companies import services as companies
from shokei.companies.schemas import CompanyView
from shokei.db import UnitOfWork
from shokei.errors import BadInput, Conflict, Forbidden, NotFound
from shokei.ownership import entities
from shokei.ownership.alerting import (
    OPEN,
    THRESHOLDS_SETTING,
    Evaluation,
    Outcome,
    configured_levels,
)
from shokei.ownership.bods import (
    Publication,
    parse_bods,
    parse_identifier,
)
from shokei.ownership.bods import export_bods as bods_statements
from shokei.ownership.changes import parse_percent, set_stake
from shokei.ownership.domain import (
    EntityKind,
    OwnershipPermission,
    foreign_control,
    may,
    parse_alert_levels,
)
from shokei.ownership.exporting import stored_document
from shokei.ownership.exposure import company_exposures
from shokei.ownership.importing import PENDING, BodsLoader, CsvLoader, Loading, csv_rows
from shokei.ownership.merging import merge_into
from shokei.ownership.models import (
    OwnershipAlert,
    OwnershipEntity,
    OwnershipImport,
    OwnershipMatchCandidate,
    OwnershipSetting,
)
from shokei.ownership.names import normalize_company_name
from shokei.ownership.registry import RegistryIndex
from shokei.ownership.schemas import (
    AlertView,
    CompanyForeignExposure,
    ControlView,
    EntityView,
    ExportReport,
    ImportReport,
    InterestChangeView,
    LinkView,
    MatchCandidateView,
    MatchDecision,
    ThresholdsChange,
    ThresholdsView,
)
from shokei.ownership.store import (
    BATCH,
    LoadedGraph,
    affected_graph,
    load_closure,
    reach,
    whole_graph,
)
from shokei.ownership.views import (
    Namer,
    alert_views,
    candidate_views,
    change_view,
    company_views,
    declared_views,
    entity_view,
    owner_views,
)

T = TypeVar("T")
TOP_CHAINS = 5
TOP_OWNERS = 10
PUBLISHER = "Ministry of Defense, Japan (Shokei)"
ACCEPTED, REJECTED = "accepted", "rejected"


def _require(actor: Actor, permission: OwnershipPermission) -> None:
    if not may(actor.role, permission):
        raise Forbidden(f"{actor.role} may not {permission}")


def _event(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    subject: tuple[str, object],
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent(
        action,
        subject[0],
        str(subject[1]),
        uow.clock.now(),
        actor,
        before=before,
        after=after,
        details=details or {},
    )


def _registry(uow: UnitOfWork, actor: Actor) -> RegistryIndex:
    return RegistryIndex(companies.list_companies(uow, actor, limit=10**9))


def _reevaluate(session: Session, uow: UnitOfWork, actor: Actor, seeds: set[int], cause: str) -> Outcome:
    """Recompute the entities below `seeds` (over them and all their holders); alert on them.

    A change touching more entities than one batch of ids (a national import) is evaluated
    over the whole graph, which is then cheaper than walking from every seed.
    """
    if not seeds:
        return Outcome()
    today, now = uow.clock.today(), uow.clock.now()
    if len(seeds) > BATCH:
        loaded = _computed(lambda: whole_graph(session, today))
        return Evaluation(session, loaded, actor, now, cause).run(None)
    loaded, affected = _computed(lambda: affected_graph(session, seeds, today))
    return Evaluation(session, loaded, actor, now, cause).run(affected)


def _computed(build: Callable[[], T]) -> T:
    """What `build` makes of the stored stakes; stakes that cannot be computed are a conflict."""
    try:
        return build()
    except ValueError as error:
        raise Conflict(f"the ownership data cannot be computed: {error}") from None


# -- entities ----------------------------------------------------------------------------------


def add_entity(
    uow: UnitOfWork,
    actor: Actor,
    *,
    kind: str,
    name: str,
    country: str | None = None,
    identifiers: Sequence[str] = (),
    company: str | None = None,
) -> EntityView:
    """Enter a holder Shokei does not know yet: a foreign company, a person, a state...

    `company` links a registry company (corporate number, or foreign id `CC-ID` as the registry
    shows it). Intake officers, program managers and admins.
    """
    _require(actor, OwnershipPermission.WRITE)
    entity_kind = _kind(kind)
    linked = _registry_company(_registry(uow, actor), company) if company else None
    with uow.transaction() as session:
        entity = _new_entity(session, uow, entity_kind, name=name, country=country, identifiers=identifiers)
        if linked is not None:
            if entities.entity_of_company(session, linked.id) is not None:
                raise Conflict(f"{linked.name} already has an ownership entity")
            entities.link_company(session, entity, linked, uow.clock.now())
        view = entity_view(session, entity)
        audit.record(
            session,
            _event(
                uow,
                actor,
                "ownership:entity:create",
                ("ownership_entity", entity.id),
                after=view.model_dump(mode="json"),
            ),
        )
        return view


def get_entity(uow: UnitOfWork, actor: Actor, reference: str) -> EntityView:
    """One entity with its identifiers and records. Officials and auditors."""
    _require(actor, OwnershipPermission.READ)
    with uow.transaction() as session:
        entity = entities.find_entity(session, reference)
        if entity is None:
            raise NotFound(f"no entity {reference!r}")
        return entity_view(session, entity)


def _kind(text: str) -> EntityKind:
    try:
        return EntityKind(text)
    except ValueError:
        raise BadInput(f"kind {text!r} is not one of: {', '.join(EntityKind)}") from None


def _registry_company(registry: RegistryIndex, reference: str) -> CompanyView:
    number = entities.corporate_number_in(reference)
    found = (
        registry.by_number.get(number) if number else registry.by_foreign_id.get(reference.strip().upper())
    )
    if found is None:
        raise NotFound(f"no registry company {reference!r}")
    return found


def _new_entity(
    session: Session,
    uow: UnitOfWork,
    kind: EntityKind,
    *,
    name: str,
    country: str | None,
    identifiers: Sequence[str],
) -> OwnershipEntity:
    if not name.strip():
        raise BadInput("an entity needs a name")
    code = country.strip().upper() if country else None
    if code is not None and (len(code) != 2 or not code.isalpha()):
        raise BadInput(f"country {country!r} must be an ISO 3166-1 alpha-2 code such as CN")
    entity = OwnershipEntity(
        key=entities.new_key(),
        kind=kind.value,
        name=name.strip(),
        normalized_name=normalize_company_name(name),
        country=code,
        created_at=uow.clock.now(),
    )
    session.add(entity)
    session.flush()
    taken = entities.add_identifiers(session, entity, [_identifier(text) for text in identifiers])
    if taken:
        raise Conflict(f"identifier(s) {', '.join(taken)} already belong to another entity")
    return entity


def _identifier(text: str) -> str:
    try:
        parse_identifier(text.strip())
    except ValueError as error:
        raise BadInput(str(error)) from None
    return text.strip()


# -- imports and export ------------------------------------------------------------------------


def import_bods(uow: UnitOfWork, actor: Actor, path: Path) -> ImportReport:
    """Import a BODS 0.4 package: statements that cannot be used are reported, the rest stored.

    Entities carrying a registry company's identifier are linked to it; others whose names
    resemble a registry company's go to the review queue. Alerts follow the new figures.
    Intake officers, program managers and admins; audited once per file.
    """
    _require(actor, OwnershipPermission.WRITE)
    data = path.read_bytes()
    statements = _statements(path, data)
    document = parse_bods(statements)
    registry = _registry(uow, actor)
    with uow.transaction() as session:
        loading = _start(session, uow, actor, "bods", path=path, data=data, registry=registry)
        BodsLoader(loading, document).run()
        return _finish(session, uow, actor, loading, read=len(statements), action="ownership:bods:import")


def import_csv(uow: UnitOfWork, actor: Actor, path: Path) -> ImportReport:
    """Import a register extract (CSV): each row sets one holder's direct stake in a company.

    Columns `owned,owner,share` and optionally `owner_name,owner_kind,owner_country,date,source`
    (see docs/ownership.md). Bad rows are reported by line, the rest imported.
    Intake officers, program managers and admins; audited once per file.
    """
    _require(actor, OwnershipPermission.WRITE)
    data = path.read_bytes()
    rows = list(csv_rows(path))
    registry = _registry(uow, actor)
    with uow.transaction() as session:
        loading = _start(session, uow, actor, "csv", path=path, data=data, registry=registry)
        loader = CsvLoader(loading, actor.username)
        for line, row in rows:
            loader.row(line, row)
        return _finish(session, uow, actor, loading, read=len(rows), action="ownership:csv:import")


def _statements(path: Path, data: bytes) -> list[Any]:
    try:
        parsed = json.loads(data, parse_float=Decimal)
    except ValueError as error:
        raise BadInput(f"{path}: not JSON ({error})") from None
    statements = parsed.get("statements") if isinstance(parsed, dict) else parsed
    if not isinstance(statements, list):
        raise BadInput(f"{path}: a BODS package is a JSON array of statements")
    return statements


def _start(
    session: Session,
    uow: UnitOfWork,
    actor: Actor,
    kind: str,
    *,
    path: Path,
    data: bytes,
    registry: RegistryIndex,
) -> Loading:
    batch = OwnershipImport(
        format=kind,
        filename=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        imported_at=uow.clock.now(),
        imported_by=actor.username,
        summary={},
    )
    session.add(batch)
    session.flush()
    return Loading(session, registry, batch, uow.clock.now(), uow.clock.today())


def _finish(
    session: Session, uow: UnitOfWork, actor: Actor, loading: Loading, *, read: int, action: str
) -> ImportReport:
    session.flush()
    outcome = _reevaluate(
        session, uow, actor, loading.touched, f"{loading.batch.format.upper()} import {loading.batch.id}"
    )
    report = _report(session, loading, outcome, read)
    summary = report.model_dump(mode="json", include={"read", "imported", "rejected", "closed"})
    loading.batch.summary = summary
    event = _event(
        uow,
        actor,
        action,
        ("ownership_import", loading.batch.id),
        details={
            "file": loading.batch.filename,
            "sha256": loading.batch.sha256,
            **summary,
            "linked": len(report.linked),
            "review": len(report.review),
        },
    )
    audit.record_many(session, [event, *outcome.events])
    return report


def _report(session: Session, loading: Loading, outcome: Outcome, read: int) -> ImportReport:
    namer = Namer(session)
    registry = company_views(session, [company for _, company in loading.linked])
    return ImportReport(
        import_id=loading.batch.id,
        format=loading.batch.format,
        file=loading.batch.filename,
        sha256=loading.batch.sha256,
        read=read,
        imported=loading.counts,
        rejected=sorted(loading.rejected, key=lambda item: item.position),
        linked=[
            LinkView(
                entity=namer.ref(entity),
                corporate_number=registry[company].corporate_number,
                company_name=registry[company].name,
            )
            for entity, company in loading.linked
        ],
        review=candidate_views(session, loading.candidates),
        closed=loading.closed,
        alerts_raised=alert_views(session, outcome.raised),
        alerts_resolved=alert_views(session, outcome.resolved),
    )


def export_bods(uow: UnitOfWork, actor: Actor, path: Path) -> ExportReport:
    """Write every entity and interest as a BODS 0.4 package. Officials and auditors; audited,
    since the ownership picture leaves the system."""
    _require(actor, OwnershipPermission.READ)
    with uow.transaction() as session:
        document = stored_document(session)
        statements = bods_statements(document, Publication(PUBLISHER, uow.clock.today()))
        path.write_text(json.dumps(statements, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        report = ExportReport(
            file=str(path),
            statements=len(statements),
            entities=len(document.parties),
            relationships=len(document.relationships),
        )
        audit.record(
            session,
            _event(
                uow,
                actor,
                "ownership:bods:export",
                ("ownership_export", path.name),
                details=report.model_dump(mode="json"),
            ),
        )
        return report


# -- foreign control ---------------------------------------------------------------------------


def foreign_control_of(
    uow: UnitOfWork, actor: Actor, reference: str, *, on: date | None = None
) -> ControlView:
    """The three foreign-control measures of one entity, by country, with the chains behind them
    and any declared indirect share beside what the data computes. Officials and auditors."""
    _require(actor, OwnershipPermission.READ)
    day = on or uow.clock.today()
    with uow.transaction() as session:
        entity = entities.find_entity(session, reference)
        if entity is None:
            return _unrecorded_view(session, reference, day)
        closure = load_closure(session, reach(session, {entity.id}, day, upward=True, stakes_only=False), day)
        loaded = _computed(closure.graph)
        local = loaded.local(entity.id)
        figures = loaded.graph.measures(local)
        namer = Namer(session)
        return ControlView(
            entity=entity_view(session, entity),
            as_of=day,
            direct_foreign=figures.direct,
            integrated_foreign=figures.integrated,
            attributed_foreign=figures.controlled_share,
            foreign_controlled=figures.foreign_controlled,
            foreign_control=foreign_control(figures.integrated, figures.controlled_share),
            by_country=dict(sorted(loaded.graph.foreign_share_by_country(local).items())),
            chains=[namer.chain(loaded, chain) for chain in loaded.graph.chains(local, top=TOP_CHAINS)],
            owners=owner_views(loaded, local, namer, TOP_OWNERS),
            declared_indirect=declared_views(closure, entity.id, namer),
        )


def _unrecorded_view(session: Session, reference: str, day: date) -> ControlView:
    """A registry company nobody has recorded holders of: nothing is known to be foreign-held."""
    number = entities.corporate_number_in(reference)
    company = entities.registry_company(session, number) if number else None
    if company is None:
        raise NotFound(f"no entity {reference!r}")
    view = EntityView(
        reference=number or reference,
        name=company.name,
        kind=EntityKind.REGISTERED_COMPANY.value,
        country=company.country,
        key="",
        corporate_number=company.corporate_number,
        identifiers=[],
        record_ids=[],
    )
    return ControlView(
        entity=view,
        as_of=day,
        direct_foreign=0.0,
        integrated_foreign=0.0,
        attributed_foreign=0.0,
        foreign_controlled=False,
        foreign_control=0.0,
        by_country={},
        chains=[],
        owners=[],
        declared_indirect=[],
    )


# -- ownership events --------------------------------------------------------------------------


def record_interest_change(
    uow: UnitOfWork,
    actor: Actor,
    *,
    owner: str,
    owned: str,
    share: str,
    on: date | None = None,
    source: str | None = None,
) -> InterestChangeView:
    """Record that `owner` now holds `share` % of `owned` directly (0: sold out) as of `on`.

    Only `owned`, what it holds and their holders are recomputed, through the engine's
    incremental path; an alert is raised for every registry company that reaches a threshold
    and resolved for every one that falls below. Intake officers, program managers and admins.
    """
    _require(actor, OwnershipPermission.WRITE)
    percent = parse_percent(share)
    today = uow.clock.today()
    effective = on or today
    if effective > today:
        raise BadInput(f"{effective} is in the future: record an event once it has happened")
    with uow.transaction() as session:
        holder = entities.entity_for_write(session, owner, uow.clock.now())
        held = entities.entity_for_write(session, owned, uow.clock.now())
        if holder.id == held.id:
            raise BadInput("an entity cannot hold shares in itself")
        loaded, recomputed = _apply_to_graph(session, holder, held, percent, today)
        change = set_stake(
            session,
            holder,
            held,
            percent,
            effective=effective,
            today=today,
            source=source,
            now=uow.clock.now(),
            recorded_by=actor.username,
        )
        outcome = Evaluation(
            session,
            loaded,
            actor,
            uow.clock.now(),
            f"ownership event {change.id}",
            change.id,
            (loaded.local(holder.id), loaded.local(held.id)),
        ).run(recomputed)
        view = change_view(session, change, len(recomputed), raised=outcome.raised, resolved=outcome.resolved)
        event = _event(
            uow,
            actor,
            "ownership:interest:change",
            ("ownership_entity", held.id),
            before={"share": view.before},
            after={"share": view.after},
            details={
                "change": change.id,
                "owner": view.owner.reference,
                "owned": view.owned.reference,
                "effective": effective.isoformat(),
                "source": source,
            },
        )
        audit.record_many(session, [event, *outcome.events])
        return view


def _apply_to_graph(
    session: Session, holder: OwnershipEntity, held: OwnershipEntity, percent: Decimal, today: date
) -> tuple[LoadedGraph, list[int]]:
    """The graph of everything the change can move, with the change applied incrementally."""
    loaded, _ = _computed(lambda: affected_graph(session, [held.id], today, also_above=[holder.id]))
    try:
        recomputed = loaded.graph.apply_interest_change(
            loaded.local(holder.id), loaded.local(held.id), float(percent / 100)
        )
    except ValueError as error:
        raise BadInput(f"{error} ({held.name})") from None
    return loaded, [loaded.entity(local) for local in recomputed]


# -- alerts ------------------------------------------------------------------------------------


def list_alerts(
    uow: UnitOfWork, actor: Actor, *, status: str | None = None, company: str | None = None
) -> list[AlertView]:
    """Foreign-control alerts, newest first; `status` open or resolved. Officials and auditors."""
    _require(actor, OwnershipPermission.READ)
    if status not in (None, OPEN, "resolved"):
        raise BadInput(f"status {status!r} is not one of: open, resolved")
    with uow.transaction() as session:
        query = select(OwnershipAlert).order_by(OwnershipAlert.id.desc())
        if status:
            query = query.where(OwnershipAlert.status == status)
        if company:
            query = query.where(OwnershipAlert.company_id == companies.company_id_for(session, company))
        return alert_views(session, list(session.scalars(query)))


def get_thresholds(uow: UnitOfWork, actor: Actor) -> ThresholdsView:
    """The foreign-control thresholds alerts are raised at. Officials and auditors."""
    _require(actor, OwnershipPermission.READ)
    with uow.transaction() as session:
        return _thresholds_view(session)


def _thresholds_view(session: Session) -> ThresholdsView:
    setting = session.get(OwnershipSetting, THRESHOLDS_SETTING)
    return ThresholdsView(
        levels=[float(level / 100) for level in configured_levels(session)],
        updated_at=setting.updated_at if setting else None,
        updated_by=setting.updated_by if setting else None,
    )


def set_thresholds(uow: UnitOfWork, actor: Actor, levels: Sequence[str]) -> ThresholdsChange:
    """Set the thresholds (percent) and bring every company's alerts in line with them.

    Program managers and admins... and intake officers, who keep the registers. Audited.
    """
    _require(actor, OwnershipPermission.WRITE)
    try:
        parsed = parse_alert_levels(levels)
    except ValueError as error:
        raise BadInput(str(error)) from None
    with uow.transaction() as session:
        before = _thresholds_view(session)
        setting = session.get(OwnershipSetting, THRESHOLDS_SETTING) or OwnershipSetting(
            name=THRESHOLDS_SETTING
        )
        setting.value = [str(level) for level in parsed]
        setting.updated_at, setting.updated_by = uow.clock.now(), actor.username
        session.add(setting)
        session.flush()
        loaded = _computed(lambda: whole_graph(session, uow.clock.today()))
        outcome = Evaluation(session, loaded, actor, uow.clock.now(), "thresholds changed").run(None)
        after = _thresholds_view(session)
        event = _event(
            uow,
            actor,
            "ownership:thresholds:change",
            ("ownership_setting", THRESHOLDS_SETTING),
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
        audit.record_many(session, [event, *outcome.events])
        return ThresholdsChange(
            **after.model_dump(),
            alerts_raised=alert_views(session, outcome.raised),
            alerts_resolved=alert_views(session, outcome.resolved),
        )


# -- name matches ------------------------------------------------------------------------------


def list_match_candidates(
    uow: UnitOfWork, actor: Actor, *, status: str | None = PENDING
) -> list[MatchCandidateView]:
    """Imported entities that may be registry companies, best score first. Officials, auditors."""
    _require(actor, OwnershipPermission.READ)
    with uow.transaction() as session:
        query = select(OwnershipMatchCandidate).order_by(
            OwnershipMatchCandidate.score.desc(), OwnershipMatchCandidate.id
        )
        if status:
            query = query.where(OwnershipMatchCandidate.status == status)
        return candidate_views(session, list(session.scalars(query)))


def decide_match(uow: UnitOfWork, actor: Actor, candidate_id: int, *, accept: bool) -> MatchDecision:
    """Accept (the entity is the registry company: link or merge) or reject a name match.

    Accepting makes the entity's holders count for the company, so its alerts are re-evaluated.
    Intake officers, program managers and admins. Audited.
    """
    _require(actor, OwnershipPermission.WRITE)
    with uow.transaction() as session:
        candidate = session.get(OwnershipMatchCandidate, candidate_id)
        if candidate is None:
            raise NotFound(f"no match candidate {candidate_id}")
        if candidate.status != PENDING:
            raise Conflict(f"match candidate {candidate_id} is already {candidate.status}")
        before = candidate_views(session, [candidate])[0]
        outcome = _accept(session, uow, actor, candidate) if accept else Outcome()
        candidate.status = ACCEPTED if accept else REJECTED
        candidate.decided_at, candidate.decided_by = uow.clock.now(), actor.username
        session.flush()
        after = candidate_views(session, [candidate])[0]
        event = _event(
            uow,
            actor,
            f"ownership:match:{'accept' if accept else 'reject'}",
            ("ownership_match", candidate.id),
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
        audit.record_many(session, [event, *outcome.events])
        return MatchDecision(
            candidate=after,
            alerts_raised=alert_views(session, outcome.raised),
            alerts_resolved=alert_views(session, outcome.resolved),
        )


def _accept(session: Session, uow: UnitOfWork, actor: Actor, candidate: OwnershipMatchCandidate) -> Outcome:
    entity = session.get(OwnershipEntity, candidate.entity_id)
    company = companies.views_by_id(session, [candidate.company_id])[candidate.company_id]
    if entity is None or entity.company_id is not None:
        raise Conflict("the entity is already linked to a registry company")
    existing = entities.entity_of_company(session, company.id)
    if existing is not None:
        merge_into(session, entity, existing, keep_candidate=candidate)
        target = existing
    else:
        target = entities.link_company(session, entity, company, uow.clock.now())
    for other in session.scalars(
        select(OwnershipMatchCandidate).where(
            OwnershipMatchCandidate.entity_id == target.id,
            OwnershipMatchCandidate.status == PENDING,
            OwnershipMatchCandidate.id != candidate.id,
        )
    ):
        other.status = REJECTED  # one entity is one company
    session.flush()
    return _reevaluate(session, uow, actor, {target.id}, f"match {candidate.id} accepted")


# -- for the risk watchlist --------------------------------------------------------------------


def foreign_exposure(
    uow: UnitOfWork, actor: Actor, *, acquisitions_since: date, chains_from: float = 0.0
) -> dict[int, CompanyForeignExposure]:
    """Every Japanese registry company's foreign-control figures, its main foreign chain, and the
    rises of foreign or foreign-controlled holders' stakes since `acquisitions_since`, by company
    id, computed over the whole national graph at once. The chain is looked for only where
    foreign control reaches `chains_from` (a fraction; 0: wherever there is any). Officials and
    auditors."""
    _require(actor, OwnershipPermission.READ)
    with uow.transaction() as session:
        loaded = _computed(lambda: whole_graph(session, uow.clock.today()))
        return company_exposures(
            session, loaded, acquisitions_since=acquisitions_since, chains_from=chains_from
        )
