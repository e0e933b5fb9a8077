"""Issuing one traced copy: made (in an anonymous file: no plaintext ever has a name on disk),
staged durably in the copies vault, then recorded (row and ledger) by the use case that made it
(`release`, `dissemination`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.companies.domain import CorporateNumber
from shokei.documents.services import StagedBlobs, StoredBlob, anonymous_file
from shokei.errors import N_, BadInput, NotFound, Text
from shokei.formats.marking import CopyLabel, CopyResult, make_copy
from shokei.kernel import Actor, AuditEvent, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import terms
from shokei.succession.common import copy_associated_data, ledger_event
from shokei.succession.fingerprint import SCHEME, TextFingerprint
from shokei.succession.models import (
    HandoverCopy,
)
from shokei.succession.schemas import (
    CopyView,
)


def fingerprint_json(fingerprint: TextFingerprint | None) -> dict[str, str] | None:
    if fingerprint is None:
        return None
    return {"scheme": fingerprint.scheme, "hex": fingerprint.to_bytes().hex()}


def fingerprint_of(data: dict[str, str] | None) -> TextFingerprint | None:
    if not data:
        return None
    return TextFingerprint.from_bytes(bytes.fromhex(data["hex"]), data.get("scheme", SCHEME))


@dataclass(frozen=True)
class CopyBlob:
    blob_id: str
    wrapped_key: bytes
    plaintext_sha256: str
    plaintext_size: int


def blob_of(row: HandoverCopy) -> CopyBlob:
    return CopyBlob(row.blob_id, row.wrapped_key, row.sha256, row.size)


def copy_view(row: HandoverCopy) -> CopyView:
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
        status=row.status,
    )


def new_copy_id(case_id: int) -> str:
    return f"SK{case_id}-{secrets.token_hex(6).upper()}"


def copy_label(
    case_id: int,
    recipient_name: str,
    corporate_number: str,
    issued_on: date,
    *,
    secret_until: date | None = None,
) -> CopyLabel:
    """A new copy's label for a recipient whose corporate number must be valid (check digit too);
    `secret_until`: the document is designated 装備品等秘密 until then (the copy carries the marking)."""
    if CorporateNumber.parse(corporate_number).value != corporate_number:
        raise BadInput(Text(N_("the recipient's corporate number must be given as 13 ASCII digits")))
    return CopyLabel(new_copy_id(case_id), recipient_name, corporate_number, issued_on, secret_until)


@dataclass
class Issued:
    """A copy written and stored in the vault, waiting for its row."""

    label: CopyLabel
    result: CopyResult
    stored: StoredBlob
    document_sha256: str
    fingerprint: TextFingerprint | None


def issue_copy(
    staged: StagedBlobs,
    source: Path,
    label: CopyLabel,
    *,
    file_name: str,
    scratch_dir: Path,
    size_hint: int,
    key: Ed25519PrivateKey,
    fingerprint: TextFingerprint | None,
    document_sha256: str,
    code_key: bytes | None = None,
) -> Issued:
    """Make `label`'s copy of `source` and stage it (encrypted) in the copies vault. The plaintext
    copy is made in an anonymous file (`documents.anonymous_file`: in memory, or above its limit
    an unnamed file in `scratch_dir`) and never has a name on disk: a crash leaves none."""
    with anonymous_file(scratch_dir, size_hint, name="shokei-copy") as into:
        result = make_copy(
            source,
            label,
            None,
            signing_key=key,
            terms=terms.delivery_terms(),
            file_name=file_name,
            into=into,
            code_key=code_key,
        )
        with into.open("rb") as handle:
            stored = staged.put(handle, copy_associated_data(label.copy_id))
    return Issued(label, result, stored, document_sha256, fingerprint)


def copy_row(
    issued: Issued,
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
        file_name=result.name,
        format=result.format,
        marks=[str(mark) for mark in result.marks],
        recorded=dict(result.recorded),
        sha256=stored.plaintext_sha256,
        document_sha256=issued.document_sha256,
        delivered_unchanged=result.format == "zip",
        fingerprint=fingerprint_json(issued.fingerprint),
        size=stored.plaintext_size,
        blob_id=stored.blob_id,
        key_id=stored.key_id,
        wrapped_key=stored.wrapped_key,
        ciphertext_sha256=stored.ciphertext_sha256,
        ciphertext_size=stored.ciphertext_size,
        issued_by_id=actor.user_id,
        issued_at=uow.clock.now(),
    )


def copy_event(
    uow: UnitOfWork, actor: Actor, row: HandoverCopy, secret_until: date | None = None
) -> AuditEvent:
    secret = {"designated_secret_until": secret_until.isoformat()} if secret_until else {}
    return ledger_event(
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
        **secret,
    )


def own_copy(session: Session, actor: Actor, copy_id: str) -> HandoverCopy:
    row = session.execute(select(HandoverCopy).where(HandoverCopy.copy_id == copy_id)).scalar_one_or_none()
    if row is None or actor.role is not Role.SUCCESSOR or row.recipient_company_id != actor.company_id:
        raise NotFound(
            Text(N_("no copy %(copy_id)s"), {"copy_id": copy_id})
        )  # never tell one successor about another's copies
    return row
