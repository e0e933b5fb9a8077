"""Successor selection and traceable hand-over use cases over the pure succession core.

Release order keeps custody safe like document intake does: every copy is durable (encrypted)
in the vault before the rows that refer to it commit, and the copies, their ledger entries and
the case's move to `handed_over` commit together, so a crash leaves at worst orphan blobs.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shokei.accounts.domain import Actor, Role
from shokei.audit import services as audit
from shokei.audit.domain import AuditEvent
from shokei.cases import services as cases
from shokei.cases.domain import TERMINAL_STATES, CaseState, TransitionName
from shokei.cases.models import ExitCase, InventoryLine
from shokei.companies import services as companies
from shokei.companies.models import Company
from shokei.db import UnitOfWork
from shokei.documents.models import Document
from shokei.documents.vault import FilesystemVault, StoredBlob, document_associated_data
from shokei.documents.vault_crypto import MasterKeyring
from shokei.errors import BadInput, Conflict, Forbidden, NotFound
from shokei.succession import terms
from shokei.succession.copies import CopyLabel, CopyResult, make_copy
from shokei.succession.copies.base import sha256_file
from shokei.succession.domain import (
    CandidateAssessment,
    CandidateFacts,
    EligibilityThresholds,
    ForeignOwnership,
    OwnershipBasis,
    SuccessionCase,
    assess_candidates,
    check_domestic,
    check_eligibility,
    check_foreign_ownership,
)
from shokei.succession.fingerprint import SCHEME, TextFingerprint, fingerprint_file
from shokei.succession.models import (
    DestructionCertificate,
    DisseminationRequest,
    HandoverCopy,
    InboxMessage,
    TermsAcceptance,
)
from shokei.succession.register import KnownCopy, lineage
from shokei.succession.schemas import (
    AcceptanceView,
    CandidateView,
    CopyView,
    DestructionView,
    DisseminationView,
    HolderView,
    InboxMessageView,
    RuleView,
    ScorePartView,
    ScoreView,
    SelectionView,
    TraceCandidateView,
    TraceView,
)
from shokei.succession.trace import trace

SIGNING_KEY_FILE = "handover-signing.key"
_COPY_AD_LABEL = b"shokei-handover-copy-v1"


# -- ports and adapters ------------------------------------------------------------------------


class DirectForeignShares:
    """`ForeignOwnershipSource` over the direct share recorded by `shokei company update`."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def foreign_ownership(self, corporate_number: str) -> ForeignOwnership | None:
        company = companies.find_by_number(self._session, corporate_number)
        if company is None or company.foreign_share_percent is None:
            return None
        percent = Decimal(company.foreign_share_percent)
        return ForeignOwnership(percent, OwnershipBasis.DIRECT, foreign_controlled=percent > Decimal(50))


def _fingerprint_json(fingerprint: TextFingerprint | None) -> dict[str, str] | None:
    if fingerprint is None:
        return None
    return {"scheme": fingerprint.scheme, "hex": fingerprint.to_bytes().hex()}


def _fingerprint_of(data: dict[str, str] | None) -> TextFingerprint | None:
    if not data:
        return None
    return TextFingerprint.from_bytes(bytes.fromhex(data["hex"]), data.get("scheme", SCHEME))


