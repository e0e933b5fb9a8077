"""supply_chain: weapon systems, components, BOM lines, supply relations, revision and change log

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sqlite.INTEGER(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "weapon_systems",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weapon_systems")),
        sa.UniqueConstraint("code", name=op.f("uq_weapon_systems_code")),
    )
    op.create_table(
        "components",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("part_number", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_components")),
        sa.UniqueConstraint("part_number", name=op.f("uq_components_part_number")),
    )
    op.create_table(
        "system_components",
        sa.Column("system_id", sa.BigInteger(), nullable=False),
        sa.Column("component_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_id"], ["components.id"], name=op.f("fk_system_components_component_id_components")
        ),
        sa.ForeignKeyConstraint(
            ["system_id"], ["weapon_systems.id"], name=op.f("fk_system_components_system_id_weapon_systems")
        ),
        sa.PrimaryKeyConstraint("system_id", "component_id", name=op.f("pk_system_components")),
    )
    op.create_table(
        "bom_lines",
        sa.Column("parent_id", sa.BigInteger(), nullable=False),
        sa.Column("child_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["components.id"], name=op.f("fk_bom_lines_child_id_components")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["components.id"], name=op.f("fk_bom_lines_parent_id_components")
        ),
        sa.PrimaryKeyConstraint("parent_id", "child_id", name=op.f("pk_bom_lines")),
    )
    op.create_table(
        "supply_relations",
        sa.Column("corporate_number", sa.String(length=13), nullable=False),
        sa.Column("component_id", sa.BigInteger(), nullable=False),
        sa.Column("tier", sa.SmallInteger(), nullable=False),
        sa.Column("share", sa.Float(), nullable=True),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_id"], ["components.id"], name=op.f("fk_supply_relations_component_id_components")
        ),
        sa.PrimaryKeyConstraint("corporate_number", "component_id", name=op.f("pk_supply_relations")),
    )
    op.create_table(
        "supply_chain_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("log_from_revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_chain_state")),
    )
    op.create_table(
        "supply_changes",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("corporate_number", sa.String(length=13), nullable=False),
        sa.Column("component_id", sa.BigInteger(), nullable=False),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_id"], ["components.id"], name=op.f("fk_supply_changes_component_id_components")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_changes")),
    )
    for table, column in (
        ("system_components", "component_id"),
        ("bom_lines", "child_id"),
        ("supply_relations", "component_id"),
        ("supply_changes", "revision"),
    ):
        with op.batch_alter_table(table) as batch:
            batch.create_index(batch.f(f"ix_{table}_{column}"), [column], unique=False)


def downgrade() -> None:
    for table in (
        "supply_changes",
        "supply_chain_state",
        "supply_relations",
        "bom_lines",
        "system_components",
        "components",
        "weapon_systems",
    ):
        op.drop_table(table)
