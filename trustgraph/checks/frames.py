"""pandas view of findings (pandas is imported when a frame is asked for): one row per finding, fixed columns.

A frame is a data view of the findings; their HTML display is rendering and lives in
:mod:`trustgraph.render.notebook`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from trustgraph.queries.results import path_of

if TYPE_CHECKING:
    import pandas as pd

    from trustgraph.checks.finding import Finding

FINDING_COLUMNS = ["severity", "check_id", "account", "role", "role_name", "source", "sources", "kind", "title",
                   "message", "hops", "path", "approximate", "suppressed_by", "remediation"]
#: Severities from the worst, for ordered categoricals and sorting.
SEVERITY_ORDER = ["critical", "high", "medium", "low"]


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """One row per finding; ``severity`` is an ordered categorical (critical > high > medium > low)."""
    import pandas as pd

    from trustgraph.graph.nodes import short_label

    rows = [
        {"severity": f.severity.value, "check_id": f.check_id, "account": f.account, "role": f.role,
         "role_name": short_label(f.role) if f.role.startswith("arn:") else f.role, "source": f.source,
         "sources": len(f.all_sources),
         "kind": f.kind.value, "title": f.title, "message": f.message, "hops": len(f.path), "path": path_of(f.path),
         "approximate": f.approximate, "suppressed_by": f.suppressed_by, "remediation": f.remediation}
        for f in findings
    ]
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    frame["severity"] = pd.Categorical(frame["severity"], categories=SEVERITY_ORDER[::-1], ordered=True)
    return frame


__all__ = ["FINDING_COLUMNS", "SEVERITY_ORDER", "findings_frame"]
