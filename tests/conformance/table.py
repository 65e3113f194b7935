"""The conformance table of docs/semantics.md §7 as data: the rows, each with its sub-cases.

Every :class:`Case` names a trust policy (JSON), a caller (:class:`CallerSpec`), the target role, an action, the
caller-chosen request keys and the expected decision. ``build_caller``, ``build_target`` and ``build_request`` turn a
case into the evaluator's inputs; the concrete evaluator test (``test_conformance_evaluator.py``) and the SMT test
(``test_conformance_smt.py``) both read :data:`CASES`.

Conventions (§7 header): role R in account A; trust statements ``Effect Allow, Action sts:AssumeRole`` unless the row
says otherwise; ``id_allow`` gives the caller an identity policy allowing sts:AssumeRole, sts:TagSession and
sts:SetSourceIdentity on every resource (external callers in B are assumed to have it: they control their own
policies); same-account callers have no identity policy unless the row says id-allow; no SCP/RCP/boundary; Version
2012-10-17. ``exists`` is the answer to "does SOME request of this caller (caller-chosen keys free) get through?"
when the row states it (the SMT test checks it symbolically); None when the row only speaks about the given request.
``note`` marks rows whose expectation rests on an [?] claim, with the over-approximating answer used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.account import Role
from trustgraph.model.location import Location
from trustgraph.model.policy import Policy
from trustgraph.semantics.request import Action, Caller, CallerKind, OrgUnknown, Request, Target, Verdict

A = "111111111111"
B = "222222222222"
C = "333333333333"
D = "444444444444"
ORG = "o-mine"
NOW = "2026-11-28T00:00:00Z"

ALLOW = Verdict.ALLOW
IMPLICIT = Verdict.IMPLICIT_DENY
EXPLICIT = Verdict.EXPLICIT_DENY

Json = dict[str, Any]

ROLE_R = f"arn:aws:iam::{A}:role/R"
GITHUB = "token.actions.githubusercontent.com"
GITHUB_PROVIDER = f"arn:aws:iam::{A}:oidc-provider/{GITHUB}"
SAML_PROVIDER = f"arn:aws:iam::{A}:saml-provider/Okta"
COGNITO = "cognito-identity.amazonaws.com"


# ----------------------------------------------------------------------------------------------------------------
# Small builders for policy JSON
# ----------------------------------------------------------------------------------------------------------------
def doc(*statements: Json, version: str | None = "2012-10-17") -> Json:
    """A policy document with the given statements."""
    out: Json = {"Statement": list(statements)}
    if version is not None:
        out = {"Version": version, **out}
    return out


def stmt(effect: str, principal: Any = None, action: Any = "sts:AssumeRole", condition: Json | None = None,
         resource: Any = None, **extra: Any) -> Json:
    """One statement; ``principal`` None leaves the Principal element out (identity policies)."""
    out: Json = {"Effect": effect}
    if principal is not None:
        out["Principal"] = principal
    out["Action"] = action
    if resource is not None:
        out["Resource"] = resource
    if condition:
        out["Condition"] = condition
    out.update(extra)
    return out


def allow(principal: Any, action: Any = "sts:AssumeRole", condition: Json | None = None, **kw: Any) -> Json:
    """A trust Allow statement."""
    return stmt("Allow", principal, action, condition, **kw)


def deny(principal: Any, action: Any = "sts:AssumeRole", condition: Json | None = None, **kw: Any) -> Json:
    """A trust Deny statement."""
    return stmt("Deny", principal, action, condition, **kw)


def aws(*arns: str) -> Json:
    """``{"AWS": ...}``."""
    return {"AWS": arns[0] if len(arns) == 1 else list(arns)}


def root(account: str) -> Json:
    """``{"AWS": "arn:aws:iam::ACCOUNT:root"}``."""
    return aws(f"arn:aws:iam::{account}:root")


ID_ALLOW = doc(stmt("Allow", None, ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], resource="*"))
FULL_ACCESS = doc(stmt("Allow", None, "*", resource="*"))
BOUNDARY_NO_ASSUME = doc(stmt("Allow", None, ["s3:*", "ec2:Describe*"], resource="*"))
DENY_ASSUME = doc(stmt("Deny", None, "sts:AssumeRole", resource="*"))


# ----------------------------------------------------------------------------------------------------------------
# Caller and case records
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class CallerSpec:
    """A caller as data. ``name`` is the user or role name; ``arn`` is set for federated and service callers."""

    kind: CallerKind
    account: str | None = A
    name: str = "u"
    path: str = "/"
    unique_id: str | None = None
    session_name: str | None = None
    arn: str | None = None
    id_allow: bool = False
    identity: tuple[Json, ...] = ()
    boundary: Json | None = None
    boundary_unresolved: bool = False
    session_policies: tuple[Json, ...] = ()
    scps: tuple[tuple[Json, ...], ...] | None = None
    org_id: str | None = None
    org_paths: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    mfa: bool = False
    source_identity: str | None = None
    transitive_tags: tuple[tuple[str, str], ...] = ()
    partition: str = "aws"
    org_unknown: OrgUnknown | None = None
    mfa_age: int = 0
    token_age: int = 0
    session_limit: int | None = None


def user(account: str = A, name: str = "u", **kw: Any) -> CallerSpec:
    """An IAM user with long-term keys (``mfa=True``: the call carries SerialNumber/TokenCode)."""
    return CallerSpec(kind=CallerKind.IAM_USER, account=account, name=name,
                      unique_id=kw.pop("unique_id", f"AIDA{name.upper():X<12}{account[:4]}"), **kw)


def session(role: str = "Dev", account: str = A, session_name: str = "s1", **kw: Any) -> CallerSpec:
    """A role session of ``role`` (obtained without MFA unless ``mfa=True``)."""
    return CallerSpec(kind=CallerKind.ROLE_SESSION, account=account, name=role, session_name=session_name,
                      unique_id=kw.pop("unique_id", f"AROA{role.upper():X<12}{account[:4]}"), **kw)


def root_user(account: str = A) -> CallerSpec:
    """An account's root user."""
    return CallerSpec(kind=CallerKind.ROOT, account=account, name="root")


def federated_user(account: str = A, name: str = "fed") -> CallerSpec:
    """A GetFederationToken session."""
    return CallerSpec(kind=CallerKind.FEDERATED_USER, account=account, name=name)


def web(provider: str) -> CallerSpec:
    """A holder of an OIDC token of ``provider`` (provider ARN or built-in IdP name)."""
    return CallerSpec(kind=CallerKind.WEB_IDENTITY, account=None, arn=provider, name="web")


def saml(provider: str) -> CallerSpec:
    """A holder of a SAML assertion of ``provider``."""
    return CallerSpec(kind=CallerKind.SAML, account=None, arn=provider, name="saml")


def service(name: str) -> CallerSpec:
    """A service principal."""
    return CallerSpec(kind=CallerKind.SERVICE, account=None, arn=name, name=name)


@dataclass(frozen=True, kw_only=True)
class Case:
    """One request of one row of §7.

    ``context`` holds the caller-chosen request keys (ExternalId, tags, source IP, token claims, ...); the
    principal-derived keys come from the caller (``trustgraph.semantics.context.build_request``).
    """

    row: int
    sub: str
    description: str
    trust: Json
    caller: CallerSpec
    expected: Verdict
    action: Action = Action.ASSUME_ROLE
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    duration_seconds: int | None = None
    role_name: str = "R"
    role_path: str = "/"
    role_id: str = "AROARRRRRRRRRRRRRRRR"
    role_tags: tuple[tuple[str, str], ...] = ()
    rcps: tuple[tuple[Json, ...], ...] | None = None
    exists: bool | None = None
    approximate: bool = False
    note: str | None = None
    source: str = ""  # the AWS page(s) the row comes from (keys of docs/semantics.md §9), for rows from 66 on
    role_org_known: bool = False  # loaded organizations data lists the role's account (then role_org is its org)
    role_org: str | None = None

    @property
    def id(self) -> str:
        """``row14b``."""
        return f"row{self.row}{self.sub}"

    @property
    def role_arn(self) -> str:
        """The target role's ARN (with path)."""
        return f"arn:aws:iam::{A}:role{self.role_path}{self.role_name}"


