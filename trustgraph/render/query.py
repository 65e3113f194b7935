"""Rendering of query results: terminal table, JSON (the stable ``trustgraph query`` contract) and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from trustgraph.queries.results import ReachResult, path_of
from trustgraph.render.json_report import hop_json
from trustgraph.safe_text import csv_cell, rich_text


def result_json(result: ReachResult) -> dict[str, Any]:
    """One result as JSON (keys fixed by the CLI contract; ``approximate``, ``approximations`` and each hop's
    ``caller``, the principal that made the call, e.g. the session ARN with the session name used, added)."""
    return {
        "source": result.source,
        "target": result.target,
        "verdict": result.verdict.value,
        "hops": [{**hop_json(h), "caller": h.caller} for h in result.hops],
        "reason": result.reason,
        "approximate": result.approximate,
        "approximations": list(result.approximations),
    }


def render_query_json(query: Mapping[str, Any], results: Sequence[ReachResult]) -> str:
    """``{"query": {...}, "results": [...]}`` as indented JSON."""
    import orjson

    doc = {"query": dict(query), "results": [result_json(r) for r in results]}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"


def path_text(result: ReachResult) -> str:
    """``source -> role -> role`` with short labels."""
    return path_of(result.hops)


def render_query_csv(results: Sequence[ReachResult]) -> str:
    """One row per result; the path flattened and the per-hop contexts as compact JSON."""
    import orjson

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["source", "target", "verdict", "hops", "path", "contexts", "reason", "approximate"])
    for r in results:
        contexts = orjson.dumps([h.context_json() for h in r.hops]).decode() if r.hops else ""
        writer.writerow([csv_cell(c) for c in (r.source, r.target, r.verdict.value, str(len(r.hops)), path_text(r),
                                               contexts, r.reason or "", "yes" if r.approximate else "")])
    return buf.getvalue()


def render_query_table(results: Sequence[ReachResult], *, width: int | None = None,
                       zone: Mapping[str, Any] | None = None) -> str:
    """The zone's lines (when given), a rich table, one row per result, then each reachable path's hops with their
    witness context.

    Values from the exports are :class:`rich.text.Text` (never markup) with control characters shown as escapes.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=io.StringIO(), width=width or 160, force_terminal=False, color_system=None, markup=False,
                      highlight=False, emoji=False)
    if zone is not None:
        from trustgraph.render.table import clean
        from trustgraph.render.zone_text import zone_lines

        for line in zone_lines(zone):
            console.print(Text(clean(line)))
    table = Table(title=f"{len(results)} result(s)", show_lines=False)
    for col in ("verdict", "source", "target", "hops", "path / reason"):
        table.add_column(col, overflow="fold")
    for r in results:
        detail = path_text(r) if r.hops else (r.reason or "")
        mark = " (approximate)" if r.approximate else ""
        table.add_row(Text(r.verdict.value + mark), rich_text(r.source), rich_text(r.target), Text(str(len(r.hops))),
                      rich_text(detail))
    console.print(table)
    for r in results:
        if not r.hops:
            continue
        console.print()
        console.print(rich_text(f"{r.source} -> {r.target}"))
        for i, h in enumerate(r.hops, 1):
            ctx = ", ".join(f"{k}={v}" for k, v in h.context_json().items())
            console.print(rich_text(f"  {i}. {h.source} --{h.action}--> {h.target}"))
            if ctx:
                console.print(rich_text(f"     context: {ctx}"))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return str(out)
