"""pandas views of results, hops, findings and the graph (imported lazily: pandas is only needed in notebooks and
scripts), and :class:`FindingList`, the findings of a notebook scan. The frames of one answer or finding live with
the value (:mod:`trustgraph.queries.frames`, :mod:`trustgraph.checks.frames`, re-exported here).

Every frame has fixed columns, in a fixed order, even when empty, so notebook code can slice and pivot without
checking for missing columns. Node ids stay full (ARNs, ``account:ID``...); ``*_name`` columns carry the short labels
for display and grouping.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from trustgraph.checks.frames import FINDING_COLUMNS, SEVERITY_ORDER, findings_frame
from trustgraph.queries.frames import (
    CONTEXT_COLUMNS,
    HOP_COLUMNS,
    RESULT_COLUMNS,
    hop_frame,
    result_frame,
    results_frame,
)

if TYPE_CHECKING:
    import pandas as pd

    from trustgraph.checks.finding import Finding


@dataclass(frozen=True, slots=True)
class FindingList:
    """Findings of a scan with a table view (``to_frame``) and a notebook display, in scan order; ``zone`` is the
    zone of trust they are relative to (:meth:`Zone.describe`), which the display names first."""

    findings: tuple[Finding, ...]
    zone: Mapping[str, Any] | None = None

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    @overload
    def __getitem__(self, i: int) -> Finding: ...
    @overload
    def __getitem__(self, i: slice) -> FindingList: ...
    def __getitem__(self, i: int | slice) -> Finding | FindingList:
        if isinstance(i, slice):
            return FindingList(self.findings[i], self.zone)
        return self.findings[i]

    def where(self, *, check_id: str | None = None, severity: str | None = None, role: str | None = None,
              account: str | None = None) -> FindingList:
        """The findings matching every given field (``role`` may be a short name or an ARN)."""
        def keep(f: Any) -> bool:
            return ((check_id is None or f.check_id == check_id)
                    and (severity is None or f.severity.value == severity)
                    and (role is None or f.role == role or f.role.rsplit("/", 1)[-1] == role)
                    and (account is None or f.account == account))
        return FindingList(tuple(f for f in self.findings if keep(f)), self.zone)

    def worst(self) -> Finding | None:
        """The most severe finding (the first of them in scan order), or None."""
        return max(self.findings, key=lambda f: f.severity.rank, default=None)

    def to_frame(self) -> pd.DataFrame:
        """One row per finding (:func:`findings_frame`)."""
        return findings_frame(self.findings)

    def _repr_html_(self) -> str:
        from trustgraph.render.notebook import findings_html

        return findings_html(self.findings, zone=self.zone)

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
        parts = ", ".join(f"{counts[s]} {s}" for s in SEVERITY_ORDER if s in counts)
        return f"<FindingList {len(self.findings)} findings" + (f": {parts}>" if parts else ">")


NODE_COLUMNS = ["node", "kind", "account", "label", "inside", "admin", "in_degree", "out_degree"]
EDGE_COLUMNS = ["source", "target", "action", "kind", "needs_external_id", "needs_mfa", "cross_account", "summary"]


def graph_frame(G: Any, *, edges: bool = False) -> pd.DataFrame:
    """The trust graph's nodes (or edges) as a table; model objects (``entity``, ``trust``) are left out."""
    import pandas as pd

    if edges:
        rows = [{"source": u, "target": v, "action": d.get("action"), "kind": d.get("kind"),
                 "needs_external_id": bool(d.get("needs_external_id")), "needs_mfa": bool(d.get("needs_mfa")),
                 "cross_account": bool(d.get("cross_account")), "summary": d.get("summary")}
                for u, v, d in G.edges(data=True)]
        return pd.DataFrame(rows, columns=EDGE_COLUMNS)
    rows = [{"node": n, "kind": d.get("kind"), "account": d.get("account"), "label": d.get("label"),
             "inside": bool(d.get("inside")), "admin": bool(d.get("admin")), "in_degree": G.in_degree(n),
             "out_degree": G.out_degree(n)} for n, d in G.nodes(data=True)]
    return pd.DataFrame(rows, columns=NODE_COLUMNS)


__all__ = ["CONTEXT_COLUMNS", "EDGE_COLUMNS", "FINDING_COLUMNS", "HOP_COLUMNS", "NODE_COLUMNS", "RESULT_COLUMNS",
           "SEVERITY_ORDER", "FindingList", "findings_frame", "graph_frame", "hop_frame", "result_frame",
           "results_frame"]
