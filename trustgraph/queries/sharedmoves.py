"""What the shared forward searches (:mod:`trustgraph.queries.shared`) keep per candidate hop and per search: a
hop's *move* (:data:`Leads`, :data:`Lead`, a Sat move, :class:`Move`), a state's :class:`Expansion` (its candidate
hops with a slot for each move), and a search's :class:`SharedOutcome` (answers kept, witnesses built when a path is
read). Apart from the searches themselves so that the walk (:mod:`trustgraph.queries.replay`), the one-step deciders
(:mod:`trustgraph.queries.classmoves`, :mod:`trustgraph.queries.memorows`) and the owner of the expansions
(:class:`~trustgraph.queries.shared.SharedSearches`) read one definition."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trustgraph.queries.engine import SearchOutcome
from trustgraph.semantics.request import Action

if TYPE_CHECKING:
    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.results import HopWitness
    from trustgraph.smt.solve import KeyConstraint, Sat


#: the move of a Sat hop: the states it leads to with the Sat answer of each (their witnesses are built when a path
#: is read) and whether a search that reached the state already leaves it out; the tuple
#: :meth:`~trustgraph.queries.engine.ReachabilityEngine.sat_leads` makes (``keep=False``: kept here only, not also in
#: the engine's memo of leads), never empty, kept as the hop's move itself (the hop's role and action are the
#: expansion's): a vendor-heavy scan decides ~420,000 of them at 20,000 roles
Leads = tuple[tuple["State", "Sat", bool], ...]
#: one lead (state, Sat answer, left out when reached): the move of a Sat hop that leads to one state only (nearly every
#: hop: a plain session's), kept bare instead of in a :data:`Leads` of one (:func:`compact`: 48 bytes less a hop)
Lead = tuple["State", "Sat", bool]
#: (a *Sat move*: the move of a Sat hop whose one lead is the plain state of the hop's role, ``engine._plain_states``,
#: not left out, is its Sat answer itself with ``SharedSearches.bare_moves``, made by :func:`~trustgraph.queries.
#: classmoves.class_move` and :meth:`SharedSearches.move`: a :data:`Lead` less per hop; at 2,000 roles of the
#: vendor-heavy profile 17,119 Sat moves, 56 hops with several leads and no bare one)


def compact(leads: Leads) -> Leads | Lead:
    """The move kept for a Sat hop's ``leads``: the one lead itself when there is one (:data:`Lead`), else the
    leads. A bare lead is told from leads by its last item, a bool (a lead's last item is a lead): :func:`leads_of`."""
    return leads[0] if len(leads) == 1 else leads


def leads_of(move: Leads | Lead) -> Leads:
    """The leads of a Sat hop's move (:func:`compact`'s inverse; a Sat move, :data:`Lead`, is read by
    :meth:`Replay.advance` alone)."""
    return (move,) if isinstance(move[-1], bool) else move



@dataclass(frozen=True, slots=True)
class Move:
    """The move of a hop that is not Sat: undecided (``unknown``: the reason) or, as :data:`BLOCKED`, blocked. A Sat
    hop's move is its :data:`Leads` (``leads_to`` is empty here; kept for the reference's shape)."""

    role: str
    action: Action
    leads_to: Leads = ()
    unknown: str | None = None


#: the move of a blocked hop (Unsat)
BLOCKED = Move("", Action.ASSUME_ROLE)


@dataclass
class SharedOutcome(SearchOutcome):
    """A :class:`SearchOutcome` of :meth:`SharedSearches.search`: each state reached by a hop keeps the hop's action
    and Sat answer (``answers``) instead of its witness (``Visit.witness`` is None), and :meth:`path_to` builds the
    witnesses of the path it returns, those the reference search would have recorded."""

    engine: ReachabilityEngine | None = None
    answers: dict[State, tuple[Action, Sat]] = field(default_factory=dict)

    def path_to(self, state: State) -> tuple[HopWitness, ...]:
        """The hops from the source to ``state``, each hop's witness built by the engine (kept there)."""
        assert self.engine is not None
        hops: list[HopWitness] = []
        cur: State | None = state
        while cur is not None:
            parent = self.visits[cur].parent
            if parent is not None:
                action, answer = self.answers[cur]
                hops.append(self.engine.witness(parent, cur[0], action, answer))
            cur = parent
        return tuple(reversed(hops))

    def evidence_to(self, state: State) -> tuple[tuple[str | None, Any, Any], ...]:
        """:meth:`SearchOutcome.evidence_to` read off the hops' answers (no witness built)."""
        steps: list[tuple[str | None, Any, Any]] = []
        cur: State | None = state
        while cur is not None:
            parent = self.visits[cur].parent
            if parent is not None:
                answer = self.answers[cur][1]
                steps.append((None, answer.caller, answer.request))
            cur = parent
        return tuple(reversed(steps))


#: a plain session's hops as the tuples they are joined from, each with the index of its first hop in the joined tuple
Parts = tuple[tuple[int, tuple[tuple[str, Action], ...]], ...]


@dataclass(slots=True)
class Expansion:
    """A state's candidate hops (role, action) in the reference's order, the constraints of each, whether the state
    is a role session carrying nothing (whose search skips the roles it already holds a plain session of), and each
    hop's move once decided (None: not yet)."""

    plain: bool
    hops: tuple[tuple[str, Action], ...]
    moves: list[Leads | Lead | Sat | Move | None]
    extra: tuple[KeyConstraint, ...]
    #: the indexes of the hops not known to be blocked, in order (all of them until one is: a range, not a list; then
    #: an array of 4-byte numbers, not a list of int objects: a hub state's hundreds of indexes are not small ints)
    live: range | array[int]
    #: the moves of the same state's expansion under the options without their absent and not-like keys, when
    #: these options have some and that expansion was made first (:meth:`SharedSearches._link_base`)
    base: list[Leads | Lead | Sat | Move | None] | None = None
    #: what :meth:`SharedSearches._base_sat` reads of the state and the options for every hop alike, worked out once
    #: (:meth:`SharedSearches._base_checks`; ``SharedSearches.base_checks``)
    checks: BaseChecks | None = None
    #: a plain session's hops as the lists they are joined from (:meth:`SharedSearches._plain_parts`: its own edges,
    #: then each hub's tuple, shared by the hub's members), each with the index of its first hop in :attr:`hops`;
    #: None: not listed from parts (:attr:`SharedSearches.part_walks`)
    parts: Parts | None = None


@dataclass(frozen=True, slots=True)
class BaseChecks:
    """The parts of :meth:`SharedSearches._base_sat`'s test that are the same for every hop of one expansion (one
    state, options and constraints): its hops' constraints (the engine's tuple), whether they contradict each other,
    whether one makes a key absent (else :meth:`~trustgraph.queries.engine.ReachabilityEngine._absent_blocks` is
    False), whether the engine may ask for the other MFA outcome of some hop of the state
    (:meth:`~trustgraph.queries.engine.ReachabilityEngine.flips_mfa` without a role: False makes it False for every
    role) and whether carried values are demanded at all (then the hop's role is asked, ``engine.asks_carried``)."""

    constraints: tuple[KeyConstraint, ...]
    contradicts: bool
    absent: bool
    may_flip: bool
    demand: bool



__all__ = ["BLOCKED", "BaseChecks", "Expansion", "Lead", "Leads", "Move", "Parts", "SharedOutcome", "compact",
           "leads_of"]
