"""The JSON report, version 4: the machine-readable form of a scan, with a schema shipped in the package.

Version 4 (this module) is version 3 with what repeats across findings written once: hop witnesses, statement
locations, the node ids and actions of the sources' paths are in the top-level ``tables`` and findings refer to them
by index; the condition keys most witnesses share are written once (``tables.context_defaults``); keys holding their
documented default are omitted (:mod:`trustgraph.render.json_tables`). :func:`report_json` builds the version 3
document, which :func:`trustgraph.render.json_tables.expand` returns from a version 4 one: no fact is lost. On the
2,000-role profiles this is 28-50% of the version 3 bytes (vendor-heavy: 6.4 MB -> 2.4 MB, 3.9 -> 1.4 KB per
finding).

Version 3 was version 2 with a finding's ``statements`` limited to those of the sources it lists: a
finding whose sources beyond the first :data:`MAX_LISTED_SOURCES` are only counted no longer cites the statements of
their paths (on a 2,000-role organization with 70 federated providers reaching one admin role through long chains,
these were most of the report). A finding with every source listed cites exactly what version 2 cited. The report
is written with one finding per line (top-level keys indented), so the bytes grow with the findings, and ``grep``
of a role shows its whole finding.

Version 2 had ONE finding per (check, role): every source that gets in is in the finding's ``sources`` (most
specific first, each with its shortest path as node ids; at most :data:`MAX_LISTED_SOURCES`, with ``sources_total``
and ``sources_omitted``), and ``source``/``path`` are the first source's, with its full witness. Version 1 had one
finding per (check, role, source); its schema stays in the package (``scan-report-v1.schema.json``) for reference.

Shape of the version 3 document (``trustgraph/schemas/scan-report-v4.schema.json`` is the contract of what is
written; :func:`schema` loads it)::

    {"version": 3,
     "tool": {"name", "version", "checks": [{id, title, severity, severity_rule, rationale, remediation}]},
     "generated_at": "2026-11-28T15:00:00Z",
     "zone": {...Zone.describe()...},
     "inputs": ["exports/a.json", ...],
     "findings": [{check_id, title, severity, kind, role, account, source, message, remediation,
                   path: [{source, target, action, context, statements, approximations}],
                   statements: [{file, pointer}], approximate, approximations, suppressed_by,
                   sources: [{source, class, kind, hops, conditions, path: [node ids], actions, approximate}],
                   sources_total, sources_omitted, exposure: {hops, conditions},
                   through_admin?: {role, hop, check_id}}],
     "summary": {total, by_severity, by_kind, suppressed, approximate, highest_severity,
                 by_source_class: {CLASS: {findings, sources}}, through_admin?},
     "suppressions": {"applied": [...], "expired": [...], "unused": [...]}}

Version 4 writes the same keys, then ``"tables": {context_defaults, hops, locations, nodes, actions}``.

Keys appear in this order (insertion order; context keys sorted), findings in the report order (severity desc,
exposure, check id, role), so two runs over the same inputs give the same bytes. ``version`` changes only when a field
is removed or changes meaning; new optional fields keep the version. ``through_admin`` (a finding's, and the summary's
count) is such a field: written only when a finding is reached through another admin role's finding, it adds to
what a finding says without changing what any other field means (its message names that role and folds a long
path; ``path`` still holds every hop).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from trustgraph.checks.finding import MAX_LISTED_SOURCES, Finding, SourceReach
from trustgraph.model.location import Location
from trustgraph.queries.results import HopWitness
from trustgraph.report.scan_report import CheckInfo, ScanReport

#: The version of the JSON report this module writes.
JSON_REPORT_VERSION = 4

#: The package resource holding the schema of the version this module writes.
SCHEMA_RESOURCE = "schemas/scan-report-v4.schema.json"


def location_json(loc: Location) -> dict[str, str]:
    """``{"file": ..., "pointer": ...}``."""
    return {"file": loc.file, "pointer": loc.pointer}


def hop_json(hop: HopWitness) -> dict[str, Any]:
    """One hop: source, target, action, the witness context (keys sorted, single values unwrapped), statements."""
    return {
        "source": hop.source,
        "target": hop.target,
        "action": hop.action,
        "context": _unwrap(hop.context),  # HopWitness.context_json, keys sorted, in one pass
        "statements": [location_json(s) for s in hop.statements],
        "approximations": list(hop.approximations),
        **({"method": hop.method, "calls": [{"action": a, "resource": r, "context": _unwrap(c)}
                                            for a, r, c in hop.calls]} if hop.method is not None else {}),
    }


def _unwrap(context: Mapping[str, tuple[str, ...]]) -> dict[str, object]:
    return {k: (v[0] if len(v) == 1 else list(v)) for k, v in sorted(context.items())}


def source_json(source: SourceReach) -> dict[str, Any]:
    """One source of a finding: its class, verdict kind, hop and condition counts and its shortest path (node ids)."""
    return {
        "source": source.source,
        "class": source.source_class,
        "kind": source.kind.value,
        "hops": source.hops,
        "conditions": source.conditions,
        "path": list(source.nodes),
        "actions": list(source.actions),
        "approximate": source.approximate,
    }


def listed_statements(finding: Finding) -> tuple[Location, ...]:
    """The statements the finding cites for the sources the report lists (the first :data:`MAX_LISTED_SOURCES`),
    in the finding's order: all of them when no source is omitted."""
    if finding.sources_total <= MAX_LISTED_SOURCES:
        return finding.statements
    kept = {loc for s in finding.listed_sources for loc in s.statements}
    return tuple(loc for loc in finding.statements if loc in kept)


