"""Ownership use cases: foreign-control alerts and the thresholds they are raised at."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.audit import services as audit
from shokei.companies import services as companies
from shokei.errors import BadInput
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership.alerting import (
    OPEN,
    THRESHOLDS_SETTING,
    Evaluation,
    configured_levels,
)
from shokei.ownership.domain import (
    parse_alert_levels,
)
from shokei.ownership.models import (
    OwnershipAlert,
    OwnershipSetting,
)
from shokei.ownership.schemas import (
    AlertView,
    ThresholdsChange,
    ThresholdsView,
)
from shokei.ownership.service_support import _computed, _event, _require
from shokei.ownership.store import (
    whole_graph,
)
from shokei.ownership.views import (
    alert_views,
)


def list_alerts(
    uow: UnitOfWork, actor: Actor, *, status: str | None = None, company: str | None = None
) -> list[AlertView]:
    """Foreign-control alerts, newest first; `status` open or resolved. Officials and auditors."""
    _require(actor, Permission.OWNERSHIP_READ)
    if status not in (None, OPEN, "resolved"):
        raise BadInput(f"status {status!r} is not one of: open, resolved")
    with uow.transaction() as session:
        query = select(OwnershipAlert).order_by(OwnershipAlert.id.desc())
        if status:
            query = query.where(OwnershipAlert.status == status)
        if company:
            query = query.where(OwnershipAlert.company_id == companies.company_id_for(session, company))
        return alert_views(session, list(session.scalars(query)))


def get_thresholds(uow: UnitOfWork, actor: Actor) -> ThresholdsView:
    """The foreign-control thresholds alerts are raised at. Officials and auditors."""
    _require(actor, Permission.OWNERSHIP_READ)
    with uow.transaction() as session:
        return _thresholds_view(session)


def _thresholds_view(session: Session) -> ThresholdsView:
    setting = session.get(OwnershipSetting, THRESHOLDS_SETTING)
    return ThresholdsView(
        levels=[float(level / 100) for level in configured_levels(session)],
        updated_at=setting.updated_at if setting else None,
        updated_by=setting.updated_by if setting else None,
    )


def set_thresholds(uow: UnitOfWork, actor: Actor, levels: Sequence[str]) -> ThresholdsChange:
    """Set the thresholds (percent) and bring every company's alerts in line with them.

    Program managers and admins... and intake officers, who keep the registers. Audited.
    """
    _require(actor, Permission.OWNERSHIP_WRITE)
    try:
        parsed = parse_alert_levels(levels)
    except ValueError as error:
        raise BadInput(str(error)) from None
    with uow.transaction() as session:
        before = _thresholds_view(session)
        setting = session.get(OwnershipSetting, THRESHOLDS_SETTING) or OwnershipSetting(
            name=THRESHOLDS_SETTING
        )
        setting.value = [str(level) for level in parsed]
        setting.updated_at, setting.updated_by = uow.clock.now(), actor.username
        session.add(setting)
        session.flush()
        loaded = _computed(lambda: whole_graph(session, uow.clock.today()))
        outcome = Evaluation(session, loaded, actor, uow.clock.now(), "thresholds changed").run(None)
        after = _thresholds_view(session)
        event = _event(
            uow,
            actor,
            "ownership:thresholds:change",
            ("ownership_setting", THRESHOLDS_SETTING),
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
        audit.record_many(session, [event, *outcome.events])
        return ThresholdsChange(
            **after.model_dump(),
            alerts_raised=alert_views(session, outcome.raised),
            alerts_resolved=alert_views(session, outcome.resolved),
        )
