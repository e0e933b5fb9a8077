"""Document custody use cases: hand in files, read them back, search them, check the vault;
this module is the feature's service surface.

Custody stays here: only this feature knows where a document's blob is, its wrapped key and the
associated data it is bound to. Other features get plaintext originals through a use case
(`export_originals`, for succession's copier) and keep blobs of their own through the `Vault`
port (`open_vault`, `staged_blobs`, and the fixity check of `RecordedBlob`s).

Ordering that keeps custody safe: a blob is durable in the vault before the row that refers to
it commits, so a crash leaves at worst an orphan blob (reported by fsck), never a row without
its blob. Each stored document commits with its own audit entry. Use cases that do file I/O
between transactions follow one pattern, prepare → produce files → commit and re-check
(`documents.staging`); submission lives in `documents.submission`.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from shokei.cases import services as cases
from shokei.cases.domain import STATE_NAMES
from shokei.documents import fixity
from shokei.documents.admission import Admission, admit_local_submission, admit_submission
from shokei.documents.domain import normalise_query, read_reason, supplier_reading_closed
from shokei.documents.fixity import RecordedBlob, check_blobs, ledger_details, rows_in_batches
from shokei.documents.maintenance import (
    DEFAULT_GRACE_HOURS,
    BlobHolder,
    collect_garbage,
    leftover_problems,
)
from shokei.documents.models import Document
from shokei.documents.records import record_document, require, view, visible
from shokei.documents.schemas import (
    DocumentDescription,
    DocumentDetail,
    DocumentView,
    ExportedOriginal,
    FsckProblem,
    FsckReport,
    RotationReport,
)
from shokei.documents.scratch import anonymous_file
from shokei.documents.search import matching
from shokei.documents.staging import StagedBlobs, staged_blobs
from shokei.documents.submission import Progress, submit_documents
from shokei.documents.vault import (
    FilesystemVault,
    MasterKeyring,
    StoredBlob,
    Vault,
    document_associated_data,
    rewrap,
    rotate_master_key,
)
from shokei.errors import N_, Forbidden, IntegrityFailure, Text
from shokei.kernel import Actor, Permission, Role, role_name
from shokei.kernel.unit_of_work import UnitOfWork

CONTENT_REFUSED = "document:content:refused"

__all__ = [
    "DEFAULT_GRACE_HOURS",
    "Admission",
    "BlobHolder",
    "ExportedOriginal",
    "FsckProblem",
    "FsckReport",
    "Progress",
    "RecordedBlob",
    "StagedBlobs",
    "StoredBlob",
    "Vault",
    "admit_local_submission",
    "admit_submission",
    "anonymous_file",
    "check_blobs",
    "check_vault",
    "collect_garbage",
    "describe_document",
    "export_document",
    "export_originals",
    "get_document",
    "ledger_details",
    "leftover_problems",
    "list_documents",
    "open_vault",
    "rotate_vault_master_key",
    "rows_in_batches",
    "search_documents",
    "staged_blobs",
    "stored_document_count",
    "stream_document",
    "submit_documents",
    "weapon_systems_named",
]

FSCK_BATCH = 500


def describe_document(
    uow: UnitOfWork, actor: Actor, document_id: int, fields: DocumentDescription
) -> DocumentView:
    """Fill in the inventory fields of a stored document (title, drawing number, revision,
    component, weapon system). The case's supplier or an intake officer, before examination."""
    require(actor, Permission.DOCUMENT_SUBMIT)
    changes = fields.model_dump(exclude_unset=True)
    with uow.transaction() as session:
        document = visible(uow, actor, document_id)
        cases.require_inventory_open(uow, actor, document.case_id)
        before = {name: getattr(document, name) for name in changes}
        for name, value in changes.items():
            setattr(document, name, value)
        cases.describe_stored_document(
            uow,
            document.id,
            title=document.title,
            drawing_number=document.drawing_number,
            revision=document.revision,
            component=document.component,
            weapon_system=document.weapon_system,
        )
        uow.record(
            "document:inventory:describe",
            "document",
            document.id,
            actor,
            before=before,
            after=changes,
            details={"case": document.case_id},
        )
        return view(session, document)


