"""Risk use cases: record financial indicators and company events, score every company, keep runs.

The watchlist gathers each company's facts from the features that own them (the registry's SME
status, ownership's foreign control, the open exit cases, supply-chain criticality through the
`CriticalitySource` port) and from this feature's own tables, then lets `risk.domain` score them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shokei.audit import services as audit
from shokei.cases import services as cases
from shokei.cases.domain import CaseState
from shokei.companies import services as companies
from shokei.companies.schemas import CompanyView
from shokei.errors import BadInput, Forbidden, NotFound
from shokei.kernel import Actor, AuditEvent, Permission
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
    RiskPolicy,
    assess,
    changes_since,
    parse_policy,
    ranked,
)
from shokei.risk.models import CompanyEvent, FinancialYear, RiskRun, RiskScore
from shokei.risk.schemas import (
    EventView,
    FactorView,
    FinancialsView,
    HistoryPoint,
    RecordedRunView,
    RecordedScore,
    WatchlistEntry,
)

POLICY_PATH = Path(__file__).with_name("policy.toml")
# Exit cases that are over: the company has left and its documents are dealt with.
_FINISHED_CASES = frozenset({CaseState.CLOSED, CaseState.CLOSED_RELEASED})


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise Forbidden(f"{actor.role} may not {permission}")


def load_policy(path: Path = POLICY_PATH) -> RiskPolicy:
    """The versioned risk policy (weights and parameters)."""
    try:
        return parse_policy(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BadInput(f"{path}: {error}") from None


def _company(session: Session, corporate_number: str) -> CompanyView:
    company_id = companies.company_id_for(session, corporate_number)
    return companies.views_by_id(session, [company_id])[company_id]


# -- facts -------------------------------------------------------------------------------------


def record_event(
    uow: UnitOfWork,
    actor: Actor,
    corporate_number: str,
    *,
    kind: str,
    occurred_on: date,
    note: str | None = None,
) -> EventView:
    """Record something that happened to a company (restructuring, credit event, survey left
    unanswered...). Intake officers, program managers and admins. Audited."""
    _require(actor, Permission.RISK_WRITE)
    try:
        event_kind = EventKind(kind)
    except ValueError:
        raise BadInput(f"kind {kind!r} is not one of: {', '.join(EventKind)}") from None
    if occurred_on > uow.clock.today():
        raise BadInput(f"{occurred_on} is in the future: record an event once it has happened")
    with uow.transaction() as session:
        company = _company(session, corporate_number)
        event = CompanyEvent(
            company_id=company.id,
            kind=event_kind.value,
            occurred_on=occurred_on,
            note=note,
            recorded_at=uow.clock.now(),
            recorded_by=actor.username,
        )
        session.add(event)
        session.flush()
        view = _event_view(event, company)
        audit.record(
            session,
            AuditEvent(
                "risk:event:record",
                "company",
                str(company.id),
                uow.clock.now(),
                actor,
                after=view.model_dump(mode="json"),
            ),
        )
        return view


def record_financials(
    uow: UnitOfWork,
    actor: Actor,
    corporate_number: str,
    *,
    fiscal_year: int,
    revenue_yen: int | None = None,
    operating_profit_yen: int | None = None,
    net_income_yen: int | None = None,
    equity_ratio_percent: float | None = None,
) -> FinancialsView:
    """Record (or correct) one fiscal year's indicators of a company.
    Intake officers, program managers and admins. Audited with the figures before and after."""
    _require(actor, Permission.RISK_WRITE)
    if not 1900 <= fiscal_year <= uow.clock.today().year + 1:
        raise BadInput(f"fiscal year {fiscal_year} is not plausible")
    with uow.transaction() as session:
        company = _company(session, corporate_number)
        row = session.scalars(
            select(FinancialYear).where(
                FinancialYear.company_id == company.id, FinancialYear.fiscal_year == fiscal_year
            )
        ).one_or_none()
        before = _financials_view(row, company).model_dump(mode="json") if row else None
        if row is None:
            row = FinancialYear(company_id=company.id, fiscal_year=fiscal_year)
            session.add(row)
        row.revenue_yen, row.operating_profit_yen = revenue_yen, operating_profit_yen
        row.net_income_yen, row.equity_ratio_percent = net_income_yen, equity_ratio_percent
        row.recorded_at, row.recorded_by = uow.clock.now(), actor.username
        session.flush()
        view = _financials_view(row, company)
        audit.record(
            session,
            AuditEvent(
                "risk:financials:record",
                "company",
                str(company.id),
                uow.clock.now(),
                actor,
                before=before,
                after=view.model_dump(mode="json"),
            ),
        )
        return view


def list_events(uow: UnitOfWork, actor: Actor, corporate_number: str) -> list[EventView]:
    """A company's recorded events, newest first. Officials and auditors."""
    _require(actor, Permission.RISK_READ)
    with uow.transaction() as session:
        company = _company(session, corporate_number)
        rows = session.scalars(
            select(CompanyEvent)
            .where(CompanyEvent.company_id == company.id)
            .order_by(CompanyEvent.occurred_on.desc(), CompanyEvent.id.desc())
        )
        return [_event_view(row, company) for row in rows]


def _event_view(event: CompanyEvent, company: CompanyView) -> EventView:
    return EventView(
        id=event.id,
        corporate_number=company.corporate_number or "",
        kind=event.kind,
        occurred_on=event.occurred_on,
        note=event.note,
        recorded_at=event.recorded_at,
        recorded_by=event.recorded_by,
    )


