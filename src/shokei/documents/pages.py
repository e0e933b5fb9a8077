"""Documents in the web pages: upload with progress (streamed to disk), the case's files with their
markings, describing a file for the inventory, search, and audited download.

Uploads use the streaming multipart receiver the API uses (`api_support.received_files`): file
parts are sealed into this process's scratch area as they arrive (unreadable after a crash) and
removed once `submit_documents` has stored them in the vault.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Form, Query, Request, Response
from fastapi.responses import StreamingResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from shokei.api_support import ShokeiDep, content_disposition, received_files
from shokei.cases import services as cases
from shokei.cases.domain import INVENTORY_EDITABLE_STATES
from shokei.documents import services
from shokei.documents.intake import Upload
from shokei.documents.schemas import DocumentDescription
from shokei.errors import Forbidden, ShokeiError, Text
from shokei.kernel import Permission, role_name
from shokei.kernel.bounds import Id
from shokei.web.i18n import N_, label
from shokei.web.i18n import gettext as _
from shokei.web.registry import CASE, DOCUMENT, Box, BoxContext, FeaturePages, NavItem, boxes_for
from shokei.web.routing import ERROR_TITLES, TemplatesDep, WebActor, flash, page_router, redirect
from shokei.web.templating import render_box

router = page_router()


@router.get("/cases/{case_id}/upload")
def upload_page(
    case_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    case = cases.get_case(shokei.uow, actor, case_id)
    if not actor.can(Permission.DOCUMENT_SUBMIT):
        # submit_documents refuses this role anyway; do not offer a form it cannot send.
        raise Forbidden(Text(N_("%(role)s may not hand in documents"), {"role": role_name(actor.role)}))
    documents = services.list_documents(shokei.uow, actor, case_id)
    context = {
        "case": case,
        "documents": documents,
        "open": case.state in INVENTORY_EDITABLE_STATES,
        # The page tells before sending: a browser shown an early 413 may report only a broken upload.
        "max_upload_bytes": shokei.settings.max_upload_bytes,
    }
    return templates.page(request, "documents/upload.html", context)


@router.post("/cases/{case_id}/files")
async def upload(
    case_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    """The upload script's target: decides who may before reading the body (403, and 413 over the
    limits, with nothing received), streams the files in, stores them, answers with a fragment."""
    try:
        limit = shokei.settings.max_case_bytes
        admission = await run_in_threadpool(
            services.admit_submission, shokei.uow, actor, case_id, max_case_bytes=limit
        )
        async with received_files(
            request, shokei, room=admission.room, too_large=admission.too_large
        ) as files:
            uploads = [Upload(file.sealed, file.name) for file in files]
            result = await run_in_threadpool(
                services.submit_documents,
                shokei.uow,
                shokei.vaults.documents,
                actor,
                case_id,
                uploads,
                scratch_dir=shokei.scratch_dir,
            )
    except ShokeiError as error:
        context = {
            "error": _(ERROR_TITLES.get(error.http_status, ERROR_TITLES[500])),
            "detail": error.localised(_),
        }
        return templates.page(
            request, "documents/_submission.html", {"result": None, **context}, status=error.http_status
        )
    return templates.page(
        request, "documents/_submission.html", {"result": result, "error": None, "detail": None}, status=201
    )


@router.get("/cases/{case_id}/documents")
def case_documents(
    case_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    """The case's stored files: a page of its own, or the table alone for htmx (after an upload)."""
    case = cases.get_case(shokei.uow, actor, case_id)
    documents = services.list_documents(shokei.uow, actor, case_id)
    return templates.page(
        request,
        "documents/case_documents.html",
        {"case": case, "documents": documents},
        fragment="documents/_table.html",
    )


@router.get("/documents")
def search_page(
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    templates: TemplatesDep,
    q: Annotated[str, Query(max_length=200)] = "",
    case: Annotated[Id | None, Query()] = None,
) -> Response:
    """Full-text search over handed-in documents (Japanese without spaces), within need-to-know."""
    results = services.search_documents(shokei.uow, actor, q, case_id=case) if q.strip() else None
    context = {"q": q, "case_filter": case, "results": results}
    return templates.page(
        request, "documents/search.html", context, fragment="documents/_search_results.html"
    )


@router.get("/documents/{document_id}")
def document_page(
    document_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep
) -> Response:
    document = services.get_document(shokei.uow, actor, document_id)
    case = cases.get_case(shokei.uow, actor, document.case_id)
    context = {
        "document": document,
        "case": case,
        "can_describe": actor.can(Permission.DOCUMENT_SUBMIT) and case.state in INVENTORY_EDITABLE_STATES,
        "can_read": actor.can(Permission.DOCUMENT_READ_CONTENT),
        "needs_reason": actor.role != "supplier",
        "boxes": boxes_for(request, DOCUMENT, shokei, actor, document),
    }
    return templates.page(request, "documents/detail.html", context)