# ----------------------------------------------------------------------------------------------------------------
# Building the evaluator's inputs
# ----------------------------------------------------------------------------------------------------------------
def _policy(raw: Json, case_id: str, what: str, kind: str = "identity") -> Policy:
    return policy_from_json(raw, Location(f"conformance/{case_id}/{what}.json", ""), kind=kind)  # type: ignore[arg-type]


def build_caller(case: Case) -> Caller:
    """The :class:`Caller` of a case."""
    spec = case.caller
    cid = case.id
    identity = tuple(_policy(p, cid, f"identity{i}") for i, p in enumerate(spec.identity))
    if spec.id_allow:
        identity = (*identity, _policy(ID_ALLOW, cid, "id-allow"))
    boundary = _policy(spec.boundary, cid, "boundary", "boundary") if spec.boundary is not None else None
    sessions = tuple(_policy(p, cid, f"session-policy{i}") for i, p in enumerate(spec.session_policies))
    scps = None
    if spec.scps is not None:
        scps = tuple(tuple(_policy(p, cid, f"scp{lv}-{j}", "scp") for j, p in enumerate(level))
                     for lv, level in enumerate(spec.scps))
    iam = f"arn:{spec.partition}:iam::{spec.account}"
    if spec.kind is CallerKind.IAM_USER:
        arn = f"{iam}:user{spec.path}{spec.name}"
    elif spec.kind is CallerKind.ROLE_SESSION:
        arn = f"{iam}:role{spec.path}{spec.name}"
    elif spec.kind is CallerKind.ROOT:
        arn = f"{iam}:root"
    elif spec.kind is CallerKind.FEDERATED_USER:
        arn = f"arn:{spec.partition}:sts::{spec.account}:federated-user/{spec.name}"
    else:
        assert spec.arn is not None
        arn = spec.arn
    return Caller(
        kind=spec.kind,
        arn=arn,
        account=spec.account,
        unique_id=spec.unique_id,
        session_name=spec.session_name,
        user_name=spec.name if spec.kind is CallerKind.IAM_USER else None,
        identity_policies=identity,
        boundary=boundary,
        boundary_unresolved=spec.boundary_unresolved,
        session_policies=sessions,
        scp_levels=scps,
        org_id=spec.org_id,
        org_paths=spec.org_paths,
        org_unknown=spec.org_unknown,
        tags=(*(t for t in spec.tags if t[0].lower() not in {k.lower() for k, _ in spec.transitive_tags}),
              *spec.transitive_tags),
        mfa=spec.mfa,
        source_identity=spec.source_identity,
        transitive_tags=spec.transitive_tags,
        mfa_age=spec.mfa_age,
        token_age=spec.token_age,
        session_limit=spec.session_limit,
    )


def build_target(case: Case) -> Target:
    """The :class:`Target` of a case: role R (or the row's role) in A with the case's trust policy and RCPs."""
    trust = _policy(case.trust, case.id, "trust", "trust")
    role = Role(arn=case.role_arn, name=case.role_name, role_id=case.role_id, account=A, path=case.role_path,
                trust_policy=trust, tags=case.role_tags)
    rcps = None
    if case.rcps is not None:
        rcps = tuple(tuple(_policy(p, case.id, f"rcp{lv}-{j}", "rcp") for j, p in enumerate(level))
                     for lv, level in enumerate(case.rcps))
    return Target(role=role, rcp_levels=rcps, org_known=case.role_org_known, org_id=case.role_org)


def build_request(case: Case) -> Request:
    """The full request of a case: the caller's principal keys, the standard request keys and the case's keys."""
    from trustgraph.semantics.context import build_request as build

    return build(build_caller(case), case.action, case.context, target=build_target(case),
                 duration_seconds=case.duration_seconds, now=NOW)


