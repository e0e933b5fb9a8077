"""Continuous eligibility: a company that holds copies of design documents, or is the selected
successor of an open case, must keep satisfying the holder rules (`domain.HOLDER_RULES`:
domestic, foreign ownership, financial health, security compliance and certification).

When a fact moves (an ownership event, a risk event, a certification revoked or expired, a
changed-condition report), `protect_holder` re-evaluates the company in the transaction of the
fact and, if a rule fails, suspends it there with the cause (`companies.access.suspend`); the
refusal of a reinstatement while a rule fails asks `holder_refusals` through the bus.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shokei.cases import services as cases
from shokei.companies import access
from shokei.companies import services as companies
from shokei.companies.domain import Access, CompanyRecord, SuspensionCause, cause_name
from shokei.errors import N_, Conflict, Forbidden, Text, from_stored
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from shokei.succession.domain import CandidateFacts, EligibilityThresholds, RuleResult, check_holder
from shokei.succession.models import HandoverCopy
from shokei.succession.ownership_source import direct_share, integrated_share


def holder_facts(uow: UnitOfWork, company: CompanyRecord) -> CandidateFacts:
    """What the holder rules read about `company`, as of now (inside the caller's transaction,
    so the fact being recorded is already seen)."""
    number = company.corporate_number or ""
    exposure = (
        ownership.exposure_for_invariants(uow, number, acquisitions_since=uow.clock.today())
        if number
        else None
    )
    return CandidateFacts(
        corporate_number=number,
        name=company.name,
        country=company.country,
        foreign_ownership=integrated_share(exposure) if exposure is not None else direct_share(company),
        financial_distress=company.financial_distress,
        security_compliant_until=company.security_compliant_until,
        certification=access.certification_of(uow, company.id),
    )


def holder_refusals(uow: UnitOfWork, company_id: int) -> tuple[RuleResult, ...]:
    """The holder rules `company_id` fails today (empty: none)."""
    with uow.transaction():
        company = companies.records_by_id(uow, [company_id]).get(company_id)
        if company is None:
            return ()
        facts = holder_facts(uow, company)
        results = check_holder(facts, uow.clock.today(), EligibilityThresholds())
        return tuple(result for result in results if not result.passed)


def rules_failed(failing: tuple[RuleResult, ...]) -> tuple[Text, ...]:
    """Each failing rule named with its evidence, as refusals show them in the user's language."""
    return tuple(
        Text(N_("%(rule)s: %(evidence)s"), {"rule": rule.name, "evidence": rule.evidence}) for rule in failing
    )


def require_holder(uow: UnitOfWork, company_id: int, *, act: str | Text) -> None:
    """Refuse `act` (a release, download, hand-over or dissemination) for the company that would
    receive, open or pass on a copy, inside the act's transaction, naming the rule that fails:

    - `access` (Forbidden, exit 3): the company is suspended;
    - a holder rule (Conflict, exit 4): domestic, foreign_ownership, financial_health,
      security_compliance, each with its evidence. Security compliance reads the certification:
      a company with a certification record must be certified today ("certification revoked:
      ..." or "certification expired ..."); a company never certified is judged on its security
      compliance alone (docs/protection.md).
    """
    with uow:
        company = companies.records_by_id(uow, [company_id]).get(company_id)
        if company is None:
            raise Conflict(Text(N_("%(act)s refused: no company %(id)s"), {"act": act, "id": company_id}))
        if access.access_of(uow, company_id) is Access.SUSPENDED:
            since = company.suspended_since.date().isoformat() if company.suspended_since else "?"
            raise Forbidden(
                Text(
                    N_(
                        "%(act)s refused: access: %(name)s is suspended since %(since)s "
                        "(%(cause)s): %(reason)s"
                    ),
                    {
                        "act": act,
                        "name": company.name,
                        "since": since,
                        "cause": cause_name(company.suspension_cause),
                        "reason": from_stored(company.suspension_reason or ""),
                    },
                )
            )
        failing = holder_refusals(uow, company_id)
        if failing:
            raise Conflict(
                Text(
                    N_("%(act)s refused: %(name)s fails %(rules)s"),
                    {"act": act, "name": company.name, "rules": rules_failed(failing)},
                )
            )


def copies_held(session: Session, company_id: int) -> int:
    """How many copies the company still holds: issued or recalled, not yet destroyed (read-only
    over the register of copies)."""
    return int(
        session.execute(
            select(func.count()).where(
                HandoverCopy.recipient_company_id == company_id, HandoverCopy.status != "destroyed"
            )
        ).scalar_one()
    )


def protect_holder(uow: UnitOfWork, company_id: int, *, cause: SuspensionCause, trigger: Text) -> bool:
    """Suspend `company_id` in this transaction if it holds copies or succeeds in an open case
    and now fails a holder rule; the ledger names the trigger, the rules and their evidence.
    True when it was suspended now."""
    with uow.transaction() as session:
        company = companies.records_by_id(uow, [company_id]).get(company_id)
        if company is None or access.access_of(uow, company_id) is Access.SUSPENDED:
            return False
        copies, succeeding = copies_held(session, company_id), cases.open_successions(uow, company_id)
        if not copies and not succeeding:
            return False
        failing = holder_refusals(uow, company_id)
        if not failing:
            return False
        reason = Text("%(trigger)s — %(rules)s", {"trigger": trigger, "rules": rules_failed(failing)})
        access.suspend(
            uow,
            None,
            company_id,
            reason,
            cause,
            details={
                "trigger": trigger.render(),
                "rules": {rule.name: rule.reason for rule in failing},
                "copies": copies,
                "cases": succeeding,
            },
        )
        return True
