"""What the cases feature says on the bus: the commands that ask the owning feature to make a
move, and the events other features react to."""

from __future__ import annotations

from dataclasses import dataclass

from shokei.cases.domain.states import CaseState, TransitionName
from shokei.kernel import Actor
from shokei.kernel.bus import Command, Event

# -- moves another feature makes -------------------------------------------------------------
# A move that carries another feature's records (a determination, a budget commitment, a
# successor's eligibility) is made by that feature. The generic transition sends the feature's
# command on the bus; the feature registers its handler at start-up, so cases imports none of them.


@dataclass(frozen=True, slots=True)
class OwnedMove(Command):
    """Ask the owning feature to make `name` on a case, with what the generic transition was given."""

    actor: Actor
    case_id: int
    name: TransitionName
    reason: str | None = None
    successor: str | None = None
    expected_version: int | None = None


class DetermineCase(OwnedMove):
    """Made by examination: weighed under the examination policy."""

    __slots__ = ()


class ApprovePurchase(OwnedMove):
    """Made by purchase: commits the fiscal year's budget."""

    __slots__ = ()


class CancelPurchase(OwnedMove):
    """Made by purchase: releases the committed budget."""

    __slots__ = ()


class SelectSuccessor(OwnedMove):
    """Made by succession: eligibility, the reason and the successor's notice."""

    __slots__ = ()


class RecordHandOver(OwnedMove):
    """Made by succession: needs the successor's acceptance of the terms."""

    __slots__ = ()


class DecideMeasure(OwnedMove):
    """Made by measures: an escalated case's measure is decided and recorded (a measure of its
    own, `take_measure`, or negotiation reopened, `reopen_negotiation`)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class ProposeAgreement(Command):
    """`case offer --kind agreement`: the purchase feature proposes it with its standard terms."""

    actor: Actor
    case_id: int
    amount_yen: int
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CaseOpened(Event):
    """An exit notice was registered (published in the transaction that opens the case)."""

    case_id: int
    company_id: int
    actor_id: int | None


@dataclass(frozen=True, slots=True)
class CaseMoved(Event):
    """A case made a move (published in the transaction of the move)."""

    case_id: int
    name: TransitionName
    source: CaseState
    target: CaseState
    actor_id: int | None
