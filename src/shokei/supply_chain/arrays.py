"""Sorted-array primitives the supply-chain engine is built from: id array types, compressed sparse
rows (`Csr`) and vectorised set operations on sorted int64 keys (distinct values, runs, positions,
grouping).
They hold no supply-chain rules, only the numpy idioms every part of the engine (graph building,
impact queries, SPOF ranking) shares, so each of those modules reads as its own algorithm and the
measured choices (sorting instead of numpy's hash-based unique) are made in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
IdArray = IntArray | npt.NDArray[np.int32] | Sequence[int]


@dataclass(frozen=True, slots=True)
class Csr:
    """Row-compressed adjacency: the neighbours of row r are indices[indptr[r]:indptr[r+1]]."""

    indptr: IntArray
    indices: IntArray

    @classmethod
    def from_pairs(cls, rows: IntArray, columns: IntArray, n_rows: int) -> Csr:
        """Group (row, column) pairs by row; within a row columns keep their input order."""
        order = np.argsort(rows, kind="stable")
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        return cls(indptr, columns[order].astype(np.int64))

    def gather(self, rows: IntArray) -> tuple[IntArray, IntArray]:
        """Every (position in `rows`, neighbour) pair for the given rows, in one vector."""
        starts = self.indptr[rows]
        counts = self.indptr[rows + 1] - starts
        owner = np.repeat(np.arange(rows.size, dtype=np.int64), counts)
        # Offset of each neighbour within its row, then shifted to the row's start.
        row_offsets = np.repeat(np.cumsum(counts) - counts, counts)
        within = np.arange(owner.size, dtype=np.int64) - row_offsets
        return owner, self.indices[starts[owner] + within]

    def row(self, row: int) -> IntArray:
        """The neighbours of one row."""
        return self.indices[self.indptr[row] : self.indptr[row + 1]]


def unique_pairs(rows: IntArray, columns: IntArray, n_columns: int) -> tuple[IntArray, IntArray]:
    """Distinct (row, column) pairs, sorted by row then column."""
    width = max(n_columns, 1)
    keys = distinct_sorted(rows * width + columns)
    return keys // width, keys % width


def distinct_sorted(values: IntArray) -> IntArray:
    """The distinct values, ascending.

    Sorting, because numpy 2's hash-based np.unique (which np.isin and np.union1d call too) is
    ~50-100x slower on millions of mostly-distinct int64 keys (measured with numpy 2.4).
    """
    ordered = np.sort(values)
    return ordered[_run_starts(ordered)]


def _run_starts(ordered: IntArray) -> BoolArray:
    """True where a sorted array's value differs from the previous one."""
    starts = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return starts


def runs(ordered: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(value, first position, length) of each run of equal values in a sorted array."""
    first = np.flatnonzero(_run_starts(ordered)).astype(np.int64)
    return ordered[first], first, np.diff(np.append(first, ordered.size))


def counts_per_value(values: IntArray) -> tuple[IntArray, IntArray]:
    """Distinct values (ascending) and how often each occurs."""
    distinct, _, counts = runs(np.sort(values))
    return distinct, counts


def positions_in(sorted_ids: IntArray, values: IntArray) -> tuple[IntArray, BoolArray]:
    """Position of each value in a sorted id array, and whether it is there at all."""
    positions = np.searchsorted(sorted_ids, values)
    if sorted_ids.size == 0:
        return positions, np.zeros(values.size, dtype=bool)
    clipped = np.minimum(positions, sorted_ids.size - 1)
    present = (positions < sorted_ids.size) & (sorted_ids[clipped] == values)
    return clipped, present


def group_by(keys: IntArray, values: IntArray, wanted: IntArray) -> dict[int, tuple[int, ...]]:
    """Sorted values per key, for the keys in `wanted` only."""
    keep = positions_in(wanted, keys)[1] if wanted.size else np.zeros(keys.size, dtype=bool)
    order = np.lexsort((values[keep], keys[keep]))
    grouped_keys, grouped_values = keys[keep][order].tolist(), values[keep][order].tolist()
    groups: dict[int, list[int]] = {}
    for key, value in zip(grouped_keys, grouped_values, strict=True):
        groups.setdefault(key, []).append(value)
    return {key: tuple(group) for key, group in groups.items()}
