"""pandas views of reachability answers (pandas is imported when a frame is asked for): one row per result, per hop,
or per key of a hop's witness context. The columns are fixed, in a fixed order, even when a frame is empty.

A frame is a data view of the answer, like :meth:`~trustgraph.queries.results.HopWitness.context_json`; the HTML
displays are rendering and live in :mod:`trustgraph.render.notebook`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from trustgraph.queries.results import HopWitness, ReachResult, path_of

if TYPE_CHECKING:
    import pandas as pd

RESULT_COLUMNS = ["source", "target", "verdict", "hops", "path", "reason", "approximate"]
HOP_COLUMNS = ["source", "target", "hop", "caller", "role", "action", "context", "statements"]
CONTEXT_COLUMNS = ["key", "value"]


def results_frame(results: Sequence[ReachResult], *, hops: bool = False) -> pd.DataFrame:
    """One row per result (source, target, verdict, hops, path, reason, approximate), or one row per hop."""
    import pandas as pd

    if hops:
        rows = [
            {"source": r.source, "target": r.target, "hop": i, "caller": h.source, "role": h.target,
             "action": h.action, "context": h.context_json(),
             "statements": [str(loc) for loc in h.statements]}
            for r in results for i, h in enumerate(r.hops, 1)
        ]
        return pd.DataFrame(rows, columns=HOP_COLUMNS)
    rows = [
        {"source": r.source, "target": r.target, "verdict": r.verdict.value, "hops": len(r.hops),
         "path": path_of(r.hops), "reason": r.reason, "approximate": r.approximate}
        for r in results
    ]
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def result_frame(result: ReachResult) -> pd.DataFrame:
    """One result as one row per hop (its witness path); an answer without hops gives an empty hop frame."""
    return results_frame([result], hops=True)


def hop_frame(hop: HopWitness) -> pd.DataFrame:
    """One hop's witness request context: one row per key (multi-valued keys keep their list of values)."""
    import pandas as pd

    rows = [{"key": k, "value": v[0] if len(v) == 1 else list(v)} for k, v in hop.context.items()]
    return pd.DataFrame(rows, columns=CONTEXT_COLUMNS)


__all__ = ["CONTEXT_COLUMNS", "HOP_COLUMNS", "RESULT_COLUMNS", "hop_frame", "result_frame", "results_frame"]
