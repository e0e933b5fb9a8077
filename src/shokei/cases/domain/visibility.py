"""Need-to-know between the two companies of a case: what the supplier and the successor may see."""

from __future__ import annotations

from shokei.cases.domain.states import CaseState, TransitionName
from shokei.kernel import COMPANY_BOUND_ROLES, Role

S, T = CaseState, TransitionName

# -- need-to-know between the two companies --------------------------------------------------
# Officials and auditors see every field. For the company-bound roles, the one table: each field of
# the case detail (nested fields dotted) and which of them may see it; a hidden field is blanked
# (None, False, []) so the view keeps its shape. The supplier never learns the examiners' rationale
# nor its successor (`successor_selected` says one was chosen); the successor never learns the
# price, the offers nor any rationale.
_SUPPLIER, _SUCCESSOR = frozenset({Role.SUPPLIER}), frozenset({Role.SUCCESSOR})
_COMPANIES, _NOBODY = COMPANY_BOUND_ROLES, frozenset[Role]()
_ALL_SEE = ("id", "state", "company_corporate_number", "company_name", "reason", "planned_exit_date")
CASE_FIELDS_SEEN_BY: dict[str, frozenset[Role]] = {
    **dict.fromkeys((*_ALL_SEE, "days_remaining", "overdue", "version", "opened_at"), _COMPANIES),
    **dict.fromkeys(("successor_selected", "available_transitions", "inventory", "history"), _COMPANIES),
    **dict.fromkeys(("successor_corporate_number", "successor_name"), _SUCCESSOR),
    **dict.fromkeys(("agreed_amount_yen", "offers"), _SUPPLIER),
    **{f"inventory.{n}": _COMPANIES for n in ("id", "case_id", "title", "drawing_number", "revision")},
    **{f"inventory.{n}": _COMPANIES for n in ("component", "weapon_system", "examined", "document_id")},
    "inventory.examination_note": _NOBODY,
    **{f"offers.{n}": _SUPPLIER for n in ("id", "kind", "amount_yen", "made_by", "at", "note")},
    **{f"history.{n}": _COMPANIES for n in ("transition", "from_state", "to_state", "actor", "role", "at")},
    "history.reason": _COMPANIES,  # and then as HISTORY_REASONS_SEEN_BY says for that move
    "history.reason_text": _COMPANIES,  # the same reason as a catalogue message (for the pages)
    # The measures the state took after an escalation: neither company learns them.
    "measures": _NOBODY,
    **{f"measures.{n}": _NOBODY for n in ("id", "kind", "status")},
    # A flag names the suspended company and why: for officials (the supplier must not learn its
    # successor, nor either company the other's standing).
    "flags": _NOBODY,
    **{f"flags.{n}": _NOBODY for n in ("id", "kind", "corporate_number", "company_name", "involvement")},
    **{f"flags.{n}": _NOBODY for n in ("cause", "reason", "raised_at", "resolved_at", "resolution")},
    "flags.reason_text": _NOBODY,
    # Who inside the ministry is assigned to the case: the officials' business (absent for companies).
    "assigned": _NOBODY,
}
# Whose eyes a move's reason may reach: determinations (and the release after one) carry the
# examiners' rationale, negotiation moves the price talk, successor moves the successor.
HISTORY_REASONS_SEEN_BY: dict[str, frozenset[Role]] = {
    **dict.fromkeys(("open", T.SUBMIT, T.START_EXAMINATION), _COMPANIES),
    **dict.fromkeys((T.DETERMINE_PROTECTION_REQUIRED, T.DETERMINE_NOT_SIGNIFICANT, T.RELEASE), _NOBODY),
    **dict.fromkeys((T.OPEN_NEGOTIATION, T.APPROVE_PURCHASE, T.CANCEL_PURCHASE), _SUPPLIER),
    **dict.fromkeys((T.FAIL_NEGOTIATION, T.ESCALATE, T.REOPEN_NEGOTIATION), _SUPPLIER),
    T.TAKE_MEASURE: _NOBODY,
    **dict.fromkeys((T.START_SUCCESSOR_SELECTION, T.CLOSE), _NOBODY),
    **dict.fromkeys((T.SELECT_SUCCESSOR, T.HAND_OVER), _SUCCESSOR),
}


def may_see(role: Role, key: str, table: dict[str, frozenset[Role]] = CASE_FIELDS_SEEN_BY) -> bool:
    """Whether `role` may see a case detail's field (with HISTORY_REASONS_SEEN_BY: why a move was
    made); what the table does not name, only officials and auditors see."""
    return role not in COMPANY_BOUND_ROLES or role in table.get(key, _NOBODY)


# A supplier reads its handed-in files' content until the purchase is approved or the case is released.
_AFTER_APPROVAL = (S.PURCHASE_AGREED, S.SUCCESSOR_SELECTION, S.HANDED_OVER, S.CLOSED)
SUPPLIER_CONTENT_CLOSED_STATES = frozenset((*_AFTER_APPROVAL, S.CLOSED_RELEASED))
