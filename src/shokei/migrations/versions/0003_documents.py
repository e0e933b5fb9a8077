"""documents: stored files, their paths, extracted text and the full-text index

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sqlite.INTEGER(), "sqlite")
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("ciphertext_sha256", sa.String(length=64), nullable=False),
        sa.Column("ciphertext_size", sa.BigInteger(), nullable=False),
        sa.Column("blob_id", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("markings", JSON_DOC, nullable=False),
        sa.Column("flags", JSON_DOC, nullable=False),
        sa.Column("metadata", JSON_DOC, nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("drawing_number", sa.String(length=100), nullable=True),
        sa.Column("revision", sa.String(length=50), nullable=True),
        sa.Column("component", sa.String(length=255), nullable=True),
        sa.Column("weapon_system", sa.String(length=255), nullable=True),
        sa.Column("submitted_by_id", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["exit_cases.id"], name=op.f("fk_documents_case_id_exit_cases")),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_documents_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("case_id", "sha256", name=op.f("uq_documents_case_id")),
        sa.UniqueConstraint("uid", name=op.f("uq_documents_uid")),
    )
    with op.batch_alter_table("documents") as batch:
        for column in ("case_id", "type", "sha256", "blob_id", "key_id"):
            batch.create_index(batch.f(f"ix_documents_{column}"), [column], unique=False)

    op.create_table(
        "document_paths",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("document_id", sa.BigInteger(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_paths_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_paths")),
        sa.UniqueConstraint("document_id", "path", name=op.f("uq_document_paths_document_id")),
    )
    with op.batch_alter_table("document_paths") as batch:
        batch.create_index(batch.f("ix_document_paths_document_id"), ["document_id"], unique=False)

    op.create_table(
        "document_texts",
        sa.Column("document_id", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_texts_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_texts")),
    )
    with op.batch_alter_table("inventory_lines") as batch:
        batch.add_column(sa.Column("document_id", sa.BigInteger(), nullable=True))
        batch.create_unique_constraint(batch.f("uq_inventory_lines_document_id"), ["document_id"])
        batch.create_foreign_key(
            batch.f("fk_inventory_lines_document_id_documents"), "documents", ["document_id"], ["id"]
        )
    _create_search_index()


def _create_search_index() -> None:
    # Japanese has no spaces between words: index character trigrams, not whitespace tokens.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE document_search USING fts5("
            "body, content='document_texts', content_rowid='document_id', tokenize='trigram')"
        )
        op.execute(
            "CREATE TRIGGER document_texts_ai AFTER INSERT ON document_texts BEGIN "
            "INSERT INTO document_search(rowid, body) VALUES (new.document_id, new.body); END"
        )
        op.execute(
            "CREATE TRIGGER document_texts_ad AFTER DELETE ON document_texts BEGIN "
            "INSERT INTO document_search(document_search, rowid, body) "
            "VALUES ('delete', old.document_id, old.body); END"
        )
        op.execute(
            "CREATE TRIGGER document_texts_au AFTER UPDATE ON document_texts BEGIN "
            "INSERT INTO document_search(document_search, rowid, body) "
            "VALUES ('delete', old.document_id, old.body); "
            "INSERT INTO document_search(rowid, body) VALUES (new.document_id, new.body); END"
        )
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_document_texts_body_trgm ON document_texts USING gin (body gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("document_texts_ai", "document_texts_ad", "document_texts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS document_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_document_texts_body_trgm")
    with op.batch_alter_table("inventory_lines") as batch:
        batch.drop_constraint(batch.f("fk_inventory_lines_document_id_documents"), type_="foreignkey")
        batch.drop_constraint(batch.f("uq_inventory_lines_document_id"), type_="unique")
        batch.drop_column("document_id")
    op.drop_table("document_texts")
    op.drop_table("document_paths")
    op.drop_table("documents")