def finding_json(finding: Finding, *, path: Any = None) -> dict[str, Any]:
    """One finding as the JSON report writes it; ``path``, when given, stands for its hops (the lean writer, which
    refers to them by index, does not make them twice)."""
    total = finding.sources_total
    hops, conditions = finding.exposure
    return {
        "check_id": finding.check_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "kind": finding.kind.value,
        "role": finding.role,
        "account": finding.account,
        "source": finding.source,
        "message": finding.message,
        "remediation": finding.remediation,
        "path": [hop_json(h) for h in finding.path] if path is None else path,
        "statements": [location_json(s) for s in listed_statements(finding)],
        "approximate": finding.approximate,
        "approximations": list(finding.approximations),
        "suppressed_by": finding.suppressed_by,
        "sources": [source_json(s) for s in finding.listed_sources],
        "sources_total": total,
        "sources_omitted": max(0, total - MAX_LISTED_SOURCES),
        "exposure": {"hops": hops if hops != 99 else None, "conditions": conditions if hops != 99 else None},
        **through_admin_json(finding),
    }


def through_admin_json(finding: Finding) -> dict[str, Any]:
    """``{"through_admin": {role, hop, check_id}}`` for a finding reached through another admin role's finding (its
    :attr:`~trustgraph.checks.finding.Finding.through_admin`, as the report resolved it), else nothing: the key is
    optional and written only when it holds."""
    through = finding.through_admin
    if through is None:
        return {}
    return {"through_admin": {"role": through.role, "hop": through.hop, "check_id": through.check_id}}


def check_json(check: CheckInfo) -> dict[str, str]:
    """One check's metadata."""
    return {
        "id": check.id,
        "title": check.title,
        "severity": check.severity.value,
        "severity_rule": check.severity_rule,
        "rationale": check.rationale,
        "remediation": check.remediation,
    }


def report_json(report: ScanReport) -> dict[str, Any]:
    """The whole report as a version 3 JSON-ready dict: what :func:`render_json` compacts and writes, and what
    :func:`~trustgraph.render.json_tables.expand` returns from the written report."""
    return _document(report, [finding_json(f) for f in report.ordered])


def _document(report: ScanReport, findings: Any) -> dict[str, Any]:
    """:func:`report_json` with ``findings`` as its findings."""
    sup = report.suppressions
    return {
        "version": 3,
        "tool": {
            "name": report.tool_name,
            "version": report.tool_version,
            "checks": [check_json(c) for c in report.checks_run],
        },
        "generated_at": report.generated_at,
        "zone": _plain(report.zone),
        "inputs": list(report.inputs),
        "findings": findings,
        "summary": report.summary.to_json(),
        "suppressions": {
            "applied": [s.to_json() for s in sup.applied],
            "expired": [s.to_json() for s in sup.expired],
            "unused": [s.to_json() for s in sup.unused],
        },
    }


#: The versions :func:`render_json` can write: the current one, and version 3 for scripts that read findings'
#: paths and witnesses inline (``scan --json-version 3``; the same facts, see :func:`json_tables.expand`).
WRITABLE_VERSIONS: tuple[int, ...] = (JSON_REPORT_VERSION, 3)


def render_json(report: ScanReport, *, version: int = JSON_REPORT_VERSION, lean: bool = True,
                lean_tables: bool = True) -> str:
    """The JSON report (``version`` 4 by default, or 3), ending with a newline: top-level keys indented by two
    spaces, each finding compact on a line of its own, and each entry of each table in ``tables`` on a line of its
    own. The text :func:`json_chunks` writes, joined.

    ``lean`` (version 4): each finding is made, compacted and turned into its line one at a time
    (:func:`_lean_parts`), so the report is never held as documents; False builds the version 3 document and
    compacts it whole (:func:`report_json`, :func:`~trustgraph.render.json_tables.compact`), the reference the lean
    writer is tested against (the same text). At 20,000 roles (vendor-heavy: 37,000 findings) the two documents
    took ~270 MB in the process that writes the report. ``lean_tables`` (with ``lean``): the hops' table is made
    entry by entry as it is written (:class:`~trustgraph.render.json_tables.Tables`' ``lean``); False holds it
    compacted whole, the reference."""
    return "".join(json_chunks(report, version=version, lean=lean, lean_tables=lean_tables))


