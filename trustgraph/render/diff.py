"""The diff report as JSON (version 2, schema ``trustgraph/schemas/diff-report-v2.schema.json``; version 1's schema
stays beside it for reference), a terminal table and Markdown for a pull-request comment; SARIF is
:mod:`trustgraph.render.diff_sarif`.

JSON shape::

    {"version": 2, "zone": {...}, "zone_from": "new"|"options", "analysis_time": ISO 8601, "old": [paths],
     "new_inputs": [paths], "new": [entry], "resolved": [entry], "unchanged": N, "guards_lost": [guard]}
    entry: {"id", "check_id", "title", "severity", "kind", "role", "source", "source_class", "message",
            "path": [node ids], "actions", "witness": [hop]}   (witness: the full witness, when the scan kept it)
    guard: {"role", "guard", "guards", "key", "keys", "change", "verdict", "source", "source_class",
            "witness": [hop], "replayed", "approximations", "old_decision", "old_reasons", "old_statements",
            "new_statements"}
"""

from __future__ import annotations

import json
from typing import Any

from trustgraph.render.json_report import hop_json
from trustgraph.render.table import clean
from trustgraph.render.zone_text import zone_lines
from trustgraph.report.diff import DiffEntry, DiffReport, GuardLost
from trustgraph.safe_text import markdown_code

#: The version of the diff JSON report.
DIFF_REPORT_VERSION = 2

FORMATS = ("table", "json", "markdown", "sarif")


def entry_json(e: DiffEntry) -> dict[str, Any]:
    """One (check, role, source) entry."""
    return {"id": e.id, "check_id": e.check_id, "title": e.title, "severity": e.severity.value,
            "kind": e.kind.value, "role": e.role, "source": e.source, "source_class": e.source_class,
            "message": e.message, "path": list(e.nodes), "actions": list(e.actions),
            "witness": [hop_json(h) for h in e.witness]}


def guard_json(g: GuardLost) -> dict[str, Any]:
    """One lost guard."""
    return {"role": g.role, "guard": g.guard, "guards": list(g.guards or (g.guard,)), "key": g.key,
            "keys": list(g.keys), "change": g.change, "verdict": g.verdict, "source": g.source,
            "source_class": g.source_class, "witness": [hop_json(h) for h in g.witness], "replayed": g.replayed,
            "approximations": list(g.approximations), "old_decision": g.old_decision,
            "old_reasons": list(g.old_reasons), "old_statements": list(g.old_statements),
            "new_statements": list(g.new_statements)}


def diff_json(report: DiffReport) -> dict[str, Any]:
    """The JSON document of a diff."""
    return {"version": DIFF_REPORT_VERSION, "zone": dict(report.zone), "zone_from": report.zone_from,
            "analysis_time": report.analysis_time, "old": list(report.old_inputs),
            "new_inputs": list(report.new_inputs),
            "new": [entry_json(e) for e in report.new], "resolved": [entry_json(e) for e in report.resolved],
            "unchanged": report.unchanged, "guards_lost": [guard_json(g) for g in report.guards_lost]}


def _zone_from(report: DiffReport) -> str:
    return ("zone computed from NEW, applied to both" if report.zone_from == "new"
            else "zone from the options, applied to both")


def _path(e: DiffEntry) -> str:
    return " -> ".join(e.nodes) if e.nodes else "-"


def _context(g: GuardLost) -> str:
    if not g.witness:
        return "; ".join(g.old_reasons)
    ctx = g.witness[-1].context_json()
    return ", ".join(f"{k}={v}" for k, v in sorted(ctx.items()))


def _guards(g: GuardLost) -> str:
    names = ", ".join(g.guards or (g.guard,))
    return f"{names} ({', '.join(g.keys)})" if g.keys else names


def _caller(g: GuardLost) -> str:
    return (g.witness[-1].caller or g.source) if g.witness else g.source


def _where(entries: tuple[DiffEntry, ...]) -> dict[str, str]:
    """By entry id, ``file:line`` of each statement the entry's witness names (a template's statements included:
    ``diff --cloudformation`` locates them in the template), for the terminal."""
    from trustgraph.report.positions import statement_positions

    cited = [loc for e in entries for h in e.witness for loc in h.statements]
    positions = statement_positions(cited) if cited else {}
    out: dict[str, str] = {}
    for e in entries:
        shown = [f"{loc.file}:{positions[loc].line}" if loc in positions else str(loc)
                 for h in e.witness for loc in h.statements]
        if shown:
            out[e.id] = ", ".join(dict.fromkeys(shown))
    return out


