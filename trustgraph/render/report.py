"""Rendering a :class:`~trustgraph.report.scan_report.ScanReport` in one of the report formats.

The report types live in :mod:`trustgraph.report.scan_report` (the layer between the checks and the renderers); they
are imported here too, so ``from trustgraph.render.report import ScanReport`` keeps working.
"""

from __future__ import annotations

from collections.abc import Iterator

from trustgraph.report.scan_report import (
    SEVERITY_ORDER,
    CheckInfo,
    ScanReport,
    Summary,
    SuppressionRecord,
    Suppressions,
    finding_sort_key,
)

#: The formats :func:`render` knows, in the order the CLI lists them.
FORMATS: tuple[str, ...] = ("table", "json", "csv", "sarif", "html")

#: The formats that show statement lines (:attr:`ScanReport.positions`): JSON and CSV give file and JSON pointer only,
#: so a scan writing them does not read the cited export files again.
SHOWS_POSITIONS: frozenset[str] = frozenset({"table", "sarif", "html"})

#: The formats that show which condition keys a statement reads (:attr:`ScanReport.read_keys`).
SHOWS_READ_KEYS: frozenset[str] = frozenset({"html"})


def render(report: ScanReport, fmt: str, *, color: bool = False, width: int | None = None,
           read_files: bool = False, json_version: int | None = None) -> str:
    """Render a report in one of :data:`FORMATS`.

    ``color`` and ``width`` apply to the terminal table only. ``read_files`` lets SARIF read the export files for
    statement positions when the report has none (:meth:`ScanReport.with_positions`); renderers never read files.
    ``json_version`` picks the JSON report's version (default: the current one).

    Raises
    ------
    ValueError
        For a format that is not one of :data:`FORMATS`.
    """
    if fmt == "table":
        from trustgraph.render.table import render_table

        return render_table(report, color=color, width=width)
    if fmt == "json":
        from trustgraph.render.json_report import render_json

        return render_json(report) if json_version is None else render_json(report, version=json_version)
    if fmt == "csv":
        from trustgraph.render.csv_report import render_csv

        return render_csv(report)
    if fmt == "sarif":
        from trustgraph.render.sarif import render_sarif

        return render_sarif(report.with_positions() if read_files and not report.positions else report)
    if fmt == "html":
        from trustgraph.render.html import render_html

        return render_html(report)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")


def render_chunks(report: ScanReport, fmt: str, *, color: bool = False, width: int | None = None,
                  read_files: bool = False, json_version: int | None = None) -> Iterator[str]:
    """:func:`render`'s text in pieces, for a writer that writes them one by one: JSON as it is made
    (:func:`~trustgraph.render.json_report.json_chunks`, never held whole), the other formats as one piece.

    Raises
    ------
    ValueError
        For a format that is not one of :data:`FORMATS` or a JSON version that cannot be written (before any piece
        is given).
    """
    if fmt == "json":
        from trustgraph.render.json_report import json_chunks

        return json_chunks(report) if json_version is None else json_chunks(report, version=json_version)
    return iter((render(report, fmt, color=color, width=width, read_files=read_files, json_version=json_version),))


__all__ = ["FORMATS", "SEVERITY_ORDER", "SHOWS_POSITIONS", "SHOWS_READ_KEYS", "CheckInfo", "ScanReport", "Summary",
           "SuppressionRecord", "Suppressions", "finding_sort_key", "render",
           "render_chunks"]
