"""pandas views of results, hops and findings (imported lazily: pandas is only needed in notebooks and scripts).

Every frame has fixed columns, in a fixed order, even when empty, so notebook code can slice and pivot without
checking for missing columns. Node ids stay full (ARNs, ``account:ID``...); ``*_name`` columns carry the short labels
for display and grouping.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from trustgraph.queries.results import HopWitness, ReachResult

if TYPE_CHECKING:
    import pandas as pd

    from trustgraph.checks.finding import Finding

RESULT_COLUMNS = ["source", "target", "verdict", "hops", "path", "reason", "approximate"]
HOP_COLUMNS = ["source", "target", "hop", "caller", "role", "action", "context", "statements"]
CONTEXT_COLUMNS = ["key", "value"]
FINDING_COLUMNS = ["severity", "check_id", "account", "role", "role_name", "source", "sources", "kind", "title",
                   "message", "hops", "path", "approximate", "suppressed_by", "remediation"]
#: Severities from the worst, for ordered categoricals and sorting.
SEVERITY_ORDER = ["critical", "high", "medium", "low"]


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
        return pd.DataFrame(rows, columns=HOP_COLUMNS)
    rows = [
        {"source": r.source, "target": r.target, "verdict": r.verdict.value, "hops": len(r.hops),
         "path": path_text(r), "reason": r.reason, "approximate": r.approximate}
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


def _path_of(hops: Sequence[HopWitness]) -> str:
    from trustgraph.graph.nodes import short_label

    if not hops:
        return ""
    return " -> ".join([short_label(hops[0].source), *(short_label(h.target) for h in hops)])


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """One row per finding; ``severity`` is an ordered categorical (critical > high > medium > low)."""
    import pandas as pd

    from trustgraph.graph.nodes import short_label

    rows = [
        {"severity": f.severity.value, "check_id": f.check_id, "account": f.account, "role": f.role,
         "role_name": short_label(f.role) if f.role.startswith("arn:") else f.role, "source": f.source,
         "sources": len(f.all_sources),
         "kind": f.kind.value, "title": f.title, "message": f.message, "hops": len(f.path), "path": _path_of(f.path),
         "approximate": f.approximate, "suppressed_by": f.suppressed_by, "remediation": f.remediation}
        for f in findings
    ]
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    frame["severity"] = pd.Categorical(frame["severity"], categories=SEVERITY_ORDER[::-1], ordered=True)
    return frame


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
