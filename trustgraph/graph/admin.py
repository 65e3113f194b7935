"""Which principals are administrators: their effective identity permissions allow every action on every resource.

Decided syntactically and conservatively: an unconditional Allow of ``*`` on ``*`` in the identity policies, no Deny
statement that could take any action away, and a permissions boundary (if any) that also allows ``*`` on ``*``.
AdministratorAccess attached but missing from the export still counts: its content is fixed by AWS.
"""

from __future__ import annotations

from collections.abc import Iterable

from trustgraph.model.account import Role, User
from trustgraph.model.estate import Estate
from trustgraph.model.pattern import Star
from trustgraph.model.policy import Effect, Glob, Policy, Statement

ADMINISTRATOR_ACCESS_ARNS = frozenset(
    f"arn:{p}:iam::aws:policy/AdministratorAccess" for p in ("aws", "aws-cn", "aws-us-gov")
)


def _is_everything(globs: tuple[Glob, ...] | None) -> bool:
    if globs is None:
        return False
    for g in globs:  # ``g.pattern == (Star(),)`` without dataclass equality: one element, a Star
        pattern = g.pattern
        if len(pattern) == 1 and pattern[0].__class__ is Star:
            return True
    return False


def _allows_everything(st: Statement) -> bool:
    return (
        st.effect is Effect.ALLOW
        and not st.conditions
        and _is_everything(st.actions)
        and (st.resources is None or _is_everything(st.resources))
        and st.not_resources is None
    )


def policies_allow_everything(policies: Iterable[Policy]) -> bool:
    """True when some statement allows ``*`` on ``*`` unconditionally and no Deny statement exists."""
    statements = [st for p in policies for st in p.statements]
    if any(st.effect is Effect.DENY for st in statements):
        return False
    return any(_allows_everything(st) for st in statements)


def is_admin(
    identity_policies: Iterable[Policy],
    boundary: Policy | None,
    *,
    managed_policy_arns: Iterable[str] = (),
    boundary_unresolved: bool = False,
) -> bool:
    """True when the identity policies (after denies and boundary) allow every action on every resource.

    Examples
    --------
    >>> from trustgraph.ingest.policy_json import policy_from_json
    >>> from trustgraph.model.location import MEMORY
    >>> admin = policy_from_json({"Version": "2012-10-17", "Statement": [
    ...     {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, MEMORY)
    >>> is_admin([admin], None)
    True
    >>> is_admin([], None, managed_policy_arns=["arn:aws:iam::aws:policy/AdministratorAccess"])
    True
    """
    has_admin_reference = any(a in ADMINISTRATOR_ACCESS_ARNS for a in managed_policy_arns)
    everything = False  # one pass: any Deny decides; else some statement must allow everything (or the reference)
    deny = Effect.DENY
    for p in identity_policies:
        for st in p.statements:
            if st.effect is deny:
                return False
            if not everything and _allows_everything(st):
                everything = True
    if not (has_admin_reference or everything):
        return False
    if boundary_unresolved:
        return True  # the boundary's content is unknown: may be admin (the sound side for severity)
    return boundary is None or policies_allow_everything([boundary])


def principal_is_admin(estate: Estate, arn: str, identity_policies: tuple[Policy, ...] | None = None) -> bool:
    """Whether the exported user or role ``arn`` is an administrator (identity policies, groups, boundary).

    ``identity_policies``, when the caller already has them, must be those of
    :func:`~trustgraph.semantics.callers.identity_policies_of_user` / ``identity_policies_of_role`` for ``arn``
    (the graph builder computes them once per principal for two purposes). Only the identity side of a caller is
    needed here, so no full caller (SCP levels, organization paths) is built.
    """
    from trustgraph.semantics.callers import identity_policies_of_role, identity_policies_of_user

    user = estate.user_by_arn.get(arn)
    if user is not None:
        entity: User | Role = user
        snap = estate.account_by_id.get(user.account)
        groups = [snap.group_by_name[g] for g in user.groups if g in snap.group_by_name] if snap is not None else []
        managed = user.managed_policy_arns + tuple(a for g in groups for a in g.managed_policy_arns)
        if identity_policies is None:
            identity_policies = identity_policies_of_user(estate, user)
    else:
        entity = estate.role_by_arn[arn]
        snap = estate.account_by_id.get(entity.account)
        managed = entity.managed_policy_arns
        if identity_policies is None:
            identity_policies = identity_policies_of_role(estate, entity)
    boundary: Policy | None = None
    unresolved = False
    if entity.boundary_arn is not None:  # as in trustgraph.semantics.callers (the caller's boundary)
        boundary = snap.boundary_document(entity.boundary_arn) if snap is not None else None
        unresolved = boundary is None
    return is_admin(identity_policies, boundary, managed_policy_arns=managed, boundary_unresolved=unresolved)


def admin_arns(estate: Estate) -> frozenset[str]:
    """Every administrator among the exported users and roles."""
    return frozenset(
        arn for arn in (*estate.user_by_arn, *estate.role_by_arn) if principal_is_admin(estate, arn)
    )
