"""What the documents use cases share: the permission check, the ledger event of a document,
and reading document rows (visible to an actor, by content, as views)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.cases import services as cases
from shokei.documents.models import Document, DocumentPath
from shokei.documents.schemas import DocumentView
from shokei.errors import N_, Forbidden, NotFound, Text
from shokei.kernel import Actor, Permission, role_name
from shokei.kernel.unit_of_work import UnitOfWork


def require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise Forbidden(
            Text(
                N_("%(role)s may not %(permission)s"),
                {"role": role_name(actor.role), "permission": permission.value},
            )
        )


def record_document(
    uow: UnitOfWork, actor: Actor, action: str, document: Document, **details: object
) -> None:
    """Put `action` on the document in the ledger, in the open transaction (its case in details)."""
    uow.record(action, "document", document.id, actor, details={"case": document.case_id, **details})


def visible(uow: UnitOfWork, actor: Actor, document_id: int) -> Document:
    """The document, if `actor` may know of its case; an official not assigned to its case is
    refused naming the assignment (in the open transaction)."""
    session = uow.session
    document = session.execute(
        select(Document).where(
            Document.id == document_id, Document.case_id.in_(cases.visible_case_ids(actor))
        )
    ).scalar_one_or_none()
    if document is None:
        case_id = session.execute(select(Document.case_id).where(Document.id == document_id)).scalar()
        if case_id is not None and not actor.is_company_bound:
            cases.case_ref(uow, actor, case_id)  # an unassigned official is told so
        raise NotFound(Text(N_("no document %(document_id)s"), {"document_id": document_id}))
    return document


def existing(session: Session, case_id: int, sha256: str) -> Document | None:
    """The case's document with this content, if it holds one (content is unique per case)."""
    return session.execute(
        select(Document).where(Document.case_id == case_id, Document.sha256 == sha256)
    ).scalar_one_or_none()


def existing_by_content(session: Session, case_id: int, sha256s: Collection[str]) -> dict[str, Document]:
    """The case's documents with any of these contents, by content (one query)."""
    if not sha256s:
        return {}
    rows = session.execute(
        select(Document).where(Document.case_id == case_id, Document.sha256.in_(set(sha256s)))
    ).scalars()
    return {document.sha256: document for document in rows}


def paths_of(session: Session, document_ids: Collection[int]) -> dict[int, list[str]]:
    """Each document's paths in the order they were added (one query)."""
    found: dict[int, list[str]] = {document_id: [] for document_id in document_ids}
    if found:
        rows = session.execute(
            select(DocumentPath.document_id, DocumentPath.path)
            .where(DocumentPath.document_id.in_(found))
            .order_by(DocumentPath.id)
        )
        for document_id, path in rows:
            found[document_id].append(path)
    return found


def paths(session: Session, document_id: int) -> list[str]:
    return list(
        session.execute(
            select(DocumentPath.path).where(DocumentPath.document_id == document_id).order_by(DocumentPath.id)
        ).scalars()
    )


def view(session: Session, document: Document, known_paths: list[str] | None = None) -> DocumentView:
    return DocumentView(
        id=document.id,
        case_id=document.case_id,
        path=document.path,
        paths=paths(session, document.id) if known_paths is None else list(known_paths),
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
