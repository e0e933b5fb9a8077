"""Ranking, selection, the successor's inbox and its acceptance of the terms."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select

from shokei.cases import services as cases
from shokei.cases.domain import CaseRef, CaseState, TransitionName
from shokei.companies import services as companies
from shokei.companies.domain import cause_name
from shokei.errors import N_, BadInput, Conflict, Text, from_stored, stored
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import terms
from shokei.succession.assignment import portfolio_assignment
from shokei.succession.candidates import assess, candidate_view, registry_candidates
from shokei.succession.common import company_row, ledger_event, require_official, require_role, visible_case
from shokei.succession.holders import rules_failed
from shokei.succession.models import (
    InboxMessage,
    TermsAcceptance,
)
from shokei.succession.ownership_source import load_exposures
from shokei.succession.schemas import (
    AcceptanceView,
    AssignmentLineView,
    AssignmentProposalView,
    CandidateView,
    InboxMessageView,
    SelectionView,
)


def rank_candidates(uow: UnitOfWork, actor: Actor, case_id: int) -> list[CandidateView]:
    """Every registered domestic company with its per-rule results and score (officials)."""
    require_official(actor)
    exposures = load_exposures(uow, actor)
    with uow.transaction():
        case = visible_case(uow, actor, case_id)
        return [candidate_view(a) for a in assess(uow, case, exposures)]


def select_successor(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    corporate_number: str,
    *,
    reason: str,
    expected_version: int | None = None,
) -> SelectionView:
    """A program manager picks an eligible successor, with a reason; the successor is notified.

    The cases feature hands every `select_successor` move here, however it is asked for, so no
    path selects an ineligible company or leaves the successor unaware. The move, the notice and
    their ledger entries commit together.
    """
    require_role(actor, Role.PROGRAM_MANAGER, N_("select successors"))
    if not reason.strip():
        raise BadInput(Text(N_("a reason is required")))
    exposures = load_exposures(uow, actor)
    with uow.transaction() as session:
        case = visible_case(uow, actor, case_id)
        company = company_row(uow, companies.company_id_for(uow, corporate_number))
        number = company.corporate_number or ""
        if company.suspended_since is not None:
            msgid = N_("%(name)s (%(number)s) is suspended (%(cause)s): %(reason)s")
            values = {"name": company.name, "number": number, "cause": cause_name(company.suspension_cause)}
            raise Conflict(Text(msgid, {**values, "reason": from_stored(company.suspension_reason or "")}))
        chosen = [a for a in assess(uow, case, exposures) if a.corporate_number == number]
        failing = [r for a in chosen for r in a.rules if not r.passed]
        if not chosen or failing:
            reasons = rules_failed(tuple(failing)) or Text(N_("not a candidate"))
            msgid = N_("%(name)s (%(number)s) is not eligible: %(reasons)s")
            raise Conflict(Text(msgid, {"name": company.name, "number": number, "reasons": reasons}))
        moved = cases.move_case(
            uow,
            actor,
            case_id,
            TransitionName.SELECT_SUCCESSOR,
            reason=reason,
            successor_id=company.id,
            expected_version=expected_version,
        )
        session.add(_selection_notice(uow, company.id, case_id, reason))
        uow.record_many(
            [ledger_event(uow, actor, "succession:successor:notify", "case", str(case_id), successor=number)]
        )
    return SelectionView(case_id=case_id, successor=number, successor_name=company.name, state=moved.state)


def _selection_notice(uow: UnitOfWork, company_id: int, case_id: int, reason: str) -> InboxMessage:
    return InboxMessage(
        company_id=company_id,
        case_id=case_id,
        # Stored as catalogue messages, read in each reader's language; the terms themselves are
        # on the case's terms page, in the reader's language, where they are accepted.
        subject=stored(Text(N_("Selected as the successor (case %(case)s)"), {"case": case_id})),
        body=stored(
            Text(
                N_(
                    "Your company was selected as the successor for case %(case)s: %(reason)s\n"
                    "Accept the terms on the case's terms page (/cases/%(case)s/terms) or with "
                    "`shokei successor accept %(case)s` before release."
                ),
                {"case": case_id, "reason": reason},
            )
        ),
        created_at=uow.clock.now(),
    )


def inbox(uow: UnitOfWork, actor: Actor) -> list[InboxMessageView]:
    """The messages to the actor's company (company-bound users)."""
    if actor.company_id is None:
        return []
    with uow.transaction() as session:
        rows = session.execute(
            select(InboxMessage).where(InboxMessage.company_id == actor.company_id).order_by(InboxMessage.id)
        ).scalars()
        return [
            InboxMessageView(
                id=m.id,
                case_id=m.case_id,
                subject=from_stored(m.subject).render(),
                body=from_stored(m.body).render(),
                at=m.created_at,
                subject_text=from_stored(m.subject),
                body_text=from_stored(m.body),
            )
            for m in rows
        ]


