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

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from trustgraph.model.pattern import (
    Pattern,
    Variable,
    arn_matches,
    arn_text_matches,
    matches,
    parse_pattern,
    split_arn_pattern,
    substitute,
)
from trustgraph.model.policy import Glob, Policy, Statement
from trustgraph.semantics.conditions import Context, literal_pattern, variable_lookup


def action_matches(glob: Glob, action: str) -> bool:
    """One Action glob against an action name, case-insensitively.

    >>> from trustgraph.model.pattern import parse_pattern
    >>> g = Glob("STS:assume*", parse_pattern("STS:assume*", wildcards=True, variables=False))
    >>> action_matches(g, "sts:AssumeRoleWithSAML")
    True
    """
    return matches(glob.pattern, action, ignore_case=True)


@lru_cache(maxsize=65536)
def _text_covers(text: str, action: str) -> bool:
    """Whether the Action glob written ``text`` matches ``action``: a pure function of two strings, remembered (the
    Action vocabulary of an organization is small, and its few actions are asked again and again)."""
    return matches(parse_pattern(text, wildcards=True, variables=False), action, ignore_case=True)


def globs_cover(globs: tuple[Glob, ...], action: str) -> bool:
    """True when one of an Action element's globs matches ``action`` (case-insensitively). Each glob's answer is
    remembered by its text: an Action glob's pattern is its text parsed with wildcards and without variables (policy
    variables are not substituted in Action elements), which is how the loader builds it."""
    for g in globs:
        if _text_covers(g.text, action):
            return True
    return False


def statement_action_matches(st: Statement, action: str) -> bool:
    """True when the statement's Action (or NotAction) covers ``action``."""
    if st.actions is not None:
        return globs_cover(st.actions, action)
    if st.not_actions is not None:
        return not globs_cover(st.not_actions, action)
    return False


_PLAIN: list[bool] = []


@contextmanager
def plain_scan() -> Iterator[None]:
    """Within this block :func:`statements_for_action` is off: the evaluator walks every statement of every policy
    and tests its Action/NotAction itself (the reference the index is tested against)."""
    _PLAIN.append(True)
    try:
        yield
    finally:
        _PLAIN.pop()


def index_enabled() -> bool:
    """False inside :func:`plain_scan`."""
    return not _PLAIN


def statements_for_action(policy: Policy, action: str) -> tuple[Statement, ...]:
    """The statements of ``policy`` whose Action/NotAction covers ``action`` (:func:`statement_action_matches`), in
    document order: the only ones that can apply to a request for ``action``, whatever its principal, resource or
    context. Remembered on the policy per action (and shared by the copies of a repeated document), so a large
    policy is walked once per action, not once per evaluation; the statements are the policy's own, so their
    locations (JSON pointers) are those of a plain walk.

    >>> from trustgraph.ingest.policy_json import policy_from_json
    >>> from trustgraph.model.location import Location
    >>> p = policy_from_json({"Version": "2012-10-17", "Statement": [
    ...     {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    ...     {"Effect": "Allow", "Action": "STS:Assume*", "Resource": "*"},
    ...     {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}]}, Location("f.json", ""))
    >>> [str(st.location) for st in statements_for_action(p, "sts:AssumeRole")]
    ['f.json#/Statement/1', 'f.json#/Statement/2']
    """
    return policy.selected(action, statement_action_matches)


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


class ResourceMatching:
    """How a Resource element is matched against the role's ARN.

    ``by_text`` (class-level switch; False: the reference, :func:`_fixed_globs_cover` then :func:`resource_matches`
    glob by glob): a glob whose text holds no ``$`` (no policy variable can occur in it, whatever the policy's
    version: its pattern is then its text parsed with wildcards) is matched by its text, compiled once per text
    (:func:`~trustgraph.model.pattern.arn_text_matches`), without hashing its pattern's elements; a glob with ``$``
    goes the reference's way. A federated search of a chain-heavy organization matches each state's Resource globs
    against a new ARN at every hop, where the reference's memo per (element, ARN) misses. Same answers
    (tests/semantics/test_resource_text.py).
    """

    by_text = True


@lru_cache(maxsize=65536)
def _fixed_globs_cover(globs: tuple[Glob, ...], resource: str) -> bool | None:
    """Whether one of a Resource element's globs matches ``resource`` when none holds a policy variable (then the
    request plays no part: remembered per element texts and resource), else None."""
    if any(isinstance(e, Variable) for g in globs for e in g.pattern):
        return None
    return any(resource_matches(g, resource, {}, variables=False) for g in globs)


def _globs_cover_resource(globs: tuple[Glob, ...], resource: str, context: Context, variables: bool) -> bool:
    if ResourceMatching.by_text:
        for g in globs:
            text = g.text
            if "$" in text:
                if resource_matches(g, resource, context, variables=variables):
                    return True
            elif arn_text_matches(text, resource):
                return True
        return False
    # an element with ``$`` may hold a variable or not by its policy's version, which its globs (equal by text) do
    # not say: it is not looked up by its texts
    fixed = None if any("$" in g.text for g in globs) else _fixed_globs_cover(globs, resource)
    if fixed is not None:
        return fixed
    return any(resource_matches(g, resource, context, variables=variables) for g in globs)


def statement_resource_matches(st: Statement, resource: str, context: Context, *, variables: bool) -> bool:
    """True when the statement's Resource (or NotResource) covers ``resource``; True when it has neither."""
    if st.resources is not None:
        return _globs_cover_resource(st.resources, resource, context, variables)
    if st.not_resources is not None:
        return not _globs_cover_resource(st.not_resources, resource, context, variables)
    return True


__all__ = ["ResourceMatching", "action_matches", "globs_cover", "index_enabled", "plain_scan", "resource_matches",
           "statement_action_matches", "statement_resource_matches", "statements_for_action"]
