"""The terminal table: findings grouped by severity (critical first) and a one-line summary.

Every value from the exports goes into :class:`rich.text.Text` objects, never into rich markup strings, so a role name
like ``[bold]x[/]`` prints as written instead of styling (or crashing) the table; control characters (terminal escape
sequences in a hostile tag or condition value) are shown as ``\\x1b`` escapes. Long ARNs fold onto several lines.
Colours are used only when asked for (the CLI asks when stdout is a terminal).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from trustgraph.checks.finding import Finding, FindingKind, Severity
from trustgraph.report.scan_report import SEVERITY_ORDER, ScanReport

if TYPE_CHECKING:
    from rich.text import Text

#: Marker printed in the approximate column for findings resting on an over-approximation.
APPROX_MARK = "~"

_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean(text: str) -> str:
    """``text`` with control characters replaced by visible escapes (``\\x1b``), so data cannot drive the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        text)


def render_table(report: ScanReport, *, color: bool = False, width: int | None = None) -> str:
    """The findings as a table grouped by severity, then the summary line and suppression notes.

    Parameters
    ----------
    report
        The scan report.
    color
        Emit ANSI colours (only when writing to a terminal).
    width
        Line width; defaults to 160 (the CLI passes the terminal's width).

    Returns
    -------
    str
        Plain text when ``color`` is False (no escape sequences), ending with a newline.
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width or 160,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
        soft_wrap=False,
    )
    from trustgraph.render.zone_text import zone_lines

    for line in zone_lines(report.zone):
        console.print(Text(clean(line)))
    active = report.active
    if active:
        table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=True, pad_edge=False)
        table.add_column("severity", no_wrap=True, min_width=8)
        table.add_column("check", overflow="fold", ratio=2, min_width=8)
        table.add_column("role", overflow="fold", ratio=4, min_width=8)
        table.add_column("source", overflow="fold", ratio=2, min_width=8)
        table.add_column("path", overflow="fold", ratio=3, min_width=8)
        table.add_column(APPROX_MARK, no_wrap=True, min_width=1)
        for severity in SEVERITY_ORDER:
            group = [f for f in active if f.severity is severity]
            for i, finding in enumerate(group):
                table.add_row(*_cells(finding), end_section=(i == len(group) - 1))
        console.print(table)
    else:
        console.print(Text("No findings."))
    console.print(Text(report.summary.line()))
    if report.summary.sources_line():
        console.print(Text(report.summary.sources_line()))
    sup = report.suppressions
    for label, records in (("expired", sup.expired), ("unused", sup.unused)):
        for rec in records:
            where = f" ({clean(rec.location)})" if rec.location else ""
            line = f"warning: {label} suppression {clean(rec.check_id)} {clean(rec.role)}{where}"
            console.print(Text(line, style="yellow" if color else ""))
    if report.summary.approximate:
        console.print(Text(f"{APPROX_MARK} = the finding rests on an over-approximation (see the JSON report)"))
    return buf.getvalue()


def _short_path(finding: Finding) -> str:
    """``acct 444455556666 -> VendorIntegrationRole -> DeployRole``: names only (the role column has the ARN)."""
    from trustgraph.graph.nodes import short_label

    if not finding.path:
        return finding.source if finding.source != "-" else ""
    return " -> ".join(short_label(n) for n in [finding.path[0].source, *(h.target for h in finding.path)])


def _cells(finding: Finding) -> list[Text]:
    """The row of one finding as rich Text cells (never markup strings)."""
    from rich.text import Text

    check = finding.check_id + (" (unknown)" if finding.kind is FindingKind.UNKNOWN else "")
    return [
        Text(finding.severity.value, style=_STYLE[finding.severity]),
        Text(clean(check)),
        Text(clean(finding.role)),
        Text(clean(finding.source + (f" (+{len(finding.all_sources) - 1} more)"
                                     if len(finding.all_sources) > 1 else ""))),
        Text(clean(_short_path(finding))),
        Text(APPROX_MARK if finding.approximate else ""),
    ]