# -- reads -----------------------------------------------------------------------------------


def get_document(uow: UnitOfWork, actor: Actor, document_id: int) -> DocumentDetail:
    """A document's inventory record and extracted metadata (not its content)."""
    with uow.transaction() as session:
        document = visible(uow, actor, document_id)
        return DocumentDetail(**view(session, document).model_dump(), metadata=dict(document.doc_metadata))


def stored_document_count(uow: UnitOfWork, case_id: int) -> int:
    """How many of a case's documents the vault holds, read in the caller's transaction (for a
    feature deciding about the case, as succession does before a hand-over)."""
    with uow:
        session = uow.session
        query = select(func.count()).select_from(Document).where(Document.case_id == case_id)
        return int(session.execute(query).scalar_one())


def weapon_systems_named(uow: UnitOfWork, case_id: int) -> set[str]:
    """The weapon systems a case's documents are described as belonging to, read in the caller's
    transaction (for a feature deciding about the case, as succession does when ranking)."""
    with uow:
        session = uow.session
        query = select(Document.weapon_system).where(
            Document.case_id == case_id, Document.weapon_system.is_not(None)
        )
        return {system for system in session.execute(query).scalars() if system is not None}


def list_documents(uow: UnitOfWork, actor: Actor, case_id: int) -> list[DocumentView]:
    """A case's documents, for whoever may see the case (an official not assigned to it is
    refused, naming the assignment)."""
    with uow.transaction() as session:
        if not actor.is_company_bound:
            cases.case_ref(uow, actor, case_id)
        rows = session.execute(
            select(Document)
            .where(Document.case_id == case_id, Document.case_id.in_(cases.visible_case_ids(actor)))
            .order_by(Document.id)
        ).scalars()
        return [view(session, row) for row in rows]


def search_documents(
    uow: UnitOfWork, actor: Actor, query: str, *, case_id: int | None = None, limit: int = 100
) -> list[DocumentView]:
    """Documents any displayed field of which contains `query` (title, drawing number, revision,
    component, weapon system, file name, markings, extracted text and metadata; Japanese-aware,
    short words too), within need-to-know and, for officials and auditors, within the cases whose
    contents they read (a match reveals what a document says). Web, API and CLI all search here."""
    cleaned = normalise_query(query)
    with uow.transaction() as session:
        statement = select(Document).where(
            matching(session, uow.dialect, cleaned),
            Document.case_id.in_(cases.visible_case_ids(actor)),
            Document.case_id.in_(cases.content_case_ids(uow, actor)),
        )
        if case_id is not None:
            statement = statement.where(Document.case_id == case_id)
        rows = session.execute(statement.order_by(Document.id).limit(limit)).scalars()
        return [view(session, row) for row in rows]


@dataclass(frozen=True, slots=True)
class _BlobRef:
    blob_id: str
    wrapped_key: bytes
    plaintext_sha256: str
    plaintext_size: int


def _ref(document: Document) -> _BlobRef:
    return _BlobRef(document.blob_id, document.wrapped_key, document.sha256, document.size)


def _aad(document: Document) -> bytes:
    return document_associated_data(str(document.case_id), document.uid)


def export_document(
    uow: UnitOfWork,
    vault: Vault,
    actor: Actor,
    document_id: int,
    out_path: Path,
    *,
    reason: str | None,
) -> DocumentView:
    """Decrypt a document to `out_path`, verified against its hash; the read is audited first.

    Suppliers (their own company's), intake officers, examiners, negotiators, program managers
    and auditors. Officials must give a reason. Nothing is left at `out_path` if verification fails.
    A supplier's reading ends once the purchase is approved or the case released (`_read_for`).
    """
    document, shown = _read_for(uow, actor, document_id, reason)
    try:
        vault.export_to_path(_ref(document), _aad(document), out_path)
    except IntegrityFailure as error:
        raise IntegrityFailure(
            Text(
                N_("document %(document_id)s (%(path)s) failed its integrity check: %(message)s"),
                {"document_id": document_id, "path": document.path, "message": error.text or error.message},
            )
        ) from None
    return shown


