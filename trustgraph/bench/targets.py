"""The performance targets of issue 19 and each bench figure against them (PASS/FAIL).

The targets are stated for 20,000 roles in 200 accounts, on every profile; at other sizes the verdict says how the
run compares, not whether the target is met. A figure the run did not measure (no ``--process``, ``--scaling`` or
``--cloudsplaining``) is ``not measured``, never a pass.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trustgraph.bench.results import BenchResult

PASS, FAIL, NOT_MEASURED = "PASS", "FAIL", "not measured"
#: the verdict of every figure of a run ended at its ``--budget`` (a blow-up, never a pass)
OVER_BUDGET = "over budget"


@dataclass(frozen=True, slots=True)
class Target:
    """A figure, its goal and how a measurement is compared with it."""

    id: str
    title: str
    goal: str
    unit: str
    limit: float
    meets: Callable[[float, float], bool]
    measure: Callable[[BenchResult], float | None]


@dataclass(frozen=True, slots=True)
class TargetRow:
    """One figure of one run against its target."""

    id: str
    title: str
    goal: str
    measured: float | None
    unit: str
    result: str


def _process_ratio(r: BenchResult) -> float | None:
    return r.process.ratio if r.process is not None else None


def _cloudsplaining(r: BenchResult) -> float | None:
    return r.cloudsplaining.get("ratio") if r.cloudsplaining else None


def _wcr(key: str) -> Callable[[BenchResult], float | None]:
    def measure(r: BenchResult) -> float | None:
        try:
            value = r.phase("who_can_reach").detail.get(key)
        except KeyError:
            return None
        return float(value) if value is not None else None
    return measure


def _scaling(r: BenchResult) -> float | None:
    return r.scaling.get("ratio") if r.scaling else None


def _memory(r: BenchResult) -> float | None:
    return r.memory.get("total_peak_mb")


TARGETS: tuple[Target, ...] = (
    Target("json-floor", "whole `scan` process / json-only process", "<= 15x", "x", 15.0, operator.le,
           _process_ratio),
    Target("cloudsplaining", "Cloudsplaining time per role / trustgraph's", ">= 50x", "x", 50.0, operator.ge,
           _cloudsplaining),
    Target("wcr-median", "who_can_reach median", "< 10 ms", "ms", 10.0, operator.lt, _wcr("median_ms")),
    Target("wcr-p99", "who_can_reach p99", "< 100 ms", "ms", 100.0, operator.lt, _wcr("p99_ms")),
    Target("scaling", "time of 10x the roles / time of 1x", "<= 11x", "x", 11.0, operator.le, _scaling),
    Target("memory", "peak memory, workers included", "< 400 MB", "MB", 400.0, operator.lt, _memory),
)
"""Issue 19's targets, in the order the bench prints them."""


def evaluate(result: BenchResult) -> tuple[TargetRow, ...]:
    """Every target against ``result``."""
    rows = []
    for t in TARGETS:
        value = t.measure(result) if result.complete else None
        missing = NOT_MEASURED if result.complete else OVER_BUDGET
        verdict = missing if value is None else (PASS if t.meets(value, t.limit) else FAIL)
        rows.append(TargetRow(t.id, t.title, t.goal, None if value is None else round(value, 2), t.unit, verdict))
    return tuple(rows)
