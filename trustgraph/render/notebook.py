"""HTML displays for Jupyter (``_repr_html_``): compact tables, paths as chains with the witness context in a detail
row. Every string from the exports is escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from trustgraph.graph.nodes import short_label
from trustgraph.queries.results import ReachResult

if TYPE_CHECKING:
    from trustgraph.queries.api import TrustGraph

_STYLE = ("<style>.tg-t{border-collapse:collapse;font-size:12px}.tg-t td,.tg-t th{border:1px solid #ddd;"
          "padding:2px 6px;text-align:left;vertical-align:top}.tg-ctx{color:#555;font-family:monospace}"
          ".tg-reachable{color:#b00020}.tg-unknown{color:#b36b00}.tg-unreachable{color:#2e7d32}</style>")


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def chain_html(result: ReachResult) -> str:
    """``source → role → role`` with each hop's context as a hover title and in a detail list."""
    if not result.hops:
        return _e(result.reason or "")
    parts = [f"<b>{_e(short_label(result.hops[0].source))}</b>"]
    details = []
    for i, h in enumerate(result.hops, 1):
        ctx = ", ".join(f"{k}={v}" for k, v in h.context_json().items())
        parts.append(f'<span title="{_e(ctx)}">{_e(short_label(h.target))}</span>')
        details.append(f"<div class='tg-ctx'>{i}. {_e(h.action)}: {_e(ctx)}</div>")
    return " &rarr; ".join(parts) + "<details><summary>witness</summary>" + "".join(details) + "</details>"


def results_html(results: Sequence[ReachResult], *, limit: int = 200) -> str:
    """A compact table of results."""
    rows = []
    for r in results[:limit]:
        approx = " (approximate)" if r.approximate else ""
        rows.append(
            f"<tr><td class='tg-{_e(r.verdict.value)}'>{_e(r.verdict.value)}{approx}</td><td>{_e(r.source)}</td>"
            f"<td>{_e(r.target)}</td><td>{len(r.hops)}</td><td>{chain_html(r)}</td></tr>"
        )
    more = f"<p>… {len(results) - limit} more</p>" if len(results) > limit else ""
    return (f"{_STYLE}<table class='tg-t'><tr><th>verdict</th><th>source</th><th>target</th><th>hops</th>"
            f"<th>path / reason</th></tr>{''.join(rows)}</table>{more}")


def graph_html(tg: TrustGraph) -> str:
    """A summary of a loaded trust graph: accounts, zone, counts by node kind."""
    kinds: dict[str, int] = {}
    for _, d in tg.graph.nodes(data=True):
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{v}</td></tr>" for k, v in sorted(kinds.items()))
    zone = tg.zone.describe()
    return (f"{_STYLE}<p><b>TrustGraph</b>: {len(tg.estate.accounts)} accounts, {tg.graph.number_of_edges()} "
            f"edges; zone accounts {_e(', '.join(zone['accounts']))}; organizations "  # type: ignore[arg-type]
            f"{_e(', '.join(zone['organizations']))}</p>"  # type: ignore[arg-type]
            f"<table class='tg-t'><tr><th>node kind</th><th>count</th></tr>{rows}</table>")
