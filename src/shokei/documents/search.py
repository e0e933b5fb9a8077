"""Search over every field a user sees of a document, one query path for web, API and CLI.

Two sources, one answer:
- the *described* fields, which the supplier or intake officer fill in after upload (title,
  drawing number, revision, component, weapon system) and every file name the content was handed
  in under: a substring match on the rows themselves, so a description edited later is found at
  once and never by its old value;
- the *extracted* body (file name, markings, metadata words and text, fixed at submission) through
  the engine's index. SQLite: an FTS5 table with the trigram tokenizer (Japanese has no spaces
  between words). PostgreSQL: a pg_trgm GIN index serving ILIKE. Trigrams need 3+ characters, so
  shorter queries (two-character Japanese words such as 砲身) fall back to a substring scan on both.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, exists, literal_column, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from shokei.documents.models import Document, DocumentPath, DocumentText

TRIGRAM = 3
# What a document's pages, the inventory and the search results display about it.
DESCRIBED_FIELDS: tuple[InstrumentedAttribute[Any], ...] = (
    Document.title,
    Document.drawing_number,
    Document.revision,
    Document.component,
    Document.weapon_system,
    Document.path,
)


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column: Any, query: str) -> ColumnElement[bool]:
    return column.ilike(_like_pattern(query), escape="\\")  # type: ignore[no-any-return]


def described(query: str) -> ColumnElement[bool]:
    """The document's described fields or any name it was handed in under contain `query`."""
    other_names = exists().where(DocumentPath.document_id == Document.id, _contains(DocumentPath.path, query))
    return or_(*(_contains(column, query) for column in DESCRIBED_FIELDS), other_names)


class SearchIndex(Protocol):
    def matching_ids(self, session: Session, query: str) -> Select[Any]: ...


class SqliteTrigramIndex:
    def matching_ids(self, session: Session, query: str) -> Select[Any]:
        if len(query) < TRIGRAM:
            return select(DocumentText.document_id).where(_contains(DocumentText.body, query))
        phrase = '"' + query.replace('"', '""') + '"'  # one quoted phrase: no FTS operators from users
        matches: Select[Any] = (
            select(literal_column("rowid"))
            .select_from(text("document_search"))
            .where(text("document_search MATCH :phrase").bindparams(phrase=phrase))
        )
        return select(DocumentText.document_id).where(DocumentText.document_id.in_(matches))


class PostgresTrigramIndex:
    def matching_ids(self, session: Session, query: str) -> Select[Any]:
        # The GIN gin_trgm_ops index serves ILIKE '%...%' for 3+ characters; shorter ones scan.
        return select(DocumentText.document_id).where(_contains(DocumentText.body, query))


def index_for(dialect: str) -> SearchIndex:
    return SqliteTrigramIndex() if dialect == "sqlite" else PostgresTrigramIndex()


def matching(session: Session, dialect: str, query: str) -> ColumnElement[bool]:
    """The one condition every search (web, API, CLI) puts on `Document`."""
    return or_(described(query), Document.id.in_(index_for(dialect).matching_ids(session, query)))
