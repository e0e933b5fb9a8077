"""Who may touch purchases and budgets: negotiators value and negotiate, program managers approve,
pay and set appropriations, officials and auditors read.
One small module because every purchase use case module (negotiation, approval, budget) checks
these same roles, and they must not drift apart.
"""

from __future__ import annotations

from shokei.errors import Forbidden
from shokei.kernel import Actor, Permission, Role


def require_negotiator(actor: Actor) -> None:
    if not actor.can(Permission.CASE_NEGOTIATE):
        raise Forbidden(f"only a negotiator may do this; you are {actor.role}")


def require_manager(actor: Actor, doing: str) -> None:
    if actor.role is not Role.PROGRAM_MANAGER:
        raise Forbidden(f"only a program manager may {doing}; you are {actor.role}")


def require_reader(actor: Actor) -> None:
    if not (actor.is_official or actor.role is Role.AUDITOR):
        raise Forbidden(f"{actor.role} may not read purchases or budgets")
