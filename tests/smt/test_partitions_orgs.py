"""Partitions (docs/semantics.md §1.3.1) and organization membership (§5) on the solver side, with outsiders.

Every Sat answer here is a witness the evaluator replayed (``solve_hop`` raises on a mismatch); the tests check what
the witness shows (the outsider's ARN and account in the role's partition, the organization it chose).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.smt.helpers import NOW_MS, ORG, A, B, allow, deny, solver
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.account import Role
from trustgraph.model.location import Location
from trustgraph.semantics.request import Action, CallerKind, Target
from trustgraph.smt.solve import Sat, Unsat, solve_hop
from trustgraph.smt.symbolic import SymbolicCaller

GOV = "aws-us-gov"


def gov_target(*statements: dict[str, object], name: str = "R") -> Target:
    doc = {"Version": "2012-10-17", "Statement": list(statements)}
    trust = policy_from_json(doc, Location(f"roles/{name}.json", "/AssumeRolePolicyDocument"), kind="trust")
    return Target(role=Role(arn=f"arn:{GOV}:iam::{A}:role/{name}", name=name, role_id=f"AROA{name.upper():X<16}",
                            account=A, trust_policy=trust))


def aws_target(*statements: dict[str, object]) -> Target:
    t = gov_target(*statements)
    return replace(t, role=replace(t.role, arn=f"arn:aws:iam::{A}:role/R"))


OUTSIDER = SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A}),
                          excluded_orgs=frozenset({ORG}))
OUTSIDE_USER = replace(OUTSIDER, aws_kinds=frozenset({CallerKind.IAM_USER}))


def solve(caller: SymbolicCaller, target: Target, *, fast_path: bool = True) -> Sat | Unsat:
    result = solve_hop(caller, target, Action.ASSUME_ROLE, now_ms=NOW_MS, session=solver(reference=not fast_path),
                       timeout_ms=60_000)
    assert isinstance(result, (Sat, Unsat)), result
    return result


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast", "z3"])
def test_outsider_of_a_gov_role_is_a_gov_principal(fast_path: bool) -> None:
    r = solve(OUTSIDER, gov_target(allow({"AWS": f"arn:{GOV}:iam::{B}:root"})), fast_path=fast_path)
    assert isinstance(r, Sat)
    assert r.caller.arn.startswith(f"arn:{GOV}:iam::{B}:")


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast", "z3"])
def test_principal_of_another_partition_admits_nobody(fast_path: bool) -> None:
    assert isinstance(solve(OUTSIDER, aws_target(allow({"AWS": f"arn:{GOV}:iam::{B}:root"})),
                            fast_path=fast_path), Unsat)
    assert isinstance(solve(OUTSIDER, gov_target(allow({"AWS": f"arn:aws:iam::{B}:user/bob"})),
                            fast_path=fast_path), Unsat)


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast", "z3"])
def test_star_with_a_principal_arn_of_another_partition_is_unsatisfiable(fast_path: bool) -> None:
    t = aws_target(allow("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws-cn:iam::*:role/*"}}))
    assert isinstance(solve(OUTSIDER, t, fast_path=fast_path), Unsat)


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast", "z3"])
def test_account_and_user_name_keys_read_the_gov_arn(fast_path: bool) -> None:
    # aws:PrincipalAccount and aws:username are cut out of the symbolic ARN: the offsets follow the partition
    t = gov_target(allow("*", {"StringEquals": {"aws:PrincipalAccount": B, "aws:username": "alice"}}))
    r = solve(OUTSIDE_USER, t, fast_path=fast_path)
    assert isinstance(r, Sat)
    assert r.caller.arn == f"arn:{GOV}:iam::{B}:user/alice"


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast", "z3"])
def test_outsider_reuses_an_ou_id_in_its_own_organization(fast_path: bool) -> None:
    t = aws_target(allow("*", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "*/ou-ab12-11111111/*"}}))
    r = solve(OUTSIDER, t, fast_path=fast_path)
    assert isinstance(r, Sat)
    assert r.caller.org_id is not None and r.caller.org_id != ORG
    assert any("/ou-ab12-11111111/" in p and p.startswith(r.caller.org_id + "/r-") for p in r.caller.org_paths)


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast", "z3"])
def test_outsider_never_in_the_zone_organization(fast_path: bool) -> None:
    t = aws_target(allow("*", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": f"{ORG}/*"}}))
    assert isinstance(solve(OUTSIDER, t, fast_path=fast_path), Unsat)
    t = aws_target(allow("*"), deny("*", {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}))
    assert isinstance(solve(OUTSIDER, t, fast_path=fast_path), Unsat)


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast", "z3"])
def test_resource_org_unknown_is_free_and_marked(fast_path: bool) -> None:
    t = aws_target(allow({"AWS": f"arn:aws:iam::{B}:root"}, {"StringEquals": {"aws:ResourceOrgID": ORG}}))
    r = solve(OUTSIDER, t, fast_path=fast_path)
    assert isinstance(r, Sat) and r.request.get("aws:ResourceOrgID") == (ORG,)
    assert any("organization of the role's account unknown" in a for a in r.approximations), r.approximations
    known_elsewhere = replace(t, org_known=True, org_id="o-other12345")
    assert isinstance(solve(OUTSIDER, known_elsewhere, fast_path=fast_path), Unsat)
    known_here = replace(t, org_known=True, org_id=ORG)
    r = solve(OUTSIDER, known_here, fast_path=fast_path)
    assert isinstance(r, Sat) and not r.approximations
