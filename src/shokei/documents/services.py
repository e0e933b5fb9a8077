"""Document custody use cases: hand in files, read them back, search them, check the vault.

Ordering that keeps custody safe: a blob is durable in the vault before the row that refers to
it commits, so a crash leaves at worst an orphan blob (reported by fsck), never a row without
its blob. Each stored document commits with its own audit entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shokei.audit import services as audit
from shokei.cases import services as cases
from shokei.documents import fixity
from shokei.documents.domain import (
    Refusal,
    RefusalReason,
    metadata_words,
    normalise_query,
    read_reason,
    search_body,
)
from shokei.documents.fixity import RecordedBlob
from shokei.documents.intake import Incoming, Upload, expand_inputs
from shokei.documents.markings import find_markings
from shokei.documents.models import Document, DocumentPath, DocumentText
from shokei.documents.schemas import (
    DocumentDescription,
    DocumentDetail,
    DocumentView,
    FsckReport,
    RefusalView,
    RotationReport,
    SubmissionResult,
)
from shokei.documents.search import index_for
from shokei.documents.vault import (
    FilesystemVault,
    MasterKeyring,
    StoredBlob,
    document_associated_data,
    rewrap,
    rotate_master_key,
)
from shokei.errors import Forbidden, IntegrityFailure, NotFound
from shokei.formats.extract import extract
from shokei.formats.sniff import detect_type_path
from shokei.kernel import Actor, AuditEvent, Permission
from shokei.kernel.unit_of_work import UnitOfWork

FSCK_BATCH = 500


class Progress(Protocol):
    """Where long submissions report bytes done (the CLI draws a progress bar from it)."""

    def planned(self, total_bytes: int) -> None: ...

    def advanced(self, done_bytes: int, label: str) -> None: ...


class _NoProgress:
    def planned(self, total_bytes: int) -> None:
        pass

    def advanced(self, done_bytes: int, label: str) -> None:
        pass


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise Forbidden(f"{actor.role} may not {permission}")


def _event(uow: UnitOfWork, actor: Actor, action: str, document: Document, **details: object) -> AuditEvent:
    return AuditEvent(
        action,
        "document",
        str(document.id),
        uow.clock.now(),
        actor,
        details={"case": document.case_id, **details},
    )


# -- intake ----------------------------------------------------------------------------------


def submit_documents(
    uow: UnitOfWork,
    vault: FilesystemVault,
    actor: Actor,
    case_id: int,
    paths: Iterable[Path | Upload],
    *,
    scratch_dir: Path,
    progress: Progress | None = None,
) -> SubmissionResult:
    """Hand in files, folders and archives for a case. The case's supplier or an intake officer.

    Every file becomes an encrypted document (archive members each their own); a file already
    in the case is recorded once, with its new path added; refusals are listed with reasons.
    """
    _require(actor, Permission.DOCUMENT_SUBMIT)
    with uow.transaction():
        cases.require_inventory_open(uow, actor, case_id)
    sink = progress or _NoProgress()
    submission = _Submission(
        uow, vault, actor, case_id, sink, SubmissionResult(documents=[], duplicates=[], refused=[])
    )
    for item in expand_inputs(list(paths), scratch_dir, sink):
        if isinstance(item, Refusal):
            submission.result.refused.append(RefusalView(path=item.path, reason=item.reason))
        else:
            submission.ingest(item)
    return submission.result


def _existing(session: Session, case_id: int, sha256: str) -> Document | None:
    return session.execute(
        select(Document).where(Document.case_id == case_id, Document.sha256 == sha256)
    ).scalar_one_or_none()


@dataclass
class _Submission:
    """One submission's context: who hands in what for which case, and what happened so far."""

    uow: UnitOfWork
    vault: FilesystemVault
    actor: Actor
    case_id: int
    progress: Progress
    result: SubmissionResult

    def ingest(self, item: Incoming) -> None:
        # One read of the file: it is hashed while it is encrypted, and duplicates are recognised
        # after. A duplicate's fresh blob was never referenced and is discarded at once.
        uid = uuid.uuid4().hex
        try:
            with item.local_path.open("rb") as source:
                stored = self.vault.put(source, document_associated_data(str(self.case_id), uid))
        except OSError as error:
            self._refuse(item, f"{RefusalReason.UNREADABLE}: {error.strerror}")
            return
        self.progress.advanced(item.size, item.label)
        with self.uow.transaction() as session:
            duplicate = _existing(session, self.case_id, stored.plaintext_sha256) is not None
        try:
            if not duplicate:
                self.result.documents.append(self._save(item, uid, stored))
                return
        except IntegrityError:
            pass  # a concurrent submission stored the same content first: ours is another path of it
        self.vault.discard_unreferenced(stored.blob_id)
        self.result.duplicates.append(self._record_duplicate(stored.plaintext_sha256, item.label))

    def _refuse(self, item: Incoming, reason: str) -> None:
        self.result.refused.append(RefusalView(path=item.label, reason=reason))

    def _record_duplicate(self, sha256: str, label: str) -> DocumentView:
        with self.uow.transaction() as session:
            document = _existing(session, self.case_id, sha256)
            assert document is not None  # seen by the caller, and documents are never deleted
            if label not in _paths(session, document.id):
                session.add(DocumentPath(document_id=document.id, path=label))
                audit.record(session, _event(self.uow, self.actor, "document:path:add", document, path=label))
            return _view(session, document)

    def _save(self, item: Incoming, uid: str, stored: StoredBlob) -> DocumentView:
        doc_type = detect_type_path(item.local_path)
        extraction = extract(item.local_path, doc_type)
        words = metadata_words(extraction.metadata)
        markings = find_markings("\n".join([*words, extraction.text]))
        title = _title(extraction.metadata) or item.label.rsplit("/", 1)[-1]
        uow, actor = self.uow, self.actor
        with uow.transaction() as session:
            document = Document(
                uid=uid,
                case_id=self.case_id,
                path=item.label,
                type=doc_type.value,
                size=stored.plaintext_size,
                sha256=stored.plaintext_sha256,
                ciphertext_sha256=stored.ciphertext_sha256,
                ciphertext_size=stored.ciphertext_size,
                blob_id=stored.blob_id,
                key_id=stored.key_id,
                wrapped_key=stored.wrapped_key,
                markings=markings,
                flags=list(extraction.flags),
                doc_metadata=extraction.metadata,
                page_count=_page_count(extraction.metadata),
                title=title,
                submitted_by_id=actor.user_id,
                submitted_at=uow.clock.now(),
            )
            session.add(document)
            session.flush()
            session.add(DocumentPath(document_id=document.id, path=item.label))
            body = search_body(
                path=item.label, title=title, text=extraction.text, metadata_words=words, markings=markings
            )
            session.add(DocumentText(document_id=document.id, body=body))
            cases.link_stored_document(uow, actor, self.case_id, document_id=document.id, title=title)
            audit.record(
                session,
                _event(
                    uow,
                    actor,
                    "document:file:submit",
                    document,
                    path=item.label,
                    sha256=document.sha256,
                    size=document.size,
                    type=document.type,
                    markings=markings,
                    flags=document.flags,
                ),
            )
            return _view(session, document)


