"""Carried-over Sat answers whose decision is made when first read (``EvaluatedClasses.lazy_decisions``).

A hop answered from its class (:mod:`trustgraph.queries.evalclass`) gets the class's first member's decision with the
caller's own statements at the same positions. A search reads an answer's verdict and request, the light witnesses
of the checks (:mod:`trustgraph.checks.ondemand`) its statements, and only a full witness its decision: at 20,000
roles of the vendor-heavy profile ~160,000 answers are carried over with a decision of their own (federation-heavy
~210,000), of which the reports cite a few thousand. :class:`CarriedSat` keeps the class's entry and the caller's
statements instead, and makes the decision when it is first read (:func:`carried_decision`, the same function that
makes it at once); :func:`decision_statements` reads the statements without making it.

Kept apart from :mod:`trustgraph.queries.evalclass` (imported by every engine) so that the solver's result types
(:mod:`trustgraph.smt.results`) are imported where the checks first need them, as before
(:data:`trustgraph.checks.runner.SOLVER_MODULES`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustgraph.semantics.request import Decision
from trustgraph.smt.results import Sat

if TYPE_CHECKING:
    from trustgraph.model.policy import Statement
    from trustgraph.semantics.request import Caller, Request

#: where each statement of a class's decision sits (None: the target's own; else policy kind, policy, statement)
Positions = tuple[tuple[int, int, int] | None, ...]
#: a caller's scanned statements per policy kind and policy
Lists = tuple[tuple[tuple["Statement", ...], ...], ...]


def own_statements(kept: tuple[Statement, ...], positions: Positions, lists: Lists) -> tuple[Statement, ...]:
    """The statements of a carried-over decision: the first member's (``kept``) where the target's own (None), else
    the caller's at the same positions (``lists``)."""
    return tuple([kept[n] if at is None else lists[at[0]][at[1]][at[2]] for n, at in enumerate(positions)])


def carried_decision(decision: Decision, positions: Positions, lists: Lists) -> Decision:
    """The class's first member's ``decision`` with the caller's statements at the same positions."""
    return Decision(verdict=decision.verdict, statements=own_statements(decision.statements, positions, lists),
                    reasons=decision.reasons, approximations=decision.approximations)


#: Sat's slot of the decision (empty in a CarriedSat until read)
_DECISION_SLOT: Any = Sat.__dict__["decision"]


class CarriedSat(Sat):
    """A carried-over Sat answer whose decision is made when first read, then kept (:func:`carried_decision` of the
    class's entry: equal field by field to the one made at once). It compares, prints, copies and pickles as that
    :class:`Sat` (reading the decision); hashing reads it too. Memory: two references more than a Sat instead of a
    Decision and a tuple of statements (~100 bytes less an answer)."""

    __slots__ = ("_class_entry", "_lists")

    _class_entry: tuple[Any, Positions]
    _lists: Lists

    def __init__(self, caller: Caller, request: Request, entry: tuple[Any, Positions], lists: Lists) -> None:
        """``entry``: the class's (first member's Sat answer, positions of its decision's statements)."""
        setattr_ = object.__setattr__
        setattr_(self, "caller", caller)
        setattr_(self, "request", request)
        setattr_(self, "approximations", ())
        setattr_(self, "_class_entry", entry)
        setattr_(self, "_lists", lists)

    def __getattr__(self, name: str) -> Any:
        # called only while the decision slot is empty (its first read)
        if name != "decision":
            raise AttributeError(name)
        made = carried_decision(self._class_entry[0].decision, self._class_entry[1], self._lists)
        object.__setattr__(self, "decision", made)
        return made

    def statements(self) -> tuple[Statement, ...]:
        """The decision's statements (:func:`decision_statements`): found again when the decision is not made."""
        try:
            made: Decision = _DECISION_SLOT.__get__(self, Sat)
        except AttributeError:
            entry = self._class_entry
            return own_statements(entry[0].decision.statements, entry[1], self._lists)
        return made.statements

    def _fields(self) -> tuple[Any, ...]:
        return (self.caller, self.request, self.decision, self.approximations)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sat):
            return NotImplemented
        return self._fields() == (other.caller, other.request, other.decision, other.approximations)

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return repr(Sat(*self._fields()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Sat, self._fields())


def decision_statements(answer: Sat) -> tuple[Statement, ...]:
    """``answer.decision.statements``, without making and keeping the decision of a :class:`CarriedSat` that has not
    made it yet (its statements are found again at each call, equal each time): the light witnesses read the
    statements of every hop into a role checked, and would otherwise make and keep a decision per answer."""
    if answer.__class__ is CarriedSat:
        return answer.statements()
    return answer.decision.statements


__all__ = ["CarriedSat", "carried_decision", "decision_statements", "own_statements"]
