"""What every succession use case shares: roles, ledger events, the case and company records, the copies
vault, its associated data and the manifest signing key."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shokei.cases import services as cases
from shokei.cases.domain import CaseRef
from shokei.companies import services as companies
from shokei.companies.domain import CompanyRecord
from shokei.documents import services as documents
from shokei.errors import N_, BadInput, Forbidden, NotFound, Text
from shokei.kernel import Actor, AuditEvent, Role, role_name
from shokei.kernel.unit_of_work import UnitOfWork

SIGNING_KEY_FILE = "handover-signing.key"
_COPY_AD_LABEL = b"shokei-handover-copy-v1"


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
        raise BadInput(Text(N_("%(path)s does not hold an Ed25519 key"), {"path": path}))
    return key


def copies_vault(data_dir: Path, keys_dir: Path, *, keys: bool = True) -> documents.Vault:
    """The vault holding issued copies (`<data_dir>/copies`), apart from the documents' vault,
    under the same master keys; `keys=False` for key-less fixity checks (`release.check_copies`)."""
    return documents.open_vault(data_dir / "copies", keys_dir if keys else None)


def copy_associated_data(copy_id: str) -> bytes:
    """Associated data binding a copy's blob to its copy id."""
    parts = (_COPY_AD_LABEL, copy_id.encode())
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


def found_file_associated_data(sha256: str) -> bytes:
    """Associated data binding a found file's evidence blob to the content hash its row records."""
    parts = (b"shokei-found-file/1", sha256.encode("ascii"))
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


def require_role(actor: Actor, role: Role, doing: str) -> None:
    if actor.role is not role:
        raise Forbidden(
            Text(N_("%(role)s may not %(doing)s"), {"role": role_name(actor.role), "doing": Text(doing)})
        )


def ledger_event(
    uow: UnitOfWork, actor: Actor, action: str, subject: str, subject_id: str, **details: object
) -> AuditEvent:
    return AuditEvent(action, subject, subject_id, uow.clock.now(), actor, details=dict(details))


def visible_case(uow: UnitOfWork, actor: Actor, case_id: int) -> CaseRef:
    case = cases.visible_case_ref(uow, actor, case_id)
    if case is None:
        raise NotFound(Text(N_("no case %(case_id)s"), {"case_id": case_id}))
    return case


def company_row(uow: UnitOfWork, company_id: int) -> CompanyRecord:
    """A company a row of ours refers to (foreign keys: it exists)."""
    return companies.record_of(uow, company_id)


def require_official(actor: Actor) -> None:
    if not actor.is_official and actor.role is not Role.AUDITOR:
        raise Forbidden(Text(N_("%(role)s may not assess successors"), {"role": role_name(actor.role)}))
