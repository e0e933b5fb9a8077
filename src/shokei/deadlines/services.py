"""Duties and their clocks: started and closed as cases move (handlers), listed per user under
need-to-know, and swept for reminders and breaches (the worker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, or_, select, update

from shokei.cases import services as cases
from shokei.cases.domain import CaseMoved, CaseState
from shokei.clock import JST
from shokei.companies import services as companies
from shokei.deadlines.catalogue import about, what
from shokei.deadlines.domain import (
    MOVE_DUTIES,
    RECORD_DUTIES,
    STATE_DUTIES,
    DutyDueSoon,
    DutyEvent,
    DutyKind,
    DutyOverdue,
    DutySpec,
    DutyStarted,
    Party,
    due_date,
    is_overdue,
    link_for,
    needs_reminder,
    reference_of,
    subject_key,
)
from shokei.deadlines.models import DutyRecord
from shokei.deadlines.policies import current_policy
from shokei.deadlines.schemas import DutyDetail
from shokei.errors import N_, Forbidden, Text
from shokei.kernel import Actor, Permission, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain.survey.domain import SurveyRequested

# -- clocks started and stopped by the case's moves (in the move's transaction) ------------------


def case_opened(uow: UnitOfWork, case_id: int) -> None:
    """A new case owes its hand-in from the day it was opened."""
    with uow:
        _start(uow, case_id, STATE_DUTIES[CaseState.NOTIFIED])


def case_moved(uow: UnitOfWork, moved: CaseMoved) -> None:
    """Leaving a state ends its duties; the new state (or the move itself) starts the next one's."""
    with uow:
        if moved.source is not moved.target:
            _close(uow, moved.case_id)
            spec = STATE_DUTIES.get(moved.target)
            if spec is not None:
                _start(uow, moved.case_id, spec)
        spec = MOVE_DUTIES.get(moved.name)
        if spec is not None:
            _close(uow, moved.case_id, spec.kind)  # a new selection replaces the last one's duty
            _start(uow, moved.case_id, spec)


def _close(uow: UnitOfWork, case_id: int, kind: DutyKind | None = None) -> None:
    statement = update(DutyRecord).where(DutyRecord.case_id == case_id, DutyRecord.closed_at.is_(None))
    if kind is not None:
        statement = statement.where(DutyRecord.kind == kind.value)
    uow.session.execute(statement.values(closed_at=uow.clock.now()))


def _start(uow: UnitOfWork, case_id: int, spec: DutySpec) -> None:
    supplier_id, successor_id = cases.case_parties(uow, case_id)
    company_id = {
        Party.CASE_COMPANY: supplier_id,
        Party.SUCCESSOR_COMPANY: successor_id,
        Party.OFFICIALS: None,
    }[spec.party]
    _open(uow, spec, case_id=case_id, company_id=company_id)


def _open(
    uow: UnitOfWork,
    spec: DutySpec,
    *,
    case_id: int | None = None,
    company_id: int | None = None,
    subject: str | None = None,
    due: date | None = None,
) -> None:
    """Start one duty: due after the policy's period, or on the record's own date (`due`); a duty
    due further off than its period starts (shows in the queue) `period` days before it."""
    policy = current_policy()
    period = policy.period(spec.kind)
    today = uow.clock.today()
    due = due or due_date(today, period)
    duty = DutyRecord(
        kind=spec.kind.value,
        case_id=case_id,
        subject=subject,
        link=link_for(spec.kind, case_id, subject),
        role=spec.role.value,
        company_id=company_id,
        started_at=uow.clock.now(),
        started_on=max(today, due - timedelta(days=period)),
        period_days=period,
        policy_version=policy.version,
        due=due,
    )
    uow.session.add(duty)
    uow.session.flush()
    uow.publish(DutyStarted(*_event_fields(duty)))


