"""State-held facilities (Art. 29): acquisition against the budget's facilities line, entrustment
of their management to an eligible contractor, the annual report after each fiscal year, and the
transfer back to a private company that ends the state's holding.

A managing contractor and a transferee are checked with the rules a successor meets: the
succession feature keeps them and answers `CheckHolderEligibility` on the bus (as the companies
feature asks before reinstating a company); a suspended company and the withdrawing company
itself are refused too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select

from shokei.cases import services as cases
from shokei.companies import access as company_access
from shokei.companies import services as companies
from shokei.companies.domain import Access, CheckHolderEligibility
from shokei.companies.schemas import CompanyView
from shokei.errors import N_, BadInput, Conflict, Forbidden, NotFound, Text
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.measures.domain import (
    FacilityReportFiled,
    FacilityReportOwed,
    FacilityStatus,
    MeasureKind,
    MeasureStatus,
    ReportDuty,
    check_can_acquire,
    check_can_entrust,
    check_can_transfer,
    check_price,
    held_during,
    report_due,
)
from shokei.measures.models import Facility, FacilityEntrustment, FacilityReport, Measure
from shokei.measures.schemas import EntrustmentView, FacilityReportEntry, FacilityView
from shokei.measures.services.access import require_manager, require_reader
from shokei.measures.services.records import load_measure, set_status
from shokei.purchase import services as purchase
from shokei.purchase.domain import check_fiscal_year, fiscal_year, fiscal_year_span


def acquire_facility(
    uow: UnitOfWork,
    actor: Actor,
    measure_id: int,
    *,
    name: str,
    prefecture: str,
    price_yen: int,
    acquired_on: date,
    equipment: Sequence[str] = (),
) -> FacilityView:
    """The state acquires a designated facility under a facility_acquisition measure: its price is
    committed on the budget's facilities line for the fiscal year of `acquired_on` (never
    over-committed). Program managers."""
    require_manager(actor, N_("acquire a facility"))
    if not name.strip():
        raise BadInput(Text(N_("a facility needs a name")))
    place = companies.parse_prefecture(prefecture)
    check_price(price_yen)
    with uow:
        measure = load_measure(uow, actor, measure_id, for_update=True)
        check_can_acquire(MeasureKind(measure.kind), MeasureStatus(measure.status))
        facility = Facility(
            measure_id=measure.id,
            name=name.strip(),
            prefecture=place,
            equipment=[item.strip() for item in equipment if item.strip()],
            price_yen=price_yen,
            acquired_on=acquired_on,
            status=FacilityStatus.STATE_HELD.value,
        )
        # The budget row is locked first (the purchases line's lock order), then the facility.
        commitment = purchase.commit_on_line(
            uow,
            actor,
            line=purchase.BudgetLineName.FACILITIES,
            on=acquired_on,
            amount_yen=price_yen,
            case_id=measure.case_id,
            subject=f"measure:{measure.id}:facility:{name.strip()}"[:64],
        )
        facility.budget_commitment_id = commitment.id
        uow.session.add(facility)
        uow.session.flush()
        uow.record(
            "measure:facility:acquire",
            "facility",
            facility.id,
            actor,
            after=_snapshot(facility),
            details={
                "measure_id": measure.id,
                "case_id": measure.case_id,
                "fiscal_year": commitment.fiscal_year,
            },
        )
        set_status(uow, actor, measure, MeasureStatus.IN_EFFECT)
        year = fiscal_year(acquired_on)
        uow.publish(FacilityReportOwed(facility.id, year, report_due(year)))
        return facility_views(uow, [facility])[0]


def entrust_facility(
    uow: UnitOfWork, actor: Actor, facility_id: int, *, to: str, until: date, terms: str
) -> FacilityView:
    """Entrust the management of a state-held facility to a contractor until `until`, on `terms`.
    The contractor must meet the rules a successor meets (refused naming the rule, Conflict).
    A new entrustment ends the one before. Program managers."""
    require_manager(actor, N_("entrust a facility"))
    if not terms.strip():
        raise BadInput(Text(N_("the entrustment's terms are required")))
    with uow:
        facility, measure = _load(uow, actor, facility_id)
        check_can_entrust(FacilityStatus(facility.status), until, uow.clock.today())
        company_id = _eligible(uow, measure, to, act=Text(N_("entrustment")))
        before = _snapshot(facility)
        current = _current_entrustment(uow, facility.id)
        if current is not None:
            current.ended_on = uow.clock.today()
        uow.session.add(
            FacilityEntrustment(
                facility_id=facility.id,
                company_id=company_id,
                until=until,
                terms=terms.strip(),
                entrusted_by_id=actor.user_id,
                entrusted_at=uow.clock.now(),
            )
        )
        facility.status = FacilityStatus.ENTRUSTED.value
        uow.session.flush()
        uow.record(
            "measure:facility:entrust",
            "facility",
            facility.id,
            actor,
            before=before,
            after=_snapshot(facility),
            details={"company_id": company_id, "until": until.isoformat(), "terms": terms.strip()},
        )
        return facility_views(uow, [facility])[0]


def transfer_facility(
    uow: UnitOfWork, actor: Actor, facility_id: int, *, to: str, price_yen: int, transferred_on: date
) -> FacilityView:
    """Transfer a state-held facility to a private company (eligible as a successor is), at a
    price on a date: the state's holding ends, and so does any entrustment. Program managers."""
    require_manager(actor, N_("transfer a facility"))
    check_price(price_yen)
    with uow:
        facility, measure = _load(uow, actor, facility_id)
        check_can_transfer(FacilityStatus(facility.status), facility.acquired_on, transferred_on)
        company_id = _eligible(uow, measure, to, act=Text(N_("transfer")))
        before = _snapshot(facility)
        current = _current_entrustment(uow, facility.id)
        if current is not None:
            current.ended_on = transferred_on
        facility.status = FacilityStatus.TRANSFERRED.value
        facility.transferee_company_id = company_id
        facility.transfer_price_yen = price_yen
        facility.transferred_on = transferred_on
        uow.session.flush()
        uow.record(
            "measure:facility:transfer",
            "facility",
            facility.id,
            actor,
            before=before,
            after=_snapshot(facility),
            details={"company_id": company_id, "price_yen": price_yen},
        )
        still_held = uow.session.execute(
            select(Facility.id).where(
                Facility.measure_id == measure.id, Facility.status != FacilityStatus.TRANSFERRED.value
            )
        ).first()
        if still_held is None:
            set_status(uow, actor, measure, MeasureStatus.COMPLETED)
        return facility_views(uow, [facility])[0]


