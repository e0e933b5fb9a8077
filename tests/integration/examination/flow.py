"""Drives cases through examination and purchase with the real services (and so the ledger).

The score sets below are worked out by hand under the shipped policy 2022.1: weights 30/25/20/
10/10/5 over the scales 0-5, 0-5, 0-5, 0-3, 0-4, 0-4, threshold 60.
"""

from __future__ import annotations

from shokei.cases import services as cases
from shokei.examination import services as examination
from shokei.examination.evidence import SupplyChainEvidence
from shokei.examination.schemas import DeterminationView
from shokei.kernel import Actor
from shokei.purchase import services as purchase
from shokei.purchase.schemas import AgreementView
from tests.factories import Office

# 30*5/5 + 25*4/5 + 20*5/5 + 10*3/3 + 10*4/4 + 5*4/4 = 30 + 20 + 20 + 10 + 10 + 5 = 95
HIGH = {
    "criticality": 5,
    "disclosure": 4,
    "uniqueness": 5,
    "export_control": 3,
    "package_completeness": 4,
    "age": 4,
}
# 30*1/5 + 25*1/5 + 20*1/5 + 0 + 10*1/4 + 5*1/4 = 6 + 5 + 4 + 0 + 2.5 + 1.25 = 18.75
LOW = {
    "criticality": 1,
    "disclosure": 1,
    "uniqueness": 1,
    "export_control": 0,
    "package_completeness": 1,
    "age": 1,
}
# 30*2/5 + 25*3/5 + 20*2/5 + 10*3/3 + 10*4/4 + 5*4/4 = 12 + 15 + 8 + 10 + 10 + 5 = 60: exactly the threshold
AT_THRESHOLD = {
    "criticality": 2,
    "disclosure": 3,
    "uniqueness": 2,
    "export_control": 3,
    "package_completeness": 4,
    "age": 4,
}
# 30*5/5 + 25*2/5 + 20*3/5 + 10*2/3 + 0 + 5*1/4 = 30 + 10 + 12 + 6.67 + 0 + 1.25 = 59.92 (719/12)
JUST_BELOW = {
    "criticality": 5,
    "disclosure": 2,
    "uniqueness": 3,
    "export_control": 2,
    "package_completeness": 0,
    "age": 1,
}
# 30*3/5 + 25*3/5 + 20*3/5 + 10*1/3 + 10*2/4 + 5*2/4 = 18 + 15 + 12 + 3.33 + 5 + 2.5 = 55.83 (335/6)
MIDDLING = {
    "criticality": 3,
    "disclosure": 3,
    "uniqueness": 3,
    "export_control": 1,
    "package_completeness": 2,
    "age": 2,
}
BILLION = 1_000_000_000


class Desk(Office):
    """The test office, plus the examination and purchase steps."""

    def under_examination(self, documents: int = 1) -> int:
        case = self.open_case(documents=documents)
        self.to_under_examination(case.id)
        return case.id

    def score_all(self, case_id: int, values: dict[str, int], examiner: Actor | None = None) -> None:
        who = examiner or self.examiner
        for line in cases.get_case(self.uow, who, case_id).inventory:
            examination.score_document(
                self.uow, who, case_id, line.id, values=values, rationale="図面一式を確認"
            )

    def determine(
        self, case_id: int, examiner: Actor | None = None, supply_chain: SupplyChainEvidence | None = None
    ) -> DeterminationView:
        return examination.determine_case(
            self.uow, examiner or self.examiner, case_id, supply_chain=supply_chain
        )

    def protection_required(self, documents: int = 1) -> int:
        case_id = self.under_examination(documents)
        self.score_all(case_id, HIGH)
        assert self.determine(case_id).determination == "protection_required"
        return case_id

    def agreed(self, amount_yen: int, documents: int = 1) -> tuple[int, AgreementView]:
        case_id = self.protection_required(documents)
        return case_id, purchase.agree_purchase(self.uow, self.negotiator, case_id, amount_yen=amount_yen)

    def fund(self, year: int = 2026, amount_yen: int = BILLION) -> None:
        purchase.set_appropriation(self.uow, self.manager, fiscal_year=year, amount_yen=amount_yen)
