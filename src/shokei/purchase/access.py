"""Who may touch purchases and budgets: negotiators value and negotiate, program managers approve,
pay and set appropriations, officials and auditors read.
One small module because every purchase use case module (negotiation, approval, budget) checks
these same roles, and they must not drift apart.
"""

from __future__ import annotations

from shokei.errors import N_, Forbidden, Text
from shokei.kernel import Actor, Permission, Role, role_name


def require_negotiator(actor: Actor) -> None:
    if not actor.can(Permission.CASE_NEGOTIATE):
        raise Forbidden(
            Text(N_("only a negotiator may do this; you are %(role)s"), {"role": role_name(actor.role)})
        )


def require_manager(actor: Actor, doing: str) -> None:
    """Program managers only; `doing` (a msgid marked N_, a noun phrase in Japanese) names the act."""
    if actor.role is not Role.PROGRAM_MANAGER:
        raise Forbidden(
            Text(
                N_("only a program manager may %(doing)s; you are %(role)s"),
                {"doing": Text(doing), "role": role_name(actor.role)},
            )
        )


def require_reader(actor: Actor) -> None:
    if not (actor.is_official or actor.role is Role.AUDITOR):
        raise Forbidden(
            Text(N_("%(role)s may not read purchases or budgets"), {"role": role_name(actor.role)})
        )