def list_facilities(uow: UnitOfWork, actor: Actor, *, case_id: int | None = None) -> list[FacilityView]:
    """Every facility the state acquired (or those of one case), oldest first. Officials and
    auditors."""
    require_reader(actor)
    with uow:
        query = select(Facility).join(Measure, Measure.id == Facility.measure_id).order_by(Facility.id)
        if case_id is not None:
            cases.case_ref(uow, actor, case_id)
            query = query.where(Measure.case_id == case_id)
        return facility_views(uow, list(uow.session.execute(query).scalars()))


def facilities_of_company(uow: UnitOfWork, actor: Actor, company_id: int) -> list[FacilityView]:
    """The facilities a company is party to: acquired from its withdrawal, managed by it now, or
    transferred to it (the company page). Officials and auditors."""
    require_reader(actor)
    with uow:
        views = facility_views(
            uow, list(uow.session.execute(select(Facility).order_by(Facility.id)).scalars())
        )
        withdrawing = {case_id: cases.case_parties(uow, case_id)[0] for case_id in {v.case_id for v in views}}
        number = companies.views_by_id(uow, [company_id])[company_id].corporate_number
        return [
            view
            for view in views
            if withdrawing[view.case_id] == company_id
            or (number is not None and number in (view.transferred_to, _contractor(view)))
        ]


def _contractor(view: FacilityView) -> str | None:
    return view.entrustment.company_corporate_number if view.entrustment else None


def get_facility(uow: UnitOfWork, actor: Actor, facility_id: int) -> FacilityView:
    """One facility. Officials and auditors."""
    require_reader(actor)
    with uow:
        facility, _ = _load(uow, actor, facility_id)
        return facility_views(uow, [facility])[0]