def json_chunks(report: ScanReport, *, version: int = JSON_REPORT_VERSION, lean: bool = True,
                lean_tables: bool = True) -> Iterator[str]:
    """:func:`render_json`'s text in pieces, in order, for a writer that writes them one by one: the lean writer
    gives each finding's line as it is made, so neither the findings' lines nor the whole text are ever held (at
    20,000 roles, vendor-heavy, each copy of the text was ~22 MB, and the joined text, its findings' part and the
    encoded bytes were alive together).

    Raises
    ------
    ValueError
        For a ``version`` not in :data:`WRITABLE_VERSIONS` (before any piece is given).
    """
    from trustgraph.render.json_tables import compact

    if version not in WRITABLE_VERSIONS:
        raise ValueError(f"JSON report version {version} cannot be written; expected one of {WRITABLE_VERSIONS}")
    if version == JSON_REPORT_VERSION and lean:
        return _text(_lean_parts(report, lean_tables))
    return _text(_part(key, value) for key, value in
                 (compact(report_json(report)) if version == JSON_REPORT_VERSION else report_json(report)).items())


def _lean_parts(report: ScanReport, lean_tables: bool) -> Iterator[str | Iterator[str]]:
    """The top-level parts of the version 4 report, as :func:`render_json` writes them, made finding by finding: the
    hops' table first (each finding's hops made, those seen before dropped), then each finding's compacted line
    (adding its locations, nodes and actions to the tables, in the report's order as
    :func:`~trustgraph.render.json_tables.compact` does). The findings' part is itself given in pieces, one line
    each, made as the writer asks for them."""
    from trustgraph.render.json_tables import Tables

    ordered = report.ordered
    tables = Tables((f.path for f in ordered), hop_json, lean=lean_tables)
    for key, value in {**_document(report, None), "version": JSON_REPORT_VERSION}.items():
        if key == "findings":
            yield _finding_lines(report, tables) if ordered else _part(key, [])
        else:
            yield _part(key, value)
    yield _table_rows(tables.parts())


def _table_rows(tables: Iterable[tuple[str, Any]]) -> Iterator[str]:
    """The ``tables`` part as :func:`_part` writes it, in pieces: each entry of each table a piece of its own (the
    tables' text, ~9.6 MB at 20,000 roles vendor-heavy, is never held whole)."""
    yield f"  {_dumps('tables')}: {{\n"
    separator = ""
    for key, value in tables:
        name = _dumps(key)
        if isinstance(value, dict):
            yield f"{separator}    {name}: {_dumps(value)}"
        else:
            opening, empty = f"{separator}    {name}: [\n      ", True
            for item in value:
                yield opening + _dumps(item)
                opening, empty = ",\n      ", False
            yield f"{separator}    {name}: []" if empty else "\n    ]"
        separator = ",\n"
    yield "\n  }"


def _finding_lines(report: ScanReport, tables: Any) -> Iterator[str]:
    """The findings' part of the lean report (non-empty): its key, then each finding's compacted line (the tables
    filled as it is made; its hops' references dropped once used), then the closing bracket."""
    from trustgraph.render.json_tables import compact_finding

    checks = {c.id: check_json(c) for c in report.checks_run}
    refs, tables.refs = tables.refs, []
    refs.reverse()  # popped from the end: each finding's references are released once its line is made
    separator = f"  {_dumps('findings')}: [\n    "
    for f in report.ordered:
        yield separator + _dumps(compact_finding(finding_json(f, path=()), refs.pop(), tables, checks))
        separator = ",\n    "
    yield "\n  ]"


def _part(key: str, value: Any) -> str:
    """One top-level key of the report and its value, as :func:`render_json` writes them."""
    import orjson

    name = _dumps(key)
    if key == "findings" and value:
        return f"  {name}: {_lines(value, '    ', '[', ']')}"
    if key == "tables":
        rows = [f"    {_dumps(k)}: {_lines(v, '      ', '[', ']') if isinstance(v, list) else _dumps(v)}"
                for k, v in value.items()]
        return f"  {name}: {{\n" + ",\n".join(rows) + "\n  }"
    # JSON text holds no raw newline inside a string: each line break is indentation
    body = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8").replace("\n", "\n  ")
    return f"  {name}: {body}"


def _text(parts: Iterable[str | Iterator[str]]) -> Iterator[str]:
    """The report's pieces: the top-level ``parts`` (a part given as pieces is passed on piece by piece) between
    the braces, separated by a comma and a line break."""
    yield "{\n"
    separator = ""
    for part in parts:
        if isinstance(part, str):
            yield separator + part
        else:
            yield separator
            yield from part
        separator = ",\n"
    yield "\n}\n"


def _dumps(value: Any) -> str:
    import orjson

    return orjson.dumps(value).decode("utf-8")


def _lines(items: list[Any], indent: str, opening: str, closing: str) -> str:
    """A JSON array with each item compact on a line of its own (``[]`` when empty)."""
    return _joined([_dumps(item) for item in items], indent, opening, closing)


def _joined(lines: list[str], indent: str, opening: str, closing: str) -> str:
    """:func:`_lines` of items already written compact."""
    if not lines:
        return opening + closing
    body = indent + f",\n{indent}".join(lines)
    return f"{opening}\n{body}\n{indent[:-2]}{closing}"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the report version this module writes, from the package data."""
    text = resources.files("trustgraph").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _plain(value: Any) -> Any:
    """Mappings, tuples and sets turned into dicts and lists so that orjson serializes them."""
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    return value
