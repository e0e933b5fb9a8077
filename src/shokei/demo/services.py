"""Synthetic demo data: fictional companies, one user per role, and cases in every state.

Everything goes through the real use cases (and so through the audit ledger), acting as the users
a real office would have. Seeded, so two runs produce the same companies and cases.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from shokei.accounts import services as accounts
from shokei.bootstrap import ADMIN_USERNAME, Shokei
from shokei.cases import services as cases
from shokei.cases.domain import CaseState, TransitionName
from shokei.companies import services as companies
from shokei.companies.domain import CorporateNumber
from shokei.companies.schemas import CompanyInput, CompanyUpdate, CompanyView
from shokei.demo.ownership import seed_ownership
from shokei.errors import N_, BadInput, Conflict, Text
from shokei.kernel import Actor, Role
from shokei.purchase import services as purchase
from shokei.risk import services as risk
from shokei.succession import services as succession
from shokei.supply_chain import services as supply_chain
from shokei.supply_chain.generator import generate_national_base
from shokei.supply_chain.schemas import ImportReport
from shokei.supply_chain.synthetic import NaturalKeys, default_keys, synthetic_batch

_PLACES = [
    "東邦",
    "北斗",
    "大和",
    "三河",
    "相模",
    "筑波",
    "瀬戸内",
    "信州",
    "富士",
    "北陸",
    "湘南",
    "播磨",
    "越後",
    "常磐",
    "房総",
    "阿蘇",
    "日向",
    "出雲",
    "若狭",
    "伊那",
    "那須",
    "石狩",
    "紀州",
    "浜松",
]
_TRADES = [
    "精機",
    "電子",
    "工業",
    "製作所",
    "光学",
    "化成",
    "金属工業",
    "航空部品",
    "通信機",
    "鋳造",
    "特殊鋼",
    "電装",
    "計器",
    "樹脂工業",
    "熱処理",
    "ばね製作所",
    "歯車",
    "センサー",
]
_CAPABILITIES = [
    "machining",
    "castings",
    "rf_antenna",
    "optics",
    "composites",
    "electronics",
    "heat_treatment",
    "propulsion",
    "sonar",
    "small_arms",
    "radar",
    "software",
]
_FOREIGN = [
    ("CN", "91110000MA01", "华晨精密机械有限公司", "Huachen Precision Machinery Co., Ltd."),
    ("CN", "91310000MA1K", "上海远洋通信设备有限公司", "Shanghai Ocean Communication Equipment"),
    ("US", "DE-5512873", "Pacific Components Holdings Inc.", "Pacific Components Holdings Inc."),
    ("SG", "201912345K", "Straits Industrial Capital Pte. Ltd.", "Straits Industrial Capital"),
]

DEMO_USERS = [
    ("intake", Role.INTAKE_OFFICER),
    ("examiner", Role.EXAMINER),
    ("examiner2", Role.EXAMINER),
    ("negotiator", Role.NEGOTIATOR),
    ("manager", Role.PROGRAM_MANAGER),
    ("auditor", Role.AUDITOR),
]

# The path each demo case travels; a case stops at the state it is meant to show.
_MAIN_PATH = [
    TransitionName.SUBMIT,
    TransitionName.START_EXAMINATION,
    TransitionName.DETERMINE_PROTECTION_REQUIRED,
    TransitionName.OPEN_NEGOTIATION,
    TransitionName.APPROVE_PURCHASE,
    TransitionName.START_SUCCESSOR_SELECTION,
    TransitionName.SELECT_SUCCESSOR,
    TransitionName.HAND_OVER,
    TransitionName.CLOSE,
]
_RELEASE_PATH = [
    TransitionName.SUBMIT,
    TransitionName.START_EXAMINATION,
    TransitionName.DETERMINE_NOT_SIGNIFICANT,
    TransitionName.RELEASE,
]
_FAILED_PATH = [
    TransitionName.SUBMIT,
    TransitionName.START_EXAMINATION,
    TransitionName.DETERMINE_PROTECTION_REQUIRED,
    TransitionName.OPEN_NEGOTIATION,
    TransitionName.FAIL_NEGOTIATION,
    TransitionName.ESCALATE,
]

DEMO_CASES: list[tuple[list[TransitionName], int]] = [
    (_MAIN_PATH, 0),
    (_MAIN_PATH, 0),
    (_MAIN_PATH, 1),
    (_MAIN_PATH, 2),
    (_MAIN_PATH, 3),
    (_MAIN_PATH, 4),
    (_MAIN_PATH, 5),
    (_MAIN_PATH, 7),
    (_MAIN_PATH, 8),
    (_MAIN_PATH, 9),
    (_RELEASE_PATH, 3),
    (_RELEASE_PATH, 4),
    (_FAILED_PATH, 5),
    (_FAILED_PATH, 6),
]


@dataclass
class DemoReport:
    logins: dict[str, tuple[str, str]] = field(default_factory=dict)  # user -> (role, password)
    otpauth: dict[str, str] = field(default_factory=dict)  # ministry user -> its TOTP otpauth URI
    companies: int = 0
    cases: dict[int, str] = field(default_factory=dict)


def _company_inputs(rng: random.Random, count: int) -> list[CompanyInput]:
    inputs, used = [], set()
    for n in range(count):
        base = f"{rng.randrange(10**11, 10**12):012d}"
        while base in used:
            base = f"{rng.randrange(10**11, 10**12):012d}"
        used.add(base)
        tier = "prime" if n < 8 else "tier2" if n < 60 else "tier3"
        capital = {
            "prime": rng.randrange(10, 300) * 1_000_000_000,
            "tier2": rng.randrange(100, 2000) * 1_000_000,
            "tier3": rng.randrange(3, 300) * 1_000_000,
        }[tier]
        employees = {
            "prime": rng.randrange(3000, 40000),
            "tier2": rng.randrange(150, 1500),
            "tier3": rng.randrange(4, 300),
        }[tier]
        trade = "重工業" if tier == "prime" else rng.choice(_TRADES)
        name = f"{'株式会社' if n % 3 else ''}{rng.choice(_PLACES)}{trade}{'' if n % 3 else '株式会社'}"
        inputs.append(
            CompanyInput(
                corporate_number=CorporateNumber.from_base(base).value,
                name=name,
                industry="manufacturing",
                capital_yen=capital,
                employees=employees,
                security_compliant_until=date(2027, 3, 31) if rng.random() < 0.8 else date(2025, 3, 31),
                capabilities=rng.sample(_CAPABILITIES, k=rng.randrange(1, 4)),
            )
        )
    return inputs


def _make_users(
    shokei: Shokei, admin: Actor, companies_of: dict[str, str], report: DemoReport
) -> dict[Role | str, Actor]:
    """The officials, and the company users: the first case's supplier, the successor, and a
    subcontractor's user (a company that receives copies from the successor)."""
    wanted: list[tuple[str, Role, str | None]] = [(n, r, None) for n, r in DEMO_USERS]
    wanted += [
        ("supplier", Role.SUPPLIER, companies_of["supplier"]),
        ("successor", Role.SUCCESSOR, companies_of["successor"]),
        ("subcontractor", Role.SUCCESSOR, companies_of["subcontractor"]),
    ]
    actors: dict[Role | str, Actor] = {}
    for name, role, company in wanted:
        # Demo logins are for trying the system: they keep their password (a real admin's new
        # user replaces it at the first login), and the ministry's get their second factor here,
        # kept beside the password (`shokei run` writes both to the owner-only demo-logins.txt).
        credential = accounts.add_user(
            shokei.uow, admin, name, role.value, company=company, must_change_password=False
        )
        report.logins[name] = (role.value, credential.secret)
        if company is None:
            report.otpauth[name] = accounts.enroll_mfa(shokei.uow, admin, name, shokei.sealer)
        if not accounts.actor_for_username(shokei.uow, name).content_approved:
            # The demo's second person is the operator seeding it (the two-person rule).
            accounts.approve_user(shokei.uow, None, name)
        actors[name] = accounts.actor_for_username(shokei.uow, name)
    return actors


