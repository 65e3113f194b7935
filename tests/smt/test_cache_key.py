"""Regression: two different trust policies must never share a solver cache entry.

A statement may hold two conditions with the same operator and key (an AST that checks build; JSON cannot hold it);
a cache key made from the policy's JSON merged them, so an unsatisfiable policy answered for a satisfiable one.
"""

from __future__ import annotations

from dataclasses import replace

from trustgraph.ingest.policy_json import conditions_from_json, policy_from_json
from trustgraph.model import Location, Role
from trustgraph.semantics.request import Action, CallerKind, Target
from trustgraph.smt.cache import canonical_policy
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import Sat, Unsat, solve_hop
from trustgraph.smt.symbolic import SymbolicCaller

P = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
K = "token.actions.githubusercontent.com:sub"


def _target(*blocks: dict) -> Target:
    trust = policy_from_json({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": P},
                              "Action": "sts:AssumeRoleWithWebIdentity"}]}, Location("t.json", ""), kind="trust")
    conds = tuple(c for b in blocks for c in conditions_from_json(b, Location("t.json", "/c"), variables=False))
    trust = replace(trust, statements=(replace(trust.statements[0], conditions=conds),))
    return Target(role=Role(arn="arn:aws:iam::111122223333:role/R", name="R", role_id="AROAEXAMPLEEXAMPLE01",
                            account="111122223333", trust_policy=trust))


def test_same_operator_and_key_twice_is_a_different_policy() -> None:
    both = _target({"StringLike": {K: "repo:x/*"}}, {"StringLike": {K: "repo:y/*"}})
    last = _target({"StringLike": {K: "repo:y/*"}})
    assert canonical_policy(both.role.trust_policy) != canonical_policy(last.role.trust_policy)
    caller = SymbolicCaller(kind=CallerKind.WEB_IDENTITY, provider=P)
    action = Action.ASSUME_ROLE_WITH_WEB_IDENTITY
    session = SolverSession()
    assert isinstance(solve_hop(caller, both, action, session=session), Unsat)
    assert isinstance(solve_hop(caller, last, action, session=session), Sat)
    session = SolverSession()
    assert isinstance(solve_hop(caller, last, action, session=session), Sat)
    assert isinstance(solve_hop(caller, both, action, session=session), Unsat)
