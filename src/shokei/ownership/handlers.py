"""The ownership feature's bus subscriptions: the ownership changes companies report about
themselves (changed-condition reports) become ownership events."""

from __future__ import annotations

from shokei.companies.domain import RecordReportedOwnership
from shokei.kernel.bus import MessageBus
from shokei.ownership import services


def register(bus: MessageBus) -> None:
    bus.register(RecordReportedOwnership, services.record_reported_interest)