def _assign_officials(shokei: Shokei, users: dict[Role | str, Actor], case_id: int) -> None:
    """The demo's program manager assigns every demo official and the auditor to the case (the
    intake officer who opened it already is): only assigned officials see a case."""
    manager = users["manager"]
    already = set(cases.assigned_names(shokei.uow, case_id))
    for name, _role in DEMO_USERS:
        if name not in already:
            cases.assign_official(shokei.uow, manager, case_id, name)


def _drive(
    shokei: Shokei,
    users: dict[Role | str, Actor],
    case_id: int,
    steps: list[TransitionName],
    successor: CompanyView,
) -> None:
    by_role = {
        Role.SUPPLIER: users["supplier"],
        Role.INTAKE_OFFICER: users["intake"],
        Role.EXAMINER: users["examiner"],
        Role.NEGOTIATOR: users["negotiator"],
        Role.PROGRAM_MANAGER: users["manager"],
    }
    uow = shokei.uow
    for step in steps:
        if step is TransitionName.START_EXAMINATION:
            cases.transition_case(uow, by_role[Role.INTAKE_OFFICER], case_id, step)
            for line in cases.get_case(uow, by_role[Role.EXAMINER], case_id).inventory:
                cases.examine_document(
                    uow,
                    by_role[Role.EXAMINER],
                    case_id,
                    line.id,
                    note="図面一式を確認。防衛装備品固有の設計情報を含む。",
                )
            continue
        if step is TransitionName.CLOSE:
            # A handed-over case closes once its purchase is paid and the supplier's certificate
            # of destruction is recorded.
            purchase.pay_purchase(uow, by_role[Role.PROGRAM_MANAGER], case_id, paid_on=uow.clock.today())
            succession.record_destruction_certificate(
                uow, by_role[Role.PROGRAM_MANAGER], case_id, reference="デモ廃棄証明 第1号"
            )
            continue
        if step is TransitionName.APPROVE_PURCHASE:
            purchase.agree_purchase(uow, by_role[Role.NEGOTIATOR], case_id, amount_yen=48_500_000)
        if step is TransitionName.HAND_OVER:
            # The demo's drawings are on paper (no stored documents): once the successor has
            # accepted the terms, the hand-over is recorded rather than released as copies.
            succession.accept_terms(uow, users["successor"], case_id)
        actor = by_role[Role.PROGRAM_MANAGER]
        if step in (TransitionName.SUBMIT,):
            actor = by_role[Role.INTAKE_OFFICER]
        elif step in (TransitionName.DETERMINE_PROTECTION_REQUIRED, TransitionName.DETERMINE_NOT_SIGNIFICANT):
            actor = by_role[Role.EXAMINER]
        elif step in (TransitionName.OPEN_NEGOTIATION, TransitionName.FAIL_NEGOTIATION):
            actor = by_role[Role.NEGOTIATOR]
        cases.transition_case(
            uow,
            actor,
            case_id,
            step,
            reason="デモデータ: 所定の手続による",
            successor=successor.corporate_number,
        )