def stream_document(
    uow: UnitOfWork, vault: Vault, actor: Actor, document_id: int, *, reason: str | None
) -> tuple[DocumentView, Iterator[bytes]]:
    """Like export_document, for HTTP: chunks verified as they stream."""
    document, shown = _read_for(uow, actor, document_id, reason)
    return shown, vault.iter_plaintext(_ref(document), _aad(document))


def _read_for(
    uow: UnitOfWork, actor: Actor, document_id: int, reason: str | None
) -> tuple[Document, DocumentView]:
    """The document whose content `actor` may read, its read audited; a supplier's request once
    its case is past the supplier's reading (`supplier_reading_closed`) is refused, and the
    refusal is committed to the ledger in its own transaction before `Forbidden` is raised."""
    require(actor, Permission.DOCUMENT_READ_CONTENT)
    why = read_reason(actor, reason)
    with uow.transaction() as session:
        document = visible(uow, actor, document_id)
        state = cases.case_ref(uow, actor, document.case_id).state
        cases.require_contents(uow, actor, document.case_id)  # officials: assigned, or a break-glass
        if not supplier_reading_closed(actor, state):
            shown = view(session, document)
            record_document(uow, actor, "document:content:read", document, reason=why)
            return document, shown
        uow.record(
            CONTENT_REFUSED,
            "document",
            document.id,
            actor,
            details={"case": document.case_id, "case_state": state.value, "reason": why},
        )
    msgid = N_(
        "document %(document)s: a supplier may no longer read its handed-in files once the case is %(state)s"
    )
    raise Forbidden(Text(msgid, {"document": document_id, "state": Text(STATE_NAMES[state])}))


@contextmanager
def export_originals(
    uow: UnitOfWork, vault: Vault, actor: Actor, case_id: int, *, scratch_dir: Path, purpose: str
) -> Iterator[Iterator[ExportedOriginal]]:
    """The plaintext originals of a case, one at a time, for a feature that makes something of
    them (succession's copier, releasing marked copies to the successor).

    Program managers only (who release copies), for a case they may see. Every document's read
    is audited (`document:content:read`, the `purpose` as its reason) before anything is
    decrypted. Each original is decrypted, verified against its recorded hash, into an anonymous
    file (`scratch.anonymous_file`: in memory, or above 64 MiB an unnamed file in `scratch_dir`),
    reached at `plaintext` (`/proc/self/fd/N`) until the next one is taken: no plaintext ever
    has a name on disk, so a crash (`kill -9` included) leaves none.

        with export_originals(uow, vault, actor, case_id, scratch_dir=d, purpose=p) as originals:
            for original in originals:
                copy_from(original.plaintext)
    """
    require(actor, Permission.DOCUMENT_READ_CONTENT)
    if actor.role is not Role.PROGRAM_MANAGER:
        raise Forbidden(
            Text(N_("%(role)s may not export the originals of a case"), {"role": role_name(actor.role)})
        )
    reason = read_reason(actor, purpose)
    with uow.transaction() as session:
        cases.require_contents(uow, actor, case_id)
        rows = list(
            session.execute(
                select(Document)
                .where(Document.case_id == case_id, Document.case_id.in_(cases.visible_case_ids(actor)))
                .order_by(Document.id)
            ).scalars()
        )
        for row in rows:
            record_document(uow, actor, "document:content:read", row, reason=reason)
        originals = [_Original(row.id, row.path, row.sha256, row.size, _ref(row), _aad(row)) for row in rows]
    exported = _decrypted(vault, originals, scratch_dir)
    try:
        yield exported
    finally:
        exported.close()  # frees the anonymous file now, also when the consumer stopped early