def _known(row: HandoverCopy) -> KnownCopy:
    return KnownCopy(
        copy_id=row.copy_id,
        document_id=str(row.document_id),
        recipient_corporate_number=row.recipient_corporate_number,
        recipient_name=row.recipient_name,
        sha256=row.sha256,
        document_sha256=row.document_sha256,
        delivered_unchanged=row.delivered_unchanged,
        fingerprint=_fingerprint_of(row.fingerprint),
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
        return _known(row) if row is not None else None

    def by_sha256(self, sha256: str) -> Sequence[KnownCopy]:
        wanted = sha256.lower()
        rows = self._session.execute(
            select(HandoverCopy)
            .where((HandoverCopy.sha256 == wanted) | (HandoverCopy.document_sha256 == wanted))
            .order_by(HandoverCopy.id)
        ).scalars()
        return [_known(row) for row in rows]

    def with_fingerprints(self) -> Iterable[KnownCopy]:
        rows = self._session.execute(
            select(HandoverCopy).where(HandoverCopy.fingerprint.is_not(None)).order_by(HandoverCopy.id)
        ).scalars()
        return [_known(row) for row in rows if row.fingerprint]


def signing_key(data_dir: Path) -> Ed25519PrivateKey:
    """The Ed25519 key signing ZIP manifests: created on first use (mode 0600) in the data dir."""
    path = data_dir / SIGNING_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # created concurrently: read theirs
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise BadInput(f"{path} does not hold an Ed25519 key")
    return key


def copies_vault(data_dir: Path, keys_dir: Path) -> FilesystemVault:
    """The vault holding issued copies, apart from the documents' vault (whose fsck knows
    only documents), under the same master keys."""
    return FilesystemVault(data_dir / "copies", MasterKeyring.from_directory(keys_dir))


def copy_associated_data(copy_id: str) -> bytes:
    """Associated data binding a copy's blob to its copy id."""
    parts = (_COPY_AD_LABEL, copy_id.encode())
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


# -- helpers ----------------------------------------------------------------------------------


def _require_role(actor: Actor, role: Role, doing: str) -> None:
    if actor.role is not role:
        raise Forbidden(f"{actor.role} may not {doing}")


def _event(
    uow: UnitOfWork, actor: Actor, action: str, subject: str, subject_id: str, **details: object
) -> AuditEvent:
    return AuditEvent(action, subject, subject_id, uow.clock.now(), actor, details=dict(details))


def _case(session: Session, actor: Actor, case_id: int) -> ExitCase:
    case = session.execute(cases.visible_cases(actor).where(ExitCase.id == case_id)).scalar_one_or_none()
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def _company(session: Session, company_id: int) -> Company:
    company = session.get(Company, company_id)
    assert company is not None  # foreign keys
    return company


def _succession_case(session: Session, uow: UnitOfWork, case: ExitCase) -> SuccessionCase:
    withdrawing = _company(session, case.company_id)
    systems = session.execute(
        select(InventoryLine.weapon_system).where(
            InventoryLine.case_id == case.id, InventoryLine.weapon_system.is_not(None)
        )
    ).scalars()
    return SuccessionCase(
        case_id=str(case.id),
        withdrawing_corporate_number=withdrawing.corporate_number or "",
        handover_date=uow.clock.today(),
        affected_weapon_systems=frozenset(s for s in systems if s),
    )


def _open_cases(session: Session, company_id: int) -> int:
    terminal = [state.value for state in TERMINAL_STATES]
    count = session.execute(
        select(func.count())
        .select_from(ExitCase)
        .where(ExitCase.successor_company_id == company_id, ExitCase.state.not_in(terminal))
    ).scalar_one()
    return int(count)


def _facts(session: Session, company: Company, ownership: DirectForeignShares) -> CandidateFacts:
    number = company.corporate_number or ""
    slots = max((company.capacity or 0) - _open_cases(session, company.id), 0)
    return CandidateFacts(
        corporate_number=number,
        name=company.name,
        country=company.country,
        foreign_ownership=ownership.foreign_ownership(number) if number else None,
        financial_distress=company.financial_distress,
        security_compliant_until=company.security_compliant_until,
        capabilities=frozenset(str(tag) for tag in company.capabilities or []),
        open_case_slots=slots,
    )


def _candidate_view(assessment: CandidateAssessment) -> CandidateView:
    return CandidateView(
        corporate_number=assessment.corporate_number,
        name=assessment.name,
        eligible=assessment.eligible,
        rules=[RuleView(name=r.name, passed=r.passed, reason=r.reason) for r in assessment.rules],
        score=ScoreView(
            total=assessment.score.total,
            parts=[
                ScorePartView(
                    name=p.name,
                    value=p.value,
                    weight=p.weight,
                    contribution=p.contribution,
                    explanation=p.explanation,
                )
                for p in assessment.score.parts
            ],
        ),
    )


def _assess(session: Session, uow: UnitOfWork, case: ExitCase) -> list[CandidateAssessment]:
    ownership = DirectForeignShares(session)
    candidates = [
        _facts(session, company, ownership)
        for company in session.execute(
            select(Company).where(Company.corporate_number.is_not(None)).order_by(Company.id)
        ).scalars()
    ]
    return list(assess_candidates(_succession_case(session, uow, case), candidates, EligibilityThresholds()))


def _require_official(actor: Actor) -> None:
    if not actor.is_official and actor.role is not Role.AUDITOR:
        raise Forbidden(f"{actor.role} may not assess successors")


# -- selection --------------------------------------------------------------------------------


def rank_candidates(uow: UnitOfWork, actor: Actor, case_id: int) -> list[CandidateView]:
    """Every registered domestic company with its per-rule results and score (officials)."""
    _require_official(actor)
    with uow.transaction() as session:
        case = _case(session, actor, case_id)
        return [_candidate_view(a) for a in _assess(session, uow, case)]


def select_successor(
    uow: UnitOfWork, actor: Actor, case_id: int, corporate_number: str, *, reason: str
) -> SelectionView:
    """A program manager picks an eligible successor, with a reason; the successor is notified."""
    _require_role(actor, Role.PROGRAM_MANAGER, "select successors")
    if not reason.strip():
        raise BadInput("a reason is required")
    with uow.transaction() as session:
        case = _case(session, actor, case_id)
        company = session.get(Company, companies.company_id_for(session, corporate_number))
        assert company is not None
        number = company.corporate_number
        chosen = [a for a in _assess(session, uow, case) if a.corporate_number == number]
        failing = [r for a in chosen for r in a.rules if not r.passed]
        if not chosen or failing:
            reasons = "; ".join(f"{r.name}: {r.reason}" for r in failing) or "not a candidate"
            raise Conflict(f"{company.name} ({number}) is not eligible: {reasons}")
    detail = cases.transition_case(
        uow, actor, case_id, TransitionName.SELECT_SUCCESSOR.value, reason=reason, successor=number
    )
    with uow.transaction() as session:
        message = InboxMessage(
            company_id=company.id,
            case_id=case_id,
            subject=f"承継先に選定されました / Selected as successor (case {case_id})",
            body=(
                f"Your company was selected as the successor for case {case_id}: {reason}\n"
                f"Accept the terms with `shokei successor accept {case_id}` before release.\n\n"
                + terms.terms_text("ja")
                + "\n"
                + terms.terms_text("en")
            ),
            created_at=uow.clock.now(),
        )
        session.add(message)
        audit.record(
            session,
            _event(uow, actor, "succession:successor:notify", "case", str(case_id), successor=number),
        )
    return SelectionView(
        case_id=case_id, successor=number or "", successor_name=company.name, state=detail.state
    )


def inbox(uow: UnitOfWork, actor: Actor) -> list[InboxMessageView]:
    """The messages to the actor's company (company-bound users)."""
    if actor.company_id is None:
        return []
    with uow.transaction() as session:
        rows = session.execute(
            select(InboxMessage).where(InboxMessage.company_id == actor.company_id).order_by(InboxMessage.id)
        ).scalars()
        return [
            InboxMessageView(id=m.id, case_id=m.case_id, subject=m.subject, body=m.body, at=m.created_at)
            for m in rows
        ]


def accept_terms(uow: UnitOfWork, actor: Actor, case_id: int) -> AcceptanceView:
    """The selected successor's user accepts the current terms for the case."""
    _require_role(actor, Role.SUCCESSOR, "accept succession terms")
    with uow.transaction() as session:
        case = _case(session, actor, case_id)  # successors see only cases they were selected for
        if case.state != CaseState.SUCCESSOR_SELECTION.value:
            raise Conflict(f"case {case_id} is {case.state}, not awaiting the successor's acceptance")
        company = _company(session, case.successor_company_id or 0)
        acceptance = TermsAcceptance(
            case_id=case_id,
            company_id=company.id,
            accepted_by_id=actor.user_id,
            terms_version=terms.TERMS_VERSION,
            terms_digest=terms.terms_digest(),
            accepted_at=uow.clock.now(),
        )
        session.add(acceptance)
        audit.record(
            session,
            _event(
                uow,
                actor,
                "succession:terms:accept",
                "case",
                str(case_id),
                company=company.corporate_number,
                terms_version=acceptance.terms_version,
                terms_digest=acceptance.terms_digest,
            ),
        )
        return AcceptanceView(
            case_id=case_id,
            company=company.corporate_number or "",
            terms_version=acceptance.terms_version,
            terms_digest=acceptance.terms_digest,
            accepted_at=acceptance.accepted_at,
        )


# -- hand-over --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CopyBlob:
    blob_id: str
    wrapped_key: bytes
    plaintext_sha256: str
    plaintext_size: int


def _blob_of(row: HandoverCopy) -> _CopyBlob:
    return _CopyBlob(row.blob_id, row.wrapped_key, row.sha256, row.size)


def _copy_view(row: HandoverCopy) -> CopyView:
    return CopyView(
        copy_id=row.copy_id,
        document=row.document_id,
        file_name=row.file_name,
        sha256=row.sha256,
        recipient=row.recipient_corporate_number,
        recipient_name=row.recipient_name,
        format=row.format,
        marks=[str(m) for m in row.marks],
        parent_copy_id=row.parent_copy_id,
    )


def _new_copy_id(case_id: int) -> str:
    return f"SK{case_id}-{secrets.token_hex(6).upper()}"


@dataclass
class _Issued:
    """A copy written and stored in the vault, waiting for its row."""

    label: CopyLabel
    result: CopyResult
    stored: StoredBlob
    document_sha256: str
    fingerprint: TextFingerprint | None


def _issue(
    vault: FilesystemVault,
    source: Path,
    label: CopyLabel,
    *,
    file_name: str,
    workdir: Path,
    key: Ed25519PrivateKey,
    fingerprint: TextFingerprint | None,
    document_sha256: str,
) -> _Issued:
    result = make_copy(source, label, workdir, signing_key=key, file_name=file_name)
    with result.path.open("rb") as handle:
        stored = vault.put(handle, copy_associated_data(label.copy_id))
    return _Issued(label, result, stored, document_sha256, fingerprint)


def _copy_row(
    issued: _Issued,
    uow: UnitOfWork,
    actor: Actor,
    *,
    case_id: int,
    document_id: int,
    recipient_id: int,
    parent_copy_id: str | None,
) -> HandoverCopy:
    result, stored = issued.result, issued.stored
    return HandoverCopy(
        copy_id=issued.label.copy_id,
        case_id=case_id,
        document_id=document_id,
        recipient_company_id=recipient_id,
        recipient_corporate_number=issued.label.recipient_corporate_number,
        recipient_name=issued.label.recipient_name,
        parent_copy_id=parent_copy_id,
        file_name=result.path.name,
        format=result.format,
        marks=[str(mark) for mark in result.marks],
        recorded=dict(result.recorded),
        sha256=stored.plaintext_sha256,
        document_sha256=issued.document_sha256,
        delivered_unchanged=result.format == "zip",
        fingerprint=_fingerprint_json(issued.fingerprint),
        size=stored.plaintext_size,
        blob_id=stored.blob_id,
        key_id=stored.key_id,
        wrapped_key=stored.wrapped_key,
        ciphertext_sha256=stored.ciphertext_sha256,
        ciphertext_size=stored.ciphertext_size,
        issued_by_id=actor.user_id,
        issued_at=uow.clock.now(),
    )


def _copy_event(uow: UnitOfWork, actor: Actor, row: HandoverCopy) -> AuditEvent:
    return _event(
        uow,
        actor,
        "handover:copy:issue",
        "copy",
        row.copy_id,
        case=row.case_id,
        document=row.document_id,
        sha256=row.sha256,
        document_sha256=row.document_sha256,
        recipient=row.recipient_corporate_number,
        parent_copy_id=row.parent_copy_id,
        marks=list(row.marks),
        recorded=dict(row.recorded),
    )


@contextlib.contextmanager
def _workdir(scratch_dir: Path) -> Iterator[Path]:
    scratch_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="handover-", dir=scratch_dir))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def release_copies(
    uow: UnitOfWork,
    vault: FilesystemVault,
    actor: Actor,
    case_id: int,
    *,
    copies: FilesystemVault,
    scratch_dir: Path,
    key: Ed25519PrivateKey,
) -> list[CopyView]:
    """Issue one marked copy of every document of the case to the accepted successor and move
    the case to `handed_over` (program manager)."""
    _require_role(actor, Role.PROGRAM_MANAGER, "release documents")
    with uow.transaction() as session:
        case = _case(session, actor, case_id)
        if case.state != CaseState.SUCCESSOR_SELECTION.value or case.successor_company_id is None:
            raise Conflict(f"case {case_id} is {case.state} without a selected successor to release to")
        successor = _company(session, case.successor_company_id)
        accepted = session.execute(
            select(TermsAcceptance.id).where(
                TermsAcceptance.case_id == case_id,
                TermsAcceptance.company_id == successor.id,
                TermsAcceptance.terms_version == terms.TERMS_VERSION,
                TermsAcceptance.terms_digest == terms.terms_digest(),
            )
        ).first()
        if accepted is None:
            raise Conflict(
                f"{successor.name} has not accepted the terms ({terms.TERMS_VERSION}) for case {case_id}"
            )
        documents = list(
            session.execute(
                select(Document).where(Document.case_id == case_id).order_by(Document.id)
            ).scalars()
        )
        if not documents:
            raise Conflict(f"case {case_id} has no stored documents to release")
        recipient = (successor.id, successor.corporate_number or "", successor.name)
    issued: list[tuple[Document, _Issued]] = []
    today = uow.clock.today()
    with _workdir(scratch_dir) as work:
        for document in documents:
            name = Path(document.path).name or f"document-{document.id}"
            original = work / f"{document.id}-original"
            vault.export_to_path(
                _CopyBlob(document.blob_id, document.wrapped_key, document.sha256, document.size),
                document_associated_data(str(case_id), document.uid),
                original,
            )
            label = CopyLabel(_new_copy_id(case_id), recipient[2], recipient[1], today)
            issued.append(
                (
                    document,
                    _issue(
                        copies,
                        original,
                        label,
                        file_name=name,
                        workdir=work,
                        key=key,
                        fingerprint=fingerprint_file(original),
                        document_sha256=document.sha256,
                    ),
                )
            )
    with cases.write_transaction(uow) as session:
        rows = [
            _copy_row(
                item,
                uow,
                actor,
                case_id=case_id,
                document_id=document.id,
                recipient_id=recipient[0],
                parent_copy_id=None,
            )
            for document, item in issued
        ]
        session.add_all(rows)
        session.flush()
        audit.record_many(session, [_copy_event(uow, actor, row) for row in rows])
        cases.move_case(session, uow, actor, case_id, TransitionName.HAND_OVER, reason="documents released")
        return [_copy_view(row) for row in rows]


