"""Examination use cases: score documents under the published policy, weigh the evidence, let a
program manager override, and determine the case. Each: authorise, load, decide
(examination.domain), save, audit — one transaction.

Evidence (stored documents' markings, the supply chain) is gathered before the writing
transaction opens: those features read in transactions of their own, and on SQLite a second
transaction inside a writing one would wait for it forever.

The use cases live here and in modules next to this one: `scoring` (examiners' scores),
`interests` (declared conflicts of interest), `assessment` (evidence and the policy's
assessment), `policy_record` (policy versions on record) and `common` (the shared guards). This
module determines and reads cases and re-exports every name other code imports from it.
"""

from __future__ import annotations

from sqlalchemy import select

from shokei.cases import services as cases
from shokei.cases.domain import CaseState, Duty, TransitionName
from shokei.companies import services as companies
from shokei.errors import N_, BadInput, Forbidden, Text, stored
from shokei.examination import presenters
from shokei.examination.assessment import assess_case, gather_evidence
from shokei.examination.common import (
    refuse_conflicted_examiner,
    require_examiner,
    require_reader,
    require_under_examination,
)
from shokei.examination.domain import RULE_OVERRIDE, Determination, settle
from shokei.examination.evidence import SupplyChainEvidence
from shokei.examination.models import (
    ExaminationDetermination,
    ExaminationOverride,
)
from shokei.examination.policies import current_policy
from shokei.examination.policy_record import PolicyVersionReused, policy_of_version, record_policy
from shokei.examination.schemas import (
    DeterminationView,
    ExaminationView,
    FindingView,
    OverrideView,
    PolicyView,
)
from shokei.examination.scoring import score_document, score_package
from shokei.interests import services as interests
from shokei.interests.services import declare_interest
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork

# What other code imports from this module, including the names now defined next to it.
__all__ = [
    "PolicyVersionReused",
    "declare_interest",
    "determine_case",
    "get_examination",
    "get_policy",
    "override_determination",
    "score_document",
    "score_package",
]

_MOVES = {
    Determination.PROTECTION_REQUIRED: TransitionName.DETERMINE_PROTECTION_REQUIRED,
    Determination.NOT_SIGNIFICANT: TransitionName.DETERMINE_NOT_SIGNIFICANT,
}


# -- the policy ------------------------------------------------------------------------------


def get_policy(actor: Actor) -> PolicyView:
    """The examination policy in force. Published: anyone signed in may read it."""
    loaded = current_policy()
    return presenters.policy_view(loaded.policy, loaded.source)


# -- override and determination --------------------------------------------------------------


def override_determination(
    uow: UnitOfWork, actor: Actor, case_id: int, *, determination: str, reason: str
) -> OverrideView:
    """A program manager decides the determination, with a recorded reason (settles examiners'
    disagreement or sets the policy's outcome aside). An examiner then applies it with
    `determine_case`. Not by a program manager who examined the case or has an interest in it.
    """
    if actor.role is not Role.PROGRAM_MANAGER:
        raise Forbidden(Text(N_("only a program manager may override a determination")))
    wanted = _parse_determination(determination)
    if not reason.strip():
        raise BadInput(Text(N_("an override needs a reason")))
    loaded = current_policy()
    with uow.transaction() as session:
        case = cases.case_ref(uow, actor, case_id)
        require_under_examination(case)
        interests.refuse_if_conflicted(uow, actor, case.company_id, "decide")
        cases.refuse_if_took(
            uow, actor, case.id, Duty.EXAMINED, so=Text(N_("so another program manager decides"))
        )
        policy_entry = record_policy(uow, loaded)
        row = ExaminationOverride(
            case_id=case.id,
            determination=wanted.value,
            reason=reason.strip(),
            decided_by_id=actor.user_id,
            decided_at=uow.clock.now(),
            policy_version=loaded.policy.version,
        )
        session.add(row)
        session.flush()
        details = {
            "override": row.id,
            "determination": wanted.value,
            "reason": row.reason,
            "policy": policy_entry,
        }
        uow.record("examination:determination:override", "case", case.id, actor, details=details)
        return presenters.override_view(row, actor.username)


