"""Every z3 run of this process, counted and timed, wherever it is made.

The solver session counts the questions its dispatcher sends to z3 (``SolverStats.solver_calls``), and the engine
the hops it sends to the dispatcher; neither sees a question asked some other way (a check's own hop through
``ScanContext.solve_hop`` on an engine other than the one a counter reads, the permission solver of the escalation
edges, the string abstraction's rounds, the deletions of an unsat core), so a check could spend minutes in z3 and
show 0 solver calls. :func:`z3_metered` counts at the bottom instead: every ``z3.Solver.check`` (tactic solvers
included: they are ``Solver`` objects) made while the block runs, with the wall time spent inside it.

It patches the method on the class for the duration of the block and restores it on exit; worker processes forked
inside the block inherit the patch, but their counts stay in the workers (only this process's runs are counted).
Blocks may be nested: each counts what ran inside it.

Examples
--------
>>> import z3
>>> with z3_metered() as meter:
...     _ = z3.Solver().check()
>>> meter.checks, meter.seconds >= 0
(1, True)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Z3Meter:
    """What ran inside one :func:`z3_metered` block: ``checks`` (``Solver.check`` calls) and ``seconds`` in them."""

    checks: int = 0
    seconds: float = 0.0

    def as_detail(self) -> dict[str, float | int]:
        """The counts as a phase's detail entries (``z3_checks``, ``z3_seconds``)."""
        return {"z3_checks": self.checks, "z3_seconds": round(self.seconds, 3)}


@contextmanager
def z3_metered() -> Iterator[Z3Meter]:
    """Count and time every ``z3.Solver.check`` of this process while the block runs (see the module docstring)."""
    import z3  # type: ignore[import-untyped]

    meter = Z3Meter()
    inner = z3.Solver.check

    def check(self: object, *assumptions: object) -> object:
        start = time.perf_counter()
        try:
            return inner(self, *assumptions)
        finally:
            meter.checks += 1
            meter.seconds += time.perf_counter() - start

    z3.Solver.check = check
    try:
        yield meter
    finally:
        z3.Solver.check = inner


__all__ = ["Z3Meter", "z3_metered"]
