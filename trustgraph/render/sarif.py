"""SARIF 2.1.0 output, for code-scanning dashboards (GitHub code scanning, Azure DevOps, SARIF viewers).

Rules and results
    ``tool.driver.rules`` are the checks that ran (id, a CamelCase ``name``, ``shortDescription`` = title,
    ``fullDescription`` = rationale, ``help`` = remediation, ``defaultConfiguration.level`` from the check's base
    severity: critical/high -> ``error``, medium -> ``warning``, low -> ``note``, and ``properties.security-severity``
    "9.0"/"7.0"/"5.0"/"3.0", the numeric score GitHub uses to rank security alerts). Each finding is one result with
    ``ruleId``/``ruleIndex``, a ``level`` from the finding's own severity (a check may raise one finding above its
    base severity) and the message, path and statement pointers in ``message.text``. As in the JSON report (version
    2), there is one result per (check, role): every source that gets in is in ``properties.sources`` (most specific
    first, shortest path as node ids, at most 25 with ``sourcesTotal``) and named in the message; the code flow is
    the first source's witnessed path. As in the JSON report version 4, the witness properties (``path``,
    ``statements``, the sources' paths) are indexes into ``runs[0].properties.tables``, each hop witness, location
    and node written once (:mod:`trustgraph.render.sarif_tables`; ``expand_sarif`` gives them in full).

How locations are expressed (SARIF has no JSON-pointer field)
    The primary location of a result is the finding's first statement: ``physicalLocation.artifactLocation.uri`` is
    the export file, relative to the working directory when the file is below it (so GitHub maps it onto the
    repository) and an absolute ``file://`` URI otherwise, with a ``region`` at the line and column where the
    statement object starts in the file as written (``startLine``/``startColumn``, from the report's
    :attr:`~trustgraph.render.report.ScanReport.positions`, which the CLI fills by reading the cited files after the
    scan; a statement inside a URL-encoded policy document points at the document string). Renderers themselves read
    no files; without a known position the region is line 1. Lines move
    with every re-export, so they are a convenience for viewers, not an identity (see fingerprints below). The JSON
    pointer, which is what really locates the statement, goes where SARIF consumers can show it:
    ``logicalLocations[0].fullyQualifiedName`` (kind ``object``), ``location.message.text`` (``file#pointer``) and
    ``location.properties.jsonPointer``. Further statements are ``relatedLocations``; the path is also a ``codeFlow``
    (one thread-flow location per hop, at the hop's statement) so viewers can step through the chain. A finding
    without statements is located at the first input file.

Stability and marking
    ``partialFingerprints["trustgraph/v2"]`` hashes check id, role and kind: the identity of a finding, not its
    wording, its sources or its file position, so dashboards keep one alert per role across re-exports (version 1
    hashed the source too, when there was one result per source). Unknown solver answers stay
    ``kind: "fail"`` results with their severity's level (``review`` would force level ``none`` and hide them, and an
    unknown is never safe); ``properties.kind`` says ``unknown`` and the message starts with "Unknown:". Over-
    approximations are in ``properties.approximate``/``approximations``. Suppressed findings carry
    ``suppressions: [{"kind": "external", "status": "accepted", "justification": ...}]``, which GitHub shows as
    dismissed.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from trustgraph.checks.finding import MAX_LISTED_SOURCES, Finding, FindingKind, Severity
from trustgraph.model.location import Location
from trustgraph.render.csv_report import flatten_path
from trustgraph.render.json_report import hop_json, location_json, source_json
from trustgraph.render.zone_text import zone_lines
from trustgraph.report.positions import Position, statement_positions
from trustgraph.report.scan_report import CheckInfo, ScanReport

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"

#: SARIF level per severity.
LEVEL: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}

#: The numeric ``security-severity`` per severity (GitHub: >= 9 critical, 7-8.9 high, 4-6.9 medium, < 4 low).
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.0",
    Severity.HIGH: "7.0",
    Severity.MEDIUM: "5.0",
    Severity.LOW: "3.0",
}

FINGERPRINT_KEY = "trustgraph/v2"


def rule_name(check_id: str) -> str:
    """A CamelCase rule name from a kebab-case check id (``public-role`` -> ``PublicRole``)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", check_id) if part)