def _own_copy(session: Session, actor: Actor, copy_id: str) -> HandoverCopy:
    row = session.execute(select(HandoverCopy).where(HandoverCopy.copy_id == copy_id)).scalar_one_or_none()
    if row is None or actor.role is not Role.SUCCESSOR or row.recipient_company_id != actor.company_id:
        raise NotFound(f"no copy {copy_id}")  # never tell one successor about another's copies
    return row


def download_copy(
    uow: UnitOfWork, vault: FilesystemVault, actor: Actor, copy_id: str, out_path: Path
) -> CopyView:
    """A successor's (or approved subcontractor's) user downloads its own company's copy from
    `vault`, the copies vault (`copies_vault`)."""
    with uow.transaction() as session:
        row = _own_copy(session, actor, copy_id)
        view = _copy_view(row)
        blob = _blob_of(row)
        audit.record(
            session,
            _event(
                uow, actor, "handover:copy:download", "copy", copy_id, sha256=row.sha256, case=row.case_id
            ),
        )
    vault.export_to_path(blob, copy_associated_data(copy_id), out_path)
    return view


def stream_copy(
    uow: UnitOfWork, vault: FilesystemVault, actor: Actor, copy_id: str
) -> tuple[CopyView, Iterator[bytes]]:
    """Like `download_copy`, as verified plaintext chunks (the API streams them)."""
    with uow.transaction() as session:
        row = _own_copy(session, actor, copy_id)
        view, blob = _copy_view(row), _blob_of(row)
        audit.record(
            session,
            _event(
                uow, actor, "handover:copy:download", "copy", copy_id, sha256=row.sha256, case=row.case_id
            ),
        )
    return view, vault.iter_plaintext(blob, copy_associated_data(copy_id))


