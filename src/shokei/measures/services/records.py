"""The measure's row as the other use cases read and change it: loading it through the case's
need-to-know filter, its status, and the fact pushed down to its case."""

from __future__ import annotations

from sqlalchemy import select

from shokei.cases import services as cases
from shokei.errors import N_, NotFound, Text
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.measures.domain import MeasureStatus
from shokei.measures.models import Measure


def load_measure(uow: UnitOfWork, actor: Actor, measure_id: int, *, for_update: bool = False) -> Measure:
    query = select(Measure).where(Measure.id == measure_id)
    measure = uow.session.execute(query.with_for_update() if for_update else query).scalar_one_or_none()
    if measure is None:
        raise NotFound(Text(N_("no measure %(measure_id)s"), {"measure_id": measure_id}))
    cases.case_ref(uow, actor, measure.case_id)  # the case's need-to-know filter
    return measure


def note(uow: UnitOfWork, measure: Measure) -> None:
    """Push the measure's kind and status down to its case (shown by `case show`)."""
    cases.note_measure(uow, measure.case_id, measure_id=measure.id, kind=measure.kind, status=measure.status)


def set_status(uow: UnitOfWork, actor: Actor, measure: Measure, status: MeasureStatus) -> None:
    if measure.status == status.value:
        return
    before = snapshot(measure)
    measure.status = status.value
    uow.session.flush()
    uow.record("measure:measure:status", "measure", measure.id, actor, before=before, after=snapshot(measure))
    note(uow, measure)


def snapshot(measure: Measure) -> dict[str, object]:
    return {"case_id": measure.case_id, "kind": measure.kind, "status": measure.status, **measure.details}
