"""An outsider's environment is freed by reference counting: its key builders (``smt.symbolic``) take the environment
as an argument instead of capturing it, so an :class:`~trustgraph.smt.env.Env` with its resolver, builders and z3 terms
is not a reference cycle (the shared searches run with the cyclic collector off, and every such cycle they made stayed
for the rest of the scan)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.account import Role
from trustgraph.model.location import MEMORY
from trustgraph.semantics.request import Action, CallerKind, Target
from trustgraph.smt.env import Env, KeyVar, default_resolver
from trustgraph.smt.symbolic import SymbolicCaller, symbolic_candidates

A, B = "111122223333", "444455556666"
ORG = "o-abcdefghij"
KEYS = ("aws:principalarn", "aws:principalaccount", "aws:userid", "aws:username", "aws:principalorgid",
        "aws:principalorgpaths", "aws:sourceidentity", "aws:multifactorauthage", "aws:tokenissuetime")


def _target() -> Target:
    doc: dict[str, Any] = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{B}:role/ops", f"arn:aws:iam::{B}:user/u", "*"]},
        "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}]}
    return Target(role=Role(arn=f"arn:aws:iam::{A}:role/R", name="R", role_id="AROAEXAMPLE", account=A,
                            trust_policy=policy_from_json(doc, MEMORY, kind="trust")))


@pytest.fixture
def collector_off() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@pytest.mark.parametrize("caller", [
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A})),
    SymbolicCaller(kind=CallerKind.IAM_USER, excluded_accounts=frozenset({A})),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, arn=f"arn:aws:iam::{B}:role/ops"),
], ids=["role-session", "user", "named-role"])
def test_env_freed_without_the_collector(caller: SymbolicCaller, collector_off: None) -> None:
    candidates = [c for c in symbolic_candidates(caller, _target(), Action.ASSUME_ROLE) if c.setup is not None]
    assert candidates
    built = 0
    for cand in candidates:
        env = Env(slot_bound=dict(cand.slot_bounds))
        env.scratch["now_ms"] = 1_767_225_600_000
        assert cand.setup is not None
        builders = cand.setup(env)

        def resolve(e: Env, key: str, builders: dict[str, Any] = builders) -> KeyVar:
            kv: KeyVar = builders[key](e, key) if key in builders else default_resolver(e, key)
            return kv

        env.resolver = resolve  # as smt.presence.resolver does: the environment holds its builders
        for key in KEYS:
            if key in builders:
                env.key(key)  # every builder run: the z3 terms and axioms made, kept in the environment
                built += 1
        freed = weakref.ref(env)
        del env, builders, resolve
        assert freed() is None, cand.label
    assert built
