"""Handing in files for a case: a multi-phase use case (see `documents.staging`), in batches.

1. *prepare*: the case takes documents (`cases.require_inventory_open`); its state is noted.
2. *produce files*, a batch at a time: every file of the batch is encrypted into a temp file of
   the vault while it is hashed, on all cores at once (`Vault.stage`; SHA-256 and AES-GCM
   release the GIL), while this thread reads each one's type, metadata, text and markings; then
   the batch's temp files are fsynced together (`Vault.sync`: one journal commit for many files).
3. *commit and re-check*, one transaction per batch (group commit): it checks again that the
   case still takes documents and has not moved since the submission began (a supplier's
   `submit` declares the inventory complete: files still in flight then are refused, not slipped
   in after it), records the batch's documents, inventory lines and ledger entries, and as its
   last step renames the batch's blobs into place (`Vault.install`) before it commits. A crash
   at any point leaves no row without its blob; at worst, killed between that rename and the
   commit, one batch's blobs without rows (orphans for fsck and `vault gc`); a re-run finds the
   files already committed as duplicates. A refused batch's blobs are discarded; batches
   committed before stay stored.

Batches start at one file and double up to `BATCH_FILES` (or `BATCH_BYTES`): a long submission
pays one fsync group and one transaction per batch instead of two of each per file. The next
batch is sealed while the one before is synced and linked (batches are linked in order), so the
cores are not idle through an fsync or a transaction, and large files, each a batch of its own,
are sealed side by side.
"""

from __future__ import annotations

import errno
import os
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shokei.cases import services as cases
from shokei.cases.domain import CaseState
from shokei.documents.domain import Refusal, RefusalReason, metadata_words, search_body
from shokei.documents.intake import Incoming, Upload, expand_inputs
from shokei.documents.markings import find_markings
from shokei.documents.models import Document, DocumentPath, DocumentText
from shokei.documents.records import (
    existing,
    existing_by_content,
    paths,
    paths_of,
    record_document,
    require,
    view,
)
from shokei.documents.schemas import DocumentView, RefusalView, SubmissionResult
from shokei.documents.scratch import area_for
from shokei.documents.staging import StagedBlobs, staged_blobs
from shokei.documents.vault import PendingBlob, StoredBlob, Vault, document_associated_data
from shokei.errors import N_, Conflict, Text
from shokei.formats.extract import Extraction, extract
from shokei.formats.sniff import detect_type_path
from shokei.kernel import Actor, AuditEvent, Permission
from shokei.kernel.unit_of_work import UnitOfWork

# A full disk is not a property of the file: it stops the submission instead of refusing the file.
STORAGE_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
# Group commit: a batch grows to this many files or bytes (its blobs are temp files until then).
BATCH_FILES = 128
BATCH_BYTES = 256 << 20
# Batches sealed ahead of the one being linked hold open temp files: at most this many at once.
FILES_IN_FLIGHT = 2 * BATCH_FILES
# Sealing threads: SHA-256 and AES-GCM release the GIL, so each core seals a file at a time.
SEALING_THREADS = max(2, os.cpu_count() or 1)


class Progress(Protocol):
    """Where long submissions report bytes done (the CLI draws a progress bar from it)."""

    def planned(self, total_bytes: int) -> None: ...

    def advanced(self, done_bytes: int, label: str) -> None: ...


class _NoProgress:
    def planned(self, total_bytes: int) -> None:
        pass

    def advanced(self, done_bytes: int, label: str) -> None:
        pass