def _financials_view(row: FinancialYear, company: CompanyView) -> FinancialsView:
    return FinancialsView(
        corporate_number=company.corporate_number or "",
        fiscal_year=row.fiscal_year,
        revenue_yen=row.revenue_yen,
        operating_profit_yen=row.operating_profit_yen,
        net_income_yen=row.net_income_yen,
        equity_ratio_percent=row.equity_ratio_percent,
    )


# -- the watchlist -----------------------------------------------------------------------------


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
        raise BadInput("--top must be at least 1")
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
        company = _company(session, corporate_number)
    if not company.corporate_number:
        raise NotFound(f"company {corporate_number} is not scored (no corporate number)")
    (facts,) = _gather(uow, actor, [company], rules, criticality or SupplyChainCriticality(), single=True)
    assessment = assess(facts, rules, uow.clock.today())
    with uow.transaction() as session:
        previous = _last_run(session, company.id)
    return _entry(0, assessment, rules, previous.get(company.id))


def latest_recorded_run(uow: UnitOfWork, actor: Actor, *, top: int) -> RecordedRunView | None:
    """The highest scores of the last recorded run (None before any run). Officials and auditors.

    Reads what a run kept instead of scoring every company again (seconds at national scale), so
    a page can show the watchlist's top at once, dated by the run.
    """
    _require(actor, Permission.RISK_READ)
    if top < 1:
        raise BadInput("top must be at least 1")
    with uow.transaction() as session:
        run = session.scalar(select(RiskRun).order_by(RiskRun.id.desc()).limit(1))
        if run is None:
            return None
        scores = list(
            session.scalars(
                select(RiskScore)
                .where(RiskScore.run_id == run.id)
                .order_by(RiskScore.rank.is_(None), RiskScore.rank, RiskScore.score.desc())
                .limit(top)
            )
        )
        names = companies.views_by_id(session, [score.company_id for score in scores])
        return RecordedRunView(
            run_id=run.id,
            run_at=run.run_at,
            run_by=run.run_by,
            policy_version=run.policy_version,
            company_count=run.company_count,
            top=[
                RecordedScore(
                    rank=rank,
                    corporate_number=names[score.company_id].corporate_number or "",
                    name=names[score.company_id].name,
                    score=score.score,
                    recommendation=score.recommendation,
                    main_factor=_main_factor(score.contributions),
                )
                for rank, score in enumerate(scores, start=1)
            ],
        )


def _main_factor(contributions: Mapping[str, float]) -> str | None:
    named = [(points, name) for name, points in contributions.items() if points > 0]
    return max(named, key=lambda item: (item[0], item[1]))[1] if named else None


def history(uow: UnitOfWork, actor: Actor, corporate_number: str) -> list[HistoryPoint]:
    """A company's score in every recorded run, oldest first. Officials and auditors."""
    _require(actor, Permission.RISK_READ)
    with uow.transaction() as session:
        company = _company(session, corporate_number)
        rows = session.execute(
            select(RiskRun, RiskScore)
            .join(RiskScore, RiskScore.run_id == RiskRun.id)
            .where(RiskScore.company_id == company.id)
            .order_by(RiskRun.id)
        )
        return [
            HistoryPoint(
                run_id=run.id,
                run_at=run.run_at,
                policy_version=run.policy_version,
                score=score.score,
                recommendation=score.recommendation,
                contributions=score.contributions,
            )
            for run, score in rows
        ]


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


# -- runs --------------------------------------------------------------------------------------


def _last_run(session: Session, company_id: int | None = None) -> dict[int, RiskScore]:
    """The scores of the last recorded run, by company (only `company_id`'s if given)."""
    run_id = session.scalar(select(RiskRun.id).order_by(RiskRun.id.desc()).limit(1))
    if run_id is None:
        return {}
    query = select(RiskScore).where(RiskScore.run_id == run_id)
    if company_id is not None:
        query = query.where(RiskScore.company_id == company_id)
    return {score.company_id: score for score in session.scalars(query)}


def _entry(
    rank: int, assessment: Assessment, policy: RiskPolicy, previous: RiskScore | None
) -> WatchlistEntry:
    change = changes_since(
        assessment, previous.contributions if previous else None, previous.score if previous else None
    )
    return WatchlistEntry(
        rank=rank,
        corporate_number=assessment.corporate_number,
        name=assessment.name,
        score=assessment.score,
        factors=[
            FactorView(name=f.name, contribution=f.contribution, evidence=f.evidence)
            for f in assessment.factors
        ],
        recommendation=assessment.recommendation.value,
        critical=assessment.critical,
        policy_version=policy.version,
        previous_score=change.previous_score,
        change=change.score_change(assessment.score),
        factor_changes=change.factors,
    )


def _record_run(
    session: Session,
    uow: UnitOfWork,
    actor: Actor,
    policy: RiskPolicy,
    *,
    order: Sequence[Assessment],
    ids: Mapping[str, int],
) -> None:
    run = RiskRun(
        run_at=uow.clock.now(), run_by=actor.username, policy_version=policy.version, company_count=len(order)
    )
    session.add(run)
    session.flush()
    rows = [
        {
            "run_id": run.id,
            "company_id": ids[item.corporate_number],
            "score": item.score,
            "recommendation": item.recommendation.value,
            "contributions": {factor.name: factor.contribution for factor in item.factors},
            "rank": rank,
        }
        for rank, item in enumerate(order, start=1)
    ]
    if rows:
        session.execute(insert(RiskScore), rows)
    top = [{"corporate_number": item.corporate_number, "score": item.score} for item in order[:10]]
    audit.record(
        session,
        AuditEvent(
            "risk:watchlist:record",
            "risk_run",
            str(run.id),
            uow.clock.now(),
            actor,
            details={"policy_version": policy.version, "companies": len(order), "top": top},
        ),
    )
