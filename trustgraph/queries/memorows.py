"""The engine's memo rows of one expanded state, read once per state instead of once per hop: what
:func:`~trustgraph.queries.classmoves.class_move` and :meth:`~trustgraph.queries.shared.SharedSearches._base_sat`
read and write for each hop of a shared search, on the rows of the engine's nested memos.

The engine keeps its memos nested (:class:`~trustgraph.queries.hopmemo.HopMemo`: ``rest -> state -> (role, action)
-> value``). A hop's test "is it memoised, derived or filed already?" builds its flat key, slices it and walks two
levels down, three times, and its answer's filing walks them again; the hops of one state under one set of options
share those two levels (a hub state's hundreds of hops: at 20,000 roles of the vendor-heavy profile ~158,000 hops
answered by their class and ~231,000 taken from the base search, ~6,000 states). :class:`MemoRows` holds, for one
(state, options, first-hop constraints), the three rows (memoised, derived, filed answers) and what the tests read
the same for every hop (the constraints, whether they contradict or make a key absent, the caller, whether another
MFA outcome may be asked); :func:`row_class_move` and :func:`row_base_sat` are ``class_move`` and ``_base_sat`` on
them: the same tests in the same order (each answering as the flat lookup does: a row not made yet holds nothing),
the same writes (the same keys, values and pair tuples, made through the memo itself when the row is not made yet).

Switch: ``SharedSearches.memo_rows`` (False: ``class_move`` and ``_base_sat_checked`` per hop, the reference; also
off with ``SharedSearches.base_checks`` or ``ReachabilityEngine.nested_memos`` off). ``class_move`` and ``_base_sat``
stay the entry points (given the rows, they hand the hop to the functions here).
``tests/queries/test_vendor_memo_rows.py`` compares the searches, the moves and every engine memo with the switch on
and off.

Cost: three row lookups per state and search that reaches it (a row is re-read while it is not made yet: another hop
of the state, decided through the engine, may make it); per hop a pair lookup in each row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustgraph.queries.derived import DerivedUnsat
from trustgraph.queries.hopmemo import HopMemo
from trustgraph.queries.sharedmoves import BLOCKED
from trustgraph.semantics.request import Action, Caller, CallerKind

if TYPE_CHECKING:
    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.options import QueryOptions
    from trustgraph.queries.sharedmoves import Lead, Leads, Move
    from trustgraph.smt.solve import KeyConstraint, Sat

_Row = dict[tuple[Any, Any], Any]


def _row(memo: HopMemo, rest: tuple[Any, ...], state: Any) -> _Row | None:
    """``memo``'s row of ``state`` under ``rest`` (None: not made yet, it holds nothing)."""
    return memo.row(rest, state)


class MemoRows:
    """The engine's memo rows of one state under one (options, first-hop constraints), and the parts of the hop
    tests that are the same for each of its hops (see the module docstring)."""

    __slots__ = ("engine", "state", "options", "extra", "rest", "answers_rest", "memo", "derived", "answers",
                 "constraints", "contradicts", "absent", "may_flip", "caller", "class_ok")

    def __init__(self, engine: ReachabilityEngine, state: State, options: QueryOptions,
                 extra: tuple[KeyConstraint, ...]) -> None:
        self.engine, self.state, self.options, self.extra = engine, state, options, extra
        self.rest = (options, extra)
        self.answers_rest = (options.closed,)
        self.memo: _Row | None = None
        self.derived: _Row | None = None
        self.answers: _Row | None = None
        self.constraints, self.contradicts = engine._constraints_of(options, extra)
        self.absent = any(c.op == "absent" for c in self.constraints)
        #: False: no hop of the state asks for the other MFA outcome (``flips_mfa`` without a role is False)
        self.may_flip = engine.flips_mfa(state[0], Action.ASSUME_ROLE)
        self.caller: Any = None  # the state's caller, read when a hop first needs it (as class_move reads it)
        opts = engine.session.options
        self.class_ok = bool(opts.derived_answers and opts.evaluation and opts.hop_classes)

    @staticmethod
    def usable(engine: ReachabilityEngine) -> bool:
        """Whether the engine's memos are nested (the rows exist)."""
        return (isinstance(engine._memo, HopMemo) and isinstance(engine._derived, HopMemo)
                and isinstance(engine._answers, HopMemo))

    def memo_row(self) -> _Row | None:
        row = self.memo
        if row is None:
            row = self.memo = _row(self.engine._memo, self.rest, self.state)  # type: ignore[arg-type]
        return row

    def derived_row(self) -> _Row | None:
        row = self.derived
        if row is None:
            row = self.derived = _row(self.engine._derived, self.rest, self.state)  # type: ignore[arg-type]
        return row

    def answers_row(self) -> _Row | None:
        row = self.answers
        if row is None:
            row = self.answers = _row(self.engine._answers, self.answers_rest, self.state)  # type: ignore[arg-type]
        return row

    def known(self, pair: tuple[str, Action]) -> bool:
        """Whether the hop is memoised or derived already (``key in engine._memo or key in engine._derived``)."""
        memo = self.memo_row()
        if memo is not None and pair in memo:
            return True
        derived = self.derived_row()
        return derived is not None and pair in derived

    def put_memo(self, pair: tuple[str, Action], value: Any) -> None:
        """``engine._memo[key] = value``."""
        memo = self.memo_row()
        if memo is None:
            self.engine._memo[(self.state, *pair, *self.rest)] = value
            self.memo = None
        else:
            pairs = self.engine._memo.pairs  # type: ignore[union-attr]
            memo[pairs.setdefault(pair, pair)] = value

    def put_derived(self, pair: tuple[str, Action], value: Any) -> None:
        """``engine._derived[key] = value``."""
        derived = self.derived_row()
        if derived is None:
            self.engine._derived[(self.state, *pair, *self.rest)] = value
            self.derived = None
        else:
            pairs = self.engine._derived.pairs  # type: ignore[union-attr]
            derived[pairs.setdefault(pair, pair)] = value

    def file_first(self, pair: tuple[str, Action], result: Any) -> None:
        """``engine._file_answer(hop, constraints, result)`` for a hop with nothing filed yet."""
        engine = self.engine
        constraint_set = engine._constraint_frozensets.get(self.constraints)
        if constraint_set is None:
            constraint_set = engine._constraint_frozensets[self.constraints] = frozenset(self.constraints)
        value = result if not constraint_set else (constraint_set, result)  # a first answer: nothing filed before
        answers = self.answers_row()
        if answers is None:
            engine._answers[(self.state, *pair, *self.answers_rest)] = value
            self.answers = None
        else:
            pairs = engine._answers.pairs  # type: ignore[union-attr]
            answers[pairs.setdefault(pair, pair)] = value