def _event_fields(
    duty: DutyRecord,
) -> tuple[int, DutyKind, int | None, Role, int | None, date, int | None, str | None, str]:
    kind = DutyKind(duty.kind)
    link = duty.link or link_for(kind, duty.case_id, duty.subject, duty.survey_campaign_id)
    return (
        duty.id,
        kind,
        duty.case_id,
        Role(duty.role),
        duty.company_id,
        duty.due,
        duty.survey_campaign_id,
        duty.subject,
        link,
    )


# -- clocks on other records: started and stopped by their features' events ----------------------


def _close_subject(uow: UnitOfWork, subject: str, *, prefix: bool = False) -> None:
    match = (
        DutyRecord.subject.startswith(subject, autoescape=True) if prefix else DutyRecord.subject == subject
    )
    statement = update(DutyRecord).where(match, DutyRecord.closed_at.is_(None))
    uow.session.execute(statement.values(closed_at=uow.clock.now()))


def copy_recalled(uow: UnitOfWork, copy_id: str, holder_company_id: int) -> None:
    """The holder of a recalled copy owes its return (the certificate of destruction)."""
    with uow:
        subject = subject_key(DutyKind.COPY_RETURN, copy_id)
        _close_subject(uow, subject)
        _open(uow, RECORD_DUTIES[DutyKind.COPY_RETURN], company_id=holder_company_id, subject=subject)


def copy_returned(uow: UnitOfWork, copy_id: str) -> None:
    with uow:
        _close_subject(uow, subject_key(DutyKind.COPY_RETURN, copy_id))


def survey_requested(uow: UnitOfWork, asked: SurveyRequested) -> None:
    """A company asked in a survey owes its answer by the survey's due date (its supplier users
    are told now and reminded before). A company not in the registry has no users to remind:
    no duty."""
    with uow:
        company = companies.record_by_number(uow, asked.corporate_number)
        if company is None:
            return
        today = uow.clock.today()
        duty = DutyRecord(
            kind=DutyKind.SURVEY_ANSWER.value,
            case_id=None,
            survey_campaign_id=asked.campaign_id,
            role=Role.SUPPLIER.value,
            company_id=company.id,
            started_at=uow.clock.now(),
            started_on=today,
            period_days=max(0, (asked.due_on - today).days),
            policy_version=current_policy().version,
            due=asked.due_on,
        )
        uow.session.add(duty)
        uow.session.flush()
        uow.publish(DutyStarted(*_event_fields(duty)))


def survey_settled(uow: UnitOfWork, campaign_id: int, corporate_number: str | None = None) -> None:
    """End the survey-answer duty of one respondent (it answered), or of every respondent (the
    survey closed)."""
    with uow:
        statement = update(DutyRecord).where(
            DutyRecord.survey_campaign_id == campaign_id, DutyRecord.closed_at.is_(None)
        )
        if corporate_number is not None:
            company = companies.record_by_number(uow, corporate_number)
            if company is None:
                return
            statement = statement.where(DutyRecord.company_id == company.id)
        uow.session.execute(statement.values(closed_at=uow.clock.now()))


def _certification_subject(company_id: int, corporate_number: str | None = None) -> str:
    return subject_key(DutyKind.CERTIFICATION_RENEWAL, f"{company_id}:{corporate_number or company_id}")


def company_certified(
    uow: UnitOfWork, company_id: int, corporate_number: str | None, valid_until: date
) -> None:
    """A certification valid until a day asks the program managers to renew it by then; it shows
    in their queue from the policy's period before that day. A new one replaces the last's."""
    with uow:
        _close_subject(uow, _certification_subject(company_id).rsplit(":", 1)[0] + ":", prefix=True)
        spec = RECORD_DUTIES[DutyKind.CERTIFICATION_RENEWAL]
        subject = _certification_subject(company_id, corporate_number)
        _open(uow, spec, subject=subject, due=valid_until)


def certification_ended(uow: UnitOfWork, company_id: int) -> None:
    with uow:
        _close_subject(uow, _certification_subject(company_id).rsplit(":", 1)[0] + ":", prefix=True)


