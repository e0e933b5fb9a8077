"""Ownership use cases: BODS and CSV imports, BODS export.

The export reads the stored ownership data as one BODS document (`stored_document`): records
imported from BODS keep their recordIds and published statements (export reuses them while they
still say the same); interests entered in Shokei are grouped into one relationship per holder
and held pair.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.errors import N_, BadInput, Text
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership.bods import (
    BodsDocument,
    Publication,
    Relationship,
    parse_bods,
)
from shokei.ownership.bods import export_bods as bods_statements
from shokei.ownership.domain import EntityKind, Party
from shokei.ownership.loaders import BodsLoader, CsvLoader, Loading, csv_rows
from shokei.ownership.models import (
    OwnershipEntity,
    OwnershipIdentifier,
    OwnershipImport,
    OwnershipInterest,
    OwnershipRecord,
)
from shokei.ownership.presenters import (
    Namer,
    alert_views,
    candidate_views,
    company_views,
)
from shokei.ownership.registry import RegistryIndex
from shokei.ownership.schemas import (
    ExportReport,
    ImportReport,
    LinkView,
)
from shokei.ownership.services.alerts import (
    Outcome,
    _reevaluate,
)
from shokei.ownership.services.support import _event, _registry, _require
from shokei.ownership.store import interest_of

PUBLISHER = "Ministry of Defense, Japan (Shokei)"


def import_bods(uow: UnitOfWork, actor: Actor, path: Path) -> ImportReport:
    """Import a BODS 0.4 package: statements that cannot be used are reported, the rest stored.

    Entities carrying a registry company's identifier are linked to it; others whose names
    resemble a registry company's go to the review queue. Alerts follow the new figures.
    Intake officers, program managers and admins; audited once per file.
    """
    _require(actor, Permission.OWNERSHIP_WRITE)
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
    _require(actor, Permission.OWNERSHIP_WRITE)
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
        raise BadInput(Text(N_("%(path)s: not JSON (%(error)s)"), {"path": path, "error": error})) from None
    statements = parsed.get("statements") if isinstance(parsed, dict) else parsed
    if not isinstance(statements, list):
        raise BadInput(Text(N_("%(path)s: a BODS package is a JSON array of statements"), {"path": path}))
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
    return Loading(uow, registry, batch, uow.clock.now(), uow.clock.today())


def _finish(
    session: Session, uow: UnitOfWork, actor: Actor, loading: Loading, *, read: int, action: str
) -> ImportReport:
    session.flush()
    outcome = _reevaluate(
        session, uow, actor, loading.touched, f"{loading.batch.format.upper()} import {loading.batch.id}"
    )
    report = _report(uow, loading, outcome, read)
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
    uow.record_many([event, *outcome.events])
    return report


def _report(uow: UnitOfWork, loading: Loading, outcome: Outcome, read: int) -> ImportReport:
    namer = Namer(uow)
    registry = company_views(uow, [company for _, company in loading.linked])
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
        review=candidate_views(uow, loading.candidates),
        closed=loading.closed,
        alerts_raised=alert_views(uow, outcome.raised),
        alerts_resolved=alert_views(uow, outcome.resolved),
    )


def export_bods(uow: UnitOfWork, actor: Actor, path: Path) -> ExportReport:
    """Write every entity and interest as a BODS 0.4 package. Officials and auditors; audited,
    since the ownership picture leaves the system."""
    _require(actor, Permission.OWNERSHIP_READ)
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
        uow.record_many(
            [
                _event(
                    uow,
                    actor,
                    "ownership:bods:export",
                    ("ownership_export", path.name),
                    details=report.model_dump(mode="json"),
                )
            ]
        )
        return report


def stored_document(session: Session) -> BodsDocument:
    """Every entity, interest and published statement, as a BODS document."""
    keys, parties = _parties(session)
    # Statements keep the order they were published in: by import, then place in the package.
    published = {
        record.record_id: record.statement
        for record in session.scalars(
            select(OwnershipRecord).order_by(OwnershipRecord.import_id, OwnershipRecord.position)
        )
    }
    relationships = _relationships(session, keys, published)
    return BodsDocument(parties=parties, relationships=relationships, published=published)


def _parties(session: Session) -> tuple[dict[int, str], dict[str, Party]]:
    identifiers: dict[int, list[str]] = {}
    for row in session.scalars(
        select(OwnershipIdentifier).order_by(OwnershipIdentifier.entity_id, OwnershipIdentifier.position)
    ):
        identifiers.setdefault(row.entity_id, []).append(row.identifier)
    keys: dict[int, str] = {}
    parties: dict[str, Party] = {}
    for entity in session.scalars(select(OwnershipEntity).order_by(OwnershipEntity.id)):
        keys[entity.id] = entity.key
        parties[entity.key] = Party(
            entity.key,
            EntityKind(entity.kind),
            entity.name,
            entity.country,
            tuple(identifiers.get(entity.id, ())),
        )
    return keys, parties


def _relationships(
    session: Session, keys: Mapping[int, str], published: Mapping[str, Any]
) -> dict[str, Relationship]:
    grouped: dict[str, list[OwnershipInterest]] = {}
    for row in session.scalars(
        select(OwnershipInterest).order_by(
            OwnershipInterest.record_id, OwnershipInterest.position, OwnershipInterest.id
        )
    ):
        record_id = row.record_id or _pair_record_id(keys[row.owner_id], keys[row.owned_id])
        grouped.setdefault(record_id, []).append(row)
    relationships: dict[str, Relationship] = {}
    for record_id, rows in grouped.items():
        owner, owned = keys[rows[0].owner_id], keys[rows[0].owned_id]
        details = published.get(record_id, {}).get("recordDetails", {})
        relationships[record_id] = Relationship(
            record_id=record_id,
            subject=owned,
            interested_party=owner,
            interests=tuple(interest_of(row, owner, owned) for row in rows),
            is_component=bool(details.get("isComponent", False)),
            component_records=tuple(str(item) for item in details.get("componentRecords", [])),
        )
    for record_id, statement in published.items():  # relationships published without interests
        if statement.get("recordType") == "relationship" and record_id not in relationships:
            details = statement["recordDetails"]
            if details.get("subject") in keys.values() and details.get("interestedParty") in keys.values():
                relationships[record_id] = Relationship(
                    record_id,
                    details["subject"],
                    details["interestedParty"],
                    (),
                    bool(details.get("isComponent", False)),
                    tuple(str(item) for item in details.get("componentRecords", [])),
                )
    return relationships


def _pair_record_id(owner: str, owned: str) -> str:
    """A stable recordId for the relationship of a holder and a held entity entered in Shokei."""
    return "shokei-" + hashlib.sha256(f"{owner}\x1f{owned}".encode()).hexdigest()[:12]
