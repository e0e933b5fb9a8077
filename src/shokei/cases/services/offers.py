"""Offers, counter-offers and the agreed amount: the negotiation history of a case.

An agreement is proposed by the purchase feature (with its standard terms, for a program
manager's approval): `record_offer(kind="agreement")` sends it the `ProposeAgreement` command,
and purchase records the agreed amount here with `record_agreed_amount`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import select

from shokei.accounts import services as accounts
from shokei.cases.domain import CaseState, Duty, ProposeAgreement
from shokei.cases.models import Offer
from shokei.cases.schemas import OfferView
from shokei.cases.services.access import load_case, snapshot
from shokei.cases.services.facts import refuse_if_took
from shokei.errors import N_, BadInput, Conflict, Forbidden, Text
from shokei.interests import services as interests
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork


class OfferKind(StrEnum):
    OFFER = "offer"
    COUNTER = "counter"
    AGREEMENT = "agreement"


def record_offer(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    amount_yen: int,
    kind: str = OfferKind.OFFER,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> OfferView:
    """Record an offer, a counter-offer or the agreed amount. Negotiators, while negotiating.

    An agreement is proposed through the purchase feature (with its standard terms), so a
    program manager always approves an agreement on record.
    """
    try:
        kind = OfferKind(kind)
    except ValueError:
        raise BadInput(
            Text(
                N_("offer kind %(kind)s is not one of: %(offerkind)s"),
                {"kind": repr(kind), "offerkind": ", ".join(OfferKind)},
            )
        ) from None
    if kind is OfferKind.AGREEMENT:
        command = ProposeAgreement(actor, case_id, amount_yen, note)
        unwired = Text(N_("an agreement is proposed by the purchase feature: use `shokei purchase agree`"))
        result: OfferView = uow.handle(command, unwired=unwired)
        return result
    return _record(uow, actor, case_id, amount_yen=amount_yen, kind=kind, note=note, details=details)


def check_offer(uow: UnitOfWork, actor: Actor, case_id: int) -> None:
    """Raise whatever recording an offer would refuse (role, state, separation of duties, a
    declared interest), changing nothing: the page offers the form only when it would be taken."""
    if not actor.can(Permission.CASE_NEGOTIATE):
        raise Forbidden(Text(N_("only a negotiator may record offers")))
    with uow:
        case = load_case(uow, actor, case_id)
        if case.state != CaseState.NEGOTIATING:
            raise Conflict(
                Text(
                    N_("offers are recorded while negotiating; the case is '%(state)s'"),
                    {"state": case.state},
                )
            )
        refuse_if_took(uow, actor, case.id, Duty.EXAMINED, so=Text(N_("so you may not negotiate it")))
        interests.refuse_if_conflicted(uow, actor, case.company_id, "negotiate")


def record_agreed_amount(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    amount_yen: int,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> OfferView:
    """The agreed amount, for the purchase feature's proposal (same checks as any offer)."""
    return _record(
        uow, actor, case_id, amount_yen=amount_yen, kind=OfferKind.AGREEMENT, note=note, details=details
    )


def _record(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    amount_yen: int,
    kind: OfferKind,
    note: str | None,
    details: dict[str, Any] | None,
) -> OfferView:
    if not actor.can(Permission.CASE_NEGOTIATE):
        raise Forbidden(Text(N_("only a negotiator may record offers")))
    if amount_yen <= 0:
        raise BadInput(Text(N_("an amount must be a positive number of yen")))
    with uow:
        check_offer(uow, actor, case_id)
        case = load_case(uow, actor, case_id)
        offer = Offer(
            case_id=case.id,
            kind=kind,
            amount_yen=amount_yen,
            made_by_id=actor.user_id,
            at=uow.clock.now(),
            note=note,
        )
        uow.session.add(offer)
        before = snapshot(case)
        if kind is OfferKind.AGREEMENT:
            case.agreed_amount_yen = amount_yen
        uow.session.flush()
        uow.record(
            f"case:offer:{kind}",
            "case",
            case.id,
            actor,
            before=before,
            after=snapshot(case),
            details={"amount_yen": amount_yen, **(details or {})},
        )
        return _offer_view(offer, actor.username)


def withdraw_agreed_amount(uow: UnitOfWork, actor: Actor, case_id: int, *, details: dict[str, Any]) -> None:
    """The proposed agreement is withdrawn before approval: no amount is agreed any more."""
    with uow:
        case = load_case(uow, actor, case_id)
        before = snapshot(case)
        case.agreed_amount_yen = None
        uow.session.flush()
        uow.record(
            "case:offer:withdraw",
            "case",
            case.id,
            actor,
            before=before,
            after=snapshot(case),
            details=details,
        )


def offers_of(uow: UnitOfWork, case_id: int) -> list[OfferView]:
    with uow:
        offers = list(
            uow.session.execute(select(Offer).where(Offer.case_id == case_id).order_by(Offer.id)).scalars()
        )
        users = accounts.usernames(uow, {o.made_by_id for o in offers})
        return [_offer_view(offer, users[offer.made_by_id]) for offer in offers]


def _offer_view(offer: Offer, made_by: str) -> OfferView:
    return OfferView(
        id=offer.id,
        kind=offer.kind,
        amount_yen=offer.amount_yen,
        made_by=made_by,
        at=offer.at,
        note=offer.note,
    )
