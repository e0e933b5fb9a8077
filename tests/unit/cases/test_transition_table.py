"""Every (state, transition, role) triple against the workflow in docs/domain.md."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest

from shokei.cases.domain import (
    TERMINAL_STATES,
    CaseFacts,
    CaseState,
    GuardRefused,
    IllegalTransition,
    TransitionName,
    TransitionRequest,
    available_transitions,
    days_remaining,
    decide,
    is_overdue,
)
from shokei.errors import Forbidden
from shokei.kernel import Actor, Role
from shokei.web import i18n

S, T, R = CaseState, TransitionName, Role

# The specification, written out independently of shokei.cases.domain.TRANSITIONS.
# Issue 17: a program manager escalates any open case; from the escalation it moves on to a measure
# or back to negotiation.
OPEN_STATES = {
    S.NOTIFIED,
    S.DOCUMENTS_SUBMITTED,
    S.UNDER_EXAMINATION,
    S.NOT_SIGNIFICANT,
    S.PROTECTION_REQUIRED,
    S.NEGOTIATING,
    S.PURCHASE_AGREED,
    S.NEGOTIATION_FAILED,
    S.SUCCESSOR_SELECTION,
    S.HANDED_OVER,
}
SPEC: dict[TransitionName, tuple[CaseState | set[CaseState], CaseState, set[Role]]] = {
    T.SUBMIT: (S.NOTIFIED, S.DOCUMENTS_SUBMITTED, {R.SUPPLIER, R.INTAKE_OFFICER}),
    T.START_EXAMINATION: (S.DOCUMENTS_SUBMITTED, S.UNDER_EXAMINATION, {R.INTAKE_OFFICER}),
    T.DETERMINE_PROTECTION_REQUIRED: (S.UNDER_EXAMINATION, S.PROTECTION_REQUIRED, {R.EXAMINER}),
    T.DETERMINE_NOT_SIGNIFICANT: (S.UNDER_EXAMINATION, S.NOT_SIGNIFICANT, {R.EXAMINER}),
    T.RELEASE: (S.NOT_SIGNIFICANT, S.CLOSED_RELEASED, {R.PROGRAM_MANAGER}),
    T.OPEN_NEGOTIATION: (S.PROTECTION_REQUIRED, S.NEGOTIATING, {R.NEGOTIATOR}),
    T.APPROVE_PURCHASE: (S.NEGOTIATING, S.PURCHASE_AGREED, {R.PROGRAM_MANAGER}),
    # Issue 5: an approved purchase that is cancelled releases its budget and negotiation resumes.
    T.CANCEL_PURCHASE: (S.PURCHASE_AGREED, S.NEGOTIATING, {R.PROGRAM_MANAGER}),
    T.FAIL_NEGOTIATION: (S.NEGOTIATING, S.NEGOTIATION_FAILED, {R.NEGOTIATOR}),
    T.ESCALATE: (OPEN_STATES, S.ESCALATED, {R.PROGRAM_MANAGER}),
    T.TAKE_MEASURE: (S.ESCALATED, S.MEASURE_TAKEN, {R.PROGRAM_MANAGER}),
    T.REOPEN_NEGOTIATION: (S.ESCALATED, S.NEGOTIATING, {R.PROGRAM_MANAGER}),
    T.START_SUCCESSOR_SELECTION: (S.PURCHASE_AGREED, S.SUCCESSOR_SELECTION, {R.PROGRAM_MANAGER}),
    T.SELECT_SUCCESSOR: (S.SUCCESSOR_SELECTION, S.SUCCESSOR_SELECTION, {R.PROGRAM_MANAGER}),
    T.HAND_OVER: (S.SUCCESSOR_SELECTION, S.HANDED_OVER, {R.PROGRAM_MANAGER}),
    T.CLOSE: (S.HANDED_OVER, S.CLOSED, {R.PROGRAM_MANAGER}),
}

COMPANY, OTHER_COMPANY, SUCCESSOR = 10, 11, 12


def _actor(role: Role, user_id: int = 1) -> Actor:
    bound = role in (R.SUPPLIER, R.SUCCESSOR)
    return Actor(user_id, f"u{user_id}", role, COMPANY if bound else None)


def _satisfied(state: CaseState) -> CaseFacts:
    return CaseFacts(
        state=state,
        company_id=COMPANY,
        inventory_lines=2,
        agreed_amount_yen=1,
        successor_company_id=SUCCESSOR,
        destruction_certificates=1,
    )


def _sources(name: TransitionName) -> set[CaseState]:
    source = SPEC[name][0]
    return source if isinstance(source, set) else {source}


def _request(name: TransitionName) -> TransitionRequest:
    return TransitionRequest(name, reason="理由", successor_company_id=SUCCESSOR)


TRIPLES = list(itertools.product(CaseState, TransitionName, Role))


@pytest.mark.parametrize(("state", "name", "role"), TRIPLES, ids=[f"{s}-{t}-{r}" for s, t, r in TRIPLES])
def test_every_state_transition_role_triple(state: CaseState, name: TransitionName, role: Role) -> None:
    _, target, roles = SPEC[name]
    if state not in _sources(name):
        with pytest.raises(IllegalTransition, match="allowed only from '"):
            decide(_actor(role), _satisfied(state), _request(name))
    elif role not in roles:
        with pytest.raises(Forbidden, match="needs role"):
            decide(_actor(role), _satisfied(state), _request(name))
    else:
        assert decide(_actor(role), _satisfied(state), _request(name)).target is target


def test_spec_covers_every_transition_and_terminal_states_have_no_exit() -> None:
    assert set(SPEC) == set(TransitionName)
    assert {S.CLOSED, S.CLOSED_RELEASED, S.MEASURE_TAKEN} == TERMINAL_STATES
    for state in TERMINAL_STATES:
        assert available_transitions(state) == []
    reachable = {S.NOTIFIED} | {target for _, target, _ in SPEC.values()}
    assert reachable == set(CaseState)


def test_escalation_from_every_open_state_names_the_allowed_states_when_refused() -> None:
    assert set(CaseState) - {S.ESCALATED} - TERMINAL_STATES == OPEN_STATES
    for state in OPEN_STATES:
        assert T.ESCALATE in available_transitions(state)
    assert available_transitions(S.ESCALATED) == [T.TAKE_MEASURE, T.REOPEN_NEGOTIATION]
    with pytest.raises(IllegalTransition, match="allowed only from 'Exit notified', 'Documents submitted'"):
        decide(_actor(R.PROGRAM_MANAGER), _satisfied(S.CLOSED), _request(T.ESCALATE))


def test_a_move_refused_for_the_role_names_the_roles_as_the_pages_do() -> None:
    with pytest.raises(Forbidden) as refused:
        decide(_actor(R.EXAMINER), _satisfied(S.NOTIFIED), _request(T.SUBMIT))
    assert refused.value.message == (
        "'Submit the documents' needs role Supplier (withdrawing company), Intake officer; you are Examiner"
    )
    with i18n.activate("ja"):
        japanese = refused.value.localised(i18n.gettext)
    assert japanese == "「書類を提出する」を行えるのは撤退企業、受付担当官のみです（あなたの役割：審査官）"
    assert not re.search(r"[a-z_]{4,}", japanese), japanese  # no role's code


def test_a_move_refused_from_its_state_names_the_move_and_the_states_as_the_pages_do() -> None:
    with pytest.raises(IllegalTransition) as refused:
        decide(_actor(R.PROGRAM_MANAGER), _satisfied(S.CLOSED_RELEASED), _request(T.CANCEL_PURCHASE))
    assert refused.value.message == (
        "'Cancel the approved purchase' is allowed only from 'Purchase approved'; "
        "the case is 'Closed (released)'"
    )
    with i18n.activate("ja"):
        japanese = refused.value.localised(i18n.gettext)
    assert japanese == (
        "「承認済みの買取を取り消す」は「買取承認済」の状態でのみ行えます（案件の状態：「終結（保護不要）」）"
    )
    with pytest.raises(IllegalTransition) as refused:
        decide(_actor(R.PROGRAM_MANAGER), _satisfied(S.SUCCESSOR_SELECTION), _request(T.START_EXAMINATION))
    with i18n.activate("ja"):
        japanese = refused.value.localised(i18n.gettext)
    assert (
        japanese == "「審査を開始する」は「書類提出済」の状態でのみ行えます（案件の状態：「承継先選定中」）"
    )
    with pytest.raises(IllegalTransition) as refused:
        decide(_actor(R.PROGRAM_MANAGER), _satisfied(S.CLOSED), _request(T.ESCALATE))
    with i18n.activate("ja"):
        japanese = refused.value.localised(i18n.gettext)
    assert "は「撤退届出受付」、「書類提出済」、「審査中」、" in japanese  # listed as Japanese lists
    assert "（案件の状態：「終結」）" in japanese
    assert not re.search(r"[a-z_]{4,}", japanese), japanese  # no state's code
    with pytest.raises(GuardRefused, match="reason is required"):
        decide(_actor(R.PROGRAM_MANAGER), _satisfied(S.NOTIFIED), TransitionRequest(T.ESCALATE))


def test_submit_needs_an_inventory_line() -> None:
    empty = CaseFacts(state=S.NOTIFIED, company_id=COMPANY, inventory_lines=0)
    with pytest.raises(GuardRefused, match="inventory is empty"):
        decide(_actor(R.INTAKE_OFFICER), empty, _request(T.SUBMIT))


def test_supplier_cannot_submit_another_companys_case() -> None:
    facts = CaseFacts(state=S.NOTIFIED, company_id=OTHER_COMPANY, inventory_lines=1)
    with pytest.raises(Forbidden, match="own company"):
        decide(_actor(R.SUPPLIER), facts, _request(T.SUBMIT))


def test_determination_needs_every_document_examined_and_a_reason() -> None:
    facts = CaseFacts(
        state=S.UNDER_EXAMINATION, company_id=COMPANY, inventory_lines=3, unexamined_documents=2
    )
    with pytest.raises(GuardRefused, match="2 document"):
        decide(_actor(R.EXAMINER), facts, _request(T.DETERMINE_PROTECTION_REQUIRED))
    done = CaseFacts(state=S.UNDER_EXAMINATION, company_id=COMPANY, inventory_lines=3)
    with pytest.raises(GuardRefused, match="reason is required"):
        decide(_actor(R.EXAMINER), done, TransitionRequest(T.DETERMINE_NOT_SIGNIFICANT, reason="  "))


@pytest.mark.parametrize("name", [T.APPROVE_PURCHASE, T.SELECT_SUCCESSOR])
def test_program_manager_who_examined_or_negotiated_is_refused(name: TransitionName) -> None:
    (state,) = _sources(name)
    examined = CaseFacts(
        state, COMPANY, agreed_amount_yen=5, successor_company_id=SUCCESSOR, examiner_user_ids=frozenset({7})
    )
    negotiated = CaseFacts(
        state,
        COMPANY,
        agreed_amount_yen=5,
        successor_company_id=SUCCESSOR,
        negotiator_user_ids=frozenset({7}),
    )
    with pytest.raises(Forbidden, match="you examined"):
        decide(_actor(R.PROGRAM_MANAGER, 7), examined, _request(name))
    with pytest.raises(Forbidden, match="you negotiated"):
        decide(_actor(R.PROGRAM_MANAGER, 7), negotiated, _request(name))
    assert decide(_actor(R.PROGRAM_MANAGER, 8), examined, _request(name)).name is name


def test_closing_needs_the_certificate_of_destruction() -> None:
    uncertified = CaseFacts(state=S.HANDED_OVER, company_id=COMPANY, successor_company_id=SUCCESSOR)
    with pytest.raises(GuardRefused, match="certificate of destruction is not recorded"):
        decide(_actor(R.PROGRAM_MANAGER), uncertified, _request(T.CLOSE))
    certified = CaseFacts(
        state=S.HANDED_OVER, company_id=COMPANY, successor_company_id=SUCCESSOR, destruction_certificates=1
    )
    assert decide(_actor(R.PROGRAM_MANAGER), certified, _request(T.CLOSE)).target is S.CLOSED


def test_cancelling_a_purchase_needs_a_reason() -> None:
    facts = CaseFacts(state=S.PURCHASE_AGREED, company_id=COMPANY, agreed_amount_yen=5)
    with pytest.raises(GuardRefused, match="reason is required"):
        decide(_actor(R.PROGRAM_MANAGER), facts, TransitionRequest(T.CANCEL_PURCHASE, reason=" "))


def test_purchase_approval_needs_an_agreed_amount() -> None:
    facts = CaseFacts(state=S.NEGOTIATING, company_id=COMPANY)
    with pytest.raises(GuardRefused, match="no purchase amount"):
        decide(_actor(R.PROGRAM_MANAGER), facts, _request(T.APPROVE_PURCHASE))


def test_hand_over_needs_a_selected_successor_and_selection_a_different_company() -> None:
    facts = CaseFacts(state=S.SUCCESSOR_SELECTION, company_id=COMPANY)
    with pytest.raises(GuardRefused, match="no successor"):
        decide(_actor(R.PROGRAM_MANAGER), facts, _request(T.HAND_OVER))
    with pytest.raises(GuardRefused, match="cannot succeed itself"):
        decide(
            _actor(R.PROGRAM_MANAGER),
            facts,
            TransitionRequest(T.SELECT_SUCCESSOR, successor_company_id=COMPANY),
        )
    with pytest.raises(GuardRefused, match="successor company is required"):
        decide(_actor(R.PROGRAM_MANAGER), facts, TransitionRequest(T.SELECT_SUCCESSOR))


def test_deadlines() -> None:
    exit_on = date(2026, 6, 30)
    assert days_remaining(exit_on, date(2026, 6, 1)) == 29
    assert days_remaining(exit_on, date(2026, 7, 2)) == -2
    assert is_overdue(S.NEGOTIATING, exit_on, date(2026, 7, 1))
    assert not is_overdue(S.NEGOTIATING, exit_on, date(2026, 6, 30))
    assert not is_overdue(S.CLOSED, exit_on, date(2027, 1, 1))


# Separation of duties, written out independently of shokei.cases.domain.EXCLUDED_DUTIES: which
# earlier part in the case excludes an official from each move (the red team's finding: examiners
# rotated to negotiator opened and failed negotiation on cases they had examined).
EXAMINED, NEGOTIATED = "examined", "negotiated"
DUTY_SPEC: dict[TransitionName, set[str]] = {
    T.SUBMIT: set(),
    T.START_EXAMINATION: set(),
    T.DETERMINE_PROTECTION_REQUIRED: {NEGOTIATED},
    T.DETERMINE_NOT_SIGNIFICANT: {NEGOTIATED},
    T.RELEASE: {EXAMINED},
    T.OPEN_NEGOTIATION: {EXAMINED},
    T.FAIL_NEGOTIATION: {EXAMINED},
    T.APPROVE_PURCHASE: {EXAMINED, NEGOTIATED},
    T.CANCEL_PURCHASE: {EXAMINED, NEGOTIATED},
    T.ESCALATE: {EXAMINED, NEGOTIATED},
    T.TAKE_MEASURE: {EXAMINED, NEGOTIATED},
    T.REOPEN_NEGOTIATION: {EXAMINED, NEGOTIATED},
    T.START_SUCCESSOR_SELECTION: {EXAMINED, NEGOTIATED},
    T.SELECT_SUCCESSOR: {EXAMINED, NEGOTIATED},
    T.HAND_OVER: {EXAMINED, NEGOTIATED},
    T.CLOSE: {EXAMINED, NEGOTIATED},
}
DUTY_CASES = [(name, duty) for name in TransitionName for duty in (EXAMINED, NEGOTIATED)]


@pytest.mark.parametrize(("name", "duty"), DUTY_CASES, ids=[f"{n}-{d}" for n, d in DUTY_CASES])
def test_every_move_refuses_exactly_the_duties_the_rule_table_excludes(
    name: TransitionName, duty: str
) -> None:
    source, _, roles = SPEC[name]
    source = sorted(_sources(name))[0]
    role = sorted(roles)[0]
    holders = frozenset({7})
    facts = CaseFacts(
        state=source,
        company_id=COMPANY,
        inventory_lines=2,
        agreed_amount_yen=1,
        successor_company_id=SUCCESSOR,
        destruction_certificates=1,
        examiner_user_ids=holders if duty == EXAMINED else frozenset(),
        negotiator_user_ids=holders if duty == NEGOTIATED else frozenset(),
    )
    if duty in DUTY_SPEC[name]:
        with pytest.raises(Forbidden, match=f"separation of duties: you {duty} this case"):
            decide(_actor(role, 7), facts, _request(name))
    else:
        assert decide(_actor(role, 7), facts, _request(name)).name is name
    assert decide(_actor(role, 8), facts, _request(name)).name is name
