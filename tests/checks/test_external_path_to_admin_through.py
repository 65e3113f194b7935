"""external-path-to-admin on a path through another admin role (tests/data/through-admin): the finding names the
first admin role on its path (``through_admin``), its message says so and folds a long path, and its path, sources
and verdict are those of the finding without it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from trustgraph.checks.external_path_to_admin import FOLD_HOPS, ExternalPathToAdmin, first_admin
from trustgraph.checks.finding import Finding, Severity, ThroughAdmin
from trustgraph.checks.registry import CHECKS, CHECKS_BY_ID
from trustgraph.checks.runner import run_checks
from trustgraph.queries.results import HopWitness
from trustgraph.report.build import build_report
from trustgraph.report.scan_report import ScanReport

from .helpers import load_context, switched

DATA = Path(__file__).resolve().parents[1] / "data" / "through-admin"
R = "arn:aws:iam::111122223333:role/"
EPA = "external-path-to-admin"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _findings(*, lean: bool = True) -> dict[str, Finding]:
    with switched(ExternalPathToAdmin, "lean_sources", lean):
        found = run_checks(load_context(DATA), (CHECKS_BY_ID[EPA],)).findings
    return {f.role.rsplit("/", 1)[-1]: f for f in found}


@pytest.fixture(scope="module")
def findings() -> dict[str, Finding]:
    return _findings()


def test_root_cause_is_not_through_another_admin(findings: dict[str, Finding]) -> None:
    assert set(findings) == {"AdminA", "AdminB", "AdminC"}
    a = findings["AdminA"]
    assert a.through_admin is None
    assert a.message == ("`account:444455556666` reaches the admin role in 2 hops: "
                         "acct 444455556666 -> Vendor -> AdminA.")


def test_dominated_findings_name_the_first_admin_role_on_their_path(findings: dict[str, Finding]) -> None:
    assert findings["AdminB"].through_admin == ThroughAdmin(R + "AdminA", 2)
    assert findings["AdminC"].through_admin == ThroughAdmin(R + "AdminA", 2)
    for name in ("AdminB", "AdminC"):
        f = findings[name]
        assert f.path[f.through_admin.hop - 1].target == R + "AdminA"  # type: ignore[union-attr]
        assert f.severity is Severity.CRITICAL and f.source == "account:444455556666"


def test_long_path_is_folded_in_the_message_and_whole_in_the_path(findings: dict[str, Finding]) -> None:
    b = findings["AdminB"]
    assert len(b.path) == 11 > FOLD_HOPS
    assert [h.target.rsplit("/", 1)[-1] for h in b.path] == [
        "Vendor", "AdminA", *(f"Chain{i}" for i in range(1, 9)), "AdminB"]
    assert b.message == (
        "`account:444455556666` reaches the admin role in 11 hops through admin role `AdminA` (its own finding, "
        "hop 2): acct 444455556666 -> Vendor -> AdminA -> ... 7 more hops ... -> Chain8 -> AdminB.")


def test_short_path_through_an_admin_role_is_shown_whole(findings: dict[str, Finding]) -> None:
    assert findings["AdminC"].message == (
        "`account:444455556666` reaches the admin role in 3 hops through admin role `AdminA` (its own finding, "
        "hop 2): acct 444455556666 -> Vendor -> AdminA -> AdminC.")


def test_reference_merge_gives_the_same_findings(findings: dict[str, Finding]) -> None:
    """run() and the merge of its findings (lean_sources off) say what grouped() says."""
    def said(found: dict[str, Finding]) -> dict[str, tuple[object, ...]]:
        return {k: (f.message, f.through_admin, [(h.source, h.target) for h in f.path]) for k, f in found.items()}

    assert said(_findings(lean=False)) == said(findings)


def _hop(source: str, target: str) -> HopWitness:
    return HopWitness(source=source, target=target, action="sts:AssumeRole")


def test_first_admin_skips_the_first_hop_and_the_target() -> None:
    hops = (_hop("account:1", "A"), _hop("A", "X"), _hop("X", "B"), _hop("B", "C"))
    admins = {"A", "B", "C"}
    # A is entered at hop 1 (the source assumes it directly: no finding of this check), C is the target
    assert first_admin(hops, admins.__contains__) == ThroughAdmin("B", 3)
    assert first_admin(hops[:3], admins.__contains__) is None
    assert first_admin(hops, {"A", "C"}.__contains__) is None


def test_report_names_the_dominating_finding_and_groups_under_it(findings: dict[str, Finding]) -> None:
    found = run_checks(load_context(DATA), CHECKS).findings
    report = build_report(found, CHECKS, zone={}, inputs=("x",), now=NOW)
    by_role = {f.role.rsplit("/", 1)[-1]: f for f in report.findings if f.check_id == EPA}
    assert by_role["AdminB"].through_admin == ThroughAdmin(R + "AdminA", 2, EPA)
    assert report.dominating(by_role["AdminB"]) is by_role["AdminA"]
    tops = {(f.check_id, f.role.rsplit("/", 1)[-1]): [u.role.rsplit("/", 1)[-1] for u in under]
            for f, under in report.grouped_active()}
    assert tops == {(EPA, "AdminA"): ["AdminC", "AdminB"]}  # the report order: fewer hops first
    summary = report.summary
    assert summary.by_severity["critical"] == 3 and summary.through_admin == 2
    assert summary.line() == ("3 findings: 3 critical, 0 high, 0 medium, 0 low; 0 unknown; 0 suppressed; "
                              "2 critical through another admin role")


def test_report_drops_a_through_admin_whose_finding_it_does_not_hold(findings: dict[str, Finding]) -> None:
    """Alone in a report, AdminB's finding is not grouped and its message claims no finding."""
    report = ScanReport(findings=(findings["AdminB"],))
    [b] = report.findings
    assert b.through_admin is None
    assert "its own finding" not in b.message and "through admin role `AdminA` (hop 2)" in b.message
    assert report.grouped_active() == ((b, ()),)
    assert report.summary.through_admin == 0
    assert report.summary.line().endswith("0 suppressed")


def test_dominating_finding_must_name_the_source(findings: dict[str, Finding]) -> None:
    other = replace(findings["AdminA"], source="account:999988887777", sources=())
    report = ScanReport(findings=(other, findings["AdminB"]))
    assert all(f.through_admin is None for f in report.findings)


def test_not_grouped_under_a_less_severe_or_suppressed_finding(findings: dict[str, Finding]) -> None:
    high = replace(findings["AdminA"], severity=Severity.HIGH)
    report = ScanReport(findings=(high, findings["AdminB"]))
    assert report.findings[1].through_admin is not None  # named, but a critical is not read after a high
    assert [(f.role, len(u)) for f, u in report.grouped_active()] == [(R + "AdminB", 0), (R + "AdminA", 0)]
    suppressed = replace(findings["AdminA"], suppressed_by="accepted")
    report = ScanReport(findings=(suppressed, findings["AdminB"]))
    assert report.findings[1].through_admin is None
    assert [f.role for f, _ in report.grouped_active()] == [R + "AdminB"]


def test_a_loop_of_through_admin_leaves_both_on_top(findings: dict[str, Finding]) -> None:
    a = replace(findings["AdminA"], through_admin=ThroughAdmin(R + "AdminB", 2))
    report = ScanReport(findings=(a, findings["AdminB"]))
    assert len(report.grouped_active()) == 2
    assert report.summary.through_admin == 0