def accept_terms(uow: UnitOfWork, actor: Actor, case_id: int) -> AcceptanceView:
    """The selected successor's user accepts the current terms for the case."""
    require_role(actor, Role.SUCCESSOR, N_("accept succession terms"))
    with uow.transaction() as session:
        case = visible_case(uow, actor, case_id)  # successors see only cases they were selected for
        if case.state != CaseState.SUCCESSOR_SELECTION.value:
            raise Conflict(
                Text(
                    N_("case %(case_id)s is %(state)s, not awaiting the successor's acceptance"),
                    {"case_id": case_id, "state": case.state},
                )
            )
        company = company_row(uow, case.successor_company_id or 0)
        acceptance = TermsAcceptance(
            case_id=case_id,
            company_id=company.id,
            accepted_by_id=actor.user_id,
            terms_version=terms.TERMS_VERSION,
            terms_digest=terms.terms_digest(),
            accepted_at=uow.clock.now(),
        )
        session.add(acceptance)
        uow.record_many(
            [
                ledger_event(
                    uow,
                    actor,
                    "succession:terms:accept",
                    "case",
                    str(case_id),
                    company=company.corporate_number,
                    terms_version=acceptance.terms_version,
                    terms_digest=acceptance.terms_digest,
                )
            ]
        )
        return AcceptanceView(
            case_id=case_id,
            company=company.corporate_number or "",
            terms_version=acceptance.terms_version,
            terms_digest=acceptance.terms_digest,
            accepted_at=acceptance.accepted_at,
        )


# -- portfolio assignment ---------------------------------------------------------------------


def _cases_to_place(uow: UnitOfWork, actor: Actor, case_ids: Sequence[int], all_open: bool) -> list[CaseRef]:
    """The named cases (each must be in successor selection) and, with `all_open`, every visible
    case in successor selection without a successor; by id, each once."""
    chosen = {case_id: visible_case(uow, actor, case_id) for case_id in case_ids}
    waiting = [case for case in chosen.values() if case.state != CaseState.SUCCESSOR_SELECTION.value]
    if waiting:
        listed = ", ".join(f"{case.id} ({case.state})" for case in waiting)
        raise Conflict(
            Text(N_("only cases in successor selection can be assigned: %(listed)s"), {"listed": listed})
        )
    if all_open:
        chosen.update({case.id: case for case in cases.awaiting_successor(uow, actor)})
    return [chosen[case_id] for case_id in sorted(chosen)]


def propose_assignment(
    uow: UnitOfWork, actor: Actor, case_ids: Sequence[int] = (), *, all_open: bool = False
) -> AssignmentProposalView:
    """Spread many cases over eligible successors under their capacity (open case slots):
    as many cases placed as possible, then the highest total score (`assignment.py`, scipy).

    A proposal only (officials and auditors): a program manager confirms each line with
    `select_successor`, which checks eligibility again. The proposal is recorded in the ledger.
    """
    require_official(actor)
    if not case_ids and not all_open:
        raise BadInput(Text(N_("name at least one case, or ask for all open cases")))
    exposures = load_exposures(uow, actor)
    with uow.transaction():
        chosen = _cases_to_place(uow, actor, case_ids, all_open)
        pool = registry_candidates(uow, exposures)
        ranked = {case.id: assess(uow, case, exposures, pool) for case in chosen}
        scores = {
            (str(case_id), item.corporate_number): float(item.score.total)
            for case_id, items in ranked.items()
            for item in items
            if item.eligible
        }
        eligible_numbers = sorted({number for _, number in scores})
        slots = {facts.corporate_number: facts.open_case_slots for facts in pool}
        capacities = {number: slots.get(number, 0) for number in eligible_numbers}
        proposal = portfolio_assignment(
            [str(case.id) for case in chosen], eligible_numbers, scores, capacities
        )
        names = {facts.corporate_number: facts.name for facts in pool}
        exact = {
            (case_id, item.corporate_number): item.score.total
            for case_id, items in ranked.items()
            for item in items
        }
        lines = [
            AssignmentLineView(
                case_id=int(line.case_id),
                corporate_number=line.corporate_number,
                name=names.get(line.corporate_number, ""),
                score=exact[(int(line.case_id), line.corporate_number)],
                rank_in_case=line.rank_in_case,
                eligible_candidates=sum(1 for item in ranked[int(line.case_id)] if item.eligible),
            )
            for line in proposal.assignments
        ]
        view = AssignmentProposalView(
            assignments=lines,
            unassigned=[int(case_id) for case_id in proposal.unassigned],
            total_score=sum((line.score for line in lines), Decimal(0)),
            capacities=capacities,
        )
        uow.record_many(
            [
                ledger_event(
                    uow,
                    actor,
                    "succession:assignment:propose",
                    "succession",
                    "assignment",
                    cases=[case.id for case in chosen],
                    assignments={str(line.case_id): line.corporate_number for line in lines},
                    unassigned=view.unassigned,
                )
            ]
        )
        return view
