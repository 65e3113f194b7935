"""external-without-external-id and external-without-mfa on paths through an admin role (trustgraph.checks.through):
an outsider's account assumes AdminA (an admin role) directly, AdminA assumes Mid, Mid assumes Target, none asking for
an ExternalId or MFA. Mid's and Target's findings name AdminA (at hop 1: these checks report direct reaches, so AdminA
has a finding of its own), their messages say so, and the report keeps the name only while AdminA's finding of the
same check is in it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from trustgraph.checks.external_without_external_id import ExternalWithoutExternalId
from trustgraph.checks.external_without_mfa import ExternalWithoutMfa
from trustgraph.checks.finding import Finding, Severity, ThroughAdmin
from trustgraph.checks.registry import CHECKS, CHECKS_BY_ID
from trustgraph.checks.runner import run_checks
from trustgraph.checks.through import admin_on_path, through_path
from trustgraph.queries.results import HopWitness
from trustgraph.render.table import render_table
from trustgraph.report.build import build_report
from trustgraph.report.scan_report import ScanReport

from .helpers import (
    ALLOW_ALL,
    B,
    assume_policy,
    gaad,
    load_context,
    role,
    role_arn,
    stmt,
    switched,
    trust,
    write_estate,
)

XID, MFA, EPA = "external-without-external-id", "external-without-mfa", "external-path-to-admin"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    roles = [
        role("AdminA", trust(stmt({"AWS": f"arn:aws:iam::{B}:root"})), policies=[ALLOW_ALL]),
        role("Mid", trust(stmt({"AWS": role_arn("AdminA")})), policies=[assume_policy(role_arn("Target"))]),
        role("Target", trust(stmt({"AWS": role_arn("Mid")}))),
    ]
    return write_estate(tmp_path_factory.mktemp("through"), {"111122223333": gaad(*roles)})


def _findings(estate: Path, check_id: str, *, lean: bool = True) -> dict[str, Finding]:
    owner = ExternalWithoutExternalId if check_id == XID else ExternalWithoutMfa
    with switched(owner, "lean_sources", lean):
        found = run_checks(load_context(estate), (CHECKS_BY_ID[check_id],)).findings
    return {f.role.rsplit("/", 1)[-1]: f for f in found if f.source == f"account:{B}"}


@pytest.fixture(scope="module")
def report(estate: Path) -> ScanReport:
    found = run_checks(load_context(estate), CHECKS).findings
    return build_report(found, CHECKS, zone={}, inputs=("x",), now=NOW)


@pytest.mark.parametrize("check_id", [XID, MFA])
def test_findings_past_an_admin_role_name_it_from_the_first_hop(estate: Path, check_id: str) -> None:
    found = _findings(estate, check_id)
    assert set(found) == {"AdminA", "Mid", "Target"}
    assert found["AdminA"].through_admin is None
    for name in ("Mid", "Target"):
        f = found[name]
        assert f.through_admin == ThroughAdmin(role_arn("AdminA"), 1)
        assert f.path[0].target == role_arn("AdminA")


def test_messages_name_the_admin_role(estate: Path) -> None:
    assert _findings(estate, XID)["Target"].message == (
        f"`account:{B}` reaches the role through a 3-hop chain without presenting sts:ExternalId, through admin role "
        f"`AdminA` (its own finding, hop 1): acct {B} -> AdminA -> Mid -> Target.")
    assert _findings(estate, MFA)["Mid"].message == (
        f"`account:{B}` reaches the role through a 2-hop chain with no MFA at any hop, through admin role `AdminA` "
        f"(its own finding, hop 1): acct {B} -> AdminA -> Mid.")
    assert _findings(estate, XID)["AdminA"].message == (
        f"`account:{B}` reaches the role directly without presenting sts:ExternalId. It is an admin role.")


@pytest.mark.parametrize("check_id", [XID, MFA])
def test_reference_merge_gives_the_same_findings(estate: Path, check_id: str) -> None:
    """run() and the merge of its findings (lean_sources off) say what the lean grouping says."""
    def said(found: dict[str, Finding]) -> dict[str, tuple[object, ...]]:
        return {k: (f.message, f.through_admin, [(h.source, h.target) for h in f.path]) for k, f in found.items()}

    assert said(_findings(estate, check_id, lean=False)) == said(_findings(estate, check_id))


def test_the_report_names_the_same_check_and_groups_under_it(report: ScanReport) -> None:
    by = {(f.check_id, f.role.rsplit("/", 1)[-1]): f for f in report.findings}
    assert not any(f.check_id == EPA for f in report.findings)  # AdminA is reached in one hop: no chain finding
    for check_id in (XID, MFA):
        for name in ("Mid", "Target"):
            assert by[check_id, name].through_admin == ThroughAdmin(role_arn("AdminA"), 1, check_id)
    roots = {(f.check_id, f.role.rsplit("/", 1)[-1]): [g.role.rsplit("/", 1)[-1] for g in under]
             for f, under in report.grouped_active() if under}
    assert roots == {(XID, "AdminA"): ["Mid", "Target"], (MFA, "AdminA"): ["Mid", "Target"]}
    # Mid and Target are not admin roles: high for the ExternalId check, so none counts as critical through
    assert by[XID, "Target"].severity is Severity.HIGH and report.summary.through_admin == 0
    text = render_table(report, width=160)
    assert "also reaches 2 more roles through it" in text and "more admin roles" not in text


def test_another_checks_finding_does_not_stand_in(report: ScanReport) -> None:
    """Without AdminA's external-without-external-id finding the report drops Target's through_admin (and the
    message's claim) although AdminA's external-without-mfa finding names the same source: that one is not what the
    path's prefix witnesses."""
    kept = tuple(f for f in report.findings if not (f.check_id == XID and f.role == role_arn("AdminA")))
    again = replace(report, findings=kept)
    target = next(f for f in again.findings if f.check_id == XID and f.role == role_arn("Target"))
    assert target.through_admin is None
    assert "(hop 1): acct" in target.message and "its own finding" not in target.message
    mfa = next(f for f in again.findings if f.check_id == MFA and f.role == role_arn("Target"))
    assert mfa.through_admin == ThroughAdmin(role_arn("AdminA"), 1, MFA)


def _hop(target: str) -> HopWitness:
    return HopWitness(source="x", target=target, action="sts:AssumeRole", context={}, statements=())


def test_admin_on_path_takes_the_first_admin_before_the_last_hop() -> None:
    hops = tuple(_hop(f"arn:aws:iam::1:role/{n}") for n in ("A1", "B", "A2", "T"))
    admin = {"arn:aws:iam::1:role/A1", "arn:aws:iam::1:role/A2", "arn:aws:iam::1:role/T"}.__contains__
    assert admin_on_path(hops, admin) == ThroughAdmin("arn:aws:iam::1:role/A1", 1)
    assert admin_on_path(hops[1:], admin) == ThroughAdmin("arn:aws:iam::1:role/A2", 2)
    assert admin_on_path(hops[3:], admin) is None  # the finding's own role is not a role it goes through
    assert admin_on_path((), admin) is None


def test_long_paths_fold_after_the_admin_role() -> None:
    hops = tuple(_hop(f"arn:aws:iam::1:role/R{i}") for i in range(1, 13))
    assert through_path("account:9", hops, ThroughAdmin("", 2)) == (
        "acct 9 -> R1 -> R2 -> ... 8 more hops ... -> R11 -> R12")
    assert through_path("account:9", hops[:8], ThroughAdmin("", 2)) == (
        "acct 9 -> " + " -> ".join(f"R{i}" for i in range(1, 9)))
