"""A plain role session's hop answered by its class, decided and filed in one step: what
:meth:`~trustgraph.queries.shared.SharedSearches.move` does through the engine's general path, for the hops that
path answers from a class (:meth:`~trustgraph.queries.evalclass.EvaluatedClasses.class_answer`).

A role session carrying nothing whose identity policy allows ``sts:AssumeRole`` on ``*`` has a hop to every role
trusting its account or its organization (a hub): at 20,000 roles of the vendor-heavy profile ~158,000 such hops
over ~5,800 sessions, which fall into ~5,000 (class, role) keys. For each, the engine's
:meth:`~trustgraph.queries.engine.ReachabilityEngine.decide` looks the hop up in its memos, reads the constraints,
walks the hops related to it, asks the class, files the answer; then
:meth:`~trustgraph.queries.engine.ReachabilityEngine.sat_leads` settles carried values, works out the next state,
whether the other MFA outcome is asked and what carried values are demanded. For such a hop the answers are known
before asking: the session is a role (no related outside-account hop), it carries nothing and nothing is demanded
(the expansion is plain), and a class's answer is an exact ALLOW whose request sets no source identity or
transitive tags, so it leads to one plain state only. :func:`class_move` checks exactly those conditions and, when
they hold, makes the engine's memo and filed answer and the move's leads as the general path makes them (the same
objects in the same places; the leads are the move's, not kept in the engine's memo of leads, as
:meth:`SharedSearches.move` keeps them); otherwise it answers None and the general path decides the hop.

Switches: ``SharedSearches.class_moves`` (False: every hop through :meth:`SharedSearches.move`, the reference);
``SharedSearches.bare_moves`` (True: the move of such a hop is its Sat answer itself, a *Sat move*, which the search
reads as the one lead to the plain state of the hop's role; False: that lead, the reference);
``tests/queries/test_class_moves.py`` compares the engine's memos, filed answers, leads, moves and the searches
with the switches on and off.

A role node's state that is not a plain session (it carries transitive tags or a source identity, or it carries
nothing but some hop from it is asked with a carried value: ``engine.plain_session`` is False) is decided the same
way (``SharedSearches.wide_class_moves``; False: through :meth:`SharedSearches.move`, the reference;
``tests/queries/test_wide_class_moves.py``): for a role node the engine's decision does not depend on the state being
plain (its only related hop is itself; the refutation test, then the class), so the one step makes the engine's
answer, and a hop the fixed values refute is filed as ``decide`` files its derived Unsat and answered ``BLOCKED``;
only the leads differ, through :meth:`ReachabilityEngine.sat_leads` unless no carried value is asked of the hop's
role either (:func:`~trustgraph.queries.memorows.nothing_asked`). random-5 at 2,000 roles: 45,912 such hops
answered by their class and 55,876 refuted, --jobs 1 scan: SharedSearches.decide_slot 4.82-4.85 s -> 4.23-4.43 s
CPU (19 us a class answer, 13 us a refutation, against ~28 and ~17 us through ``decide``).

Cost per hop: the class key (:meth:`~trustgraph.queries.evalclass.EvaluatedClasses.answer_of_class`: lookups), the
carried-over answer (one ``Sat``; a ``Decision`` and its statements unless the caller's statements are the class's
first member's own objects, ``EvaluatedClasses.shared_parts``, made when first read, ``lazy_decisions``; the request
once per caller and class choices), three
dictionary writes and the move. Memory per hop kept: the memo key and entry, the hop key and its filed (constraint
set, answer) pair, the ``Sat`` (with a decision of its own for ~half of them at 2,000 roles of the vendor-heavy
profile: 3,559 decisions for 6,865 Sat answers, 6,865 before) and the move slot; no lead tuple (a Sat move: ~64 bytes
less a hop).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trustgraph.queries.memorows import MemoRows, nothing_asked, row_class_move
from trustgraph.queries.sharedmoves import BLOCKED, Move
from trustgraph.semantics.request import Caller, CallerKind

if TYPE_CHECKING:
    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.options import QueryOptions
    from trustgraph.queries.sharedmoves import Lead, Leads
    from trustgraph.semantics.request import Action
    from trustgraph.smt.solve import KeyConstraint, Sat


def class_move(engine: ReachabilityEngine, state: State, role: str, action: Action, options: QueryOptions,
               extra: tuple[KeyConstraint, ...], bare: bool = False, rows: MemoRows | None = None,
               plain: bool = True, choiceless: bool = False) -> Leads | Lead | Sat | Move | None:
    """The move of a plain role session's hop (``state`` a role node's state carrying nothing, nothing demanded)
    that the engine would answer from the hop's class, made as :meth:`SharedSearches.move` makes it, with the
    engine's memos filled as :meth:`ReachabilityEngine.decide` and :meth:`ReachabilityEngine.sat_leads` fill them;
    None (nothing changed) when another answer might apply: the general path then decides the hop. With ``bare``,
    a hop whose one lead is the plain state of ``role`` (``engine._plain_states``), not left out, has its Sat answer
    itself as its move (a Sat move: :data:`~trustgraph.queries.shared.Lead`) instead of the lead (a tuple less a
    hop). ``rows``: the engine's memo rows of ``state`` under these options and ``extra``
    (``SharedSearches.memo_rows``), on which :func:`~trustgraph.queries.memorows.row_class_move` makes the same
    tests and writes. With the engine's ``refute_first``, a hop the refutation test rules out is filed as ``decide``
    files its derived Unsat and answered :data:`~trustgraph.queries.sharedmoves.BLOCKED` (what :meth:`SharedSearches.
    move` makes of it after ``decide``), plain or not.

    ``plain`` False (``SharedSearches.wide_class_moves``): ``state`` is a role node's state that is not a plain
    session (it carries a source identity or transitive tags, or carries nothing but some hop from it is asked with a
    carried value): the same decision as :meth:`ReachabilityEngine.decide`'s for it (a role node's only related hop
    is itself; the refutation test first, as ``decide`` asks it with ``refute_first``), a hop it refutes filed
    as ``decide`` files it and answered :data:`~trustgraph.queries.sharedmoves.BLOCKED`; a Sat answer's leads through
    :meth:`ReachabilityEngine.sat_leads` unless nothing is asked after the hop either (no carried value demanded
    of ``role``: ``engine.demand_kinds(role)`` empty), when they are the plain lead as for a plain session.

    ``choiceless`` (``SharedSearches.choiceless_leads``): such a hop of a state carrying nothing whose witness sets
    nothing also has the plain lead when the demand's choices for ``role`` are none
    (:meth:`~trustgraph.queries.demand.SessionDemand.chooses_nothing`: the role's trust policy may allow neither
    sts:SetSourceIdentity nor sts:TagSession for the kinds read after it), which is what ``sat_leads`` gives it
    after asking those choices (no other MFA outcome, nothing settled, no carried value chosen)."""
    if rows is not None:
        return row_class_move(rows, role, action, (role, action), bare, plain, choiceless)
    opts = engine.session.options
    if not (opts.derived_answers and opts.evaluation and opts.hop_classes):
        return None
    key = (state, role, action, options, extra)
    if key in engine._memo or key in engine._derived:
        return None
    constraints, contradicts = engine._constraints_of(options, extra)
    hop = (state, role, action, options.closed)
    # decide's order: a contradiction or a key made absent that the trust policy needs is a derived Unsat; an answer
    # under other constraints (a role node's only related hop is itself) is read before the class
    if contradicts or hop in engine._answers or engine._absent_blocks(role, action, constraints):
        return None
    caller = engine.caller(*state)
    if not isinstance(caller, Caller):
        return None
    if engine.refute_first and engine.refuted_first(state, role, action):
        from trustgraph.queries.derived import DerivedUnsat  # decide's derived Unsat, filed and counted as there

        engine.shared += 1
        engine._derived[key] = DerivedUnsat(engine, key)
        return BLOCKED
    classed = engine.evaluated.answer_of_class(state, caller, engine.target(role), action, constraints,
                                               options.closed, engine.now_ms)
    if classed is None:
        return None
    engine.evaluations += 1
    engine._memo[key] = classed
    engine._file_answer(hop, constraints, classed)
    leads = engine._leads.get(key)
    if leads is None:
        request = classed.request.context
        if not ("sts:sourceidentity" in request or "sts:transitivetagkeys" in request
                or classed.caller.source_identity is not None or classed.caller.transitive_tags
                or classed.caller.kind is CallerKind.IAM_USER or engine.flips_mfa(state[0], action, role)
                or not (plain or nothing_asked(engine, role, state, choiceless))):
            # _settle_carried: nothing set; next_state: a plain state without MFA (not a user's hop); no other MFA
            # outcome; nothing carried before or after and nothing demanded (a plain expansion): no carried choice
            own = (role, False)
            engine._plain_states.setdefault(own, own)
            # one lead, to the plain state of the role, not left out: the Sat answer itself is the move (a Sat move)
            return classed if bare else (engine._plain_states[own], classed, True)
        leads = engine.sat_leads(state, role, action, options, extra, classed, keep=False)
        if bare and not plain and len(leads) == 1:  # as SharedSearches.move keeps it: a Sat move
            nxt, answer, left_out = leads[0]
            if left_out and nxt is engine._plain_states.get((role, False)):
                return answer
    return leads[0] if len(leads) == 1 else leads  # as queries.shared.compact keeps a move


__all__ = ["class_move"]
