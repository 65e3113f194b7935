"""The twin of a loaded analysis that fast-path tests compare against: the same estate, zone and graph with an engine
of its own (an empty hop memo), at the same analysis time."""

from __future__ import annotations

from trustgraph.api import TrustGraph
from trustgraph.smt.session import SolverSession


def twin(tg: TrustGraph, session: SolverSession | None = None) -> TrustGraph:
    """A fresh :class:`TrustGraph` over ``tg``'s estate, zone and graph, at ``tg``'s analysis time, reading
    ``session`` when given. Two twins compared with each other share one session: which of several valid witnesses
    a hop gets depends on the order questions are asked in, so each on its own session may pick another one."""
    out = TrustGraph(tg.estate, tg.zone, tg.graph)
    out.engine.now_ms = tg.engine.now_ms
    if session is not None:
        out.engine.session = session
    return out
