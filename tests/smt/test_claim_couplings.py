"""The z3 couplings of one GitHub token's claims (``smt.presence.claim_couplings``) accept exactly the claim values
the evaluator's rule (``semantics.claims.token_problem``) accepts."""

from __future__ import annotations

import z3  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.semantics.claims import GITHUB_HOST, token_problem
from trustgraph.smt.env import Env, KeyVar, Kind
from trustgraph.smt.presence import claim_couplings

PARTS = st.sampled_from(["acme", "evil", "app", "", "a/b", "x"])
VALUES = st.one_of(st.none(), st.builds(lambda a, b: f"{a}/{b}", PARTS, PARTS), PARTS)
SUBS = st.one_of(st.none(), st.builds(lambda a, b, r: f"repo:{a}/{b}:{r}", PARTS, PARTS,
                                      st.sampled_from(["ref:refs/heads/main", "pull_request"])),
                 st.just("repository_owner_id:42:environment:prod"), st.just("repo:acme"))


def couplings_hold(claims: dict[str, str | None]) -> bool:
    env = Env()
    for name, value in claims.items():
        if value is not None:
            key = f"{GITHUB_HOST}:{name}"
            env.vars[key] = KeyVar(key, Kind.STRING, False, True, val=z3.StringVal(value), ground=True)
    claim_couplings(env, GITHUB_HOST)
    s = z3.Solver()
    s.add(*[t for _, t in env.axioms])
    return bool(s.check() == z3.sat)


@settings(max_examples=150, deadline=None)
@given(sub=SUBS, repo=VALUES, owner=PARTS | st.none())
def test_z3_couplings_agree_with_the_evaluator(sub: str | None, repo: str | None, owner: str | None) -> None:
    claims = {"sub": sub, "repository": repo, "repository_owner": owner}
    context = {f"{GITHUB_HOST}:{k}": (v,) for k, v in claims.items() if v is not None}
    assert couplings_hold(claims) == (token_problem(GITHUB_HOST, context) is None), claims


def test_a_claim_grounded_absent_adds_no_coupling() -> None:
    """``--without ...:sub`` grounds the subject absent (presence False, no value term); the couplings hold only when
    a claim is present, so they must skip it rather than build a word equation over no term (it crashed z3)."""
    env = Env()
    sub = f"{GITHUB_HOST}:sub"
    env.vars[sub] = KeyVar(sub, Kind.STRING, False, False, val=None, ground=True)
    repo = f"{GITHUB_HOST}:repository"
    env.vars[repo] = KeyVar(repo, Kind.STRING, False, True, val=z3.StringVal("acme/app"), ground=True)
    claim_couplings(env, GITHUB_HOST)
    s = z3.Solver()
    s.add(*[t for _, t in env.axioms])
    assert s.check() == z3.sat