def seed_demo(shokei: Shokei, *, companies_count: int = 200, seed: int = 2022) -> DemoReport:
    """Load the demo data set into an initialised, empty database."""
    uow, rng, report = shokei.uow, random.Random(seed), DemoReport()
    admin = accounts.actor_for_username(uow, ADMIN_USERNAME)
    if companies.list_companies(uow, admin, limit=1):
        raise Conflict(Text(N_("the database already holds companies; demo data goes into an empty one")))
    created = [companies.register_company(uow, admin, data) for data in _company_inputs(rng, companies_count)]
    for country, registry_id, name, name_en in _FOREIGN:
        companies.register_company(
            uow,
            admin,
            CompanyInput(
                foreign_country=country, foreign_registry_id=registry_id, name=name, name_en=name_en
            ),
        )
    report.companies = len(created) + len(_FOREIGN)
    smes = [c for c in created if c.sme]
    successor = created[1]
    case_companies = {c.id for c in smes[: len(DEMO_CASES)]} | {successor.id}
    subcontractor = next(c for c in created if c.id not in case_companies)
    companies_of = {
        "supplier": smes[0].corporate_number or "",
        "successor": successor.corporate_number or "",
        "subcontractor": subcontractor.corporate_number or "",
    }
    users = _make_users(shokei, admin, companies_of, report)
    successor = _qualify_successor(shokei, admin, successor)
    purchase.seed_demo_budgets(uow, users["manager"])
    today = uow.clock.today()
    for number, (path, stop) in enumerate(DEMO_CASES):
        company = smes[number]
        opener = users["supplier"] if number == 0 else users["intake"]
        case = cases.open_case(
            uow,
            opener,
            company=company.corporate_number or "",
            reason=rng.choice(["business_difficulty", "factory_closure", "restructuring"]),
            planned_exit_date=today + timedelta(days=rng.randrange(-20, 200)),
        )
        for sheet in range(rng.randrange(2, 5)):
            cases.add_inventory_line(
                uow,
                opener,
                case.id,
                title=f"{company.name} 部品図 第{sheet + 1}葉",
                drawing_number=f"DWG-{case.id:03d}-{sheet + 1:02d}",
                revision="C",
            )
        _assign_officials(shokei, users, case.id)
        _drive(shokei, users, case.id, path[:stop], successor)
        report.cases[case.id] = cases.get_case(uow, users["auditor"], case.id).state
    _seed_supply_chain(shokei, admin, created, smes[: len(DEMO_CASES)], seed)
    seed_ownership(shokei)
    # One recorded risk run, so the dashboard's watchlist box has a dated top to show.
    risk.watchlist(uow, users["manager"], record=True)
    return report