@router.post("/documents/{document_id}")
def describe(
    document_id: Id,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    title: Annotated[str, Form(max_length=500)] = "",
    drawing_number: Annotated[str, Form(max_length=100)] = "",
    revision: Annotated[str, Form(max_length=50)] = "",
    component: Annotated[str, Form(max_length=255)] = "",
    weapon_system: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    """Fill in a stored file's inventory fields; an empty title keeps the current one."""
    fields = DocumentDescription(
        drawing_number=drawing_number.strip() or None,
        revision=revision.strip() or None,
        component=component.strip() or None,
        weapon_system=weapon_system.strip() or None,
    )
    if title.strip():
        fields.title = title.strip()
    services.describe_document(shokei.uow, actor, document_id, fields)
    flash(request, "success", _("The inventory fields have been saved."))
    return redirect(request, f"/documents/{document_id}")


@router.post("/documents/{document_id}/download")
def download(
    document_id: Id,
    shokei: ShokeiDep,
    actor: WebActor,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> StreamingResponse:
    """The decrypted file, verified as it streams; officials' reasons go into the ledger first."""
    document, chunks = services.stream_document(
        shokei.uow, shokei.vaults.documents, actor, document_id, reason=reason.strip() or None
    )
    name = Path(document.path.split("!/")[-1]).name or f"document-{document.id}"
    return StreamingResponse(
        chunks,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(name),
            "X-Content-SHA256": document.sha256,
        },
    )


def _documents_box(context: BoxContext) -> Markup | None:
    case = context.subject
    documents = services.list_documents(context.shokei.uow, context.actor, case.id)
    return render_box(context.request, "documents/_case_box.html", {"case": case, "documents": documents})


# -- display names: a document's format and its extracted metadata's keys ---------------------

DOCUMENT_TYPE_LABELS: dict[str, str] = {
    "pdf": "PDF",
    "step": "STEP",
    "iges": "IGES",
    "dxf": "DXF",
    "docx": "Word (DOCX)",
    "xlsx": "Excel (XLSX)",
    "image": N_("Image"),
    "text": N_("Text file"),
    "other": N_("Other format"),
}
METADATA_LABELS: dict[str, str] = {
    "title": N_("Title"),
    "author": N_("Author"),
    "subject": N_("Subject"),
    "keywords": N_("Keywords"),
    "creator": N_("Creating application"),
    "producer": N_("Producing application"),
    "created": N_("Created"),
    "modified": N_("Modified"),
    "pdf_version": N_("PDF version"),
    "encryption": N_("Encryption"),
    "page_count": N_("Pages"),
    "attachments": N_("Attachments"),
    "dxf_version": N_("DXF version"),
    "acad_release": N_("AutoCAD release"),
    "insunits": N_("Drawing units (code)"),
    "units": N_("Units"),
    "last_saved_by": N_("Last saved by"),
    "layers": N_("Layers"),
    "entity_count": N_("Number of entities"),
    "entity_types": N_("Entities by type"),
    "recovered_problems": N_("Problems recovered when reading"),
    "iges_version": N_("IGES version"),
    "organization": N_("Organisation"),
    "organizations": N_("Organisations"),
    "description": N_("Description"),
    "name": N_("Name"),
    "time_stamp": N_("Time stamp"),
    "implementation_level": N_("Implementation level"),
    "preprocessor_version": N_("Preprocessor version"),
    "originating_system": N_("Originating system"),
    "authorization": N_("Authorisation"),
    "products": N_("Products"),
    "format": N_("Image format"),
    "width": N_("Width (pixels)"),
    "height": N_("Height (pixels)"),
    "mode": N_("Colour mode"),
    "frames": N_("Frames"),
    "dpi": N_("Resolution (dpi)"),
    "paragraph_count": N_("Paragraphs"),
    "sheets": N_("Sheets"),
    "line_count": N_("Lines"),
    "file_bytes": N_("File size (bytes)"),
    "error": N_("Reading error"),
    "error_message": N_("Reading error detail"),
    "refused": N_("Refused"),
}


def document_type_label(value: str) -> str:
    return label(DOCUMENT_TYPE_LABELS, value)


def metadata_label(key: str) -> str | None:
    """A metadata key's display name, or None for a key only the format knows (shown as a code)."""
    msgid = METADATA_LABELS.get(key)
    return _(msgid) if msgid else None


def metadata_value(value: object) -> str:
    """An extracted value as a reader reads it: lists and tables joined, yes or no for a flag,
    never a Python representation."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "、".join(f"{key}: {metadata_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return "、".join(metadata_value(item) for item in value)
    return "" if value is None else str(value)


pages = FeaturePages(
    name="documents",
    router=router,
    templates=Path(__file__).parent / "templates",
    nav=(NavItem(N_("Document search"), "/documents", lambda actor: actor.can(Permission.CASE_READ)),),
    boxes=(Box(CASE, "documents", _documents_box),),
    template_globals={
        "document_type_label": document_type_label,
        "metadata_label": metadata_label,
        "metadata_value": metadata_value,
    },
)
