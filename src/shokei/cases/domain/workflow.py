"""The one transition table, its guards and separation of duties, and `decide()`, the only way
a case moves. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shokei.cases.domain.messages import (
    ApprovePurchase,
    CancelPurchase,
    DecideMeasure,
    DetermineCase,
    OwnedMove,
    RecordHandOver,
    SelectSuccessor,
)
from shokei.cases.domain.states import (
    DUTY_NAMES,
    MOVE_NAMES,
    STATE_NAMES,
    TERMINAL_STATES,
    CaseState,
    Duty,
    Guard,
    TransitionName,
)
from shokei.errors import N_, BadInput, Conflict, Forbidden, Text
from shokei.kernel import Actor, Role, role_name, role_names


@dataclass(frozen=True, slots=True)
class Transition:
    name: TransitionName
    sources: frozenset[CaseState]
    target: CaseState
    roles: frozenset[Role]
    guards: tuple[Guard, ...] = ()
    # The command the owning feature handles, and where a user makes the move directly.
    owner: type[OwnedMove] | None = None
    route: str | None = None
    # Cannot be undone by any later move: pages ask for confirmation.
    irreversible: bool = False
    # Separation of duties: an official who took one of these parts in the case may not move it.
    excluded: frozenset[Duty] = frozenset()


def _t(
    name: TransitionName,
    source: CaseState | frozenset[CaseState],
    target: CaseState,
    roles: set[Role],
    *guards: Guard,
    owner: type[OwnedMove] | None = None,
    route: str | None = None,
    irreversible: bool = False,
) -> Transition:
    excluded = EXCLUDED_DUTIES.get(name, frozenset())
    sources = source if isinstance(source, frozenset) else frozenset({source})
    return Transition(name, sources, target, frozenset(roles), guards, owner, route, irreversible, excluded)


# The one rule table for separation of duties: which earlier parts in a case exclude an official
# from each move. Whoever examined a case does not value, negotiate or decide its purchase and
# hand-over; whoever negotiated it does not examine it nor approve what they negotiated. A
# declared interest in the company (interests feature) excludes an official from every move.
_EXAMINED = frozenset({Duty.EXAMINED})
_NEGOTIATED = frozenset({Duty.NEGOTIATED})
_BOTH = _EXAMINED | _NEGOTIATED
EXCLUDED_DUTIES: dict[TransitionName, frozenset[Duty]] = {
    TransitionName.DETERMINE_PROTECTION_REQUIRED: _NEGOTIATED,
    TransitionName.DETERMINE_NOT_SIGNIFICANT: _NEGOTIATED,
    TransitionName.RELEASE: _EXAMINED,
    TransitionName.OPEN_NEGOTIATION: _EXAMINED,
    TransitionName.FAIL_NEGOTIATION: _EXAMINED,
    TransitionName.APPROVE_PURCHASE: _BOTH,
    TransitionName.CANCEL_PURCHASE: _BOTH,
    TransitionName.ESCALATE: _BOTH,
    TransitionName.TAKE_MEASURE: _BOTH,
    TransitionName.REOPEN_NEGOTIATION: _BOTH,
    TransitionName.START_SUCCESSOR_SELECTION: _BOTH,
    TransitionName.SELECT_SUCCESSOR: _BOTH,
    TransitionName.HAND_OVER: _BOTH,
    TransitionName.CLOSE: _BOTH,
}


S, T, R, G = CaseState, TransitionName, Role, Guard
_DETERMINE_ROUTE = "POST /api/v1/cases/{id}/examination/determination (shokei exam determine)"
_MEASURE_ROUTE = "POST /api/v1/cases/{id}/measures (shokei measure decide)"
# A program manager escalates any open case: a failed negotiation, a supplier that misses its
# hand-in or refuses, a successor that cannot be found, an incident (issue 17).
ESCALATION_SOURCES = frozenset(set(CaseState) - TERMINAL_STATES - {CaseState.ESCALATED})

TRANSITIONS: dict[TransitionName, Transition] = {
    t.name: t
    for t in (
        _t(
            T.SUBMIT,
            S.NOTIFIED,
            S.DOCUMENTS_SUBMITTED,
            {R.SUPPLIER, R.INTAKE_OFFICER},
            G.OWN_COMPANY_FOR_SUPPLIER,
            G.HAS_INVENTORY,
        ),
        _t(
            T.START_EXAMINATION,
            S.DOCUMENTS_SUBMITTED,
            S.UNDER_EXAMINATION,
            {R.INTAKE_OFFICER},
            G.HAS_INVENTORY,
        ),
        _t(
            T.DETERMINE_PROTECTION_REQUIRED,
            S.UNDER_EXAMINATION,
            S.PROTECTION_REQUIRED,
            {R.EXAMINER},
            G.ALL_DOCUMENTS_EXAMINED,
            G.REASON_GIVEN,
            owner=DetermineCase,
            route=_DETERMINE_ROUTE,
            irreversible=True,
        ),
        _t(
            T.DETERMINE_NOT_SIGNIFICANT,
            S.UNDER_EXAMINATION,
            S.NOT_SIGNIFICANT,
            {R.EXAMINER},
            G.ALL_DOCUMENTS_EXAMINED,
            G.REASON_GIVEN,
            owner=DetermineCase,
            route=_DETERMINE_ROUTE,
            irreversible=True,
        ),
        _t(T.RELEASE, S.NOT_SIGNIFICANT, S.CLOSED_RELEASED, {R.PROGRAM_MANAGER}, irreversible=True),
        _t(T.OPEN_NEGOTIATION, S.PROTECTION_REQUIRED, S.NEGOTIATING, {R.NEGOTIATOR}),
        _t(
            T.APPROVE_PURCHASE,
            S.NEGOTIATING,
            S.PURCHASE_AGREED,
            {R.PROGRAM_MANAGER},
            G.AGREED_AMOUNT,
            owner=ApprovePurchase,
            route="POST /api/v1/cases/{id}/purchase/approval (shokei purchase approve)",
            irreversible=True,
        ),
        # An approved agreement that falls through goes back to negotiation (its budget is released).
        _t(
            T.CANCEL_PURCHASE,
            S.PURCHASE_AGREED,
            S.NEGOTIATING,
            {R.PROGRAM_MANAGER},
            G.REASON_GIVEN,
            owner=CancelPurchase,
            route="POST /api/v1/cases/{id}/purchase/cancellation (shokei purchase cancel)",
            irreversible=True,
        ),
        _t(T.FAIL_NEGOTIATION, S.NEGOTIATING, S.NEGOTIATION_FAILED, {R.NEGOTIATOR}, G.REASON_GIVEN),
        _t(T.ESCALATE, ESCALATION_SOURCES, S.ESCALATED, {R.PROGRAM_MANAGER}, G.REASON_GIVEN),
        # From an escalation the case moves on to the measure decided for it, or back to
        # negotiation; both are recorded as a measure by the measures feature.
        _t(
            T.TAKE_MEASURE,
            S.ESCALATED,
            S.MEASURE_TAKEN,
            {R.PROGRAM_MANAGER},
            G.REASON_GIVEN,
            owner=DecideMeasure,
            route=_MEASURE_ROUTE,
            irreversible=True,
        ),
        _t(
            T.REOPEN_NEGOTIATION,
            S.ESCALATED,
            S.NEGOTIATING,
            {R.PROGRAM_MANAGER},
            G.REASON_GIVEN,
            owner=DecideMeasure,
            route=_MEASURE_ROUTE,
        ),
        _t(T.START_SUCCESSOR_SELECTION, S.PURCHASE_AGREED, S.SUCCESSOR_SELECTION, {R.PROGRAM_MANAGER}),
        # Selecting sets the successor and leaves the state where it is.
        _t(
            T.SELECT_SUCCESSOR,
            S.SUCCESSOR_SELECTION,
            S.SUCCESSOR_SELECTION,
            {R.PROGRAM_MANAGER},
            G.SUCCESSOR_GIVEN,
            owner=SelectSuccessor,
            route="POST /api/v1/cases/{id}/successor (shokei successor select)",
        ),
        _t(
            T.HAND_OVER,
            S.SUCCESSOR_SELECTION,
            S.HANDED_OVER,
            {R.PROGRAM_MANAGER},
            G.SUCCESSOR_SELECTED,
            owner=RecordHandOver,
            route="POST /api/v1/cases/{id}/handover (shokei handover release)",
            irreversible=True,
        ),
        # Closed only once the supplier's certificate of destruction of its own copies is recorded.
        # ... and only once its purchase is paid, cancelled or lapsed: no commitment left standing.
        _t(
            T.CLOSE,
            S.HANDED_OVER,
            S.CLOSED,
            {R.PROGRAM_MANAGER},
            G.DESTRUCTION_CERTIFIED,
            G.PURCHASE_SETTLED,
            irreversible=True,
        ),
    )
}


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the guards need to know about a case, gathered by the service before deciding."""

    state: CaseState
    company_id: int
    inventory_lines: int = 0
    unexamined_documents: int = 0
    agreed_amount_yen: int | None = None
    examiner_user_ids: frozenset[int] = field(default_factory=frozenset)
    negotiator_user_ids: frozenset[int] = field(default_factory=frozenset)
    successor_company_id: int | None = None
    destruction_certificates: int = 0
    purchase_open: bool = False


