"""The CSV report: one row per finding, for spreadsheets and ticket imports.

Columns are :data:`COLUMNS` (one row per check and role; ``source`` and ``path`` are the first, most specific source's,
``sources`` lists them all). The path is flattened as ``source -> hop -> role``; the per-hop witness contexts are one
compact JSON array (one object per hop); statements are ``file#pointer`` joined by ``"; "``.

Spreadsheet formula injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed
with a single quote (OWASP's advice), except the bare ``-`` that document-level findings use as their source. Data from
the exports only ever appears inside cells that start with a fixed prefix (ARNs, ``account:``, JSON), so in practice
only messages written by checks could trigger it; the guard is there so that a hostile export never can.
"""

from __future__ import annotations

import csv
import io
import json

from trustgraph.checks.finding import MAX_LISTED_SOURCES, Finding
from trustgraph.report.scan_report import ScanReport
from trustgraph.safe_text import csv_cell

#: The CSV header, in order.
COLUMNS: tuple[str, ...] = (
    "check_id",
    "title",
    "severity",
    "kind",
    "role",
    "account",
    "source",
    "message",
    "remediation",
    "path",
    "actions",
    "contexts",
    "statements",
    "approximate",
    "approximations",
    "suppressed_by",
    "sources",
    "through_admin",
)

def neutralize(cell: str) -> str:
    """The cell with a leading ``'`` when a spreadsheet would read it as a formula, control characters shown as
    escapes (see :func:`trustgraph.safe_text.csv_cell`)."""
    return csv_cell(cell)


def flatten_path(finding: Finding) -> str:
    """``source -> target -> ... -> role`` (the finding's source alone when it has no path)."""
    if not finding.path:
        return finding.source
    nodes = [finding.path[0].source] + [h.target for h in finding.path]
    return " -> ".join(nodes)


def sources_text(finding: Finding, limit: int = MAX_LISTED_SOURCES) -> str:
    """Every source that gets in, most specific first, ``"; "``-joined (at most ``limit``, then ``and N more``)."""
    sources = [s.source for s in finding.all_sources]
    text = "; ".join(sources[:limit])
    return text + (f"; and {len(sources) - limit} more" if len(sources) > limit else "")


def finding_row(finding: Finding) -> dict[str, str]:
    """The CSV row of one finding, column name to cell text (after :func:`neutralize`)."""
    contexts = [{k: ctx[k] for k in sorted(ctx)} for ctx in (h.context_json() for h in finding.path)]
    row = {
        "check_id": finding.check_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "kind": finding.kind.value,
        "role": finding.role,
        "account": finding.account,
        "source": finding.source,
        "message": finding.message,
        "remediation": finding.remediation,
        "path": flatten_path(finding),
        "actions": " -> ".join(h.action for h in finding.path),
        "contexts": json.dumps(contexts, separators=(",", ":"), ensure_ascii=False) if finding.path else "",
        "statements": "; ".join(str(s) for s in finding.statements),
        "approximate": "true" if finding.approximate else "false",
        "approximations": "; ".join(finding.approximations),
        "suppressed_by": finding.suppressed_by or "",
        "sources": sources_text(finding),
        "through_admin": (f"{finding.through_admin.role} (hop {finding.through_admin.hop}, "
                          f"{finding.through_admin.check_id})" if finding.through_admin is not None else ""),
    }
    return {k: neutralize(v) for k, v in row.items()}


def csv_rows(report: ScanReport) -> list[dict[str, str]]:
    """The rows of the report, in report order (suppressed findings included, marked in ``suppressed_by``)."""
    return [finding_row(f) for f in report.ordered]


def render_csv(report: ScanReport) -> str:
    """The CSV report: a header and one row per finding, RFC 4180 quoting, ``\\r\\n`` line ends."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(csv_rows(report))
    return out.getvalue()
