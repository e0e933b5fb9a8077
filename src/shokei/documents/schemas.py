from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from shokei.errors import Text


class DocumentView(BaseModel):
    id: int
    case_id: int
    path: str
    paths: list[str]
    type: str
    size: int
    sha256: str
    markings: list[str]
    flags: list[str]
    page_count: int | None
    title: str | None
    drawing_number: str | None
    revision: str | None
    component: str | None
    weapon_system: str | None
    submitted_at: datetime


class DocumentDetail(DocumentView):
    metadata: dict[str, Any]


class DocumentDescription(BaseModel):
    """Inventory fields the supplier fills in; only the fields given are changed."""

    title: str | None = Field(default=None, max_length=500)
    drawing_number: str | None = Field(default=None, max_length=100)
    revision: str | None = Field(default=None, max_length=50)
    component: str | None = Field(default=None, max_length=255)
    weapon_system: str | None = Field(default=None, max_length=255)


class RefusalView(BaseModel):
    path: str
    reason: str


class SubmissionResult(BaseModel):
    documents: list[DocumentView]
    duplicates: list[DocumentView]
    refused: list[RefusalView]


class FsckProblem(BaseModel):
    kind: str  # missing | corrupt | orphan | unreadable
    blob_id: str
    document_id: int | None
    detail: str  # in English (the JSON, the ledger)
    # The same as a catalogue message, for the CLI user's language (not in the JSON).
    detail_text: SkipJsonSchema[Text | None] = Field(default=None, exclude=True)

    @classmethod
    def of(cls, kind: str, blob_id: str, document_id: int | None, detail: Text) -> FsckProblem:
        """A problem whose detail is a message: its English kept, the message beside it."""
        return cls(
            kind=kind, blob_id=blob_id, document_id=document_id, detail=detail.render(), detail_text=detail
        )


class FsckReport(BaseModel):
    ok: bool
    deep: bool
    checked: int
    problems: list[FsckProblem]


class RotationReport(BaseModel):
    new_key_id: str
    rewrapped: int
    retired_key_ids: list[str]


class ExportedOriginal(BaseModel):
    """A document's verified plaintext in an export's scratch directory (`export_originals`)."""

    document_id: int
    path: str  # as handed in
    name: str  # its last component, for naming what is made of it
    sha256: str
    size: int
    plaintext: Path


class GcRemoved(BaseModel):
    scratch: int
    temp: int
    orphans: int


class GcReport(BaseModel):
    removed: GcRemoved
    bytes: int
