"""Lost guards decided per trust policy: for each kind of guard, an OLD and a NEW estate that differ in one role's
trust policy; the solver's witness (NEW allows, OLD denies) is replayed here against both, and the guard read off it.

Account A = 111122223333 is in the zone (organization o-a1b2c3d4e5); B = 444455556666 is outside.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import trustgraph
from tests.checks.helpers import GITHUB, ORG, SAML, ZONE, A, B, gaad, role, role_arn, stmt, trust, write_estate
from trustgraph.api import TrustGraph
from trustgraph.report.guards import GuardLost, guard_of
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.smt.results import inject_unknown

R = role_arn("R")
GH = "token.actions.githubusercontent.com"
NOW = "2026-11-28T15:00:00Z"


def _load(directory: Path) -> TrustGraph:
    from datetime import UTC, datetime

    tg = trustgraph.load(directory, zone=list(ZONE))
    return TrustGraph(tg.estate, tg.zone, now=datetime(2026, 11, 28, 15, tzinfo=UTC))


def lost(tmp_path: Path, old_trust: dict[str, Any], new_trust: dict[str, Any]) -> list[GuardLost]:
    """The guards lost when role R's trust policy goes from ``old_trust`` to ``new_trust``; every proven witness is
    replayed here: the reference evaluator allows it against NEW and denies it against OLD."""
    from trustgraph.report.diff import find_guards_lost

    old_tg = _load(write_estate(tmp_path / "old", {A: gaad(role("R", old_trust))}))
    new_tg = _load(write_estate(tmp_path / "new", {A: gaad(role("R", new_trust))}))
    out = list(find_guards_lost(old_tg, new_tg))
    for g in out:
        if g.verdict != "proven":
            continue
        assert g.replayed
        (hop,) = g.witness
        caller, target, request = hop.evidence
        assert evaluate_hop(caller, target, request).allowed
        assert not evaluate_hop(caller, old_tg.engine.target(R), request).allowed
        assert hop.context["aws:CurrentTime"] == (NOW,)
    return out


def one(guards: list[GuardLost]) -> GuardLost:
    assert len({(g.source, g.guards) for g in guards}) == 1, [(g.source, g.guards) for g in guards]
    return guards[0]


def test_dropped_external_id(tmp_path: Path) -> None:
    g = one(lost(tmp_path, trust(stmt({"AWS": f"arn:aws:iam::{B}:root"},
                                      condition={"StringEquals": {"sts:ExternalId": "secret-123"}})),
                 trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}))))
    assert (g.guard, g.key, g.change, g.source, g.source_class) == (
        "external id", "sts:ExternalId", "condition", f"account:{B}", "account")
    assert "sts:ExternalId" not in g.witness[0].context
    assert g.old_decision == "implicit-deny" and g.old_statements and g.new_statements


def test_external_id_changed_to_a_glob_that_admits_others(tmp_path: Path) -> None:
    g = one(lost(tmp_path, trust(stmt({"AWS": f"arn:aws:iam::{B}:root"},
                                      condition={"StringEquals": {"sts:ExternalId": "secret-123"}})),
                 trust(stmt({"AWS": f"arn:aws:iam::{B}:root"},
                            condition={"StringLike": {"sts:ExternalId": "secret-*"}}))))
    assert g.guard == "external id"
    (value,) = g.witness[0].context["sts:ExternalId"]
    assert value.startswith("secret-") and value != "secret-123"


def test_dropped_mfa(tmp_path: Path) -> None:
    g = one(lost(tmp_path, trust(stmt({"AWS": f"arn:aws:iam::{B}:root"},
                                      condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
                 trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}))))
    assert (g.guard, g.key, g.source) == ("MFA", "aws:MultiFactorAuthPresent", f"account:{B}")
    assert g.witness[0].context.get("aws:MultiFactorAuthPresent", ("false",)) != ("true",)


def test_removed_deny_statement_counts(tmp_path: Path) -> None:
    allow = stmt({"AWS": f"arn:aws:iam::{B}:root"})
    deny = stmt({"AWS": "*"}, effect="Deny", condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})
    g = one(lost(tmp_path, trust(allow, deny), trust(allow)))
    assert (g.guard, g.change, g.old_decision) == ("MFA", "deny", "explicit-deny")
    assert g.keys == ("aws:MultiFactorAuthPresent",) and g.old_statements[0].endswith("/Statement/1")


def test_dropped_organization(tmp_path: Path) -> None:
    g = one(lost(tmp_path, trust(stmt({"AWS": "*"}, condition={"StringEquals": {"aws:PrincipalOrgID": ORG}})),
                 trust(stmt({"AWS": "*"}))))
    assert (g.guard, g.key, g.source, g.source_class) == ("organization", "aws:PrincipalOrgID", "external",
                                                           "external")
    assert g.witness[0].context.get("aws:PrincipalOrgID") != (ORG,)


def test_org_paths_widened_to_another_organization(tmp_path: Path) -> None:
    g = one(lost(tmp_path,
                 trust(stmt({"AWS": "*"}, condition={"ForAnyValue:StringLike": {
                     "aws:PrincipalOrgPaths": f"{ORG}/r-ab12/ou-ab12-11111111/*"}})),
                 trust(stmt({"AWS": "*"}, condition={"ForAnyValue:StringLike": {
                     "aws:PrincipalOrgPaths": "*/r-ab12/ou-ab12-11111111/*"}}))))
    assert (g.guard, g.key) == ("organization", "aws:PrincipalOrgPaths")
    paths = g.witness[0].context["aws:PrincipalOrgPaths"]
    assert any("/r-ab12/ou-ab12-11111111/" in p for p in paths)
    assert not any(p.startswith(ORG + "/") for p in paths)


@pytest.mark.parametrize(("condition", "guard", "key"), [
    ({"StringEquals": {"aws:SourceAccount": A}}, "source account", "aws:SourceAccount"),
    ({"ArnLike": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:alerts"}}, "source ARN", "aws:SourceArn"),
])
def test_service_principal_loses_its_source(tmp_path: Path, condition: dict[str, Any], guard: str,
                                            key: str) -> None:
    svc = {"Service": "sns.amazonaws.com"}
    g = one(lost(tmp_path, trust(stmt(svc, condition=condition)), trust(stmt(svc))))
    assert (g.guard, g.key, g.source, g.source_class) == (guard, key, "service:sns.amazonaws.com", "service")
    assert g.witness[0].caller == "sns.amazonaws.com"


def _github(condition: dict[str, Any]) -> dict[str, Any]:
    return trust(stmt({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity",
                      condition={"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}, **condition}))


def test_github_subject_widened_from_a_repository_to_an_owner(tmp_path: Path) -> None:
    g = one(lost(tmp_path, _github({"StringLike": {f"{GH}:sub": "repo:acme/app:*"}}),
                 _github({"StringLike": {f"{GH}:sub": "repo:acme/*"}})))
    assert (g.guard, g.key, g.source, g.source_class) == ("subject pin", f"{GH}:sub", f"federated:{GITHUB}",
                                                           "federated")
    (sub,) = g.witness[0].context[f"{GH}:sub"]
    assert sub.startswith("repo:acme/") and not sub.startswith("repo:acme/app:")


def test_github_repository_claim_dropped(tmp_path: Path) -> None:
    g = one(lost(tmp_path, _github({"StringEquals": {f"{GH}:repository": "acme/app"}}), _github({})))
    assert (g.guard, g.key) == ("subject pin", f"{GH}:repository")


def test_oidc_audience_dropped(tmp_path: Path) -> None:
    sub = {"StringLike": {f"{GH}:sub": "repo:acme/app:*"}}
    old = trust(stmt({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity",
                     condition={"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}, **sub}))
    new = trust(stmt({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", condition=sub))
    g = one(lost(tmp_path, old, new))
    assert (g.guard, g.key) == ("audience pin", f"{GH}:aud")


def test_saml_audience_dropped(tmp_path: Path) -> None:
    old = trust(stmt({"Federated": SAML}, "sts:AssumeRoleWithSAML",
                     condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}))
    new = trust(stmt({"Federated": SAML}, "sts:AssumeRoleWithSAML"))
    g = one(lost(tmp_path, old, new))
    assert (g.guard, g.key, g.source) == ("audience pin", "SAML:aud", f"federated:{SAML}")


def test_principal_widened_from_a_role_to_its_account(tmp_path: Path) -> None:
    g = one(lost(tmp_path, trust(stmt({"AWS": f"arn:aws:iam::{B}:role/Deployer"})),
                 trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}))))
    assert (g.guard, g.key, g.change, g.source) == ("principal widened", None, "principal", f"account:{B}")
    assert g.witness[0].caller != f"arn:aws:iam::{B}:role/Deployer"


def test_two_guards_of_two_accounts_are_both_reported(tmp_path: Path) -> None:
    c = "444455557777"
    old = trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}, condition={"StringEquals": {"sts:ExternalId": "x-123"}}),
                stmt({"AWS": f"arn:aws:iam::{c}:root"}, condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    new = trust(stmt({"AWS": [f"arn:aws:iam::{B}:root", f"arn:aws:iam::{c}:root"]}))
    found = {(g.source, g.guard) for g in lost(tmp_path, old, new)}
    assert found == {(f"account:{B}", "external id"), (f"account:{c}", "MFA")}


@pytest.mark.parametrize(("old", "new"), [
    # the same policy: nothing asked
    (trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}, condition={"StringEquals": {"sts:ExternalId": "x-123"}})),
     trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}, condition={"StringEquals": {"sts:ExternalId": "x-123"}}))),
    # rewritten, same meaning: the solver proves no new request
    (trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}, condition={"StringEquals": {"sts:ExternalId": "x-123"}})),
     trust(stmt({"AWS": B}, condition={"StringLike": {"sts:ExternalId": "x-123"}}))),
    # a guard added, not lost
    (trust(stmt({"AWS": f"arn:aws:iam::{B}:root"})),
     trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}, condition={"StringEquals": {"sts:ExternalId": "x-123"}}))),
    # a trusted account removed
    (trust(stmt({"AWS": [f"arn:aws:iam::{B}:root", "arn:aws:iam::444455557777:root"]})),
     trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}))),
])
def test_no_new_access_no_guard_lost(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> None:
    assert lost(tmp_path, old, new) == []


def test_an_undecided_question_is_reported_as_unknown(tmp_path: Path) -> None:
    old = trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}, condition={"StringEquals": {"sts:ExternalId": "x-123"}}))
    new = trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}, condition={"StringLike": {"sts:ExternalId": "x-*"}}))
    with inject_unknown():
        guards = lost(tmp_path, old, new)
    assert guards and all(g.verdict == "unknown" and g.change == "unknown" and not g.witness for g in guards)
    assert all("injected" in g.old_reasons[0] for g in guards)


def test_guard_names() -> None:
    assert guard_of("aws:SourceOrgID") == "source organization"
    assert guard_of(f"{GH}:job_workflow_ref") == "subject pin"
    assert guard_of("cognito-identity.amazonaws.com:amr") == "token claim pin"
    assert guard_of("aws:SourceIp") is None
