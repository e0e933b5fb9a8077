"""The risk interface contract through the `shokei` command."""

from __future__ import annotations

from shokei.companies.domain import CorporateNumber
from tests.conftest import Cli

SME = CorporateNumber.from_base("501010101010").value
LARGE = CorporateNumber.from_base("501010101011").value


def test_record_facts_then_read_the_watchlist(cli: Cli) -> None:
    assert cli("init").exit_code == 0
    cli(
        "company",
        "add",
        "--corporate-number",
        SME,
        "--name",
        "湘南ばね製作所株式会社",
        "--capital-yen",
        "30000000",
        "--employees",
        "15",
        "--as",
        "admin",
    )
    cli(
        "company",
        "add",
        "--corporate-number",
        LARGE,
        "--name",
        "播磨重工業株式会社",
        "--capital-yen",
        "90000000000",
        "--employees",
        "9000",
        "--as",
        "admin",
    )
    for name, role in [("intake", "intake_officer"), ("examiner", "examiner")]:
        assert cli("user", "add", name, "--role", role, "--as", "admin").exit_code == 0
    event = cli(
        "risk",
        "event",
        SME,
        "--kind",
        "restructuring_announced",
        "--date",
        "2026-04-01",
        "--note",
        "工場集約",
        "--as",
        "intake",
        "--json",
    ).json()
    assert isinstance(event, dict)
    assert (event["kind"], event["occurred_on"]) == ("restructuring_announced", "2026-04-01")
    financials = cli(
        "risk",
        "financials",
        SME,
        "--year",
        "2025",
        "--operating-profit",
        "-12000000",
        "--equity-ratio",
        "-3.5",
        "--as",
        "intake",
        "--json",
    ).json()
    assert isinstance(financials, dict)
    assert financials["equity_ratio_percent"] == -3.5

    entries = cli("risk", "watchlist", "--top", "1", "--as", "examiner", "--json").json()
    assert isinstance(entries, list)
    (top,) = entries
    assert {"corporate_number", "score", "factors", "recommendation"} <= set(top)
    # Small-scale, negative equity and restructuring; no supply-chain data, so not critical:
    # outreach, not a succession case, however high the score.
    assert (top["corporate_number"], top["recommendation"]) == (SME, "early_outreach")
    assert {factor["name"] for factor in top["factors"]} == {"sme", "financial_distress", "restructuring"}
    assert all({"name", "contribution", "evidence"} == set(f) for f in top["factors"])
    assert top["score"] == sum(factor["contribution"] for factor in top["factors"])

    shown = cli("risk", "show", LARGE, "--as", "examiner", "--json").json()
    assert isinstance(shown, dict)
    assert (shown["rank"], shown["score"], shown["factors"]) == (0, 0, [])  # scored alone: not ranked
    assert (
        cli(
            "risk", "event", SME, "--kind", "credit_event", "--date", "2026-01-01", "--as", "examiner"
        ).exit_code
        == 3
    )
    assert cli("risk", "watchlist", "--record", "--as", "examiner").exit_code == 3
