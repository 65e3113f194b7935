"""Principal matching (§1.3) and action/resource matching (§1.4)."""

from __future__ import annotations

import pytest

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.location import Location
from trustgraph.model.pattern import parse_pattern
from trustgraph.model.policy import Glob, Statement
from trustgraph.model.principal import PrincipalElement, classify_principal
from trustgraph.semantics.actions import (
    action_matches,
    resource_matches,
    statement_action_matches,
    statement_resource_matches,
)
from trustgraph.semantics.principals import MatchForm, principal_match, statement_principal_match
from trustgraph.semantics.request import Action, Caller, CallerKind

A, B = "111111111111", "222222222222"
AR = Action.ASSUME_ROLE
SAML_ACT = Action.ASSUME_ROLE_WITH_SAML
WEB_ACT = Action.ASSUME_ROLE_WITH_WEB_IDENTITY

USER = Caller(kind=CallerKind.IAM_USER, arn=f"arn:aws:iam::{A}:user/team/u", account=A, unique_id="AIDAUSERUSERUSER1")
DEV = Caller(kind=CallerKind.ROLE_SESSION, arn=f"arn:aws:iam::{A}:role/ops/Dev", account=A,
             unique_id="AROADEVDEVDEVDEV1", session_name="s1")
EXT = Caller(kind=CallerKind.ROLE_SESSION, arn=f"arn:aws:iam::{B}:role/Ops", account=B,
             unique_id="AROAOPSOPSOPSOPS1", session_name="x")
GH = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
SAML_ARN = "arn:aws:iam::111111111111:saml-provider/Okta"
WEB = Caller(kind=CallerKind.WEB_IDENTITY, arn=GH)
SAML = Caller(kind=CallerKind.SAML, arn=SAML_ARN)
EC2 = Caller(kind=CallerKind.SERVICE, arn="ec2.amazonaws.com")


def aws(text: str):
    return classify_principal(PrincipalElement.AWS, text)


def fed(text: str):
    return classify_principal(PrincipalElement.FEDERATED, text)


@pytest.mark.parametrize(
    ("principal", "caller", "form"),
    [
        (aws(f"arn:aws:iam::{A}:root"), USER, MatchForm.ACCOUNT),
        (aws(A), DEV, MatchForm.ACCOUNT),
        (aws(f"arn:aws:iam::{B}:root"), DEV, None),
        (aws(f"arn:aws:iam::{A}:user/team/u"), USER, MatchForm.USER_ARN),
        (aws(f"arn:aws:iam::{A}:user/u"), USER, None),  # path is part of the ARN
        (aws(f"arn:aws:iam::{A}:user/team/U"), USER, None),  # user names are case-sensitive here
        (aws(f"arn:aws:iam::{A}:role/ops/Dev"), DEV, MatchForm.ROLE_ARN),
        (aws(f"arn:aws:iam::{A}:role/Dev"), DEV, None),
        (aws(f"arn:aws:sts::{A}:assumed-role/Dev/s1"), DEV, MatchForm.SESSION_ARN),
        (aws(f"arn:aws:sts::{A}:assumed-role/Dev/s2"), DEV, None),
        (aws("AROADEVDEVDEVDEV1"), DEV, MatchForm.UNIQUE_ID),
        (aws("AROAOLDOLDOLDOLD1"), DEV, None),
        (aws("AIDAUSERUSERUSER1"), USER, MatchForm.UNIQUE_ID),
        (aws("AIDAUSERUSERUSER1"), DEV, None),
        (aws("*"), EXT, MatchForm.ANY),
        (classify_principal(PrincipalElement.STAR, "*"), USER, MatchForm.ANY),
        (aws(f"arn:aws:iam::{A}:user/team/u"), DEV, None),
        (aws("arn:aws:iam::*:root"), USER, None),  # partial wildcard: invalid, matches nothing
        (classify_principal(PrincipalElement.SERVICE, "ec2.amazonaws.com"), EC2, MatchForm.SERVICE),
        (classify_principal(PrincipalElement.SERVICE, "ec2.amazonaws.com"), USER, None),
        (aws(f"arn:aws:iam::{A}:root"), EC2, None),
    ],
)
def test_aws_and_service_principals_with_assume_role(principal, caller: Caller, form: MatchForm | None) -> None:
    assert principal_match(principal, caller, AR) is form


