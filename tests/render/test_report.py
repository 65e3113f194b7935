"""ScanReport: ordering, summary counts, the summary line, the format dispatcher."""

from __future__ import annotations

import pytest

from trustgraph.checks.finding import Severity
from trustgraph.render.report import FORMATS, ScanReport, render

from .fixtures import make_report


def test_order_is_severity_then_exposure_then_check_then_role(report: ScanReport) -> None:
    keys = [(f.severity.rank, f.check_id, f.role) for f in report.ordered]
    assert [k[0] for k in keys] == sorted((k[0] for k in keys), reverse=True)
    # both critical: the role an outsider reaches in one hop comes before the one reached in two
    assert [(f.check_id, f.exposure) for f in report.ordered[:2]] == [("oidc-any-subject", (1, 0)),
                                                                      ("external-path-to-admin", (2, 1))]


def test_order_does_not_depend_on_input_order(report: ScanReport) -> None:
    reversed_report = make_report(tuple(reversed(report.findings)))
    assert reversed_report.ordered == report.ordered


def test_summary_counts_exclude_suppressed(report: ScanReport) -> None:
    s = report.summary
    assert s.total == 5
    assert dict(s.by_severity) == {"critical": 2, "high": 1, "medium": 1, "low": 1}
    assert dict(s.by_kind) == {"finding": 4, "unknown": 1}
    assert s.suppressed == 1
    assert s.approximate == 1
    assert s.highest is Severity.CRITICAL


def test_summary_line(report: ScanReport) -> None:
    assert report.summary.line() == "5 findings: 2 critical, 1 high, 1 medium, 1 low; 1 unknown; 1 suppressed"


def test_empty_report_summary() -> None:
    s = ScanReport().summary
    assert s.total == 0 and s.highest is None
    assert s.line() == "0 findings: 0 critical, 0 high, 0 medium, 0 low; 0 unknown; 0 suppressed"


def test_rules_add_checks_named_only_by_findings(report: ScanReport) -> None:
    bare = ScanReport(findings=report.findings)
    assert sorted(c.id for c in bare.rules()) == sorted({f.check_id for f in report.findings})
    assert [c.id for c in report.rules()] == [c.id for c in report.checks_run]


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "html"])
def test_render_dispatch_is_deterministic(report: ScanReport, fmt: str) -> None:
    assert render(report, fmt) == render(make_report(tuple(reversed(report.findings))), fmt)


def test_render_unknown_format(report: ScanReport) -> None:
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render(report, "xml")


def test_render_sarif_reading_missing_files_keeps_line_one(report: ScanReport) -> None:
    import json

    log = json.loads(render(report, "sarif", read_files=True))
    results = log["runs"][0]["results"]
    lines = {loc["physicalLocation"]["region"]["startLine"] for r in results for loc in r["locations"]}
    assert lines == {1}


def test_untitled_finding_gets_its_checks_title(report: ScanReport) -> None:
    from dataclasses import replace

    untitled = tuple(replace(f, title="") for f in report.findings)
    titled = make_report(untitled)
    assert [f.title for f in titled.ordered] == [f.title for f in report.ordered]
    assert ScanReport(findings=untitled).ordered[0].title == ""
