"""Hop answers known from other answers, without a solver call
(:meth:`trustgraph.queries.engine.ReachabilityEngine.decide`): an Unsat hop stays Unsat under more constraints, and
contradictory constraints admit no request (:class:`DerivedUnsat`, :func:`contradictory`), nor does a trust policy
whose every Allow statement needs a key the constraints make absent (:func:`absent_blocks`); a Sat witness whose
request meets further constraints answers the hop under them too (:func:`meets_all`)."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from trustgraph.model.pattern import matches, parse_pattern

if TYPE_CHECKING:
    from trustgraph.model.location import Location
    from trustgraph.model.policy import Policy
    from trustgraph.queries.candidates import State
    from trustgraph.queries.options import QueryOptions
    from trustgraph.semantics.request import Action
    from trustgraph.smt.solve import HopResult, KeyConstraint


class SolvesHops(Protocol):
    """What a derived answer needs of its engine: the hop's own answer (ReachabilityEngine.solve)."""

    def solve(self, state: State, role: str, action: Action, options: QueryOptions,
              extra: tuple[KeyConstraint, ...] = ()) -> HopResult: ...


class DerivedUnsat:
    """A hop known to be unsatisfiable from another answer (see :meth:`ReachabilityEngine.decide`): neither Sat nor
    Unknown, so searches read it as blocked; :meth:`solved` asks the solver for the hop's own answer (and core).

    The engine is held by a weak reference: the engine's memo keeps its derived answers, and a strong one would make
    every engine with a derived answer a reference cycle that only a full garbage collection frees
    (:mod:`trustgraph.queries.unowned`). Its reason is read through the engine that answered it
    (:func:`~trustgraph.queries.answers.explain_unsat`), so the engine lives when it is asked."""

    __slots__ = ("_engine", "_key", "_solved")

    def __init__(self, engine: SolvesHops, key: tuple[Any, ...]) -> None:
        self._engine = weakref.ref(engine)
        self._key = key
        self._solved: HopResult | None = None

    def solved(self) -> HopResult:
        """The hop's own answer (Unsat, or Unknown when the solver cannot prove it again in time)."""
        if self._solved is None:
            engine = self._engine()
            if engine is None:
                raise ReferenceError("the engine of this derived answer was freed")
            self._solved = engine.solve(*self._key)
        return self._solved

    @property
    def core(self) -> tuple[str, ...]:
        """The unsat core of the hop's own answer."""
        return tuple(getattr(self.solved(), "core", ("the solver could not decide",)))

    @property
    def locations(self) -> tuple[Location, ...]:
        """The policy places of the hop's own answer."""
        return tuple(getattr(self.solved(), "locations", ()))

    def __repr__(self) -> str:
        return f"DerivedUnsat({self._key[0]} -> {self._key[1]})"


def contradictory(constraints: Sequence[KeyConstraint]) -> bool:
    """Whether no request can meet the constraints: a key both absent and present with values, or present with a
    value that a not-like glob of the same key excludes, or equal to two different value lists."""
    by_key: dict[str, list[KeyConstraint]] = {}
    for c in constraints:
        by_key.setdefault(c.key.lower(), []).append(c)
    for group in by_key.values():
        if len(group) < 2:
            continue
        equals = [c for c in group if c.op == "equals"]
        if len({tuple(c.values) for c in equals}) > 1:
            return True
        if equals and any(c.op == "absent" for c in group):
            return True
        for c in group:
            if c.op != "not-like":
                continue
            globs = [parse_pattern(g, wildcards=True, variables=False) for g in c.values]
            if any(any(matches(g, v) for g in globs) for e in equals for v in e.values):
                return True
    return False


def meets_all(request: Any, constraints: Sequence[KeyConstraint]) -> bool:
    """Whether a concrete request meets every constraint (absent; equals exactly these values; not-like: no value
    matches a glob)."""
    for c in constraints:
        values = request.get(c.key)
        if c.op == "absent":
            if values is not None:
                return False
        elif c.op == "equals":
            if values is None or tuple(values) != tuple(c.values):
                return False
        elif c.op == "not-like":
            if values is not None and any(
                matches(parse_pattern(g, wildcards=True, variables=False), v) for g in c.values for v in values
            ):
                return False
        else:
            return False
    return True


def absent_blocks(trust: Policy, action: Action, constraints: Sequence[KeyConstraint]) -> bool:
    """Whether no request that meets ``constraints`` gets through the trust policy: every Allow statement that may
    apply to ``action`` has a condition on a key the constraints make absent that is false on every request without
    the key (``StringEquals sts:ExternalId`` when the question is asked without an external id). The trust policy
    must allow (docs/semantics.md §1, "an identity policy alone never suffices"), so the hop is Unsat whatever the
    caller. A condition whose values hold policy variables (they read other keys) is not used; whether a condition is
    false without its key is the evaluator's own verdict on a request without it."""
    from trustgraph.graph.build import action_may_match
    from trustgraph.model.pattern import variables_of
    from trustgraph.model.policy import Effect
    from trustgraph.semantics.conditions import UndecidableCondition, evaluate_condition

    absent = {c.key.lower() for c in constraints if c.op == "absent"}
    if not absent:
        return False
    variables = trust.variables_enabled

    def false_without(c: Any) -> bool:
        if c.key.lower() not in absent or any(variables_of(p) for p in c.patterns):
            return False
        try:
            return not evaluate_condition(c, {}, variables=variables)
        except UndecidableCondition:
            return False

    return all(any(false_without(c) for c in st.conditions) for st in trust.statements
               if st.effect is Effect.ALLOW and action_may_match(st.actions, st.not_actions, action.value))


__all__ = ["DerivedUnsat", "SolvesHops", "absent_blocks", "contradictory", "meets_all"]