def facility_report(uow: UnitOfWork, actor: Actor, *, fiscal_year: int) -> list[FacilityReportEntry]:
    """The annual report on every facility the state held during `fiscal_year` (April - March),
    due three months after the year ends; those not filed by then are overdue. Officials and
    auditors."""
    require_reader(actor)
    check_fiscal_year(fiscal_year)
    with uow:
        first, last = fiscal_year_span(fiscal_year)
        query = select(Facility).where(
            Facility.acquired_on <= last,
            or_(Facility.transferred_on.is_(None), Facility.transferred_on >= first),
        )
        held = list(uow.session.execute(query.order_by(Facility.id)).scalars())
        filed = _filed(uow, [f.id for f in held], fiscal_year)
        views = {view.id: view for view in facility_views(uow, held)}
        today = uow.clock.today()
        entries = []
        for facility in held:
            duty = ReportDuty(fiscal_year, report_due(fiscal_year), filed.get(facility.id))
            entrustment = views[facility.id].entrustment
            entries.append(
                FacilityReportEntry(
                    facility_id=facility.id,
                    name=facility.name,
                    prefecture=facility.prefecture,
                    fiscal_year=fiscal_year,
                    status=facility.status,
                    entrusted_to=entrustment.company_corporate_number if entrustment else None,
                    due=duty.due,
                    filed_on=duty.filed_on,
                    overdue=duty.overdue(today),
                )
            )
        return entries


def file_facility_report(
    uow: UnitOfWork, actor: Actor, facility_id: int, *, fiscal_year: int
) -> FacilityReportEntry:
    """Record that the annual report on a facility for `fiscal_year` was filed today. Program
    managers; only for a year the state held it, once the year has ended."""
    require_manager(actor, N_("file a facility report"))
    check_fiscal_year(fiscal_year)
    with uow:
        facility, _ = _load(uow, actor, facility_id)
        today = uow.clock.today()
        if not held_during(fiscal_year, facility.acquired_on, facility.transferred_on):
            raise Conflict(
                Text(
                    N_("the state did not hold facility %(id)s during FY%(fiscal_year)s"),
                    {"id": facility.id, "fiscal_year": fiscal_year},
                )
            )
        if today <= fiscal_year_span(fiscal_year)[1]:
            raise Conflict(
                Text(
                    N_("FY%(fiscal_year)s has not ended: its report is filed after 31 March"),
                    {"fiscal_year": fiscal_year},
                )
            )
        if uow.session.get(FacilityReport, (facility.id, fiscal_year)) is not None:
            raise Conflict(
                Text(
                    N_("the FY%(fiscal_year)s report on facility %(id)s is already filed"),
                    {"fiscal_year": fiscal_year, "id": facility.id},
                )
            )
        uow.session.add(
            FacilityReport(
                facility_id=facility.id, fiscal_year=fiscal_year, filed_on=today, filed_by_id=actor.user_id
            )
        )
        uow.session.flush()
        uow.record(
            "measure:facility:report",
            "facility",
            facility.id,
            actor,
            after={"fiscal_year": fiscal_year, "filed_on": today.isoformat()},
            details={"due": report_due(fiscal_year).isoformat()},
        )
        uow.publish(FacilityReportFiled(facility.id, fiscal_year))
        following = fiscal_year + 1
        if held_during(following, facility.acquired_on, facility.transferred_on) and (
            uow.session.get(FacilityReport, (facility.id, following)) is None
        ):
            uow.publish(FacilityReportOwed(facility.id, following, report_due(following)))
    entry = [e for e in facility_report(uow, actor, fiscal_year=fiscal_year) if e.facility_id == facility_id]
    return entry[0]


# -- helpers -----------------------------------------------------------------------------------


def _load(uow: UnitOfWork, actor: Actor, facility_id: int) -> tuple[Facility, Measure]:
    query = select(Facility).where(Facility.id == facility_id).with_for_update()
    facility = uow.session.execute(query).scalar_one_or_none()
    if facility is None:
        raise NotFound(Text(N_("no facility %(facility_id)s"), {"facility_id": facility_id}))
    return facility, load_measure(uow, actor, facility.measure_id)


