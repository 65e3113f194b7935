"""The key catalog and the concrete request context agree on presence (the SMT encoding relies on both)."""

from __future__ import annotations

import pytest

from trustgraph.model.condition import Family
from trustgraph.semantics.context import build_request, principal_context
from trustgraph.semantics.keys import (
    PRINCIPAL_KEYS,
    Origin,
    PresenceKind,
    Rule,
    catalog_entry,
    is_multivalued,
    is_principal_key,
    key_info,
    known_entries,
    origin_of,
    presence,
    tag_key_of,
)
from trustgraph.semantics.request import Action, Caller, CallerKind

A = "111111111111"
NOW = "2026-11-28T00:00:00Z"


def test_catalog_lookups() -> None:
    assert key_info("STS:ExternalId").family is Family.STRING
    assert key_info("aws:SourceIp").family is Family.IP
    assert key_info("aws:CurrentTime").family is Family.DATE
    assert key_info("aws:MultiFactorAuthAge").family is Family.NUMERIC
    assert key_info("aws:MultiFactorAuthPresent").family is Family.BOOL
    assert key_info("aws:PrincipalArn").family is Family.ARN
    assert is_multivalued("aws:TagKeys") and is_multivalued("aws:PrincipalOrgPaths")
    assert is_multivalued("cognito-identity.amazonaws.com:amr")
    assert not is_multivalued("token.actions.githubusercontent.com:sub")
    assert not is_multivalued("aws:PrincipalOrgID")


def test_presence_cells_from_the_table() -> None:
    assert presence("sts:ExternalId", CallerKind.IAM_USER, Action.ASSUME_ROLE).kind is PresenceKind.OPTIONAL
    assert presence("sts:ExternalId", CallerKind.SAML, Action.ASSUME_ROLE_WITH_SAML).kind is PresenceKind.NEVER
    assert presence("sts:ExternalId", CallerKind.WEB_IDENTITY,
                    Action.ASSUME_ROLE_WITH_WEB_IDENTITY).kind is PresenceKind.NEVER
    p = presence("aws:PrincipalOrgID", CallerKind.ROLE_SESSION, Action.ASSUME_ROLE)
    assert (p.kind, p.rule) == (PresenceKind.SITUATIONAL, Rule.CALLER_IN_ORG)
    p = presence("aws:MultiFactorAuthPresent", CallerKind.IAM_USER, Action.ASSUME_ROLE)
    assert p.rule is Rule.TEMP_CREDS_OR_MFA_PARAMS
    assert presence("aws:PrincipalArn", CallerKind.IAM_USER, Action.ASSUME_ROLE).kind is PresenceKind.ALWAYS
    assert presence("aws:SourceIp", CallerKind.IAM_USER, Action.ASSUME_ROLE).rule is Rule.NOT_VIA_VPCE
    p = presence("token.actions.githubusercontent.com:sub", CallerKind.WEB_IDENTITY,
                 Action.ASSUME_ROLE_WITH_WEB_IDENTITY)
    assert p.rule is Rule.FROM_TOKEN


def test_prefix_and_pattern_keys() -> None:
    assert catalog_entry("aws:ResourceTag/Env") == "aws:resourcetag/*"
    assert catalog_entry("oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF:sub") == "<oidc-host>:sub"
    assert catalog_entry("accounts.google.com:oaud") == "<oidc-host>:*"
    assert catalog_entry("saml:sub") == "saml:sub"
    assert tag_key_of("aws:RequestTag/Team") == "team"
    assert tag_key_of("aws:PrincipalTag/") is None
    assert key_info("aws:RequestTag/Team").key == "aws:requesttag/team"


def test_unknown_keys_over_approximate() -> None:
    info = key_info("ec2:InstanceType")
    assert not info.known
    assert info.family is Family.STRING and not info.multivalued
    assert all(info.presence_for(o).kind is PresenceKind.OPTIONAL for o in Origin)