def request_dissemination(
    uow: UnitOfWork, actor: Actor, copy_id: str, *, to: str, purpose: str
) -> DisseminationView:
    """The holder of a copy asks to pass it to a named subcontractor, for a purpose."""
    if not purpose.strip():
        raise BadInput("a purpose is required")
    with uow.transaction() as session:
        row = _own_copy(session, actor, copy_id)
        target = _company(session, companies.company_id_for(session, to))
        if target.id == row.recipient_company_id:
            raise BadInput("a company cannot disseminate to itself")
        request = DisseminationRequest(
            copy_id=copy_id,
            to_company_id=target.id,
            purpose=purpose.strip(),
            status="requested",
            requested_by_id=actor.user_id,
            requested_at=uow.clock.now(),
        )
        session.add(request)
        session.flush()
        audit.record(
            session,
            _event(
                uow,
                actor,
                "handover:dissemination:request",
                "dissemination",
                str(request.id),
                copy_id=copy_id,
                to=target.corporate_number,
                purpose=request.purpose,
            ),
        )
        return DisseminationView(
            id=request.id,
            copy_id=copy_id,
            to=target.corporate_number or "",
            purpose=request.purpose,
            status="requested",
        )


def approve_dissemination(
    uow: UnitOfWork,
    vault: FilesystemVault,
    actor: Actor,
    request_id: int,
    *,
    scratch_dir: Path,
    key: Ed25519PrivateKey,
) -> DisseminationView:
    """A program manager approves a request: the subcontractor gets a new copy derived from
    the requester's, marked for it and traced to it."""
    _require_role(actor, Role.PROGRAM_MANAGER, "approve dissemination")
    with uow.transaction() as session:
        request = session.get(DisseminationRequest, request_id)
        if request is None:
            raise NotFound(f"no dissemination request {request_id}")
        if request.status != "requested":
            raise Conflict(f"dissemination request {request_id} is already {request.status}")
        parent = session.execute(
            select(HandoverCopy).where(HandoverCopy.copy_id == request.copy_id)
        ).scalar_one()
        target = _company(session, request.to_company_id)
        case = _case(session, actor, parent.case_id)
        facts = _facts(session, target, DirectForeignShares(session))
        failing = [
            r
            for r in check_eligibility(
                facts, _succession_case(session, uow, case), rules=(check_domestic, check_foreign_ownership)
            )
            if not r.passed
        ]
        if failing:
            reasons = "; ".join(f"{r.name}: {r.reason}" for r in failing)
            raise Conflict(f"{target.name} may not receive documents: {reasons}")
        parent_blob, parent_id = _blob_of(parent), parent.copy_id
        parent_fields = (parent.case_id, parent.document_id, parent.file_name, parent.document_sha256)
        parent_fingerprint = _fingerprint_of(parent.fingerprint)
        recipient = (target.id, target.corporate_number or "", target.name)
    case_id, document_id, file_name, document_sha256 = parent_fields
    prefix = f"{parent_id}-"
    name = file_name[len(prefix) :] if file_name.startswith(prefix) else file_name
    with _workdir(scratch_dir) as work:
        source = work / "parent-copy"
        vault.export_to_path(parent_blob, copy_associated_data(parent_id), source)
        label = CopyLabel(_new_copy_id(case_id), recipient[2], recipient[1], uow.clock.today())
        issued = _issue(
            vault,
            source,
            label,
            file_name=name,
            workdir=work,
            key=key,
            fingerprint=parent_fingerprint,
            document_sha256=document_sha256,
        )
    with uow.transaction() as session:
        request = session.get(DisseminationRequest, request_id)
        assert request is not None
        if request.status != "requested":
            raise Conflict(f"dissemination request {request_id} is already {request.status}")
        row = _copy_row(
            issued,
            uow,
            actor,
            case_id=case_id,
            document_id=document_id,
            recipient_id=recipient[0],
            parent_copy_id=parent_id,
        )
        session.add(row)
        request.status = "approved"
        request.decided_by_id = actor.user_id
        request.decided_at = uow.clock.now()
        request.new_copy_id = row.copy_id
        session.flush()
        audit.record_many(
            session,
            [
                _event(
                    uow,
                    actor,
                    "handover:dissemination:approve",
                    "dissemination",
                    str(request_id),
                    copy_id=parent_id,
                    new_copy_id=row.copy_id,
                    to=recipient[1],
                ),
                _copy_event(uow, actor, row),
            ],
        )
        return DisseminationView(
            id=request_id,
            copy_id=parent_id,
            to=recipient[1],
            purpose=request.purpose,
            status=request.status,
            new_copy=_copy_view(row),
        )


