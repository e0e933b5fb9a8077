"""The moves and requests the purchase feature makes for the cases feature: approving and
cancelling a purchase (they commit and release the fiscal year's budget), and an agreement
proposed through `case offer --kind agreement`."""

from __future__ import annotations

from shokei.cases.domain import ApprovePurchase, CancelPurchase, ProposeAgreement
from shokei.kernel.bus import MessageBus
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services
from shokei.purchase.schemas import ApprovalView, PurchaseView


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


def register(bus: MessageBus) -> None:
    bus.register(ApprovePurchase, approve)
    bus.register(CancelPurchase, cancel)
    bus.register(ProposeAgreement, services.propose_agreement)
