"""Succession tables: the successor's inbox, acceptances of terms, issued copies, dissemination."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId, JsonDoc


class InboxMessage(Base):
    """A message to a company's users (the successor is notified of its selection here)."""

    __tablename__ = "inbox_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("companies.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("exit_cases.id"))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TermsAcceptance(Base):
    """A company's acceptance of one version of the terms for one case."""

    __tablename__ = "terms_acceptances"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    company_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("companies.id"))
    accepted_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    terms_version: Mapped[str] = mapped_column(String(32))
    terms_digest: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HandoverCopy(Base):
    """One issued per-recipient copy, stored encrypted in the vault."""

    __tablename__ = "handover_copies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    copy_id: Mapped[str] = mapped_column(String(48), unique=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    document_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("documents.id"), index=True)
    recipient_company_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("companies.id"), index=True)
    recipient_corporate_number: Mapped[str] = mapped_column(String(13))
    recipient_name: Mapped[str] = mapped_column(String(255))
    parent_copy_id: Mapped[str | None] = mapped_column(String(48), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(16))
    marks: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)
    recorded: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    document_sha256: Mapped[str] = mapped_column(String(64), index=True)
    delivered_unchanged: Mapped[bool] = mapped_column(Boolean, default=False)
    fingerprint: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    size: Mapped[int] = mapped_column(BigInteger)
    blob_id: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext_sha256: Mapped[str] = mapped_column(String(64))
    ciphertext_size: Mapped[int] = mapped_column(BigInteger)
    issued_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # issued → recalled (an official, with a reason) → destroyed (the holder's certificate)
    status: Mapped[str] = mapped_column(String(16), default="issued", server_default="issued", index=True)
    recalled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recalled_by: Mapped[str | None] = mapped_column(String(64))
    recall_reason: Mapped[str | None] = mapped_column(Text)
    destroyed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    destroyed_by: Mapped[str | None] = mapped_column(String(64))
    destruction_reference: Mapped[str | None] = mapped_column(String(255))
    destruction_sha256: Mapped[str | None] = mapped_column(String(64))


class DisseminationRequest(Base):
    """A successor's request to pass one of its copies to a named subcontractor."""

    __tablename__ = "dissemination_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    copy_id: Mapped[str] = mapped_column(String(48), ForeignKey("handover_copies.copy_id"), index=True)
    to_company_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("companies.id"))
    purpose: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    requested_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    new_copy_id: Mapped[str | None] = mapped_column(String(48))
    decision_reason: Mapped[str | None] = mapped_column(Text)  # why it was rejected
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the terms, by
    accepted_by: Mapped[str | None] = mapped_column(String(64))  # the subcontractor's user


class DestructionCertificate(Base):
    """The withdrawing supplier's certificate that it destroyed its own copies; closes the case."""

    __tablename__ = "destruction_certificates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FoundFile(Base):
    """A file found in the wild and traced: kept encrypted in the copies vault as evidence, once
    per content (a second trace of the same bytes refers to the first blob)."""

    __tablename__ = "found_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(BigInteger)
    blob_id: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext_sha256: Mapped[str] = mapped_column(String(64))
    ciphertext_size: Mapped[int] = mapped_column(BigInteger)
    stored_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
