"""The condition mistakes peer tools make (issue "Done when"), asked of the solver with symbolic outsiders."""

from __future__ import annotations

from tests.smt.helpers import (
    GITHUB,
    GITHUB_PROVIDER,
    NOW_MS,
    ORG,
    A,
    B,
    allow,
    deny,
    root,
    session,
    target,
    user,
)
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt.solve import KeyConstraint, Sat, Unsat, solve_hop
from trustgraph.smt.symbolic import SymbolicCaller

OUTSIDER_B = SymbolicCaller(kind=CallerKind.IAM_USER, account=B)
NO_ORG = KeyConstraint("aws:PrincipalOrgID", "absent")


def test_string_not_equals_on_absent_key_in_a_deny_fires() -> None:
    t = target(allow(root(B)), deny("*", {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}))
    result = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE, constraints=[NO_ORG], now_ms=NOW_MS)
    assert isinstance(result, Unsat)
    assert any("StringNotEquals aws:PrincipalOrgID" in c for c in result.core), result.core
    # the same outsider inside o-mine gets through, and the witness says so
    ok = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE, now_ms=NOW_MS)
    assert isinstance(ok, Sat) and ok.caller.org_id == ORG


def test_for_any_value_string_not_equals_on_absent_org_does_not_fire() -> None:
    t = target(allow(root(B)), deny("*", {"ForAnyValue:StringNotEquals": {"aws:PrincipalOrgID": ORG}}))
    result = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE, constraints=[NO_ORG], now_ms=NOW_MS)
    assert isinstance(result, Sat)
    assert result.caller.org_id is None
    assert "aws:principalorgid" not in result.request.context


def test_for_all_values_with_absent_key_in_an_allow_admits() -> None:
    t = target(allow("*", {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ORG}}))
    outsider = SymbolicCaller(kind=CallerKind.IAM_USER, excluded_accounts=frozenset({A}),
                              excluded_orgs=frozenset({ORG}))
    result = solve_hop(outsider, t, Action.ASSUME_ROLE, now_ms=NOW_MS)
    assert isinstance(result, Sat)
    assert result.caller.org_id is None and result.caller.account != A


def test_bool_if_exists_mfa_true_admits_long_term_keys() -> None:
    t = target(allow(root(B), {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}))
    result = solve_hop(user(B), t, Action.ASSUME_ROLE, now_ms=NOW_MS)
    assert isinstance(result, Sat)
    assert "aws:multifactorauthpresent" not in result.request.context


def test_role_session_without_mfa_never_satisfies_mfa_true() -> None:
    t = target(allow(root(B), {"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    result = solve_hop(session(B, mfa=False), t, Action.ASSUME_ROLE, now_ms=NOW_MS)
    assert isinstance(result, Unsat)
    assert any("Bool aws:MultiFactorAuthPresent" in c for c in result.core), result.core
    # an outsider controls its own MFA devices: some session of B does carry MFA
    outsider = SymbolicCaller(kind=CallerKind.ROLE_SESSION, account=B)
    ok = solve_hop(outsider, t, Action.ASSUME_ROLE, now_ms=NOW_MS)
    assert isinstance(ok, Sat) and ok.caller.mfa


def test_string_like_external_id_star_requires_presence() -> None:
    t = target(allow(root(B), {"StringLike": {"sts:ExternalId": "*"}}))
    absent = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE, constraints=[KeyConstraint("sts:ExternalId", "absent")])
    assert isinstance(absent, Unsat)
    some = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE, now_ms=NOW_MS)
    assert isinstance(some, Sat)
    (eid,) = some.request.context["sts:externalid"]
    assert 2 <= len(eid) <= 1224


def test_string_equals_if_exists_external_id_admits_absence() -> None:
    t = target(allow(root(B), {"StringEqualsIfExists": {"sts:ExternalId": "12345"}}))
    result = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE, constraints=[KeyConstraint("sts:ExternalId", "absent")],
                       now_ms=NOW_MS)
    assert isinstance(result, Sat)
    assert "sts:externalid" not in result.request.context