@dataclass(frozen=True, slots=True)
class CaseRef:
    """What other features (examination, purchase, succession) may know of a case they act on."""

    id: int
    company_id: int
    state: CaseState
    agreed_amount_yen: int | None
    version: int
    successor_company_id: int | None = None


@dataclass(frozen=True, slots=True)
class InventoryItem:
    """One inventory document as other features see it; `document_id` links a stored file."""

    id: int
    title: str
    drawing_number: str | None
    revision: str | None
    component: str | None
    weapon_system: str | None
    document_id: int | None
    examined_by_id: int | None

    @property
    def label(self) -> str:
        return f"{self.title} {self.drawing_number}" if self.drawing_number else self.title


@dataclass(frozen=True, slots=True)
class TransitionRequest:
    name: TransitionName
    reason: str | None = None
    successor_company_id: int | None = None
    # Guards the caller meets in the same step as the move (a page asking whether a form would be
    # accepted whose service first records what the guard wants): not checked.
    assumed: frozenset[Guard] = frozenset()


def _guard_failure(  # noqa: PLR0911, PLR0912 - one return per guard reads better than a lookup of lambdas
    guard: Guard, actor: Actor, facts: CaseFacts, request: TransitionRequest
) -> Text | None:
    """The reason a guard refuses (a catalogue message), or None when it holds."""
    match guard:
        case Guard.OWN_COMPANY_FOR_SUPPLIER:
            refused = actor.role is Role.SUPPLIER and actor.company_id != facts.company_id
            return Text(N_("a supplier may act only on its own company's case")) if refused else None
        case Guard.HAS_INVENTORY:
            return None if facts.inventory_lines > 0 else Text(N_("the document inventory is empty"))
        case Guard.ALL_DOCUMENTS_EXAMINED:
            n = facts.unexamined_documents
            return None if n == 0 else Text(N_("%(count)s document(s) have not been examined"), {"count": n})
        case Guard.REASON_GIVEN:
            return None if request.reason and request.reason.strip() else Text(N_("a reason is required"))
        case Guard.AGREED_AMOUNT:
            agreed = facts.agreed_amount_yen is not None
            return None if agreed else Text(N_("no purchase amount has been agreed"))
        case Guard.SUCCESSOR_GIVEN:
            if request.successor_company_id is None:
                return Text(N_("a successor company is required"))
            if request.successor_company_id == facts.company_id:
                return Text(N_("the withdrawing company cannot succeed itself"))
            return None
        case Guard.SUCCESSOR_SELECTED:
            selected = facts.successor_company_id is not None
            return None if selected else Text(N_("no successor has been selected"))
        case Guard.DESTRUCTION_CERTIFIED:
            if facts.destruction_certificates > 0:
                return None
            return Text(
                N_(
                    "the supplier's certificate of destruction is not recorded "
                    "(record it with `shokei handover destruction-certificate`, which closes the case)"
                )
            )
        case Guard.PURCHASE_SETTLED:
            if not facts.purchase_open:
                return None
            return Text(
                N_(
                    "its purchase is committed but neither paid, cancelled nor lapsed "
                    "(record the payment with `shokei purchase pay`)"
                )
            )


