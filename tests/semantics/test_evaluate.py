"""Hop decisions beyond the conformance table: precedence, Limits, companions, approximations, properties."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.account import Role
from trustgraph.model.location import Location
from trustgraph.model.policy import Policy
from trustgraph.semantics.context import build_request
from trustgraph.semantics.evaluate import companion_actions, evaluate_hop, evaluate_policy
from trustgraph.semantics.request import Action, Caller, CallerKind, Request, Target, Verdict

A, B = "111111111111", "222222222222"
NOW = "2026-11-28T00:00:00Z"
ROLE_ARN = f"arn:aws:iam::{A}:role/R"


def pol(*statements: dict[str, Any], kind: str = "identity", name: str = "p") -> Policy:
    return policy_from_json({"Version": "2012-10-17", "Statement": list(statements)}, Location(f"{name}.json", ""),
                            kind=kind)  # type: ignore[arg-type]


def trust(*statements: dict[str, Any]) -> Policy:
    return pol(*statements, kind="trust", name="trust")


def target(trust_policy: Policy, *, rcps=None, path: str = "/", max_session: int | None = None) -> Target:
    name = "R"
    arn = f"arn:aws:iam::{A}:role{path}{name}"
    return Target(role=Role(arn=arn, name=name, role_id="AROARRRRRRRRRRRRRRRR", account=A, path=path,
                            trust_policy=trust_policy, max_session_duration=max_session), rcp_levels=rcps)


ALLOW_ASSUME = {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
                "Resource": "*"}


def user(account: str = A, **kw: Any) -> Caller:
    return Caller(kind=CallerKind.IAM_USER, arn=f"arn:aws:iam::{account}:user/u", account=account,
                  unique_id="AIDAUUUUUUUUUUUU1", user_name="u", **kw)


def dev(account: str = A, **kw: Any) -> Caller:
    return Caller(kind=CallerKind.ROLE_SESSION, arn=f"arn:aws:iam::{account}:role/Dev", account=account,
                  unique_id="AROADDDDDDDDDDDD1", session_name="s1", **kw)


def decide(caller: Caller, tgt: Target, extra: dict[str, Any] | None = None, action: Action = Action.ASSUME_ROLE,
           duration: int | None = None):
    return evaluate_hop(caller, tgt, build_request(caller, action, extra, target=tgt, now=NOW,
                                                   duration_seconds=duration))


ROOT_A = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole"}
ROOT_B = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"}, "Action": "sts:AssumeRole"}


def test_explicit_deny_in_any_policy_wins_and_is_named() -> None:
    deny = {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}
    tgt = target(trust(ROOT_A))
    for kw in ({"identity_policies": (pol(ALLOW_ASSUME), pol(deny, name="deny"))},
               {"identity_policies": (pol(ALLOW_ASSUME),), "boundary": pol(deny, name="deny", kind="boundary")}):
        d = decide(user(**kw), tgt)
        assert d.verdict is Verdict.EXPLICIT_DENY
        assert [str(s.location) for s in d.statements] == ["deny.json#/Statement/0"]
    d = decide(dev(identity_policies=(pol(ALLOW_ASSUME),), session_policies=(pol(deny, name="deny"),)), tgt)
    assert d.verdict is Verdict.EXPLICIT_DENY


def test_deny_collects_every_denying_statement() -> None:
    tgt = target(trust(ROOT_A, {"Effect": "Deny", "Principal": "*", "Action": "sts:*"}))
    d = decide(user(identity_policies=(pol(ALLOW_ASSUME, {"Effect": "Deny", "Action": "*", "Resource": "*"}),)),
               tgt)
    assert d.verdict is Verdict.EXPLICIT_DENY
    assert {str(s.location) for s in d.statements} == {"trust.json#/Statement/1", "p.json#/Statement/1"}


def test_cross_account_needs_identity_allow_and_boundary() -> None:
    tgt = target(trust(ROOT_B))
    assert decide(user(B), tgt).verdict is Verdict.IMPLICIT_DENY
    assert decide(user(B, identity_policies=(pol(ALLOW_ASSUME),)), tgt).allowed
    narrow = pol({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, kind="boundary", name="b")
    d = decide(user(B, identity_policies=(pol(ALLOW_ASSUME),), boundary=narrow), tgt)
    assert d.verdict is Verdict.IMPLICIT_DENY
    assert any("permissions boundary" in r for r in d.reasons)


def test_unresolved_boundary_allows_with_an_approximation() -> None:
    tgt = target(trust({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:user/u"},
                        "Action": "sts:AssumeRole"}))
    d = decide(user(boundary_unresolved=True), tgt)
    assert d.allowed
    assert any("permissions boundary" in text for text, _ in d.approximations)


def test_scp_levels_must_each_allow() -> None:
    full = pol({"Effect": "Allow", "Action": "*", "Resource": "*"}, kind="scp", name="full")
    s3_only = pol({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, kind="scp", name="s3")
    tgt = target(trust(ROOT_A))
    base = {"identity_policies": (pol(ALLOW_ASSUME),)}
    assert decide(user(scp_levels=((full,), (full,)), **base), tgt).allowed
    d = decide(user(scp_levels=((full,), (s3_only,)), **base), tgt)
    assert d.verdict is Verdict.IMPLICIT_DENY and any("SCPs" in r for r in d.reasons)
    assert decide(user(scp_levels=None, **base), tgt).allowed
    d = decide(user(scp_levels=((full,), ()), **base), tgt)
    assert d.allowed and d.approximations


def test_scps_do_not_restrict_service_linked_role_sessions() -> None:
    deny = pol({"Effect": "Deny", "Action": "sts:*", "Resource": "*"}, kind="scp")
    slr = Caller(kind=CallerKind.ROLE_SESSION, arn=f"arn:aws:iam::{A}:role/aws-service-role/x.amazonaws.com/S",
                 account=A, unique_id="AROASSSSSSSSSSSS1", session_name="s", scp_levels=((deny,),))
    tgt = target(trust({"Effect": "Allow", "Principal": {"AWS": slr.arn}, "Action": "sts:AssumeRole"}))
    assert decide(slr, tgt).allowed


def test_rcps_bind_every_caller_but_not_service_linked_roles() -> None:
    rcp = pol({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
               "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}}}, kind="rcp", name="rcp")
    t = trust(ROOT_B)
    ext = user(B, identity_policies=(pol(ALLOW_ASSUME),))
    assert decide(ext, target(t, rcps=((rcp,),))).verdict is Verdict.EXPLICIT_DENY
    assert decide(ext, target(t, rcps=((rcp,),), path="/aws-service-role/x.amazonaws.com/")).allowed
    assert decide(ext, target(t, rcps=None)).allowed
    inside = user(B, identity_policies=(pol(ALLOW_ASSUME),), org_id="o-mine")
    assert decide(inside, target(t, rcps=((rcp,),))).allowed


def test_same_account_direct_grants_and_their_limits() -> None:
    narrow = pol({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, kind="boundary", name="b")
    for principal in ({"AWS": f"arn:aws:iam::{A}:role/Dev"}, {"AWS": "AROADDDDDDDDDDDD1"}, "*"):
        tgt = target(trust({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}))
        assert decide(dev(), tgt).allowed, principal
        assert decide(dev(boundary=narrow), tgt).verdict is Verdict.IMPLICIT_DENY, principal
    # a role-ARN grant is limited by session policies; "*" is not (§8.3 [?], marked approximate)
    role_grant = target(trust({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:role/Dev"},
                               "Action": "sts:AssumeRole"}))
    assert decide(dev(session_policies=(narrow,)), role_grant).verdict is Verdict.IMPLICIT_DENY
    star = target(trust({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}))
    d = decide(dev(session_policies=(narrow,)), star)
    assert d.allowed and d.approximations


def test_companion_tag_session_needs_trust_and_identity() -> None:
    both = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
            "Action": ["sts:AssumeRole", "sts:TagSession"]}
    only_assume = pol({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    tags = {"aws:RequestTag/team": "x"}
    assert decide(user(B, identity_policies=(pol(ALLOW_ASSUME),)), target(trust(both)), tags).allowed
    d = decide(user(B, identity_policies=(only_assume,)), target(trust(both)), tags)
    assert d.verdict is Verdict.IMPLICIT_DENY and any("sts:TagSession" in r for r in d.reasons)
    assert decide(user(B, identity_policies=(only_assume,)), target(trust(both))).allowed


def test_carried_source_identity_needs_set_source_identity_on_both_sides() -> None:
    t = trust({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:role/Dev"},
               "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]})
    assert decide(dev(source_identity="alice", identity_policies=(pol(ALLOW_ASSUME),)), target(t)).allowed
    d = decide(dev(source_identity="alice"), target(t))
    assert d.verdict is Verdict.IMPLICIT_DENY and any("source identity" in r for r in d.reasons)
    assert decide(dev(), target(t)).allowed


def test_companion_actions() -> None:
    req = Request(action=Action.ASSUME_ROLE, context={"aws:RequestTag/a": ("b",), "sts:SourceIdentity": ("x",)})
    assert companion_actions(req, user()) == (Action.ASSUME_ROLE, Action.TAG_SESSION, Action.SET_SOURCE_IDENTITY)
    assert companion_actions(Request(action=Action.ASSUME_ROLE), user()) == (Action.ASSUME_ROLE,)


def test_calls_a_caller_cannot_make() -> None:
    tgt = target(trust({"Effect": "Allow", "Principal": "*", "Action": "sts:*"}))
    d = decide(user(identity_policies=(pol(ALLOW_ASSUME),)), tgt, action=Action.ASSUME_ROLE_WITH_SAML)
    assert d.verdict is Verdict.IMPLICIT_DENY
    d = decide(dev(), tgt, duration=7200)
    assert d.verdict is Verdict.IMPLICIT_DENY and "3600 seconds" in d.reasons[0]
    assert decide(user(), tgt, duration=7200).allowed
    assert decide(user(), target(trust({"Effect": "Allow", "Principal": "*", "Action": "sts:*"}), max_session=3600),
                  duration=7200).verdict is Verdict.IMPLICIT_DENY
    assert decide(user(), tgt, {"sts:ExternalId": "a b"}).verdict is Verdict.IMPLICIT_DENY


def test_unknown_operator_is_over_approximated_in_both_directions() -> None:
    weird = {"StringFooBar": {"aws:PrincipalTag/x": "y"}}
    allow_weird = {**ROOT_B, "Condition": weird}
    d = decide(user(B, identity_policies=(pol(ALLOW_ASSUME),)), target(trust(allow_weird)))
    assert d.allowed and any("StringFooBar" in t for t, _ in d.approximations)
    assert str(d.approximations[0][1]) == "trust.json#/Statement/0/Condition/StringFooBar/aws:PrincipalTag~1x"
    deny_weird = {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": weird}
    d = decide(user(B, identity_policies=(pol(ALLOW_ASSUME),)), target(trust(ROOT_B, deny_weird)))
    assert d.allowed and any("assumed not to apply" in t for t, _ in d.approximations)


def test_star_matching_a_federated_caller_is_marked() -> None:
    web = Caller(kind=CallerKind.WEB_IDENTITY, arn="accounts.google.com")
    d = decide(web, target(trust({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity"})),
               action=Action.ASSUME_ROLE_WITH_WEB_IDENTITY)
    assert d.allowed and any("§8.1" in t for t, _ in d.approximations)


def test_service_callers_have_no_identity_side() -> None:
    svc = Caller(kind=CallerKind.SERVICE, arn="ec2.amazonaws.com")
    d = decide(svc, target(trust({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                  "Action": "sts:AssumeRole"})))
    assert d.allowed


def test_evaluate_policy_returns_applying_statements() -> None:
    p = pol(ALLOW_ASSUME, {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/R"})
    res = evaluate_policy(p, caller=user(), action="sts:AssumeRole", resource=ROLE_ARN, context={})
    assert len(res.allows) == 1 and len(res.denies) == 1 and res.approximations == ()
    res = evaluate_policy(p, caller=user(), action="sts:AssumeRole", resource=f"arn:aws:iam::{A}:role/Q", context={})
    assert len(res.denies) == 0
    allows, denies, approx = res
    assert allows and not denies and not approx


# --- property: adding a Deny statement never turns a non-Allow into an Allow ---------------------------------------
_PRINCIPALS = st.sampled_from(["*", {"AWS": f"arn:aws:iam::{B}:root"}, {"AWS": f"arn:aws:iam::{A}:root"},
                               {"AWS": f"arn:aws:iam::{A}:role/Dev"}, {"AWS": f"arn:aws:iam::{B}:user/u"}])
_CONDITIONS = st.sampled_from([
    None,
    {"StringEquals": {"sts:ExternalId": "12345"}},
    {"StringNotEquals": {"aws:PrincipalOrgID": "o-mine"}},
    {"ForAnyValue:StringNotEquals": {"aws:PrincipalOrgID": "o-mine"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"StringLike": {"aws:RequestTag/team": "x*"}},
    {"StringFooBar": {"k:k": "v"}},
])
_ACTIONS = st.sampled_from(["sts:AssumeRole", "sts:*", ["sts:AssumeRole", "sts:TagSession"], "sts:TagSession"])


@st.composite
def _statement(draw: st.DrawFn, effect: str) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect, "Principal": draw(_PRINCIPALS), "Action": draw(_ACTIONS)}
    cond = draw(_CONDITIONS)
    if cond:
        out["Condition"] = cond
    return out


_CALLERS = st.sampled_from([
    user(B, identity_policies=(pol(ALLOW_ASSUME),)),
    user(A),
    dev(),
    dev(B, identity_policies=(pol(ALLOW_ASSUME),), org_id="o-mine", mfa=True),
])
_EXTRAS = st.sampled_from([{}, {"sts:ExternalId": "12345"}, {"aws:SourceIp": "203.0.113.9"},
                           {"aws:RequestTag/team": "xy"}, {"sts:ExternalId": "99", "aws:SourceVpce": "vpce-1"}])


@settings(max_examples=300, deadline=None)
@given(st.lists(_statement("Allow"), min_size=1, max_size=3), _statement("Deny"), _CALLERS, _EXTRAS)
def test_adding_a_deny_never_turns_a_denial_into_an_allow(allows, deny, caller, extra) -> None:
    before = decide(caller, target(trust(*allows)), extra)
    after = decide(caller, target(trust(*allows, deny)), extra)
    if not before.allowed:
        assert not after.allowed
    if before.verdict is Verdict.EXPLICIT_DENY:
        assert after.verdict is Verdict.EXPLICIT_DENY
