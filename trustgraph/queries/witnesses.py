"""The witnesses of Sat hops as an engine makes them (:meth:`~trustgraph.queries.engine.ReachabilityEngine.witness`).

A hub query decides a hop into the hub for each of its ~1,800 sources (mix, 20,000 roles), and each hop's witness
shows a request of its own (the caller's principal keys): its context as AWS spells the keys, sorted, is one
dictionary per request. Most of those requests are carried over from a hop class
(:mod:`trustgraph.queries.evalclass`): their contexts are packed (:class:`~trustgraph.semantics.request.
PackedContext`), the keys' positions shared by every context of the same keys in the same order. With
``WitnessMaker.by_schema`` the sorted display keys and the positions of their values are worked out once per such
schema, and a context's shown dictionary is its values taken at those positions (the same keys in the same order
with the same values as sorting its items and spelling each key). The witness is made without the frozen dataclass's
generated initializer (each slot set as that initializer sets it, as :func:`~trustgraph.queries.results.
reachable_maker` does for the answers), and a carried-over answer's statements are read without making its decision
(:func:`~trustgraph.queries.lazydecision.decision_statements`, the same statements).

Switch: ``WitnessMaker.by_schema`` (False: the reference: each context sorted and spelled key by key, the witness made
by its initializer, the decision read); ``tests/queries/test_witness_maker.py`` compares the two field by field (the
shown keys in order) on who_can_reach answers.
"""

from __future__ import annotations

from operator import itemgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from trustgraph.queries.results import HopWitness, export_locations
from trustgraph.semantics.request import PackedContext

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from trustgraph.queries.candidates import State
    from trustgraph.semantics.request import Action, Target

Shown = MappingProxyType[str, tuple[str, ...]]


class WitnessMaker:
    """Makes an engine's witnesses (see the module docstring); keeps one shown context per request."""

    #: False: the reference (each context sorted and spelled key by key, the witness made by its initializer, the
    #: answer's decision read for its statements); set on the class, it switches every engine
    by_schema = True

    def __init__(self, target: Callable[[str], Target]) -> None:
        self._target = target
        #: id of a witness's request -> (the request, its context as witnesses show it): many hops share one request
        self._shown: dict[int, tuple[Any, Shown]] = {}
        #: id of a packed context's schema -> (the schema, the display keys sorted, a getter of their values)
        self._plans: dict[int, tuple[Mapping[str, int], tuple[str, ...], Callable[[Any], Any]]] = {}
        slots = HopWitness.__dict__
        self._setters = tuple(slots[name].__set__ for name in (
            "source", "target", "action", "caller", "context", "statements", "approximations", "evidence",
            "method", "calls"))
        self._statements_of: Callable[[Any], Any] | None = None  # lazydecision.decision_statements, once imported

    def shown(self, request: Any) -> Shown:
        """The request's context as witnesses show it: AWS's spelling of each key, sorted by key (one read-only
        mapping per request)."""
        hit = self._shown.get(id(request))
        if hit is None or hit[0] is not request:
            context = request.context
            if self.by_schema and context.__class__ is PackedContext:
                shown = MappingProxyType(self._packed_shown(context))
            else:
                from trustgraph.semantics.spelling import display_key

                shown = MappingProxyType({display_key(k): v for k, v in sorted(context.items())})
            hit = self._shown[id(request)] = (request, shown)
        return hit[1]

    def _packed_shown(self, context: PackedContext) -> dict[str, tuple[str, ...]]:
        """``{display_key(k): v for k, v in sorted(context.items())}`` off the context's schema (its keys are
        distinct: sorting its items sorts its keys)."""
        index = context._index
        plan = self._plans.get(id(index))
        if plan is None or plan[0] is not index:
            from trustgraph.semantics.spelling import display_key

            order = sorted(index.items())
            positions = [at for _, at in order]
            getter: Callable[[Any], Any] = (itemgetter(*positions) if len(positions) > 1
                                            else (lambda values: tuple(values[at] for at in positions)))
            plan = self._plans[id(index)] = (index, tuple(display_key(k) for k, _ in order), getter)
        return dict(zip(plan[1], plan[2](context._values), strict=True))

    def forget(self) -> None:
        """Drop the shown contexts and schema plans kept so far (:meth:`~trustgraph.queries.engine.
        ReachabilityEngine.forget_witnesses`): each is a function of its request or schema alone, so one asked again
        is made again, equal; only the memory they took (and the requests they kept alive) goes."""
        self._shown.clear()
        self._plans.clear()

    def witness(self, state: State, role: str, action: Action, result: Any) -> HopWitness:
        """The witness of the Sat hop from ``state`` into ``role`` answered ``result``."""
        caller = result.caller
        request = result.request
        if not self.by_schema:
            return HopWitness(
                source=state[0], target=role, action=action.value, caller=caller.session_arn or caller.arn,
                context=self.shown(request), statements=export_locations(result.decision.statements),
                approximations=tuple(result.approximations), evidence=(caller, self._target(role), request))
        statements_of = self._statements_of
        if statements_of is None:  # imported with the first witness (the solver's types are loaded by then)
            from trustgraph.queries.lazydecision import decision_statements

            statements_of = self._statements_of = decision_statements
        set_ = self._setters
        made: HopWitness = HopWitness.__new__(HopWitness)
        set_[0](made, state[0])
        set_[1](made, role)
        set_[2](made, action.value)
        set_[3](made, caller.session_arn or caller.arn)
        set_[4](made, self.shown(request))
        set_[5](made, export_locations(statements_of(result)))
        set_[6](made, tuple(result.approximations))
        set_[7](made, (caller, self._target(role), request))
        set_[8](made, None)
        set_[9](made, ())
        return made


__all__ = ["WitnessMaker"]
