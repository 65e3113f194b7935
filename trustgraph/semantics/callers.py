"""Concrete callers and targets built from the loaded estate.

A :class:`~trustgraph.semantics.request.Caller` gathers everything that decides the caller's side of a hop: its
identity policies (inline, managed, and for users the policies of their groups), permissions boundary, SCP levels of
its account, organization id and paths, and tags. A :class:`~trustgraph.semantics.request.Target` carries the role
and the RCP levels of the role's account.

SCP/RCP levels are None (nothing restricts) when the account is in no loaded organization, or when the
organization's policies were not loaded (``Organization.policies_known`` False); they are ``()`` for the management
account, which SCPs and RCPs never restrict (``Organization.policies_for``).
"""

from __future__ import annotations

from trustgraph.model.account import AccountSnapshot, Group, Role, User
from trustgraph.model.estate import Estate
from trustgraph.model.organization import Organization, OrgPolicyType
from trustgraph.model.policy import Policy
from trustgraph.model.zone import Zone
from trustgraph.semantics.request import Caller, CallerKind, OrgUnknown, Target


def _snapshot(estate: Estate, account: str) -> AccountSnapshot | None:
    return estate.account_by_id.get(account)


def _group(snapshot: AccountSnapshot | None, name: str) -> Group | None:
    return snapshot.group_by_name.get(name) if snapshot is not None else None


def _managed(snapshot: AccountSnapshot | None, arns: tuple[str, ...]) -> tuple[Policy, ...]:
    return snapshot.managed_documents(arns) if snapshot is not None else ()


def _boundary(snapshot: AccountSnapshot | None, arn: str | None) -> tuple[Policy | None, bool]:
    if arn is None:
        return None, False
    doc = snapshot.boundary_document(arn) if snapshot is not None else None
    return doc, doc is None


def _org_levels(org: Organization | None, account: str,
                kind: OrgPolicyType) -> tuple[tuple[Policy, ...], ...] | None:
    if org is None or not org.policies_known:
        return None
    return org.documents_for(account, kind)


def _org_facts(estate: Estate, account: str, zone: Zone | None
               ) -> tuple[Organization | None, str | None, tuple[str, ...], OrgUnknown | None]:
    org = estate.organization_of(account)
    if org is not None:
        return org, org.org_id, org.org_paths(account), None
    return None, None, (), org_unknown(estate, account, zone)


def org_unknown(estate: Estate, account: str, zone: Zone | None) -> OrgUnknown:
    """What is known about the membership of an account that no loaded organizations data lists as a member
    (docs/semantics.md §5): not a member of a loaded organization whose member list is known; for an account
    outside ``zone``, its own choice and never a zone organization; for an account inside it (or without a zone),
    unknown."""
    excluded = {o.org_id for o in estate.organizations if o.is_member(account) is False}
    outside = zone is not None and not estate.account_inside(zone, account)
    if outside:
        assert zone is not None
        excluded |= zone.organizations
    return OrgUnknown(excluded=frozenset(excluded), chosen=outside)


def identity_policies_of_user(estate: Estate, user: User) -> tuple[Policy, ...]:
    """Inline and managed policies of a user and of each of its groups."""
    snap = _snapshot(estate, user.account)
    out: list[Policy] = [p.document for p in user.inline_policies]
    out.extend(_managed(snap, user.managed_policy_arns))
    for name in user.groups:
        group = _group(snap, name)
        if group is None:
            continue
        out.extend(p.document for p in group.inline_policies)
        out.extend(_managed(snap, group.managed_policy_arns))
    return tuple(out)


def identity_policies_of_role(estate: Estate, role: Role) -> tuple[Policy, ...]:
    """Inline and managed policies of a role."""
    snap = _snapshot(estate, role.account)
    return (*(p.document for p in role.inline_policies), *_managed(snap, role.managed_policy_arns))


def caller_for_user(estate: Estate, user: User, *, mfa_present: bool = False, zone: Zone | None = None) -> Caller:
    """The caller for an IAM user using long-term keys (``mfa_present``: the call carries SerialNumber and
    TokenCode, so the request has aws:MultiFactorAuthPresent = true). ``zone`` says whether an account no
    organizations data lists chooses its own organization (outside) or has an unknown one (inside, or no zone)."""
    snap = _snapshot(estate, user.account)
    boundary, unresolved = _boundary(snap, user.boundary_arn)
    org, org_id, org_paths, unknown = _org_facts(estate, user.account, zone)
    return Caller(
        kind=CallerKind.IAM_USER,
        arn=user.arn,
        account=user.account,
        unique_id=user.user_id,
        user_name=user.name,
        identity_policies=identity_policies_of_user(estate, user),
        boundary=boundary,
        boundary_unresolved=unresolved,
        scp_levels=_org_levels(org, user.account, OrgPolicyType.SCP),
        org_id=org_id,
        org_paths=org_paths,
        org_unknown=unknown,
        tags=user.tags,
        mfa=mfa_present,
    )


def caller_for_role_session(
    estate: Estate,
    role: Role,
    *,
    session_name: str | None = None,
    mfa: bool = False,
    source_identity: str | None = None,
    session_policies: tuple[Policy, ...] = (),
    session_tags: tuple[tuple[str, str], ...] = (),
    zone: Zone | None = None,
) -> Caller:
    """The caller for a session of ``role`` (``mfa``: obtained by an IAM user presenting MFA; ``session_tags``
    override role tags of the same key, case-insensitively; ``session_name`` None: any name, chosen by whoever
    assumed the role; ``zone`` as for :func:`caller_for_user`)."""
    snap = _snapshot(estate, role.account)
    boundary, unresolved = _boundary(snap, role.boundary_arn)
    org, org_id, org_paths, unknown = _org_facts(estate, role.account, zone)
    overridden = {k.lower() for k, _ in session_tags}
    tags = (*(t for t in role.tags if t[0].lower() not in overridden), *session_tags)
    return Caller(
        kind=CallerKind.ROLE_SESSION,
        arn=role.arn,
        account=role.account,
        unique_id=role.role_id,
        session_name=session_name,
        identity_policies=identity_policies_of_role(estate, role),
        boundary=boundary,
        boundary_unresolved=unresolved,
        session_policies=session_policies,
        scp_levels=_org_levels(org, role.account, OrgPolicyType.SCP),
        org_id=org_id,
        org_paths=org_paths,
        org_unknown=unknown,
        tags=tags,
        mfa=mfa,
        source_identity=source_identity,
        session_limit=role.max_session_duration,
    )


def target_for_role(estate: Estate, role: Role) -> Target:
    """The target for ``role``, with the RCP levels of its account and its organization when loaded data lists the
    account (a member of no loaded organization is left unknown: docs/semantics.md §5)."""
    org = estate.organization_of(role.account)
    if org is None:
        return Target(role=role, rcp_levels=None)
    return Target(role=role, rcp_levels=_org_levels(org, role.account, OrgPolicyType.RCP), org_known=True,
                  org_id=org.org_id, org_paths=org.org_paths(role.account))


__all__ = [
    "caller_for_role_session", "caller_for_user", "identity_policies_of_role", "identity_policies_of_user",
    "org_unknown", "target_for_role",
]
