"""Handing in files for a case: a multi-phase use case (see `documents.staging`).

1. *prepare*: the case takes documents (`cases.require_inventory_open`); its state is noted.
2. *produce files*, per file: the file is encrypted into the vault as a staged blob while it
   is hashed, and its type, metadata, text and markings are read.
3. *commit and re-check*, per file: one transaction checks again that the case still takes
   documents and has not moved since the submission began (a supplier's `submit` declares the
   inventory complete: a file still in flight then is refused, not slipped in after it), then
   records the document, its inventory line and its ledger entry. A refused file's blob is
   discarded; files committed before stay stored.
"""

from __future__ import annotations

import errno
import uuid
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from shokei.cases import services as cases
from shokei.cases.domain import CaseState
from shokei.documents.domain import Refusal, RefusalReason, metadata_words, search_body
from shokei.documents.intake import Incoming, Upload, expand_inputs
from shokei.documents.markings import find_markings
from shokei.documents.models import Document, DocumentPath, DocumentText
from shokei.documents.records import existing, paths, record_document, require, view
from shokei.documents.schemas import DocumentView, RefusalView, SubmissionResult
from shokei.documents.scratch import area_for
from shokei.documents.staging import StagedBlobs, staged_blobs
from shokei.documents.vault import StoredBlob, Vault, document_associated_data
from shokei.errors import N_, Conflict, Text
from shokei.formats.extract import extract
from shokei.formats.sniff import detect_type_path
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork

# A full disk is not a property of the file: it stops the submission instead of refusing the file.
STORAGE_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


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
    Each file is linked to the case only while the case still takes documents and has not moved
    since the submission began: otherwise `Conflict`, and the files stored before it stay.
    """
    require(actor, Permission.DOCUMENT_SUBMIT)
    with uow.transaction():
        cases.require_inventory_open(uow, actor, case_id)
        began_in = cases.case_ref(uow, actor, case_id).state
    sink = progress or _NoProgress()
    result = SubmissionResult(documents=[], duplicates=[], refused=[])
    with staged_blobs(vault) as staged:
        submission = _Submission(uow, staged, actor, case_id, began_in, sink, result)
        with closing(expand_inputs(list(paths), area_for(scratch_dir), sink)) as items:
            for item in items:
                if isinstance(item, Refusal):
                    result.refused.append(RefusalView(path=item.path, reason=item.reason))
                else:
                    submission.ingest(item)
    return result


@dataclass
class _Submission:
    """One submission's context: who hands in what for which case, and what happened so far."""

    uow: UnitOfWork
    staged: StagedBlobs
    actor: Actor
    case_id: int
    began_in: CaseState
    progress: Progress
    result: SubmissionResult

    def ingest(self, item: Incoming) -> None:
        # One read of the file: it is hashed while it is encrypted, and duplicates are recognised
        # after. A duplicate's fresh blob is never referenced and is discarded at once.
        uid = uuid.uuid4().hex
        try:
            with item.open() as source:
                stored = self.staged.put(source, document_associated_data(str(self.case_id), uid))
        except OSError as error:
            if error.errno in STORAGE_FULL:
                raise  # the vault's (or scratch's) disk is full: the submission stops, clearly
            self.result.refused.append(
                RefusalView(path=item.label, reason=f"{RefusalReason.UNREADABLE}: {error.strerror}")
            )
            return
        self.progress.advanced(item.size, item.label)
        with self.uow.transaction() as session:
            duplicate = existing(session, self.case_id, stored.plaintext_sha256) is not None
        try:
            if not duplicate:
                self.result.documents.append(self._save(item, uid, stored))
                return
        except IntegrityError:
            pass  # a concurrent submission stored the same content first: ours is another path of it
        self.staged.discard(stored)
        self.result.duplicates.append(self._record_duplicate(stored.plaintext_sha256, item.label))

    def _recheck(self, label: str) -> None:
        """Phase 3's re-check, in the transaction that links the file to the case."""
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

    def _save(self, item: Incoming, uid: str, stored: StoredBlob) -> DocumentView:
        with item.as_path() as local_path:
            doc_type = detect_type_path(local_path)
            extraction = extract(local_path, doc_type)
        words = metadata_words(extraction.metadata)
        markings = find_markings("\n".join([*words, extraction.text]))
        title = _title(extraction.metadata) or item.label.rsplit("/", 1)[-1]
        uow, actor = self.uow, self.actor
        with uow.transaction() as session:
            self._recheck(item.label)
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
            record_document(
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
            )
            self.staged.referenced(stored)
            return view(session, document)


def _title(metadata: Mapping[str, object]) -> str | None:
    title = metadata.get("title")
    return title.strip()[:500] if isinstance(title, str) and title.strip() else None


def _page_count(metadata: Mapping[str, object]) -> int | None:
    pages = metadata.get("pages", metadata.get("page_count"))
    return pages if isinstance(pages, int) else None