def row_class_move(rows: MemoRows, role: str, action: Action, pair: tuple[str, Action], bare: bool,
                   plain: bool = True, choiceless: bool = False) -> Leads | Lead | Sat | Move | None:
    """:func:`~trustgraph.queries.classmoves.class_move` of the hop ``pair`` (= (``role``, ``action``)) of
    ``rows.state`` on its rows: the same tests in the same order, the same writes (``plain``, ``choiceless``: as
    there)."""
    if not rows.class_ok or rows.known(pair):
        return None
    engine = rows.engine
    if rows.contradicts:
        return None
    answers = rows.answers_row()
    if answers is not None and pair in answers:
        return None
    if rows.absent and engine._absent_blocks(role, action, rows.constraints):
        return None
    caller = rows.caller
    if caller is None:
        caller = rows.caller = engine.caller(*rows.state)
    if not isinstance(caller, Caller):
        return None
    options = rows.options
    if engine.refute_first and engine.refuted_first(rows.state, role, action):
        # decided Unsat by the engine's path before its class is asked (ReachabilityEngine.refute_first): filed and
        # counted as decide files and counts its derived Unsat (a role node's only related hop is itself)
        engine.shared += 1
        rows.put_derived(pair, DerivedUnsat(engine, (rows.state, role, action, options, rows.extra)))
        return BLOCKED
    classed = engine.evaluated.answer_of_class(rows.state, caller, engine.target(role), action, rows.constraints,
                                               options.closed, engine.now_ms)
    if classed is None:
        return None
    engine.evaluations += 1
    rows.put_memo(pair, classed)
    rows.file_first(pair, classed)
    leads = None
    if engine._leads:
        key = (rows.state, role, action, options, rows.extra)
        leads = engine._leads.get(key)
    if leads is None:
        request = classed.request.context
        if not ("sts:sourceidentity" in request or "sts:transitivetagkeys" in request
                or classed.caller.source_identity is not None or classed.caller.transitive_tags
                or classed.caller.kind is CallerKind.IAM_USER
                or (rows.may_flip and engine.flips_mfa(rows.state[0], action, role))
                or not (plain or nothing_asked(engine, role, rows.state, choiceless))):
            own = (role, False)
            engine._plain_states.setdefault(own, own)
            return classed if bare else (engine._plain_states[own], classed, True)
        leads = engine.sat_leads(rows.state, role, action, options, rows.extra, classed, keep=False)
        if bare and not plain and len(leads) == 1:  # as SharedSearches.move keeps it: a Sat move
            nxt, answer, left_out = leads[0]
            if left_out and nxt is engine._plain_states.get((role, False)):
                return answer
    return leads[0] if len(leads) == 1 else leads


def nothing_asked(engine: ReachabilityEngine, role: str, state: State | None = None, choiceless: bool = False
                  ) -> bool:
    """Whether :meth:`ReachabilityEngine.sat_leads` asks no carried value of a hop into ``role`` that carries nothing
    before or after it (its early returns: nothing demanded, or no kind demanded of ``role``); with ``choiceless``
    (``SharedSearches.choiceless_leads``) and ``state`` a state carrying nothing, also when the demand's choices for
    the hop are none (:meth:`~trustgraph.queries.demand.SessionDemand.chooses_nothing`: the loop after those early
    returns asks nothing either)."""
    if not engine.demand:
        return True
    kinds = engine.demand_kinds(role)
    if kinds is not None and not kinds:
        return True
    return choiceless and state is not None and len(state) == 2 and engine.chooses_nothing(role)


__all__ = ["MemoRows", "nothing_asked", "row_class_move"]