@dataclass(frozen=True, slots=True)
class _Original:
    document_id: int
    path: str
    sha256: str
    size: int
    blob: _BlobRef
    associated_data: bytes


def _decrypted(
    vault: Vault, originals: list[_Original], scratch_dir: Path
) -> Generator[ExportedOriginal, None, None]:
    for original in originals:
        with anonymous_file(scratch_dir, original.size, name="shokei-original") as plaintext:
            try:
                with plaintext.open("wb") as sink:
                    vault.read_into(original.blob, original.associated_data, sink)
            except IntegrityFailure as error:
                raise IntegrityFailure(
                    Text(
                        N_("document %(document_id)s (%(path)s) failed its integrity check: %(message)s"),
                        {
                            "document_id": original.document_id,
                            "path": original.path,
                            "message": error.text or error.message,
                        },
                    )
                ) from None
            yield ExportedOriginal(
                document_id=original.document_id,
                path=original.path,
                name=Path(original.path).name or f"document-{original.document_id}",
                sha256=original.sha256,
                size=original.size,
                plaintext=plaintext,
            )


def open_vault(root: Path, keys_dir: Path | None) -> Vault:
    """A vault of encrypted blobs at `root` under the master keys in `keys_dir` (None: without
    keys, for fixity checks of ciphertext only), for a feature that keeps blobs of its own
    (succession's copies vault). Its callers record what `put` returns, as documents does."""
    keyring = MasterKeyring.from_directory(keys_dir) if keys_dir is not None else None
    return FilesystemVault(root, keyring)


# -- vault maintenance -----------------------------------------------------------------------


def _recorded(document: Document) -> RecordedBlob:
    owner = Text(N_("document %(id)s (%(path)s)"), {"id": document.id, "path": document.path})
    return RecordedBlob(_ref(document), document.ciphertext_sha256, _aad(document), document.id, owner)


def check_vault(uow: UnitOfWork, vault: Vault, actor: Actor, *, deep: bool = False) -> FsckReport:
    """Check every blob against its recorded hash (deep: decrypt and check the plaintext too) and
    list orphan blobs no document refers to. Admins and auditors; the run is audited."""
    require(actor, Permission.VAULT_MAINTAIN)
    report = fixity.check_blobs(
        vault, fixity.rows_in_batches(uow, Document, _recorded), deep=deep, referrer=Text(N_("document"))
    )
    with uow.transaction():
        uow.record("vault:fsck:run", "vault", "documents", actor, details=fixity.ledger_details(report))
    return report


def rotate_vault_master_key(uow: UnitOfWork, keys_dir: Path, actor: Actor) -> RotationReport:
    """Make a new master key and rewrap every data key under it, without re-encrypting content.

    Resumable: when documents are still wrapped under a retired key (an interrupted rotation),
    this finishes that rotation instead of starting another. Admins.
    """
    require(actor, Permission.VAULT_MAINTAIN)
    keyring = MasterKeyring.from_directory(keys_dir)
    with uow.transaction() as session:
        stale = session.execute(
            select(Document.id).where(Document.key_id != keyring.current.key_id).limit(1)
        ).first()
    if stale is None:
        rotate_master_key(keys_dir)
        keyring = MasterKeyring.from_directory(keys_dir)
    new_id = keyring.current.key_id
    rewrapped = 0
    while True:
        with uow.transaction() as session:
            rows = list(
                session.execute(
                    select(Document).where(Document.key_id != new_id).order_by(Document.id).limit(FSCK_BATCH)
                ).scalars()
            )
            for row in rows:
                row.wrapped_key, row.key_id = rewrap(row.wrapped_key, keyring, new_id), new_id
            rewrapped += len(rows)
        if not rows:
            break
    retired = [key for key in keyring.key_ids if key != new_id]
    with uow.transaction():
        uow.record(
            "vault:key:rotate",
            "vault",
            "documents",
            actor,
            details={"new_key_id": new_id, "rewrapped": rewrapped},
        )
    return RotationReport(new_key_id=new_id, rewrapped=rewrapped, retired_key_ids=retired)
