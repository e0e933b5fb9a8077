"""One in-memory SupplyGraph per database per process, kept current with the database.

Before every use the cache reads the one-row revision state (a primary-key lookup). If the map
moved on by supply changes only, it applies the logged changes with `add_supply`/`remove_supply`
(milliseconds); if it changed shape (systems, components, BOM) or the log no longer reaches back
far enough, it reloads. So a CLI import is seen by a running server on its next query, and the
national graph is loaded once, not per request.

Queries and updates on one graph are serialised by the cache's lock (the engine requires it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Connection, Engine

from shokei.supply_chain import store
from shokei.supply_chain.domain import SpofEntry
from shokei.supply_chain.engine import SupplyGraph
from shokei.supply_chain.loader import MapIndex, load_edges, snapshot

# Spare company ids in every loaded graph: companies first seen in an incremental supply change
# take one each; when they run out the graph reloads.
COMPANY_HEADROOM = 1_024
# The SPOF ranking is computed for at least this many companies and kept until the graph changes.
SPOF_KEEP = 1_000


@dataclass
class LoadedMap:
    """A graph with the keys its dense ids stand for, as of one revision of the database."""

    graph: SupplyGraph
    index: MapIndex
    generation: str | None
    revision: int
    # Companies added by incremental changes: corporate number (as int) -> dense id.
    added_companies: dict[int, int] = field(default_factory=dict)
    _ranking: list[SpofEntry] | None = None
    _ranked: int = 0  # how many entries the kept ranking was asked for

    @classmethod
    def load(cls, connection: Connection, state: store.MapState | None) -> LoadedMap:
        edges, index = load_edges(connection, company_headroom=COMPANY_HEADROOM)
        generation, revision = (state.generation, state.revision) if state else (None, 0)
        return cls(SupplyGraph(edges), index, generation, revision)

    def company(self, corporate_number: str) -> int | None:
        """The dense id of a company, or None when it has never had a qualified supply row."""
        number = int(corporate_number)
        position = int(np.searchsorted(self.index.companies, number))
        if position < self.index.companies.size and self.index.companies[position] == number:
            return position
        return self.added_companies.get(number)

    def corporate_number(self, company: int) -> str:
        if company < self.index.companies.size:
            return f"{int(self.index.companies[company]):013d}"
        found = next(number for number, dense in self.added_companies.items() if dense == company)
        return f"{found:013d}"

    def component(self, component_id: int) -> int | None:
        ids = self.index.component_ids
        position = int(np.searchsorted(ids, component_id))
        return position if position < ids.size and ids[position] == component_id else None

    def component_ids(self, dense: list[int]) -> list[int]:
        return [int(ident) for ident in self.index.component_ids[dense]]

    def system_ids(self, dense: list[int]) -> list[int]:
        return [int(ident) for ident in self.index.system_ids[dense]]

    def ranking(self, top: int) -> list[SpofEntry]:
        """The `top` single points of failure, from the kept ranking when it is long enough."""
        # A kept ranking shorter than it was asked for already holds every ranked company.
        if self._ranking is None or (top > self._ranked and len(self._ranking) == self._ranked):
            self._ranked = max(top, SPOF_KEEP)
            self._ranking = self.graph.single_points_of_failure(self._ranked)
        return self._ranking[:top]

    def apply(self, changes: list[store.SupplyChangeRow]) -> bool:
        """Apply logged supply changes; False when one cannot be applied (reload instead)."""
        for change in changes:
            component = self.component(change.component_id)
            company = self.company(change.corporate_number)
            if company is None and change.qualified:
                company = self._add_company(int(change.corporate_number))
            if component is None or (company is None and change.qualified):
                return False
            if company is not None:
                self.graph.add_supply(company, component, change.qualified)
        self._ranking = None
        return True

    def _add_company(self, number: int) -> int | None:
        dense = int(self.index.companies.size) + len(self.added_companies)
        if dense >= self.graph.n_companies:
            return None
        self.added_companies[number] = dense
        return dense


class GraphCache:
    """The current graph of one database, refreshed under a lock before each use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: LoadedMap | None = None

    @contextmanager
    def current(self, engine: Engine) -> Iterator[LoadedMap]:
        """The graph as of now, held exclusively until the block ends."""
        with self._lock:
            self._refresh(engine)
            assert self._loaded is not None
            yield self._loaded

    def _refresh(self, engine: Engine) -> None:
        with snapshot(engine) as connection:
            state = store.read_state(connection)
            if not self._catch_up(connection, state):
                self._loaded = LoadedMap.load(connection, state)

    def _catch_up(self, connection: Connection, state: store.MapState | None) -> bool:
        """Bring the loaded graph to `state` without a reload, if it can be done."""
        loaded = self._loaded
        if loaded is None or state is None or loaded.generation != state.generation:
            return loaded is not None and state is None and loaded.generation is None
        if loaded.revision == state.revision:
            return True
        if loaded.revision < state.log_from_revision or loaded.revision > state.revision:
            return False
        if not loaded.apply(store.read_changes(connection, loaded.revision, state.revision)):
            return False
        loaded.revision = state.revision
        return True


_caches: dict[str, GraphCache] = {}
_caches_lock = threading.Lock()


def cache_for(engine: Engine) -> GraphCache:
    """The process's cache for the database behind `engine` (engines to one database share it;
    the revision check makes that safe whatever each engine has seen)."""
    key = engine.url.render_as_string(hide_password=True)
    with _caches_lock:
        return _caches.setdefault(key, GraphCache())
