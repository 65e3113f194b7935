"""Conditions compiled once into a test of the request context (:func:`compiled`), for the evaluator's fast walk and
the concrete-first guesses.

:func:`trustgraph.semantics.conditions.evaluate_condition` rebuilds the condition's matcher on every call (its
patterns with variables substituted, its typed values parsed, one closure per call): ~13 us per condition, and
condition-heavy organizations evaluate tens of thousands of them (the replay of every concrete-first guess, the
values tried for each guessed key, the trust scans of every hop decided by evaluation). When the matcher does not
depend on the request (no policy variable the request would fill), it is the same for every evaluation of the
condition: it is built here once per condition content and the per-call work is the key look-up and the set
qualifier's rule. A condition whose answer depends on the request beyond its key's values (policy variables in a
string pattern or a Bool value), or that the evaluator refuses (:class:`UndecidableCondition`: unknown operators, a
Null with IfExists or a qualifier) gets no compiled form: the caller evaluates it with the reference, so every
exception still comes from the reference with the caller's object. Same answers as the reference on generated
conditions and contexts (tests/semantics/test_compiled_conditions.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from trustgraph.model.condition import Condition, Family, Operator, SetQualifier
from trustgraph.model.pattern import Variable
from trustgraph.model.values import parse_bool
from trustgraph.semantics.conditions import (
    Context,
    evaluate_condition,
    evaluate_conditions,
    policy_patterns,
    positive_matcher,
)

#: a compiled condition: the request context to the condition's value (never raises)
Test = Callable[[Context], bool]


def compiled(cond: Condition, variables: bool) -> Test | None:
    """The compiled test of ``cond`` under the policy's variables setting, or None when it must be evaluated by
    :func:`~trustgraph.semantics.conditions.evaluate_condition` (see the module docstring). Made once per condition
    content, texts and setting for the process (bounded, as the solver's other compiled constants are)."""
    return _memo(cond, cond.texts, variables)


@lru_cache(maxsize=16_384)
def _memo(cond: Condition, texts: tuple[str, ...], variables: bool) -> Test | None:
    """:func:`_compile` by the condition's content (its location takes no part in its equality) and its texts
    (values equal in Python but spelled apart, ``True`` and ``1``, are apart here)."""
    return _compile(cond, variables)


def _compile(cond: Condition, variables: bool) -> Test | None:
    """:func:`compiled` without the memo: the reference's rules (``evaluate_condition``) with the matcher built for
    an empty request, which is the matcher of every request when no variable is read."""
    op = cond.operator
    if op is Operator.UNKNOWN:
        return None
    key = cond.key.lower()
    if op is Operator.NULL:
        if cond.if_exists or cond.qualifier is not SetQualifier.NONE:
            return None
        wanted = [parse_bool(t) for t in cond.texts]
        when_absent = any(w is True for w in wanted)  # the reference's ``w == (not present)``, absent
        when_present = any(w is False for w in wanted)

        def null(ctx: Context) -> bool:
            return when_present if ctx.get(key) else when_absent

        return null
    if variables:
        if op.family in (Family.STRING, Family.ARN):
            if any(isinstance(el, Variable) for p in policy_patterns(cond, variables=True) for el in p):
                return None
        elif op.family is Family.BOOL and any("${" in t for t in cond.texts):
            return None
    match = positive_matcher(cond, {}, variables=variables)
    negated = op.negated
    if_exists = cond.if_exists
    qualifier = cond.qualifier
    if qualifier is SetQualifier.FOR_ANY_VALUE:
        if negated:
            return lambda ctx: any(not match(s) for s in ctx.get(key, ())) if ctx.get(key) else if_exists
        return lambda ctx: any(match(s) for s in ctx.get(key, ())) if ctx.get(key) else if_exists
    if qualifier is SetQualifier.FOR_ALL_VALUES:
        if negated:
            return lambda ctx: all(not match(s) for s in ctx.get(key, ()))
        return lambda ctx: all(match(s) for s in ctx.get(key, ()))
    if negated:
        return lambda ctx: not ctx.get(key) or not any(match(s) for s in ctx.get(key, ()))
    return lambda ctx: any(match(s) for s in ctx.get(key, ())) if ctx.get(key) else if_exists


def evaluate(cond: Condition, context: Context, *, variables: bool) -> bool:
    """:func:`~trustgraph.semantics.conditions.evaluate_condition` through the compiled test when there is one (the
    reference otherwise, which raises what it raises)."""
    test = _memo(cond, cond.texts, variables)
    if test is None:
        return evaluate_condition(cond, context, variables=variables)
    return test(context)


def evaluate_all(conds: Iterable[Condition], context: Context, *, variables: bool) -> bool:
    """:func:`~trustgraph.semantics.conditions.evaluate_conditions` (Kleene AND: a false condition decides the block
    even when another is undecidable, else the first undecidable one is raised) through :func:`evaluate`."""
    return evaluate_conditions(conds, context, variables=variables, one=evaluate)


__all__ = ["Test", "compiled", "evaluate", "evaluate_all"]
