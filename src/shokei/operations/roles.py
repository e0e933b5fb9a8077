"""`shokei db roles`: the PostgreSQL roles of an installation, applied rather than described.

Two roles (docs/deployment.md): an **owner** that owns the database, its schema objects and runs
the migrations (`shokei init`), and an **application** role that the service, the worker and
every other command connect as. The application role owns nothing and may create nothing (no
CREATE on the database or the schema, no TEMPORARY), reads and writes the rows of the feature
tables, only reads `alembic_version`, and on the ledger tables has exactly what the audit feature
says it needs (`audit.services.LEDGER_TABLE_PRIVILEGES`: insert and read; no UPDATE, DELETE or
TRUNCATE on entries, nodes and checkpoints).

`plan` is pure: from what the catalogue says now (`Catalogue`) it lists the statements that make
it so; re-running after a migration grants the new tables, and every run starts by revoking what
the application role holds, so the result is exact, not additive. `apply` runs them in one
transaction with a ledger entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from shokei.errors import N_, BadInput, Conflict, Text

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
ROW_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
READ_ONLY_TABLES = frozenset({"alembic_version"})  # the schema's revision: the owner's to move


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What `plan` needs to know of the database as it is."""

    database: str
    database_owner: str
    schema: str
    tables: Mapping[str, str]  # table -> its owner
    existing_roles: frozenset[str]
    superusers: frozenset[str]
    members: Mapping[str, frozenset[str]]  # role -> roles it is a member of


def check_names(owner: str, app: str) -> None:
    for role in (owner, app):
        if not _ROLE_NAME.fullmatch(role):
            raise BadInput(
                Text(
                    N_("role name %(role)s: use 1-63 lowercase ASCII letters, digits or '_'"),
                    {"role": repr(role)},
                )
            )
    if owner == app:
        raise BadInput(Text(N_("the owner and the application role must be two roles")))


def plan(catalogue: Catalogue, owner: str, app: str, ledger: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The statements that give `owner` the database and its tables and `app` exactly the rights
    of the service (see the module docstring). Refuses an application role that no grant can
    restrict: a superuser, or a member of the owner role."""
    check_names(owner, app)
    if app in catalogue.superusers:
        raise Conflict(
            Text(
                N_("role %(app)s is a superuser: no grant restricts it; name another application role"),
                {"app": app},
            )
        )
    if owner in catalogue.members.get(app, frozenset()):
        raise Conflict(
            Text(
                N_("role %(app)s is a member of %(owner)s and would hold its rights: revoke that first"),
                {"app": app, "owner": owner},
            )
        )
    missing = set(ledger) - set(catalogue.tables)
    if missing:
        raise Conflict(
            Text(
                N_("the ledger tables %(missing)s are missing: run `shokei init` first"),
                {"missing": sorted(missing)},
            )
        )
    database, schema = _quote(catalogue.database), _quote(catalogue.schema)
    quoted_owner, quoted_app = _quote(owner), _quote(app)
    statements = [
        f"CREATE ROLE {_quote(role)} LOGIN" for role in (owner, app) if role not in catalogue.existing_roles
    ]
    if catalogue.database_owner != owner:
        statements.append(f"ALTER DATABASE {database} OWNER TO {quoted_owner}")
    statements += [
        f"ALTER TABLE {schema}.{_quote(table)} OWNER TO {quoted_owner}"  # with its sequences
        for table, table_owner in sorted(catalogue.tables.items())
        if table_owner != owner
    ]
    statements += [
        # Nobody but the owner creates anything: not in the schema, not in the database.
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"REVOKE CREATE, TEMPORARY ON DATABASE {database} FROM PUBLIC",
        # The application role starts from nothing on every run, then gets what it needs.
        f"REVOKE ALL ON DATABASE {database} FROM {quoted_app}",
        f"REVOKE ALL ON SCHEMA {schema} FROM {quoted_app}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted_app}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quoted_app}",
        f"GRANT CONNECT ON DATABASE {database} TO {quoted_app}",
        f"GRANT USAGE ON SCHEMA {schema} TO {quoted_app}",
    ]
    for table in sorted(catalogue.tables):
        privileges = ledger.get(table) or (("SELECT",) if table in READ_ONLY_TABLES else ROW_PRIVILEGES)
        statements.append(f"GRANT {', '.join(privileges)} ON {schema}.{_quote(table)} TO {quoted_app}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted_app}")
    return statements


def read_catalogue(session: Session) -> Catalogue:
    """The database, its schema's tables and their owners, and the roles as PostgreSQL has them."""
    database, database_owner, schema = session.execute(
        text(
            "SELECT d.datname, pg_get_userbyid(d.datdba), current_schema() "
            "FROM pg_database d WHERE d.datname = current_database()"
        )
    ).one()
    tables: dict[str, str] = dict(
        session.execute(
            text("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = current_schema()")
        ).all()
    )
    roles = session.execute(text("SELECT rolname, rolsuper FROM pg_roles")).all()
    memberships = session.execute(
        text(
            "SELECT m.rolname, r.rolname FROM pg_auth_members a "
            "JOIN pg_roles m ON m.oid = a.member JOIN pg_roles r ON r.oid = a.roleid"
        )
    ).all()
    members: dict[str, set[str]] = {}
    for member, role in memberships:
        members.setdefault(member, set()).add(role)
    return Catalogue(
        database=database,
        database_owner=database_owner,
        schema=schema,
        tables=tables,
        existing_roles=frozenset(name for name, _ in roles),
        superusers=frozenset(name for name, is_super in roles if is_super),
        members={member: frozenset(roles_of) for member, roles_of in members.items()},
    )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