def incident_opened(uow: UnitOfWork, incident_id: int, deadline_at: datetime) -> None:
    """An opened leak incident asks the program managers to report it by its deadline (the
    incident's own clock, 72 hours by default): due on the deadline's day in Japan."""
    moment = deadline_at if deadline_at.tzinfo else deadline_at.replace(tzinfo=UTC)
    with uow:
        subject = subject_key(DutyKind.INCIDENT_REPORT, incident_id)
        _close_subject(uow, subject)
        due = moment.astimezone(JST).date()
        _open(uow, RECORD_DUTIES[DutyKind.INCIDENT_REPORT], subject=subject, due=due)


def incident_settled(uow: UnitOfWork, incident_id: int) -> None:
    """Contained or closed: the reporting clock stops."""
    with uow:
        _close_subject(uow, subject_key(DutyKind.INCIDENT_REPORT, incident_id))


def _designation_prefix(designation_id: int) -> str:
    return subject_key(DutyKind.DESIGNATION_EXPIRY, f"{designation_id}:")


def designation_changed(uow: UnitOfWork, designation_id: int, document_id: int, until: date | None) -> None:
    """A designation standing until a day asks the program managers to review it (renew or lift)
    by then; it shows in their queue from the policy's period before that day. A renewal moves
    the due date (the last duty is replaced); a lifting (`until` None) ends it."""
    with uow:
        prefix = _designation_prefix(designation_id)
        _close_subject(uow, prefix, prefix=True)
        if until is not None:
            spec = RECORD_DUTIES[DutyKind.DESIGNATION_EXPIRY]
            _open(uow, spec, subject=f"{prefix}{document_id}", due=until)


def _facility_subject(facility_id: int, fiscal_year: int) -> str:
    return subject_key(DutyKind.FACILITY_REPORT, f"{facility_id}:{fiscal_year}")


def facility_report_owed(uow: UnitOfWork, facility_id: int, fiscal_year: int, due: date) -> None:
    """A state-held facility's annual report on a fiscal year is owed by the program managers by
    `due` (three months after the year ends); it shows from the policy's period before."""
    with uow:
        subject = _facility_subject(facility_id, fiscal_year)
        _close_subject(uow, subject)
        _open(uow, RECORD_DUTIES[DutyKind.FACILITY_REPORT], subject=subject, due=due)


def facility_report_filed(uow: UnitOfWork, facility_id: int, fiscal_year: int) -> None:
    with uow:
        _close_subject(uow, _facility_subject(facility_id, fiscal_year))


# -- what is waiting: each user's queue, the program manager's whole list ----------------------


def open_duties(
    uow: UnitOfWork, actor: Actor, *, overdue: bool = False, everyone: bool = False
) -> list[DutyDetail]:
    """The actor's open duties on the cases it may know of, and on records its company holds,
    most urgent first: its role's, and for a supplier or successor only its own company's.
    `everyone`: every party's (program managers, who watch the clocks, and auditors)."""
    if everyone and actor.role not in (Role.PROGRAM_MANAGER, Role.AUDITOR):
        raise Forbidden(Text(N_("only a program manager or auditor may list every party's duties")))
    if not actor.can(Permission.CASE_READ):
        return []  # no case, no duty (admins)
    with uow:
        today = uow.clock.today()
        query = _open_query(actor, today)
        if not everyone:
            query = query.where(_owed_by(actor))
        if overdue:
            query = query.where(DutyRecord.due < today)
        rows = uow.session.execute(query.order_by(DutyRecord.due, DutyRecord.id)).scalars()
        return [_detail(row, today) for row in rows]


