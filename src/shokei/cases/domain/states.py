"""The exit case's vocabulary: its states, exit reasons, moves, guards and duties."""

from __future__ import annotations

from enum import StrEnum

from shokei.errors import N_


class CaseState(StrEnum):
    NOTIFIED = "notified"
    DOCUMENTS_SUBMITTED = "documents_submitted"
    UNDER_EXAMINATION = "under_examination"
    NOT_SIGNIFICANT = "not_significant"
    CLOSED_RELEASED = "closed_released"
    PROTECTION_REQUIRED = "protection_required"
    NEGOTIATING = "negotiating"
    PURCHASE_AGREED = "purchase_agreed"
    NEGOTIATION_FAILED = "negotiation_failed"
    ESCALATED = "escalated"
    MEASURE_TAKEN = "measure_taken"
    SUCCESSOR_SELECTION = "successor_selection"
    HANDED_OVER = "handed_over"
    CLOSED = "closed"


# Each state's name for people (a catalogue msgid): the case pages and the refusals that name a state.
STATE_NAMES: dict[str, str] = {
    CaseState.NOTIFIED: N_("Exit notified"),
    CaseState.DOCUMENTS_SUBMITTED: N_("Documents submitted"),
    CaseState.UNDER_EXAMINATION: N_("Under examination"),
    CaseState.NOT_SIGNIFICANT: N_("Not significant"),
    CaseState.CLOSED_RELEASED: N_("Closed (released)"),
    CaseState.PROTECTION_REQUIRED: N_("Protection required"),
    CaseState.NEGOTIATING: N_("Negotiating purchase"),
    CaseState.PURCHASE_AGREED: N_("Purchase approved"),
    CaseState.NEGOTIATION_FAILED: N_("Negotiation failed"),
    CaseState.ESCALATED: N_("Escalated to other measures"),
    CaseState.MEASURE_TAKEN: N_("Measure taken"),
    CaseState.SUCCESSOR_SELECTION: N_("Selecting successor"),
    CaseState.HANDED_OVER: N_("Handed over"),
    CaseState.CLOSED: N_("Closed"),
}

# An escalated case is not terminal: it carries a decision on the measure (issue 17) and moves on
# to the measure's own record (`measure_taken`, where the measures feature follows it), or back to
# the workflow (negotiation reopened).
TERMINAL_STATES = frozenset({CaseState.CLOSED_RELEASED, CaseState.CLOSED, CaseState.MEASURE_TAKEN})


class ExitReason(StrEnum):
    BUSINESS_DIFFICULTY = "business_difficulty"
    FACTORY_CLOSURE = "factory_closure"
    RESTRUCTURING = "restructuring"
    ACQUISITION = "acquisition"
    OTHER = "other"


class TransitionName(StrEnum):
    SUBMIT = "submit"
    START_EXAMINATION = "start_examination"
    DETERMINE_PROTECTION_REQUIRED = "determine_protection_required"
    DETERMINE_NOT_SIGNIFICANT = "determine_not_significant"
    RELEASE = "release"
    OPEN_NEGOTIATION = "open_negotiation"
    APPROVE_PURCHASE = "approve_purchase"
    CANCEL_PURCHASE = "cancel_purchase"
    FAIL_NEGOTIATION = "fail_negotiation"
    ESCALATE = "escalate"
    TAKE_MEASURE = "take_measure"
    REOPEN_NEGOTIATION = "reopen_negotiation"
    START_SUCCESSOR_SELECTION = "start_successor_selection"
    SELECT_SUCCESSOR = "select_successor"
    HAND_OVER = "hand_over"
    CLOSE = "close"


# What each move is called for people (a verb, a catalogue msgid): the case page's buttons and
# the refusals that name a move.
MOVE_NAMES: dict[str, str] = {
    TransitionName.SUBMIT: N_("Submit the documents"),
    TransitionName.START_EXAMINATION: N_("Start the examination"),
    TransitionName.DETERMINE_PROTECTION_REQUIRED: N_("Determine: protection required"),
    TransitionName.DETERMINE_NOT_SIGNIFICANT: N_("Determine: not significant"),
    TransitionName.RELEASE: N_("Release and close"),
    TransitionName.OPEN_NEGOTIATION: N_("Open the purchase negotiation"),
    TransitionName.APPROVE_PURCHASE: N_("Approve the purchase"),
    TransitionName.CANCEL_PURCHASE: N_("Cancel the approved purchase"),
    TransitionName.FAIL_NEGOTIATION: N_("Record that negotiation failed"),
    TransitionName.ESCALATE: N_("Escalate to other measures"),
    TransitionName.TAKE_MEASURE: N_("Decide the measure"),
    TransitionName.REOPEN_NEGOTIATION: N_("Reopen the negotiation"),
    TransitionName.START_SUCCESSOR_SELECTION: N_("Start selecting a successor"),
    TransitionName.SELECT_SUCCESSOR: N_("Select the successor"),
    TransitionName.HAND_OVER: N_("Record the hand-over"),
    TransitionName.CLOSE: N_("Close the case"),
}


class Guard(StrEnum):
    """Conditions beyond state and role; each is checked against a CaseFacts snapshot."""

    OWN_COMPANY_FOR_SUPPLIER = "own_company_for_supplier"
    HAS_INVENTORY = "has_inventory"
    ALL_DOCUMENTS_EXAMINED = "all_documents_examined"
    REASON_GIVEN = "reason_given"
    AGREED_AMOUNT = "agreed_amount"
    SUCCESSOR_GIVEN = "successor_given"
    SUCCESSOR_SELECTED = "successor_selected"
    DESTRUCTION_CERTIFIED = "destruction_certified"
    PURCHASE_SETTLED = "purchase_settled"


class Duty(StrEnum):
    """A part an official took in a case; separation of duties bars the other parts."""

    EXAMINED = "examined"
    NEGOTIATED = "negotiated"


# A duty as the refusals name it ("you examined this case"): the code reads as English, the
# catalogue words it in Japanese.
DUTY_NAMES: dict[str, str] = {Duty.EXAMINED: N_("examined"), Duty.NEGOTIATED: N_("negotiated")}


INVENTORY_EDITABLE_STATES = frozenset({CaseState.NOTIFIED, CaseState.DOCUMENTS_SUBMITTED})