def _qualify_successor(shokei: Shokei, admin: Actor, successor: CompanyView) -> CompanyView:
    """The demo successor holds every eligibility fact selection checks: cleared, sound, domestic,
    able to take every demo technology, with room for the demo's cases."""
    facts = CompanyUpdate(
        security_compliant_until=date(2028, 3, 31),
        capabilities=list(_CAPABILITIES),
        capacity=len(DEMO_CASES),
        financial_distress=False,
        foreign_share_percent=Decimal(0),
        foreign_share_country="JP",
    )
    return companies.update_company(shokei.uow, admin, successor.corporate_number or "", facts)


def demo_is_seeded(shokei: Shokei) -> bool:
    return accounts.user_exists(shokei.uow, "intake")


# -- supply chain ------------------------------------------------------------------------------

DEMO_SYSTEMS = [
    ("XF-3", "次期試作戦闘機"),
    ("SS-31", "潜水艦 31型"),
    ("DD-25", "護衛艦 25型"),
    ("AAM-9", "空対空誘導弾"),
    ("TRV-2", "装輪戦闘車両"),
    ("RDR-7", "警戒管制レーダー"),
]
DEMO_COMPONENTS = 600


def generate_supply_base(
    shokei: Shokei, *, companies: int, components: int, systems: int, seed: int
) -> ImportReport:
    """`shokei demo generate`: a synthetic national base (realistic shape, synthetic corporate
    numbers), imported by the admin through the same bulk path as a file import."""
    try:
        base = generate_national_base(companies, components, systems, seed)
    except ValueError as error:
        raise BadInput(str(error)) from None
    label = f"demo generate --companies {companies} --components {components} --systems {systems}"
    label += f" --seed {seed}"
    admin = accounts.actor_for_username(shokei.uow, ADMIN_USERNAME)
    batch = synthetic_batch(base, default_keys(base), label)
    return supply_chain.import_supply_batch(shokei.uow, admin, batch, source={"generator": label})


def _seed_supply_chain(
    shokei: Shokei, admin: Actor, created: list[CompanyView], case_companies: list[CompanyView], seed: int
) -> None:
    """A small map over the demo companies: the companies with open cases are the ones whose
    exit hurts most, so every case shows a real exit impact."""
    base = generate_national_base(len(created), DEMO_COMPONENTS, len(DEMO_SYSTEMS), seed)
    ranked = [entry.company for entry in base.build_graph().single_points_of_failure(len(created))]
    unranked = sorted(set(range(len(created))) - set(ranked))
    cased = {company.id for company in case_companies}
    demo_order = case_companies + [company for company in created if company.id not in cased]
    numbers = [""] * len(created)
    for synthetic_company, company in zip(ranked + unranked, demo_order, strict=True):
        numbers[synthetic_company] = company.corporate_number or ""
    keys = NaturalKeys(
        corporate_numbers=numbers,
        system_codes=[code for code, _ in DEMO_SYSTEMS],
        system_names=[name for _, name in DEMO_SYSTEMS],
        part_prefix="DM",
    )
    batch = synthetic_batch(base, keys, "demo seed")
    supply_chain.import_supply_batch(shokei.uow, admin, batch, source={"generator": "demo seed"})


__all__ = ["CaseState", "DemoReport", "demo_is_seeded", "generate_supply_base", "seed_demo"]
