"""``RequestBuilding.prefrozen`` (:func:`build_request` fills its context with interned lower-cased keys and wraps it
as it is) against the reference (``Request(...)``, whose ``__post_init__`` freezes the context again): the same
request field by field (action, duration, every key and value in order, the keys interned, the context read-only)
for callers of every kind with tags, organizations, MFA, source identities and session names, targets with tags and
organizations, and caller-chosen keys spelled in any case (session tags, TagKeys, overrides of standard keys)."""

from __future__ import annotations

import sys
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.smt.helpers import A, B
from trustgraph.model.account import Role
from trustgraph.model.policy import Policy
from trustgraph.semantics.context import RequestBuilding, build_request
from trustgraph.semantics.request import Action, Caller, CallerKind, Request, Target

ARNS = {CallerKind.IAM_USER: f"arn:aws:iam::{B}:user/bob", CallerKind.ROLE_SESSION: f"arn:aws:iam::{B}:role/ops/Ops",
        CallerKind.SAML: f"arn:aws:iam::{B}:saml-provider/idp", CallerKind.WEB_IDENTITY: "accounts.google.com",
        CallerKind.SERVICE: "ec2.amazonaws.com", CallerKind.ROOT: f"arn:aws:iam::{B}:root",
        CallerKind.FEDERATED_USER: f"arn:aws:sts::{B}:federated-user/fed"}
TAGS = st.lists(st.tuples(st.sampled_from(["team", "Team", "env", "CostCenter"]), st.sampled_from(["a", "b", ""])),
                max_size=3).map(tuple)
EXTRA_KEYS = ["aws:RequestTag/team", "aws:requesttag/Env", "AWS:RequestTag/x", "aws:TagKeys", "aws:tagkeys",
              "sts:ExternalId", "sts:RoleSessionName", "aws:SecureTransport", "aws:PrincipalArn",
              "token.actions.githubusercontent.com:sub", "SAML:aud", "aws:ResourceTag/team"]


@st.composite
def _caller(draw: Any) -> Caller:
    kind = draw(st.sampled_from(list(CallerKind)))
    return Caller(kind=kind, arn=ARNS[kind], account=B if kind not in (CallerKind.SAML, CallerKind.SERVICE) else None,
                  unique_id=draw(st.sampled_from([None, "AROAOPSXXXXXXXXXXXXX"])),
                  session_name=draw(st.sampled_from([None, "s1"])), user_name=draw(st.sampled_from([None, "bob"])),
                  org_id=draw(st.sampled_from([None, "o-mine"])),
                  org_paths=draw(st.sampled_from([(), ("o-mine/r-1/ou-1/",)])), tags=draw(TAGS),
                  mfa=draw(st.booleans()), source_identity=draw(st.sampled_from([None, "me"])),
                  mfa_age=draw(st.sampled_from([0, 60])), token_age=draw(st.sampled_from([0, 3600])))


@st.composite
def _target(draw: Any) -> Target | None:
    if draw(st.booleans()):
        return None
    role = Role(arn=f"arn:aws:iam::{A}:role/R", name="R", role_id="AROARXXXXXXXXXXXXXXX", account=A,
                trust_policy=Policy(), tags=draw(TAGS))
    known = draw(st.booleans())
    return Target(role=role, org_known=known, org_id=draw(st.sampled_from([None, "o-mine"])) if known else None,
                  org_paths=draw(st.sampled_from([(), ("o-mine/r-1/",)])))


def _fields(request: Request) -> tuple[Any, ...]:
    items = tuple(request.context.items())
    assert isinstance(request.context, MappingProxyType)
    assert all(sys.intern(k) is k and k == k.lower() and isinstance(v, tuple) for k, v in items)
    return request.action, request.duration_seconds, items, request


@settings(max_examples=500, deadline=None)
@given(caller=_caller(), target=_target(), action=st.sampled_from(list(Action)),
       extra=st.one_of(st.none(), st.dictionaries(st.sampled_from(EXTRA_KEYS), st.one_of(
           st.sampled_from(["v", "team", ""]), st.lists(st.sampled_from(["v", "w"]), max_size=2),
           st.lists(st.sampled_from(["v", "w"]), max_size=2).map(tuple)), max_size=4)),
       duration=st.sampled_from([None, 900, 3600]),
       now=st.sampled_from(["2026-11-28T00:00:00Z", "2026-11-28T00:00:00.500Z", "not a date"]))
def test_prefrozen_requests_are_the_references(caller: Caller, target: Target | None, action: Action, extra: Any,
                                               duration: int | None, now: str) -> None:
    assert RequestBuilding.prefrozen
    fast = build_request(caller, action, extra, target=target, duration_seconds=duration, now=now)
    RequestBuilding.prefrozen = False
    try:
        reference = build_request(caller, action, extra, target=target, duration_seconds=duration, now=now)
    finally:
        RequestBuilding.prefrozen = True
    assert _fields(fast) == _fields(reference)


def test_the_context_is_read_only() -> None:
    request = build_request(Caller(kind=CallerKind.IAM_USER, arn=ARNS[CallerKind.IAM_USER], account=B),
                            Action.ASSUME_ROLE, {"sts:ExternalId": "x"}, now="2026-11-28T00:00:00Z")
    with pytest.raises(TypeError):
        request.context["aws:x"] = ("y",)  # type: ignore[index]