# -- trace ------------------------------------------------------------------------------------


def trace_file(uow: UnitOfWork, actor: Actor, path: Path, *, key: Ed25519PrivateKey) -> TraceView:
    """Identify the issued copy a file comes from, with the chain of holders (officials, auditors)."""
    _require_official(actor)
    with uow.transaction() as session:
        known = DatabaseKnownCopies(session)
        result = trace(path, known, manifest_key=key.public_key())
        chain: list[HolderView] = []
        recipient: str | None = None
        if result.copy_id is not None:
            copies = lineage(result.copy_id, known)
            first = session.execute(
                select(HandoverCopy).where(HandoverCopy.copy_id == copies[0].copy_id)
            ).scalar_one()
            case = session.get(ExitCase, first.case_id)
            assert case is not None  # foreign key
            supplier = _company(session, case.company_id)
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
        audit.record(
            session,
            _event(
                uow,
                actor,
                "handover:trace",
                "file",
                result.sha256,
                copy_id=result.copy_id,
                method=result.method,
            ),
        )
    return TraceView(
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
                evidence=list(c.evidence),
            )
            for c in result.candidates
        ],
        unknown_marks=list(result.unknown_marks),
        notes=list(result.notes),
    )


def list_copies(uow: UnitOfWork, actor: Actor, case_id: int) -> list[CopyView]:
    """The copies issued for a case: officials see all, a company-bound user its own."""
    with uow.transaction() as session:
        query = select(HandoverCopy).where(HandoverCopy.case_id == case_id).order_by(HandoverCopy.id)
        if actor.is_company_bound:
            query = query.where(HandoverCopy.recipient_company_id == actor.company_id)
        elif not actor.is_official and actor.role is not Role.AUDITOR:
            raise Forbidden(f"{actor.role} may not list copies")
        return [_copy_view(row) for row in session.execute(query).scalars()]


