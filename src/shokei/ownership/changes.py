"""Recording an ownership event: one holder's direct stake in one company set to a new share.

The stake before is ended on the event's date and the new one starts that day, so the history
of a holding stays in the interests; the event itself is kept as an `OwnershipChange`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.orm import Session

from shokei.errors import N_, BadInput, Text
from shokei.ownership.domain import HUNDRED, Directness, InterestType
from shokei.ownership.models import PERCENT_SCALE, OwnershipChange, OwnershipEntity, OwnershipInterest
from shokei.ownership.store import active_on


def parse_percent(text: str | Decimal) -> Decimal:
    """A share in percent, 0 to 100; raises BadInput otherwise."""
    try:
        value = Decimal(str(text).strip().rstrip("%"))
    except ArithmeticError:
        raise BadInput(
            Text(N_("share %(text)s is not a number (percent, e.g. 12.5)"), {"text": repr(text)})
        ) from None
    if not value.is_finite() or not Decimal(0) <= value <= HUNDRED:
        raise BadInput(Text(N_("share %(text)s must be between 0 and 100 (percent)"), {"text": repr(text)}))
    return value


def current_stakes(session: Session, owner_id: int, owned_id: int, day: date) -> list[OwnershipInterest]:
    """The stakes of `owner` in `owned` in force on `day`."""
    row = OwnershipInterest
    return list(
        session.scalars(
            select(row)
            .where(row.owner_id == owner_id, row.owned_id == owned_id, row.stake.is_not(None), active_on(day))
            .order_by(row.id)
        )
    )


def held_by_others(session: Session, owner_id: int, owned_id: int, day: date) -> Decimal:
    """The stakes in `owned` in force on `day`, other than `owner`'s, in percent."""
    row = OwnershipInterest
    total = session.scalar(
        select(func.sum(type_coerce(row.stake, BigInteger))).where(
            row.owned_id == owned_id, row.owner_id != owner_id, row.stake.is_not(None), active_on(day)
        )
    )
    return Decimal(int(total or 0)) / PERCENT_SCALE


def set_stake(
    session: Session,
    owner: OwnershipEntity,
    owned: OwnershipEntity,
    share: Decimal,
    *,
    effective: date,
    today: date,
    source: str | None,
    now: datetime,
    recorded_by: str,
) -> OwnershipChange:
    """End `owner`'s stakes in `owned` on `effective` and start one of `share` (none for 0).

    Raises BadInput when the owners of `owned` would hold more than 100 %, or when a stake in
    force starts after `effective` (an event cannot be dated before what it replaces).
    """
    if owner.id == owned.id:
        raise BadInput(Text(N_("an entity cannot hold shares in itself")))
    if held_by_others(session, owner.id, owned.id, today) + share > HUNDRED:
        raise BadInput(Text(N_("the owners of %(owned)s would hold more than 100 %%"), {"owned": owned.name}))
    replaced = current_stakes(session, owner.id, owned.id, today)
    if any(row.start_date and row.start_date > effective for row in replaced):
        raise BadInput(
            Text(
                N_("a stake of %(owner)s in %(owned)s starts after %(effective)s"),
                {"owner": owner.name, "owned": owned.name, "effective": effective},
            )
        )
    for row in replaced:
        row.end_date = effective
    before = sum((row.stake or Decimal(0) for row in replaced), Decimal(0)) if replaced else None
    if share > 0:
        record_id = replaced[0].record_id if replaced else None
        session.add(
            _new_stake(
                owner,
                owned,
                share,
                effective=effective,
                source=source,
                now=now,
                record_id=record_id,
                position=_next_position(session, record_id),
            )
        )
    change = OwnershipChange(
        owner_id=owner.id,
        owned_id=owned.id,
        before=before,
        after=share,
        effective_date=effective,
        source=source,
        recorded_at=now,
        recorded_by=recorded_by,
    )
    session.add(change)
    session.flush()
    return change


def _next_position(session: Session, record_id: str | None) -> int:
    if record_id is None:
        return 0
    last = session.scalar(
        select(func.max(OwnershipInterest.position)).where(OwnershipInterest.record_id == record_id)
    )
    return 0 if last is None else int(last) + 1


def _new_stake(
    owner: OwnershipEntity,
    owned: OwnershipEntity,
    share: Decimal,
    *,
    effective: date,
    source: str | None,
    now: datetime,
    record_id: str | None,
    position: int,
) -> OwnershipInterest:
    # A stake that replaces one read from BODS joins its relationship record, so that an export
    # shows the old interest ended and the new one started in the same relationship.
    return OwnershipInterest(
        owner_id=owner.id,
        owned_id=owned.id,
        interest_type=InterestType.SHAREHOLDING.value,
        directness=Directness.DIRECT.value,
        share={"exact": str(share)},
        voting=None,
        stake=share,
        appoints_board=False,
        beneficial=None,
        details=None,
        start_date=effective,
        end_date=None,
        source=source,
        record_id=record_id,
        position=position,
        created_at=now,
    )
