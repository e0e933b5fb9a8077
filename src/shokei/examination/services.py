"""Examination use cases: score documents under the published policy, weigh the evidence, let a
program manager override, and determine the case. Each: authorise, load, decide
(examination.domain), save, audit — one transaction.

Evidence (stored documents' markings, the supply chain) is gathered before the writing
transaction opens: those features read in transactions of their own, and on SQLite a second
transaction inside a writing one would wait for it forever.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shokei.accounts.domain import Actor, Role
from shokei.accounts.models import User
from shokei.audit import services as audit
from shokei.audit.domain import AuditEvent
from shokei.cases import services as cases
from shokei.cases.domain import CaseRef, CaseState, InventoryItem, TransitionName
from shokei.companies import services as companies
from shokei.db import UnitOfWork
from shokei.documents import services as documents
from shokei.documents.schemas import DocumentView
from shokei.errors import BadInput, Conflict, Forbidden, NotFound
from shokei.examination import views
from shokei.examination.domain import (
    RULE_OVERRIDE,
    Assessment,
    Determination,
    DocumentFacts,
    ExaminerScore,
    Override,
    Policy,
    Relationship,
    SupplyChainFindings,
    assess,
    parse_policy,
    refuse_conflict,
    settle,
    shown,
    validate_values,
    weighted_score,
)
from shokei.examination.evidence import SupplyChainEvidence, default_supply_chain
from shokei.examination.models import (
    DeclaredInterest,
    ExaminationDetermination,
    ExaminationOverride,
    ExaminationPolicyRecord,
    ExaminationScore,
)
from shokei.examination.policies import LoadedPolicy, current_policy
from shokei.examination.schemas import (
    DeterminationView,
    ExaminationView,
    FindingView,
    InterestView,
    OverrideView,
    PolicyView,
    ScoreView,
)

_MOVES = {
    Determination.PROTECTION_REQUIRED: TransitionName.DETERMINE_PROTECTION_REQUIRED,
    Determination.NOT_SIGNIFICANT: TransitionName.DETERMINE_NOT_SIGNIFICANT,
}


class PolicyVersionReused(Conflict):
    """A policy file changed its text but kept a version already used for decisions."""


# -- the policy ------------------------------------------------------------------------------


def get_policy(actor: Actor) -> PolicyView:
    """The examination policy in force. Published: anyone signed in may read it."""
    loaded = current_policy()
    return views.policy_view(loaded.policy, loaded.source)


# -- scoring ---------------------------------------------------------------------------------


def score_document(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    document_id: int,
    *,
    values: Mapping[str, int],
    rationale: str,
) -> ScoreView:
    """Record an examiner's scores of one inventory document, with the rationale.

    Examiners only, while the case is under examination, not on a company they declared an
    interest in, nor on a case they negotiated. A later score by the same examiner replaces
    theirs for the determination (both stay on record).
    """
    return _score(uow, case_id, document_id, _given(actor, values, rationale), whole_package=False)[0]


def score_package(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    document_id: int,
    *,
    values: Mapping[str, int],
    rationale: str,
) -> list[ScoreView]:
    """Score a package: every inventory document of the same component as `document_id`, with
    the same values and rationale, in one transaction. The rules are `score_document`'s."""
    return _score(uow, case_id, document_id, _given(actor, values, rationale), whole_package=True)


@dataclass(frozen=True, slots=True)
class _Given:
    """One examiner's scores as given, checked against the policy in force."""

    examiner: Actor
    values: dict[str, int]
    rationale: str
    loaded: LoadedPolicy


def _given(actor: Actor, values: Mapping[str, int], rationale: str) -> _Given:
    _require_examiner(actor)
    if not rationale.strip():
        raise BadInput("a rationale is required with the scores")
    loaded = current_policy()
    return _Given(actor, validate_values(loaded.policy, values), rationale.strip(), loaded)


