"""An outsider candidate whose every admitting Allow trust statement requires an organization it is excluded from is
Unsat without z3 (``smt.trust_gate.org_refuted``, switch ``SolverOptions.org_gate``): the answer equals the one with
the switch off, field by field (Sat witnesses, Unsat cores and locations when explained), on hypothesis-drawn trust
policies whose organization conditions are near misses (IfExists, set qualifiers, another operator, another or a
differently cased organization, a second statement that admits), and on searches and scans of the profiles."""

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
from trustgraph.semantics.request import Action, CallerKind, Target
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.results import KeyConstraint
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import Sat, Unknown, Unsat, solve_hop
from trustgraph.smt.symbolic import SymbolicCaller

from .test_renaming import same_analyses

A = "555566667777"
ORG = "o-aaaaaaaaaa"
OTHER = "o-bbbbbbbbbb"
NOW = 1_767_225_600_000  # 2026-01-01
OFF = SolverOptions().without("org_gate")

OPERATORS = ["StringEquals", "StringEquals", "StringEqualsIfExists", "ForAnyValue:StringEquals",
             "ForAllValues:StringEquals", "StringNotEquals", "StringLike", "StringEqualsIgnoreCase"]
ORG_VALUES: list[Any] = [ORG, ORG, OTHER, [ORG, OTHER], ORG.upper(), "o-aaaa*"]
PRINCIPALS: list[Any] = ["*", {"AWS": "*"}, {"AWS": "arn:aws:iam::444455556666:root"}, {"AWS": A},
                         {"Service": "ec2.amazonaws.com"}]
OTHER_CONDITIONS: list[Any] = [{}, {"StringEquals": {"sts:ExternalId": "x"}}, {"Bool": {"aws:MultiFactorAuthPresent":
                                                                                       "true"}}]


@st.composite
def trust(draw: st.DrawFn) -> dict[str, Any]:
    statements = []
    for _ in range(draw(st.integers(1, 3))):
        stmt: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Allow", "Deny"])),
                                "Principal": draw(st.sampled_from(PRINCIPALS)),
                                "Action": draw(st.sampled_from(["sts:AssumeRole", "sts:AssumeRole", "sts:*",
                                                                "sts:TagSession"]))}
        cond: dict[str, Any] = {}
        if draw(st.integers(0, 3)):
            cond[draw(st.sampled_from(OPERATORS))] = {"aws:PrincipalOrgID": draw(st.sampled_from(ORG_VALUES))}
        for op, body in draw(st.sampled_from(OTHER_CONDITIONS)).items():
            cond.setdefault(op, {}).update(body)
        if cond:
            stmt["Condition"] = cond
        statements.append(stmt)
    return {"Version": "2012-10-17", "Statement": statements}


def _target(doc: dict[str, Any]) -> Target:
    policy = policy_from_json(doc, Location(f"{A}.json", "/Trust"), kind="trust")
    return Target(role=Role(arn=f"arn:aws:iam::{A}:role/R", name="R", role_id="AROA" + A, account=A,
                            trust_policy=policy), org_known=True, org_id=ORG, org_paths=(f"{ORG}/r-ab12/",))


CALLERS = [
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A}), excluded_orgs=frozenset({ORG})),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_orgs=frozenset({ORG, OTHER})),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, account="987654321098", excluded_orgs=frozenset({ORG})),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION),
]
CONSTRAINTS = [(), (KeyConstraint("sts:externalid", "absent"),),
               (KeyConstraint("aws:multifactorauthpresent", "equals", ("true",)),)]


def _same(doc: dict[str, Any], caller: SymbolicCaller, constraints: tuple[KeyConstraint, ...]) -> None:
    target = _target(doc)
    got = solve_hop(caller, target, Action.ASSUME_ROLE, constraints=constraints, now_ms=NOW, session=SolverSession())
    want = solve_hop(caller, target, Action.ASSUME_ROLE, constraints=constraints, now_ms=NOW,
                     session=SolverSession(OFF))
    if isinstance(got, Unknown) or isinstance(want, Unknown):
        return
    assert type(got) is type(want), (doc, caller, got, want)
    if isinstance(got, Sat):
        assert isinstance(want, Sat)
        assert (got.caller, got.request, got.decision, got.approximations) == \
            (want.caller, want.request, want.decision, want.approximations)
    else:
        assert isinstance(got, Unsat) and isinstance(want, Unsat)
        assert got.core == want.core
        assert got.locations == want.locations


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=trust(), caller=st.sampled_from(CALLERS), constraints=st.sampled_from(CONSTRAINTS))
def test_the_gate_gives_the_reference_answer(doc: dict[str, Any], caller: SymbolicCaller,
                                             constraints: tuple[KeyConstraint, ...]) -> None:
    _same(doc, caller, constraints)


_count = partial(gate_hits, gate="org_refuted")


def test_a_role_of_the_organization_is_closed_to_outsiders_without_z3(monkeypatch: pytest.MonkeyPatch) -> None:
    hits = _count(monkeypatch)
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                   "Action": "sts:AssumeRole",
                                                   "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}]}
    session = SolverSession()
    out = solve_hop(CALLERS[0], _target(doc), Action.ASSUME_ROLE, now_ms=NOW, session=session)
    assert isinstance(out, Unsat)
    assert hits[0] > 0 and session.stats.solver_calls == 0
    _same(doc, CALLERS[0], ())


@pytest.mark.parametrize("cond", [
    {"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}},  # absent passes
    {"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": ORG}},  # a set operator: absent passes ForAllValues
    {"StringEquals": {"aws:PrincipalOrgID": [ORG, OTHER]}},  # another organization admits
    {"StringEqualsIgnoreCase": {"aws:PrincipalOrgID": ORG}},
])
def test_near_misses_are_not_refuted(cond: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    hits = _count(monkeypatch)
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                   "Action": "sts:AssumeRole", "Condition": cond}]}
    solve_hop(CALLERS[0], _target(doc), Action.ASSUME_ROLE, now_ms=NOW, session=SolverSession())
    assert hits[0] == 0
    _same(doc, CALLERS[0], ())


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().org_gate
    assert SolverOptions().org_gate


@pytest.mark.parametrize(("profile", "seed"), [("mix", 1), ("vendor-heavy", 1), ("random", 2), ("random", 3)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    same_analyses(load(tmp_path), off=OFF)
