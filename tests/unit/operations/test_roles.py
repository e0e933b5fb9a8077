"""The plan of `shokei db roles` (pure): what it grants each kind of table, what it refuses."""

from __future__ import annotations

import pytest

from shokei.errors import BadInput, Conflict
from shokei.operations.roles import Catalogue, plan

LEDGER = {"audit_entries": ("SELECT", "INSERT"), "audit_head": ("SELECT", "INSERT", "UPDATE")}


def _catalogue(**changes: object) -> Catalogue:
    values: dict[str, object] = {
        "database": "shokei",
        "database_owner": "postgres",
        "schema": "public",
        "tables": {
            "audit_entries": "postgres",
            "audit_head": "postgres",
            "cases": "postgres",
            "alembic_version": "postgres",
        },
        "existing_roles": frozenset({"postgres"}),
        "superusers": frozenset({"postgres"}),
        "members": {},
    }
    values.update(changes)
    return Catalogue(**values)  # type: ignore[arg-type]


def test_a_first_run_creates_the_roles_hands_over_ownership_and_grants_by_kind_of_table() -> None:
    statements = plan(_catalogue(), "owner", "app", LEDGER)
    assert statements[:3] == [
        'CREATE ROLE "owner" LOGIN',
        'CREATE ROLE "app" LOGIN',
        'ALTER DATABASE "shokei" OWNER TO "owner"',
    ]
    assert 'ALTER TABLE "public"."cases" OWNER TO "owner"' in statements
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."cases" TO "app"' in statements
    assert 'GRANT SELECT, INSERT ON "public"."audit_entries" TO "app"' in statements
    assert 'GRANT SELECT, INSERT, UPDATE ON "public"."audit_head" TO "app"' in statements
    assert 'GRANT SELECT ON "public"."alembic_version" TO "app"' in statements
    # every run starts from nothing for the application role, before any grant
    revoke = statements.index('REVOKE ALL ON ALL TABLES IN SCHEMA "public" FROM "app"')
    assert revoke < min(i for i, s in enumerate(statements) if s.startswith("GRANT"))
    assert not [s for s in statements if "TRUNCATE" in s or ("DELETE" in s and "audit_" in s)]


def test_a_run_after_a_migration_changes_no_owner_and_creates_no_role() -> None:
    done = _catalogue(
        database_owner="owner",
        tables={"audit_entries": "owner", "audit_head": "owner", "cases": "owner", "new_table": "owner"},
        existing_roles=frozenset({"postgres", "owner", "app"}),
    )
    statements = plan(done, "owner", "app", LEDGER)
    assert not [s for s in statements if s.startswith(("CREATE", "ALTER"))]
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."new_table" TO "app"' in statements


@pytest.mark.parametrize(
    ("owner", "app", "catalogue", "refusal"),
    [
        ("owner", "owner", _catalogue(), BadInput),
        ("owner", 'app"; DROP TABLE cases; --', _catalogue(), BadInput),
        ("owner", "postgres", _catalogue(), Conflict),  # a superuser cannot be restricted
        ("owner", "app", _catalogue(members={"app": frozenset({"owner"})}), Conflict),
        ("owner", "app", _catalogue(tables={"cases": "postgres"}), Conflict),  # not initialised
    ],
)
def test_refusals(owner: str, app: str, catalogue: Catalogue, refusal: type[Exception]) -> None:
    with pytest.raises(refusal):
        plan(catalogue, owner, app, LEDGER)
