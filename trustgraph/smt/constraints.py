"""A :class:`~trustgraph.smt.results.KeyConstraint` read two ways: decided on a ground value
(:func:`ground_satisfies`, shared by the encoding and the concrete-first guesses) and encoded over a symbolic key
(:func:`constraint_term`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from trustgraph.model.pattern import matches, parse_pattern
from trustgraph.smt.encode import glob_re
from trustgraph.smt.env import Env, constant
from trustgraph.smt.results import KeyConstraint
from trustgraph.smt.terms import Term, and_, not_, or_
from trustgraph.smt.z3lazy import z3


def ground_satisfies(c: KeyConstraint, have: tuple[str, ...] | None) -> bool:

    present = bool(have)
    if c.op == "absent":
        return not present
    if c.op == "equals":
        return present and tuple(have or ()) == tuple(c.values)
    return not present or not any(
        matches(parse_pattern(g, wildcards=True, variables=False), v) for g in c.values for v in (have or ()))


def constraint_term(env: Env, c: KeyConstraint) -> Term:
    kv = env.key(c.key.lower())
    if c.op == "absent":
        return not_(kv.pres)
    if c.op == "not-like":
        if kv.kind.value != "string" or not c.values:
            return True
        rx = _globs_re(tuple(c.values))
        return and_(*(or_(not_(u), z3.Not(z3.InRe(v, rx))) for u, v in kv.members()))
    consts = [constant(kv.kind, t) for t in c.values]
    if any(x is None for x in consts) or not consts:
        return False
    if not kv.multi:
        if len(consts) != 1:
            return False
        return and_(kv.pres, _eq(kv.kind, kv.val, consts[0]))
    members = kv.members()
    if len(members) < len(consts):
        return False
    parts: list[Term] = []
    for i, (u, v) in enumerate(members):
        if i < len(consts):
            parts.append(and_(u, _eq(kv.kind, v, consts[i])))
        else:
            parts.append(not_(u))
    return and_(*parts)


@lru_cache(maxsize=4_096)
def _globs_re(globs: tuple[str, ...]) -> z3.ReRef:
    """The union of some StringLike globs as one z3 regex (a value is unlike all of them exactly when it is not in
    the union); memoised, since a scan puts the same list (e.g. one glob per zone account) on thousands of hops."""
    regexes = [glob_re(parse_pattern(g, wildcards=True, variables=False)) for g in globs]
    return regexes[0] if len(regexes) == 1 else z3.Union(*regexes)


def _eq(kind: Any, a: Any, b: Any) -> Term:
    if isinstance(a, tuple):
        return and_(a[0] == b[0], z3.If(b[0], a[2] == b[2], a[1] == b[1]))
    return a == b


__all__ = ["constraint_term", "ground_satisfies"]