def record_destruction_certificate(
    uow: UnitOfWork, actor: Actor, case_id: int, *, reference: str, certificate: Path | None = None
) -> DestructionView:
    """Record the supplier's certificate of destruction of its own copies and close the case
    (program manager; the case must have been handed over)."""
    _require_role(actor, Role.PROGRAM_MANAGER, "record destruction certificates")
    if not reference.strip():
        raise BadInput("a certificate reference is required")
    digest = sha256_file(certificate) if certificate is not None else None
    with cases.write_transaction(uow) as session:
        case = _case(session, actor, case_id)
        if case.state != CaseState.HANDED_OVER.value:
            raise Conflict(
                f"case {case_id} is {case.state}: certificates of destruction follow the hand-over"
            )
        row = DestructionCertificate(
            case_id=case_id,
            reference=reference.strip(),
            file_sha256=digest,
            recorded_by_id=actor.user_id,
            recorded_at=uow.clock.now(),
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            _event(
                uow,
                actor,
                "handover:destruction:record",
                "case",
                str(case_id),
                reference=row.reference,
                file_sha256=digest,
            ),
        )
        cases.move_case(
            session,
            uow,
            actor,
            case_id,
            TransitionName.CLOSE,
            reason=f"certificate of destruction {row.reference}",
        )
        return DestructionView(
            case_id=case_id,
            reference=row.reference,
            file_sha256=digest,
            recorded_at=row.recorded_at,
            state=CaseState.CLOSED.value,
        )
