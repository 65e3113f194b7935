"""pandas views of results and findings (imported lazily: pandas is only needed in notebooks and scripts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from trustgraph.queries.results import ReachResult

if TYPE_CHECKING:
    import pandas as pd


def results_frame(results: Sequence[ReachResult], *, hops: bool = False) -> pd.DataFrame:
    """One row per result (source, target, verdict, hops, path, reason, approximate), or one row per hop."""
    import pandas as pd

    from trustgraph.render.query import path_text

    if hops:
        rows = [
            {"source": r.source, "target": r.target, "hop": i, "caller": h.source, "role": h.target,
             "action": h.action, "context": h.context_json(),
             "statements": [str(loc) for loc in h.statements]}
            for r in results for i, h in enumerate(r.hops, 1)
        ]
        columns = ["source", "target", "hop", "caller", "role", "action", "context", "statements"]
    else:
        rows = [
            {"source": r.source, "target": r.target, "verdict": r.verdict.value, "hops": len(r.hops),
             "path": path_text(r), "reason": r.reason, "approximate": r.approximate}
            for r in results
        ]
        columns = ["source", "target", "verdict", "hops", "path", "reason", "approximate"]
    return pd.DataFrame(rows, columns=columns)
