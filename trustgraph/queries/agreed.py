"""Many sources' answers for one target put together from one step function: the path-following shared by the two
reverse searches (:mod:`trustgraph.queries.reverse` over role states, :mod:`trustgraph.queries.reverse_carried` over
carried states).

Both know, for every state reached after a source's first hop, the hop the forward search takes from it on its path
to the target (the first successor one hop nearer: a *step*, the same whatever the path before the state). A
source's answer is its first hop followed by the steps from the state it lands in, with the session names of the
hops agreed as :func:`trustgraph.queries.answers.agree_on_session_names` agrees them on a search's record: each pair
of consecutive hops is one :func:`~trustgraph.queries.answers.session_agreement` step, which reads only the two hops
it joins (a note an earlier step puts on a hop changes none of what it reads). So the part of a path after its first
hop, with its steps agreed, is the same for every source whose first hop lands in the same state: :class:`AgreedPaths`
builds it once per state (a *tail*) and a source adds its first hop and the one step joining it to the tail.

Order: the steps a source needs are asked in the order the per-source agreement asks them (the first hop's, then the
later ones along the path), after the whole path is walked, so every hop question is asked in the same order as
before (which of several valid witnesses a hop gets may depend on it, :mod:`trustgraph.queries.hopclass`).

Cost per source: its first hop's step, a walk along the steps up to the first state whose tail is built, and a tuple:
O(1 + new states) instead of O(path) record building and agreement per source.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from trustgraph.queries.answers import noted, session_agreement
from trustgraph.queries.results import HopWitness, ReachResult, reachable_maker

if TYPE_CHECKING:
    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.options import QueryOptions
    from trustgraph.smt.solve import KeyConstraint

#: a state's step: the state the forward search's path goes to next, and the hop's witness (None: no step)
Step = Callable[["State"], "tuple[State, HopWitness] | None"]
#: a tail: the hops from a state to the target with their session names agreed, whether the first of them was
#: replaced by the step after it, the states the hops land in, and the hops' approximations without repeats (in
#: order: what a result lists, :func:`tail_approximations`)
Tail = tuple[tuple[HopWitness, ...], bool, tuple["State", ...], tuple[str, ...]]
#: the tail of a state of the target: no hops
END: Tail = ((), False, (), ())
_END = END
#: the agreement of a hop into the target: nothing to agree
_NO_AGREEMENT: tuple[None, None] = (None, None)


def _released(state: State) -> tuple[State, HopWitness] | None:
    """The step of a released :class:`AgreedPaths` (:meth:`AgreedPaths.release`): asking one is a mistake."""
    raise RuntimeError(f"the reverse search was released: no step for {state!r}")


class AgreedPaths:
    """The agreed tails of the states of one reverse search (see the module docstring), and the answers read off
    them. ``step`` gives a state's step; :meth:`clear` drops the tails when the steps change."""

    def __init__(self, engine: ReachabilityEngine, options: QueryOptions, target: str, step: Step) -> None:
        self.engine = engine
        self.options = options
        self.target = target
        self.step = step
        #: state -> its tail (built by :meth:`_build`, or by a caller that puts a one-step tail together as it does)
        self.tails: dict[State, Tail] = {}
        #: builds a reachable answer as ``ReachResult(...)`` does, without the frozen dataclass's per-field
        #: ``object.__setattr__`` (a hub query builds one per source: ~800 on random:3 at 2,000 roles)
        self._make = reachable_maker()

    def clear(self) -> None:
        """Forget every tail (the steps they were built from changed)."""
        self.tails.clear()

    def release(self) -> None:
        """Drop the step function; nothing is asked of this object afterwards. The step is a bound method of the
        search that owns this object (:class:`~trustgraph.queries.reverse.ReversePaths`), so the two form a
        reference cycle, which only a full collection frees: in a long-lived process every query's distances,
        steps and tails would wait for one (a full collection is rare when millions of objects are long-lived, and
        a query's own objects are old by its end). The query releases it once its answers are built, and its
        structures die with their last reference."""
        self.step = _released

    def result(self, label: str, start: State, extra: tuple[KeyConstraint, ...], landed: State, witness: HopWitness,
               refused: Collection[State] = ()) -> ReachResult | None:
        """The answer of the source ``label`` whose path starts in ``start`` (its node's first-hop constraints
        ``extra``) with the hop ``witness`` into ``landed``, then follows the steps: reachable, with the path's hops
        agreed. None when a step is missing on the way, or the path lands in one of ``refused`` (the forward search
        never visits its start states twice: the caller then searches)."""
        target = self.target
        chain = self._chain(landed)
        if chain is None:
            return None
        if refused:  # the path's states: the chain, the state after it, and that state's tail
            last = chain[-1][1][0] if chain else landed
            after = self.tails[last][2] if last[0] != target else ()
            if last in refused or any(s in refused for s, _ in chain) or any(s in refused for s in after):
                return None
        again = note = None
        if landed[0] != target:
            following = self._taken(landed)[1]
            again, note = session_agreement(self.engine, self.options, start, landed, witness, following, extra)
        self._build(chain)
        tail = self.tails[landed] if landed[0] != target else _END
        hops = join_tail(witness, tail, again, note)
        return self._make(label, target, hops, tail_approximations(hops, tail))

    def own(self, label: str, start: State) -> ReachResult | None:
        """The answer of the source ``label`` whose path is the steps from its start state ``start`` (not a state
        of the target; no first-hop constraints): the state's tail. It is what :meth:`result` gives for the step
        out of ``start``: the hops of a tail are the step's witness joined to the next state's tail by the same
        :func:`~trustgraph.queries.answers.session_agreement` step (with no first-hop constraints), and the steps
        and agreements are asked in the same order (the start's step, the later ones along the path, then the
        agreements in path order). None when a step is missing on the way.

        Cost: a lookup when the state's tail is built (it is for every state on another source's path), and a
        result: no agreement step, no join, per source. The usual source (its start state's step lands in the target
        or in a state whose tail is built) takes that one step without a chain; its approximations are the tail's
        (built from the next state's, :func:`tail_approximations`), not gathered from every hop of its path."""
        tails = self.tails
        tail = tails.get(start)
        if tail is None:
            taken = self.step(start)
            if taken is None:
                return None
            nxt = taken[0]
            if nxt[0] == self.target or nxt in tails:
                self._build([(start, taken)])  # what _chain gives: the step is memoised, asked once
            else:
                chain = self._chain(start)
                if chain is None:
                    return None
                self._build(chain)
            tail = tails[start]
        return self._make(label, self.target, tail[0], tail[3])

    def _chain(self, state: State) -> list[tuple[State, tuple[State, HopWitness]]] | None:
        """The states from ``state`` along the steps that have no tail yet, up to the first that has one or a state
        of the target, each with its step; None when a step is missing."""
        chain: list[tuple[State, tuple[State, HopWitness]]] = []
        target, tails, step = self.target, self.tails, self.step
        while state[0] != target and state not in tails:
            taken = step(state)
            if taken is None:
                return None
            chain.append((state, taken))
            state = taken[0]
        return chain

    def _taken(self, state: State) -> tuple[State, HopWitness]:
        """The step of a state that has one (a state of a chain, or the one after it)."""
        taken = self.step(state)
        assert taken is not None
        return taken

    def _build(self, chain: list[tuple[State, tuple[State, HopWitness]]]) -> None:
        """The tail of every state of ``chain`` (:meth:`_chain`, with the steps it took in path order): the
        agreements asked in path order, then the tails put together from the target back."""
        engine, options, tails, target = self.engine, self.options, self.tails, self.target
        if len(chain) == 1:  # the usual case (a source's own state, its step landing on a built tail): the same, inline
            state, (nxt, witness) = chain[0]
            rest = _END if nxt[0] == target else tails[nxt]
            again, note = _NO_AGREEMENT if nxt[0] == target else session_agreement(
                engine, options, state, nxt, witness, self._taken(nxt)[1], ())
            hops = join_tail(witness, rest, again, note)
            tails[state] = (hops, again is not None, (nxt, *rest[2]), tail_approximations(hops, rest))
            return
        agreed: list[tuple[HopWitness | None, str | None]] = []
        last = len(chain) - 1
        for i, (state, (nxt, witness)) in enumerate(chain):  # the step joining the hop out of each state and the next
            if nxt[0] == target:
                agreed.append(_NO_AGREEMENT)
            else:  # the next state's step: the next in the chain, or one taken before (its tail is built)
                following = chain[i + 1][1][1] if i < last else self._taken(nxt)[1]
                agreed.append(session_agreement(engine, options, state, nxt, witness, following, ()))
        for (state, (nxt, witness)), (again, note) in zip(reversed(chain), reversed(agreed), strict=True):
            rest = tails[nxt] if nxt[0] != target else _END
            hops = join_tail(witness, rest, again, note)
            tails[state] = (hops, again is not None, (nxt, *rest[2]), tail_approximations(hops, rest))