def render_table(report: DiffReport) -> str:
    """Plain text: the zone, a summary line, then new findings, lost guards and resolved findings."""
    lines = [clean(line) for line in zone_lines(report.zone)]
    lines.append(f"({_zone_from(report)}; analysis time {report.analysis_time})")
    lines.append(f"diff: {len(report.new)} new, {len(report.resolved)} resolved, {report.unchanged} unchanged, "
                 f"{len(report.guards_lost)} guard(s) lost")
    if report.new:
        lines.append("")
        lines.append("NEW")
        where = _where(report.new)
        for e in report.new:
            lines.append(clean(f"  [{e.severity.value}] {e.check_id} {e.role} from {e.source} ({e.kind.value}): "
                               f"{_path(e)}"))
            if where.get(e.id):
                lines.append(clean(f"    where {where[e.id]}"))
    if report.guards_lost:
        lines.append("")
        lines.append("GUARDS LOST (a request NEW allows and OLD denies)")
        for g in report.guards_lost:
            lines.append(clean(f"  {g.role} from {g.source}: {_guards(g)} [{g.change}, {g.verdict}"
                               f"{', replayed' if g.replayed else ''}]"))
            if g.witness:
                lines.append(clean(f"    witness: {_caller(g)} calls {g.witness[-1].action} with {_context(g)}"))
                lines.append(clean(f"    OLD: {g.old_decision}; {'; '.join(g.old_reasons)}"))
            else:
                lines.append(clean(f"    {_context(g)}"))
    if report.resolved:
        lines.append("")
        lines.append("RESOLVED")
        lines.extend(clean(f"  [{e.severity.value}] {e.check_id} {e.role} from {e.source}") for e in report.resolved)
    return "\n".join(lines) + "\n"


def _path_md(e: DiffEntry) -> str:
    return " → ".join(markdown_code(n) for n in e.nodes) if e.nodes else "-"


def _guard_md(name: str) -> str:
    prefix = "condition on "
    return prefix + markdown_code(name[len(prefix):]) if name.startswith(prefix) else name


def _guards_md(g: GuardLost) -> str:
    names = ", ".join(_guard_md(n) for n in g.guards or (g.guard,))
    return f"{names} ({', '.join(markdown_code(k) for k in g.keys)})" if g.keys else names


def _witness_md(g: GuardLost) -> str:
    if not g.witness:
        return markdown_code(_context(g))
    hop = g.witness[-1]
    ctx = hop.context_json()
    shown = {k: v for k, v in ctx.items() if k.lower() in {x.lower() for x in g.keys}
             or k in ("aws:PrincipalArn", "aws:PrincipalAccount")}
    parts = [markdown_code(f"{k}={v}") for k, v in sorted(shown.items())]
    absent = [k for k in g.keys if k.lower() not in {x.lower() for x in ctx}]
    parts += [markdown_code(f"{k} absent") for k in absent]
    return f"{markdown_code(_caller(g))} calls {markdown_code(hop.action)}" + (f": {', '.join(parts)}" if parts else "")


def render_markdown(report: DiffReport) -> str:
    """A pull-request comment: summary, then tables of new findings, lost guards and resolved findings. Every string
    that came from an export is a code span (:func:`trustgraph.safe_text.markdown_code`): nothing in it is read as
    markup, a link, HTML or a mention."""
    out = ["### trustgraph diff", "",
           f"**{len(report.new)} new**, {len(report.resolved)} resolved, {report.unchanged} unchanged, "
           f"**{len(report.guards_lost)} guard(s) lost**", "",
           f"Zone: {markdown_code(zone_lines(report.zone)[0])} ({_zone_from(report)}); analysis time "
           f"{report.analysis_time}", ""]
    if report.new:
        out += ["#### New findings", "", "| severity | check | role | source | path |", "|---|---|---|---|---|"]
        out += [f"| {e.severity.value} | {e.check_id} | {markdown_code(e.role)} | {markdown_code(e.source)} | "
                f"{_path_md(e)} |" for e in report.new]
        out.append("")
    if report.guards_lost:
        out += ["#### Guards lost", "", "A request the new policies allow and the old ones deny, found by the solver "
                "and replayed by the reference evaluator.", "",
                "| role | source | guard lost | how | verdict | witness request |", "|---|---|---|---|---|---|"]
        out += [f"| {markdown_code(g.role)} | {markdown_code(g.source)} | {_guards_md(g)} | {g.change} | "
                f"{g.verdict} | {_witness_md(g)} |" for g in report.guards_lost]
        out.append("")
    if report.resolved:
        out += ["#### Resolved", "", "| severity | check | role | source |", "|---|---|---|---|"]
        out += [f"| {e.severity.value} | {e.check_id} | {markdown_code(e.role)} | {markdown_code(e.source)} |"
                for e in report.resolved]
        out.append("")
    return "\n".join(out) + "\n"


def render_diff(report: DiffReport, fmt: str) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return json.dumps(diff_json(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "sarif":
        from trustgraph.render.diff_sarif import render_diff_sarif

        return render_diff_sarif(report)
    return render_table(report)


__all__ = ["DIFF_REPORT_VERSION", "FORMATS", "diff_json", "entry_json", "guard_json", "render_diff",
           "render_markdown", "render_table"]