def _quoted_states(states: list[CaseState]) -> Text:
    """The states by their names, each quoted and listed as the reader's language writes it
    ('A', 'B' in English; 「A」、「B」 in Japanese)."""
    listed = Text(N_("'%(state)s'"), {"state": Text(STATE_NAMES[states[0]])})
    for state in states[1:]:
        listed = Text(N_("%(listed)s, '%(state)s'"), {"listed": listed, "state": Text(STATE_NAMES[state])})
    return listed


class IllegalTransition(Conflict):
    """The case is not in a state that allows this move (often: someone moved it first)."""


class GuardRefused(BadInput):
    """The move is legal from this state but a precondition does not hold."""


def decide(actor: Actor, facts: CaseFacts, request: TransitionRequest) -> Transition:
    """Check state, role and every guard; return the transition to apply or raise why not."""
    transition = TRANSITIONS[request.name]
    if facts.state not in transition.sources:
        raise IllegalTransition(
            Text(
                N_("'%(request)s' is allowed only from %(allowed)s; the case is '%(state)s'"),
                {
                    "request": Text(MOVE_NAMES[request.name]),
                    "allowed": _quoted_states([state for state in CaseState if state in transition.sources]),
                    "state": Text(STATE_NAMES[facts.state]),
                },
            )
        )
    if actor.role not in transition.roles:
        raise Forbidden(
            Text(
                N_("'%(request)s' needs role %(allowed)s; you are %(role)s"),
                {
                    "request": Text(MOVE_NAMES[request.name]),
                    "allowed": role_names(transition.roles),
                    "role": role_name(actor.role),
                },
            )
        )
    for duty in sorted(transition.excluded):
        holders = facts.examiner_user_ids if duty is Duty.EXAMINED else facts.negotiator_user_ids
        if actor.user_id in holders:
            raise Forbidden(
                Text(
                    N_("'%(request)s' refused: separation of duties: you %(duty)s this case"),
                    {"request": Text(MOVE_NAMES[request.name]), "duty": Text(DUTY_NAMES[duty])},
                )
            )
    for guard in transition.guards:
        if guard in request.assumed:
            continue
        failure = _guard_failure(guard, actor, facts, request)
        if failure is not None:
            error = Forbidden if guard in _DUTY_GUARDS else GuardRefused
            move = Text(MOVE_NAMES[request.name])
            raise error(Text(N_("'%(request)s' refused: %(failure)s"), {"request": move, "failure": failure}))
    return transition


_DUTY_GUARDS = frozenset({Guard.OWN_COMPANY_FOR_SUPPLIER})


def available_transitions(state: CaseState) -> list[TransitionName]:
    return [t.name for t in TRANSITIONS.values() if state in t.sources]


def days_remaining(planned_exit: date, today: date) -> int:
    """Days until the planned exit date (negative once it has passed)."""
    return (planned_exit - today).days


def is_overdue(state: CaseState, planned_exit: date, today: date) -> bool:
    return state not in TERMINAL_STATES and today > planned_exit
