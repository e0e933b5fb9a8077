"""Scoring: an examiner's scores of one inventory document, or of every document of the same
component (a package), with the rationale, under the policy in force.
Split from `services` as the examiner's repeated day-to-day step; determination then reads the
latest scores back through `assessment`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shokei.cases import services as cases
from shokei.cases.domain import Duty
from shokei.errors import N_, BadInput, NotFound, Text
from shokei.examination import presenters
from shokei.examination.common import refuse_conflicted_examiner, require_examiner
from shokei.examination.domain import shown, validate_values, weighted_score
from shokei.examination.models import ExaminationScore
from shokei.examination.policies import LoadedPolicy, current_policy
from shokei.examination.policy_record import record_policy
from shokei.examination.schemas import ScoreView
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork


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
    require_examiner(actor)
    if not rationale.strip():
        raise BadInput(Text(N_("a rationale is required with the scores")))
    loaded = current_policy()
    return _Given(actor, validate_values(loaded.policy, values), rationale.strip(), loaded)


def _score(
    uow: UnitOfWork, case_id: int, document_id: int, given: _Given, *, whole_package: bool
) -> list[ScoreView]:
    actor, policy = given.examiner, given.loaded.policy
    with uow:
        case = cases.case_ref(uow, actor, case_id)
        refuse_conflicted_examiner(uow, actor, case)
        cases.record_duty(uow, case.id, actor.user_id, Duty.EXAMINED)
        policy_entry = record_policy(uow, given.loaded)
        targets = _package_of(uow, case.id, document_id) if whole_package else [document_id]
        rows = [_score_row(uow, case.id, line_id, given) for line_id in targets]
        details: dict[str, Any] = {"documents": targets, "policy": policy_entry, "values": given.values}
        details |= {
            "weighted_score": shown(weighted_score(policy, given.values)),
            "rationale": given.rationale,
        }
        uow.record("examination:score:record", "case", case.id, actor, details=details)
        return [presenters.score_view(row, actor.username, policy, current=True) for row in rows]


def _score_row(uow: UnitOfWork, case_id: int, line_id: int, given: _Given) -> ExaminationScore:
    actor = given.examiner
    cases.mark_document_examined(uow, actor, case_id, line_id, note=given.rationale)
    row = ExaminationScore(
        case_id=case_id,
        line_id=line_id,
        examiner_id=actor.user_id,
        policy_version=given.loaded.policy.version,
        criterion_values=given.values,
        rationale=given.rationale,
        scored_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def _package_of(uow: UnitOfWork, case_id: int, document_id: int) -> list[int]:
    items = cases.inventory_items(uow, case_id)
    anchor = next((item for item in items if item.id == document_id), None)
    if anchor is None:
        raise NotFound(
            Text(
                N_("no document %(document_id)s in case %(case_id)s"),
                {"document_id": document_id, "case_id": case_id},
            )
        )
    if not anchor.component:
        raise BadInput(
            Text(
                N_("document %(document_id)s names no component: score it on its own"),
                {"document_id": document_id},
            )
        )
    return [item.id for item in items if item.component == anchor.component]