def _title(metadata: Mapping[str, object]) -> str | None:
    title = metadata.get("title")
    return title.strip()[:500] if isinstance(title, str) and title.strip() else None


def _page_count(metadata: Mapping[str, object]) -> int | None:
    pages = metadata.get("pages", metadata.get("page_count"))
    return pages if isinstance(pages, int) else None


def describe_document(
    uow: UnitOfWork, actor: Actor, document_id: int, fields: DocumentDescription
) -> DocumentView:
    """Fill in the inventory fields of a stored document (title, drawing number, revision,
    component, weapon system). The case's supplier or an intake officer, before examination."""
    _require(actor, Permission.DOCUMENT_SUBMIT)
    changes = fields.model_dump(exclude_unset=True)
    with uow.transaction() as session:
        document = _visible(session, actor, document_id)
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
        audit.record(
            session,
            AuditEvent(
                "document:inventory:describe",
                "document",
                str(document.id),
                uow.clock.now(),
                actor,
                before=before,
                after=changes,
                details={"case": document.case_id},
            ),
        )
        return _view(session, document)


# -- reads -----------------------------------------------------------------------------------


def _visible(session: Session, actor: Actor, document_id: int) -> Document:
    document = session.execute(
        select(Document).where(
            Document.id == document_id, Document.case_id.in_(cases.visible_case_ids(actor))
        )
    ).scalar_one_or_none()
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


def _paths(session: Session, document_id: int) -> list[str]:
    return list(
        session.execute(
            select(DocumentPath.path).where(DocumentPath.document_id == document_id).order_by(DocumentPath.id)
        ).scalars()
    )


def _view(session: Session, document: Document) -> DocumentView:
    return DocumentView(
        id=document.id,
        case_id=document.case_id,
        path=document.path,
        paths=_paths(session, document.id),
        type=document.type,
        size=document.size,
        sha256=document.sha256,
        markings=list(document.markings),
        flags=list(document.flags),
        page_count=document.page_count,
        title=document.title,
        drawing_number=document.drawing_number,
        revision=document.revision,
        component=document.component,
        weapon_system=document.weapon_system,
        submitted_at=document.submitted_at,
    )


def get_document(uow: UnitOfWork, actor: Actor, document_id: int) -> DocumentDetail:
    """A document's inventory record and extracted metadata (not its content)."""
    with uow.transaction() as session:
        document = _visible(session, actor, document_id)
        return DocumentDetail(**_view(session, document).model_dump(), metadata=dict(document.doc_metadata))


