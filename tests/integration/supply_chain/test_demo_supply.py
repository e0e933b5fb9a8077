"""`shokei demo generate` and the supply map the demo seed wires to its companies and cases."""

from __future__ import annotations

from shokei.accounts import services as accounts
from shokei.cases import services as cases
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain import services
from shokei.supply_chain.generator import generate_national_base
from shokei.supply_chain.synthetic import synthetic_corporate_numbers
from tests import factories
from tests.conftest import Cli


def test_demo_generate_stores_the_generated_base_exactly(uow: UnitOfWork, cli: Cli) -> None:
    assert cli("init").exit_code == 0
    factories.user(uow, Role.AUDITOR, name="auditor")
    size = ["--companies", "300", "--components", "3000", "--systems", "12", "--seed", "5"]

    generated = cli("demo", "generate", *size, "--json").json()
    again = cli("demo", "generate", *size, "--json").json()
    ranked = cli("spof", "--top", "5", "--as", "auditor", "--json").json()

    base = generate_national_base(300, 3000, 12, 5)
    expected = base.build_graph().single_points_of_failure(5)
    numbers = synthetic_corporate_numbers(300)
    assert generated["components"]["created"] == 3000  # type: ignore[index]
    assert generated["supply"]["created"] == base.edges.supply_company.size  # type: ignore[index]
    assert again["revision"] == 2  # type: ignore[index]
    assert again["supply"]["unchanged"] == base.edges.supply_company.size  # type: ignore[index]
    assert again["structural"] is False  # type: ignore[index]
    # The map read back from the database ranks the same companies with the same scores.
    assert [(e["corporate_number"], e["criticality"]) for e in ranked] == [  # type: ignore[union-attr]
        (numbers[entry.company], entry.score) for entry in expected
    ]


def test_the_demo_seed_makes_every_case_company_matter_to_a_weapon_system(uow: UnitOfWork, cli: Cli) -> None:
    assert cli("init").exit_code == 0
    assert cli("demo", "seed", "--json").exit_code == 0
    auditor = accounts.actor_for_username(uow, "auditor")

    numbers = {case.company_corporate_number for case in cases.list_cases(uow, auditor)}
    impacts = {number: services.exit_impact(uow, auditor, [number]) for number in numbers}

    assert len(numbers) >= 10
    assert all(impact.systems_hit >= 1 for impact in impacts.values())
    assert all(impact.companies[0].registered for impact in impacts.values())