def artifact_uri(file: str, base_dir: str | None = None) -> str:
    """The ``artifactLocation.uri`` of an export file: relative to ``base_dir`` (default: the working directory)
    when the file is below it, else an absolute ``file://`` URI; percent-encoded either way.

    >>> artifact_uri("exports/a b.json", "/work")
    'exports/a%20b.json'
    """
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    path = Path(file)
    if path.is_absolute():
        resolved = _resolved(path)
        try:
            rel = resolved.relative_to(_resolved(base))
        except ValueError:
            return resolved.as_uri()
        return quote(rel.as_posix(), safe="/")
    posix = PurePosixPath(*path.parts).as_posix() if path.parts else file
    if posix.startswith("../") or posix == "..":
        return _resolved(base / path).as_uri()
    return quote(posix, safe="/")


def _resolved(path: Path) -> Path:
    """``path.resolve()``, or its lexical absolute form when the operating system refuses the name (an embedded NUL
    byte, possible in a name given through the API: no such file exists, so there is no link to follow)."""
    try:
        return path.resolve()
    except ValueError:
        return Path(os.path.abspath(path))


def fingerprint(finding: Finding) -> str:
    """A stable identity of the finding: check id, role and kind, hashed (one result per check and role)."""
    key = "\x1f".join((finding.check_id, finding.role, finding.kind.value))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def render_sarif(report: ScanReport, *, base_dir: str | None = None,
                 lines: Mapping[Location, int | Position] | None = None) -> str:
    """The report as a SARIF 2.1.0 log (one run): :func:`sarif_log` with the results' witness properties as indexes
    into ``runs[0].properties.tables`` (:func:`~trustgraph.render.sarif_tables.compact_sarif`), JSON indented by
    two spaces except that each result is compact on a line of its own (indenting every result's nested locations
    and witnesses was about 40% of the bytes of a large log).

    Parameters
    ----------
    report
        The scan report.
    base_dir
        Directory that artifact URIs are made relative to; the working directory when None.
    lines
        Line (or :class:`~trustgraph.render.positions.Position`) of each statement location in its file; by default
        the report's own :attr:`~trustgraph.render.report.ScanReport.positions`. Missing ones get line 1.
    """
    import orjson

    from trustgraph.render.sarif_tables import compact_sarif

    log = compact_sarif(sarif_log(report, base_dir=base_dir, lines=lines))
    run = log["runs"][0]
    results = run["results"]
    run["results"] = -1  # a negative number appears nowhere else in the log: the results' place in the text
    text = orjson.dumps(log, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode("utf-8")
    marker = '"results": -1'
    assert text.count(marker) == 1
    indent = text[text.rindex("\n", 0, text.index(marker)) + 1:text.index(marker)]
    if results:
        body = ",\n".join(indent + "  " + orjson.dumps(r).decode("utf-8") for r in results)
        listed = f'"results": [\n{body}\n{indent}]'
    else:
        listed = '"results": []'
    return text.replace(marker, listed)


def sarif_log(report: ScanReport, *, base_dir: str | None = None,
              lines: Mapping[Location, int | Position] | None = None) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict (see the module docstring for the mapping)."""
    rules = report.rules()
    index = {c.id: i for i, c in enumerate(rules)}
    fallback = report.inputs[0] if report.inputs else None
    ctx = _Ctx(base_dir, report.positions if lines is None else lines)
    results = [_result(f, index[f.check_id], fallback, ctx) for f in report.ordered]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": report.tool_name,
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "rules": [rule_json(c) for c in rules],
            }
        },
        "invocations": [{"executionSuccessful": True, "endTimeUtc": report.generated_at}],
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "zone": _plain(report.zone),
            "zoneText": zone_lines(report.zone),
            "inputs": list(report.inputs),
            "summary": report.summary.to_json(),
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def rule_json(check: CheckInfo) -> dict[str, Any]:
    """The ``reportingDescriptor`` of a check (see the module docstring)."""
    full = check.rationale or check.title
    help_text = check.remediation or check.title
    if check.severity_rule:
        full = f"{full} Severity: {check.severity_rule}"
    return {
        "id": check.id,
        "name": rule_name(check.id),
        "shortDescription": {"text": check.title or check.id},
        "fullDescription": {"text": full},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVEL[check.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[check.severity],
            "severity": check.severity.value,
            "tags": ["security", "iam", "trust-policy"],
            "precision": "very-high",
        },
    }


class _Ctx:
    """What every location needs: the base directory and the known statement lines; each file's URI computed once
    per log (resolving a path reads the file system: per location, that was most of the time of a large log)."""

    def __init__(self, base_dir: str | None, lines: Mapping[Location, int | Position]) -> None:
        self.base_dir = base_dir
        self.lines = lines
        self._uris: dict[str, str] = {}

    def uri(self, file: str) -> str:
        """:func:`artifact_uri` of ``file``, memoised."""
        found = self._uris.get(file)
        if found is None:
            found = self._uris[file] = artifact_uri(file, self.base_dir)
        return found


def _location(loc: Location, ctx: _Ctx, *, ident: int | None = None, text: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if ident is not None:
        out["id"] = ident
    pos = ctx.lines.get(loc)
    region: dict[str, int] = {"startLine": 1}
    if isinstance(pos, Position):
        region = {"startLine": max(1, pos.line), "startColumn": max(1, pos.column)}
    elif isinstance(pos, int) and pos >= 1:
        region = {"startLine": pos}
    out["physicalLocation"] = {"artifactLocation": {"uri": ctx.uri(loc.file)}, "region": region}
    out["logicalLocations"] = [{"fullyQualifiedName": loc.pointer or "/", "kind": "object"}]
    out["message"] = {"text": text if text is not None else str(loc)}
    out["properties"] = {"file": loc.file, "jsonPointer": loc.pointer}
    return out


def sarif_location(loc: Location, base_dir: str | None, lines: Mapping[Location, int | Position], *,
                   ident: int | None = None, text: str | None = None) -> dict[str, Any]:
    """A SARIF ``location`` of a statement (see the module docstring): the file relative to ``base_dir``, the line
    and column from ``lines``, the JSON pointer as the logical location."""
    return _location(loc, _Ctx(base_dir, lines), ident=ident, text=text)


def _result(finding: Finding, rule_index: int, fallback: str | None, ctx: _Ctx) -> dict[str, Any]:
    statements = finding.statements
    if not statements:
        hop_statements = tuple(s for h in finding.path for s in h.statements)
        statements = hop_statements or ((Location(fallback, ""),) if fallback is not None else ())
    text = finding.message
    if finding.kind is FindingKind.UNKNOWN:
        text = f"Unknown: {text}"
    listed, total = finding.listed_sources, finding.sources_total
    named = ", ".join(s.source for s in listed)
    more = f" and {total - MAX_LISTED_SOURCES} more" if total > MAX_LISTED_SOURCES else ""
    text = f"{text} Role: {finding.role}. Source{'s' if total > 1 else ''}: {named}{more}."
    if finding.path:
        text += f" Path: {flatten_path(finding)}."
    if finding.statements:
        text += " Statements: " + "; ".join(str(s) for s in finding.statements) + "."
    if finding.approximate:
        text += " (Rests on an over-approximation.)"
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": LEVEL[finding.severity],
        "message": {"text": text},
    }
    if statements:
        result["locations"] = [_location(statements[0], ctx)]
    else:
        result["locations"] = [{"logicalLocations": [{"fullyQualifiedName": finding.role, "kind": "resource"}]}]
    if len(statements) > 1:
        result["relatedLocations"] = [_location(s, ctx, ident=i) for i, s in enumerate(statements[1:], start=1)]
    if finding.path:
        flow_locations = []
        for hop in finding.path:
            label = f"{hop.source} -> {hop.target} ({hop.action})"
            if hop.statements:
                loc = _location(hop.statements[0], ctx, text=label)
            else:
                loc = {"message": {"text": label}}
            flow_locations.append({"location": loc})
        result["codeFlows"] = [{"threadFlows": [{"locations": flow_locations}]}]
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(finding)}
    if finding.suppressed_by is not None:
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": finding.suppressed_by}
        ]
    result["properties"] = {
        "severity": finding.severity.value,
        "security-severity": SECURITY_SEVERITY[finding.severity],
        "kind": finding.kind.value,
        "role": finding.role,
        "account": finding.account,
        "source": finding.source,
        "approximate": finding.approximate,
        "approximations": list(finding.approximations),
        "path": [hop_json(h) for h in finding.path],
        "statements": [location_json(s) for s in finding.statements],
        "sources": [source_json(s) for s in listed],
        "sourcesTotal": total,
    }
    if finding.through_admin is not None:  # reached through another admin role's finding: fixing that one cuts it
        through = finding.through_admin
        result["properties"]["throughAdmin"] = {"role": through.role, "hop": through.hop,
                                                "checkId": through.check_id}
    return result


def _plain(value: Any) -> Any:
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def statement_lines(locations: Iterable[Location]) -> dict[Location, int]:
    """The line where each location's JSON pointer starts in its file (see :func:`statement_positions`)."""
    return {loc: pos.line for loc, pos in statement_positions(locations).items()}


def report_locations(report: ScanReport) -> tuple[Location, ...]:
    """Every statement location a report mentions (:meth:`ScanReport.locations`)."""
    return report.locations()
