"""A GitHub Actions caller whose every admitting Allow trust statement names a repository its ``repo:`` subject
patterns cannot name is Unsat without z3 (``smt.claims_gate.claims_refuted``, switch ``SolverOptions.claims_gate``):
the answer equals the one with the switch off, field by field (Sat witnesses, Unsat cores and locations, read), on
hypothesis-drawn trust policies whose repository and subject conditions are near misses (IfExists, set qualifiers,
another operator, a subject that may name the repository, one not in ``repo:`` form, a second statement that
admits), and on searches and scans of generated organizations."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.smt.helpers import gate_hits
from trustgraph.api import load
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.account import Role
from trustgraph.model.location import Location
from trustgraph.semantics.claims import GITHUB_HOST
from trustgraph.semantics.request import Action, CallerKind, Target
from trustgraph.smt.claims_gate import disagreeing_claims
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.results import KeyConstraint
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import Sat, Unknown, Unsat, solve_hop
from trustgraph.smt.symbolic import SymbolicCaller

from .test_renaming import same_analyses

A = "555566667777"
NOW = 1_767_225_600_000  # 2026-01-01
OFF = SolverOptions().without("claims_gate")
PROVIDER = f"arn:aws:iam::{A}:oidc-provider/{GITHUB_HOST}"
WEB = SymbolicCaller(kind=CallerKind.WEB_IDENTITY, provider=PROVIDER)
ACTION = Action.ASSUME_ROLE_WITH_WEB_IDENTITY
REPO = f"{GITHUB_HOST}:repository"
SUB = f"{GITHUB_HOST}:sub"

REPO_OPERATORS = ["StringEquals", "StringEquals", "StringEqualsIfExists", "ForAnyValue:StringEquals",
                  "StringLike", "StringNotEquals"]
REPOS: list[Any] = ["acme/app", "acme/app", ["acme/app", "acme/web"], "acme/*"]
SUB_OPERATORS = ["StringLike", "StringLike", "StringEquals", "StringLikeIfExists", "ForAllValues:StringLike"]
SUBS: list[Any] = ["repo:acme/other:*", "repo:acme/other:*", "repo:acme/app:*", "repo:acme/*", "repo:acme/app",
                   "repo:acme/web:ref:refs/heads/main", "*", "repository_owner_id:42:*",
                   ["repo:acme/other:*", "repo:acme/app:*"], "repo:ACME/APP:*"]
PRINCIPALS: list[Any] = [{"Federated": PROVIDER}, {"Federated": PROVIDER}, "*",
                         {"Federated": f"arn:aws:iam::{A}:oidc-provider/accounts.google.com"}]
OTHER_CONDITIONS: list[Any] = [{}, {"StringEquals": {f"{GITHUB_HOST}:aud": "sts.amazonaws.com"}},
                               {"StringEqualsIfExists": {f"{GITHUB_HOST}:environment": "production"}}]


@st.composite
def trust(draw: st.DrawFn) -> dict[str, Any]:
    statements = []
    for _ in range(draw(st.integers(1, 3))):
        stmt: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Allow", "Deny"])),
                                "Principal": draw(st.sampled_from(PRINCIPALS)),
                                "Action": draw(st.sampled_from(["sts:AssumeRoleWithWebIdentity",
                                                                "sts:AssumeRoleWithWebIdentity", "sts:*",
                                                                "sts:AssumeRole"]))}
        cond: dict[str, Any] = {}
        if draw(st.integers(0, 4)):
            cond.setdefault(draw(st.sampled_from(REPO_OPERATORS)), {})[REPO] = draw(st.sampled_from(REPOS))
        if draw(st.integers(0, 4)):
            cond.setdefault(draw(st.sampled_from(SUB_OPERATORS)), {})[SUB] = draw(st.sampled_from(SUBS))
        for op, body in draw(st.sampled_from(OTHER_CONDITIONS)).items():
            cond.setdefault(op, {}).update(body)
        if cond:
            stmt["Condition"] = cond
        statements.append(stmt)
    return {"Version": "2012-10-17", "Statement": statements}


def _target(doc: dict[str, Any]) -> Target:
    policy = policy_from_json(doc, Location(f"{A}.json", "/Trust"), kind="trust")
    return Target(role=Role(arn=f"arn:aws:iam::{A}:role/R", name="R", role_id="AROA" + A, account=A,
                            trust_policy=policy))


CONSTRAINTS = [(), (KeyConstraint(SUB, "absent"),), (KeyConstraint(f"{GITHUB_HOST}:aud", "equals",
                                                                   ("sts.amazonaws.com",)),)]


def _same(doc: dict[str, Any], constraints: tuple[KeyConstraint, ...]) -> None:
    target = _target(doc)
    got = solve_hop(WEB, target, ACTION, constraints=constraints, now_ms=NOW, session=SolverSession())
    want = solve_hop(WEB, target, ACTION, constraints=constraints, now_ms=NOW, session=SolverSession(OFF))
    if isinstance(got, Unknown) or isinstance(want, Unknown):
        return
    assert type(got) is type(want), (doc, got, want)
    if isinstance(got, Sat):
        assert isinstance(want, Sat)
        assert (got.caller, got.request, got.decision, got.approximations) == \
            (want.caller, want.request, want.decision, want.approximations)
    else:
        assert isinstance(got, Unsat) and isinstance(want, Unsat)
        assert got.core == want.core
        assert got.locations == want.locations


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=trust(), constraints=st.sampled_from(CONSTRAINTS))
def test_the_gate_gives_the_reference_answer(doc: dict[str, Any], constraints: tuple[KeyConstraint, ...]) -> None:
    _same(doc, constraints)


_count = partial(gate_hits, gate="claims_refuted")


def _statement(cond: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": PROVIDER},
                                                   "Action": "sts:AssumeRoleWithWebIdentity", "Condition": cond}]}


DEAD = {"StringEquals": {REPO: "acme/app", f"{GITHUB_HOST}:aud": "sts.amazonaws.com"},
        "StringLike": {SUB: "repo:acme/other:*"}}


def test_a_statement_naming_two_repositories_is_closed_without_z3(monkeypatch: pytest.MonkeyPatch) -> None:
    hits = _count(monkeypatch)
    session = SolverSession()
    out = solve_hop(WEB, _target(_statement(DEAD)), ACTION, now_ms=NOW, session=session)
    assert isinstance(out, Unsat)
    assert hits[0] == 1 and session.stats.solver_calls == 0
    off = SolverSession(OFF)
    solve_hop(WEB, _target(_statement(DEAD)), ACTION, now_ms=NOW, session=off)
    assert off.stats.solver_calls > 0  # the reference pays z3 for it
    _same(_statement(DEAD), ())


@pytest.mark.parametrize("cond", [
    {"StringEquals": {REPO: "acme/app"}, "StringLike": {SUB: "repo:acme/app:*"}},  # they agree
    {"StringEquals": {REPO: "acme/app"}, "StringLike": {SUB: "repo:acme/*"}},  # the subject may name it
    {"StringEquals": {REPO: ["acme/app", "acme/other"]}, "StringLike": {SUB: "repo:acme/other:*"}},
    {"StringEqualsIfExists": {REPO: "acme/app"}, "StringLike": {SUB: "repo:acme/other:*"}},
    {"StringEquals": {REPO: "acme/app"}, "StringLikeIfExists": {SUB: "repo:acme/other:*"}},
    {"StringEquals": {REPO: "acme/app"}, "StringLike": {SUB: "*:acme/other:*"}},  # not surely in repo: form
    {"StringLike": {REPO: "acme/app", SUB: "repo:acme/other:*"}},
])
def test_near_misses_are_not_refuted(cond: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    hits = _count(monkeypatch)
    solve_hop(WEB, _target(_statement(cond)), ACTION, now_ms=NOW, session=SolverSession())
    assert hits[0] == 0
    _same(_statement(cond), ())


def test_a_second_statement_that_admits_keeps_the_hop_open(monkeypatch: pytest.MonkeyPatch) -> None:
    hits = _count(monkeypatch)
    doc = _statement(DEAD)
    doc["Statement"].append({"Effect": "Allow", "Principal": {"Federated": PROVIDER},
                             "Action": "sts:AssumeRoleWithWebIdentity",
                             "Condition": {"StringLike": {SUB: "repo:acme/app:*"}}})
    out = solve_hop(WEB, _target(doc), ACTION, now_ms=NOW, session=SolverSession())
    assert isinstance(out, Sat) and hits[0] == 0


def test_only_github_providers() -> None:
    stmt = policy_from_json(_statement(DEAD), Location("x.json", "/Trust"), kind="trust").statements[0]
    assert disagreeing_claims(stmt, GITHUB_HOST)
    assert disagreeing_claims(stmt, GITHUB_HOST.upper())
    assert not disagreeing_claims(stmt, "accounts.google.com")


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().claims_gate
    assert SolverOptions().claims_gate


@pytest.mark.parametrize(("profile", "seed", "refuted"), [("condition-heavy", 1, True), ("federation-heavy", 1, False),
                                                      ("random", 2, False)])
def test_generated_organizations(profile: str, seed: int, refuted: bool, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    hits = _count(monkeypatch)
    same_analyses(load(tmp_path), off=OFF)
    if refuted:  # condition-heavy draws CI roles whose repository and subject disagree: the gate is exercised
        assert hits[0] > 0