def _eligible(uow: UnitOfWork, measure: Measure, corporate_number: str, *, act: Text) -> int:
    """The company's id, if it may manage or receive the facility; refused naming the rule, in
    the reader's language (the rules' evidence comes translated from succession)."""
    company_id = companies.company_id_for(uow, corporate_number)
    withdrawing, _ = cases.case_parties(uow, measure.case_id)
    if company_id == withdrawing:
        msgid = N_("%(act)s refused: independence: the withdrawing company cannot take its own facility")
        raise Conflict(Text(msgid, {"act": act}))
    if company_access.access_of(uow, company_id) is Access.SUSPENDED:
        raise Forbidden(Text(N_("%(act)s refused: access: the company is suspended"), {"act": act}))
    failing: Sequence[tuple[str, Text]] = uow.handle(CheckHolderEligibility(company_id))
    if failing:
        rules = tuple(
            Text(N_("%(rule)s: %(evidence)s"), {"rule": rule, "evidence": why}) for rule, why in failing
        )
        raise Conflict(Text(N_("%(act)s refused: %(rules)s"), {"act": act, "rules": rules}))
    return company_id


def _current_entrustment(uow: UnitOfWork, facility_id: int) -> FacilityEntrustment | None:
    return (
        uow.session.execute(
            select(FacilityEntrustment)
            .where(FacilityEntrustment.facility_id == facility_id, FacilityEntrustment.ended_on.is_(None))
            .order_by(FacilityEntrustment.id.desc())
        )
        .scalars()
        .first()
    )


def _filed(uow: UnitOfWork, facility_ids: list[int], year: int) -> dict[int, date]:
    if not facility_ids:
        return {}
    rows = uow.session.execute(
        select(FacilityReport.facility_id, FacilityReport.filed_on).where(
            FacilityReport.facility_id.in_(facility_ids), FacilityReport.fiscal_year == year
        )
    )
    return {int(facility_id): filed_on for facility_id, filed_on in rows}


def _snapshot(facility: Facility) -> dict[str, object]:
    return {
        "status": facility.status,
        "name": facility.name,
        "prefecture": facility.prefecture,
        "price_yen": facility.price_yen,
        "acquired_on": facility.acquired_on.isoformat(),
        "transferee_company_id": facility.transferee_company_id,
        "transferred_on": facility.transferred_on.isoformat() if facility.transferred_on else None,
    }


def facility_views(uow: UnitOfWork, rows: list[Facility]) -> list[FacilityView]:
    """The facilities as read, each with its current entrustment and transferee."""
    if not rows:
        return []
    session = uow.session
    wanted = {f.measure_id for f in rows}
    measures = {
        int(measure_id): int(case_id)
        for measure_id, case_id in session.execute(
            select(Measure.id, Measure.case_id).where(Measure.id.in_(wanted))
        )
    }
    current = {
        e.facility_id: e
        for e in session.execute(
            select(FacilityEntrustment)
            .where(
                FacilityEntrustment.facility_id.in_([f.id for f in rows]),
                FacilityEntrustment.ended_on.is_(None),
            )
            .order_by(FacilityEntrustment.id)
        ).scalars()
    }
    company_ids = {e.company_id for e in current.values()} | {
        f.transferee_company_id for f in rows if f.transferee_company_id
    }
    names = companies.views_by_id(uow, company_ids)
    return [_view(f, measures[f.measure_id], current.get(f.id), names) for f in rows]


def _view(
    facility: Facility, case_id: int, entrustment: FacilityEntrustment | None, names: dict[int, CompanyView]
) -> FacilityView:
    transferee = names.get(facility.transferee_company_id) if facility.transferee_company_id else None
    return FacilityView(
        id=facility.id,
        status=facility.status,
        measure_id=facility.measure_id,
        case_id=case_id,
        name=facility.name,
        prefecture=facility.prefecture,
        equipment=list(facility.equipment),
        price_yen=facility.price_yen,
        acquired_on=facility.acquired_on,
        fiscal_year=fiscal_year(facility.acquired_on),
        entrustment=EntrustmentView(
            company_corporate_number=names[entrustment.company_id].corporate_number,
            company_name=names[entrustment.company_id].name,
            until=entrustment.until,
            terms=entrustment.terms,
            entrusted_at=entrustment.entrusted_at,
        )
        if entrustment
        else None,
        transferred_to=transferee.corporate_number if transferee else None,
        transferred_to_name=transferee.name if transferee else None,
        transfer_price_yen=facility.transfer_price_yen,
        transferred_on=facility.transferred_on,
    )
