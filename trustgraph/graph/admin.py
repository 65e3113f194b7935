"""Which principals are administrators: their effective identity permissions allow every action on every resource.

Decided syntactically and conservatively: an unconditional Allow of ``*`` on ``*`` in the identity policies, no Deny
statement that could take any action away, and a permissions boundary (if any) that also allows ``*`` on ``*``.
AdministratorAccess attached but missing from the export still counts: its content is fixed by AWS.
"""

from __future__ import annotations

from collections.abc import Iterable

from trustgraph.model.pattern import Star
from trustgraph.model.policy import Effect, Glob, Policy, Statement

ADMINISTRATOR_ACCESS_ARNS = frozenset(
    f"arn:{p}:iam::aws:policy/AdministratorAccess" for p in ("aws", "aws-cn", "aws-us-gov")
)


def _is_everything(globs: tuple[Glob, ...] | None) -> bool:
    return globs is not None and any(g.pattern == (Star(),) for g in globs)


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
    policies = list(identity_policies)
    has_admin_reference = any(a in ADMINISTRATOR_ACCESS_ARNS for a in managed_policy_arns)
    if any(st.effect is Effect.DENY for p in policies for st in p.statements):
        return False
    if not (has_admin_reference or policies_allow_everything(policies)):
        return False
    if boundary_unresolved:
        return True  # the boundary's content is unknown: may be admin (the sound side for severity)
    return boundary is None or policies_allow_everything([boundary])
