"""Partitions (docs/semantics.md §1.3.1): every principal form, every pair of partitions. A caller and a role of
different partitions never match; a principal ARN matches only callers of its own partition; a bare account id means
the account in the role's partition. The solver agrees on each case (Sat witnesses are replayed by the evaluator)."""

from __future__ import annotations

import itertools

import pytest

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.account import Role
from trustgraph.model.location import Location
from trustgraph.semantics.context import build_request
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.semantics.request import Action, Caller, CallerKind, Target
from trustgraph.smt.solve import Sat, Unsat, solve_hop

A, B = "111111111111", "222222222222"
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _principal(form: str, partition: str) -> object:
    return {
        "star": "*",
        "root": {"AWS": f"arn:{partition}:iam::{B}:root"},
        "bare": {"AWS": B},
        "role": {"AWS": f"arn:{partition}:iam::{B}:role/Dev"},
        "session": {"AWS": f"arn:{partition}:sts::{B}:assumed-role/Dev/s1"},
    }[form]


CASES = list(itertools.product(("star", "root", "bare", "role", "session"), PARTITIONS, PARTITIONS, PARTITIONS))


@pytest.mark.parametrize(("form", "p_principal", "p_caller", "p_role"), CASES)
def test_partitions_never_mix(form: str, p_principal: str, p_caller: str, p_role: str) -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": _principal(form, p_principal),
                                                   "Action": "sts:AssumeRole"}]}
    trust = policy_from_json(doc, Location("trust.json", ""), kind="trust")
    target = Target(role=Role(arn=f"arn:{p_role}:iam::{A}:role/R", name="R", role_id="AROARRRRRRRRRRRRRRRR",
                              account=A, trust_policy=trust))
    caller = Caller(kind=CallerKind.ROLE_SESSION, arn=f"arn:{p_caller}:iam::{B}:role/Dev", account=B,
                    unique_id="AROADEVDEVDEVDEVDEV1", session_name="s1",
                    identity_policies=(policy_from_json(ALLOW_ALL, Location("id.json", ""), kind="identity"),))
    decision = evaluate_hop(caller, target, build_request(caller, Action.ASSUME_ROLE, now="2026-11-28T00:00:00Z"))
    principal_fits = form in ("star", "bare") or p_principal == p_caller
    assert decision.allowed is (p_caller == p_role and principal_fits), decision
    result = solve_hop(caller, target, Action.ASSUME_ROLE)
    assert isinstance(result, Sat if decision.allowed else Unsat), result