def stored_document_count(session: Session, case_id: int) -> int:
    """How many of a case's documents the vault holds, read in the caller's transaction (for a
    feature deciding about the case, as succession does before a hand-over)."""
    query = select(func.count()).select_from(Document).where(Document.case_id == case_id)
    return int(session.execute(query).scalar_one())


def list_documents(uow: UnitOfWork, actor: Actor, case_id: int) -> list[DocumentView]:
    """A case's documents, for whoever may see the case."""
    with uow.transaction() as session:
        rows = session.execute(
            select(Document)
            .where(Document.case_id == case_id, Document.case_id.in_(cases.visible_case_ids(actor)))
            .order_by(Document.id)
        ).scalars()
        return [_view(session, row) for row in rows]


def search_documents(
    uow: UnitOfWork, actor: Actor, query: str, *, case_id: int | None = None, limit: int = 100
) -> list[DocumentView]:
    """Documents whose text or metadata contain `query` (Japanese-aware), within need-to-know."""
    cleaned = normalise_query(query)
    with uow.transaction() as session:
        matching = index_for(uow.dialect).matching_ids(session, cleaned)
        statement = select(Document).where(
            Document.id.in_(matching), Document.case_id.in_(cases.visible_case_ids(actor))
        )
        if case_id is not None:
            statement = statement.where(Document.case_id == case_id)
        rows = session.execute(statement.order_by(Document.id).limit(limit)).scalars()
        return [_view(session, row) for row in rows]


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
    vault: FilesystemVault,
    actor: Actor,
    document_id: int,
    out_path: Path,
    *,
    reason: str | None,
) -> DocumentView:
    """Decrypt a document to `out_path`, verified against its hash; the read is audited first.

    Suppliers (their own company's), intake officers, examiners, negotiators, program managers
    and auditors. Officials must give a reason. Nothing is left at `out_path` if verification fails.
    """
    _require(actor, Permission.DOCUMENT_READ_CONTENT)
    why = read_reason(actor, reason)
    with uow.transaction() as session:
        document = _visible(session, actor, document_id)
        view = _view(session, document)
        audit.record(session, _event(uow, actor, "document:content:read", document, reason=why))
    try:
        vault.export_to_path(_ref(document), _aad(document), out_path)
    except IntegrityFailure as error:
        raise IntegrityFailure(
            f"document {document_id} ({document.path}) failed its integrity check: {error.message}"
        ) from None
    return view


def stream_document(
    uow: UnitOfWork, vault: FilesystemVault, actor: Actor, document_id: int, *, reason: str | None
) -> tuple[DocumentView, Iterator[bytes]]:
    """Like export_document, for HTTP: chunks verified as they stream."""
    _require(actor, Permission.DOCUMENT_READ_CONTENT)
    why = read_reason(actor, reason)
    with uow.transaction() as session:
        document = _visible(session, actor, document_id)
        view = _view(session, document)
        audit.record(session, _event(uow, actor, "document:content:read", document, reason=why))
    return view, vault.iter_plaintext(_ref(document), _aad(document))


# -- vault maintenance -----------------------------------------------------------------------


def _recorded(document: Document) -> RecordedBlob:
    owner = f"document {document.id} ({document.path})"
    return RecordedBlob(_ref(document), document.ciphertext_sha256, _aad(document), document.id, owner)


def check_vault(uow: UnitOfWork, vault: FilesystemVault, actor: Actor, *, deep: bool = False) -> FsckReport:
    """Check every blob against its recorded hash (deep: decrypt and check the plaintext too) and
    list orphan blobs no document refers to. Admins and auditors; the run is audited."""
    _require(actor, Permission.VAULT_MAINTAIN)
    report = fixity.check_blobs(
        vault, fixity.rows_in_batches(uow, Document, _recorded), deep=deep, referrer="document"
    )
    with uow.transaction() as session:
        audit.record(
            session,
            AuditEvent(
                "vault:fsck:run",
                "vault",
                "documents",
                uow.clock.now(),
                actor,
                details=fixity.ledger_details(report),
            ),
        )
    return report


def rotate_vault_master_key(uow: UnitOfWork, keys_dir: Path, actor: Actor) -> RotationReport:
    """Make a new master key and rewrap every data key under it, without re-encrypting content.

    Resumable: when documents are still wrapped under a retired key (an interrupted rotation),
    this finishes that rotation instead of starting another. Admins.
    """
    _require(actor, Permission.VAULT_MAINTAIN)
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
    with uow.transaction() as session:
        audit.record(
            session,
            AuditEvent(
                "vault:key:rotate",
                "vault",
                "documents",
                uow.clock.now(),
                actor,
                details={"new_key_id": new_id, "rewrapped": rewrapped},
            ),
        )
    return RotationReport(new_key_id=new_id, rewrapped=rewrapped, retired_key_ids=retired)
