"""The request context AWS builds for a concrete caller: principal-derived keys plus standard request keys.

What :func:`principal_context` puts in (and leaves out) is the concrete side of the presence table
(``trustgraph.semantics.keys``, §2.5); the z3 encoding must assume the same presence for known callers:

===============================  ==============================================================================
key                              value
===============================  ==============================================================================
aws:PrincipalArn                 user ARN; the **role** ARN with path for a role session; ``arn:..:root`` for root
aws:PrincipalAccount             the caller's account (AWS principals)
aws:PrincipalOrgID / OrgPaths    iff ``caller.org_id`` is set (OrgPaths: ``caller.org_paths`` when non-empty)
aws:PrincipalTag/k               one per caller tag (key lower-cased; user/role tags and session tags)
aws:PrincipalType                ``User`` / ``AssumedRole`` / ``Account`` (root) / ``FederatedUser``
aws:userid                       ``AIDA...`` for users; ``AROA...:session`` for role sessions; account id for root
aws:username                     users only
aws:PrincipalIsAWSService        ``false`` for AWS principals, ``true`` for service principals
aws:PrincipalServiceName         service principals only
aws:MultiFactorAuthPresent       user: absent unless ``caller.mfa`` (MFA parameters passed), then ``true``;
                                 role session: always present, ``true`` iff ``caller.mfa`` (session obtained by
                                 a user presenting MFA), else ``false``
aws:MultiFactorAuthAge           iff aws:MultiFactorAuthPresent is ``true``: ``caller.mfa_age``, the seconds
                                 since the MFA authentication (0 up to :func:`credential_lifetime`)
aws:TokenIssueTime               role sessions (temporary credentials): ``now - caller.token_age`` (the
                                 session was issued up to :func:`credential_lifetime` ago)
aws:SourceIdentity               iff the role session carries a source identity (and sts:SourceIdentity in
                                 :func:`build_request`, which the caller cannot change)
===============================  ==============================================================================

SAML and web-identity callers carry no principal keys (their requests are unsigned); their claims are caller-chosen
request keys (``extra_context``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import UTC, datetime

from trustgraph.model.values import format_date, parse_date
from trustgraph.semantics.request import Action, Caller, CallerKind, Request, Target, frozen_request

_intern = sys.intern

_PRINCIPAL_TYPE = {
    CallerKind.IAM_USER: "User",
    CallerKind.ROLE_SESSION: "AssumedRole",
    CallerKind.ROOT: "Account",
    CallerKind.FEDERATED_USER: "FederatedUser",
}
#: the values of aws:PrincipalType and of the default sts:RoleSessionName as a request holds them: one tuple each for
#: every request (a scan's engine keeps ~80,000 requests at 20,000 roles, each of them with both keys)
_PRINCIPAL_TYPE_VALUE = {kind: (text,) for kind, text in _PRINCIPAL_TYPE.items()}


def request_time_text(now: str | datetime | None) -> str:
    if now is None:
        now = datetime.now(UTC)
    if isinstance(now, datetime):
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        return format_date(int(now.timestamp()) * 1000)
    return now


#: GetSessionToken credentials of an IAM user (the way a user's MFA reaches later calls) live at most 36 hours
#: (IAM User Guide, "Compare AWS STS credentials"); a user presenting MFA in the call itself has age 0, inside this.
USER_MFA_MAX_SECONDS = 129_600
#: A role session lives at most its role's maximum session duration, which IAM caps at 12 hours (IAM User Guide,
#: "Update the maximum session duration for a role").
ROLE_SESSION_MAX_SECONDS = 43_200


def credential_lifetime(caller: Caller) -> int:
    """The longest time the caller's credentials (and the MFA authentication they carry) can have existed
    (docs/semantics.md §1.6): the bound
    of ``caller.mfa_age`` and ``caller.token_age`` (aws:MultiFactorAuthAge "is the number of seconds since the
    requesting principal was authenticated using MFA", IAM User Guide, "AWS global condition context keys").

    >>> credential_lifetime(Caller(kind=CallerKind.ROLE_SESSION, arn="arn:aws:iam::1:role/R", session_limit=3600))
    3600
    >>> credential_lifetime(Caller(kind=CallerKind.IAM_USER, arn="arn:aws:iam::1:user/u"))
    129600
    """
    if caller.kind is CallerKind.ROLE_SESSION:
        return min(caller.session_limit or ROLE_SESSION_MAX_SECONDS, ROLE_SESSION_MAX_SECONDS)
    return USER_MFA_MAX_SECONDS


def _issued_text(now: str | datetime | None, age_seconds: int) -> str:
    """``now`` minus ``age_seconds``, as request date text."""
    text = request_time_text(now)
    if not age_seconds:
        return text
    ms = parse_date(text)
    return text if ms is None else format_date(ms - age_seconds * 1000)


#: the keys principal_context writes, interned as :class:`Request` keeps them
(_MULTIFACTORAUTHAGE, _MULTIFACTORAUTHPRESENT, _PRINCIPALACCOUNT, _PRINCIPALARN, _PRINCIPALISAWSSERVICE,
 _PRINCIPALORGID, _PRINCIPALORGPATHS, _PRINCIPALSERVICENAME, _PRINCIPALTYPE, _SOURCEIDENTITY, _TOKENISSUETIME, _USERID,
 _USERNAME) = (_intern(k) for k in (
    "aws:multifactorauthage", "aws:multifactorauthpresent", "aws:principalaccount", "aws:principalarn",
    "aws:principalisawsservice", "aws:principalorgid", "aws:principalorgpaths", "aws:principalservicename",
    "aws:principaltype", "aws:sourceidentity", "aws:tokenissuetime", "aws:userid", "aws:username"))


def principal_context(caller: Caller, *, now: str | datetime | None = None) -> dict[str, tuple[str, ...]]:
    """The principal-derived keys (lower-cased) AWS puts in a request by ``caller`` (see the module table).

    Examples
    --------
    >>> c = Caller(kind=CallerKind.ROLE_SESSION, arn="arn:aws:iam::111111111111:role/ops/Dev",
    ...            account="111111111111", unique_id="AROAEXAMPLEEXAMPLE1", session_name="s1")
    >>> ctx = principal_context(c, now="2026-01-01T00:00:00Z")
    >>> ctx["aws:principalarn"], ctx["aws:userid"], ctx["aws:multifactorauthpresent"]
    (('arn:aws:iam::111111111111:role/ops/Dev',), ('AROAEXAMPLEEXAMPLE1:s1',), ('false',))
    >>> "aws:principalorgid" in ctx, "aws:username" in ctx
    (False, False)
    """
    kind = caller.kind
    ctx: dict[str, tuple[str, ...]] = {}
    if kind is CallerKind.SERVICE:
        ctx[_PRINCIPALISAWSSERVICE] = ("true",)
        ctx[_PRINCIPALSERVICENAME] = (caller.arn,)
        return ctx
    if kind in (CallerKind.SAML, CallerKind.WEB_IDENTITY):
        return ctx
    ctx[_PRINCIPALARN] = (caller.arn,)
    if caller.account is not None:
        ctx[_PRINCIPALACCOUNT] = (caller.account,)
    ctx[_PRINCIPALTYPE] = _PRINCIPAL_TYPE_VALUE[kind]
    ctx[_PRINCIPALISAWSSERVICE] = ("false",)
    if caller.org_id is not None:
        ctx[_PRINCIPALORGID] = (caller.org_id,)
        if caller.org_paths:
            ctx[_PRINCIPALORGPATHS] = tuple(caller.org_paths)
    for key, value in caller.tags:
        ctx[_intern(f"aws:principaltag/{key.lower()}")] = (value,)
    if kind is CallerKind.IAM_USER:
        if caller.unique_id is not None:
            ctx[_USERID] = (caller.unique_id,)
        name = caller.user_name or caller.arn.rsplit("/", 1)[-1]
        ctx[_USERNAME] = (name,)
        if caller.mfa:
            ctx[_MULTIFACTORAUTHPRESENT] = ("true",)
            ctx[_MULTIFACTORAUTHAGE] = (str(caller.mfa_age),)
    elif kind is CallerKind.ROLE_SESSION:
        if caller.unique_id is not None:
            ctx[_USERID] = (f"{caller.unique_id}:{caller.session_name or ''}",)
        ctx[_MULTIFACTORAUTHPRESENT] = ("true",) if caller.mfa else ("false",)
        if caller.mfa:
            ctx[_MULTIFACTORAUTHAGE] = (str(caller.mfa_age),)
        ctx[_TOKENISSUETIME] = (_issued_text(now, caller.token_age),)
        if caller.source_identity is not None:
            ctx[_SOURCEIDENTITY] = (caller.source_identity,)
    elif kind is CallerKind.ROOT:
        if caller.account is not None:
            ctx[_USERID] = (caller.account,)
    elif kind is CallerKind.FEDERATED_USER:
        name = caller.arn.rsplit("/", 1)[-1]
        ctx[_USERID] = (f"{caller.account}:{name}",)
        ctx[_MULTIFACTORAUTHPRESENT] = ("false",)
        ctx[_TOKENISSUETIME] = (request_time_text(now),)
    return ctx


#: Default session name for AWS-principal and web-identity calls when the caller does not choose one.
DEFAULT_SESSION_NAME = "trustgraph"
_DEFAULT_SESSION_VALUE = (DEFAULT_SESSION_NAME,)


class RequestBuilding:
    """How :func:`build_request` hands its context to :class:`Request`.

    ``prefrozen`` (class-level switch; False: the reference, ``Request(...)``, whose ``__post_init__`` lower-cases,
    interns and copies every key and value again): the context is built with its keys lower-cased and interned as it
    is filled and its values tuples, and wrapped as it is (:func:`~trustgraph.semantics.request.frozen_request`). A
    federated search of a chain-heavy organization builds ~13,000 requests of ~18 keys each. Same requests
    (tests/semantics/test_request_building.py)."""

    prefrozen = True


def build_request(
    caller: Caller,
    action: Action,
    extra_context: Mapping[str, tuple[str, ...] | list[str] | str] | None = None,
    *,
    target: Target | None = None,
    duration_seconds: int | None = None,
    now: str | datetime | None = None,
) -> Request:
    """A full request: principal keys, standard request keys, and the caller-chosen ``extra_context``.

    Standard keys: aws:CurrentTime / aws:EpochTime (``now``), aws:SecureTransport ``true``, aws:ViaAWSService
    ``false``, aws:RequestedRegion ``us-east-1``; sts:RoleSessionName (``trustgraph`` unless given) for AWS
    principals, services and web identities; aws:ResourceAccount and aws:ResourceTag/k of the target role when
    ``target`` is given. Session tags ``aws:RequestTag/K`` in ``extra_context`` also set ``aws:TagKeys`` to their
    keys as spelled (unless given). A caller whose session carries a source identity always sends it as
    sts:SourceIdentity (it cannot be changed along a chain). Keys of ``extra_context`` override everything else.
    """
    now_text = request_time_text(now)
    prefrozen = RequestBuilding.prefrozen
    # principal_context returns a dictionary of its own, its keys interned: filled further here without a copy
    ctx: dict[str, tuple[str, ...]] = principal_context(caller, now=now_text) if prefrozen else dict(
        principal_context(caller, now=now_text))
    ms = parse_date(now_text)
    ctx[_CURRENTTIME] = (now_text,)
    if ms is not None:
        ctx[_EPOCHTIME] = (str(ms // 1000),)
    ctx[_SECURETRANSPORT] = _TRUE
    ctx[_VIAAWSSERVICE] = _FALSE
    ctx[_REQUESTEDREGION] = _REGION
    if caller.kind is not CallerKind.SAML:
        ctx[_ROLESESSIONNAME] = _DEFAULT_SESSION_VALUE
    if target is not None:
        ctx[_RESOURCEACCOUNT] = (target.role.account,)
        ctx.update(target.resource_org_context())
        for key, value in target.role.tags:
            ctx[_intern(f"aws:resourcetag/{key.lower()}")] = (value,)
    if caller.kind is CallerKind.ROLE_SESSION and caller.source_identity is not None:
        ctx[_STS_SOURCEIDENTITY] = (caller.source_identity,)
    if extra_context:
        extra = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in extra_context.items()}
        tag_keys = tuple(k.split("/", 1)[1] for k in extra if k.lower().startswith("aws:requesttag/"))
        if tag_keys and not any(k.lower() == "aws:tagkeys" for k in extra):
            ctx[_TAGKEYS] = tag_keys
        for k, v in extra.items():
            ctx[_intern(k.lower())] = v
    if prefrozen:
        return frozen_request(action, ctx, duration_seconds)
    return Request(action=action, context=ctx, duration_seconds=duration_seconds)


#: the keys build_request writes, interned as :class:`Request` keeps them
(_CURRENTTIME, _EPOCHTIME, _SECURETRANSPORT, _VIAAWSSERVICE, _REQUESTEDREGION, _ROLESESSIONNAME, _RESOURCEACCOUNT,
 _STS_SOURCEIDENTITY, _TAGKEYS) = (_intern(k) for k in (
    "aws:currenttime", "aws:epochtime", "aws:securetransport", "aws:viaawsservice", "aws:requestedregion",
    "sts:rolesessionname", "aws:resourceaccount", "sts:sourceidentity", "aws:tagkeys"))
_TRUE, _FALSE, _REGION = ("true",), ("false",), ("us-east-1",)


__all__ = ["DEFAULT_SESSION_NAME", "ROLE_SESSION_MAX_SECONDS", "USER_MFA_MAX_SECONDS", "RequestBuilding",
           "build_request", "credential_lifetime", "principal_context"]
