"""What the ownership use cases share: permission checks, audit events, the registry index, and
turning uncomputable stakes into a conflict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from shokei.companies import services as companies
from shokei.errors import N_, Conflict, Forbidden, Text
from shokei.kernel import Actor, AuditEvent, Permission, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership.registry import RegistryIndex

T = TypeVar("T")


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise Forbidden(
            Text(
                N_("%(role)s may not %(permission)s"),
                {"role": role_name(actor.role), "permission": permission},
            )
        )


def _event(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    subject: tuple[str, object],
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent(
        action,
        subject[0],
        str(subject[1]),
        uow.clock.now(),
        actor,
        before=before,
        after=after,
        details=details or {},
    )


def _registry(uow: UnitOfWork, actor: Actor) -> RegistryIndex:
    return RegistryIndex(companies.list_companies(uow, actor, limit=10**9))


def _computed(build: Callable[[], T]) -> T:
    """What `build` makes of the stored stakes; stakes that cannot be computed are a conflict."""
    try:
        return build()
    except ValueError as error:
        raise Conflict(
            Text(N_("the ownership data cannot be computed: %(error)s"), {"error": error})
        ) from None
