"""The hand-built map (see conftest) through `shokei supply import`, `shokei impact` and
`shokei spof`, as the interface contract says: the answers worked out on paper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from shokei.audit.models import AuditEntry
from shokei.companies.domain import CorporateNumber
from shokei.errors import Forbidden
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain import services
from shokei.supply_chain.models import BomLine, Component, SupplyChainState
from tests import factories
from tests.conftest import Cli
from tests.integration.supply_chain.conftest import HandBuiltMap, import_files


def _imported(cli: Cli, built: HandBuiltMap) -> None:
    imported = cli("supply", "import", *map(str, built.files()), "--as", "intake", "--json").json()
    assert imported["revision"] == 1  # type: ignore[index]
    assert imported["supply"] == {"created": 11, "updated": 0, "removed": 0, "unchanged": 0}  # type: ignore[index]


def _impact(cli: Cli, built: HandBuiltMap, *letters: str, limit: int = 100) -> dict[str, Any]:
    numbers = [built.numbers[letter] for letter in letters]
    answer = cli("impact", *numbers, "--limit", str(limit), "--as", "auditor", "--json").json()
    assert isinstance(answer, dict)
    return answer


def _systems(answer: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {system["id"]: (system["lost_components"], system["depth"]) for system in answer["systems"]}


def test_a_second_qualified_source_saves_the_component_and_an_unqualified_one_does_not(
    cli: Cli, hand_built: HandBuiltMap
) -> None:
    _imported(cli, hand_built)

    alone = _impact(cli, hand_built, "E")
    together = _impact(cli, hand_built, "E", "F")

    assert (alone["lost_components"], alone["systems"], alone["criticality"]) == (0, [], 0)
    assert together["components"] == ["P-BARREL", "P-DECK", "P-GUN"]
    assert together["single_source_components"] == ["P-BARREL"]
    assert _systems(together) == {"DD-1": (3, 3)}
    assert together["systems"][0]["name"] == "護衛艦"
    assert together["systems"][0]["lost_top_components"] == ["P-DECK"]
    # G's P-GUN rows are unqualified: G leaving loses nothing, and G does not save P-GUN from H.
    assert _impact(cli, hand_built, "G")["lost_components"] == 0
    assert _systems(_impact(cli, hand_built, "H")) == {"DD-1": (2, 2)}


def test_loss_propagates_up_several_levels_into_every_system_sharing_the_part(
    cli: Cli, hand_built: HandBuiltMap
) -> None:
    _imported(cli, hand_built)

    deep = _impact(cli, hand_built, "D")
    shared = _impact(cli, hand_built, "B")
    capped = _impact(cli, hand_built, "D", limit=2)

    assert deep["components"] == ["P-AIR", "P-ANT", "P-CHIP", "P-HULL", "P-RADAR"]
    assert _systems(deep) == {"XF-9": (4, 4), "SS-7": (4, 4)}
    assert (deep["criticality"], deep["systems_hit"], deep["deepest_origin_level"]) == (248, 2, 4)
    assert deep["companies"] == [
        {
            "corporate_number": hand_built.numbers["D"],
            "name": None,
            "registered": False,
            "qualified_components": 1,
        }
    ]
    # B shares P-RADAR with C, but P-RADAR still needs B's P-ANT.
    assert shared["single_source_components"] == ["P-ANT"]
    assert shared["lost_components"] == 4
    assert _systems(shared) == {"XF-9": (3, 3), "SS-7": (3, 3)}
    assert shared["criticality"] == 236
    assert (capped["lost_components"], capped["components"], capped["limit"]) == (5, ["P-AIR", "P-ANT"], 2)


def test_spof_ranks_the_companies_by_criticality(cli: Cli, hand_built: HandBuiltMap) -> None:
    _imported(cli, hand_built)

    ranked = cli("spof", "--top", "10", "--as", "auditor", "--json").json()
    top_two = cli("spof", "--top", "2", "--as", "auditor", "--json").json()

    assert isinstance(ranked, list)
    numbers = {number: letter for letter, number in hand_built.numbers.items()}
    assert [(numbers[e["corporate_number"]], e["criticality"]) for e in ranked] == [
        ("A", 313),
        ("D", 248),
        ("B", 236),
        ("H", 122),
    ]
    assert ranked[0]["name"] == hand_built.registered.name
    assert ranked[0]["sole_sourced_components"] == 3
    assert ranked[0]["rank"] == 1
    assert top_two == ranked[:2]


def test_a_cycle_is_refused_naming_it_and_nothing_is_imported(
    uow: UnitOfWork, cli: Cli, hand_built: HandBuiltMap
) -> None:
    _imported(cli, hand_built)
    before = _counts(uow)
    parts = hand_built.write("more_components.csv", "part_number,name\nP-NEW,新部品\n")
    cycle = hand_built.write(
        "cycle.csv", "parent_part_number,child_part_number\nP-NEW,P-CHIP\nP-CHIP,P-RADAR\n"
    )

    refused = cli("supply", "import", str(parts), str(cycle), "--as", "intake")

    assert refused.exit_code == 2
    assert "P-RADAR → P-ANT → P-CHIP → P-RADAR" in refused.stderr.replace("\n", "")
    assert "nothing was imported" in refused.stderr.replace("\n", " ")
    assert _counts(uow) == before
    assert _impact(cli, hand_built, "D")["lost_components"] == 5


def _counts(uow: UnitOfWork) -> tuple[int, int, int, int]:
    with uow.transaction() as session:
        return (
            session.execute(select(func.count()).select_from(Component)).scalar_one(),
            session.execute(select(func.count()).select_from(BomLine)).scalar_one(),
            session.execute(select(SupplyChainState.revision)).scalar_one(),
            session.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
        )


def test_bad_files_are_refused_with_where_and_why(cli: Cli, hand_built: HandBuiltMap) -> None:
    bad_tier = hand_built.write("tiers.csv", "corporate_number,part_number,tier\n{B},P-ANT,1\n{C},P-ANT,x\n")
    unknown = hand_built.write("unknown.csv", "corporate_number,part_number\n{B},P-NOPE\n")

    tier_refused = cli("supply", "import", str(bad_tier), "--as", "intake")
    unknown_refused = cli("supply", "import", str(unknown), "--as", "intake")

    assert tier_refused.exit_code == 2
    assert "tiers.csv line 3: tier 'x' is not a whole number" in tier_refused.stderr.replace("\n", "")
    assert unknown_refused.exit_code == 2
    assert "unknown.csv line 2: 'P-NOPE'" in unknown_refused.stderr.replace("\n", "")


def test_who_may_read_and_who_may_import(uow: UnitOfWork, cli: Cli, hand_built: HandBuiltMap) -> None:
    # Admins manage the data (import) but, like suppliers and successors, do not read the map.
    _imported(cli, hand_built)
    number = hand_built.numbers["D"]
    supply = hand_built.files()[-1]
    # The rule is the service's, whatever the adapter: every role through the service...
    readers = {role for role in Role if _may(lambda actor: services.exit_impact(uow, actor, [number]), role)}
    importers = {role for role in Role if _may(lambda actor: import_files(uow, actor, supply), role)}

    # ...and the CLI's translation of a refusal.
    refused_read = cli("impact", number, "--as", "admin")
    refused_import = cli("supply", "import", str(supply), "--as", "auditor")

    assert readers == {
        Role.INTAKE_OFFICER,
        Role.EXAMINER,
        Role.NEGOTIATOR,
        Role.PROGRAM_MANAGER,
        Role.AUDITOR,
    }
    assert importers == {Role.INTAKE_OFFICER, Role.PROGRAM_MANAGER, Role.ADMIN}
    assert (refused_read.exit_code, refused_import.exit_code) == (3, 3)
    assert "System administrator may not supply_chain:map:read" in refused_read.stderr
    assert "Auditor may not supply_chain:map:import" in refused_import.stderr


def _may(use_case: Callable[[Actor], object], role: Role) -> bool:
    try:
        use_case(Actor(user_id=0, username=f"any-{role}", role=role))
    except Forbidden:
        return False
    return True


def test_an_unknown_company_is_not_found_rather_than_harmless(
    uow: UnitOfWork, cli: Cli, hand_built: HandBuiltMap
) -> None:
    _imported(cli, hand_built)
    registered_idle = factories.company(uow, "承継重工業株式会社").corporate_number or ""
    nobody = CorporateNumber.from_base("999999999991").value
    mistyped = str(10 - int(nobody[0])) + nobody[1:]

    unknown = cli("impact", nobody, "--as", "auditor")
    idle = _impact_of(cli, registered_idle)
    typo = cli("impact", mistyped, "--as", "auditor")

    assert unknown.exit_code == 3
    assert f"no company with corporate number {nobody}" in unknown.stderr
    assert (idle["lost_components"], idle["companies"][0]["registered"]) == (0, True)
    assert typo.exit_code == 2
    assert "check digit" in typo.stderr


def _impact_of(cli: Cli, number: str) -> dict[str, Any]:
    answer = cli("impact", number, "--as", "auditor", "--json").json()
    assert isinstance(answer, dict)
    return answer