# ----------------------------------------------------------------------------------------------------------------
# The table
# ----------------------------------------------------------------------------------------------------------------
def _cases() -> list[Case]:  # noqa: PLR0915 - one long list of data
    out: list[Case] = []

    def add(row: int, sub: str, description: str, trust: Json, caller: CallerSpec, expected: Verdict,
            **kw: Any) -> None:
        out.append(Case(row=row, sub=sub, description=description, trust=trust, caller=caller, expected=expected,
                        **kw))

    dev = f"arn:aws:iam::{A}:role/Dev"
    add(1, "", "role-ARN principal, session of Dev, no id-allow", doc(allow(aws(dev))), session(), ALLOW)
    add(2, "", "root A principal, user u without id-allow", doc(allow(root(A))), user(), IMPLICIT)
    add(3, "", "root A principal, user u with id-allow", doc(allow(root(A))), user(id_allow=True), ALLOW)
    add(4, "a", "bare account id A, user u without id-allow", doc(allow(aws(A))), user(), IMPLICIT)
    add(4, "b", "bare account id A, user u with id-allow", doc(allow(aws(A))), user(id_allow=True), ALLOW)
    add(5, "a", "root B, role session in B with id-allow", doc(allow(root(B))),
        session("Ops", B, id_allow=True), ALLOW)
    add(5, "b", "root B, role session in B without id-allow", doc(allow(root(B))), session("Ops", B), IMPLICIT)
    add(6, "", "user-ARN principal bob in B, no id-allow", doc(allow(aws(f"arn:aws:iam::{B}:user/bob"))),
        user(B, "bob"), IMPLICIT)
    add(7, "", "Principal *, principal of B with its own id-allow", doc(allow("*")),
        user(B, "bob", id_allow=True), ALLOW, exists=True)
    add(8, "", "Principal *, user u in A without id-allow", doc(allow("*")), user(), ALLOW)
    add(9, "", "root A + id-allow, caller identity Deny sts:AssumeRole", doc(allow(root(A))),
        user(id_allow=True, identity=(DENY_ASSUME,)), EXPLICIT)

    orgid_deny = {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}
    add(10, "", "Deny * StringNotEquals aws:PrincipalOrgID, caller in B in no org",
        doc(allow(root(B)), deny("*", condition=orgid_deny)), user(B, "bob", id_allow=True), EXPLICIT)
    add(11, "", "Deny * ForAnyValue:StringNotEquals aws:PrincipalOrgID, caller in no org",
        doc(allow(root(B)), deny("*", condition={"ForAnyValue:StringNotEquals": {"aws:PrincipalOrgID": ORG}})),
        user(B, "bob", id_allow=True), ALLOW)
    add(12, "", "Principal * ForAllValues:StringEquals aws:PrincipalOrgID, caller in no org",
        doc(allow("*", condition={"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ORG}})),
        user(B, "bob", id_allow=True), ALLOW)
    t13 = doc(allow("*", condition={"StringEquals": {"aws:PrincipalOrgID": ORG}}))
    add(13, "a", "Principal * StringEquals aws:PrincipalOrgID, caller in no org", t13,
        user(B, "bob", id_allow=True), IMPLICIT)
    add(13, "b", "Principal * StringEquals aws:PrincipalOrgID, caller in o-mine with id-allow", t13,
        user(B, "bob", id_allow=True, org_id=ORG, org_paths=(f"{ORG}/r-ab12/",)), ALLOW)

    b = user(B, "bob", id_allow=True)
    t14 = doc(allow(root(B), condition={"StringEquals": {"sts:ExternalId": "12345"}}))
    add(14, "a", "ExternalId required, none sent", t14, b, IMPLICIT)
    add(14, "b", "ExternalId required, 12345 sent", t14, b, ALLOW, context={"sts:ExternalId": ("12345",)},
        exists=True)
    add(14, "c", "ExternalId required, 12346 sent", t14, b, IMPLICIT, context={"sts:ExternalId": ("12346",)})
    add(15, "", "StringEqualsIfExists ExternalId, none sent",
        doc(allow(root(B), condition={"StringEqualsIfExists": {"sts:ExternalId": "12345"}})), b, ALLOW)
    add(16, "", "StringNotEquals ExternalId, none sent",
        doc(allow(root(B), condition={"StringNotEquals": {"sts:ExternalId": "x"}})), b, ALLOW)
    t17 = doc(allow(root(B), condition={"StringLike": {"sts:ExternalId": "*"}}))
    add(17, "a", "StringLike ExternalId *, none sent", t17, b, IMPLICIT)
    add(17, "b", "StringLike ExternalId *, any id sent", t17, b, ALLOW, context={"sts:ExternalId": ("ab",)})
    t18 = doc(allow(root(B), condition={"StringLike": {"sts:ExternalId": "?"}}))
    add(18, "a", "StringLike ExternalId ?, two-char id", t18, b, IMPLICIT, context={"sts:ExternalId": ("ab",)},
        exists=False)
    add(18, "b", "StringLike ExternalId ?, one-char id (rejected by STS: ExternalId >= 2 chars)", t18, b,
        IMPLICIT, context={"sts:ExternalId": ("a",)}, exists=False)
    add(18, "c", "StringLike ExternalId ?, none sent", t18, b, IMPLICIT, exists=False)
    t19 = doc(allow(root(B), condition={"Null": {"sts:ExternalId": "false"}}))
    add(19, "a", "Null ExternalId false, none sent", t19, b, IMPLICIT)
    add(19, "b", "Null ExternalId false, id sent", t19, b, ALLOW, context={"sts:ExternalId": ("anything",)})
    t20 = doc(allow(root(B), condition={"StringEquals": {"STS:EXTERNALID": "abc"}}))
    add(20, "a", "upper-case key name, value abc", t20, b, ALLOW, context={"sts:ExternalId": ("abc",)})
    add(20, "b", "upper-case key name, value ABC", t20, b, IMPLICIT, context={"sts:ExternalId": ("ABC",)})
    add(20, "c", "StringEqualsIgnoreCase, value ABC",
        doc(allow(root(B), condition={"StringEqualsIgnoreCase": {"STS:EXTERNALID": "abc"}})), b, ALLOW,
        context={"sts:ExternalId": ("ABC",)})

    add(21, "a", "Action STS:assumerole matches sts:AssumeRole", doc(allow(root(A), "STS:assumerole")),
        user(id_allow=True), ALLOW)
    add(21, "b", "Action sts:Assume* matches AssumeRoleWithSAML",
        doc(allow({"Federated": SAML_PROVIDER}, "sts:Assume*")), saml(SAML_PROVIDER), ALLOW,
        action=Action.ASSUME_ROLE_WITH_SAML)
    add(21, "c", "Action sts:AssumeRole does not match AssumeRoleWithWebIdentity",
        doc(allow({"Federated": GITHUB_PROVIDER}, "sts:AssumeRole"))
        , web(GITHUB_PROVIDER), IMPLICIT, action=Action.ASSUME_ROLE_WITH_WEB_IDENTITY,
        context={f"{GITHUB}:sub": ("repo:acme/app:ref:refs/heads/main",), f"{GITHUB}:aud": ("sts.amazonaws.com",)})

    add(22, "", "trust allows AssumeRole only, call passes session tags", doc(allow(root(A))),
        user(id_allow=True), IMPLICIT, context={"aws:RequestTag/team": ("x",)})
    add(23, "", "role-ARN principal, trust AssumeRole only, chained caller carries a source identity",
        doc(allow(aws(dev))), session(id_allow=True, source_identity="alice"), IMPLICIT)

    t24 = doc(allow(root(B), condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    add(24, "a", "Bool MFA true, B user long-term keys without MFA params", t24, b, IMPLICIT)
    add(24, "b", "Bool MFA true, B user passing SerialNumber+TokenCode", t24,
        user(B, "bob", id_allow=True, mfa=True), ALLOW)
    add(24, "c", "Bool MFA true, role session of B obtained without MFA", t24,
        session("Ops", B, id_allow=True), IMPLICIT)
    add(25, "", "BoolIfExists MFA true, long-term keys without MFA",
        doc(allow(root(B), condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})), b, ALLOW)
    t26 = doc(allow(root(A)), deny("*", condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
    add(26, "a", "Deny BoolIfExists MFA false, long-term keys", t26, user(id_allow=True), EXPLICIT)
    add(26, "b", "Deny BoolIfExists MFA false, temporary credentials without MFA", t26,
        session(id_allow=True), EXPLICIT)
    add(26, "c", "Deny BoolIfExists MFA false, user with MFA", t26, user(id_allow=True, mfa=True), ALLOW)
    add(27, "", "Deny Bool MFA false (no IfExists), long-term keys",
        doc(allow(root(A)), deny("*", condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}})),
        user(id_allow=True), ALLOW)
    add(28, "", "MFA-required trust for root B, attacker in B with a virtual MFA device", t24,
        user(B, "mallory", id_allow=True, mfa=True), ALLOW, exists=True)

    gh_aud = {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}}
    gh = web(GITHUB_PROVIDER)
    wi = Action.ASSUME_ROLE_WITH_WEB_IDENTITY

    def gh_ctx(sub: str, aud: str = "sts.amazonaws.com") -> dict[str, tuple[str, ...]]:
        return {f"{GITHUB}:sub": (sub,), f"{GITHUB}:aud": (aud,)}

    add(29, "", "GitHub OIDC trust with only aud, token from repo:attacker/x",
        doc(allow({"Federated": GITHUB_PROVIDER}, "sts:AssumeRoleWithWebIdentity", gh_aud)), gh, ALLOW,
        action=wi, context=gh_ctx("repo:attacker/x:ref:refs/heads/main"), exists=True)
    add(30, "a", "StringLike sub repo:acme/*, token from repo:acme-evil/x",
        doc(allow({"Federated": GITHUB_PROVIDER}, "sts:AssumeRoleWithWebIdentity",
                  {**gh_aud, "StringLike": {f"{GITHUB}:sub": "repo:acme/*"}})), gh, IMPLICIT,
        action=wi, context=gh_ctx("repo:acme-evil/x:ref:refs/heads/main"))
    add(30, "b", "StringLike sub repo:acme*, token from repo:acme-evil/x",
        doc(allow({"Federated": GITHUB_PROVIDER}, "sts:AssumeRoleWithWebIdentity",
                  {**gh_aud, "StringLike": {f"{GITHUB}:sub": "repo:acme*"}})), gh, ALLOW,
        action=wi, context=gh_ctx("repo:acme-evil/x:ref:refs/heads/main"))
    t31 = doc(allow({"Federated": GITHUB_PROVIDER}, "sts:AssumeRoleWithWebIdentity",
                    {"ForAllValues:StringLike": {f"{GITHUB}:sub": "repo:acme/app:*"}}))
    add(31, "", "ForAllValues:StringLike sub, GitHub token (sub present) from repo:x/y", t31, gh, IMPLICIT,
        action=wi, context=gh_ctx("repo:x/y:ref:refs/heads/main"))
    other = f"arn:aws:iam::{A}:oidc-provider/idp.example.com"
    add(32, "", "ForAllValues:StringLike sub, provider whose token omits sub",
        doc(allow({"Federated": other}, "sts:AssumeRoleWithWebIdentity",
                  {"ForAllValues:StringLike": {"idp.example.com:sub": "repo:acme/app:*"}})),
        web(other), ALLOW, action=wi, context={"idp.example.com:aud": ("client",)})

    value33 = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    pat33 = "arn:aws:someservice:*:111122223333:finance/*"
    ssvc = service("someservice.amazonaws.com")
    add(33, "a", "ArnLike aws:SourceArn segment-wise: no match",
        doc(allow({"Service": "someservice.amazonaws.com"}, condition={"ArnLike": {"aws:SourceArn": pat33}})),
        ssvc, IMPLICIT, context={"aws:SourceArn": (value33,)})
    add(33, "b", "StringLike aws:SourceArn, same pattern: match",
        doc(allow({"Service": "someservice.amazonaws.com"}, condition={"StringLike": {"aws:SourceArn": pat33}})),
        ssvc, ALLOW, context={"aws:SourceArn": (value33,)})
    add(34, "", "ArnLike aws:PrincipalArn without the SSO path, SSO role session",
        doc(allow("*", condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/AWSReservedSSO_Admin_*"}})),
        session("AWSReservedSSO_Admin_ab12", path="/aws-reserved/sso.amazonaws.com/"), IMPLICIT)
    add(35, "", "trust names a deleted role's unique id, new role with the same name",
        doc(allow(aws("AROAEXAMPLEOLDROLEID1"))), session("X", unique_id="AROAEXAMPLENEWROLEID2"), IMPLICIT)
    add(36, "", "Principal *, ArnEquals aws:PrincipalArn role/X, recreated role X",
        doc(allow("*", condition={"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/X"}})),
        session("X", unique_id="AROAEXAMPLENEWROLEID2"), ALLOW)
    add(37, "", "Principal *, ArnEquals aws:PrincipalArn = session ARN, session s of X",
        doc(allow("*", condition={"ArnEquals": {"aws:PrincipalArn": f"arn:aws:sts::{A}:assumed-role/X/s"}})),
        session("X", session_name="s"), IMPLICIT)
    t38 = doc(allow(root(A), condition={"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{A}:root"}}))
    add(38, "a", "aws:PrincipalArn = root, root user of A (cannot assume roles)", t38, root_user(A), IMPLICIT,
        exists=False)
    add(38, "b", "aws:PrincipalArn = root, user of A with id-allow", t38, user(id_allow=True), IMPLICIT,
        exists=False)
    add(38, "c", "aws:PrincipalArn = root, role session of A with id-allow", t38, session(id_allow=True),
        IMPLICIT, exists=False)
    t39a = doc(allow("*", condition={"StringEquals": {"aws:PrincipalAccount": [B, C]}}))
    t39b = doc(allow("*"), deny("*", condition={"StringNotEquals": {"aws:PrincipalAccount": [B, C]}}))
    add(39, "a", "StringEquals aws:PrincipalAccount [B, C], caller in B", t39a, b, ALLOW)
    add(39, "b", "StringEquals aws:PrincipalAccount [B, C], caller in D", t39a, user(D, "dan", id_allow=True),
        IMPLICIT)
    add(39, "c", "Deny StringNotEquals aws:PrincipalAccount [B, C], caller in B", t39b, b, ALLOW)
    add(39, "d", "Deny StringNotEquals aws:PrincipalAccount [B, C], caller in D", t39b,
        user(D, "dan", id_allow=True), EXPLICIT)
    add(40, "", "StringEquals {aud: X, sub: Y}, token aud X sub Z",
        doc(allow({"Federated": GITHUB_PROVIDER}, "sts:AssumeRoleWithWebIdentity",
                  {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com",
                                    f"{GITHUB}:sub": "repo:acme/app:ref:refs/heads/main"}})),
        gh, IMPLICIT, action=wi, context=gh_ctx("repo:acme/other:ref:refs/heads/main"))
    vpce = {"aws:SourceVpce": ("vpce-0123456789abcdef0",), "aws:SourceVpc": ("vpc-0123",)}
    add(41, "", "IpAddress aws:SourceIp, call via an STS VPC endpoint (no SourceIp)",
        doc(allow(root(B), condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})), b, IMPLICIT,
        context=vpce)
    add(42, "", "Deny NotIpAddress aws:SourceIp, call via VPC endpoint",
        doc(allow(root(B)), deny("*", condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})), b,
        EXPLICIT, context=vpce)
    t43 = doc(allow(root(B), condition={"IpAddress": {"aws:SourceIp": "203.0.113.5"}}))
    add(43, "a", "IpAddress without prefix = /32, same address", t43, b, ALLOW,
        context={"aws:SourceIp": ("203.0.113.5",)})
    add(43, "b", "IpAddress without prefix = /32, next address", t43, b, IMPLICIT,
        context={"aws:SourceIp": ("203.0.113.6",)})
    alice = user(A, "alice", id_allow=True)
    t44 = doc(allow(root(A), condition={"StringLike": {"sts:RoleSessionName": "${aws:username}"}}),
              version="2008-10-17")
    add(44, "a", "Version 2008: ${aws:username} is literal, session alice", t44, alice, IMPLICIT,
        context={"sts:RoleSessionName": ("alice",)}, exists=False)
    add(44, "b", "Version 2008: session name spelled ${aws:username} (invalid session name)", t44, alice,
        IMPLICIT, context={"sts:RoleSessionName": ("${aws:username}",)}, exists=False)
    t44n = doc(allow(root(A), condition={"StringLike": {"sts:RoleSessionName": "${aws:username}"}}), version=None)
    add(44, "c", "no Version (2008 semantics): session alice", t44n, alice, IMPLICIT,
        context={"sts:RoleSessionName": ("alice",)}, exists=False)
    t45 = doc(allow(root(A), condition={"StringLike": {"sts:RoleSessionName": "${aws:username}"}}))
    add(45, "a", "Version 2012: user alice, session alice", t45, alice, ALLOW,
        context={"sts:RoleSessionName": ("alice",)})
    add(45, "b", "Version 2012: role session caller (aws:username absent)", t45, session(id_allow=True), IMPLICIT,
        context={"sts:RoleSessionName": ("alice",)}, exists=False)
    cog = web(COGNITO)
    add(46, "", "Cognito without aud condition, token from a foreign identity pool",
        doc(allow({"Federated": COGNITO}, "sts:AssumeRoleWithWebIdentity")), cog, ALLOW, action=wi,
        context={f"{COGNITO}:aud": ("us-east-1:foreign-pool",), f"{COGNITO}:amr": ("authenticated", "x")},
        exists=True)
    add(47, "", "Cognito aud = pool, ForAnyValue:StringLike amr unauthenticated, guest token",
        doc(allow({"Federated": COGNITO}, "sts:AssumeRoleWithWebIdentity",
                  {"StringEquals": {f"{COGNITO}:aud": "us-east-1:my-pool"},
                   "ForAnyValue:StringLike": {f"{COGNITO}:amr": "unauthenticated"}})), cog, ALLOW, action=wi,
        context={f"{COGNITO}:aud": ("us-east-1:my-pool",), f"{COGNITO}:amr": ("unauthenticated",)})
    scp_deny = (FULL_ACCESS, DENY_ASSUME)
    add(48, "", "SCP of A denies sts:AssumeRole, user in A", doc(allow(root(A))),
        user(id_allow=True, scps=((FULL_ACCESS,), scp_deny), org_id=ORG), EXPLICIT)
    add(49, "", "SCP on A (the role's account) does not restrict a caller in B", doc(allow(root(B))), b, ALLOW,
        note="the SCP of A is not among the caller's SCP levels: B is outside the organization")
    rcp50 = doc(stmt("Deny", "*", "sts:AssumeRole", resource="*",
                     condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}))
    rcps50 = ((doc(stmt("Allow", "*", "*", resource="*")),), (rcp50,))
    t50 = doc(allow(root(B)), allow({"Service": "ec2.amazonaws.com"}))
    add(50, "a", "RCP on A denies outside-org principals, caller in B", t50, b, EXPLICIT, rcps=rcps50)
    add(50, "b", "RCP on A, service principal caller", t50, service("ec2.amazonaws.com"), ALLOW, rcps=rcps50)
    add(50, "c", "RCP on A, target is a service-linked role", t50, b, ALLOW, rcps=rcps50,
        role_name="AWSServiceRoleForX", role_path="/aws-service-role/x.amazonaws.com/")
    add(51, "a", "caller in the management account: SCPs do not apply (policies_for gives ())",
        doc(allow(root(A))), user(id_allow=True, scps=(), org_id=ORG), ALLOW)
    add(51, "b", "role in the management account: RCPs do not apply (policies_for gives ())", t50, b, ALLOW,
        rcps=())
    add(52, "", "role-ARN principal, Dev's boundary lacks sts:AssumeRole", doc(allow(aws(dev))),
        session(boundary=BOUNDARY_NO_ASSUME), IMPLICIT)
    add(53, "", "session-ARN principal, Dev's boundary lacks sts:AssumeRole",
        doc(allow(aws(f"arn:aws:sts::{A}:assumed-role/Dev/s1"))), session(boundary=BOUNDARY_NO_ASSUME), ALLOW,
        approximate=True,
        note="[?] whether a session-ARN grant is limited by the caller's boundary; answer ALLOW (over-approximating)"
             " and mark the decision approximate")
    add(54, "", "user-ARN principal, u's boundary lacks sts:AssumeRole",
        doc(allow(aws(f"arn:aws:iam::{A}:user/u"))), user(boundary=BOUNDARY_NO_ASSUME), IMPLICIT)
    add(55, "", "role-ARN principal, session created with a session policy lacking sts:AssumeRole",
        doc(allow(aws(dev))), session(session_policies=(BOUNDARY_NO_ASSUME,)), IMPLICIT)
    add(56, "a", "chained call with DurationSeconds 7200", doc(allow(aws(dev))), session(), IMPLICIT,
        duration_seconds=7200)
    add(56, "b", "chained call with DurationSeconds 3600", doc(allow(aws(dev))), session(), ALLOW,
        duration_seconds=3600)
    add(57, "", "Service ssm-incidents with StringEquals aws:SourceAccount A, acting for B's resource",
        doc(allow({"Service": "ssm-incidents.amazonaws.com"},
                  condition={"StringEquals": {"aws:SourceAccount": A}})),
        service("ssm-incidents.amazonaws.com"), IMPLICIT,
        context={"aws:SourceAccount": (B,), "aws:SourceArn": (f"arn:aws:ssm-incidents::{B}:response-plan/p",)})
    add(58, "", "Service principal ec2, IAM user calls sts:AssumeRole", doc(allow({"Service": "ec2.amazonaws.com"})),
        user(id_allow=True), IMPLICIT, exists=False)
    add(59, "", "root A, caller is a GetFederationToken session", doc(allow(root(A))), federated_user(), IMPLICIT,
        exists=False)
    t60 = doc(allow("*", condition={"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-x/r-ab12/ou-ab12-1111/*"}}))
    add(60, "a", "OrgPaths glob, principal in that OU (child OU)", t60,
        user(B, "bob", id_allow=True, org_id="o-x", org_paths=("o-x/r-ab12/ou-ab12-1111/ou-ab12-2222/",)), ALLOW)
    add(60, "b", "OrgPaths glob, principal in another OU", t60,
        user(B, "bob", id_allow=True, org_id="o-x", org_paths=("o-x/r-ab12/ou-ab12-3333/",)), IMPLICIT)
    add(60, "c", "OrgPaths glob, principal in no org", t60, b, IMPLICIT)
    add(61, "", "identity Resource role/Admin, target role ops/Admin (path is part of the ARN)",
        doc(allow(root(B))),
        user(B, "bob", identity=(doc(stmt("Allow", None, "sts:AssumeRole", resource=f"arn:aws:iam::{A}:role/Admin")),)),
        IMPLICIT, role_name="Admin", role_path="/ops/")
    add(62, "", "DateLessThan aws:CurrentTime 2020-01-01, now pinned 2026",
        doc(allow(root(B), condition={"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}})), b, IMPLICIT)
    add(63, "", "NumericLessThan aws:MultiFactorAuthAge 3600, no MFA",
        doc(allow(root(B), condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})), b, IMPLICIT)
    add(64, "", "trust of R does not name R; R's identity allows assuming R; R session assumes R",
        doc(allow(root(B))), session("R", unique_id="AROARRRRRRRRRRRRRRRR", id_allow=True), IMPLICIT,
        note="[?] grandfathered roles still using implicit self-trust are not modelled (DENY)")
    t65 = doc(allow(root(B), ["sts:AssumeRole", "sts:TagSession"], {"StringEquals": {"aws:RequestTag/team": "x"}}))
    add(65, "a", "RequestTag/team = x, tag Team=x", t65, b, ALLOW, context={"aws:RequestTag/Team": ("x",)})
    add(65, "b", "RequestTag/team = x, tag team=y", t65, b, IMPLICIT, context={"aws:RequestTag/team": ("y",)})
    add(65, "c", "RequestTag/team = x, no tags", t65, b, IMPLICIT)
    out.extend(_claim_rows())
    out.extend(_session_rows())
    out.extend(_tag_limit_rows())
    out.extend(_rows_from_66())
    return out


def _rows_from_66() -> list[Case]:
    """Partitions (66), session names (67), organization membership (68) and the role's organization (69):
    docs/semantics.md §1.3.1, §4.3, §5."""
    out: list[Case] = []

    def add(row: int, sub: str, description: str, trust: Json, caller: CallerSpec, expected: Verdict, source: str,
            **kw: Any) -> None:
        out.append(Case(row=row, sub=sub, description=description, trust=trust, caller=caller, expected=expected,
                        source=source, **kw))

    parts = "RES-VS-ROLES (id_roles_compare-resource-policies.html), FIB (partitions.html)"
    add(66, "a", "root of B in aws-us-gov names no principal of the aws partition",
        doc(allow(aws(f"arn:aws-us-gov:iam::{B}:root"))), user(B, "bob", id_allow=True), IMPLICIT, parts,
        exists=False)
    add(66, "b", "root B (aws), caller of B's namesake in aws-us-gov",
        doc(allow(root(B))), user(B, "bob", id_allow=True, partition="aws-us-gov"), IMPLICIT, parts, exists=False)
    add(66, "c", 'Principal "*", a role session of the aws-cn partition',
        doc(allow("*")), session("Ops", B, id_allow=True, partition="aws-cn"), IMPLICIT, parts, exists=False)
    add(66, "d", "bare account id B means B in the role's partition", doc(allow(aws(B))),
        user(B, "bob", id_allow=True), ALLOW, parts, exists=True)
    add(66, "e", "role ARN of the aws-us-gov partition, session of the aws namesake",
        doc(allow(aws(f"arn:aws-us-gov:iam::{A}:role/Dev"))), session(), IMPLICIT, parts, exists=False)

    pr = "PRIN (reference_policies_elements_principal.html), STS-AR (RoleSessionName)"
    named = doc(allow(aws(f"arn:aws:sts::{A}:assumed-role/Dev/nightly-job")))
    add(67, "a", "trust names session nightly-job of Dev; that session", named, session(session_name="nightly-job"),
        ALLOW, pr)
    add(67, "b", "trust names session nightly-job of Dev; session adhoc of Dev", named,
        session(session_name="adhoc"), IMPLICIT, pr)
    add(67, "c", "trust names session nightly-job of Dev; session nightly-job of Ops", named,
        session("Ops", session_name="nightly-job"), IMPLICIT, pr)
    uid = doc(allow(root(A), condition={"StringLike": {"aws:userid": "AROA*:nightly-*"}}))
    gk = "GKEYS (aws:userid of a role session is ROLEID:SESSIONNAME)"
    add(67, "d", "aws:userid glob on the session part, session nightly-2", uid,
        session(session_name="nightly-2", id_allow=True), ALLOW, gk)
    add(67, "e", "aws:userid glob on the session part, session adhoc", uid,
        session(session_name="adhoc", id_allow=True), IMPLICIT, gk)

    og = "GKEYS (aws:PrincipalOrgID, aws:PrincipalOrgPaths), ORG-OU (OU ids unique to the organization only)"
    outsider = OrgUnknown(excluded=frozenset({ORG}), chosen=True)
    inside = OrgUnknown(chosen=False)
    add(68, "a", "outsider without organizations data chooses the organization a condition names",
        doc(allow("*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-partner1234"}})),
        user(B, "bob", id_allow=True, org_id="o-partner1234", org_unknown=outsider), ALLOW, og, exists=True)
    add(68, "b", "outsider cannot be a member of the zone's organization",
        doc(allow("*", condition={"StringEquals": {"aws:PrincipalOrgID": ORG}})),
        user(B, "bob", id_allow=True, org_unknown=outsider), IMPLICIT, og, exists=False)
    add(68, "c", "Deny StringNotEquals aws:PrincipalOrgID o-mine stops every outsider, in an organization or not",
        doc(allow(root(B)), deny("*", condition={"StringNotEquals": {"aws:PrincipalOrgID": ORG}})),
        user(B, "bob", id_allow=True, org_unknown=outsider), EXPLICIT, og, exists=False)
    add(68, "d", "zone account without organizations data: membership unknown, may be o-mine (approximate)",
        doc(allow(root(A), condition={"StringEquals": {"aws:PrincipalOrgID": ORG}})),
        user(id_allow=True, org_id=ORG, org_unknown=inside), ALLOW, og, exists=True, approximate=True,
        note="membership of a zone account no organizations file lists is unknown: the answer says so")
    ou_only = doc(allow("*", condition={"ForAnyValue:StringLike": {
        "aws:PrincipalOrgPaths": "*/ou-ab12-11111111/*"}}))
    add(68, "e", "OrgPaths pattern without the organization id: an outsider reuses the OU id in its own org",
        ou_only, user(B, "bob", id_allow=True, org_id="o-evil123456",
                      org_paths=("o-evil123456/r-ab12/ou-ab12-11111111/",), org_unknown=outsider), ALLOW, og,
        exists=True)
    add(68, "f", "OrgPaths pattern anchored on the zone's organization: no outsider",
        doc(allow("*", condition={"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": f"{ORG}/*"}})),
        user(B, "bob", id_allow=True, org_unknown=outsider), IMPLICIT, og, exists=False)

    ro = "GKEYS (aws:ResourceOrgID: the organization of the account that owns the resource)"
    t69 = doc(allow(root(B), condition={"StringEquals": {"aws:ResourceOrgID": ORG}}))
    add(69, "a", "aws:ResourceOrgID of a role whose account the loaded data lists in o-mine", t69,
        user(B, "bob", id_allow=True), ALLOW, ro, role_org_known=True, role_org=ORG, exists=True)
    add(69, "b", "aws:ResourceOrgID of a role whose account the loaded data lists in no organization", t69,
        user(B, "bob", id_allow=True), IMPLICIT, ro, role_org_known=True, exists=False)
    add(69, "c", "aws:ResourceOrgID of another organization", t69, user(B, "bob", id_allow=True), IMPLICIT, ro,
        role_org_known=True, role_org="o-other12345", exists=False)
    return out


