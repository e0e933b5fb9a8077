"""Risk use cases: the facts this feature keeps itself, financial indicators and company events."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from shokei.companies import conditions as companies
from shokei.companies.schemas import CompanyView
from shokei.companies.services import record_by_number
from shokei.errors import N_, BadInput, Text
from shokei.kernel import Actor, AuditEvent, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.risk.domain import (
    DISTRESS_EVENTS,
    DistressRecorded,
    EventKind,
)
from shokei.risk.models import CompanyEvent, FinancialYear
from shokei.risk.schemas import (
    EventView,
    FinancialsView,
)
from shokei.risk.services.support import _company, _require


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
        raise BadInput(
            Text(
                N_("kind %(kind)s is not one of: %(eventkind)s"),
                {"kind": repr(kind), "eventkind": ", ".join(EventKind)},
            )
        ) from None
    if occurred_on > uow.clock.today():
        raise BadInput(
            Text(
                N_("%(occurred_on)s is in the future: record an event once it has happened"),
                {"occurred_on": occurred_on},
            )
        )
    with uow.transaction() as session:
        company = _company(uow, corporate_number)
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
        uow.record_many(
            [
                AuditEvent(
                    "risk:event:record",
                    "company",
                    str(company.id),
                    uow.clock.now(),
                    actor,
                    after=view.model_dump(mode="json"),
                )
            ]
        )
        if event_kind in DISTRESS_EVENTS:
            companies.record_distress(uow, actor, company.id, f"risk event {event.id} ({event_kind.value})")
            uow.publish(DistressRecorded(company.id, event_kind, occurred_on, event.id))
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
        raise BadInput(Text(N_("fiscal year %(fiscal_year)s is not plausible"), {"fiscal_year": fiscal_year}))
    with uow.transaction() as session:
        company = _company(uow, corporate_number)
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
        uow.record_many(
            [
                AuditEvent(
                    "risk:financials:record",
                    "company",
                    str(company.id),
                    uow.clock.now(),
                    actor,
                    before=before,
                    after=view.model_dump(mode="json"),
                )
            ]
        )
        return view


def list_events(uow: UnitOfWork, actor: Actor, corporate_number: str) -> list[EventView]:
    """A company's recorded events, newest first. Officials and auditors."""
    _require(actor, Permission.RISK_READ)
    with uow.transaction() as session:
        company = _company(uow, corporate_number)
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


def note_survey_unanswered(
    uow: UnitOfWork, actor: Actor, corporate_number: str, *, occurred_on: date, note: str
) -> EventView | None:
    """A supply-chain survey closed without this company's answer: record a `survey_unanswered`
    event (the reaction to `SurveyUnanswered`, authorised by the official who closed the
    survey). A company outside the registry has no risk profile: nothing is recorded. Audited."""
    with uow.transaction() as session:
        if record_by_number(uow, corporate_number) is None:
            return None
        company = _company(uow, corporate_number)
        event = CompanyEvent(
            company_id=company.id,
            kind=EventKind.SURVEY_UNANSWERED.value,
            occurred_on=occurred_on,
            note=note,
            recorded_at=uow.clock.now(),
            recorded_by=actor.username,
        )
        session.add(event)
        session.flush()
        view = _event_view(event, company)
        uow.record("risk:event:record", "company", company.id, actor, after=view.model_dump(mode="json"))
        return view
