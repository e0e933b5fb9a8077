"""Foreign-control alerts: the use cases that list them and set the thresholds they are raised
at, and the evaluation that raises and resolves them in the transaction of the change that
moves a company's figures.

After any change to stakes, the companies whose figures moved are compared with the configured
thresholds (`domain.alert_changes`). Each alert raised names the chain of entities that carries
the most foreign ownership to the company, preferring a chain through the stake just changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import numpy as np
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shokei.companies import services as companies
from shokei.errors import N_, BadInput, Text
from shokei.kernel import Actor, AuditEvent, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership.domain import (
    DEFAULT_ALERT_LEVELS,
    HUNDRED,
    AlertChanges,
    CompanyHoldings,
    EntityKind,
    ForeignControlCrossed,
    alert_changes,
    foreign_control,
    parse_alert_levels,
    reaches,
)
from shokei.ownership.engine import Chain
from shokei.ownership.models import (
    OwnershipAlert,
    OwnershipEntity,
    OwnershipSetting,
)
from shokei.ownership.presenters import (
    Namer,
    alert_views,
    chain_json,
)
from shokei.ownership.schemas import (
    AlertHoldingsView,
    AlertView,
    ChainView,
    ThresholdsChange,
    ThresholdsView,
)
from shokei.ownership.services.support import _computed, _event, _require
from shokei.ownership.store import (
    BATCH,
    LoadedGraph,
    affected_closure,
    batches,
    ids_in,
    whole_graph,
)


def list_alerts(
    uow: UnitOfWork, actor: Actor, *, status: str | None = None, company: str | None = None
) -> list[AlertView]:
    """Foreign-control alerts, newest first; `status` open or resolved. Officials and auditors."""
    _require(actor, Permission.OWNERSHIP_READ)
    if status not in (None, OPEN, "resolved"):
        raise BadInput(Text(N_("status %(status)s is not one of: open, resolved"), {"status": repr(status)}))
    with uow.transaction() as session:
        query = select(OwnershipAlert).order_by(OwnershipAlert.id.desc())
        if status:
            query = query.where(OwnershipAlert.status == status)
        if company:
            query = query.where(OwnershipAlert.company_id == companies.company_id_for(uow, company))
        return with_holdings(uow, alert_views(uow, list(session.scalars(query))))


def with_holdings(uow: UnitOfWork, views: list[AlertView]) -> list[AlertView]:
    """Each alert with what its company holds (`domain.CompanyHoldings`, answered by the feature
    that keeps the register of copies; left empty where no feature answers)."""
    if not views or not uow.bus.handles(CompanyHoldings):
        return views
    with uow.transaction() as session:
        company_of = dict(
            session.execute(
                select(OwnershipAlert.id, OwnershipAlert.company_id).where(
                    OwnershipAlert.id.in_([view.id for view in views])
                )
            ).all()
        )
        held: Mapping[int, tuple[int, Sequence[int]]] = uow.handle(
            CompanyHoldings(tuple(sorted(set(company_of.values()))))
        )
    empty: tuple[int, Sequence[int]] = (0, ())
    return [
        view.model_copy(
            update={
                "holdings": AlertHoldingsView(
                    copies=held.get(company_of[view.id], empty)[0],
                    cases=list(held.get(company_of[view.id], empty)[1]),
                )
            }
        )
        for view in views
    ]


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
        outcome = Evaluation(uow, loaded, actor, uow.clock.now(), "thresholds changed").run(None)
        after = _thresholds_view(session)
        event = _event(
            uow,
            actor,
            "ownership:thresholds:change",
            ("ownership_setting", THRESHOLDS_SETTING),
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
        uow.record_many([event, *outcome.events])
        outcome.publish(uow)
        return ThresholdsChange(
            **after.model_dump(),
            alerts_raised=alert_views(uow, outcome.raised),
            alerts_resolved=alert_views(uow, outcome.resolved),
        )


THRESHOLDS_SETTING = "alert_thresholds"
OPEN, RESOLVED = "open", "resolved"
# Chains looked at when searching for one through the changed stake: each more costs a longer
# search, and past the first few a chain carries too little to be the cause worth naming.
_CHAIN_CANDIDATES = 5


def configured_levels(session: Session) -> tuple[Decimal, ...]:
    """The alert thresholds in percent: as configured, else the defaults (1, 10, 25, 50)."""
    setting = session.get(OwnershipSetting, THRESHOLDS_SETTING)
    return parse_alert_levels(setting.value) if setting is not None else DEFAULT_ALERT_LEVELS


def watched_companies() -> Select[int, int | None]:
    """Entities that are Japanese registry companies (foreign ones are foreign anyway)."""
    return select(OwnershipEntity.id, OwnershipEntity.company_id).where(
        OwnershipEntity.company_id.is_not(None), OwnershipEntity.kind == EntityKind.REGISTERED_COMPANY.value
    )


@dataclass
class Outcome:
    """Alerts raised and resolved by one change, and the ledger events that record them."""

    raised: list[OwnershipAlert] = field(default_factory=list)
    resolved: list[OwnershipAlert] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)
    # One per company whose alerts changed, for `publish` (other features react to them).
    crossings: list[ForeignControlCrossed] = field(default_factory=list)

    def publish(self, uow: UnitOfWork) -> None:
        """Publish the crossings on the unit of work (in the transaction of the change)."""
        for crossing in self.crossings:
            uow.publish(crossing)


@dataclass
class Evaluation:
    """The context of one evaluation (in the transaction of `uow`): the graph after the change
    and what caused it."""

    uow: UnitOfWork
    loaded: LoadedGraph
    actor: Actor
    now: datetime
    cause: str
    change_id: int | None = None
    changed_stake: tuple[int, int] | None = None  # engine ids of holder and held
    # The registry company of each watched entity among those evaluated, when the caller read
    # it with the graph (else it is looked up).
    companies: Mapping[int, int] | None = None

    @property
    def session(self) -> Session:
        return self.uow.session

    def run(self, entity_ids: Iterable[int] | None) -> Outcome:
        """Raise and resolve alerts for the registry companies among `entity_ids` (None: all)."""
        levels = configured_levels(self.session)
        watched = self._watched(entity_ids)
        open_alerts = self._open_alerts([company_id for _, company_id in watched])
        decisions = [
            (entity_id, company_id, measures, changes)
            for entity_id, company_id in self._candidates(watched, open_alerts, levels)
            for measures in [self._measures(self.loaded.local(entity_id))]
            for changes in [
                alert_changes(measures["foreign_control"], open_alerts.get(company_id, {}), levels)
            ]
            if changes.to_raise or changes.to_resolve
        ]
        chains = self._chains([entity_id for entity_id, _, _, changes in decisions if changes.to_raise])
        outcome = Outcome()
        for entity_id, company_id, measures, changes in decisions:
            self._apply(
                entity_id,
                company_id,
                measures,
                changes,
                open_alerts.get(company_id, {}),
                chain=chains.get(entity_id),
                outcome=outcome,
            )
        self.session.flush()
        self._record(outcome)
        return outcome

    def _candidates(
        self,
        watched: list[tuple[int, int]],
        open_alerts: Mapping[int, Mapping[Decimal, int]],
        levels: Sequence[Decimal],
    ) -> list[tuple[int, int]]:
        """The watched companies whose alerts may change: those whose foreign control reaches
        other thresholds than their open alerts are for. For the rest (the same thresholds
        reached as alerted, most often none) there is nothing to raise or resolve, and nothing
        is worth computing: read from the measures' arrays at once, as `alert_changes` would
        decide it (a national event leaves thousands of companies' alerts as they were)."""
        if not watched:
            return []
        graph = self.loaded.graph
        local = np.searchsorted(self.loaded.ids, np.array([entity for entity, _ in watched], dtype=np.int64))
        control = np.maximum(graph.integrated_foreign_share[local], graph.controlled_share[local]).tolist()
        fractions = [(level, float(level / HUNDRED)) for level in levels]
        nothing: Mapping[Decimal, int] = {}
        return [
            pair
            for pair, value in zip(watched, control, strict=True)
            if {level for level, fraction in fractions if reaches(value, fraction)}
            != set(open_alerts.get(pair[1], nothing))
        ]

    def _watched(self, entity_ids: Iterable[int] | None) -> list[tuple[int, int]]:
        if entity_ids is not None and self.companies is not None:
            known = self.companies
            return [
                (entity_id, known[entity_id]) for entity_id in sorted(set(entity_ids)) if entity_id in known
            ]
        if entity_ids is None:
            rows = list(self.session.execute(watched_companies()))
        else:
            rows = [
                row
                for batch in batches(entity_ids)
                for row in self.session.execute(watched_companies().where(OwnershipEntity.id.in_(batch)))
            ]
        return [(entity_id, company_id) for entity_id, company_id in rows if company_id is not None]

    def _open_alerts(self, company_ids: Sequence[int]) -> dict[int, dict[Decimal, int]]:
        """The open alerts of `company_ids`: company -> threshold -> alert id (plain rows; only
        the alerts to resolve are loaded as objects)."""
        alert = OwnershipAlert
        found: dict[int, dict[Decimal, int]] = {}
        query = select(alert.company_id, alert.threshold, alert.id).where(
            ids_in(self.session, alert.company_id, company_ids), alert.status == OPEN
        )
        for company_id, threshold, alert_id in self.session.execute(query):
            found.setdefault(company_id, {})[threshold] = alert_id
        return found

    def _apply(
        self,
        entity_id: int,
        company_id: int,
        measures: dict[str, float],
        changes: AlertChanges,
        open_alerts: dict[Decimal, int],
        *,
        chain: ChainView | None,
        outcome: Outcome,
    ) -> None:
        for level in changes.to_raise:
            alert = OwnershipAlert(
                company_id=company_id,
                entity_id=entity_id,
                threshold=level,
                status=OPEN,
                measures=measures,
                chain=chain_json(chain),
                cause=self.cause,
                change_id=self.change_id,
                raised_at=self.now,
            )
            self.session.add(alert)
            outcome.raised.append(alert)
        for level in changes.to_resolve:
            alert = self.session.get_one(OwnershipAlert, open_alerts[level])
            alert.status, alert.resolved_at = RESOLVED, self.now
            alert.resolved_cause, alert.resolved_measures = self.cause, measures
            outcome.resolved.append(alert)
        outcome.crossings.append(
            ForeignControlCrossed(
                company_id,
                measures["foreign_control"],
                tuple(changes.to_raise),
                tuple(changes.to_resolve),
                self.cause,
            )
        )

    def _measures(self, local: int) -> dict[str, float]:
        figures = self.loaded.graph.measures(local)
        return {
            "direct": figures.direct,
            "integrated": figures.integrated,
            "attributed": figures.controlled_share,
            "foreign_control": foreign_control(figures.integrated, figures.controlled_share),
        }

    def _chains(self, entity_ids: Sequence[int]) -> dict[int, ChainView]:
        """The chain to name for each company, its entities' names fetched at once."""
        found: dict[int, Chain] = {}
        for entity_id in entity_ids:
            chains = self.loaded.graph.chains(self.loaded.local(entity_id), top=_CHAIN_CANDIDATES)
            if chains:
                found[entity_id] = _through(chains, self.changed_stake) or chains[0]
        namer = Namer(self.uow)
        namer.load(self.loaded.entity(local) for chain in found.values() for local in chain.path)
        return {entity_id: namer.chain(self.loaded, chain) for entity_id, chain in found.items()}

    def _record(self, outcome: Outcome) -> None:
        raised = alert_views(self.uow, outcome.raised)
        resolved = alert_views(self.uow, outcome.resolved)
        outcome.events.extend(
            AuditEvent(
                "ownership:alert:raise",
                "ownership_alert",
                str(view.id),
                self.now,
                self.actor,
                after=view.model_dump(mode="json"),
            )
            for view in raised
        )
        outcome.events.extend(
            AuditEvent(
                "ownership:alert:resolve",
                "ownership_alert",
                str(view.id),
                self.now,
                self.actor,
                before={"status": OPEN},
                after=view.model_dump(mode="json"),
            )
            for view in resolved
        )


def _through(chains: Sequence[Chain], stake: tuple[int, int] | None) -> Chain | None:
    if stake is None:
        return None
    return next(
        (
            chain
            for chain in chains
            if any(pair == stake for pair in zip(chain.path, chain.path[1:], strict=False))
        ),
        None,
    )


def _reevaluate(session: Session, uow: UnitOfWork, actor: Actor, seeds: set[int], cause: str) -> Outcome:
    """Recompute the entities below `seeds` (over them and all their holders); alert on them.

    A change touching more entities than one batch of ids (a national import) is evaluated
    over the whole graph, which is then cheaper than walking from every seed.
    """
    if not seeds:
        return Outcome()
    today, now = uow.clock.today(), uow.clock.now()
    if len(seeds) > BATCH:
        loaded = _computed(lambda: whole_graph(session, today))
        outcome = Evaluation(uow, loaded, actor, now, cause).run(None)
    else:
        affected = _computed(lambda: affected_closure(session, seeds, today))
        evaluation = Evaluation(uow, affected.loaded, actor, now, cause, companies=affected.companies)
        outcome = evaluation.run(affected.below)
    outcome.publish(uow)
    return outcome
