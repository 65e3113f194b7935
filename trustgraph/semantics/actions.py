"""Action and resource matching (docs/semantics.md §1.4).

* Actions: case-insensitive globs (``*``, ``?``) over the whole action name; ``NotAction`` matches every action none
  of its globs matches.
* Resources: case-sensitive. An ARN-shaped glob (six ``:``-separated segments) is matched segment-wise with
  :func:`~trustgraph.model.pattern.arn_matches` (a ``*`` may span ``/`` but never a ``:`` in segments 1-5); any other
  glob (``*``) is matched against the whole ARN. ``NotResource`` matches every resource none of its globs matches.
  Under Version 2012-10-17 policy variables in Resource are replaced by the request's value of the key; a glob
  whose variable has no value (and no default) matches no resource.
* A statement without Resource/NotResource (trust policies) applies to every resource.
"""

from __future__ import annotations

from trustgraph.model.pattern import Pattern, Variable, arn_matches, matches, split_arn_pattern, substitute
from trustgraph.model.policy import Glob, Statement
from trustgraph.semantics.conditions import Context, literal_pattern, variable_lookup


def action_matches(glob: Glob, action: str) -> bool:
    """One Action glob against an action name, case-insensitively.

    >>> from trustgraph.model.pattern import parse_pattern
    >>> g = Glob("STS:assume*", parse_pattern("STS:assume*", wildcards=True, variables=False))
    >>> action_matches(g, "sts:AssumeRoleWithSAML")
    True
    """
    return matches(glob.pattern, action, ignore_case=True)


def statement_action_matches(st: Statement, action: str) -> bool:
    """True when the statement's Action (or NotAction) covers ``action``."""
    if st.actions is not None:
        return any(action_matches(g, action) for g in st.actions)
    if st.not_actions is not None:
        return not any(action_matches(g, action) for g in st.not_actions)
    return False


def _resource_pattern(glob: Glob, context: Context, variables: bool) -> Pattern | None:
    pattern = glob.pattern
    if any(isinstance(e, Variable) for e in pattern):
        if not variables:
            return literal_pattern(pattern)
        return substitute(pattern, variable_lookup(context))
    return pattern


def resource_matches(glob: Glob, resource: str, context: Context, *, variables: bool) -> bool:
    """One Resource glob against an ARN (case-sensitive, segment-wise for ARN-shaped globs).

    >>> from trustgraph.model.pattern import parse_pattern
    >>> g = Glob("arn:aws:iam::*:role/*", parse_pattern("arn:aws:iam::*:role/*", wildcards=True, variables=False))
    >>> resource_matches(g, "arn:aws:iam::111111111111:role/ops/Admin", {}, variables=True)
    True
    """
    pattern = _resource_pattern(glob, context, variables)
    if pattern is None:
        return False
    if split_arn_pattern(pattern) is not None:
        return arn_matches(pattern, resource)
    return matches(pattern, resource)


def statement_resource_matches(st: Statement, resource: str, context: Context, *, variables: bool) -> bool:
    """True when the statement's Resource (or NotResource) covers ``resource``; True when it has neither."""
    if st.resources is not None:
        return any(resource_matches(g, resource, context, variables=variables) for g in st.resources)
    if st.not_resources is not None:
        return not any(resource_matches(g, resource, context, variables=variables) for g in st.not_resources)
    return True


__all__ = ["action_matches", "resource_matches", "statement_action_matches", "statement_resource_matches"]
