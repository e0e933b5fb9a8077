"""Risk use cases: the watchlist, every registry company scored and ranked, and one company scored alone.

Each company's facts are gathered from the features that own them (the registry's SME status,
ownership's foreign control, the open exit cases, supply-chain criticality through the
`CriticalitySource` port) and from this feature's own tables, then `risk.domain` scores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.cases import services as cases
from shokei.cases.domain import CaseState
from shokei.companies import services as companies
from shokei.companies.schemas import CompanyView
from shokei.errors import N_, BadInput, NotFound, Text
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from shokei.ownership.schemas import ChainView, CompanyForeignExposure
from shokei.risk.criticality import CriticalitySource, SupplyChainCriticality
from shokei.risk.domain import (
    Assessment,
    CaseFact,
    CompanyFacts,
    EventFact,
    EventKind,
    FinancialFacts,
    ForeignFacts,
    assess,
    ranked,
)
from shokei.risk.models import CompanyEvent, FinancialYear
from shokei.risk.policy import RiskPolicy
from shokei.risk.schemas import (
    WatchlistEntry,
)
from shokei.risk.services.runs import _entry, _last_run, _record_run
from shokei.risk.services.support import _company, _require, load_policy

# Exit cases that are over: the company has left and its documents are dealt with.
_FINISHED_CASES = frozenset({CaseState.CLOSED, CaseState.CLOSED_RELEASED})


def watchlist(
    uow: UnitOfWork,
    actor: Actor,
    *,
    top: int | None = None,
    record: bool = False,
    criticality: CriticalitySource | None = None,
    policy: RiskPolicy | None = None,
) -> list[WatchlistEntry]:
    """Every Japanese registry company scored and ranked, highest risk first, with reasons.

    `record` keeps the run (scores and contributions) so later runs show what changed.
    Officials and auditors read it; recording a run also needs an office that records facts
    (intake officers, program managers). Recording is audited.
    """
    _require(actor, Permission.RISK_READ)
    if record:
        _require(actor, Permission.RISK_WRITE)
    if top is not None and top < 1:
        raise BadInput(Text(N_("--top must be at least 1")))
    rules = policy or load_policy()
    today = uow.clock.today()
    registry = [c for c in companies.list_companies(uow, actor, limit=10**9) if c.corporate_number]
    facts = _gather(uow, actor, registry, rules, criticality or SupplyChainCriticality())
    order = ranked(assess(company_facts, rules, today) for company_facts in facts)
    ids = {company.corporate_number or "": company.id for company in registry}
    with uow.transaction() as session:
        previous = _last_run(session)
        entries = [
            _entry(rank, assessment, rules, previous.get(ids[assessment.corporate_number]))
            for rank, assessment in enumerate(order, start=1)
        ]
        if record:
            _record_run(session, uow, actor, rules, order=order, ids=ids)
    return entries if top is None else entries[:top]


def company_risk(
    uow: UnitOfWork, actor: Actor, corporate_number: str, *, criticality: CriticalitySource | None = None
) -> WatchlistEntry:
    """One company scored alone, as the watchlist scores it: its own facts, its foreign control
    through the ownership above it, its criticality. Not ranked (`rank` 0: the national rank
    needs every company scored, which `watchlist` does). Officials and auditors."""
    _require(actor, Permission.RISK_READ)
    rules = load_policy()
    with uow.transaction() as session:
        company = _company(uow, corporate_number)
    if not company.corporate_number:
        raise NotFound(
            Text(
                N_("company %(corporate_number)s is not scored (no corporate number)"),
                {"corporate_number": corporate_number},
            )
        )
    (facts,) = _gather(uow, actor, [company], rules, criticality or SupplyChainCriticality(), single=True)
    assessment = assess(facts, rules, uow.clock.today())
    with uow.transaction() as session:
        previous = _last_run(session, company.id)
    return _entry(0, assessment, rules, previous.get(company.id))


def _gather(
    uow: UnitOfWork,
    actor: Actor,
    registry: Sequence[CompanyView],
    policy: RiskPolicy,
    source: CriticalitySource,
    *,
    single: bool = False,
) -> list[CompanyFacts]:
    """The facts of the `registry` companies: every company's at once, or (`single`) the one
    company's, read for it alone, the same facts either way."""
    today = uow.clock.today()
    since = today - timedelta(days=policy.acquisition_window_days)
    # Below the lowest band foreign control adds no points, so it needs no chain as evidence.
    chains_from = min(level for level, _ in policy.foreign_control_bands)
    if single:
        (company,) = registry
        alone = ownership.company_foreign_exposure(
            uow, actor, company.corporate_number or "", acquisitions_since=since, chains_from=chains_from
        )
        exposure = {company.id: alone} if alone is not None else {}
    else:
        exposure = ownership.foreign_exposure(uow, actor, acquisitions_since=since, chains_from=chains_from)
    numbers = [company.corporate_number or "" for company in registry]
    open_cases = _open_cases(uow, actor)
    critical = source.criticality(uow, actor, numbers)
    window = max(policy.event_window_days, policy.acquisition_window_days, policy.survey_window_days)
    only = [company.id for company in registry] if single else None
    with uow.transaction() as session:
        financials = _financials(session, only)
        events = _events(session, today - timedelta(days=window), only)
    return [
        CompanyFacts(
            corporate_number=company.corporate_number or "",
            name=company.name,
            sme=company.sme,
            small_scale=company.small_scale,
            sme_reason=company.sme_reason,
            financials=financials.get(company.id, ()),
            events=events.get(company.id, ()),
            foreign=_foreign_facts(exposure.get(company.id)),
            criticality=critical.get(company.corporate_number or ""),
            open_cases=open_cases.get(company.corporate_number or "", ()),
        )
        for company in registry
    ]


