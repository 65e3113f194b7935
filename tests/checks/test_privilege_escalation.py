"""The privilege-escalation check, and external-path-to-admin with and without ``scan --via all``, on the fixtures
of tests/data/privesc."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustgraph.api import TrustGraph
from trustgraph.checks.context import ScanContext
from trustgraph.checks.external_path_to_admin import CHECK as EXTERNAL_PATH
from trustgraph.checks.privilege_escalation import CHECK as PRIVESC
from trustgraph.checks.runner import run_checks
from trustgraph.ingest.load import load_estate

DATA = Path(__file__).resolve().parents[1] / "data" / "privesc"
ARN = "arn:aws:iam::123456789012"


@pytest.fixture(scope="module")
def tg() -> TrustGraph:
    return TrustGraph(load_estate([DATA]))


def test_every_true_positive_and_no_trap(tg: TrustGraph) -> None:
    findings = run_checks(ScanContext(tg), (PRIVESC,)).findings
    subjects = {f.role.rsplit("/", 1)[-1] for f in findings}
    users = {s for s in subjects if s.startswith(("tp-", "neg-"))}
    assert users == {u for u in users if u.startswith("tp-")}
    assert {"tp-putuserpolicy-self", "tp-passrole-split", "tp-createaccesskey", "tp-updateassumerolepolicy",
            "tp-boundary-removal", "tp-notaction-still-allows-put"} <= users
    assert not any(s.startswith("neg-") for s in subjects)
    assert {"StepRole", "VendorEntry"} <= subjects  # roles that may rewrite their own policy
    # tp-mixed obtains administrator power by assuming StepRole (admin-equivalent): a role assumption, reported on
    # StepRole, not on every principal that may assume it (query --via all shows its mixed path)
    assert "tp-mixed" not in subjects
    assert "admin-alice" not in subjects and "AdminRole" not in subjects  # already administrators
    assert all(f.severity.value == "critical" and f.path for f in findings)


def test_external_path_to_admin_uses_escalation_only_when_enabled(tg: TrustGraph) -> None:
    plain = run_checks(ScanContext(tg), (EXTERNAL_PATH,)).findings
    assert not [f for f in plain if f.role == f"{ARN}:role/VendorEntry"]
    mixed = run_checks(ScanContext(tg, via="all"), (EXTERNAL_PATH,)).findings
    entry = [f for f in mixed if f.role == f"{ARN}:role/VendorEntry"]
    assert len(entry) == 1
    (f,) = entry
    assert [h.method for h in f.path] == [None, "iam-005"]
    assert "enters the zone" in f.message
    # the findings of assume-role chains are unchanged
    assert [x for x in mixed if x.role != f"{ARN}:role/VendorEntry"] == list(plain)


def test_findings_say_when_an_admin_role_is_admin_equivalent(tmp_path: Path) -> None:
    """VendorEntry may rewrite its own policy (admin-equivalent); without its ExternalId condition an outsider
    reaches it, and the critical finding says which kind of administrator it is and why."""
    import json

    from trustgraph.checks.external_without_external_id import CHECK as NO_EXTERNAL_ID

    raw = json.loads((DATA / "gaad-123456789012.json").read_text())
    for r in raw["RoleDetailList"]:
        if r["RoleName"] == "VendorEntry":
            del r["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
    (tmp_path / "gaad-123456789012.json").write_text(json.dumps(raw))
    tg = TrustGraph(load_estate([tmp_path]))
    assert tg.graph.nodes[f"{ARN}:role/VendorEntry"]["admin_kind"] == "admin-equivalent"
    (f,) = [f for f in run_checks(ScanContext(tg), (NO_EXTERNAL_ID,)).findings
            if f.role == f"{ARN}:role/VendorEntry"]
    assert f.severity.value == "critical"
    assert "admin-equivalent: may call iam:PutRolePolicy on itself" in f.message


def test_a_principal_whose_admin_question_is_undecided_is_reported_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """The solver cannot decide whether tp-notaction-still-allows-put (NotAction iam:*, so the every-action question
    goes to the solver) already allows everything: the graph counts it as an administrator (the sound side for
    severity), and the check, which examines non-administrators only, must say Unknown for it instead of skipping
    it. Without the timeout the same principal is a plain finding (its escalation is real)."""
    from trustgraph.checks.finding import FindingKind
    from trustgraph.graph.admin import AdminDecider
    from trustgraph.smt.permissions import AdminAnswer

    subject = f"{ARN}:user/tp-notaction-still-allows-put"
    real = AdminDecider._covers

    def covers(self: AdminDecider, caller: object, scope: str) -> object:
        if getattr(caller, "arn", None) == subject and scope == "*":
            return AdminAnswer("unknown", reasons=("timeout (injected)",))
        return real(self, caller, scope)  # type: ignore[arg-type]

    monkeypatch.setattr(AdminDecider, "_covers", covers)
    tg = TrustGraph(load_estate([DATA]))
    node = tg.graph.nodes[subject]
    assert node["admin_kind"] == "admin" and node["admin_undecided"]
    findings = [f for f in run_checks(ScanContext(tg), (PRIVESC,)).findings if f.role == subject]
    assert [f.kind for f in findings] == [FindingKind.UNKNOWN]
    assert "timeout (injected)" in findings[0].message and "undecided" in findings[0].message
    # every other principal is decided and keeps its answer
    others = {f.role for f in run_checks(ScanContext(tg), (PRIVESC,)).findings if f.kind is not FindingKind.UNKNOWN}
    assert f"{ARN}:user/tp-putuserpolicy-self" in others


def test_decided_principals_are_not_marked_undecided(tg: TrustGraph) -> None:
    from trustgraph.checks.finding import FindingKind

    assert not any(d.get("admin_undecided") for _, d in tg.graph.nodes(data=True))
    findings = run_checks(ScanContext(tg), (PRIVESC,)).findings
    assert f"{ARN}:user/tp-notaction-still-allows-put" in {f.role for f in findings}
    assert not [f for f in findings if f.kind is FindingKind.UNKNOWN]


def test_a_path_ending_at_an_undecided_administrator_is_marked_approximate(monkeypatch: pytest.MonkeyPatch) -> None:
    """u may rewrite Big's trust policy (iam:UpdateAssumeRolePolicy, iam-012; it cannot assume Big as it is); Big's
    two statements add up to every
    action, which only the solver can tell, and here it cannot: Big counts as an administrator (the sound side), and
    u's finding says that it rests on that guess."""
    from tests.queries.builders import V, account, allow_aws, graph, role, trust, user
    from trustgraph.graph.admin import AdminDecider
    from trustgraph.smt.permissions import AdminAnswer

    acct = "123456789012"
    big = f"arn:aws:iam::{acct}:role/Big"
    split = {"PolicyName": "split", "PolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}
    rewrite = {"PolicyName": "rewrite", "PolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": big}]}}
    real = AdminDecider._covers

    def covers(self: AdminDecider, caller: object, scope: str) -> object:
        if getattr(caller, "arn", None) == big:
            return AdminAnswer("unknown", reasons=("timeout (injected)",))
        return real(self, caller, scope)  # type: ignore[arg-type]

    monkeypatch.setattr(AdminDecider, "_covers", covers)
    tg = graph(account(acct, users=[user(acct, "u", inline=[rewrite])],
                       roles=[role(acct, "Big", trust(allow_aws(f"arn:aws:iam::{acct}:role/Nobody")),
                                   inline=[split])]))
    assert tg.graph.nodes[big]["admin_undecided"]
    findings = run_checks(ScanContext(tg), (PRIVESC,)).findings
    (f,) = [f for f in findings if f.role == f"arn:aws:iam::{acct}:user/u"]
    assert [h.method for h in f.path] == ["iam-012"]
    assert any("could not decide" in a for a in f.approximations)
    assert [x.kind.value for x in findings if x.role == big] == ["unknown"]
