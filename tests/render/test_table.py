"""The terminal report: one block per finding (who, path, what, fix, where), grouped by severity, fitted to the
width without breaking words, a legend for every symbol, no colours off a terminal, robust to hostile text."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustgraph.checks.finding import Finding, Severity
from trustgraph.model.location import Location
from trustgraph.queries.results import HopWitness
from trustgraph.render.positions import Position
from trustgraph.render.report import ScanReport
from trustgraph.render.table import LEGEND, clean, first_sentence, render_table, shorten_middle, wrap

from .fixtures import EXPORT_A, HOSTILE_ROLE, LONG_ROLE
from .strategies import reports

ANSI = re.compile(r"\x1b\[")
SEVERITIES = ("critical", "high", "medium", "low")


def headings(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.split(" ", 1)[0] in SEVERITIES]


def block(out: str, role_word: str) -> list[str]:
    """The lines of the finding whose heading mentions ``role_word``."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split(" ", 1)[0] in SEVERITIES and role_word in line)
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].strip())
    return lines[start:end]


def field(lines: list[str], label: str) -> str:
    """A labelled detail of a block, continuation lines joined."""
    out: list[str] = []
    for line in lines[1:]:
        if line.startswith(f"  {label} "):
            out.append(line[9:])
        elif out and line.startswith(" " * 9):
            out.append(line[9:])
        elif out:
            break
    return " ".join(out).replace("\xa0", " ")


def test_every_active_finding_and_the_summary(report: ScanReport) -> None:
    out = render_table(report, width=400)
    heads = headings(out)
    for f in report.active:
        assert any(clean(f.role) in h and f.check_id in h for h in heads), f.role
    assert "AcceptedRisk" not in out  # suppressed findings are only counted
    assert "5 findings: 2 critical, 1 high, 1 medium, 1 low; 1 unknown; 1 suppressed" in out
    assert not out.startswith(" ")


def test_grouped_critical_first(report: ScanReport) -> None:
    assert [h.split()[0] for h in headings(render_table(report, width=400))] == [
        "critical", "critical", "high", "medium", "low"]


def test_a_finding_says_who_how_what_to_change_and_where(report: ScanReport) -> None:
    chain = next(f for f in report.active if f.check_id == "external-path-to-admin")
    located = replace(report, positions={chain.statements[0]: Position(12, 7), chain.statements[1]: Position(229, 21)})
    lines = block(render_table(located, width=120), "external-path-to-admin")
    assert field(lines, "who") == "account 444455556666 (any principal of it) (+1 other source)"
    # node names are the last segment of an ARN (IAM names have no "/"; this hostile one does)
    assert field(lines, "path") == "acct 444455556666 \u2192 Bridge \u2500[ExtId]\u2192 script>"
    assert field(lines, "fix") == "Break the chain."
    assert field(lines, "where") == "Bridge: exports/account-b <b>.json:12, script>: exports/account-a.json:229"
    assert lines[0] == f"critical  external-path-to-admin ~  {HOSTILE_ROLE}"
    # without positions: file#pointer
    lines = block(render_table(report, width=120), "external-path-to-admin")
    assert field(lines, "where").startswith("Bridge: exports/account-b <b>.json#/RoleDetailList/0/AssumeRolePolicy")


def test_public_role_names_its_witness_account() -> None:
    hop = HopWitness(source="account:987654321098", target="arn:aws:iam::1:role/Pub", action="sts:AssumeRole",
                     context={"sts:ExternalId": ("guess",), "aws:MultiFactorAuthPresent": ("true",)})
    f = Finding(check_id="public-role", severity=Severity.CRITICAL, role="arn:aws:iam::1:role/Pub", source="*",
                message="m", remediation="Restrict the principal. Then more.", path=(hop,))
    lines = block(render_table(ScanReport(findings=(f,)), width=120), "public-role")
    assert field(lines, "who") == ("anyone: any AWS account (witness: account 987654321098, named nowhere in the "
                                   "exports)")
    assert field(lines, "path") == "acct 987654321098 \u2500[ExtId,MFA]\u2192 Pub"
    assert field(lines, "fix") == "Restrict the principal."


