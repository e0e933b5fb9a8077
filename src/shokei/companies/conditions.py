"""Changed-condition reports (DCSA's FOCI "changed condition"): a company's own users, or an
official, report a change of ownership, management, finances or location.

Every report re-evaluates the company's eligibility (`domain.CompanyConditionChanged`, to which
succession reacts by suspending a holder that became ineligible). An ownership report becomes
an ownership event whose source is the report (`domain.RecordReportedOwnership`, handled by the
ownership feature); a financial report records financial distress on the company.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from shokei.companies.domain import (
    ChangeKind,
    CompanyConditionChanged,
    RecordReportedOwnership,
    SuspensionCause,
)
from shokei.companies.models import ChangeReport, Company
from shokei.companies.schemas import ChangeReportView
from shokei.companies.services import _id_for, _require, access_state, suspension_view
from shokei.errors import N_, BadInput, NotFound, Text
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork

_CAUSES = {
    ChangeKind.OWNERSHIP: SuspensionCause.OWNERSHIP,
    ChangeKind.FINANCIAL: SuspensionCause.RISK,
}


def _kind(text: str) -> ChangeKind:
    try:
        return ChangeKind(text)
    except ValueError:
        raise BadInput(
            Text(
                N_("kind %(text)s is not one of: %(changekind)s"),
                {"text": repr(text), "changekind": ", ".join(ChangeKind)},
            )
        ) from None


def _share(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise BadInput(Text(N_("share %(text)s is not a percentage"), {"text": repr(text)})) from None
    if not Decimal(0) <= value <= Decimal(100):
        raise BadInput(Text(N_("share %(text)s must be between 0 and 100 percent"), {"text": repr(text)}))
    return value


def report_change(
    uow: UnitOfWork,
    actor: Actor,
    company: str,
    *,
    kind: str,
    details: str,
    owner: str | None = None,
    owner_country: str | None = None,
    share: str | None = None,
) -> ChangeReportView:
    """Report a changed condition of a company: its own users (suppliers, successors) or
    officials. An ownership report names the holder (`owner`, with `owner_country` for a holder
    not yet known) and the share it now holds directly."""
    _require(actor, Permission.CONDITION_REPORT)
    change = _kind(kind)
    if not details.strip():
        raise BadInput(Text(N_("describe the change (--details)")))
    percent = _share(share)
    if change is ChangeKind.OWNERSHIP and (not owner or percent is None):
        raise BadInput(
            Text(N_("an ownership report names the holder (--owner) and the share it now holds (--share)"))
        )
    if change is not ChangeKind.OWNERSHIP and (owner or owner_country or share):
        raise BadInput(Text(N_("--owner, --owner-country and --share belong to an ownership report")))
    country = owner_country.strip().upper() if owner_country else None
    with uow.transaction() as session:
        row = session.get(Company, _id_for(session, company))
        if row is None or (actor.is_company_bound and actor.company_id != row.id):
            raise NotFound(
                Text(N_("no company with corporate number %(company)s"), {"company": company})
            )  # need-to-know
        report = ChangeReport(
            company_id=row.id,
            kind=change.value,
            details=details.strip(),
            owner=owner.strip() if owner else None,
            owner_country=country,
            share=percent,
            reported_by=actor.username,
            reported_at=uow.clock.now(),
        )
        session.add(report)
        session.flush()
        uow.record(
            "company:condition:report",
            "company",
            row.id,
            actor,
            details={
                "report": report.id,
                "kind": change.value,
                "details": report.details,
                "owner": report.owner,
                "owner_country": country,
                "share": str(percent) if percent is not None else None,
            },
        )
        if change is ChangeKind.FINANCIAL:
            record_distress(uow, actor, row.id, f"changed-condition report {report.id}")
        if change is ChangeKind.OWNERSHIP:
            assert report.owner is not None
            assert percent is not None
            report.ownership_change_id = uow.handle(
                RecordReportedOwnership(
                    actor, report.id, row.corporate_number or "", report.owner, country, str(percent)
                )
            )
        session.flush()
        summary = Text(
            N_("changed-condition report %(id)s (%(change)s): %(details)s"),
            {"id": report.id, "change": change.value, "details": report.details},
        )
        cause = _CAUSES.get(change, SuspensionCause.CHANGED_CONDITION)
        uow.publish(CompanyConditionChanged(row.id, cause, summary))
        return ChangeReportView(
            id=report.id,
            corporate_number=row.corporate_number,
            kind=change.value,
            details=report.details,
            owner=report.owner,
            owner_country=country,
            share=percent,
            ownership_change=report.ownership_change_id,
            reported_by=actor.username,
            reported_at=report.reported_at,
            access=access_state(row),
            suspension=suspension_view(row),
        )


def record_distress(uow: UnitOfWork, actor: Actor, company_id: int, source: str) -> None:
    """Record on the company that it is in financial distress (what eligibility's financial
    rule reads), naming the source: a financial report here, a credit event or restructuring
    recorded by the risk feature. Called by use cases that checked their own permission."""
    with uow.transaction() as session:
        row = session.get(Company, company_id)
        if row is None:
            raise NotFound(Text(N_("no company %(company_id)s"), {"company_id": company_id}))
        if row.financial_distress:
            return
        before = row.financial_distress
        row.financial_distress = True
        session.flush()
        uow.record(
            "company:facts:update",
            "company",
            row.id,
            actor,
            before={"financial_distress": before},
            after={"financial_distress": True},
            details={"source": source},
        )
