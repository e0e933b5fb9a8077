"""The holdings register: every copy a company holds (case, document, copy id, the copy it was
derived from, status) and every case it is involved in — as the supplier that withdraws, the
selected successor, or a subcontractor holding a copy derived from the successor's.

Succession sits above companies in the feature DAG, so the use case lives here and its command
is added to the `company` group by this feature's CLI (`shokei company holdings CORPNO`); the
company page shows it as a box of this feature's pages; the ownership feature's alerts ask for
the summary through the bus (`ownership.domain.CompanyHoldings`), the register of designated
secrets a document's holders (`secrets.domain.DocumentHolders`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.cases import services as cases
from shokei.companies import services as companies
from shokei.errors import N_, Forbidden, NotFound, Text
from shokei.kernel import Actor, Role, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession.models import HandoverCopy
from shokei.succession.schemas import HeldCase, HeldCopy, HoldingsView

SUPPLIER, SUCCESSOR, SUBCONTRACTOR = "supplier", "successor", "subcontractor"


def holdings_summary(session: Session, company_ids: Sequence[int]) -> dict[int, tuple[int, tuple[int, ...]]]:
    """{company id: (copies held — issued or recalled —, the cases they belong to)}; companies
    that hold none are absent."""
    found: dict[int, tuple[int, set[int]]] = {}
    wanted = sorted(set(company_ids))
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(HandoverCopy.recipient_company_id, HandoverCopy.case_id).where(
                HandoverCopy.recipient_company_id.in_(wanted[start : start + 500]),
                HandoverCopy.status != "destroyed",
            )
        ).all()
        for company_id, case_id in rows:
            count, cases = found.get(company_id, (0, set()))
            cases.add(case_id)
            found[company_id] = (count + 1, cases)
    return {company_id: (count, tuple(sorted(cases))) for company_id, (count, cases) in found.items()}


def document_holders(session: Session, document_ids: Sequence[int]) -> dict[int, list[tuple[str, str, str]]]:
    """{document id: [(corporate number, name, copy id), ...]} of the copies not destroyed (issued
    or recalled) of these documents, for the register of designated secrets."""
    found: dict[int, list[tuple[str, str, str]]] = {}
    wanted = sorted(set(document_ids))
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(
                HandoverCopy.document_id,
                HandoverCopy.recipient_corporate_number,
                HandoverCopy.recipient_name,
                HandoverCopy.copy_id,
            )
            .where(
                HandoverCopy.document_id.in_(wanted[start : start + 500]), HandoverCopy.status != "destroyed"
            )
            .order_by(HandoverCopy.id)
        ).all()
        for document_id, number, name, copy_id in rows:
            found.setdefault(document_id, []).append((number, name, copy_id))
    return found


def flag_subcontracted_cases(uow: UnitOfWork, company_id: int, *, cause: str, reason: str) -> list[int]:
    """Flag the open cases the suspended company holds a subcontractor's copy in (derived, not
    yet destroyed), in the suspension's transaction: cases flags those it is supplier or
    successor in itself, and knows nothing of subcontractors."""
    with uow.transaction() as session:
        held = dict.fromkeys(_subcontracted_cases(session, company_id), SUBCONTRACTOR)
        return cases.flag_cases(uow, company_id, held, cause=cause, reason=reason)


def _subcontracted_cases(session: Session, company_id: int) -> list[int]:
    return list(
        session.execute(
            select(HandoverCopy.case_id)
            .where(
                HandoverCopy.recipient_company_id == company_id,
                HandoverCopy.parent_copy_id.is_not(None),
                HandoverCopy.status != "destroyed",
            )
            .distinct()
            .order_by(HandoverCopy.case_id)
        ).scalars()
    )


def company_holdings(uow: UnitOfWork, actor: Actor, company: str) -> HoldingsView:
    """The holdings register of one company: officials and auditors; a company's own users for
    their own company (a successor never learns which supplier's case it is not in)."""
    if not actor.is_official and actor.role is not Role.AUDITOR and not actor.is_company_bound:
        raise Forbidden(Text(N_("%(role)s may not see holdings"), {"role": role_name(actor.role)}))
    with uow.transaction() as session:
        company_id = companies.company_id_for(uow, company)
        if actor.is_company_bound and actor.company_id != company_id:
            raise NotFound(Text(N_("no company %(company)s"), {"company": company}))
        copies = list(
            session.execute(
                select(HandoverCopy)
                .where(HandoverCopy.recipient_company_id == company_id)
                .order_by(HandoverCopy.case_id, HandoverCopy.id)
            ).scalars()
        )
        roles: dict[int, str] = {}
        withdrawing, succeeding = cases.cases_of_company(uow, company_id)
        for case_id in withdrawing:
            roles[case_id] = SUPPLIER
        for case_id in succeeding:
            roles.setdefault(case_id, SUCCESSOR)
        for row in copies:
            roles.setdefault(row.case_id, SUCCESSOR if row.parent_copy_id is None else SUBCONTRACTOR)
        states = {case_id: ref.state.value for case_id, ref in cases.case_refs(uow, roles).items()}
        return HoldingsView(
            corporate_number=company,
            copies=[
                HeldCopy(
                    copy_id=row.copy_id,
                    case_id=row.case_id,
                    document=row.document_id,
                    parent_copy_id=row.parent_copy_id,
                    status=row.status,
                )
                for row in copies
            ],
            cases=[
                HeldCase(id=case_id, as_=roles[case_id], state=states[case_id]) for case_id in sorted(roles)
            ],
        )
