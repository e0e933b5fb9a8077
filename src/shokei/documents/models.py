from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId, JsonDoc


class Document(Base):
    """One handed-in file: where it came from, what it is, and where its encrypted blob lives.

    The same content submitted twice in one case is one row with several `DocumentPath`s.
    """

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("case_id", "sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)  # bound into the blob's associated data
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    path: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    ciphertext_sha256: Mapped[str] = mapped_column(String(64))
    ciphertext_size: Mapped[int] = mapped_column(BigInteger)
    blob_id: Mapped[str] = mapped_column(String(64), index=True)
    key_id: Mapped[str] = mapped_column(String(16), index=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    markings: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)
    flags: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)
    doc_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JsonDoc, default=dict)
    page_count: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(500))
    drawing_number: Mapped[str | None] = mapped_column(String(100))
    revision: Mapped[str | None] = mapped_column(String(50))
    component: Mapped[str | None] = mapped_column(String(255))
    weapon_system: Mapped[str | None] = mapped_column(String(255))
    submitted_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DocumentPath(Base):
    __tablename__ = "document_paths"
    __table_args__ = (UniqueConstraint("document_id", "path"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("documents.id"), index=True)
    path: Mapped[str] = mapped_column(Text)


class DocumentText(Base):
    """Extracted text and metadata words, the body the search index covers."""

    __tablename__ = "document_texts"

    document_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("documents.id"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