def test_federated_principals_need_their_own_action() -> None:
    assert principal_match(fed(GH), WEB, WEB_ACT) is MatchForm.FEDERATED
    assert principal_match(fed(GH), WEB, AR) is None
    assert principal_match(fed(GH), WEB, SAML_ACT) is None
    assert principal_match(fed(SAML_ARN), SAML, SAML_ACT) is MatchForm.FEDERATED
    assert principal_match(fed(SAML_ARN), WEB, WEB_ACT) is None
    assert principal_match(fed(GH), WEB, Action.TAG_SESSION) is MatchForm.FEDERATED
    other = Caller(kind=CallerKind.WEB_IDENTITY, arn="cognito-identity.amazonaws.com")
    assert principal_match(fed("cognito-identity.amazonaws.com"), other, WEB_ACT) is MatchForm.FEDERATED
    assert principal_match(fed(GH), other, WEB_ACT) is None


def test_aws_principals_only_with_assume_role_and_companions() -> None:
    root_a = aws(f"arn:aws:iam::{A}:root")
    assert principal_match(root_a, USER, SAML_ACT) is None
    assert principal_match(root_a, USER, Action.TAG_SESSION) is MatchForm.ACCOUNT
    assert principal_match(root_a, USER, Action.SET_SOURCE_IDENTITY) is MatchForm.ACCOUNT


def test_star_matches_federated_callers_as_an_over_approximation() -> None:
    assert principal_match(aws("*"), WEB, WEB_ACT) is MatchForm.ANY
    assert principal_match(aws("*"), SAML, SAML_ACT) is MatchForm.ANY


def test_root_and_federated_user_sessions_match_nothing() -> None:
    root = Caller(kind=CallerKind.ROOT, arn=f"arn:aws:iam::{A}:root", account=A)
    fu = Caller(kind=CallerKind.FEDERATED_USER, arn=f"arn:aws:sts::{A}:federated-user/f", account=A)
    for caller in (root, fu):
        assert principal_match(aws(f"arn:aws:iam::{A}:root"), caller, AR) is None
        assert principal_match(aws("*"), caller, AR) is None


def _statement(raw: dict) -> Statement:
    doc = {"Version": "2012-10-17", "Statement": [raw]}
    return policy_from_json(doc, Location("t.json", ""), kind="trust").statements[0]


def test_statement_principal_picks_the_most_specific_form() -> None:
    st = _statement({"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Principal": {"AWS": [f"arn:aws:iam::{A}:root", f"arn:aws:iam::{A}:role/ops/Dev"]}})
    assert statement_principal_match(st, DEV, AR) is MatchForm.ROLE_ARN


def test_not_principal_matches_everyone_not_listed() -> None:
    st = _statement({"Effect": "Deny", "Action": "sts:AssumeRole", "NotPrincipal": {"AWS": f"arn:aws:iam::{A}:root"}})
    assert "not-principal-in-trust-policy" in st.flags
    assert statement_principal_match(st, DEV, AR) is None
    assert statement_principal_match(st, EXT, AR) is MatchForm.NOT_PRINCIPAL


