"""GitHub claim dependencies and claims AWS STS does not evaluate, as oidc-any-subject, dead-trust-statement and
query see them (issue 13, item 6; rules in ``trustgraph.semantics.claims``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import trustgraph
from trustgraph.checks.exact import solver_only
from trustgraph.semantics.claims import ClaimStatus, claim_status

from .helpers import GITHUB, ZONE, A, gaad, role, role_arn, single_role, stmt, trust, write_estate

H = "token.actions.githubusercontent.com"
AUD = {f"{H}:aud": "sts.amazonaws.com"}


def github_trust(condition: dict[str, Any]) -> dict[str, Any]:
    return trust(stmt({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", condition))


PINNED = {
    "repository_id": {"StringEquals": {**AUD, f"{H}:repository_id": "123456"}},
    "repository_owner_id": {"StringEquals": {**AUD, f"{H}:repository_owner_id": "98765"}},
    "repository": {"StringEquals": {**AUD, f"{H}:repository": "acme/app"}},
    "repository_owner": {"StringEquals": {**AUD, f"{H}:repository_owner": "acme"}},
    "repository_id with a loose sub": {"StringEquals": {**AUD, f"{H}:repository_id": "123456"},
                                       "StringLike": {f"{H}:sub": "repo:*"}},
}


@pytest.mark.parametrize("use_exact", [True, False], ids=["exact", "solver-only"])
@pytest.mark.parametrize("name", sorted(PINNED))
def test_role_pinned_by_an_owner_determining_claim_admits_one_owner(tmp_path: Path, name: str,
                                                                    use_exact: bool) -> None:
    """GitHub's recommended configuration (immutable ids) is not "more than one owner"."""
    if use_exact:
        findings = single_role(tmp_path, "oidc-any-subject", github_trust(PINNED[name]))
    else:
        with solver_only():
            findings = single_role(tmp_path, "oidc-any-subject", github_trust(PINNED[name]))
    assert findings == []


def test_role_pinned_by_nothing_owner_determining_still_fires(tmp_path: Path) -> None:
    cond = {"StringEquals": {**AUD, f"{H}:ref": "refs/heads/main"}}
    (f,) = single_role(tmp_path, "oidc-any-subject", github_trust(cond))
    assert f.kind.value == "finding" and "more than one owner" in f.message


def test_condition_on_an_unevaluated_claim_makes_the_statement_dead(tmp_path: Path) -> None:
    cond = {"StringEquals": {**AUD, f"{H}:run_id": "5"}}
    assert claim_status(H, "run_id") is ClaimStatus.NOT_EVALUATED
    (f,) = single_role(tmp_path, "dead-trust-statement", github_trust(cond))
    assert "run_id" in f.message
    assert single_role(tmp_path / "other", "oidc-any-subject", github_trust(cond)) == []


def _graph(tmp_path: Path, condition: dict[str, Any]) -> Any:
    d = write_estate(tmp_path / "exports", {A: gaad(role("Deploy", github_trust(condition)))})
    return trustgraph.load(d, zone=list(ZONE))


def test_query_refuses_tokens_whose_claims_disagree(tmp_path: Path) -> None:
    tg = _graph(tmp_path, {"StringEquals": {**AUD, f"{H}:repository": "acme/app"}})
    source = f"federated:{GITHUB}"
    good = tg.can_reach(source, role_arn("Deploy"), given={f"{H}:sub": "repo:acme/app:ref:refs/heads/main"})
    assert good.verdict.value == "reachable"
    assert good.hops[0].context[f"{H}:repository"] == ("acme/app",)
    bad = tg.can_reach(source, role_arn("Deploy"), given={f"{H}:sub": "repo:evil/x:ref:refs/heads/main"})
    assert bad.verdict.value == "unreachable"


def test_query_given_an_unevaluated_claim_is_unreachable(tmp_path: Path) -> None:
    tg = _graph(tmp_path, {"StringEquals": AUD})
    source = f"federated:{GITHUB}"
    assert tg.can_reach(source, role_arn("Deploy")).verdict.value == "reachable"
    assert tg.can_reach(source, role_arn("Deploy"), given={f"{H}:run_id": "5"}).verdict.value == "unreachable"
