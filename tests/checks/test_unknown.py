"""Unknown solver answers become UNKNOWN findings of the check that asked; they are never dropped or read as safe.

Every solver call is made to answer Unknown (the dispatcher ``smt.solve.answer`` replaced for the test: the
``inject_unknown`` option only reaches hops that get as far as z3, and these small trust policies fold to constants
before that).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trustgraph.checks.finding import FindingKind, Severity
from trustgraph.checks.registry import CHECKS_BY_ID
from trustgraph.smt import solve as smt_solve

from .helpers import ALLOW_ALL, GITHUB, SAML, B, single_role, stmt, trust

B_ROOT = {"AWS": f"arn:aws:iam::{B}:root"}


@pytest.fixture
def undecided(monkeypatch: pytest.MonkeyPatch) -> None:
    def unknown(*args: object, **kwargs: object) -> smt_solve.Unknown:
        return smt_solve.Unknown("timeout (injected)")

    monkeypatch.setattr(smt_solve, "answer", unknown)


@pytest.mark.parametrize(("check", "doc", "policies"), [
    ("external-without-external-id", trust(stmt(B_ROOT)), ()),
    ("external-without-mfa", trust(stmt(B_ROOT)), ()),
    ("public-role", trust(stmt({"AWS": "*"}, condition={"StringEquals": {"sts:ExternalId": "x-1"}})), ()),
    ("oidc-any-subject", trust(stmt({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity")), ()),
    ("saml-missing-audience", trust(stmt({"Federated": SAML}, "sts:AssumeRoleWithSAML")), ()),
    ("service-confused-deputy", trust(stmt({"Service": "config.amazonaws.com"})), ()),
    ("dead-trust-statement", trust(stmt({"AWS": "AIDAJQABLZS4A3QDU576Q"})), ()),
])
@pytest.mark.usefixtures("undecided")
def test_unknown_answers_are_findings(tmp_path: Path, check: str, doc: dict[str, object],
                                      policies: tuple[dict[str, object], ...]) -> None:
    findings = single_role(tmp_path, check, doc, policies=policies)
    assert findings, "an undecided question must not vanish"
    assert all(f.kind is FindingKind.UNKNOWN for f in findings)
    assert all(f.severity is CHECKS_BY_ID[check].severity for f in findings)
    assert all(f.message.startswith("Unknown:") for f in findings)


@pytest.mark.usefixtures("undecided")
def test_unknown_on_admin_role_keeps_the_raised_severity(tmp_path: Path) -> None:
    [f] = single_role(tmp_path, "external-without-external-id", trust(stmt(B_ROOT)), policies=[ALLOW_ALL])
    assert f.kind is FindingKind.UNKNOWN and f.severity is Severity.CRITICAL


@pytest.mark.usefixtures("undecided")
def test_unknown_counts_for_fail_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from trustgraph.cli.main import main

    from .helpers import A, gaad, role, write_estate

    d = write_estate(tmp_path / "e", {A: gaad(role("R", trust(stmt(B_ROOT))))})
    code = main(["scan", str(d), "--zone", A, "--check", "external-without-external-id", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["summary"]["by_kind"]["unknown"] == 1