def join_tail(witness: HopWitness, tail: Tail, again: HopWitness | None, note: str | None) -> tuple[HopWitness, ...]:
    """The hop ``witness`` followed by a tail, given the step joining them: ``again`` replaces the hop; ``note`` goes
    on the tail's first hop unless a later step replaced that hop (a replacement drops the notes of the hop it
    replaces, as :func:`~trustgraph.queries.answers.agree_on_session_names` does)."""
    rest, replaced, _, _ = tail
    if not rest:
        return (witness,)
    if again is not None:
        return (again, *rest)
    if note is not None and not replaced:
        return (witness, noted(rest[0], note), *rest[1:])
    return (witness, *rest)


def tail_approximations(hops: tuple[HopWitness, ...], tail: Tail) -> tuple[str, ...]:
    """The approximations of ``hops`` (a hop joined to ``tail`` by :func:`join_tail`) without
    repeats, in order: ``tuple(dict.fromkeys(a for h in hops for a in h.approximations))``, read off the tail's
    own when the hops after the first are the tail's hops unchanged (removing repeats from a concatenation keeps
    the first of each, so the tail's list without repeats stands for its hops)."""
    first = hops[0]
    if len(hops) > 1 and hops[1] is not tail[0][0]:  # the tail's first hop noted: gathered from every hop
        return tuple(dict.fromkeys(a for h in hops for a in h.approximations))
    if not first.approximations:
        return tail[3]
    return tuple(dict.fromkeys((*first.approximations, *tail[3])))


__all__ = ["END", "AgreedPaths", "Step", "Tail", "join_tail", "tail_approximations"]
