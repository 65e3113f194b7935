"""How many members a multi-valued key needs in the symbolic request: a small-model bound (docs/semantics.md §6.7).

A multi-valued key (aws:TagKeys, aws:PrincipalOrgPaths, ...) is a set of values; the encoding gives it finitely many
slots ``(used_i, value_i)`` (``smt.env``). The reference path gives each key two slots per condition that names it.
This module computes a bound that is just as complete and, for z3's sequence solver, much cheaper: every extra slot
is one more string variable tied to the others by regular-expression memberships and concatenations.

The argument. Every place the encoding reads the members of key ``k`` is one of two shapes:

- *existential*: some member satisfies a property (``ForAnyValue``, an unqualified positive operator on a multi-valued
  key, a ``ForAllValues`` condition that is false, the coupling "aws:RequestTag/t is present iff aws:TagKeys lists
  t" when the tag is present);
- *universal*: every member satisfies a property (``ForAllValues``, an unqualified negated operator, a ``ForAnyValue``
  condition that is false, a ``not-like`` constraint, the domain axioms of the key, the shape of an outsider's
  organization paths, the tag coupling when the tag is absent); presence itself is "some member is used".

Take any set ``S`` of members that satisfies the hop formula, and fix the truth value every condition takes on ``S``.
Keep one witness member for every existential property that holds (a true ``ForAnyValue``: one matching member; a
false ``ForAllValues``: one member that fails), and one member of ``S`` when ``S`` is not empty and nothing else was
kept. The subset ``S'`` gives every condition the same truth value: an existential property that holds still has its
witness, one that fails on ``S`` fails on every subset; a universal property that holds on ``S`` holds on every subset,
one that fails still has its counterexample; presence is unchanged. The slots are interchangeable (every per-member
property is the same for each slot), so ``S'`` fits in the first ``|S'|`` slots. Hence ``max(1, n)`` slots suffice
for a key that ``n`` conditions read (each condition is one property, whatever its polarity in the formula: it needs at
most one member), plus, for aws:TagKeys, one per aws:RequestTag/t of the symbolic request (read by a condition, named by
a constraint or carried as a transitive tag: each is coupled to the list). ``Null`` asks only for presence and
needs no member of its own; an ``equals`` constraint pins the members and gets as many slots as it lists (the caller
applies that after this bound).
"""

from __future__ import annotations

from collections.abc import Iterable

from trustgraph.model.condition import Operator
from trustgraph.model.policy import Statement
from trustgraph.smt.env import key_facts


def small_model_bounds(statements: Iterable[Statement], tag_refs: int, base: dict[str, int]) -> dict[str, int]:
    """Slots per multi-valued key for a hop whose policies hold ``statements`` and whose request couples ``tag_refs``
    distinct aws:RequestTag/t keys to aws:TagKeys, at least the ``base`` bound a candidate asked for (see the module
    docstring)."""
    reads: dict[str, int] = {}
    for st in statements:
        for cond in st.conditions:
            if cond.operator is Operator.NULL or not key_facts(cond.key).multi:
                continue
            reads[cond.key] = reads.get(cond.key, 0) + 1
    reads["aws:tagkeys"] = reads.get("aws:tagkeys", 0) + tag_refs
    out = dict(base)
    for key, n in reads.items():
        out[key] = max(out.get(key, 1), n, 1)
    return out


__all__ = ["small_model_bounds"]