#: Sources of the token-claim rows (issue 13, item 6).
OIDC_KEYS = ("IAM User Guide, 'IAM and AWS STS condition context keys', Available keys for AWS OIDC federation; "
             "GitHub docs, 'Configuring OpenID Connect in Amazon Web Services': custom claims unavailable in AWS")
STS_2026 = "AWS What's New 2026-01, 'AWS STS supports validation of identity provider specific claims'"
GH_CLAIMS = "GitHub docs, 'OpenID Connect reference' (repository = OWNER/NAME, sub = repo:OWNER/NAME:...)"


def _claim_rows() -> list[Case]:
    """Rows 101-108: which token claims STS evaluates, and claims of one GitHub token that must agree."""
    wi = Action.ASSUME_ROLE_WITH_WEB_IDENTITY
    gh = web(GITHUB_PROVIDER)
    aud = {f"{GITHUB}:aud": "sts.amazonaws.com"}

    def gh_trust(condition: Json) -> Json:
        return doc(allow({"Federated": GITHUB_PROVIDER}, "sts:AssumeRoleWithWebIdentity", condition))

    def token(**claims: str) -> dict[str, tuple[str, ...]]:
        base = {"sub": "repo:acme/app:ref:refs/heads/main", "aud": "sts.amazonaws.com", **claims}
        return {f"{GITHUB}:{k}": (v,) for k, v in base.items()}

    rows: list[Case] = []

    def add(row: int, sub: str, description: str, trust: Json, caller: CallerSpec, expected: Verdict,
            **kw: Any) -> None:
        rows.append(Case(row=row, sub=sub, description=description, trust=trust, caller=caller, expected=expected,
                         action=wi, **kw))

    by_id = gh_trust({"StringEquals": {**aud, f"{GITHUB}:repository_id": "123456"}})
    add(101, "a", f"repository_id pinned, token of that repository [{STS_2026}]", by_id, gh, ALLOW,
        context=token(repository_id="123456", repository="acme/app"), exists=True)
    add(101, "b", f"repository_id pinned, token of another repository [{STS_2026}]", by_id, gh, IMPLICIT,
        context=token(repository_id="654321"))
    by_repo = gh_trust({"StringEquals": {**aud, f"{GITHUB}:repository": "acme/app"}})
    add(102, "a", f"repository pinned; sub names another repository: no such token [{GH_CLAIMS}]", by_repo, gh,
        IMPLICIT, context=token(sub="repo:evil/x:ref:refs/heads/main", repository="acme/app"))
    add(102, "b", f"repository pinned; sub of the same repository [{GH_CLAIMS}]", by_repo, gh, ALLOW,
        context=token(repository="acme/app"))
    add(102, "c", f"repository acme/app with repository_owner evil: no such token [{GH_CLAIMS}]",
        gh_trust({"StringEquals": aud}), gh, IMPLICIT, context=token(repository="acme/app", repository_owner="evil"))
    add(102, "d", f"customised sub (not repo:...) is not tied to repository [{GH_CLAIMS}]", by_repo, gh, ALLOW,
        context=token(sub="repository_owner_id:42:environment:prod", repository="acme/app"))
    by_run = gh_trust({"StringEquals": {**aud, f"{GITHUB}:run_id": "5"}})
    add(103, "a", f"condition on run_id, a claim STS does not evaluate: the key is absent [{OIDC_KEYS}]", by_run, gh,
        IMPLICIT, context=token(run_id="5"), exists=False)
    add(103, "b", f"StringNotEquals on run_id: absent key, negated operator holds [{OIDC_KEYS}]",
        gh_trust({"StringEquals": aud, "StringNotEquals": {f"{GITHUB}:run_id": "5"}}), gh, ALLOW, context=token())
    add(104, "", f"repository_owner_id pinned: evaluation not documented, assumed evaluated [{STS_2026}]",
        gh_trust({"StringEquals": {**aud, f"{GITHUB}:repository_owner_id": "98765"}}), gh, ALLOW,
        context=token(repository_owner_id="98765"), approximate=True,
        note="[?] repository_owner_id is not in the reported list of 2026 GitHub claims: treated as evaluated")
    gitlab = f"arn:aws:iam::{A}:oidc-provider/gitlab.com"
    add(105, "", f"GitLab namespace_id: not a claim STS evaluates [{OIDC_KEYS}]",
        doc(allow({"Federated": gitlab}, "sts:AssumeRoleWithWebIdentity",
                  {"StringEquals": {"gitlab.com:namespace_id": "77", "gitlab.com:aud": "https://gitlab.com"}})),
        web(gitlab), IMPLICIT, context={"gitlab.com:namespace_id": ("77",), "gitlab.com:aud": ("https://gitlab.com",),
                                        "gitlab.com:sub": ("project_path:acme/app:ref_type:branch:ref:main",)},
        exists=False)
    eks = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF"
    eks_provider = f"arn:aws:iam::{A}:oidc-provider/{eks}"
    add(106, "", "EKS IRSA: sub and aud are evaluated (EKS User Guide, 'IAM roles for service accounts')",
        doc(allow({"Federated": eks_provider}, "sts:AssumeRoleWithWebIdentity",
                  {"StringEquals": {f"{eks}:sub": "system:serviceaccount:ns:app", f"{eks}:aud": "sts.amazonaws.com"}})),
        web(eks_provider), ALLOW, context={f"{eks}:sub": ("system:serviceaccount:ns:app",),
                                           f"{eks}:aud": ("sts.amazonaws.com",)})
    add(107, "", "Cognito: email is not documented as evaluated: assumed it is (re:Post report)",
        doc(allow({"Federated": COGNITO}, "sts:AssumeRoleWithWebIdentity",
                  {"StringEquals": {f"{COGNITO}:aud": "us-east-1:pool", f"{COGNITO}:email": "a@example.com"}})),
        web(COGNITO), ALLOW, context={f"{COGNITO}:aud": ("us-east-1:pool",), f"{COGNITO}:email": ("a@example.com",)},
        approximate=True, note="[?] undocumented claim reported to work: treated as evaluated")
    add(108, "", f"Terraform Cloud terraform_workspace_id: not a claim STS evaluates [{OIDC_KEYS}]",
        doc(allow({"Federated": f"arn:aws:iam::{A}:oidc-provider/app.terraform.io"}, "sts:AssumeRoleWithWebIdentity",
                  {"StringEquals": {"app.terraform.io:terraform_workspace_id": "ws-1"}})),
        web(f"arn:aws:iam::{A}:oidc-provider/app.terraform.io"), IMPLICIT,
        context={"app.terraform.io:terraform_workspace_id": ("ws-1",)}, exists=False)
    return rows


