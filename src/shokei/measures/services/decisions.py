"""Deciding the measure for an escalated case: the measure's own record, the case's move (on to
the measure, or back to negotiation) and the fact pushed down to the case, in one transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from shokei.accounts import services as accounts
from shokei.cases import services as cases
from shokei.errors import N_
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.measures.domain import (
    case_move,
    details_for,
    parse_kind,
    require_reason,
    status_on_decision,
)
from shokei.measures.models import Facility, Measure
from shokei.measures.schemas import MeasureDetail, MeasureView
from shokei.measures.services.access import require_manager, require_reader
from shokei.measures.services.facilities import facility_views
from shokei.measures.services.records import load_measure, note, snapshot


def decide_measure(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    kind: str,
    reason: str,
    parties: list[str] | None = None,
    amount_yen: int | None = None,
    review_on: date | None = None,
    expected_version: int | None = None,
) -> MeasureView:
    """Decide the measure for an escalated case. Program managers who neither examined nor
    negotiated it (cases.domain decides the move: state, role, separation of duties, reason).
    `reopen_negotiation` sends the case back to negotiation; any other kind moves it on to the
    measure (`measure_taken`), whose record then follows the capability."""
    require_manager(actor, N_("decide a measure"))
    chosen = parse_kind(kind)
    text = require_reason(reason)
    details = details_for(chosen, parties=list(parties or []), amount_yen=amount_yen, review_on=review_on)
    with uow:
        cases.move_case(
            uow,
            actor,
            case_id,
            case_move(chosen),
            reason=text,
            expected_version=expected_version,
            details={"measure_kind": chosen.value},
        )
        measure = Measure(
            case_id=case_id,
            kind=chosen.value,
            status=status_on_decision(chosen).value,
            reason=text,
            details=details,
            decided_by_id=actor.user_id,
            decided_at=uow.clock.now(),
        )
        uow.session.add(measure)
        uow.session.flush()
        uow.record(
            "measure:measure:decide",
            "measure",
            measure.id,
            actor,
            after=snapshot(measure),
            details={"case_id": case_id, "reason": text},
        )
        note(uow, measure)
        return MeasureView(id=measure.id, kind=measure.kind, status=measure.status)


def get_measure(uow: UnitOfWork, actor: Actor, measure_id: int) -> MeasureDetail:
    """One measure with its facilities. Officials and auditors."""
    require_reader(actor)
    with uow:
        measure = load_measure(uow, actor, measure_id)
        names = cases.company_names(uow, [measure.case_id])
        users = accounts.usernames(uow, {measure.decided_by_id})
        rows = uow.session.execute(
            select(Facility).where(Facility.measure_id == measure.id).order_by(Facility.id)
        ).scalars()
        return MeasureDetail(
            id=measure.id,
            kind=measure.kind,
            status=measure.status,
            case_id=measure.case_id,
            company_name=names[measure.case_id],
            reason=measure.reason,
            details=measure.details,
            decided_by=users[measure.decided_by_id],
            decided_at=measure.decided_at,
            facilities=facility_views(uow, list(rows)),
        )