# --- actions and resources ----------------------------------------------------------------------------------------
def glob(text: str, *, variables: bool = False) -> Glob:
    return Glob(text, parse_pattern(text, wildcards=True, variables=variables))


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("STS:assumerole", "sts:AssumeRole", True),
        ("sts:Assume*", "sts:AssumeRoleWithSAML", True),
        ("sts:AssumeRole*", "sts:AssumeRoleWithWebIdentity", True),
        ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", False),
        ("sts:*", "sts:TagSession", True),
        ("*", "sts:AssumeRole", True),
        ("sts:AssumeRol?", "sts:AssumeRole", True),
        ("iam:*", "sts:AssumeRole", False),
    ],
)
def test_action_globs_are_case_insensitive(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(glob(pattern), action) is expected


def test_not_action() -> None:
    st = _statement({"Effect": "Allow", "Principal": "*", "NotAction": "sts:TagSession"})
    assert statement_action_matches(st, "sts:AssumeRole") is True
    assert statement_action_matches(st, "sts:tagsession") is False


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        (f"arn:aws:iam::{A}:role/Admin", f"arn:aws:iam::{A}:role/ops/Admin", False),
        (f"arn:aws:iam::{A}:role/*", f"arn:aws:iam::{A}:role/ops/Admin", True),
        (f"arn:aws:iam::{A}:role/*Admin", f"arn:aws:iam::{A}:role/ops/Admin", True),
        (f"arn:aws:iam::{A}:role/admin", f"arn:aws:iam::{A}:role/Admin", False),
        ("arn:aws:iam::*:role/Admin", f"arn:aws:iam::{A}:role/Admin", True),
        ("arn:aws:iam::*:role/Admin", "arn:aws:iam::1:2:role/Admin", False),  # '*' does not cross ':'
        ("arn:aws:iam:*:role/Admin", f"arn:aws:iam::{A}:role/Admin", True),  # < 6 segments: plain glob
        ("*", f"arn:aws:iam::{A}:role/Admin", True),
    ],
)
def test_resource_globs_are_case_sensitive_and_segment_wise(pattern: str, resource: str, expected: bool) -> None:
    assert resource_matches(glob(pattern), resource, {}, variables=True) is expected


def test_resource_variables() -> None:
    g = glob(f"arn:aws:iam::{A}:role/${{aws:username}}-*", variables=True)
    assert resource_matches(g, f"arn:aws:iam::{A}:role/alice-x", {"aws:username": ("alice",)}, variables=True)
    assert not resource_matches(g, f"arn:aws:iam::{A}:role/bob-x", {"aws:username": ("alice",)}, variables=True)
    # a variable with no value matches no resource
    assert not resource_matches(g, f"arn:aws:iam::{A}:role/alice-x", {}, variables=True)
    # under 2008-10-17 it is literal text
    assert resource_matches(g, f"arn:aws:iam::{A}:role/${{aws:username}}-x", {}, variables=False)


def test_not_resource_and_missing_resource() -> None:
    st = policy_from_json({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "NotResource": f"arn:aws:iam::{A}:role/Admin"}]},
        Location("i.json", "")).statements[0]
    assert statement_resource_matches(st, f"arn:aws:iam::{A}:role/Other", {}, variables=True)
    assert not statement_resource_matches(st, f"arn:aws:iam::{A}:role/Admin", {}, variables=True)
    trust = _statement({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})
    assert statement_resource_matches(trust, f"arn:aws:iam::{A}:role/Admin", {}, variables=True)


def test_action_fits_every_kind_and_action() -> None:
    from trustgraph.semantics.principals import COMPANIONS, action_fits, own_action

    assert own_action(CallerKind.ROOT) is None and own_action(CallerKind.FEDERATED_USER) is None
    for kind in CallerKind:
        for action in Action:
            own = own_action(kind)
            assert action_fits(kind, action) == (own is not None and (action is own or action in COMPANIONS))
    assert action_fits(CallerKind.SAML, Action.ASSUME_ROLE_WITH_SAML)
    assert not action_fits(CallerKind.SAML, Action.ASSUME_ROLE)
    assert action_fits(CallerKind.SERVICE, Action.SET_SOURCE_IDENTITY)
