"""Full-text search over extracted text, one interface over two engines.

SQLite: an FTS5 table with the trigram tokenizer (Japanese has no spaces between words).
PostgreSQL: a pg_trgm GIN index serving ILIKE. Trigrams need 3+ characters, so shorter queries
(two-character Japanese words such as 図面) fall back to a plain substring scan on both.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, literal_column, select, text
from sqlalchemy.orm import Session

from shokei.documents.models import DocumentText

TRIGRAM = 3


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _substring(query: str) -> ColumnElement[bool]:
    return DocumentText.body.ilike(_like_pattern(query), escape="\\")


class SearchIndex(Protocol):
    def matching_ids(self, session: Session, query: str) -> Select[int]: ...


class SqliteTrigramIndex:
    def matching_ids(self, session: Session, query: str) -> Select[int]:
        if len(query) < TRIGRAM:
            return select(DocumentText.document_id).where(_substring(query))
        phrase = '"' + query.replace('"', '""') + '"'  # one quoted phrase: no FTS operators from users
        matches: Select[Any] = (
            select(literal_column("rowid"))
            .select_from(text("document_search"))
            .where(text("document_search MATCH :phrase").bindparams(phrase=phrase))
        )
        return select(DocumentText.document_id).where(DocumentText.document_id.in_(matches))


class PostgresTrigramIndex:
    def matching_ids(self, session: Session, query: str) -> Select[int]:
        # The GIN gin_trgm_ops index serves ILIKE '%...%' for 3+ characters; shorter ones scan.
        return select(DocumentText.document_id).where(_substring(query))


def index_for(dialect: str) -> SearchIndex:
    return SqliteTrigramIndex() if dialect == "sqlite" else PostgresTrigramIndex()
