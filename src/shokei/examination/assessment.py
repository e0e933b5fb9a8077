"""Evidence and assessment: the case's stored documents and supply-chain findings gathered
before a writing transaction opens, and the policy's assessment of the case from them, the
examiners' current scores and the latest override.
Split from `services` because determination and the examination form assess a case the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from shokei.cases import services as cases
from shokei.cases.domain import CaseRef, InventoryItem
from shokei.documents import services as documents
from shokei.documents.schemas import DocumentView
from shokei.examination import presenters
from shokei.examination.domain import (
    Assessment,
    Determination,
    DocumentFacts,
    ExaminerScore,
    Override,
    Policy,
    SupplyChainFindings,
    assess,
)
from shokei.examination.evidence import SupplyChainEvidence, default_supply_chain
from shokei.examination.models import ExaminationOverride, ExaminationScore
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Evidence:
    stored: Mapping[int, DocumentView]  # stored files of the case, by document id
    supply_chain: SupplyChainFindings

    def stored_for(self, item: InventoryItem) -> DocumentView | None:
        return self.stored.get(item.document_id) if item.document_id is not None else None


def gather_evidence(
    uow: UnitOfWork, actor: Actor, case_id: int, company_id: int, port: SupplyChainEvidence | None
) -> Evidence:
    stored = {view.id: view for view in documents.list_documents(uow, actor, case_id)}
    return Evidence(stored, (port or default_supply_chain()).findings(uow, actor, company_id))


def assess_case(
    uow: UnitOfWork, policy: Policy, case: CaseRef, evidence: Evidence
) -> tuple[Assessment, ExaminationOverride | None]:
    facts = [
        DocumentFacts(
            item.id, item.label, tuple(stored.markings) if (stored := evidence.stored_for(item)) else ()
        )
        for item in cases.inventory_items(uow, case.id)
    ]
    override = uow.session.execute(
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
            presenters.username(uow, override.decided_by_id),
        )
    return assess(
        policy, facts, _current_scores(uow, case.id, policy), evidence.supply_chain, decided
    ), override


def _current_scores(uow: UnitOfWork, case_id: int, policy: Policy) -> list[ExaminerScore]:
    """Each examiner's latest score of each document under this policy version."""
    query = (
        select(ExaminationScore)
        .where(ExaminationScore.case_id == case_id, ExaminationScore.policy_version == policy.version)
        .order_by(ExaminationScore.id)
    )
    rows = presenters.with_usernames(uow, query, "examiner_id")
    latest = {(row.line_id, row.examiner_id): (row, name) for row, name in rows}
    return [
        ExaminerScore(row.line_id, row.examiner_id, name, dict(row.criterion_values))
        for row, name in latest.values()
    ]
