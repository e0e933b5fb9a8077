"""The moves and requests the purchase feature makes for the cases feature: approving and
cancelling a purchase (they commit and release the fiscal year's budget), and an agreement
proposed through `case offer --kind agreement`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shokei.cases.domain import ApprovePurchase, CancelPurchase, ProposeAgreement
from shokei.kernel.bus import MessageBus
from shokei.kernel.imports import on_first_use
from shokei.kernel.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from shokei.cases.schemas import OfferView
    from shokei.purchase import services
    from shokei.purchase.schemas import ApprovalView, PurchaseView
else:
    services = on_first_use("shokei.purchase.services")


def approve(uow: UnitOfWork, move: ApprovePurchase) -> ApprovalView:
    return services.approve_purchase(
        uow, move.actor, move.case_id, override_reason=move.reason, expected_version=move.expected_version
    )


def cancel(uow: UnitOfWork, move: CancelPurchase) -> PurchaseView:
    return services.cancel_purchase(
        uow,
        move.actor,
        move.case_id,
        reason=move.reason or "",
        expected_version=move.expected_version,
        approved_only=True,
    )


def propose(uow: UnitOfWork, command: ProposeAgreement) -> OfferView:
    return services.propose_agreement(uow, command)


def register(bus: MessageBus) -> None:
    bus.register(ApprovePurchase, approve)
    bus.register(CancelPurchase, cancel)
    bus.register(ProposeAgreement, propose)
