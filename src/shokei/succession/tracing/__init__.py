"""`trace` over the register of issued copies: which copy is this file, and who held it. The
matching itself is pure and lives in `matching` (hash, embedded marks, text similarity)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.cases import services as cases
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession.common import company_row, ledger_event, require_official
from shokei.succession.copying import fingerprint_of
from shokei.succession.models import (
    HandoverCopy,
)
from shokei.succession.register import InMemoryKnownCopies, KnownCopy, lineage
from shokei.succession.schemas import (
    HolderView,
    TraceCandidateView,
    TraceView,
)
from shokei.succession.tracing.matching import trace
from shokei.succession.tracing.results import TraceResult


def known_copy(row: HandoverCopy) -> KnownCopy:
    return KnownCopy(
        copy_id=row.copy_id,
        document_id=str(row.document_id),
        recipient_corporate_number=row.recipient_corporate_number,
        recipient_name=row.recipient_name,
        sha256=row.sha256,
        document_sha256=row.document_sha256,
        delivered_unchanged=row.delivered_unchanged,
        fingerprint=fingerprint_of(row.fingerprint),
        parent_copy_id=row.parent_copy_id,
    )


class DatabaseKnownCopies:
    """`KnownCopies` over the handover_copies table (indexed by copy id and both hashes)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def by_copy_id(self, copy_id: str) -> KnownCopy | None:
        row = self._session.execute(
            select(HandoverCopy).where(HandoverCopy.copy_id == copy_id)
        ).scalar_one_or_none()
        return known_copy(row) if row is not None else None

    def by_sha256(self, sha256: str) -> Sequence[KnownCopy]:
        wanted = sha256.lower()
        rows = self._session.execute(
            select(HandoverCopy)
            .where((HandoverCopy.sha256 == wanted) | (HandoverCopy.document_sha256 == wanted))
            .order_by(HandoverCopy.id)
        ).scalars()
        return [known_copy(row) for row in rows]

    def with_fingerprints(self) -> Iterable[KnownCopy]:
        rows = self._session.execute(
            select(HandoverCopy).where(HandoverCopy.fingerprint.is_not(None)).order_by(HandoverCopy.id)
        ).scalars()
        return [known_copy(row) for row in rows if row.fingerprint]

    def every_copy(self) -> Iterable[KnownCopy]:
        rows = self._session.execute(select(HandoverCopy).order_by(HandoverCopy.id)).scalars()
        return [known_copy(row) for row in rows]


def _tied(result: TraceResult) -> list[str]:
    """The recipients of the equally strongest candidates, when the trace names no copy."""
    if result.copy_id is not None or len(result.candidates) < 2:
        return []
    best = max(candidate.confidence for candidate in result.candidates)
    tied = [c.recipient_corporate_number for c in result.candidates if abs(c.confidence - best) < 1e-6]
    return sorted(set(tied)) if len(set(tied)) > 1 else []


def trace_file(
    uow: UnitOfWork, actor: Actor, path: Path, *, key: Ed25519PrivateKey, code_key: bytes | None = None
) -> TraceView:
    """Identify the issued copy a file comes from, with the chain of holders (officials, auditors).

    With `code_key`, scans, photos and image-only PDFs are read from their pixels (2D code, OCR)."""
    require_official(actor)
    # The register is read in one short transaction and the file traced outside any: reading
    # pixels takes seconds a page, and a SQLite write transaction must not wait on Tesseract.
    with uow.transaction() as session:
        register = InMemoryKnownCopies(DatabaseKnownCopies(session).every_copy())
    result = trace(path, register, manifest_key=key.public_key(), code_key=code_key)
    with uow.transaction() as session:
        known = DatabaseKnownCopies(session)
        chain: list[HolderView] = []
        recipient: str | None = None
        if result.copy_id is not None:
            copies = lineage(result.copy_id, known)
            first = session.execute(
                select(HandoverCopy).where(HandoverCopy.copy_id == copies[0].copy_id)
            ).scalar_one()
            case = cases.case_refs(uow, [first.case_id])[first.case_id]  # foreign key: it exists
            supplier = company_row(uow, case.company_id)
            chain.append(
                HolderView(role="supplier", corporate_number=supplier.corporate_number, name=supplier.name)
            )
            chain.append(HolderView(role="mod", corporate_number=None, name="防衛省 / Ministry of Defense"))
            for depth, copy in enumerate(copies):
                chain.append(
                    HolderView(
                        role="successor" if depth == 0 else "subcontractor",
                        corporate_number=copy.recipient_corporate_number,
                        name=copy.recipient_name,
                        copy_id=copy.copy_id,
                    )
                )
            recipient = copies[-1].recipient_corporate_number
        uow.record_many(
            [
                ledger_event(
                    uow,
                    actor,
                    "handover:trace",
                    "file",
                    result.sha256,
                    copy_id=result.copy_id,
                    method=result.method,
                )
            ]
        )
    return TraceView(
        cannot_tell_apart=_tied(result),
        copy_id=result.copy_id,
        recipient=recipient,
        chain=chain,
        method=result.method,
        confidence=result.confidence,
        sha256=result.sha256,
        candidates=[
            TraceCandidateView(
                copy_id=c.copy_id,
                recipient=c.recipient_corporate_number,
                document=c.document_id,
                confidence=c.confidence,
                evidence=[piece.render() for piece in c.evidence],
                evidence_text=list(c.evidence),
            )
            for c in result.candidates
        ],
        unknown_marks=list(result.unknown_marks),
        notes=[note.render() for note in result.notes],
        notes_text=list(result.notes),
    )
