"""The shortcuts of trustgraph.checks.exact agree with the solver on the questions they replace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trustgraph.checks.exact import false_when_absent, literal_prefix, single_owner, solver_only
from trustgraph.checks.issuers import ISSUERS
from trustgraph.ingest.policy_json import conditions_from_json, policy_from_json
from trustgraph.model.location import MEMORY
from trustgraph.model.pattern import parse_pattern

from .helpers import GITHUB, A, B, findings_of, gaad, role, single_role, stmt, trust, write_estate

GH_SUB = "token.actions.githubusercontent.com:sub"
GH_AUD = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
WEB = "sts:AssumeRoleWithWebIdentity"
GITHUB_ISSUER = ISSUERS[0]

# (condition block on sts:ExternalId, false when the key is absent?)
ABSENCE_TABLE: list[tuple[dict[str, Any], bool]] = [
    ({"StringEquals": {"sts:ExternalId": "x"}}, True),
    ({"StringLike": {"sts:ExternalId": "*"}}, True),
    ({"StringEqualsIgnoreCase": {"sts:ExternalId": "X"}}, True),
    ({"StringEqualsIfExists": {"sts:ExternalId": "x"}}, False),
    ({"StringNotEquals": {"sts:ExternalId": "x"}}, False),
    ({"StringNotLikeIfExists": {"sts:ExternalId": "x*"}}, False),
    ({"ForAnyValue:StringEquals": {"sts:ExternalId": "x"}}, True),
    ({"ForAnyValue:StringEqualsIfExists": {"sts:ExternalId": "x"}}, False),
    ({"ForAllValues:StringEquals": {"sts:ExternalId": "x"}}, False),
    ({"ForAnyValue:StringNotEquals": {"sts:ExternalId": "x"}}, True),
    ({"NumericLessThan": {"sts:ExternalId": "5"}}, True),
    ({"Bool": {"sts:ExternalId": "true"}}, True),
    ({"ArnLike": {"sts:ExternalId": "arn:aws:iam::*:role/x"}}, True),
    ({"ArnNotLike": {"sts:ExternalId": "arn:aws:iam::*:role/x"}}, False),
    ({"Null": {"sts:ExternalId": "true"}}, False),  # never decided here, whatever it means
    ({"StringFooBar": {"sts:ExternalId": "x"}}, False),  # unknown operator: never decided here
]


SOLVABLE = ABSENCE_TABLE[:14]  # the rows whose condition the solver can encode (not Null, not unknown operators)
SOLVABLE_IDS = [next(iter(b)) for b, _ in SOLVABLE]


@pytest.mark.parametrize(("block", "expected"), ABSENCE_TABLE, ids=[next(iter(b)) for b, _ in ABSENCE_TABLE])
def test_false_when_absent_table(block: dict[str, Any], expected: bool) -> None:
    [cond] = conditions_from_json(block, MEMORY, variables=True)
    assert false_when_absent(cond, variables=True) is expected
    with solver_only():
        assert false_when_absent(cond, variables=True) is False


@pytest.mark.parametrize(("block", "expected"), SOLVABLE, ids=SOLVABLE_IDS)
def test_false_when_absent_agrees_with_the_solver(block: dict[str, Any], expected: bool) -> None:
    """Where the shortcut says "false without the key", the solver finds no request of an outside AWS principal
    without sts:ExternalId that the statement allows; where it does not, the solver finds one (every condition here
    can be met with the key absent or not at all)."""
    from trustgraph.model.account import Role
    from trustgraph.semantics.request import Action, CallerKind, Target
    from trustgraph.smt.solve import KeyConstraint, Sat, Unsat, solve_hop
    from trustgraph.smt.symbolic import SymbolicCaller

    policy = policy_from_json(trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}, condition=block)), MEMORY, kind="trust")
    target = Target(role=Role(arn=f"arn:aws:iam::{A}:role/r", name="r", role_id="AROAEXAMPLE", account=A,
                              path="/", trust_policy=policy))
    answer = solve_hop(SymbolicCaller(kind=CallerKind.ROLE_SESSION), target, Action.ASSUME_ROLE,
                       constraints=(KeyConstraint("sts:ExternalId", "absent"),))
    assert isinstance(answer, Unsat if expected else Sat)


def test_literal_prefix() -> None:
    assert literal_prefix(parse_pattern("repo:acme/*", wildcards=True, variables=False)) == "repo:acme/"
    assert literal_prefix(parse_pattern("repo:a?me/x", wildcards=True, variables=False)) == "repo:a"
    assert literal_prefix(parse_pattern("repo:${aws:username}/x", wildcards=True, variables=True)) == "repo:"
    assert literal_prefix(parse_pattern("repo:acme/*", wildcards=False, variables=False)) == "repo:acme/*"


# (sub condition blocks of a GitHub trust statement, the owner single_owner reads, or None)
OWNER_TABLE: list[tuple[list[dict[str, Any]], str | None]] = [
    ([{"StringLike": {GH_SUB: "repo:acme/*"}}], "acme"),
    ([{"StringEquals": {GH_SUB: "repo:acme/app:ref:refs/heads/main"}}], "acme"),
    ([{"StringLike": {GH_SUB: ["repo:acme/app:*", "repo:acme/web:environment:prod"]}}], "acme"),
    ([{"StringEquals": {GH_SUB: "repo:acme/*"}}], "acme"),  # a literal star under StringEquals
    ([{"StringLike": {GH_SUB: "repo:acme/${aws:username}"}}], "acme"),
    ([{"ForAnyValue:StringLike": {GH_SUB: "repo:acme/*"}}], "acme"),
    ([{"StringLike": {GH_SUB: "repo:acme*"}}], None),  # repo:acme-evil/x gets in
    ([{"StringLike": {GH_SUB: "repo:*/deploy"}}], None),
    ([{"StringLike": {GH_SUB: "repo:ac?e/*"}}], None),
    ([{"StringLike": {GH_SUB: ["repo:acme/*", "repo:other/*"]}}], None),
    ([{"StringEqualsIgnoreCase": {GH_SUB: "repo:acme/app"}}], None),  # Repo:ACME/app is someone else's? not claimed
    ([{"StringLikeIfExists": {GH_SUB: "repo:acme/*"}}], None),
    ([{"ForAllValues:StringLike": {GH_SUB: "repo:acme/*"}}], None),
    ([{"StringNotLike": {GH_SUB: "repo:evil/*"}}], None),
    ([], None),
]


def _github_doc(blocks: list[dict[str, Any]], *, second: dict[str, Any] | None = None) -> dict[str, Any]:
    cond: dict[str, Any] = dict(GH_AUD)
    for b in blocks:
        cond.update(b)
    statements = [stmt({"Federated": GITHUB}, WEB, cond)]
    if second is not None:
        statements.append(second)
    return trust(*statements)


@pytest.mark.parametrize(("blocks", "owner"), OWNER_TABLE, ids=[str(i) for i in range(len(OWNER_TABLE))])
def test_single_owner_table(blocks: list[dict[str, Any]], owner: str | None) -> None:
    policy = policy_from_json(_github_doc(blocks), MEMORY, kind="trust")
    found = single_owner(policy.statements, GITHUB_ISSUER.owner_key("token.actions.githubusercontent.com"),
                         GITHUB_ISSUER.owner_of, GITHUB_ISSUER.owner_glob)
    assert found == owner


def test_single_owner_needs_every_statement_that_admits_web_identities() -> None:
    key = GITHUB_ISSUER.owner_key("token.actions.githubusercontent.com")
    pinned = [{"StringLike": {GH_SUB: "repo:acme/*"}}]
    other_owner = stmt({"Federated": GITHUB}, WEB, {**GH_AUD, "StringLike": {GH_SUB: "repo:other/*"}})
    unpinned = stmt({"Federated": GITHUB}, WEB, GH_AUD)
    aws_only = stmt({"AWS": f"arn:aws:iam::{B}:root"})
    deny_all = stmt("*", WEB, effect="Deny")

    def owner(second: dict[str, Any]) -> str | None:
        policy = policy_from_json(_github_doc(pinned, second=second), MEMORY, kind="trust")
        return single_owner(policy.statements, key, GITHUB_ISSUER.owner_of, GITHUB_ISSUER.owner_glob)

    assert owner(other_owner) is None
    assert owner(unpinned) is None
    assert owner(aws_only) == "acme"  # cannot admit a web identity
    assert owner(deny_all) == "acme"  # a Deny only admits fewer


@pytest.mark.parametrize(("blocks", "owner"), OWNER_TABLE, ids=[str(i) for i in range(len(OWNER_TABLE))])
def test_oidc_check_gives_the_same_findings_with_and_without_the_shortcut(
        tmp_path: Path, blocks: list[dict[str, Any]], owner: str | None) -> None:
    doc = _github_doc(blocks)
    directory = write_estate(tmp_path, {A: gaad(role("r", doc))})
    fast = [(f.kind, f.role, f.source) for f in findings_of(directory, "oidc-any-subject")]
    with solver_only():
        slow = [(f.kind, f.role, f.source) for f in findings_of(directory, "oidc-any-subject")]
    assert fast == slow
    if owner is not None:
        assert fast == []


@pytest.mark.parametrize("block", [b for b, _ in SOLVABLE], ids=SOLVABLE_IDS)
def test_vacuous_check_gives_the_same_findings_with_and_without_the_shortcut(tmp_path: Path,
                                                                            block: dict[str, Any]) -> None:
    doc = trust(stmt({"AWS": f"arn:aws:iam::{B}:root"}, condition=block))
    fast = [(f.kind, f.message) for f in single_role(tmp_path / "fast", "vacuous-condition", doc)]
    with solver_only():
        slow = [(f.kind, f.message) for f in single_role(tmp_path / "slow", "vacuous-condition", doc)]
    assert fast == slow