def test_value_limits() -> None:
    ext = key_info("sts:ExternalId")
    assert ext.value_ok("ab") and ext.value_ok("a:b/c@d=e")
    assert not ext.value_ok("a") and not ext.value_ok("a b") and not ext.value_ok("x" * 1225)
    rsn = key_info("sts:RoleSessionName")
    assert rsn.value_ok("alice") and not rsn.value_ok("${aws:username}") and not rsn.value_ok("a:b")
    assert key_info("aws:PrincipalAccount").value_ok(A) and not key_info("aws:PrincipalAccount").value_ok("12")


def test_principal_keys_are_marked_principal_derived() -> None:
    for key in PRINCIPAL_KEYS:
        assert key_info(key.replace("*", "team")).principal_derived, key
    assert is_principal_key("aws:PrincipalTag/x") and not is_principal_key("aws:SourceIp")
    assert all(catalog_entry(e.replace("<oidc-host>", "x.example.com")) is not None for e in known_entries())


def test_origin_of() -> None:
    assert origin_of(CallerKind.IAM_USER, Action.ASSUME_ROLE) is Origin.AWS_PRINCIPAL
    assert origin_of(CallerKind.SERVICE, Action.ASSUME_ROLE) is Origin.SERVICE
    assert origin_of(CallerKind.SAML, Action.TAG_SESSION) is Origin.SAML


# --- the concrete context ---------------------------------------------------------------------------------------
USER = Caller(kind=CallerKind.IAM_USER, arn=f"arn:aws:iam::{A}:user/u", account=A, unique_id="AIDAUUUUUUUUUUUU1",
              user_name="u", tags=(("Team", "red"),))
USER_MFA = Caller(kind=CallerKind.IAM_USER, arn=f"arn:aws:iam::{A}:user/u", account=A,
                  unique_id="AIDAUUUUUUUUUUUU1", user_name="u", mfa=True)
SESSION = Caller(kind=CallerKind.ROLE_SESSION, arn=f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/X",
                 account=A, unique_id="AROAXXXXXXXXXXXX1", session_name="alice", org_id="o-mine",
                 org_paths=("o-mine/r-1/ou-1/",), source_identity="alice")
SESSION_MFA = Caller(kind=CallerKind.ROLE_SESSION, arn=f"arn:aws:iam::{A}:role/X", account=A,
                     unique_id="AROAXXXXXXXXXXXX1", session_name="s", mfa=True)
SERVICE = Caller(kind=CallerKind.SERVICE, arn="ec2.amazonaws.com")
WEB = Caller(kind=CallerKind.WEB_IDENTITY, arn="accounts.google.com")
SAML = Caller(kind=CallerKind.SAML, arn=f"arn:aws:iam::{A}:saml-provider/Okta")
ALL = [USER, USER_MFA, SESSION, SESSION_MFA, SERVICE, WEB, SAML]
_OWN = {CallerKind.IAM_USER: Action.ASSUME_ROLE, CallerKind.ROLE_SESSION: Action.ASSUME_ROLE,
        CallerKind.SERVICE: Action.ASSUME_ROLE, CallerKind.WEB_IDENTITY: Action.ASSUME_ROLE_WITH_WEB_IDENTITY,
        CallerKind.SAML: Action.ASSUME_ROLE_WITH_SAML}


def test_user_context() -> None:
    ctx = principal_context(USER)
    assert ctx["aws:principalarn"] == (USER.arn,)
    assert ctx["aws:principaltype"] == ("User",)
    assert ctx["aws:userid"] == ("AIDAUUUUUUUUUUUU1",)
    assert ctx["aws:username"] == ("u",)
    assert ctx["aws:principaltag/team"] == ("red",)
    assert ctx["aws:principalisawsservice"] == ("false",)
    assert "aws:multifactorauthpresent" not in ctx and "aws:principalorgid" not in ctx
    assert principal_context(USER_MFA)["aws:multifactorauthpresent"] == ("true",)