def _score(
    uow: UnitOfWork, case_id: int, document_id: int, given: _Given, *, whole_package: bool
) -> list[ScoreView]:
    actor, policy = given.examiner, given.loaded.policy
    with cases.write_transaction(uow) as session:
        case = cases.case_ref(session, actor, case_id)
        _refuse_conflicted_examiner(session, actor, case)
        policy_entry = _record_policy(session, uow, given.loaded)
        targets = _package_of(session, case.id, document_id) if whole_package else [document_id]
        rows = [_score_row(session, uow, case.id, line_id, given) for line_id in targets]
        details: dict[str, Any] = {"documents": targets, "policy": policy_entry, "values": given.values}
        details |= {
            "weighted_score": shown(weighted_score(policy, given.values)),
            "rationale": given.rationale,
        }
        audit.record(session, _event(uow, actor, "examination:score:record", case.id, details))
        return [views.score_view(row, actor.username, policy, current=True) for row in rows]


def _score_row(
    session: Session, uow: UnitOfWork, case_id: int, line_id: int, given: _Given
) -> ExaminationScore:
    actor = given.examiner
    cases.mark_document_examined(session, uow, actor, case_id, line_id, note=given.rationale)
    row = ExaminationScore(
        case_id=case_id,
        line_id=line_id,
        examiner_id=actor.user_id,
        policy_version=given.loaded.policy.version,
        criterion_values=given.values,
        rationale=given.rationale,
        scored_at=uow.clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def _package_of(session: Session, case_id: int, document_id: int) -> list[int]:
    items = cases.inventory_items(session, case_id)
    anchor = next((item for item in items if item.id == document_id), None)
    if anchor is None:
        raise NotFound(f"no document {document_id} in case {case_id}")
    if not anchor.component:
        raise BadInput(f"document {document_id} names no component: score it on its own")
    return [item.id for item in items if item.component == anchor.component]


# -- override and determination --------------------------------------------------------------


def override_determination(
    uow: UnitOfWork, actor: Actor, case_id: int, *, determination: str, reason: str
) -> OverrideView:
    """A program manager decides the determination, with a recorded reason (settles examiners'
    disagreement or sets the policy's outcome aside). An examiner then applies it with
    `determine_case`. Not by a program manager who examined the case or has an interest in it.
    """
    if actor.role is not Role.PROGRAM_MANAGER:
        raise Forbidden("only a program manager may override a determination")
    wanted = _parse_determination(determination)
    if not reason.strip():
        raise BadInput("an override needs a reason")
    loaded = current_policy()
    with cases.write_transaction(uow) as session:
        case = cases.case_ref(session, actor, case_id)
        _require_under_examination(case)
        refuse_if_conflicted(session, actor, case.company_id, "decide")
        if actor.user_id in cases.duty_holders(session, case.id)[0]:
            raise Forbidden(
                "separation of duties: you examined this case, so another program manager decides"
            )
        policy_entry = _record_policy(session, uow, loaded)
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
        audit.record(session, _event(uow, actor, "examination:determination:override", case.id, details))
        return views.override_view(row, actor.username)


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
    with uow.transaction() as session:  # fail fast, before gathering evidence
        company_id = _check_can_determine(
            session, actor, case_id, wanted=wanted, rationale=rationale, expected_version=expected_version
        )
    evidence = _gather(uow, actor, case_id, company_id, supply_chain)
    loaded = current_policy()
    with cases.write_transaction(uow) as session:
        _check_can_determine(
            session, actor, case_id, wanted=wanted, rationale=rationale, expected_version=expected_version
        )
        case = cases.case_ref(session, actor, case_id)
        _refuse_conflicted_examiner(session, actor, case)
        policy_entry = _record_policy(session, uow, loaded)
        assessment, override = _assess(session, loaded.policy, case, evidence)
        outcome = settle(loaded.policy, assessment, wanted)
        row = ExaminationDetermination(
            case_id=case.id,
            determination=outcome.determination.value,
            rule=outcome.rule,
            rule_detail=outcome.detail,
            rationale=(rationale or "").strip() or f"{outcome.rule}: {outcome.detail}",
            policy_version=loaded.policy.version,
            snapshot=views.snapshot(loaded.policy, assessment, evidence.supply_chain, wanted),
            override_id=override.id if override is not None and outcome.rule == RULE_OVERRIDE else None,
            determined_by_id=actor.user_id,
            determined_at=uow.clock.now(),
        )
        session.add(row)
        session.flush()
        moved = cases.move_case(
            session,
            uow,
            actor,
            case.id,
            _MOVES[outcome.determination],
            reason=row.rationale,
            expected_version=expected_version,
            details={"determination": views.determination_details(row) | {"policy": policy_entry}},
        )
        return views.determination_view(session, row, moved.state)


def _check_can_determine(
    session: Session,
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
        cases.check_move(session, actor, case_id, move, reason=rationale, expected_version=expected_version)
    else:
        _require_examiner(actor)
    case = cases.case_ref(session, actor, case_id)
    _require_under_examination(case)
    return case.company_id


# -- reading ---------------------------------------------------------------------------------


def get_examination(
    uow: UnitOfWork, actor: Actor, case_id: int, *, supply_chain: SupplyChainEvidence | None = None
) -> ExaminationView:
    """The examination form of a case: documents with their evidence and scores, the supply
    chain, hard rules that fire, flags, what the policy would decide now, overrides and the
    determination as it was made. Officials and auditors."""
    _require_reader(actor)
    with uow.transaction() as session:
        company_id = cases.case_ref(session, actor, case_id).company_id
    evidence = _gather(uow, actor, case_id, company_id, supply_chain)
    loaded = current_policy()
    with uow.transaction() as session:
        case = cases.case_ref(session, actor, case_id)
        assessment, _ = _assess(session, loaded.policy, case, evidence)
        items = cases.inventory_items(session, case.id)
        scores = views.score_views(
            session,
            case.id,
            loaded.policy,
            lambda version: _policy_of_version(session, version, loaded.policy),
        )
        overrides = views.overrides(session, case.id)
        determination = session.execute(
            select(ExaminationDetermination).where(ExaminationDetermination.case_id == case.id)
        ).scalar_one_or_none()
        under_examination = case.state is CaseState.UNDER_EXAMINATION
        return ExaminationView(
            case_id=case.id,
            case_state=case.state.value,
            company=companies.views_by_id(session, [case.company_id])[case.company_id].name,
            policy_version=loaded.policy.version,
            threshold=loaded.policy.threshold,
            examiners_required=loaded.policy.examiners_required,
            documents=[
                views.document_view(item, evidence.stored_for(item), scores, loaded.policy) for item in items
            ],
            supply_chain=views.supply_chain_view(evidence.supply_chain),
            hard_rules_fired=[FindingView(rule=f.rule, detail=f.detail) for f in assessment.findings],
            missing=list(assessment.missing),
            disagreements=list(assessment.disagreements),
            proposed=views.outcome_view(assessment) if under_examination else None,
            blocked_by=assessment.blocked_by if under_examination else None,
            overrides=overrides,
            determination=views.determination_view(session, determination, case.state)
            if determination
            else None,
        )


# -- conflicts of interest -------------------------------------------------------------------


def declare_interest(
    uow: UnitOfWork,
    actor: Actor,
    *,
    company: str,
    relationship: str,
    note: str | None = None,
    user: str | None = None,
) -> InterestView:
    """Declare an official's link to a company; from then on they take no part in its cases.

    Officials declare their own; a program manager may record another official's.
    """
    if not actor.is_official:
        raise Forbidden("only officials declare interests in companies")
    kind = _parse_relationship(relationship)
    with uow.transaction() as session:
        official = _official(session, actor, user)
        company_id = companies.company_id_for(session, company)
        row = DeclaredInterest(
            user_id=official.id,
            company_id=company_id,
            kind=kind.value,
            note=note,
            declared_by_id=actor.user_id,
            declared_at=uow.clock.now(),
        )
        _insert_once(session, row, f"{official.username} already declared {kind} with {company}")
        details = {"company_id": company_id, "relationship": kind.value, "note": note}
        event = AuditEvent(
            "examination:interest:declare", "user", str(official.id), row.declared_at, actor, details=details
        )
        audit.record(session, event)
        return views.interest_view(session, row)


def refuse_if_conflicted(session: Session, actor: Actor, company_id: int, doing: str) -> None:
    """For any feature: refuse an official linked to the company (declared, or bound to it)."""
    kinds = session.execute(
        select(DeclaredInterest.kind).where(
            DeclaredInterest.user_id == actor.user_id, DeclaredInterest.company_id == company_id
        )
    ).scalars()
    declared = [Relationship(kind) for kind in kinds]
    if actor.company_id == company_id:
        declared.append(Relationship.EMPLOYED)
    if declared:
        name = companies.views_by_id(session, [company_id])[company_id].name
        refuse_conflict(name, declared, doing)


def examiner_ids(session: Session, case_id: int) -> set[int]:
    """Everyone who scored or determined the case (separation of duties elsewhere)."""
    scorers = session.execute(
        select(ExaminationScore.examiner_id).where(ExaminationScore.case_id == case_id)
    ).scalars()
    determiners = session.execute(
        select(ExaminationDetermination.determined_by_id).where(ExaminationDetermination.case_id == case_id)
    ).scalars()
    return set(scorers) | set(determiners)


# -- helpers: authorisation and parsing -------------------------------------------------------


def _require_examiner(actor: Actor) -> None:
    if actor.role is not Role.EXAMINER:
        raise Forbidden(f"only an examiner may examine documents and determine cases; you are {actor.role}")


def _require_reader(actor: Actor) -> None:
    if not (actor.is_official or actor.role is Role.AUDITOR):
        raise Forbidden(f"{actor.role} may not read examinations")


def _require_under_examination(case: CaseRef) -> None:
    if case.state is not CaseState.UNDER_EXAMINATION:
        raise Conflict(f"case {case.id} is '{case.state}'; this is done while it is under examination")


def _refuse_conflicted_examiner(session: Session, actor: Actor, case: CaseRef) -> None:
    refuse_if_conflicted(session, actor, case.company_id, "examine")
    if actor.user_id in cases.duty_holders(session, case.id)[1]:
        raise Forbidden("separation of duties: you negotiated this case, so you may not examine it")


def _parse_determination(value: str) -> Determination:
    try:
        return Determination(value)
    except ValueError:
        raise BadInput(f"determination {value!r} is not one of: {', '.join(Determination)}") from None


def _parse_relationship(value: str) -> Relationship:
    try:
        return Relationship(value)
    except ValueError:
        raise BadInput(f"relationship {value!r} is not one of: {', '.join(Relationship)}") from None


def _official(session: Session, actor: Actor, username: str | None) -> User:
    if username is not None and username != actor.username and actor.role is not Role.PROGRAM_MANAGER:
        raise Forbidden("only a program manager may record another official's interest")
    found = session.execute(
        select(User).where(User.username == (username or actor.username))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no user {username}")
    if Role(found.role) not in {Role.INTAKE_OFFICER, Role.EXAMINER, Role.NEGOTIATOR, Role.PROGRAM_MANAGER}:
        raise BadInput(f"{found.username} is not an official")
    return found


def _insert_once(session: Session, row: object, duplicate: str) -> None:
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(duplicate) from None


def _event(uow: UnitOfWork, actor: Actor, action: str, case_id: int, details: dict[str, Any]) -> AuditEvent:
    return AuditEvent(action, "case", str(case_id), uow.clock.now(), actor, details=details)


# -- helpers: the policy on record ------------------------------------------------------------


def _record_policy(session: Session, uow: UnitOfWork, loaded: LoadedPolicy) -> dict[str, Any]:
    """Keep the text of every version used; refuse a version whose text has changed.

    Returns what the use case's own ledger entry says of the policy: its version and the SHA-256
    of its text (so the stored text is tamper-evident), and whether this use put it on record.
    """
    policy = loaded.policy
    record = session.get(ExaminationPolicyRecord, policy.version)
    first_use = record is None
    if record is None:
        record = ExaminationPolicyRecord(
            version=policy.version, sha256=policy.sha256, body=loaded.text, first_used_at=uow.clock.now()
        )
        try:
            with session.begin_nested():  # another first use may race us (PostgreSQL)
                session.add(record)
        except IntegrityError:
            first_use = False
            record = session.get_one(ExaminationPolicyRecord, policy.version, populate_existing=True)
    if record.sha256 != policy.sha256:
        raise PolicyVersionReused(
            f"examination policy version {policy.version} is on record with other text "
            f"(sha256 {record.sha256[:12]}..., the file has {policy.sha256[:12]}...): "
            "a changed policy must be published under a new version"
        )
    entry = {"version": policy.version, "sha256": policy.sha256}
    return entry | {"recorded_now": True, "source": loaded.source} if first_use else entry


def _policy_of_version(session: Session, version: str, current: Policy) -> Policy:
    if version == current.version:
        return current
    record = session.get_one(ExaminationPolicyRecord, version)
    return _parsed(record.body)


@lru_cache(maxsize=32)
def _parsed(text: str) -> Policy:
    return parse_policy(text)


# -- helpers: evidence and assessment ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Evidence:
    stored: Mapping[int, DocumentView]  # stored files of the case, by document id
    supply_chain: SupplyChainFindings

    def stored_for(self, item: InventoryItem) -> DocumentView | None:
        return self.stored.get(item.document_id) if item.document_id is not None else None


def _gather(
    uow: UnitOfWork, actor: Actor, case_id: int, company_id: int, port: SupplyChainEvidence | None
) -> _Evidence:
    stored = {view.id: view for view in documents.list_documents(uow, actor, case_id)}
    return _Evidence(stored, (port or default_supply_chain()).findings(uow, actor, company_id))


def _assess(
    session: Session, policy: Policy, case: CaseRef, evidence: _Evidence
) -> tuple[Assessment, ExaminationOverride | None]:
    facts = [
        DocumentFacts(
            item.id, item.label, tuple(stored.markings) if (stored := evidence.stored_for(item)) else ()
        )
        for item in cases.inventory_items(session, case.id)
    ]
    override = session.execute(
        select(ExaminationOverride)
        .where(ExaminationOverride.case_id == case.id)
        .order_by(ExaminationOverride.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    decided = None
    if override is not None:
        decided = Override(
            Determination(override.determination),
            override.reason,
            views.username(session, override.decided_by_id),
        )
    return assess(
        policy, facts, _current_scores(session, case.id, policy), evidence.supply_chain, decided
    ), override


def _current_scores(session: Session, case_id: int, policy: Policy) -> list[ExaminerScore]:
    """Each examiner's latest score of each document under this policy version."""
    rows = session.execute(
        select(ExaminationScore, User.username)
        .join(User, User.id == ExaminationScore.examiner_id)
        .where(ExaminationScore.case_id == case_id, ExaminationScore.policy_version == policy.version)
        .order_by(ExaminationScore.id)
    ).all()
    latest = {(row.line_id, row.examiner_id): (row, name) for row, name in rows}
    return [
        ExaminerScore(row.line_id, row.examiner_id, name, dict(row.criterion_values))
        for row, name in latest.values()
    ]
