"""A company's access to copies of design documents, and the register of certified recipients.

- `suspend` / `reinstate`: an official cuts a company's access by hand with a reason, or a
  reaction does so in the transaction of the fact that made the company ineligible (a cause
  other than `manual`); reinstatement is a program manager's act, refused while an eligibility
  rule still fails. The rules belong to succession, asked through the bus
  (`domain.CheckHolderEligibility`), so this feature imports nothing above it.
- `certify` / `revoke_certification` / `certifications` / `expire_certifications`: the register
  in the manner of DLA's Joint Certification Program (named custodian, valid until, scope).
- `access_of` and `certification_of`: what the acts that move or open a copy check.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.clock import as_utc
from shokei.companies.domain import (
    Access,
    Certification,
    CertificationEnd,
    CertificationEnded,
    CheckHolderEligibility,
    CompanyCertified,
    CompanyReinstated,
    CompanySuspended,
    SuspensionCause,
    check_certification,
    expiring_within,
    parse_scope,
    require_reason,
)
from shokei.companies.models import Company, CompanyCertification
from shokei.companies.schemas import CertifiedRecipientView, CompanyView
from shokei.companies.services import (
    _id_for,
    _require,
    access_state,
    certification_view,
    certifications_in_force,
    suspension_view,
    views,
)
from shokei.errors import N_, Conflict, NotFound, Text, stored
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork


def _company(session: Session, identifier: str | int) -> Company:
    """By corporate number (any accepted spelling) or, from other use cases, by id."""
    company_id = identifier if isinstance(identifier, int) else _id_for(session, identifier)
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound(Text(N_("no company %(identifier)s"), {"identifier": identifier}))
    return company


def _view(session: Session, company: Company) -> CompanyView:
    return views(session, [company])[0]


# -- access -------------------------------------------------------------------------------------


def suspend(
    uow: UnitOfWork,
    actor: Actor | None,
    company: str | int,
    reason: str | Text,
    cause: SuspensionCause = SuspensionCause.MANUAL,
    *,
    details: dict[str, object] | None = None,
) -> CompanyView:
    """Cut a company's access: no download, no new copy, no dissemination from or to it.

    By hand (`cause` manual): program managers, with a reason; refused when already suspended.
    Any other cause is a reaction inside the transaction of the fact that caused it (a bus
    handler: the transaction is open, the actor is the one whose act caused it, the ledger entry
    is the system's); an already suspended company stays suspended as it was.
    """
    # A reason typed by an official is kept as typed; the system's is a catalogue message.
    text = stored(reason) if isinstance(reason, Text) else require_reason(reason)
    manual = cause is SuspensionCause.MANUAL
    if manual:
        if actor is None:
            raise Conflict(Text(N_("a suspension by hand names the official who made it")))
        _require(actor, Permission.COMPANY_ACCESS)
    elif not uow.in_transaction:
        raise RuntimeError("an automatic suspension is made inside the transaction of its cause")
    with uow.transaction() as session:
        row = _company(session, company)
        if row.suspended_since is not None:
            if manual:
                since = row.suspended_since.isoformat()
                raise Conflict(
                    Text(
                        N_("%(name)s is already suspended since %(since)s"),
                        {"name": row.name, "since": since},
                    )
                )
            return _view(session, row)
        row.suspended_since, row.suspension_reason, row.suspension_cause = uow.clock.now(), text, cause.value
        session.flush()
        after = suspension_view(row)
        assert after is not None
        uow.record(
            "company:access:suspend",
            "company",
            row.id,
            actor if manual else None,
            before={"access": Access.ACTIVE.value},
            after={"access": Access.SUSPENDED.value, **after.model_dump(mode="json")},
            details={
                "corporate_number": row.corporate_number,
                **({} if manual or actor is None else {"triggered_by": actor.username}),
                **(details or {}),
            },
        )
        uow.publish(CompanySuspended(row.id, cause, text))
        return _view(session, row)


def reinstate(uow: UnitOfWork, actor: Actor, company: str, reason: str) -> CompanyView:
    """Give a suspended company its access back. Program managers, with a reason; refused
    (Conflict) while an eligibility rule still fails, naming the rules and their evidence."""
    _require(actor, Permission.COMPANY_ACCESS)
    text = require_reason(reason)
    with uow.transaction() as session:
        row = _company(session, company)
        if row.suspended_since is None:
            raise Conflict(Text(N_("%(name)s is not suspended"), {"name": row.name}))
        failing: Sequence[tuple[str, Text]] = uow.handle(CheckHolderEligibility(row.id))
        if failing:
            rules = tuple(
                Text(N_("%(rule)s: %(evidence)s"), {"rule": rule, "evidence": why}) for rule, why in failing
            )
            msgid = N_("%(name)s cannot be reinstated while a rule still fails: %(rules)s")
            raise Conflict(Text(msgid, {"name": row.name, "rules": rules}))
        before = suspension_view(row)
        assert before is not None
        row.suspended_since = row.suspension_reason = row.suspension_cause = None
        session.flush()
        uow.record(
            "company:access:reinstate",
            "company",
            row.id,
            actor,
            before={"access": Access.SUSPENDED.value, **before.model_dump(mode="json")},
            after={"access": Access.ACTIVE.value},
            details={"corporate_number": row.corporate_number, "reason": text},
        )
        uow.publish(CompanyReinstated(row.id, text))
        return _view(session, row)


def access_of(uow: UnitOfWork, company_id: int) -> Access:
    """Whether the company may receive, open or pass on copies now (for the copy acts)."""
    with uow:
        session = uow.session
        row = session.get(Company, company_id)
        if row is None:
            raise NotFound(Text(N_("no company %(company_id)s"), {"company_id": company_id}))
        return access_state(row)


# -- the register of certified recipients ------------------------------------------------------


def certify(
    uow: UnitOfWork,
    actor: Actor,
    company: str,
    *,
    custodian: str,
    until: date,
    scope: str | Sequence[str] | None = None,
) -> CompanyView:
    """Certify a company as a recipient: its named data custodian, the last day the certification
    is valid, the scope tags it covers. A certification in force is superseded. Program managers
    and intake officers."""
    _require(actor, Permission.CERTIFICATION_WRITE)
    check_certification(custodian, until, uow.clock.today())
    tags = parse_scope(scope if isinstance(scope, str) or scope is None else ",".join(scope))
    with uow.transaction() as session:
        row = _company(session, company)
        previous = certifications_in_force(session, [row.id]).get(row.id)
        now = uow.clock.now()
        if previous is not None:
            previous.ended_at, previous.end_kind = now, CertificationEnd.SUPERSEDED.value
            previous.ended_by = actor.username
        certification = CompanyCertification(
            company_id=row.id,
            custodian=custodian.strip(),
            valid_until=until,
            scope=list(tags),
            certified_at=now,
            certified_by=actor.username,
        )
        session.add(certification)
        session.flush()
        uow.record(
            "company:certification:certify",
            "company",
            row.id,
            actor,
            before=certification_view(previous).model_dump(mode="json") if previous else None,
            after=certification_view(certification).model_dump(mode="json"),
            details={"corporate_number": row.corporate_number},
        )
        uow.publish(CompanyCertified(row.id, row.corporate_number, until))
        return _view(session, row)


def revoke_certification(uow: UnitOfWork, actor: Actor, company: str, reason: str) -> CompanyView:
    """Revoke the certification in force, with a reason; a company that holds copies or succeeds
    in an open case is suspended in the same transaction. Program managers and intake officers."""
    _require(actor, Permission.CERTIFICATION_WRITE)
    text = require_reason(reason)
    with uow.transaction() as session:
        row = _company(session, company)
        current = certifications_in_force(session, [row.id]).get(row.id)
        if current is None:
            raise Conflict(Text(N_("%(row)s holds no certification to revoke"), {"row": row.name}))
        _end(uow, actor, current, CertificationEnd.REVOKED, text)
        return _view(session, row)


def expire_certifications(uow: UnitOfWork, actor: Actor) -> list[CertifiedRecipientView]:
    """End every certification past its last valid day (the daily sweep); each holder that holds
    copies or succeeds in an open case is suspended in the same transaction. Program managers
    and intake officers."""
    _require(actor, Permission.CERTIFICATION_WRITE)
    today = uow.clock.today()
    with uow.transaction() as session:
        lapsed = list(
            session.execute(
                select(CompanyCertification)
                .where(CompanyCertification.ended_at.is_(None), CompanyCertification.valid_until < today)
                .order_by(CompanyCertification.company_id)
            ).scalars()
        )
        ended = _register_lines(session, lapsed, today)
        for row in lapsed:
            _end(uow, actor, row, CertificationEnd.EXPIRED, f"valid until {row.valid_until.isoformat()}")
        return ended


def _end(
    uow: UnitOfWork, actor: Actor, row: CompanyCertification, end: CertificationEnd, reason: str
) -> None:
    before = certification_view(row).model_dump(mode="json")
    row.ended_at, row.end_kind = uow.clock.now(), end.value
    row.end_reason, row.ended_by = reason, actor.username
    uow.session.flush()
    uow.record(
        f"company:certification:{'revoke' if end is CertificationEnd.REVOKED else 'expire'}",
        "company",
        row.company_id,
        actor,
        before=before,
        after=None,
        details={"reason": reason},
    )
    summary = (
        Text(N_("certification revoked: %(reason)s"), {"reason": reason})
        if end is CertificationEnd.REVOKED
        else Text(N_("certification expired %(until)s"), {"until": row.valid_until.isoformat()})
    )
    uow.publish(CertificationEnded(row.company_id, end, summary))


def certifications(
    uow: UnitOfWork, actor: Actor, expiring_within_days: int | None = None
) -> list[CertifiedRecipientView]:
    """The certifications in force, soonest to lapse first; with `expiring_within_days`, those
    valid until at most that many days from today (lapsed ones not yet swept included).
    Officials and auditors."""
    _require(actor, Permission.CERTIFICATION_READ)
    today = uow.clock.today()
    expiring_within(today, today, expiring_within_days)  # refuses a negative number of days
    with uow.transaction() as session:
        rows = [
            row
            for row in session.execute(
                select(CompanyCertification)
                .where(CompanyCertification.ended_at.is_(None))
                .order_by(CompanyCertification.valid_until, CompanyCertification.company_id)
            ).scalars()
            if expiring_within(row.valid_until, today, expiring_within_days)
        ]
        return _register_lines(session, rows, today)


def _register_lines(
    session: Session, rows: Sequence[CompanyCertification], today: date
) -> list[CertifiedRecipientView]:
    names = {
        company.id: company
        for company in session.execute(
            select(Company).where(Company.id.in_({row.company_id for row in rows}))
        ).scalars()
    }
    return [
        CertifiedRecipientView(
            corporate_number=names[row.company_id].corporate_number,
            name=names[row.company_id].name,
            custodian=row.custodian,
            until=row.valid_until,
            scope=list(row.scope or []),
            certified_at=as_utc(row.certified_at),
            certified_by=row.certified_by,
            valid=certification_fact(row).valid_on(today),
        )
        for row in rows
    ]


def certification_fact(row: CompanyCertification) -> Certification:
    return Certification(
        custodian=row.custodian,
        until=row.valid_until,
        scope=tuple(row.scope or ()),
        ended=CertificationEnd(row.end_kind) if row.end_kind else None,
        end_reason=row.end_reason,
    )


def certification_of(uow: UnitOfWork, company_id: int) -> Certification | None:
    """The company's latest certification as eligibility reads it: the one in force, else the
    last one revoked or expired (so the rule can say why), else None (never certified). A
    certification superseded by a newer one never is the latest."""
    with uow:
        session = uow.session
        row = session.execute(
            select(CompanyCertification)
            .where(CompanyCertification.company_id == company_id)
            .order_by(CompanyCertification.certified_at.desc(), CompanyCertification.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        return certification_fact(row) if row is not None else None


def latest_certifications(uow: UnitOfWork, company_ids: Sequence[int]) -> dict[int, Certification]:
    """`certification_of` for many companies at once (companies never certified are absent)."""
    with uow:
        session = uow.session
        wanted = sorted(set(company_ids))
        found: dict[int, Certification] = {}
        for start in range(0, len(wanted), 500):
            rows = session.execute(
                select(CompanyCertification)
                .where(CompanyCertification.company_id.in_(wanted[start : start + 500]))
                .order_by(CompanyCertification.certified_at, CompanyCertification.id)
            ).scalars()
            found.update({row.company_id: certification_fact(row) for row in rows})  # the latest wins
        return found
