"""Who may touch measures: program managers decide them and act on facilities; officials and
auditors read them. Company-bound roles see none (need-to-know)."""

from __future__ import annotations

from shokei.errors import N_, Forbidden, Text
from shokei.kernel import Actor, Role, role_name


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
            Text(N_("%(role)s may not read measures or facilities"), {"role": role_name(actor.role)})
        )
