"""Examination on a real database: scores, hard rules, policy versions, two examiners, overrides,
conflicts of interest, and the case's moves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from shokei.audit.models import AuditEntry
from shokei.cases import services as cases
from shokei.documents import services as documents
from shokei.documents.vault import FilesystemVault
from shokei.documents.vault.crypto import MasterKeyring, create_master_key
from shokei.errors import BadInput, Conflict, Forbidden, NotFound
from shokei.examination import services as examination
from shokei.examination.domain import DeterminationRefused, SupplyChainFindings
from shokei.examination.models import ExaminationPolicyRecord
from shokei.examination.services import PolicyVersionReused
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.web import i18n
from tests.factories import user
from tests.integration.examination.conftest import PolicyWriter
from tests.integration.examination.flow import AT_THRESHOLD, HIGH, JUST_BELOW, LOW, MIDDLING, Desk


def _ledger_size(uow: UnitOfWork) -> int:
    with uow.transaction() as session:
        return session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def _entries(uow: UnitOfWork, case_id: str) -> list[dict[str, Any]]:
    with uow.transaction() as session:
        leaves = session.execute(
            select(AuditEntry.leaf)
            .where(AuditEntry.subject_type == "case", AuditEntry.subject_id == case_id)
            .order_by(AuditEntry.index)
        ).scalars()
        return [json.loads(leaf) for leaf in leaves]


class FixedSupplyChain:
    def __init__(self, findings: SupplyChainFindings) -> None:
        self.found = findings
        self.asked: list[int] = []

    def findings(self, uow: UnitOfWork, actor: Actor, company_id: int) -> SupplyChainFindings:
        self.asked.append(company_id)
        return self.found


def test_the_threshold_decides_inclusively_and_the_case_moves_with_the_policy_version(
    uow: UnitOfWork, desk: Desk
) -> None:
    at, below = desk.under_examination(documents=2), desk.under_examination(documents=1)
    desk.score_all(at, AT_THRESHOLD)
    desk.score_all(below, JUST_BELOW)

    decided = desk.determine(at)
    assert (decided.determination, decided.rule, decided.policy_version) == (
        "protection_required",
        "score_threshold",
        "2022.1",
    )
    assert decided.case_state == "protection_required"
    assert "highest score 60.00" in decided.rule_detail
    assert decided.snapshot["documents"][0]["scores"] == {"examiner": "60.00"}
    released = desk.determine(below)
    assert (released.determination, released.rule) == ("not_significant", "below_threshold")
    assert "highest score 59.92" in released.rule_detail
    assert cases.get_case(uow, desk.auditor, below).state == "not_significant"

    history = cases.get_case(uow, desk.auditor, at).history
    assert (history[-1].transition, history[-1].actor) == ("determine_protection_required", "examiner")
    with uow.transaction() as session:
        record = session.get_one(ExaminationPolicyRecord, "2022.1")
        assert 'version = "2022.1"' in record.body
        fingerprint = record.sha256
    # One entry per use case; the one that first used the policy says it put the text on record.
    entries = _entries(uow, str(at))
    assert [e["action"] for e in entries][-3:] == [
        "examination:score:record",
        "examination:score:record",
        "case:status:change",
    ]
    assert entries[-3]["details"]["policy"] == {
        "version": "2022.1",
        "sha256": fingerprint,
        "recorded_now": True,
        "source": "shipped policy/v1.toml",
    }
    assert entries[-2]["details"]["policy"] == {"version": "2022.1", "sha256": fingerprint}
    assert entries[-1]["details"]["determination"]["rule"] == "score_threshold"


def test_scoring_marks_the_document_examined_and_is_shown_on_the_form(uow: UnitOfWork, desk: Desk) -> None:
    case_id = desk.under_examination(documents=2)
    first = cases.get_case(uow, desk.examiner, case_id).inventory[0]
    score = examination.score_document(
        uow, desk.examiner, case_id, first.id, values=MIDDLING, rationale="量産図面一式、3Dなし"
    )
    assert (score.weighted_score, score.policy_version, score.current) == (55.83, "2022.1", True)
    assert cases.get_case(uow, desk.examiner, case_id).inventory[0].examined is True

    form = examination.get_examination(uow, desk.auditor, case_id)
    assert [d.examiners_scored for d in form.documents] == [1, 0]
    assert form.proposed is None
    assert form.blocked_by is not None
    assert "0 of 1 examiners' scores" in form.blocked_by
    assert form.documents[0].scores[0].rationale == "量産図面一式、3Dなし"


def test_a_secrecy_marking_found_at_intake_requires_protection_whatever_the_scores(
    uow: UnitOfWork, desk: Desk, tmp_path: Path
) -> None:
    case = desk.open_case(documents=0)
    create_master_key(tmp_path / "master.key")
    vault = FilesystemVault(tmp_path / "vault", MasterKeyring.from_directory(tmp_path))
    drawing = tmp_path / "砲身部品仕様書.txt"
    drawing.write_text("【秘】\n砲身部品 仕様書\n材質: SNCM439\n", encoding="utf-8")
    scratch = tmp_path / "scratch"
    scratch.mkdir(mode=0o700)
    stored = documents.submit_documents(uow, vault, desk.supplier, case.id, [drawing], scratch_dir=scratch)
    assert stored.documents[0].markings == ["秘"]
    desk.to_under_examination(case.id)
    desk.score_all(case.id, LOW)  # 18.75, far below the threshold

    form = examination.get_examination(uow, desk.examiner, case.id)
    assert form.documents[0].markings == ["秘"]
    assert form.proposed is not None
    assert form.proposed.rule == "secrecy_marking"
    decided = desk.determine(case.id)
    assert (decided.determination, decided.rule) == ("protection_required", "secrecy_marking")
    assert "bears 秘" in decided.rule_detail
    assert decided.snapshot["documents"][0]["mean"] == "18.75"


def test_single_source_evidence_from_the_port_requires_protection(uow: UnitOfWork, desk: Desk) -> None:
    port = FixedSupplyChain(SupplyChainFindings(True, ("F-2 (支援戦闘機)",), ("P-100 (導波管)",)))
    case_id = desk.under_examination()
    desk.score_all(case_id, LOW)
    form = examination.get_examination(uow, desk.examiner, case_id, supply_chain=port)
    assert form.supply_chain.single_source_components == ["P-100 (導波管)"]
    decided = desk.determine(case_id, supply_chain=port)
    assert (decided.determination, decided.rule) == ("protection_required", "single_source_component")
    assert decided.snapshot["supply_chain"]["weapon_systems"] == ["F-2 (支援戦闘機)"]
    assert port.asked == [desk.withdrawing.id, desk.withdrawing.id]


def test_an_examiner_finding_fielded_performance_disclosed_requires_protection(desk: Desk) -> None:
    case_id = desk.under_examination()
    desk.score_all(case_id, {**LOW, "disclosure": 5})  # 18.75 + 20 = 38.75, below the threshold
    decided = desk.determine(case_id)
    assert (decided.determination, decided.rule) == ("protection_required", "reveals_fielded_performance")
    assert (
        decided.rule_detail
        == f"examiner scored disclosure=5 on document {decided.snapshot['documents'][0]['id']}"
    )


def test_changing_the_policy_file_does_not_change_past_determinations(
    uow: UnitOfWork, desk: Desk, use_policy: PolicyWriter
) -> None:
    before = desk.under_examination()
    desk.score_all(before, AT_THRESHOLD)
    assert desk.determine(before).determination == "protection_required"

    use_policy(('version = "2022.1"', 'version = "2023.1"'), ("threshold = 60", "threshold = 70"))
    after = desk.under_examination()
    desk.score_all(after, AT_THRESHOLD)
    later = desk.determine(after)
    assert (later.determination, later.policy_version) == ("not_significant", "2023.1")

    past = examination.get_examination(uow, desk.auditor, before)
    assert past.policy_version == "2023.1"  # the policy in force now...
    assert past.determination is not None  # ...but the determination as it was made
    assert (past.determination.determination, past.determination.rule) == (
        "protection_required",
        "score_threshold",
    )
    assert (past.determination.policy_version, past.determination.snapshot["threshold"]) == ("2022.1", 60)
    assert [(s.policy_version, s.current, s.weighted_score) for s in past.documents[0].scores] == [
        ("2022.1", False, 60.0)
    ]
    assert cases.get_case(uow, desk.auditor, before).state == "protection_required"


def test_scores_under_an_earlier_version_must_be_given_again(desk: Desk, use_policy: PolicyWriter) -> None:
    case_id = desk.under_examination()
    desk.score_all(case_id, HIGH)
    use_policy(('version = "2022.1"', 'version = "2022.2"'))
    with pytest.raises(DeterminationRefused, match=r"policy 2022.2 cannot determine yet: scores are missing"):
        desk.determine(case_id)
    desk.score_all(case_id, HIGH)
    assert desk.determine(case_id).policy_version == "2022.2"


def test_a_used_version_whose_text_changed_is_refused(
    uow: UnitOfWork, desk: Desk, use_policy: PolicyWriter
) -> None:
    case_id = desk.under_examination()
    desk.score_all(case_id, HIGH)
    use_policy(("threshold = 60", "threshold = 10"))  # same version 2022.1, other text
    line = cases.get_case(uow, desk.examiner, case_id).inventory[0]
    size = _ledger_size(uow)
    with pytest.raises(PolicyVersionReused, match=r"2022\.1 is on record with other text"):
        examination.score_document(uow, desk.examiner, case_id, line.id, values=LOW, rationale="再確認")
    with pytest.raises(PolicyVersionReused):
        desk.determine(case_id)
    assert _ledger_size(uow) == size


def test_two_examiners_who_disagree_are_flagged_and_a_program_manager_decides(
    uow: UnitOfWork, desk: Desk, use_policy: PolicyWriter
) -> None:
    use_policy(
        ('version = "2022.1"', 'version = "2022.1-two"'), ("examiners_required = 1", "examiners_required = 2")
    )
    second = user(uow, desk.examiner.role, name="examiner2")
    case_id = desk.under_examination()
    desk.assign_officials(case_id, second)
    desk.score_all(case_id, HIGH)  # 95
    with pytest.raises(DeterminationRefused, match="1 of 2 examiners' scores"):
        desk.determine(case_id)
    desk.score_all(case_id, LOW, examiner=second)  # 18.75: 76.25 points apart
    with pytest.raises(DeterminationRefused, match=r"flagged for a program manager.*by 76\.25 points"):
        desk.determine(case_id)
    assert len(examination.get_examination(uow, desk.manager, case_id).disagreements) == 1

    with pytest.raises(Forbidden, match="only a program manager"):
        examination.override_determination(uow, second, case_id, determination="not_significant", reason="x")
    override = examination.override_determination(
        uow,
        desk.manager,
        case_id,
        determination="protection_required",
        reason="潜水艦用アンテナの整合回路は国内唯一",
    )
    decided = desk.determine(case_id, examiner=second)
    assert (decided.determination, decided.rule) == ("protection_required", "program_manager_override")
    assert decided.override is not None
    assert (decided.override.id, decided.override.decided_by) == (override.id, "manager")
    assert decided.rule_detail == "manager: 潜水艦用アンテナの整合回路は国内唯一"


def test_two_examiners_within_the_tolerance_are_averaged(
    uow: UnitOfWork, desk: Desk, use_policy: PolicyWriter
) -> None:
    use_policy(
        ('version = "2022.1"', 'version = "2022.1-two"'), ("examiners_required = 1", "examiners_required = 2")
    )
    second = user(uow, desk.examiner.role, name="examiner2")
    case_id = desk.under_examination()
    desk.assign_officials(case_id, second)
    desk.score_all(case_id, AT_THRESHOLD)  # 60
    desk.score_all(case_id, MIDDLING, examiner=second)  # 55.83: 4.17 apart, mean 57.92
    decided = desk.determine(case_id, examiner=second)
    assert (decided.determination, decided.rule) == ("not_significant", "below_threshold")
    assert decided.snapshot["documents"][0]["mean"] == "57.92"


def test_a_later_score_by_the_same_examiner_replaces_theirs(desk: Desk) -> None:
    case_id = desk.under_examination()
    desk.score_all(case_id, HIGH)
    desk.score_all(case_id, LOW)
    assert desk.determine(case_id).determination == "not_significant"


def test_an_examiner_with_an_interest_in_the_company_may_not_examine_its_case(
    uow: UnitOfWork, desk: Desk
) -> None:
    case_id = desk.under_examination()
    line = cases.get_case(uow, desk.examiner, case_id).inventory[0]
    declared = examination.declare_interest(
        uow, desk.examiner, company=desk.withdrawing.corporate_number or "", relationship="formerly_employed"
    )
    assert (declared.user, declared.relationship) == ("examiner", "formerly_employed")
    size = _ledger_size(uow)
    with pytest.raises(
        Forbidden, match=r"conflict of interest: .*\(formerly_employed\) with 退出工業株式会社"
    ):
        examination.score_document(uow, desk.examiner, case_id, line.id, values=HIGH, rationale="x")
    with pytest.raises(Forbidden, match="conflict of interest"):
        cases.examine_document(uow, desk.examiner, case_id, line.id, note="x")
    assert _ledger_size(uow) == size
    with pytest.raises(Conflict, match="already declared"):
        examination.declare_interest(
            uow,
            desk.examiner,
            company=desk.withdrawing.corporate_number or "",
            relationship="formerly_employed",
        )

    colleague = user(uow, desk.examiner.role, name="examiner2")
    with pytest.raises(Forbidden, match="only a program manager may record another"):
        examination.declare_interest(
            uow,
            colleague,
            company=desk.withdrawing.corporate_number or "",
            relationship="family",
            user="examiner",
        )
    desk.assign_officials(case_id, colleague)
    desk.score_all(case_id, HIGH, examiner=colleague)
    assert desk.determine(case_id, examiner=colleague).determination == "protection_required"


def test_a_program_manager_records_an_interest_for_an_official(uow: UnitOfWork, desk: Desk) -> None:
    case_id = desk.under_examination()
    examination.declare_interest(
        uow,
        desk.manager,
        company=desk.withdrawing.corporate_number or "",
        relationship="shareholder",
        user="examiner",
    )
    line = cases.get_case(uow, desk.examiner, case_id).inventory[0]
    with pytest.raises(Forbidden, match="shareholder"):
        examination.score_document(uow, desk.examiner, case_id, line.id, values=HIGH, rationale="x")


def test_moving_the_case_by_hand_must_agree_with_the_policy(uow: UnitOfWork, desk: Desk) -> None:
    case_id = desk.under_examination()
    desk.score_all(case_id, HIGH)
    with pytest.raises(DeterminationRefused, match=r"policy 2022\.1 determines protection_required"):
        desk.move(case_id, "determine_not_significant", desk.examiner, reason="汎用品")
    moved = desk.move(case_id, "determine_protection_required", desk.examiner, reason="固有技術")
    assert moved.state == "protection_required"
    record = examination.get_examination(uow, desk.auditor, case_id).determination
    assert record is not None
    assert (record.rule, record.rationale, record.snapshot["requested"]) == (
        "score_threshold",
        "固有技術",
        "protection_required",
    )


def test_note_only_examinations_are_recorded_as_the_examiners_judgement(uow: UnitOfWork, desk: Desk) -> None:
    case_id = desk.under_examination()
    desk.examine_all(case_id)
    desk.move(case_id, "determine_not_significant", desk.examiner, reason="汎用品の図面")
    record = examination.get_examination(uow, desk.auditor, case_id).determination
    assert record is not None
    assert (record.determination, record.rule, record.rationale) == (
        "not_significant",
        "examiner_judgement",
        "汎用品の図面",
    )
    last = _entries(uow, str(case_id))[-1]
    assert (last["action"], last["details"]["determination"]["rule"]) == (
        "case:status:change",
        "examiner_judgement",
    )


def test_refused_scores_write_nothing(uow: UnitOfWork, desk: Desk) -> None:
    case_id = desk.under_examination()
    other = desk.under_examination()
    line = cases.get_case(uow, desk.examiner, case_id).inventory[0]
    notified = desk.open_case().id
    early = cases.get_case(uow, desk.examiner, notified).inventory[0]
    size = _ledger_size(uow)
    refusals: list[tuple[type[Exception], str, object]] = [
        (
            Forbidden,
            "only an examiner",
            lambda: examination.score_document(
                uow, desk.negotiator, case_id, line.id, values=HIGH, rationale="x"
            ),
        ),
        (
            BadInput,
            "outside the scale: age=9",
            lambda: examination.score_document(
                uow, desk.examiner, case_id, line.id, values={**HIGH, "age": 9}, rationale="x"
            ),
        ),
        (
            BadInput,
            "missing: age",
            lambda: examination.score_document(
                uow,
                desk.examiner,
                case_id,
                line.id,
                values={k: v for k, v in HIGH.items() if k != "age"},
                rationale="x",
            ),
        ),
        (
            BadInput,
            "rationale is required",
            lambda: examination.score_document(
                uow, desk.examiner, case_id, line.id, values=HIGH, rationale=" "
            ),
        ),
        (
            NotFound,
            f"no document {line.id} in case {other}",
            lambda: examination.score_document(
                uow, desk.examiner, other, line.id, values=HIGH, rationale="x"
            ),
        ),
        (
            Conflict,
            "under examination",
            lambda: examination.score_document(
                uow, desk.examiner, notified, early.id, values=HIGH, rationale="x"
            ),
        ),
        (
            NotFound,
            "no case",
            lambda: (
                examination.score_document(uow, desk.supplier, 999_999, 1, values=HIGH, rationale="x")
                if False
                else examination.get_examination(uow, desk.manager, 999_999)
            ),
        ),
        (
            Forbidden,
            "may not read examinations",
            lambda: examination.get_examination(uow, desk.supplier, case_id),
        ),
        (Forbidden, "only an examiner", lambda: examination.determine_case(uow, desk.manager, case_id)),
        (Conflict, "under examination", lambda: examination.determine_case(uow, desk.examiner, notified)),
    ]
    for error, message, refuse in refusals:
        with pytest.raises(error, match=message):
            refuse()  # type: ignore[operator]
    assert _ledger_size(uow) == size


def test_a_program_manager_who_examined_may_not_override(uow: UnitOfWork, desk: Desk) -> None:
    from shokei.accounts import services as accounts

    case_id = desk.under_examination()
    desk.score_all(case_id, HIGH)
    accounts.change_role(uow, desk.admin, "examiner", "program_manager")
    promoted = accounts.actor_for_username(uow, "examiner")
    with pytest.raises(
        Forbidden, match="you examined this case, so another program manager decides"
    ) as refused:
        examination.override_determination(
            uow, promoted, case_id, determination="not_significant", reason="x"
        )
    with i18n.activate("ja"):
        assert refused.value.localised(i18n.gettext) == (
            "職務分離：あなたはこの案件で審査を担当しました。このため、他の事業管理官が決定します"
        )


def test_a_package_of_documents_of_one_component_is_scored_at_once(uow: UnitOfWork, desk: Desk) -> None:
    case = desk.open_case(documents=0)
    barrel = [
        cases.add_inventory_line(uow, desk.supplier, case.id, title=title, component="銃身組立")
        for title in ("銃身部品図", "銃身組立図")
    ]
    jig = cases.add_inventory_line(uow, desk.supplier, case.id, title="治具図")
    desk.to_under_examination(case.id)
    size = _ledger_size(uow)

    scored = examination.score_package(
        uow, desk.examiner, case.id, barrel[1].id, values=HIGH, rationale="量産図一式"
    )
    assert [(s.document_id, s.weighted_score) for s in scored] == [(barrel[0].id, 95.0), (barrel[1].id, 95.0)]
    assert _ledger_size(uow) == size + 1
    assert _entries(uow, str(case.id))[-1]["details"]["documents"] == [barrel[0].id, barrel[1].id]
    with pytest.raises(BadInput, match=f"document {jig.id} names no component"):
        examination.score_package(uow, desk.examiner, case.id, jig.id, values=LOW, rationale="x")
    with pytest.raises(DeterminationRefused, match=f"document {jig.id} \\(治具図\\): 0 of 1"):
        desk.determine(case.id)