def submit_documents(
    uow: UnitOfWork,
    vault: Vault,
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
    Files are linked to the case in batches, each only while the case still takes documents and
    has not moved since the submission began: otherwise `Conflict`, and the batches stored
    before it stay.
    """
    require(actor, Permission.DOCUMENT_SUBMIT)
    with uow.transaction():
        cases.require_inventory_open(uow, actor, case_id)
        began_in = cases.case_ref(uow, actor, case_id).state
    sink = progress or _NoProgress()
    result = SubmissionResult(documents=[], duplicates=[], refused=[])
    with (
        staged_blobs(vault) as staged,
        ThreadPoolExecutor(SEALING_THREADS, thread_name_prefix="intake-seal") as sealers,
    ):
        submission = _Submission(uow, staged, sealers, actor, case_id, began_in, sink, result)
        in_flight: deque[_Sealing] = deque()
        try:
            with closing(expand_inputs(list(paths), area_for(scratch_dir), sink)) as items:
                batch: list[Incoming] = []
                batch_bytes, limit = 0, 1
                for item in items:
                    if isinstance(item, Refusal):
                        result.refused.append(RefusalView(path=item.path, reason=item.reason))
                        continue
                    batch.append(item)
                    batch_bytes += item.size
                    if item.transient or len(batch) >= limit or batch_bytes >= BATCH_BYTES:
                        submission.make_room(in_flight, len(batch))
                        in_flight.append(submission.seal(batch))
                        batch, batch_bytes, limit = [], 0, min(2 * limit, BATCH_FILES)
                    if item.transient:  # its spooled copy goes when the next item is asked for
                        while in_flight:
                            submission.link(in_flight.popleft())
                if batch:
                    submission.make_room(in_flight, len(batch))
                    in_flight.append(submission.seal(batch))
            while in_flight:
                submission.link(in_flight.popleft())
        except BaseException:
            for sealing in in_flight:  # sealed ahead, never linked: their temp files go
                _abandon(staged.vault, sealing.futures)
            raise
    return result


@dataclass(frozen=True, slots=True)
class _Sealing:
    """A batch whose files are being sealed (`_Submission.seal`), not yet linked."""

    batch: list[Incoming]
    uids: list[str]
    futures: list[Future[PendingBlob | OSError]]


@dataclass
class _Prepared:
    """A file of the batch, sealed in a synced temp file, with what was read from it."""

    item: Incoming
    uid: str
    pending: PendingBlob
    doc_type: str
    extraction: Extraction
    words: list[str]
    markings: list[str]
    title: str

    @property
    def stored(self) -> StoredBlob:
        return self.pending.stored


@dataclass
class _Submission:
    """One submission's context: who hands in what for which case, and what happened so far."""

    uow: UnitOfWork
    staged: StagedBlobs
    sealers: ThreadPoolExecutor
    actor: Actor
    case_id: int
    began_in: CaseState
    progress: Progress
    result: SubmissionResult

    def make_room(self, in_flight: deque[_Sealing], files: int) -> None:
        """Link the oldest batches until `files` more may be sealed ahead: batches are sealed
        while the one before is synced and linked, so the cores keep sealing through each
        batch's fsync and transaction (a large file is a batch of its own), within
        `SEALING_THREADS` batches and `FILES_IN_FLIGHT` open temp files."""
        while in_flight and (
            len(in_flight) >= SEALING_THREADS
            or sum(len(sealing.batch) for sealing in in_flight) + files > FILES_IN_FLIGHT
        ):
            self.link(in_flight.popleft())

    def seal(self, batch: list[Incoming]) -> _Sealing:
        """Start sealing the batch on the sealers' threads (all cores); `link` finishes it."""
        uids = [uuid.uuid4().hex for _ in batch]
        futures = [self.sealers.submit(self._seal, item, uid) for item, uid in zip(batch, uids, strict=True)]
        return _Sealing(batch, uids, futures)

    def link(self, sealing: _Sealing) -> None:
        """Wait for the batch's sealing, sync it, then link it in one transaction."""
        batch, uids, futures = sealing.batch, sealing.uids, sealing.futures
        prepared: list[_Prepared] = []
        try:
            for item, uid, future in zip(batch, uids, futures, strict=True):
                sealed = future.result()
                if isinstance(sealed, OSError):
                    if sealed.errno in STORAGE_FULL:
                        raise sealed  # the vault's (or scratch's) disk is full: the submission stops
                    reason = f"{RefusalReason.UNREADABLE}: {sealed.strerror}"
                    self.result.refused.append(RefusalView(path=item.label, reason=reason))
                    continue
                self.progress.advanced(item.size, item.label)
                prepared.append(_read(item, uid, sealed))  # while the other threads seal the rest
            self.staged.vault.sync([p.pending for p in prepared])
        except BaseException:
            _abandon(self.staged.vault, futures)
            raise
        if prepared:
            self._link(prepared)

    def _seal(self, item: Incoming, uid: str) -> PendingBlob | OSError:
        # One read of the file: it is hashed while it is encrypted, duplicates recognised after.
        try:
            with item.open() as source:
                return self.staged.vault.stage(source, document_associated_data(str(self.case_id), uid))
        except OSError as error:
            return error

    def _link(self, prepared: list[_Prepared]) -> None:
        vault, pending = self.staged.vault, [p.pending for p in prepared]
        installed = False
        reported = len(self.result.documents), len(self.result.duplicates)
        try:
            with self.uow.transaction() as session:
                self._recheck(prepared[0].item.label)
                kept = self._record_batch(session, prepared)
                # The last step before the commit: the blobs are in place before their rows are.
                self.staged.add_durable(vault.install(pending))
                installed = True
                self.staged.referenced(*kept)
        except IntegrityError:
            # A concurrent submission stored some of the same content first: file by file.
            del self.result.documents[reported[0] :], self.result.duplicates[reported[1] :]
            if not installed:
                self.staged.add_durable(vault.install(pending))
            for one in prepared:
                self._link_alone(one)
        except BaseException:
            vault.abandon(pending)  # temp files not installed (a refused batch); no-op for the rest
            raise
        self.staged.discard_pending()  # the duplicates' blobs

    def _record_batch(self, session: Session, prepared: list[_Prepared]) -> list[StoredBlob]:
        """The batch's documents and their paths, inventory lines and ledger entries; returns
        the blobs the new documents refer to."""
        by_content = existing_by_content(session, self.case_id, {p.stored.plaintext_sha256 for p in prepared})
        known_paths = paths_of(session, [document.id for document in by_content.values()])
        created: list[tuple[_Prepared, Document]] = []
        for one in prepared:
            if one.stored.plaintext_sha256 not in by_content:
                document = self._document(one)
                by_content[one.stored.plaintext_sha256] = document
                created.append((one, document))
        session.add_all(document for _, document in created)
        session.flush()
        for one, document in created:
            known_paths[document.id] = [one.item.label]
            session.add(DocumentPath(document_id=document.id, path=one.item.label))
            session.add(DocumentText(document_id=document.id, body=_body(one)))
        cases.link_stored_documents(
            self.uow, self.actor, self.case_id, [(document.id, one.title) for one, document in created]
        )
        new = {id(document) for _, document in created}
        events: list[AuditEvent] = []
        for one in prepared:
            document = by_content[one.stored.plaintext_sha256]
            label, document_paths = one.item.label, known_paths[document.id]
            if id(document) in new and document.uid == one.uid:
                events.append(self._event("document:file:submit", document, **_submitted(one, document)))
                self.result.documents.append(view(session, document, document_paths))
                continue
            if label not in document_paths:
                document_paths.append(label)
                session.add(DocumentPath(document_id=document.id, path=label))
                events.append(self._event("document:path:add", document, path=label))
            self.result.duplicates.append(view(session, document, document_paths))
        self.uow.record_many(events)
        return [one.stored for one, _ in created]

    def _document(self, one: _Prepared) -> Document:
        stored = one.stored
        return Document(
            uid=one.uid,
            case_id=self.case_id,
            path=one.item.label,
            type=one.doc_type,
            size=stored.plaintext_size,
            sha256=stored.plaintext_sha256,
            ciphertext_sha256=stored.ciphertext_sha256,
            ciphertext_size=stored.ciphertext_size,
            blob_id=stored.blob_id,
            key_id=stored.key_id,
            wrapped_key=stored.wrapped_key,
            markings=one.markings,
            flags=list(one.extraction.flags),
            doc_metadata=one.extraction.metadata,
            page_count=_page_count(one.extraction.metadata),
            title=one.title,
            submitted_by_id=self.actor.user_id,
            submitted_at=self.uow.clock.now(),
        )

    def _event(self, action: str, document: Document, **details: object) -> AuditEvent:
        return AuditEvent(
            action,
            "document",
            str(document.id),
            self.uow.clock.now(),
            self.actor,
            details={"case": document.case_id, **details},
        )

    def _recheck(self, label: str) -> None:
        """Phase 3's re-check, in the transaction that links the files to the case."""
        try:
            cases.require_inventory_open(self.uow, self.actor, self.case_id)
            now = cases.case_ref(self.uow, self.actor, self.case_id).state
            if now is not self.began_in:
                raise Conflict(
                    Text(
                        N_("it moved from '%(began_in)s' to '%(now)s'"),
                        {"began_in": self.began_in, "now": now},
                    )
                )
        except Conflict as refused:
            kept = len(self.result.documents) + len(self.result.duplicates)
            raise Conflict(
                Text(
                    N_(
                        "case %(case_id)s stopped taking this submission before %(label)s "
                        "could be stored (%(message)s); the %(kept)s file(s) stored before it "
                        "remain, %(label)s and the rest were not stored"
                    ),
                    {
                        "case_id": self.case_id,
                        "label": label,
                        "message": refused.text or refused.message,
                        "kept": kept,
                    },
                )
            ) from None

    # -- one file at a time: after a concurrent submission stored some of the same content ---

    def _link_alone(self, one: _Prepared) -> None:
        with self.uow.transaction() as session:
            duplicate = existing(session, self.case_id, one.stored.plaintext_sha256) is not None
        try:
            if not duplicate:
                self.result.documents.append(self._save(one))
                return
        except IntegrityError:
            pass  # stored by the concurrent submission meanwhile: ours is another path of it
        self.staged.discard(one.stored)
        self.result.duplicates.append(self._record_duplicate(one.stored.plaintext_sha256, one.item.label))

    def _record_duplicate(self, sha256: str, label: str) -> DocumentView:
        uow = self.uow
        with uow.transaction() as session:
            self._recheck(label)
            document = existing(session, self.case_id, sha256)
            assert document is not None  # seen by the caller, and documents are never deleted
            if label not in paths(session, document.id):
                session.add(DocumentPath(document_id=document.id, path=label))
                record_document(uow, self.actor, "document:path:add", document, path=label)
            return view(session, document)

    def _save(self, one: _Prepared) -> DocumentView:
        uow, actor = self.uow, self.actor
        with uow.transaction() as session:
            self._recheck(one.item.label)
            document = self._document(one)
            session.add(document)
            session.flush()
            session.add(DocumentPath(document_id=document.id, path=one.item.label))
            session.add(DocumentText(document_id=document.id, body=_body(one)))
            cases.link_stored_document(uow, actor, self.case_id, document_id=document.id, title=one.title)
            record_document(uow, actor, "document:file:submit", document, **_submitted(one, document))
            self.staged.referenced(one.stored)
            return view(session, document)


def _read(item: Incoming, uid: str, pending: PendingBlob) -> _Prepared:
    """The file's type, metadata, text and markings (pure Python: this thread, not the sealers)."""
    with item.as_path() as local_path:
        doc_type = detect_type_path(local_path)
        extraction = extract(local_path, doc_type)
    words = metadata_words(extraction.metadata)
    markings = find_markings("\n".join([*words, extraction.text]))
    title = _title(extraction.metadata) or item.label.rsplit("/", 1)[-1]
    return _Prepared(item, uid, pending, doc_type.value, extraction, words, markings, title)


def _abandon(vault: Vault, sealing: list[Future[PendingBlob | OSError]]) -> None:
    """Remove the temp files of a batch that stopped before its commit."""
    for future in sealing:
        try:
            sealed = future.result()
        except BaseException:  # noqa: S112 - the failure being handled is the caller's to raise
            continue
        if not isinstance(sealed, OSError):
            vault.abandon([sealed])


def _body(one: _Prepared) -> str:
    return search_body(
        path=one.item.label,
        title=one.title,
        text=one.extraction.text,
        metadata_words=one.words,
        markings=one.markings,
    )


def _submitted(one: _Prepared, document: Document) -> dict[str, object]:
    return {
        "path": one.item.label,
        "sha256": document.sha256,
        "size": document.size,
        "type": document.type,
        "markings": one.markings,
        "flags": document.flags,
    }


def _title(metadata: Mapping[str, object]) -> str | None:
    title = metadata.get("title")
    return title.strip()[:500] if isinstance(title, str) and title.strip() else None


def _page_count(metadata: Mapping[str, object]) -> int | None:
    pages = metadata.get("pages", metadata.get("page_count"))
    return pages if isinstance(pages, int) else None
