"""The terminal table: grouped by severity, every role shown, no colours off a terminal, robust to hostile text."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings

from trustgraph.checks.finding import Finding, Severity
from trustgraph.render.report import ScanReport
from trustgraph.render.table import clean, render_table

from .fixtures import HOSTILE_ROLE, IMG_ROLE, LONG_ROLE
from .strategies import reports

ANSI = re.compile(r"\x1b\[")


def column_text(out: str, name: str, following: str) -> str:
    """The text of one table column read top to bottom, whitespace removed (folded cells join up again)."""
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("severity "))
    start, end = lines[header].index(f" {name} ") + 1, lines[header].index(f" {following} ") + 1
    body = lines[header + 1:]
    body = body[: next((i for i, line in enumerate(body) if "findings:" in line), len(body))]
    return re.sub(r"\s+", "", "".join(line[start:end] for line in body))


def test_contains_every_active_role_and_summary(report: ScanReport) -> None:
    out = render_table(report, width=200)
    roles = column_text(out, "role", "source")
    for f in report.active:
        assert re.sub(r"\s+", "", f.role) in roles
    assert "AcceptedRisk" not in out  # suppressed findings are only counted
    assert "5 findings: 2 critical, 1 high, 1 medium, 1 low; 1 unknown; 1 suppressed" in out


def test_grouped_critical_first(report: ScanReport) -> None:
    out = render_table(report, width=400)
    rows = [line.split()[0] for line in out.splitlines() if line.strip().split(" ")[0] in
            {"critical", "high", "medium", "low"}]
    assert rows == ["critical", "critical", "high", "medium", "low"]


def test_no_escape_codes_without_colour(report: ScanReport) -> None:
    assert not ANSI.search(render_table(report))


def test_colour_when_asked(report: ScanReport) -> None:
    assert ANSI.search(render_table(report, color=True))


def test_markers(report: ScanReport) -> None:
    out = render_table(report, width=400)
    chain_line = next(line for line in out.splitlines() if "external-path-to-admin" in line)
    assert chain_line.rstrip().endswith("~")
    assert "external-without-external-id (unknown)" in out
    assert "warning: expired suppression public-role" in out
    assert "warning: unused suppression oidc-any-subject" in out


def test_narrow_terminal_folds_long_arns(report: ScanReport) -> None:
    out = render_table(report, width=60)
    assert all(len(line) <= 60 for line in out.splitlines())
    roles = column_text(out, "role", "source")
    for role in (LONG_ROLE, HOSTILE_ROLE, IMG_ROLE):
        assert re.sub(r"\s+", "", role) in roles


def test_rich_markup_and_control_characters_printed_literally() -> None:
    role = "arn:aws:iam::1:role/[bold]x[/] [/nope] \x1b[31mred\x07"
    f = Finding(check_id="public-role", severity=Severity.CRITICAL, role=role, source="*", message="m",
                remediation="r")
    out = render_table(ScanReport(findings=(f,)), width=200)
    assert "[bold]x[/][/nope]\\x1b[31mred\\x07" in column_text(out, "role", "source")
    assert "\x1b" not in out and "\x07" not in out
    assert clean("a\nb\u2028") == "a\\x0ab\\u2028"


def test_empty_report() -> None:
    out = render_table(ScanReport())
    assert out.splitlines()[0].startswith("zone of trust: ")  # every table says its zone first
    assert out.splitlines()[1] == "No findings."
    assert "0 findings" in out


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])  # the machine is shared
@given(reports)
def test_never_crashes(r: ScanReport) -> None:
    out = render_table(r, width=60)
    assert " ".join(r.summary.line().split()) in " ".join(out.split())
