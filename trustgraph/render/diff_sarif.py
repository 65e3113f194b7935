"""The diff report as SARIF 2.1.0: findings of NEW with their ``baselineState`` against OLD, and lost guards.

Results
    One result per (check, role, source) entry of the diff (:class:`~trustgraph.report.diff.DiffEntry`), with the
    check as its rule (as ``scan --format sarif`` describes it) and SARIF's ``baselineState`` (§3.27.24): ``new`` for
    an entry of NEW not in OLD, ``unchanged`` for one in both, ``absent`` for one of OLD that NEW no longer has (a
    resolved finding, located in OLD's files). Every lost guard is one more result of the rule ``guard-lost`` with
    ``baselineState: new``, located at the NEW trust statement that lets the witness request in; its message names
    the guard, the key, the source and the witness request, and its properties hold the whole guard (as in the JSON
    report).

Locations
    As in ``scan``'s SARIF (:mod:`trustgraph.render.sarif`): the export file relative to the working directory, the
    line and column where the statement object starts (the report's
    :attr:`~trustgraph.report.diff.DiffReport.positions`, read from the cited files once by
    :meth:`~trustgraph.report.diff.DiffReport.with_positions`), and the JSON pointer as the logical location.

Fingerprints
    ``partialFingerprints["trustgraph-diff/v1"]`` hashes the entry's stable id ``check|role|source`` (a guard: role,
    source and the guards lost), so a result keeps its identity across re-exports.
"""

from __future__ import annotations

import hashlib
from typing import Any

from trustgraph.checks.finding import CheckInfo, FindingKind, Severity
from trustgraph.model.location import Location
from trustgraph.render.diff import entry_json, guard_json
from trustgraph.render.sarif import LEVEL, SARIF_SCHEMA_URI, SARIF_VERSION, SECURITY_SEVERITY, rule_json, sarif_location
from trustgraph.render.zone_text import zone_lines
from trustgraph.report.diff import DiffEntry, DiffReport, GuardLost

FINGERPRINT_KEY = "trustgraph-diff/v1"

#: The rule of a lost guard (a lost guard counts as high, as the exit status does).
GUARD_RULE = CheckInfo(
    id="guard-lost", title="A trust-policy guard was lost", severity=Severity.HIGH,
    severity_rule="High (a lost guard counts as high for --fail-on)",
    rationale="A request that the role's new trust policy (or its account's RCPs) allows was denied by the old one: "
              "an external id, MFA, organization, source account or ARN, token subject or audience, a Deny "
              "statement or a narrower principal used to keep it out.",
    remediation="Restore the condition (or the Deny statement, or the narrower principal) the old policy had, or "
                "confirm that the new access is intended.",
)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def sarif_diff_log(report: DiffReport, *, base_dir: str | None = None) -> dict[str, Any]:
    """The SARIF log of a diff as a JSON-ready dict (see the module docstring)."""
    checks = {c.id: c for c in report.checks}
    for e in (*report.new, *report.unchanged_entries, *report.resolved):
        checks.setdefault(e.check_id, CheckInfo(id=e.check_id, title=e.title or e.check_id, severity=e.severity))
    rules = [*sorted(checks.values(), key=lambda c: c.id), GUARD_RULE]
    index = {c.id: i for i, c in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for state, entries in (("new", report.new), ("unchanged", report.unchanged_entries),
                           ("absent", report.resolved)):
        results.extend(_entry_result(e, state, index[e.check_id], report, base_dir) for e in entries)
    results.extend(_guard_result(g, index[GUARD_RULE.id], report, base_dir) for g in report.guards_lost)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "trustgraph", "version": report.tool_version,
                            "semanticVersion": report.tool_version, "rules": [rule_json(c) for c in rules]}},
        "invocations": [{"executionSuccessful": True, "endTimeUtc": report.analysis_time}],
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "zone": dict(report.zone), "zoneText": zone_lines(report.zone), "zoneFrom": report.zone_from,
            "old": list(report.old_inputs), "newInputs": list(report.new_inputs),
            "summary": {"new": len(report.new), "resolved": len(report.resolved), "unchanged": report.unchanged,
                        "guardsLost": len(report.guards_lost)},
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_diff_sarif(report: DiffReport, *, base_dir: str | None = None) -> str:
    """:func:`sarif_diff_log` as JSON indented by two spaces."""
    import orjson

    return orjson.dumps(sarif_diff_log(report, base_dir=base_dir),
                        option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode("utf-8")


def _locations(statements: tuple[Location, ...], role: str, report: DiffReport,
               base_dir: str | None) -> dict[str, Any]:
    if not statements:
        return {"locations": [{"logicalLocations": [{"fullyQualifiedName": role, "kind": "resource"}]}]}
    out: dict[str, Any] = {"locations": [sarif_location(statements[0], base_dir, report.positions)]}
    if len(statements) > 1:
        out["relatedLocations"] = [sarif_location(s, base_dir, report.positions, ident=i)
                                   for i, s in enumerate(statements[1:], start=1)]
    return out


def _entry_result(e: DiffEntry, state: str, rule_index: int, report: DiffReport,
                  base_dir: str | None) -> dict[str, Any]:
    where = "NEW" if state != "absent" else "OLD (resolved in NEW)"
    text = e.message
    if e.kind is FindingKind.UNKNOWN:
        text = f"Unknown: {text}"
    text += f" Role: {e.role}. Source: {e.source}. In {where}."
    if e.nodes:
        text += f" Path: {' -> '.join(e.nodes)}."
    return {
        "ruleId": e.check_id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": LEVEL[e.severity],
        "baselineState": state,
        "message": {"text": text},
        **_locations(e.statements, e.role, report, base_dir),
        "partialFingerprints": {FINGERPRINT_KEY: _digest(e.id)},
        "properties": {"severity": e.severity.value, "security-severity": SECURITY_SEVERITY[e.severity],
                       **entry_json(e)},
    }


def _guard_result(g: GuardLost, rule_index: int, report: DiffReport, base_dir: str | None) -> dict[str, Any]:
    guards = ", ".join(g.guards or (g.guard,))
    keys = f" ({', '.join(g.keys)})" if g.keys else ""
    if g.verdict == "unknown" and not g.witness:
        text = (f"Unknown: whether {g.role} lost a guard for {g.source} could not be decided "
                f"({'; '.join(g.old_reasons)}); never read as safe.")
    else:
        hop = g.witness[0]
        ctx = ", ".join(f"{k}={v}" for k, v in sorted(hop.context_json().items()))
        text = (f"{g.role} lost its {guards}{keys} guard for {g.source}: a request the new policies allow and the "
                f"old ones denied ({g.change}; old decision {g.old_decision}). Witness: {hop.caller or g.source} "
                f"calls {hop.action} with {ctx}.")
    statements = g.witness[0].statements if g.witness else ()
    return {
        "ruleId": GUARD_RULE.id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": LEVEL[Severity.HIGH],
        "baselineState": "new",
        "message": {"text": text},
        **_locations(statements, g.role, report, base_dir),
        "partialFingerprints": {FINGERPRINT_KEY: _digest("guard-lost", g.role, g.source, *g.guards)},
        "properties": {"severity": Severity.HIGH.value, "security-severity": SECURITY_SEVERITY[Severity.HIGH],
                       **guard_json(g)},
    }


__all__ = ["FINGERPRINT_KEY", "GUARD_RULE", "render_diff_sarif", "sarif_diff_log"]