def test_federated_hops_name_their_action(report: ScanReport) -> None:
    lines = block(render_table(report, width=200), "oidc-any-subject")
    assert "\u2500[WebIdentity]\u2192" in field(lines, "path")


def test_legend_explains_every_symbol(report: ScanReport) -> None:
    out = render_table(report, width=100)
    legend = out[out.index("legend:"):]
    for symbol, _ in LEGEND:
        assert f"  {symbol} " in legend
    assert "\u2192" in out and "[ExtId]" in out and "~" in out and "(unknown)" in out


def test_no_escape_codes_without_colour(report: ScanReport) -> None:
    assert not ANSI.search(render_table(report))


def test_colour_when_asked(report: ScanReport) -> None:
    assert ANSI.search(render_table(report, color=True))


def test_markers_and_warnings(report: ScanReport) -> None:
    out = render_table(report, width=400)
    assert re.search(r"external-path-to-admin ~ ", next(h for h in headings(out) if "external-path-to-admin" in h))
    assert "external-without-external-id (unknown)" in out
    assert "warning: expired suppression public-role" in out
    assert "warning: unused suppression oidc-any-subject" in out


def test_narrow_terminal_never_breaks_words(report: ScanReport) -> None:
    for width in (40, 60, 80, 100):
        out = render_table(report, width=width)
        assert all(len(line) <= width for line in out.splitlines()), width
        words = set(" ".join(render_table(report, width=1000).split("\n")).split())
        for line in out.splitlines():
            for word in line.split():
                assert word in words or "\u2026" in word, (width, word)  # whole words, or shortened ones
    out = render_table(report, width=60)
    assert LONG_ROLE not in out and "\u2026" in out  # the long ARN is shortened in the middle


def test_wrap_and_shorten() -> None:
    assert wrap("external-without-external-id and more", 20) == ["external-\u2026xternal-id", "and more"]
    assert shorten_middle("abcdefghij", 5) == "ab\u2026ij"
    assert shorten_middle("abc", 5) == "abc"
    assert first_sentence('Use "a. b" (see x. y). Then z.') == 'Use "a. b" (see x. y).'


def test_rich_markup_and_control_characters_printed_literally() -> None:
    role = "arn:aws:iam::1:role/[bold]x[/] [/nope] \x1b[31mred\x07"
    f = Finding(check_id="public-role", severity=Severity.CRITICAL, role=role, source="*", message="m\x1b[2J",
                remediation="r", statements=(Location(EXPORT_A + "\x1b]0;t\x07", "/x"),))
    out = render_table(ScanReport(findings=(f,)), width=200)
    assert "[bold]x[/] [/nope] \\x1b[31mred\\x07" in out and "m\\x1b[2J" in out
    assert "\x1b" not in out and "\x07" not in out
    assert clean("a\nb\u2028") == "a\\nb\\u2028"


def test_empty_report() -> None:
    out = render_table(ScanReport())
    assert out.splitlines()[0].startswith("zone of trust: ")  # every report says its zone first
    assert "No findings." in out.splitlines()
    assert "0 findings" in out and "legend" not in out


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(reports, st.integers(min_value=40, max_value=160))
def test_never_crashes_and_fits(r: ScanReport, width: int) -> None:
    out = render_table(r, width=width)
    assert " ".join(r.summary.line().split()) in " ".join(out.split())
    assert all(len(line) <= width for line in out.splitlines())


def test_who_counts_the_other_sources() -> None:
    from dataclasses import replace

    from trustgraph.checks.finding import SourceReach, source_class
    from trustgraph.render.table import other_sources, who_gets_in

    f = Finding(check_id="external-without-mfa", severity=Severity.MEDIUM, role="arn:aws:iam::1:role/R",
                source="account:444455556666", message="m", remediation="r")
    grouped = replace(f, sources=tuple(SourceReach(source=s, source_class=source_class(s)) for s in (
        "account:444455556666", "account:555566667777", "external")))
    assert other_sources(f) == []
    assert other_sources(grouped) == ["account:555566667777", "external"]
    assert who_gets_in(grouped) == "account 444455556666 (any principal of it) (+2 other sources)"