def determine_case(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    requested: str | None = None,
    rationale: str | None = None,
    expected_version: int | None = None,
    supply_chain: SupplyChainEvidence | None = None,
) -> DeterminationView:
    """Determine the case under the policy in force and move it to protection_required or
    not_significant, recording the deciding rule, the policy version and what was weighed.

    Examiners only. `requested` is an examiner's own call (`case transition determine_...`):
    the policy must agree with it, or, on note-only examinations, no hard rule may contradict it.
    """
    wanted = _parse_determination(requested) if requested else None
    with uow:  # fail fast, before gathering evidence
        company_id = _check_can_determine(
            uow, actor, case_id, wanted=wanted, rationale=rationale, expected_version=expected_version
        )
    evidence = gather_evidence(uow, actor, case_id, company_id, supply_chain)
    loaded = current_policy()
    with uow.transaction() as session:
        _check_can_determine(
            uow, actor, case_id, wanted=wanted, rationale=rationale, expected_version=expected_version
        )
        case = cases.case_ref(uow, actor, case_id)
        refuse_conflicted_examiner(uow, actor, case)
        policy_entry = record_policy(uow, loaded)
        assessment, override = assess_case(uow, loaded.policy, case, evidence)
        outcome = settle(loaded.policy, assessment, wanted)
        row = ExaminationDetermination(
            case_id=case.id,
            determination=outcome.determination.value,
            rule=outcome.rule,
            rule_detail=stored(outcome.detail),
            rationale=(rationale or "").strip()
            or stored(Text("%(rule)s: %(detail)s", {"rule": outcome.rule, "detail": outcome.detail})),
            policy_version=loaded.policy.version,
            snapshot=presenters.snapshot(loaded.policy, assessment, evidence.supply_chain, wanted),
            override_id=override.id if override is not None and outcome.rule == RULE_OVERRIDE else None,
            determined_by_id=actor.user_id,
            determined_at=uow.clock.now(),
        )
        session.add(row)
        session.flush()
        cases.record_duty(uow, case.id, actor.user_id, Duty.EXAMINED)
        moved = cases.move_case(
            uow,
            actor,
            case.id,
            _MOVES[outcome.determination],
            reason=row.rationale,
            expected_version=expected_version,
            details={"determination": presenters.determination_details(row) | {"policy": policy_entry}},
        )
        return presenters.determination_view(uow, row, moved.state)


def _check_can_determine(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    wanted: Determination | None,
    rationale: str | None,
    expected_version: int | None,
) -> int:
    """The case's company; raises what the move would refuse (role, state, guards)."""
    if wanted is not None:
        move = _MOVES[wanted]
        cases.check_move(uow, actor, case_id, move, reason=rationale, expected_version=expected_version)
    else:
        require_examiner(actor)
    case = cases.case_ref(uow, actor, case_id)
    require_under_examination(case)
    return case.company_id


# -- reading ---------------------------------------------------------------------------------


def get_examination(
    uow: UnitOfWork, actor: Actor, case_id: int, *, supply_chain: SupplyChainEvidence | None = None
) -> ExaminationView:
    """The examination form of a case: documents with their evidence and scores, the supply
    chain, hard rules that fire, flags, what the policy would decide now, overrides and the
    determination as it was made. Officials and auditors."""
    require_reader(actor)
    with uow:
        company_id = cases.case_ref(uow, actor, case_id).company_id
        cases.require_contents(uow, actor, case_id)  # the examination record: assigned officials
    evidence = gather_evidence(uow, actor, case_id, company_id, supply_chain)
    loaded = current_policy()
    with uow.transaction() as session:
        case = cases.case_ref(uow, actor, case_id)
        assessment, _ = assess_case(uow, loaded.policy, case, evidence)
        items = cases.inventory_items(uow, case.id)
        scores = presenters.score_views(
            uow,
            case.id,
            loaded.policy,
            lambda version: policy_of_version(session, version, loaded.policy),
        )
        overrides = presenters.overrides(uow, case.id)
        determination = session.execute(
            select(ExaminationDetermination).where(ExaminationDetermination.case_id == case.id)
        ).scalar_one_or_none()
        under_examination = case.state is CaseState.UNDER_EXAMINATION
        return ExaminationView(
            case_id=case.id,
            case_state=case.state.value,
            company=companies.views_by_id(uow, [case.company_id])[case.company_id].name,
            policy_version=loaded.policy.version,
            threshold=loaded.policy.threshold,
            examiners_required=loaded.policy.examiners_required,
            documents=[
                presenters.document_view(item, evidence.stored_for(item), scores, loaded.policy)
                for item in items
            ],
            supply_chain=presenters.supply_chain_view(evidence.supply_chain),
            hard_rules_fired=[
                FindingView(rule=f.rule, detail=f.detail.render(), detail_text=f.detail)
                for f in assessment.findings
            ],
            missing=[str(text) for text in assessment.missing],
            disagreements=[str(text) for text in assessment.disagreements],
            missing_text=list(assessment.missing),
            disagreements_text=list(assessment.disagreements),
            proposed=presenters.outcome_view(assessment) if under_examination else None,
            blocked_by=str(assessment.blocked_by) if under_examination and assessment.blocked_by else None,
            blocked_by_text=assessment.blocked_by if under_examination else None,
            overrides=overrides,
            determination=presenters.determination_view(uow, determination, case.state)
            if determination
            else None,
        )


def _parse_determination(value: str) -> Determination:
    try:
        return Determination(value)
    except ValueError:
        raise BadInput(
            Text(
                N_("determination %(value)s is not one of: %(determination)s"),
                {"value": repr(value), "determination": ", ".join(Determination)},
            )
        ) from None
