"""Boolean terms that fold Python constants before z3 sees them.

A term is either a Python ``bool`` (decided without the solver) or a z3 ``BoolRef``. The connectives below fold
``True``/``False`` away, so a condition block whose value is known (a ground key, an operator that can never match)
never reaches the solver, and a hop whose whole formula folds to a constant is decided without z3.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Union

from trustgraph.smt.z3lazy import z3

Term = Union[bool, "z3.BoolRef"]


def is_const(t: Any) -> bool:
    """True when ``t`` is a folded Python boolean."""
    return isinstance(t, bool)


def and_(*terms: Term | Iterable[Term]) -> Term:
    """Conjunction; ``False`` absorbs, ``True`` vanishes."""
    out: list[Any] = []
    for t in _flatten(terms):
        if t is False:
            return False
        if t is True:
            continue
        out.append(t)
    if not out:
        return True
    return out[0] if len(out) == 1 else z3.And(*out)


def or_(*terms: Term | Iterable[Term]) -> Term:
    """Disjunction; ``True`` absorbs, ``False`` vanishes."""
    out: list[Any] = []
    for t in _flatten(terms):
        if t is True:
            return True
        if t is False:
            continue
        out.append(t)
    if not out:
        return False
    return out[0] if len(out) == 1 else z3.Or(*out)


def not_(t: Term) -> Term:
    """Negation."""
    if isinstance(t, bool):
        return not t
    return z3.Not(t)


def implies(a: Term, b: Term) -> Term:
    """``a -> b``."""
    return or_(not_(a), b)


def iff(a: Term, b: Term) -> Term:
    """``a <-> b``."""
    if isinstance(a, bool) and isinstance(b, bool):
        return a == b
    if isinstance(a, bool):
        return b if a else not_(b)
    if isinstance(b, bool):
        return a if b else not_(a)
    return a == b


def to_z3(t: Term) -> z3.BoolRef:
    """A z3 term for assertion (constants become ``BoolVal``)."""
    return z3.BoolVal(t) if isinstance(t, bool) else t


def _flatten(terms: tuple[Any, ...]) -> Iterable[Term]:
    for t in terms:
        if isinstance(t, bool) or isinstance(t, z3.BoolRef):  # noqa: SIM101 -- a bool must not load z3 (smt.z3lazy)
            yield t
        else:
            yield from t