def _open_cases(uow: UnitOfWork, actor: Actor) -> dict[str, tuple[CaseFact, ...]]:
    found: dict[str, list[CaseFact]] = {}
    for case in cases.list_cases(uow, actor):
        if CaseState(case.state) not in _FINISHED_CASES and case.company_corporate_number:
            found.setdefault(case.company_corporate_number, []).append(
                CaseFact(case.id, case.state, case.planned_exit_date)
            )
    return {number: tuple(sorted(items, key=lambda item: item.case_id)) for number, items in found.items()}


def _financials(session: Session, only: Sequence[int] | None = None) -> dict[int, tuple[FinancialFacts, ...]]:
    found: dict[int, list[FinancialFacts]] = {}
    year = FinancialYear
    query = select(
        year.company_id,
        year.fiscal_year,
        year.revenue_yen,
        year.operating_profit_yen,
        year.net_income_yen,
        year.equity_ratio_percent,
    ).order_by(year.fiscal_year)
    if only is not None:
        query = query.where(year.company_id.in_(only))
    rows = session.execute(query)
    for company_id, fiscal_year, revenue, profit, income, equity in rows:  # plain rows: all years
        found.setdefault(company_id, []).append(FinancialFacts(fiscal_year, revenue, profit, income, equity))
    return {company: tuple(years) for company, years in found.items()}


def _events(
    session: Session, since: date, only: Sequence[int] | None = None
) -> dict[int, tuple[EventFact, ...]]:
    found: dict[int, list[EventFact]] = {}
    query = (
        select(CompanyEvent)
        .where(CompanyEvent.occurred_on >= since)
        .order_by(CompanyEvent.occurred_on, CompanyEvent.id)
    )
    if only is not None:
        query = query.where(CompanyEvent.company_id.in_(only))
    for row in session.scalars(query):
        found.setdefault(row.company_id, []).append(EventFact(EventKind(row.kind), row.occurred_on, row.note))
    return {company: tuple(events) for company, events in found.items()}


def _foreign_facts(exposure: CompanyForeignExposure | None) -> ForeignFacts | None:
    if exposure is None:
        return None
    return ForeignFacts(
        direct=exposure.direct_foreign,
        integrated=exposure.integrated_foreign,
        attributed=exposure.attributed_foreign,
        control=exposure.foreign_control,
        chain=_chain_text(exposure.chain),
        acquisitions=tuple(
            (
                item.effective_date,
                f"{item.owner.name} ({item.owner.country or '?'}) {item.before or '0'} % -> {item.after} %",
            )
            for item in exposure.acquisitions
        ),
    )


def _chain_text(chain: ChainView | None) -> str | None:
    if chain is None:
        return None
    return " -> ".join(
        f"{step.name} ({step.country or '?'})"
        + (f" [{step.holds * 100:.4g} %]" if step.holds is not None else "")
        for step in chain.path
    )


def scored(
    uow: UnitOfWork, actor: Actor, registry: Sequence[CompanyView]
) -> list[tuple[CompanyFacts, Assessment]]:
    """These registry companies' facts, scored as the watchlist scores them (national figures,
    such as foreign control through the whole ownership graph, computed once). Officials and
    auditors."""
    _require(actor, Permission.RISK_READ)
    rules = load_policy()
    numbered = [company for company in registry if company.corporate_number]
    if not numbered:
        return []
    facts = _gather(uow, actor, numbered, rules, SupplyChainCriticality())
    return [(company_facts, assess(company_facts, rules, uow.clock.today())) for company_facts in facts]
