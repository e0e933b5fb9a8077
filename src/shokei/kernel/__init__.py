"""The kernel: what every feature may import and no feature owns.

`Actor`, `Role` and the one permission catalogue (`actors`), the audit event every change leaves
in the ledger (`ledger`), and the domain-event base with the in-process message bus (`bus`).
Nothing here imports a feature.
"""

from shokei.kernel.actors import (
    COMPANY_BOUND_ROLES,
    LOCAL_OPERATOR,
    ROLE_NAMES,
    ROLE_PERMISSIONS,
    Actor,
    Permission,
    Role,
    role_name,
    role_names,
)
from shokei.kernel.ledger import SYSTEM_ACTOR_NAME, AuditEvent

__all__ = [
    "COMPANY_BOUND_ROLES",
    "LOCAL_OPERATOR",
    "ROLE_NAMES",
    "ROLE_PERMISSIONS",
    "SYSTEM_ACTOR_NAME",
    "Actor",
    "AuditEvent",
    "Permission",
    "Role",
    "role_name",
    "role_names",
]
