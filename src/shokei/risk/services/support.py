"""What the risk use cases share: the permission check, the versioned policy, a company by number."""

from __future__ import annotations

from pathlib import Path

from shokei.companies import services as companies
from shokei.companies.schemas import CompanyView
from shokei.errors import N_, BadInput, Forbidden, Text
from shokei.kernel import Actor, Permission, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.risk.policy import RiskPolicy, parse_policy

POLICY_PATH = Path(__file__).parents[1] / "policy.toml"


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise Forbidden(
            Text(
                N_("%(role)s may not %(permission)s"),
                {"role": role_name(actor.role), "permission": permission},
            )
        )


def load_policy(path: Path = POLICY_PATH) -> RiskPolicy:
    """The versioned risk policy (weights and parameters)."""
    try:
        return parse_policy(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BadInput(Text("%(path)s: %(error)s", {"path": path, "error": error})) from None


def _company(uow: UnitOfWork, corporate_number: str) -> CompanyView:
    company_id = companies.company_id_for(uow, corporate_number)
    return companies.views_by_id(uow, [company_id])[company_id]