def test_github_prefix_glob_admits_another_org() -> None:
    """``repo:acme*`` admits ``repo:acme-evil/x``; ``repo:acme/*`` does not admit anything outside ``repo:acme/``."""
    web = SymbolicCaller(kind=CallerKind.WEB_IDENTITY, provider=GITHUB_PROVIDER)
    ours = KeyConstraint(f"{GITHUB}:sub", "not-like", ("repo:acme/*",))
    loose = target(allow({"Federated": GITHUB_PROVIDER}, {"StringLike": {f"{GITHUB}:sub": "repo:acme*"}},
                         "sts:AssumeRoleWithWebIdentity"))
    result = solve_hop(web, loose, Action.ASSUME_ROLE_WITH_WEB_IDENTITY, constraints=[ours], now_ms=NOW_MS)
    assert isinstance(result, Sat)
    (sub,) = result.request.context[f"{GITHUB}:sub"]
    assert sub.startswith("repo:acme") and not sub.startswith("repo:acme/")
    evil = KeyConstraint(f"{GITHUB}:sub", "equals", ("repo:acme-evil/x:ref:refs/heads/main",))
    pinned = solve_hop(web, loose, Action.ASSUME_ROLE_WITH_WEB_IDENTITY, now_ms=NOW_MS,
                       constraints=[evil])
    assert isinstance(pinned, Sat)
    tight = target(allow({"Federated": GITHUB_PROVIDER}, {"StringLike": {f"{GITHUB}:sub": "repo:acme/*"}},
                         "sts:AssumeRoleWithWebIdentity"))
    assert isinstance(solve_hop(web, tight, Action.ASSUME_ROLE_WITH_WEB_IDENTITY, constraints=[ours]), Unsat)


def test_github_trust_without_sub_admits_any_workflow() -> None:
    web = SymbolicCaller(kind=CallerKind.WEB_IDENTITY, provider=GITHUB_PROVIDER)
    t = target(allow({"Federated": GITHUB_PROVIDER}, {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}},
                     "sts:AssumeRoleWithWebIdentity"))
    result = solve_hop(web, t, Action.ASSUME_ROLE_WITH_WEB_IDENTITY,
                       constraints=[KeyConstraint(f"{GITHUB}:sub", "not-like", ("repo:acme/*",))])
    assert isinstance(result, Sat)
    assert f"{GITHUB}:sub" in result.request.context  # GitHub always sends sub


def test_outsider_cannot_use_a_trust_naming_only_the_zone_account() -> None:
    t = target(allow(root(A)))
    outsider = SymbolicCaller(kind=CallerKind.IAM_USER, excluded_accounts=frozenset({A}))
    assert isinstance(solve_hop(outsider, t, Action.ASSUME_ROLE), Unsat)
    # Principal "*" is open to the same outsider
    assert isinstance(solve_hop(outsider, target(allow("*")), Action.ASSUME_ROLE), Sat)


def test_external_id_equality_blocks_callers_without_the_id() -> None:
    t = target(allow(root(B), {"StringEquals": {"sts:ExternalId": "12345"}}))
    result = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE, constraints=[KeyConstraint("sts:ExternalId", "absent")])
    assert isinstance(result, Unsat)
    assert any("sts:ExternalId" in c for c in result.core)
    assert any("Condition/StringEquals/sts:ExternalId" in loc.pointer for loc in result.locations)


def test_principal_star_for_federated_callers_is_marked_approximate() -> None:
    """§8.1 [?]: whether "*" matches SAML/OIDC callers is open; the answer over-approximates and says so."""
    web = SymbolicCaller(kind=CallerKind.WEB_IDENTITY, provider=GITHUB_PROVIDER)
    t = target(allow("*", action="sts:AssumeRoleWithWebIdentity"))
    result = solve_hop(web, t, Action.ASSUME_ROLE_WITH_WEB_IDENTITY)
    assert isinstance(result, Sat)
    assert any("8.1" in a for a in result.approximations), result.approximations


def test_unknown_operator_is_an_over_approximation_in_both_polarities() -> None:
    allow_t = target(allow(root(B), {"StringFooBar": {"sts:ExternalId": "x"}}))
    result = solve_hop(OUTSIDER_B, allow_t, Action.ASSUME_ROLE)
    assert isinstance(result, Sat) and result.approximations
    deny_t = target(allow(root(B)), deny("*", {"StringFooBar": {"sts:ExternalId": "x"}}))
    result = solve_hop(OUTSIDER_B, deny_t, Action.ASSUME_ROLE)
    assert isinstance(result, Sat) and result.approximations