def case_duties(uow: UnitOfWork, actor: Actor, case_id: int) -> list[DutyDetail]:
    """A case's open duties, most urgent first, for its page: every party's for officials and
    auditors, the company's own for a supplier or successor (none of a case it may not see)."""
    if not actor.can(Permission.CASE_READ):
        return []
    with uow:
        today = uow.clock.today()
        query = _open_query(actor, today).where(DutyRecord.case_id == case_id)
        if actor.is_company_bound:
            query = query.where(DutyRecord.company_id == actor.company_id)
        rows = uow.session.execute(query.order_by(DutyRecord.due, DutyRecord.id)).scalars()
        return [_detail(row, today) for row in rows]


def _open_query(actor: Actor, today: date) -> Select[DutyRecord]:
    """Open duties already started on a case the actor may know of, or on another record."""
    return select(DutyRecord).where(
        DutyRecord.closed_at.is_(None),
        DutyRecord.started_on <= today,
        or_(DutyRecord.case_id.in_(cases.visible_case_ids(actor)), DutyRecord.case_id.is_(None)),
    )


def _owed_by(actor: Actor) -> ColumnElement[bool]:
    """The actor's own: its role's; a company's duty on a record, any of that company's users'."""
    if not actor.is_company_bound:
        return and_(DutyRecord.role == actor.role.value, DutyRecord.company_id.is_(None))
    return and_(
        DutyRecord.company_id == actor.company_id,
        or_(DutyRecord.role == actor.role.value, DutyRecord.case_id.is_(None)),
    )


def count_open(uow: UnitOfWork, actor: Actor) -> tuple[int, int]:
    """(open, overdue) in the actor's own queue, for the count in the page header."""
    duties = open_duties(uow, actor)
    return len(duties), sum(1 for d in duties if d.overdue)


def _detail(row: DutyRecord, today: date) -> DutyDetail:
    kind = DutyKind(row.kind)
    survey = row.survey_campaign_id
    reference = str(survey) if survey is not None else reference_of(kind, row.subject)
    return DutyDetail(
        id=row.id,
        kind=row.kind,
        case_id=row.case_id,
        survey_campaign_id=survey,
        due=row.due,
        overdue=is_overdue(row.due, today),
        what=what(kind) if row.case_id is not None else f"{what(kind)}（{about(kind, None, reference)}）",
        role=row.role,
        days_left=(row.due - today).days,
        policy_version=row.policy_version,
        about=about(kind, row.case_id, reference),
        reference=reference,
        link=row.link or link_for(kind, row.case_id, row.subject, survey),
        breached=row.breached_at is not None,
    )


def policy_in_force() -> dict[str, object]:
    """The deadline policy in force: version and periods in days (anyone may read it)."""
    return current_policy().as_dict()


# -- the sweep: reminders before the due date, a flag once it has passed ------------------------


@dataclass(frozen=True, slots=True)
class SweepReport:
    reminded: int
    flagged: int


def sweep(uow: UnitOfWork) -> SweepReport:
    """Publish DutyDueSoon once per duty inside the reminder days and DutyOverdue once per duty
    past its date (notifications turn them into notices in the same transaction). Concurrent
    sweeps skip each other's rows (PostgreSQL) or queue (SQLite's BEGIN IMMEDIATE)."""
    remind_days = current_policy().remind_days_before
    with uow:
        today, now = uow.clock.today(), uow.clock.now()
        query = select(DutyRecord).where(DutyRecord.closed_at.is_(None), DutyRecord.breached_at.is_(None))
        if uow.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        events: list[DutyEvent] = []
        for duty in uow.session.execute(query.order_by(DutyRecord.id)).scalars():
            if is_overdue(duty.due, today):
                duty.breached_at = now
                events.append(DutyOverdue(*_event_fields(duty)))
            elif duty.reminded_at is None and needs_reminder(duty.due, today, remind_days):
                duty.reminded_at = now
                events.append(DutyDueSoon(*_event_fields(duty)))
        uow.session.flush()
        for event in events:
            uow.publish(event)
        return SweepReport(
            reminded=sum(isinstance(e, DutyDueSoon) for e in events),
            flagged=sum(isinstance(e, DutyOverdue) for e in events),
        )
