"""The statement's own question (:func:`trustgraph.checks.base.statement_alone`) answered Unsat without z3 for a GitHub
Actions class whose ``repository`` and ``repo:`` ``sub`` conditions name different repositories (switch
``SolverOptions.refuted_claims``, :func:`trustgraph.checks.base.claims_disagree`,
:func:`trustgraph.smt.solve.proved_unsat`) against the solver's answer: the findings of vacuous-condition and
dead-trust-statement are the same field by field (dead-trust-statement's message reads the Unsat core), with the lazy
statement question on and off, on a hand-made organization where the rule applies and on generated ones; and the
answer's core is the solver's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org

import trustgraph.smt.reference as reference
from tests.counting import count_calls
from trustgraph.api import TrustGraph, load
from trustgraph.smt.options import SolverOptions

from .helpers import GITHUB_CLAIM_SHAPES, GITHUB_CLAIMS_DISAGREE, assert_same_without, statement_check_findings

A = "111111111111"
HOST = "token.actions.githubusercontent.com"
PROVIDER = f"arn:aws:iam::{A}:oidc-provider/{HOST}"
SHAPES = GITHUB_CLAIM_SHAPES
DEAD = GITHUB_CLAIMS_DISAGREE


def _role(name: str, repo: str, sub: str) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
                 "Condition": {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com", f"{HOST}:repository": repo},
                               "StringLike": {f"{HOST}:sub": sub}}}
    return {"Arn": f"arn:aws:iam::{A}:role/{name}", "RoleName": name, "RoleId": f"AROA{name.upper():0<17}"[:21],
            "Path": "/", "CreateDate": "2021-01-01T00:00:00Z", "Tags": [], "RolePolicyList": [],
            "AttachedManagedPolicies": [], "InstanceProfileList": [], "RoleLastUsed": {},
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}


def _github_org(tmp_path: Path) -> TrustGraph:
    roles = [_role(name, repo, sub) for name, (repo, sub) in SHAPES.items()]
    doc = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles, "Policies": []}
    (tmp_path / f"gaad-{A}.json").write_text(json.dumps(doc))
    return load(tmp_path)


@pytest.mark.parametrize("lazy", [True, False])
def test_same_findings_fewer_solver_runs(lazy: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The findings agree with the switch off, the dead statements are those whose claims disagree (their messages
    give the solver's core), and the switch saves z3's run on each dead statement's question."""
    tg = _github_org(tmp_path)
    assert_same_without(tg, "refuted_claims", lazy=lazy)
    base = SolverOptions() if lazy else SolverOptions().without("lazy_liveness")
    runs = count_calls(monkeypatch, reference, "check_tracked")  # z3 runs that decide (not those of a core)
    found = statement_check_findings(tg, base)
    fast = runs[0]
    statement_check_findings(tg, base.without("refuted_claims"))
    assert runs[0] - fast >= len(DEAD)  # the solver decided each dead statement's question there
    dead = {f["role"].rsplit("/", 1)[-1]: f["message"] for f in found if f["check_id"] == "dead-trust-statement"}
    assert set(dead) == DEAD
    assert all("condition " in m for m in dead.values())  # the core names the conditions, as the solver's does


def test_core_is_the_solvers(tmp_path: Path) -> None:
    """:func:`proved_unsat`'s core and locations, read, are those of the solver's Unsat answer to the question."""
    from twins import twin

    from trustgraph.checks.base import CallerClass, claims_disagree, statement_classes, target_with
    from trustgraph.checks.context import ScanContext
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.session import SolverSession
    from trustgraph.smt.solve import Unsat, answer, proved_unsat

    tg = _github_org(tmp_path)
    for name in DEAD:
        ctx = ScanContext(twin(tg, SolverSession()))
        role = f"arn:aws:iam::{A}:role/{name}"
        st_ = ctx.estate.role_by_arn[role].trust_policy.statements[0]
        (c,), _ = statement_classes(ctx, st_)
        assert isinstance(c, CallerClass) and claims_disagree(st_, c)
        question = HopQuestion(c.caller, target_with(ctx, role, (st_,)), c.action, (), False, ctx.engine.now_ms)
        proved = proved_unsat(question, SolverSession())
        solved = answer(question, SolverSession(SolverOptions().without("refuted_claims")))
        assert isinstance(proved, Unsat) and isinstance(solved, Unsat)
        assert (proved.core, proved.locations) == (solved.core, solved.locations)
        assert proved.core


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 3)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    assert_same_without(small_org(profile, seed, tmp_path), "refuted_claims", lazy=True)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=3, max_value=10_000))
def test_any_seed(seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    assert_same_without(small_org("condition-heavy", seed, tmp_path_factory.mktemp("org")), "refuted_claims",
                        lazy=True)


def test_the_switch_is_off_in_the_reference() -> None:
    assert SolverOptions().refuted_claims and not SolverOptions.reference().refuted_claims
