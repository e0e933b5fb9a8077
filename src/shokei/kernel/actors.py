"""Roles, the one permission catalogue and the acting user: who may do what, as pure data.

Part of the kernel: every feature may import it, and none owns it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from shokei.errors import N_, Text


class Role(StrEnum):
    SUPPLIER = "supplier"
    INTAKE_OFFICER = "intake_officer"
    EXAMINER = "examiner"
    NEGOTIATOR = "negotiator"
    PROGRAM_MANAGER = "program_manager"
    SUCCESSOR = "successor"
    AUDITOR = "auditor"
    ADMIN = "admin"


COMPANY_BOUND_ROLES = frozenset({Role.SUPPLIER, Role.SUCCESSOR})

# What each role is called for people (a catalogue msgid): the pages' role names, and the
# refusals that name the reader's role or the roles a step needs, never the stored code.
ROLE_NAMES: dict[Role, str] = {
    Role.SUPPLIER: N_("Supplier (withdrawing company)"),
    Role.INTAKE_OFFICER: N_("Intake officer"),
    Role.EXAMINER: N_("Examiner"),
    Role.NEGOTIATOR: N_("Negotiator"),
    Role.PROGRAM_MANAGER: N_("Program manager"),
    Role.SUCCESSOR: N_("Successor company"),
    Role.AUDITOR: N_("Auditor"),
    Role.ADMIN: N_("System administrator"),
}


def role_name(role: str) -> Text:
    """A role as a message's parameter: its name in the reader's language (a value that is no
    role, as it is)."""
    try:
        return Text(ROLE_NAMES[Role(role)])
    except ValueError:
        return Text("%(text)s", {"text": role})


def role_names(roles: Iterable[str]) -> Text:
    """Roles by their names, in the catalogue's order, listed as the reader's language writes
    them ('A, B' in English; 「A、B」 in Japanese)."""
    wanted = set(roles)
    named = [role_name(role) for role in Role if role in wanted]
    named += [role_name(role) for role in sorted(wanted - set(Role))]
    listed = named[0]
    for name in named[1:]:
        listed = Text(N_("%(listed)s, %(role)s"), {"listed": listed, "role": name})
    return listed


class Permission(StrEnum):
    """`scope:resource:action`; checked in services, never only in an adapter."""

    USER_MANAGE = "accounts:user:manage"
    COMPANY_READ = "companies:company:read"
    COMPANY_WRITE = "companies:company:write"
    COMPANY_ACCESS = "companies:access:manage"  # suspend and reinstate a company's access
    CERTIFICATION_READ = "companies:certification:read"  # the register of certified recipients
    CERTIFICATION_WRITE = "companies:certification:write"  # certify, revoke
    CONDITION_REPORT = "companies:condition:report"  # changed-condition reports (own company if bound)
    CASE_READ = "cases:case:read"
    CASE_OPEN = "cases:case:open"
    CASE_INVENTORY_WRITE = "cases:inventory:write"
    CASE_NEGOTIATE = "cases:negotiation:write"
    AUDIT_READ = "audit:ledger:read"
    DOCUMENT_SUBMIT = "documents:document:submit"
    DOCUMENT_READ_CONTENT = "documents:content:read"
    VAULT_MAINTAIN = "documents:vault:maintain"
    SUPPLY_READ = "supply_chain:map:read"
    SUPPLY_IMPORT = "supply_chain:map:import"
    SURVEY_MANAGE = "supply_chain:survey:manage"  # open and close survey campaigns
    SURVEY_RESPOND = "supply_chain:survey:respond"  # answer and forward the tasks of one's company
    OWNERSHIP_READ = "ownership:graph:read"  # foreign-control figures, chains, alerts, match queue
    OWNERSHIP_WRITE = "ownership:graph:write"  # imports, ownership events, entities, matches, thresholds
    RISK_READ = "risk:watchlist:read"  # scores, the watchlist, risk alerts
    RISK_WRITE = "risk:facts:write"  # financial indicators, company events, recorded scoring runs
    REPORT_READ = "reporting:report:read"  # program reports for the Diet and the Board of Audit
    DESIGNATION_READ = "secrets:designation:read"  # the register of 装備品等秘密 and each one's history
    DESIGNATION_WRITE = "secrets:designation:write"  # designate, renew, lift (Art. 27)


_OFFICIALS = frozenset({Role.INTAKE_OFFICER, Role.EXAMINER, Role.NEGOTIATOR, Role.PROGRAM_MANAGER})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SUPPLIER: frozenset(
        {
            Permission.COMPANY_READ,
            Permission.CONDITION_REPORT,
            Permission.CASE_READ,
            Permission.CASE_OPEN,
            Permission.CASE_INVENTORY_WRITE,
            Permission.DOCUMENT_SUBMIT,
            Permission.DOCUMENT_READ_CONTENT,
            Permission.SURVEY_RESPOND,
        }
    ),
    Role.INTAKE_OFFICER: frozenset(
        {
            Permission.COMPANY_READ,
            Permission.COMPANY_WRITE,
            Permission.CERTIFICATION_READ,
            Permission.CERTIFICATION_WRITE,
            Permission.CONDITION_REPORT,
            Permission.CASE_READ,
            Permission.CASE_OPEN,
            Permission.CASE_INVENTORY_WRITE,
            Permission.DOCUMENT_SUBMIT,
            Permission.DOCUMENT_READ_CONTENT,
            Permission.SUPPLY_READ,
            Permission.SUPPLY_IMPORT,
            Permission.SURVEY_MANAGE,
            Permission.OWNERSHIP_READ,
            Permission.OWNERSHIP_WRITE,
            Permission.RISK_READ,
            Permission.RISK_WRITE,
            Permission.DESIGNATION_READ,
        }
    ),
    Role.EXAMINER: frozenset(
        {
            Permission.COMPANY_READ,
            Permission.CERTIFICATION_READ,
            Permission.CONDITION_REPORT,
            Permission.CASE_READ,
            Permission.DOCUMENT_READ_CONTENT,
            Permission.SUPPLY_READ,
            Permission.OWNERSHIP_READ,
            Permission.RISK_READ,
            Permission.DESIGNATION_READ,
        }
    ),
    Role.NEGOTIATOR: frozenset(
        {
            Permission.COMPANY_READ,
            Permission.CERTIFICATION_READ,
            Permission.CONDITION_REPORT,
            Permission.CASE_READ,
            Permission.CASE_NEGOTIATE,
            Permission.DOCUMENT_READ_CONTENT,
            Permission.SUPPLY_READ,
            Permission.OWNERSHIP_READ,
            Permission.RISK_READ,
            Permission.DESIGNATION_READ,
        }
    ),
    Role.PROGRAM_MANAGER: frozenset(
        {
            Permission.COMPANY_READ,
            Permission.COMPANY_WRITE,
            Permission.COMPANY_ACCESS,
            Permission.CERTIFICATION_READ,
            Permission.CERTIFICATION_WRITE,
            Permission.CONDITION_REPORT,
            Permission.CASE_READ,
            Permission.DOCUMENT_READ_CONTENT,
            Permission.SUPPLY_READ,
            Permission.SUPPLY_IMPORT,
            Permission.SURVEY_MANAGE,
            Permission.OWNERSHIP_READ,
            Permission.OWNERSHIP_WRITE,
            Permission.RISK_READ,
            Permission.RISK_WRITE,
            Permission.REPORT_READ,
            Permission.DESIGNATION_READ,
            Permission.DESIGNATION_WRITE,
        }
    ),
    # Successors receive per-recipient copies at hand-over, never the supplier's originals.
    Role.SUCCESSOR: frozenset({Permission.COMPANY_READ, Permission.CASE_READ, Permission.CONDITION_REPORT}),
    Role.AUDITOR: frozenset(
        {
            Permission.COMPANY_READ,
            Permission.CERTIFICATION_READ,
            Permission.CASE_READ,
            Permission.AUDIT_READ,
            Permission.DOCUMENT_READ_CONTENT,
            Permission.VAULT_MAINTAIN,
            Permission.SUPPLY_READ,
            Permission.OWNERSHIP_READ,
            Permission.RISK_READ,
            Permission.REPORT_READ,
            Permission.DESIGNATION_READ,
        }
    ),
    # Admins manage users and keys but never read document contents; they load ownership
    # registers and risk facts, but the figures are analysis for officials, not for admins.
    Role.ADMIN: frozenset(
        {
            Permission.USER_MANAGE,
            Permission.COMPANY_READ,
            Permission.COMPANY_WRITE,
            Permission.VAULT_MAINTAIN,
            Permission.SUPPLY_IMPORT,
            Permission.OWNERSHIP_WRITE,
            Permission.RISK_WRITE,
        }
    ),
}


LOCAL_OPERATOR = "local-cli"


# What the two-person rule guards: a role holding one of these, given by an admin, needs a program
# manager's approval (accounts) before the account may use them.
CONTENT_PERMISSIONS = frozenset({Permission.DOCUMENT_READ_CONTENT})


def reads_contents(role: Role) -> bool:
    """Whether the role can read document contents (and so falls under the two-person rule)."""
    return bool(CONTENT_PERMISSIONS & ROLE_PERMISSIONS[role])


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated user a use case runs for. `company_id` is set only for bound roles;
    `content_approved` is False while the account's content-reading role awaits a program
    manager's approval (the two-person rule): until then it holds no content permission."""

    user_id: int
    username: str
    role: Role
    company_id: int | None = None
    # How the act reached us when it was not the user's own login: LOCAL_OPERATOR for the CLI
    # run on the server with `--as` (whoever reads the data dir may name any user). In the ledger.
    via: str | None = field(default=None, compare=False)
    content_approved: bool = True

    def can(self, permission: Permission) -> bool:
        if permission in CONTENT_PERMISSIONS and not self.content_approved:
            return False
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def is_official(self) -> bool:
        return self.role in _OFFICIALS

    @property
    def is_company_bound(self) -> bool:
        return self.role in COMPANY_BOUND_ROLES
