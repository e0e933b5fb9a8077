"""The whole path notified → protection_required → purchase_agreed through the `shokei` CLI (the
interface contract), on the real clock: the approval commits today's fiscal year."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shokei.clock import JST
from shokei.companies.domain import CorporateNumber
from shokei.purchase.domain import fiscal_year
from tests.conftest import Cli
from tests.integration.examination.flow import HIGH, LOW

WITHDRAWING = CorporateNumber.from_base("301010101020").value


def _office(cli: Cli) -> None:
    assert cli("init").exit_code == 0
    company = ["company", "add", "--corporate-number", WITHDRAWING, "--name", "退出精密株式会社"]
    assert cli(*company, "--as", "admin").exit_code == 0
    for name, role in [
        ("intake", "intake_officer"),
        ("examiner", "examiner"),
        ("negotiator", "negotiator"),
        ("manager", "program_manager"),
        ("auditor", "auditor"),
    ]:
        assert cli("user", "add", name, "--role", role, "--as", "admin").exit_code == 0
    supplier = ["user", "add", "supplier", "--role", "supplier", "--company", WITHDRAWING]
    assert cli(*supplier, "--as", "admin").exit_code == 0


def _criteria(values: dict[str, int]) -> list[str]:
    return [part for name, value in values.items() for part in ("--criterion", f"{name}={value}")]


def _json(cli: Cli, *args: str) -> Any:
    return cli(*args, "--json").json()


def test_notice_to_purchase_agreed_through_the_cli(cli: Cli) -> None:
    _office(cli)
    today = datetime.now(JST).date()
    year = str(fiscal_year(today))
    opened = _json(
        cli,
        "case",
        "open",
        "--company",
        WITHDRAWING,
        "--reason",
        "restructuring",
        "--exit-date",
        "2027-12-31",
        "--as",
        "supplier",
    )
    case = str(opened["id"])
    for official in ("intake", "examiner", "negotiator", "auditor"):  # the program manager assigns them
        assert cli("case", "assign", case, "--user", official, "--as", "manager").exit_code == 0
    lines = [
        str(_json(cli, "case", "add-document", case, "--title", title, "--as", "supplier")["id"])
        for title in ("機関銃部品図", "治具図")
    ]
    for move, actor in [("submit", "supplier"), ("start_examination", "intake")]:
        assert cli("case", "transition", case, move, "--as", actor).exit_code == 0

    policy = _json(cli, "exam", "policy", "--as", "examiner")
    assert policy["version"] == "2022.1"
    assert [(c["name"], c["min"], c["max"], c["weight"]) for c in policy["criteria"]] == [
        ("criticality", 0, 5, 30),
        ("disclosure", 0, 5, 25),
        ("uniqueness", 0, 5, 20),
        ("export_control", 0, 3, 10),
        ("package_completeness", 0, 4, 10),
        ("age", 0, 4, 5),
    ]
    assert sum(c["weight"] for c in policy["criteria"]) == 100

    scored = _json(
        cli,
        "exam",
        "score",
        case,
        lines[0],
        *_criteria(HIGH),
        "--rationale",
        "銃身の固有設計",
        "--as",
        "examiner",
    )
    assert (scored["weighted_score"], scored["policy_version"], scored["document_id"]) == (
        95.0,
        "2022.1",
        int(lines[0]),
    )
    early = cli("exam", "determine", case, "--as", "examiner")
    assert early.exit_code == 2
    assert f"document {lines[1]} (治具図): 0 of 1 examiners' scores" in early.stderr
    second = ["exam", "score", case, lines[1], "--as", "examiner", "--rationale"]
    assert cli(*second, "x", *_criteria({**LOW, "age": 9})).exit_code == 2
    assert cli(*second, "x", "--criterion", "age").exit_code == 2
    unpackaged = cli(*second, "x", *_criteria(LOW), "--package")
    assert (unpackaged.exit_code, "names no component" in unpackaged.stderr) == (2, True)
    assert cli(*second, "汎用治具", *_criteria(LOW)).exit_code == 0

    determined = _json(cli, "exam", "determine", case, "--as", "examiner")
    assert (determined["determination"], determined["rule"], determined["policy_version"]) == (
        "protection_required",
        "score_threshold",
        "2022.1",
    )
    shown = _json(cli, "exam", "show", case, "--as", "auditor")
    assert shown["determination"]["determination"] == "protection_required"
    assert [d["mean_score"] for d in shown["documents"]] == [95.0, 18.75]

    assert _json(cli, "purchase", "valuation", case, "--as", "negotiator")["recorded"] is False
    valued = _json(
        cli,
        "purchase",
        "valuation",
        case,
        "--development-cost",
        "80000000",
        "--development-year",
        str(today.year - 6),
        "--as",
        "negotiator",
    )
    # six years old: 40% residual of ¥80M
    assert (valued["suggested_low_yen"], valued["suggested_high_yen"], valued["ceiling_yen"]) == (
        25_600_000,
        32_000_000,
        80_000_000,
    )
    assert cli("purchase", "offer", case, "--amount", "20000000", "--as", "negotiator").exit_code == 0
    assert cli("purchase", "counter", case, "--amount", "45000000", "--as", "negotiator").exit_code == 0
    agreed = _json(cli, "purchase", "agree", case, "--amount", "30000000", "--as", "negotiator")
    assert (agreed["status"], agreed["amount_yen"]) == ("proposed", 30_000_000)

    unfunded = cli("purchase", "approve", case, "--as", "manager")
    assert unfunded.exit_code == 4
    assert f"no appropriation is set for FY{year}" in unfunded.stderr
    assert cli("budget", "set", "--fy", year, "--amount", "1000000000", "--as", "manager").exit_code == 0
    assert cli("purchase", "approve", case, "--as", "negotiator").exit_code == 3
    approved = _json(cli, "purchase", "approve", case, "--as", "manager")
    assert (approved["state"], approved["fiscal_year"], approved["amount_yen"]) == (
        "purchase_agreed",
        int(year),
        30_000_000,
    )

    budget = _json(cli, "budget", "show", "--fy", year, "--as", "auditor")
    assert {k: budget[k] for k in ("appropriation", "committed", "paid", "available")} == {
        "appropriation": 1_000_000_000,
        "committed": 30_000_000,
        "paid": 0,
        "available": 970_000_000,
    }
    assert [(line["case_id"], line["status"]) for line in budget["lines"]] == [(int(case), "committed")]
    tomorrow = (today + timedelta(days=1)).isoformat()
    future = cli("purchase", "pay", case, "--date", tomorrow, "--as", "manager")
    assert (future.exit_code, "lies in the future" in future.stderr) == (2, True)
    assert cli("purchase", "pay", case, "--date", today.isoformat(), "--as", "manager").exit_code == 0
    after = _json(cli, "budget", "show", "--fy", year, "--as", "auditor")
    wanted = ("paid", "carried_in", "carried_out", "lapsed", "closed", "available")
    assert {k: after[k] for k in wanted} == {
        "paid": 30_000_000,
        "carried_in": 0,
        "carried_out": 0,
        "lapsed": 0,
        "closed": False,
        "available": 970_000_000,
    }
    next_year = str(int(year) + 1)
    carried = cli(
        "budget", "carry-over", case, "--to-fy", next_year, "--reason", "納期遅延", "--as", "manager"
    )
    assert (carried.exit_code, "only a standing one is carried over" in carried.stderr) == (4, True)
    early = cli("budget", "close", "--fy", year, "--as", "manager")
    assert (early.exit_code, f"FY{year} runs until" in early.stderr) == (4, True)
    paid = cli("purchase", "cancel", case, "--reason", "誤り", "--as", "manager")
    assert (paid.exit_code, "a paid purchase cannot be cancelled" in paid.stderr) == (4, True)

    human = cli("budget", "show", "--fy", year, "--as", "auditor")
    assert "¥1,000,000,000 (10億円)" in human.stdout
    assert "¥970,000,000 (9億7,000万円)" in human.stdout
    history = _json(cli, "case", "show", case, "--as", "auditor")["history"]
    assert [(h["transition"], h["actor"]) for h in history][3:] == [
        ("determine_protection_required", "examiner"),
        ("open_negotiation", "negotiator"),
        ("approve_purchase", "manager"),
    ]
