"""The exit case as pure rules, no I/O: its vocabulary (`states`), the commands and events it
puts on the bus (`messages`), the one transition table with its guards and separation of duties
(`workflow`, where `decide()` is the only way a case moves), and need-to-know between the two
companies (`visibility`). Other code imports these names from this package."""

from __future__ import annotations

from shokei.cases.domain.messages import (
    ApprovePurchase,
    CancelPurchase,
    CaseMoved,
    CaseOpened,
    DecideMeasure,
    DetermineCase,
    OwnedMove,
    ProposeAgreement,
    RecordHandOver,
    SelectSuccessor,
)
from shokei.cases.domain.states import (
    DUTY_NAMES,
    INVENTORY_EDITABLE_STATES,
    MOVE_NAMES,
    STATE_NAMES,
    TERMINAL_STATES,
    CaseState,
    Duty,
    ExitReason,
    Guard,
    TransitionName,
)
from shokei.cases.domain.visibility import (
    CASE_FIELDS_SEEN_BY,
    HISTORY_REASONS_SEEN_BY,
    SUPPLIER_CONTENT_CLOSED_STATES,
    may_see,
)
from shokei.cases.domain.workflow import (
    EXCLUDED_DUTIES,
    TRANSITIONS,
    CaseFacts,
    CaseRef,
    GuardRefused,
    IllegalTransition,
    InventoryItem,
    Transition,
    TransitionRequest,
    available_transitions,
    days_remaining,
    decide,
    is_overdue,
)

__all__ = [
    "CASE_FIELDS_SEEN_BY",
    "DUTY_NAMES",
    "EXCLUDED_DUTIES",
    "HISTORY_REASONS_SEEN_BY",
    "INVENTORY_EDITABLE_STATES",
    "MOVE_NAMES",
    "STATE_NAMES",
    "SUPPLIER_CONTENT_CLOSED_STATES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "ApprovePurchase",
    "CancelPurchase",
    "CaseFacts",
    "CaseMoved",
    "CaseOpened",
    "CaseRef",
    "CaseState",
    "DecideMeasure",
    "DetermineCase",
    "Duty",
    "ExitReason",
    "Guard",
    "GuardRefused",
    "IllegalTransition",
    "InventoryItem",
    "OwnedMove",
    "ProposeAgreement",
    "RecordHandOver",
    "SelectSuccessor",
    "Transition",
    "TransitionName",
    "TransitionRequest",
    "available_transitions",
    "days_remaining",
    "decide",
    "is_overdue",
    "may_see",
]
