"""vacuous-condition answering question 3 without the solver for a ``StringEquals aws:PrincipalAccount`` condition
the statement's principals imply (switch ``SolverOptions.implied_conditions``,
:func:`trustgraph.checks.vacuous_condition.implied_condition`) against the solver's answer: on generated
organizations (and on a hand-made one where the rule applies), the findings of vacuous-condition and
dead-trust-statement are the same field by field (messages, statements and the rendered witnesses), each check's own
and the scan's, each scan in a session of its own, with the lazy statement question (``lazy_liveness``) on and
off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org

import trustgraph.checks.vacuous_condition as vacuous
from trustgraph.api import TrustGraph, load
from trustgraph.smt.options import SolverOptions

from .helpers import GITHUB_CLAIM_SHAPES, GITHUB_CLAIMS_DISAGREE, statement_check_findings


def _findings(tg: TrustGraph, options: SolverOptions, monkeypatch: pytest.MonkeyPatch,
              rule: str = "implied_condition") -> tuple[list[Any], int]:
    """The two checks' findings as plain data with ``options`` in fresh sessions, and how many times ``rule``
    (:func:`~trustgraph.checks.vacuous_condition.implied_condition` or ``claims_disagree``) said True."""
    fired = [0]
    real = getattr(vacuous, rule)

    def counted(*args: Any) -> bool:
        out: bool = real(*args)
        fired[0] += out
        return out

    monkeypatch.setattr(vacuous, rule, counted)
    found = statement_check_findings(tg, options)
    monkeypatch.undo()
    return found, fired[0]


def _same(tg: TrustGraph, monkeypatch: pytest.MonkeyPatch, base: SolverOptions | None = None,
          switch: str = "implied_conditions", rule: str = "implied_condition") -> int:
    """Assert the findings agree with ``switch`` on and off (the other switches as ``base``, default all on); return
    how many times its rule said True."""
    base = SolverOptions() if base is None else base
    fast, fired = _findings(tg, base, monkeypatch, rule)
    reference, _ = _findings(tg, base.without(switch), monkeypatch, rule)
    assert len(fast) == len(reference)
    for new, old in zip(fast, reference, strict=True):
        assert new == old  # finding by finding: the witness each renders included
    return fired


def _role(name: str, account: str, statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Arn": f"arn:aws:iam::{account}:role/{name}", "RoleName": name, "RoleId": f"AROA{name.upper():0<17}"[:21],
            "Path": "/", "CreateDate": "2021-01-01T00:00:00Z", "Tags": [], "RolePolicyList": [],
            "AttachedManagedPolicies": [], "InstanceProfileList": [], "RoleLastUsed": {},
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": statements}}


def _implied_org(tmp_path: Path) -> TrustGraph:
    """One account whose roles trust other accounts with aws:PrincipalAccount conditions: implied by the principal
    (one account, two accounts both listed), not implied (an account not listed, a role ARN of another account),
    IfExists, and with another condition the caller chooses; and aws:PrincipalOrgID conditions next to
    aws:PrincipalOrgPaths patterns in the same organization (implied), another, both, or a wildcard in the id."""
    a, b, c = "111111111111", "222222222222", "333333333333"

    def allow(principal: Any, condition: dict[str, Any]) -> dict[str, Any]:
        return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole",
                "Condition": condition}

    roles = [
        _role("implied", a, [allow(f"arn:aws:iam::{b}:root", {"StringEquals": {"aws:PrincipalAccount": b}})]),
        _role("both", a, [allow([f"arn:aws:iam::{b}:root", f"arn:aws:iam::{c}:role/ops"],
                                {"StringEquals": {"aws:PrincipalAccount": [b, c]}})]),
        _role("other", a, [allow(f"arn:aws:iam::{b}:root", {"StringEquals": {"aws:PrincipalAccount": c}})]),
        _role("partly", a, [allow([f"arn:aws:iam::{b}:root", f"arn:aws:iam::{c}:root"],
                                  {"StringEquals": {"aws:PrincipalAccount": b}})]),
        _role("ifexists", a, [allow(b, {"StringEqualsIfExists": {"aws:PrincipalAccount": b}})]),
        _role("extid", a, [allow(f"arn:aws:iam::{b}:root", {"StringEquals": {"aws:PrincipalAccount": b,
                                                                              "sts:ExternalId": "x-1"}})]),
    ]
    org, other = "o-abcdefghij1", "o-zzzzzzzzzz1"
    for name, paths in (("paths", [f"{org}/r-ab12/*"]), ("paths-root", [f"{org}/*", f"{org}/r-cd34/ou-1/*"]),
                        ("paths-other", [f"{other}/r-ab12/*"]), ("paths-mixed", [f"{org}/*", f"{other}/*"]),
                        ("paths-wild", [f"{org[:-1]}*/r-ab12/*"]), ("paths-noslash", [f"{org}*"])):
        roles.append(_role(name, a, [allow(f"arn:aws:iam::{b}:root", {
            "StringEquals": {"aws:PrincipalOrgID": org}, "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": paths}})]))
    doc = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles, "Policies": []}
    (tmp_path / f"gaad-{a}.json").write_text(json.dumps(doc))
    return load(tmp_path)


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 3),
                                               ("vendor-heavy", 1)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tg = small_org(profile, seed, tmp_path)
    _same(tg, monkeypatch)
    _same(tg, monkeypatch, switch="dead_claims", rule="claims_disagree")


@pytest.mark.parametrize("lazy", [True, False])
def test_implied_conditions(lazy: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tg = _implied_org(tmp_path)
    base = SolverOptions() if lazy else SolverOptions().without("lazy_liveness")
    assert _same(tg, monkeypatch, base) > 0  # the rule answered, and the findings are the solver's
    found, _ = _findings(tg, base, monkeypatch)
    every = {f["role"].rsplit("/", 1)[-1] for f in found
             if f["check_id"] == "vacuous-condition" and "every value of aws:PrincipalAccount" in f["message"]}
    assert {"implied", "both", "extid"} <= every and not every & {"other", "partly"}
    org = {f["role"].rsplit("/", 1)[-1] for f in found
           if f["check_id"] == "vacuous-condition" and "every value of aws:PrincipalOrgID" in f["message"]}
    assert {"paths", "paths-root"} <= org and not org & {"paths-other", "paths-mixed", "paths-wild"}


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=3, max_value=10_000), profile=st.sampled_from(["condition-heavy", "random"]))
def test_any_seed(seed: int, profile: str, tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    _same(small_org(profile, seed, tmp_path_factory.mktemp("org")), monkeypatch)


def test_the_switches_are_off_in_the_reference() -> None:
    assert SolverOptions().implied_conditions and not SolverOptions.reference().implied_conditions
    assert SolverOptions().dead_claims and not SolverOptions.reference().dead_claims


def _github_org(tmp_path: Path) -> TrustGraph:
    """Roles trusting a GitHub Actions provider with ``repository`` and ``sub`` conditions that name the same
    repository, another one (the statement is dead), or a subject not in the ``repo:`` format."""
    a = "111111111111"
    h = "token.actions.githubusercontent.com"
    provider = f"arn:aws:iam::{a}:oidc-provider/{h}"
    roles = [_role(name, a, [{"Effect": "Allow", "Principal": {"Federated": provider},
                              "Action": "sts:AssumeRoleWithWebIdentity",
                              "Condition": {"StringEquals": {f"{h}:aud": "sts.amazonaws.com", f"{h}:repository": repo},
                                            "StringLike": {f"{h}:sub": sub},
                                            "StringEqualsIfExists": {f"{h}:environment": "production"}}}])
             for name, (repo, sub) in GITHUB_CLAIM_SHAPES.items()]
    doc = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles, "Policies": []}
    (tmp_path / f"gaad-{a}.json").write_text(json.dumps(doc))
    return load(tmp_path)


@pytest.mark.parametrize("lazy", [True, False])
def test_dead_claims(lazy: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tg = _github_org(tmp_path)
    base = SolverOptions() if lazy else SolverOptions().without("lazy_liveness")
    fired = _same(tg, monkeypatch, base, switch="dead_claims", rule="claims_disagree")
    assert fired > 0 if lazy else fired == 0  # the reference order never reads the rule
    found, _ = _findings(tg, base, monkeypatch)
    dead = {f["role"].rsplit("/", 1)[-1] for f in found if f["check_id"] == "dead-trust-statement"}
    assert dead & set(GITHUB_CLAIM_SHAPES) == GITHUB_CLAIMS_DISAGREE


@pytest.mark.parametrize(("pattern", "prefix", "possible"), [
    ("repo:acme/app:*", "repo:acme/app:", True), ("repo:acme/other:*", "repo:acme/app:", False),
    ("repo:acme/*", "repo:acme/app:", True), ("repo:acme/app-2:*", "repo:acme/app:", False),
    ("repo:*/app:ref", "repo:x/app:", True), ("repo:a?c:*", "repo:abc:", True), ("repo:a?c:*", "repo:abd:", False),
    ("repo:acme/app", "repo:acme/app:", False), ("repo:acme/app:ref:x", "repo:acme/app:", True),
    ("repo:**x", "repo:a:", True)])
def test_prefix_possible(pattern: str, prefix: str, possible: bool) -> None:
    from trustgraph.model.pattern import parse_pattern
    from trustgraph.smt.guess import prefix_possible

    assert prefix_possible(parse_pattern(pattern, wildcards=True, variables=False), prefix) is possible
