"""Ownership use cases: BODS and CSV imports, BODS export."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from shokei.audit import services as audit
from shokei.errors import BadInput
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership.alerting import (
    Outcome,
)
from shokei.ownership.bods import (
    Publication,
    parse_bods,
)
from shokei.ownership.bods import export_bods as bods_statements
from shokei.ownership.exporting import stored_document
from shokei.ownership.importing import BodsLoader, CsvLoader, Loading, csv_rows
from shokei.ownership.models import (
    OwnershipImport,
)
from shokei.ownership.registry import RegistryIndex
from shokei.ownership.schemas import (
    ExportReport,
    ImportReport,
    LinkView,
)
from shokei.ownership.service_support import _event, _reevaluate, _registry, _require
from shokei.ownership.views import (
    Namer,
    alert_views,
    candidate_views,
    company_views,
)

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
