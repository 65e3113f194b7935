"""The diff report as JSON (version 1, schema ``trustgraph/schemas/diff-report-v1.schema.json``), a terminal table
and Markdown for a pull-request comment.

JSON shape::

    {"version": 1, "zone": {...}, "zone_from": "new"|"options", "old": [paths], "new_inputs": [paths],
     "new": [entry], "resolved": [entry], "unchanged": N, "guards_lost": [guard]}
    entry: {"id", "check_id", "title", "severity", "kind", "role", "source", "source_class", "message",
            "path": [node ids], "actions", "witness": [hop]}   (witness: the full witness, when the scan kept it)
    guard: {"role", "guard", "key", "verdict", "source", "witness": [hop], "replayed", "old_statements",
            "new_statements"}
"""

from __future__ import annotations

import json
from typing import Any

from trustgraph.render.json_report import hop_json
from trustgraph.render.table import clean
from trustgraph.render.zone_text import zone_lines
from trustgraph.report.diff import DiffEntry, DiffReport, GuardLost

#: The version of the diff JSON report.
DIFF_REPORT_VERSION = 1

FORMATS = ("table", "json", "markdown")


def entry_json(e: DiffEntry) -> dict[str, Any]:
    """One (check, role, source) entry."""
    return {"id": e.id, "check_id": e.check_id, "title": e.title, "severity": e.severity.value,
            "kind": e.kind.value, "role": e.role, "source": e.source, "source_class": e.source_class,
            "message": e.message, "path": list(e.nodes), "actions": list(e.actions),
            "witness": [hop_json(h) for h in e.witness]}


def guard_json(g: GuardLost) -> dict[str, Any]:
    """One lost guard."""
    return {"role": g.role, "guard": g.guard, "key": g.key, "verdict": g.verdict, "source": g.source,
            "witness": [hop_json(h) for h in g.witness], "replayed": g.replayed,
            "old_statements": list(g.old_statements), "new_statements": list(g.new_statements)}


def diff_json(report: DiffReport) -> dict[str, Any]:
    """The JSON document of a diff."""
    return {"version": DIFF_REPORT_VERSION, "zone": dict(report.zone), "zone_from": report.zone_from,
            "old": list(report.old_inputs), "new_inputs": list(report.new_inputs),
            "new": [entry_json(e) for e in report.new], "resolved": [entry_json(e) for e in report.resolved],
            "unchanged": report.unchanged, "guards_lost": [guard_json(g) for g in report.guards_lost]}


def _zone_from(report: DiffReport) -> str:
    return ("zone computed from NEW, applied to both" if report.zone_from == "new"
            else "zone from the options, applied to both")


def _path(e: DiffEntry) -> str:
    return " -> ".join(e.nodes) if e.nodes else "-"


def _context(g: GuardLost) -> str:
    if not g.witness:
        return ""
    ctx = g.witness[-1].context_json()
    return ", ".join(f"{k}={v}" for k, v in sorted(ctx.items()))


def render_table(report: DiffReport) -> str:
    """Plain text: the zone, a summary line, then new findings, lost guards and resolved findings."""
    lines = [clean(line) for line in zone_lines(report.zone)]
    lines.append(f"({_zone_from(report)})")
    lines.append(f"diff: {len(report.new)} new, {len(report.resolved)} resolved, {report.unchanged} unchanged, "
                 f"{len(report.guards_lost)} guard(s) lost")
    if report.new:
        lines.append("")
        lines.append("NEW")
        lines.extend(clean(f"  [{e.severity.value}] {e.check_id} {e.role} from {e.source} ({e.kind.value}): "
                           f"{_path(e)}") for e in report.new)
    if report.guards_lost:
        lines.append("")
        lines.append("GUARDS LOST")
        for g in report.guards_lost:
            lines.append(clean(f"  {g.role}: {g.guard} ({g.key}) no longer required [{g.verdict}]; "
                               f"witness from {g.source}{' (replayed)' if g.replayed else ''}: {_context(g)}"))
    if report.resolved:
        lines.append("")
        lines.append("RESOLVED")
        lines.extend(clean(f"  [{e.severity.value}] {e.check_id} {e.role} from {e.source}") for e in report.resolved)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Cell text: control characters escaped, and the characters Markdown tables and code spans read."""
    return clean(text).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'").replace("<", "&lt;")


def render_markdown(report: DiffReport) -> str:
    """A pull-request comment: summary, then tables of new findings, lost guards and resolved findings."""
    out = ["### trustgraph diff", "",
           f"**{len(report.new)} new**, {len(report.resolved)} resolved, {report.unchanged} unchanged, "
           f"{len(report.guards_lost)} guard(s) lost", "",
           f"Zone: {_md(zone_lines(report.zone)[0])} ({_zone_from(report)})", ""]
    if report.new:
        out += ["#### New findings", "", "| severity | check | role | source | path |", "|---|---|---|---|---|"]
        out += [f"| {e.severity.value} | {_md(e.check_id)} | {_md(e.role)} | {_md(e.source)} | {_md(_path(e))} |"
                for e in report.new]
        out.append("")
    if report.guards_lost:
        out += ["#### Guards lost", "", "| role | guard | key | verdict | witness request |", "|---|---|---|---|---|"]
        out += [f"| {_md(g.role)} | {_md(g.guard)} | {_md(g.key)} | {g.verdict} | {_md(_context(g))} |"
                for g in report.guards_lost]
        out.append("")
    if report.resolved:
        out += ["#### Resolved", "", "| severity | check | role | source |", "|---|---|---|---|"]
        out += [f"| {e.severity.value} | {_md(e.check_id)} | {_md(e.role)} | {_md(e.source)} |"
                for e in report.resolved]
        out.append("")
    return "\n".join(out) + "\n"


def render_diff(report: DiffReport, fmt: str) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return json.dumps(diff_json(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(report)
    return render_table(report)


__all__ = ["DIFF_REPORT_VERSION", "FORMATS", "diff_json", "entry_json", "guard_json", "render_diff",
           "render_markdown", "render_table"]