def test_session_context() -> None:
    ctx = principal_context(SESSION, now=NOW)
    assert ctx["aws:principalarn"] == (SESSION.arn,)  # the role ARN with its path, never the session ARN
    assert ctx["aws:principaltype"] == ("AssumedRole",)
    assert ctx["aws:userid"] == ("AROAXXXXXXXXXXXX1:alice",)
    assert ctx["aws:multifactorauthpresent"] == ("false",)
    assert ctx["aws:principalorgid"] == ("o-mine",)
    assert ctx["aws:principalorgpaths"] == ("o-mine/r-1/ou-1/",)
    assert ctx["aws:sourceidentity"] == ("alice",)
    assert ctx["aws:tokenissuetime"] == (NOW,)
    assert "aws:username" not in ctx
    assert principal_context(SESSION_MFA, now=NOW)["aws:multifactorauthpresent"] == ("true",)


def test_service_and_federated_contexts() -> None:
    assert principal_context(SERVICE) == {"aws:principalisawsservice": ("true",),
                                          "aws:principalservicename": ("ec2.amazonaws.com",)}
    assert principal_context(WEB) == {} and principal_context(SAML) == {}


def _rule_holds(rule: Rule, caller: Caller, key: str) -> bool | None:
    """Caller-side rules, computed independently of context.py (None: not a caller-side rule)."""
    return {
        Rule.CALLER_IN_ORG: caller.org_id is not None,
        Rule.CALLER_HAS_TAG: any(f"aws:principaltag/{k.lower()}" == key for k, _ in caller.tags),
        Rule.CALLER_IS_USER: caller.kind is CallerKind.IAM_USER,
        Rule.CALLER_IS_SERVICE: caller.kind is CallerKind.SERVICE,
        Rule.TEMP_CREDS_OR_MFA_PARAMS: caller.kind is CallerKind.ROLE_SESSION or caller.mfa,
        Rule.MFA_USED: caller.mfa,
        Rule.TEMP_CREDS: caller.kind is CallerKind.ROLE_SESSION,
        Rule.SOURCE_IDENTITY_CARRIED: caller.source_identity is not None,
    }.get(rule)


@pytest.mark.parametrize("caller", ALL, ids=[f"{c.kind.value}-{i}" for i, c in enumerate(ALL)])
def test_context_agrees_with_the_presence_table(caller: Caller) -> None:
    action = _OWN[caller.kind]
    origin = origin_of(caller.kind, action)
    ctx = principal_context(caller, now=NOW)
    for key in ctx:
        p = key_info(key).presence_for(origin)
        assert p.kind is not PresenceKind.NEVER, key
        if p.kind is PresenceKind.SITUATIONAL:
            assert _rule_holds(p.rule, caller, key) is not False, (key, p)
    probes = [k.replace("*", "team") for k in PRINCIPAL_KEYS]
    for key in probes:
        p = key_info(key).presence_for(origin)
        if p.kind is PresenceKind.ALWAYS:
            assert key in ctx, key
        if p.kind is PresenceKind.SITUATIONAL and _rule_holds(p.rule, caller, key):
            assert key in ctx, (key, p)


def test_build_request_adds_standard_keys_tag_keys_and_carried_source_identity() -> None:
    req = build_request(SESSION, Action.ASSUME_ROLE, {"aws:RequestTag/Team": "x", "sts:ExternalId": ["ab"]},
                        now=NOW, duration_seconds=900)
    assert req.get("aws:CurrentTime") == (NOW,)
    assert req.get("aws:EpochTime") == ("1795824000",)
    assert req.get("aws:TagKeys") == ("Team",)
    assert req.get("aws:requesttag/team") == ("x",)
    assert req.get("sts:SourceIdentity") == ("alice",)
    assert req.get("sts:RoleSessionName") == ("trustgraph",)
    assert req.tags_passed and req.source_identity_set and req.duration_seconds == 900
    assert build_request(SAML, Action.ASSUME_ROLE_WITH_SAML, now=NOW).get("sts:RoleSessionName") is None
