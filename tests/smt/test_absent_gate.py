"""A candidate whose requests never carry a principal-derived key an ``equals`` constraint requires is Unsat without
the guesses and z3 (``smt.absent_gate``, switch ``SolverOptions.absent_gate``): the answer equals the one with the
switch off, field by field (Sat witnesses, Unsat cores and locations once explained, the candidates' cores joined in
their order), on hypothesis-drawn trust policies, callers (outsiders, users and sessions with and without MFA) and
constraints on principal-derived keys, and on searches and scans of the profiles; the gate declines an outsider's own
principal tags (free) and a hop whose structure the reference would not expand (Unknown)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.smt.helpers import NOW_MS, A, B, allow, deny, gate_hits, root, same_answer, session, target, user
from trustgraph.api import load
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.results import KeyConstraint, Sat, Unknown, Unsat
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import answer
from trustgraph.smt.symbolic import SymbolicCaller

from .test_renaming import same_analyses

OFF = SolverOptions().without("absent_gate")
MFA_TRUE = KeyConstraint("aws:multifactorauthpresent", "equals", ("true",))
OUTSIDER = SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A}))

CONDITIONS: list[dict[str, Any] | None] = [
    None,
    {"StringEquals": {"sts:ExternalId": "x"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "900"}},
    {"StringEquals": {"aws:PrincipalTag/team": "data"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-mine"}},
]
PRINCIPALS: list[Any] = ["*", root(B), root(A), {"AWS": f"arn:aws:iam::{B}:user/bob"},
                         {"AWS": f"arn:aws:iam::{B}:role/Ops"}]
CALLERS: list[Any] = [
    OUTSIDER, SymbolicCaller(kind=CallerKind.IAM_USER, account=B), user(), user(mfa=True),
    user(tags=(("team", "data"),)), session(), session(mfa=True), session(session_name=None),
]
CONSTRAINTS: list[tuple[KeyConstraint, ...]] = [
    (MFA_TRUE,),
    (KeyConstraint("aws:multifactorauthage", "equals", ("0",)),),
    (KeyConstraint("aws:principaltag/team", "equals", ("data",)),),
    (KeyConstraint("aws:principalorgid", "equals", ("o-mine",)),),
    (MFA_TRUE, KeyConstraint("sts:externalid", "absent")),
    (KeyConstraint("aws:multifactorauthpresent", "not-like", ("true",)),),
    (),
]


@st.composite
def questions(draw: st.DrawFn) -> HopQuestion:
    statements = []
    for _ in range(draw(st.integers(1, 3))):
        make = deny if draw(st.integers(0, 4)) == 0 else allow
        statements.append(make(draw(st.sampled_from(PRINCIPALS)), draw(st.sampled_from(CONDITIONS))))
    return HopQuestion(draw(st.sampled_from(CALLERS)), target(*statements), Action.ASSUME_ROLE,
                       draw(st.sampled_from(CONSTRAINTS)), draw(st.booleans()), NOW_MS, timeout_ms=20_000)




_same = partial(same_answer, off=OFF)


_count = partial(gate_hits, gate="absent_refuted")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=questions())
def test_the_gate_gives_the_answer_of_the_path_without_it(q: HopQuestion) -> None:
    _same(q)


def test_an_outsider_asked_for_mfa_skips_z3_for_its_candidates_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A vendor role asked again for the other MFA outcome: the outsider's users without MFA are refuted by the gate
    (the reference asked z3), and its user with MFA is the guesses' witness, as the reference finds it."""
    hits = _count(monkeypatch)
    tgt = target(allow(root(B), {"StringEquals": {"sts:ExternalId": "vendor-x"}}))
    q = HopQuestion(OUTSIDER, tgt, Action.ASSUME_ROLE, (MFA_TRUE,), False, NOW_MS, timeout_ms=20_000)
    fast, reference = SolverSession(), SolverSession(OFF)
    got, want = answer(q, fast), answer(q, reference)
    assert isinstance(got, Sat) and isinstance(want, Sat)
    assert (got.caller, got.request, got.decision) == (want.caller, want.request, want.decision)
    assert got.caller.mfa and got.request.get("aws:multifactorauthpresent") == ("true",)
    assert hits[0] >= 1
    assert fast.stats.solver_calls == 0 and reference.stats.solver_calls >= 1


def test_a_user_without_mfa_keeps_the_reference_core(monkeypatch: pytest.MonkeyPatch) -> None:
    hits = _count(monkeypatch)
    tgt = target(allow(root(B), {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    q = HopQuestion(user(), tgt, Action.ASSUME_ROLE, (MFA_TRUE,), False, NOW_MS, timeout_ms=20_000)
    fast = SolverSession()
    out = answer(q, fast)
    assert isinstance(out, Unsat) and not out.core_computed
    assert hits[0] == 1 and fast.stats.solver_calls == 0 and fast.stats.guess_evaluations == 0
    got = _same(q)
    assert isinstance(got, Unsat) and any("multifactorauthpresent" in c.lower() for c in got.core)


def test_an_outsiders_own_principal_tags_are_not_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    """An outsider's user or role chooses its own tags (``smt.presence.key_mode``): a constraint requiring one is met,
    the hop Sat; treating every principal-derived key left out of the ground context as absent would say Unsat."""
    hits = _count(monkeypatch)
    tgt = target(allow(root(B), {"StringEquals": {"aws:PrincipalTag/team": "data"}}))
    q = HopQuestion(OUTSIDER, tgt, Action.ASSUME_ROLE, (KeyConstraint("aws:principaltag/team", "equals", ("data",)),),
                    False, NOW_MS, timeout_ms=20_000)
    got = _same(q)
    assert isinstance(got, Sat) and hits[0] == 0


def test_a_hop_the_reference_does_not_expand_stays_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """More statement groups with symbolic conditions than the structural expansion takes: the reference answers
    Unknown, never Unsat, and so does the path with the gate (it declines)."""
    hits = _count(monkeypatch)
    forms = ["*", root(B), {"AWS": f"arn:aws:iam::{B}:user/bob"}]
    covers: list[Any] = ["sts:AssumeRole", ["sts:AssumeRole", "sts:TagSession"],
                         ["sts:AssumeRole", "sts:SetSourceIdentity"], "sts:*"]
    statements = [make(form, {"IpAddress": {"aws:SourceIp": f"10.{i}.0.0/16"}}, cover)
                  for i, (make, form, cover) in enumerate((m, f, c) for m in (allow, deny) for f in forms
                                                          for c in covers)]
    q = HopQuestion(user(), target(*statements), Action.ASSUME_ROLE, (MFA_TRUE,), False, NOW_MS, timeout_ms=20_000)
    got = _same(q)
    assert isinstance(got, Unknown) and hits[0] == 0


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().absent_gate
    assert SolverOptions().absent_gate


@pytest.mark.parametrize(("profile", "seed"), [("vendor-heavy", 1), ("random", 2)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    same_analyses(load(tmp_path), off=OFF)
