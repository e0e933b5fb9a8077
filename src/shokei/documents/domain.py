"""Document intake and custody rules: who may hand in or read what, and how paths are written."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from shokei.cases.domain import SUPPLIER_CONTENT_CLOSED_STATES, CaseState
from shokei.errors import N_, BadInput, Text
from shokei.kernel import Actor, Role

ARCHIVE_MEMBER_SEPARATOR = "!/"
MAX_READ_REASON_CHARS = 1000


class RefusalReason(StrEnum):
    NOT_A_REGULAR_FILE = "not_a_regular_file"
    UNREADABLE = "unreadable"
    CHANGED_WHILE_READING = "changed_while_reading"
    ARCHIVE_REFUSED = "archive_refused"
    MEMBER_REFUSED = "member_refused"
    INVALID_NAME = "invalid_name"  # not valid Unicode (a non-UTF-8 file name), or a NUL in it


@dataclass(frozen=True, slots=True)
class Refusal:
    path: str
    reason: str


def member_path(archive_path: str, member: str) -> str:
    """`outer.zip!/inner/file.pdf`: where a document sat inside an archive."""
    return f"{archive_path}{ARCHIVE_MEMBER_SEPARATOR}{member}"


def read_reason(actor: Actor, reason: str | None) -> str | None:
    """Officials must say why they read a document; the reason goes into the ledger."""
    cleaned = (reason or "").strip()
    if actor.role is not Role.SUPPLIER and not cleaned:
        raise BadInput(Text(N_("give a reason for reading this document (--reason)")))
    if len(cleaned) > MAX_READ_REASON_CHARS:
        raise BadInput(
            Text(
                N_("the reason must be at most %(max_read_reason_chars)s characters"),
                {"max_read_reason_chars": MAX_READ_REASON_CHARS},
            )
        )
    return cleaned or None


def supplier_reading_closed(actor: Actor, state: CaseState) -> bool:
    """A supplier reads its handed-in files only until the purchase is approved or the case is
    released (`SUPPLIER_CONTENT_CLOSED_STATES`); officials' reading does not end with the case."""
    return actor.role is Role.SUPPLIER and state in SUPPLIER_CONTENT_CLOSED_STATES


def search_body(
    *, path: str, title: str | None, text: str, metadata_words: list[str], markings: list[str]
) -> str:
    """What the full-text index covers for one document."""
    parts = [path, title or "", " ".join(markings), " ".join(metadata_words), text]
    return "\n".join(part for part in parts if part)


def metadata_words(metadata: object, limit: int = 2000) -> list[str]:
    """Every string value inside extracted metadata, for search; bounded for hostile files."""
    found: list[str] = []
    stack = [metadata]
    while stack and len(found) < limit:
        value = stack.pop()
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


class SearchQueryTooShort(BadInput):
    pass


def normalise_query(query: str) -> str:
    """The words of a query, control characters (a NUL byte no database accepts) taken out."""
    printable = "".join(" " if unicodedata.category(char) == "Cc" else char for char in query)
    cleaned = " ".join(printable.split())
    if not cleaned:
        raise SearchQueryTooShort(Text(N_("Enter a word to search for.")))
    return cleaned