GKEYS = "IAM User Guide, 'AWS global condition context keys'"
SRCID = "IAM User Guide, 'Monitor and control actions taken with assumed roles'"
TAGS = "IAM User Guide, 'Pass session tags in AWS STS' (chaining with transitive session tags)"
TTK = ("IAM User Guide, 'Pass session tags in AWS STS' (TransitiveTagKeys: keys of the session tags passed); "
       "STS InvalidParameterValue")


def _session_rows() -> list[Case]:
    """Rows 111-118: what a session carries into the next hop (issue 13, item 5): MFA and its age, the session's
    issue time, its source identity, its transitive session tags, and which tags a call can make transitive."""
    rows: list[Case] = []

    def add(row: int, sub: str, description: str, trust: Json, caller: CallerSpec, expected: Verdict,
            **kw: Any) -> None:
        rows.append(Case(row=row, sub=sub, description=description, trust=trust, caller=caller, expected=expected,
                         **kw))

    def ops(**kw: Any) -> CallerSpec:
        return session("Ops", B, id_allow=True, **kw)

    older = doc(allow(root(B), condition={"NumericGreaterThan": {"aws:MultiFactorAuthAge": "600"}}))
    add(111, "a", f"MFA 601 s ago, session of a 1-hour role, MultiFactorAuthAge > 600 [{GKEYS}]", older,
        ops(mfa=True, mfa_age=601, session_limit=3600), ALLOW, exists=True)
    add(111, "b", f"MFA age 0 is not the only age: MultiFactorAuthAge > 600 with age 0 [{GKEYS}]", older,
        ops(mfa=True, session_limit=3600), IMPLICIT)
    too_old = doc(allow(root(B), condition={"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}))
    add(111, "c", f"no session of a 1-hour role used MFA more than 3600 s ago [{GKEYS}]", too_old,
        ops(mfa=True, session_limit=3600), IMPLICIT, exists=False)
    add(111, "d", f"an age beyond the session's lifetime is no caller [{GKEYS}]", too_old,
        ops(mfa=True, mfa_age=4000, session_limit=3600), IMPLICIT)
    add(111, "e", f"an IAM user's MFA (GetSessionToken, up to 36 hours) may be 50000 s old [{GKEYS}]",
        doc(allow(root(B), condition={"NumericGreaterThan": {"aws:MultiFactorAuthAge": "50000"}})),
        user(B, "bob", id_allow=True, mfa=True, mfa_age=50001), ALLOW, exists=True)
    issued = doc(allow(root(B), condition={"DateLessThan": {"aws:TokenIssueTime": "2026-11-27T20:00:00Z"}}))
    add(112, "a", f"session issued 4 hours ago (12-hour role): TokenIssueTime before now-4h [{GKEYS}]", issued,
        ops(token_age=14_401), ALLOW, exists=True)
    add(112, "b", f"a session of a 1-hour role was issued at most an hour ago [{GKEYS}]", issued,
        ops(session_limit=3600), IMPLICIT, exists=False)
    carried = doc(allow(root(B), ["sts:AssumeRole", "sts:SetSourceIdentity"],
                        {"StringEquals": {"sts:SourceIdentity": "alice"}}))
    add(113, "a", f"chained session carrying source identity alice; trust allows SetSourceIdentity [{SRCID}]",
        carried, ops(source_identity="alice"), ALLOW)
    add(113, "b", f"a carried source identity cannot be changed: bob's session never matches alice [{SRCID}]",
        carried, ops(source_identity="bob"), IMPLICIT, exists=False)
    add(113, "c", f"carried source identity, trust without sts:SetSourceIdentity [{SRCID}]",
        doc(allow(root(B), condition={"StringEquals": {"aws:SourceIdentity": "alice"}})),
        ops(source_identity="alice"), IMPLICIT, exists=False)
    tagged = doc(allow(root(B), condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}}))
    add(114, "a", f"transitive session tag team=blue is a principal tag of the chained session [{TAGS}]", tagged,
        ops(tags=(("team", "blue"),)), ALLOW)
    add(114, "b", f"without the tag the principal tag is absent [{TAGS}]", tagged, ops(), IMPLICIT, exists=False)
    # rows 115-116: the chained call of a session that carries transitive tags or a source identity
    blue = (("team", "blue"),)
    carrying = doc(allow(root(B), ["sts:AssumeRole", "sts:TagSession"],
                         {"StringEquals": {"aws:PrincipalTag/team": "blue"}}))
    add(115, "a", f"a carried transitive tag is a principal tag of the chained call; trust allows TagSession [{TAGS}]",
        carrying, ops(transitive_tags=blue), ALLOW, exists=True)
    add(115, "b", f"carried transitive tags pass into the next session: sts:TagSession is needed [{TAGS}; C: "
                  "EKS Pod Identity chains refused on sts:TagSession]", tagged, ops(transitive_tags=blue), IMPLICIT,
        exists=False)
    add(115, "c", f"a chained call cannot pass another value for a carried transitive tag [{TAGS}]", carrying,
        ops(transitive_tags=blue), IMPLICIT, context={"aws:RequestTag/team": ("red",)})
    add(115, "d", "passing the carried value again changes nothing [I]", carrying, ops(transitive_tags=blue), ALLOW,
        context={"aws:RequestTag/team": ("blue",)})
    critical = doc(allow(root(B), ["sts:AssumeRole", "sts:SetSourceIdentity"],
                         {"StringLike": {"aws:SourceIdentity": ["Saanvi", "Diego"]}}))
    add(116, "a", f"CriticalRole_2: the chained call carries aws:SourceIdentity Saanvi [{SRCID}]", critical,
        ops(source_identity="Saanvi"), ALLOW, exists=True)
    add(116, "b", f"CriticalRole_2: a session carrying Bob never gets in [{SRCID}]", critical,
        ops(source_identity="Bob"), IMPLICIT, exists=False)
    add(116, "c", f"CriticalRole_2: a session without a source identity sends no aws:SourceIdentity [{SRCID}]",
        critical, ops(), IMPLICIT, exists=False)
    # row 117: sts:TransitiveTagKeys names keys of the session tags passed: passing it passes tags (sts:TagSession)
    bob = user(B, "bob", id_allow=True)
    transitive = {"ForAnyValue:StringEquals": {"sts:TransitiveTagKeys": ["team"]}}
    team_blue = {"aws:RequestTag/team": ("blue",), "sts:TransitiveTagKeys": ("team",)}
    add(117, "a", f"TransitiveTagKeys team with tag team=blue, trust without sts:TagSession [{TAGS}]",
        doc(allow(root(B), condition=transitive)), bob, IMPLICIT, context=team_blue, exists=False)
    add(117, "b", f"TransitiveTagKeys team with tag team=blue, trust allows sts:TagSession [{TAGS}]",
        doc(allow(root(B), ["sts:AssumeRole", "sts:TagSession"], transitive)), bob, ALLOW, context=team_blue,
        exists=True)
    # row 118: every key in TransitiveTagKeys is the key of a session tag the same request passes (STS answers
    # InvalidParameterValue "The specified transitive tag key must be included in the requested tags" otherwise)
    tagging = doc(allow(root(B), ["sts:AssumeRole", "sts:TagSession"]))
    add(118, "a", f"TransitiveTagKeys team with tag team=blue, trust allows sts:TagSession [{TTK}]", tagging, bob,
        ALLOW, context=team_blue)
    add(118, "b", f"TransitiveTagKeys team with only tag cost=1: STS refuses the call [{TTK}]", tagging, bob,
        IMPLICIT, context={"aws:RequestTag/cost": ("1",), "sts:TransitiveTagKeys": ("team",)})
    add(118, "c", f"TransitiveTagKeys Team names tag Team=blue (its request key lower-cased) [{TTK}]", tagging,
        bob, ALLOW, context={"aws:RequestTag/Team": ("blue",), "sts:TransitiveTagKeys": ("Team",)})
    add(118, "d", f"a trust requiring TransitiveTagKeys team: the key alone, without the tag, is refused; a request "
                  f"passing the tag team exists [{TTK}]", doc(allow(root(B), ["sts:AssumeRole", "sts:TagSession"],
                                                                    transitive)), bob,
        IMPLICIT, context={"sts:TransitiveTagKeys": ("team",)}, exists=True)
    add(118, "e", f"a session carrying the transitive tag team=blue does not pass it: naming team in "
                  f"TransitiveTagKeys without the tag is refused [{TAGS}; {TTK}]", carrying,
        ops(transitive_tags=blue), IMPLICIT, context={"sts:TransitiveTagKeys": ("team",)})
    carrying_ttk = doc(allow(root(B), ["sts:AssumeRole", "sts:TagSession"],
                             {"StringEquals": {"aws:PrincipalTag/team": "blue"}, **transitive}))
    add(118, "f", f"a session carrying the transitive tag team=blue passes team=blue again (the same value) with "
                  f"TransitiveTagKeys team, which the trust requires [{TAGS}; {TTK}]", carrying_ttk,
        ops(transitive_tags=blue), ALLOW, context=team_blue, exists=True)
    return rows


STS_TAG = "STS API Reference, 'Tag' (Key 1-128, Value 0-256 chars of [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]; up to 50 tags)"
AWS_PREFIX = "IAM User Guide, 'Pass session tags in AWS STS' (the aws: prefix is reserved)"


def _tag_limit_rows() -> list[Case]:
    """Rows 119-120: STS refuses a call whose session tags break their API limits (docs/semantics.md §1.7), so a trust
    only such a tag satisfies lets nobody in: an empty or reserved (``aws:``) key, a key of 129 characters, a value of
    257 characters or with a character outside the class, more than 50 tags; and a role session name whose letters
    are not ASCII (the patterns' ``\\w``)."""
    rows: list[Case] = []
    bob = user(B, "bob", id_allow=True)
    tagging = ["sts:AssumeRole", "sts:TagSession"]

    def add(sub: str, description: str, condition: Json | None, expected: Verdict, **kw: Any) -> None:
        rows.append(Case(row=119, sub=sub, description=description,
                         trust=doc(allow(root(B), tagging, condition)), caller=bob, expected=expected, **kw))

    add("a", f"aws:TagKeys lists an empty key: STS refuses the call [{STS_TAG}]",
        {"ForAnyValue:StringEquals": {"aws:TagKeys": [""]}}, IMPLICIT, context={"aws:TagKeys": ("",)}, exists=False)
    add("b", f"a tag key starting with aws: is refused [{STS_TAG}; {AWS_PREFIX}]",
        {"ForAnyValue:StringLike": {"aws:TagKeys": ["aws:*"]}}, IMPLICIT,
        context={"aws:RequestTag/aws:team": ("x",)}, exists=False)
    add("c", f"a tag key of 128 characters with a value of 256 passes [{STS_TAG}]",
        None, ALLOW, context={"aws:RequestTag/" + "k" * 128: ("v" * 256,)})
    add("d", f"a tag key of 129 characters is refused [{STS_TAG}]", None, IMPLICIT,
        context={"aws:RequestTag/" + "k" * 129: ("v",)})
    add("e", f"a tag value of 257 characters, or holding '#', is refused: no value matches *#* [{STS_TAG}]",
        {"StringLike": {"aws:RequestTag/team": "*#*"}}, IMPLICIT, context={"aws:RequestTag/team": ("a#b",)},
        exists=False)
    add("f", f"51 session tags are refused, 50 pass [{STS_TAG}]", None, IMPLICIT,
        context={f"aws:RequestTag/t{n}": ("x",) for n in range(51)})
    add("g", f"letters, numbers and spaces of any script pass (équipe 1 = ü) [{STS_TAG}]", None, ALLOW,
        context={"aws:RequestTag/équipe 1": ("ü",)})
    add("h", f"the literal key aws:RequestTag/* names a tag with key '*', which no request passes [{STS_TAG}]",
        {"Null": {"aws:RequestTag/*": "false"}}, IMPLICIT, exists=False)
    # row 120: the \\w of the STS patterns is ASCII (RoleSessionName, SourceIdentity, ExternalId)
    session_name = "STS API Reference, AssumeRole (RoleSessionName: 2-64 characters of [\\w+=,.@-]*)"
    rows.append(Case(row=120, sub="a", description=f"a role session name with a non-ASCII letter is refused "
                     f"[{session_name}]", trust=doc(allow(root(B))), caller=bob, expected=IMPLICIT,
                     context={"sts:RoleSessionName": ("équipe",)}))
    rows.append(Case(row=120, sub="b", description=f"an ASCII role session name passes [{session_name}]",
                     trust=doc(allow(root(B))), caller=bob, expected=ALLOW,
                     context={"sts:RoleSessionName": ("equipe",)}))
    return rows


CASES: tuple[Case, ...] = tuple(_cases())
ROWS: frozenset[int] = frozenset(c.row for c in CASES)

__all__ = [
    "A", "B", "C", "CASES", "Case", "CallerSpec", "D", "NOW", "ORG", "ROWS", "build_caller", "build_request",
    "build_target",
]

