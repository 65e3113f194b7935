"""Typed answers of reachability queries: a verdict, a path of witnessed hops, or the reason there is none."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any

from trustgraph.model.location import Location


def export_locations(statements: Iterable[Any]) -> tuple[Location, ...]:
    """The locations of statements that come from the loaded exports (not the allow-all identity policy a witness
    gives a synthesized outsider)."""
    return tuple(st.location for st in statements if not st.location.file.startswith("<"))


class Reach(Enum):
    """The three answers; unknown is never folded into either of the others."""

    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class HopWitness:
    """One hop of a path: who called, which role, which action, and the concrete request context that gets through.

    ``context`` maps condition keys (as AWS spells them) to their values; single-valued keys have one value.
    ``statements`` locate the trust/identity statements that allowed the hop. ``caller`` names the principal that
    made the call: the session ARN of a role session (with the session name the witness used), a user's ARN, or the
    provider or service. A privilege-escalation hop
    (``--via all``) carries its ``method`` id (pathfinding.cloud) and ``calls``: (action, resource, context) of
    each API call, each a replayed witness; its ``action`` joins the calls' actions with ``+`` and ``context`` is
    the first call's.
    """

    source: str
    target: str
    action: str
    caller: str | None = None
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    statements: tuple[Location, ...] = ()
    approximations: tuple[str, ...] = ()
    evidence: Any = field(default=None, compare=False, repr=False)  # (Caller, Target, Request) for replay
    method: str | None = None
    calls: tuple[tuple[str, str, Mapping[str, tuple[str, ...]]], ...] = ()

    def __post_init__(self) -> None:
        # a read-only mapping is kept as given (its maker keeps its dictionary unchanged): the witnesses of the many
        # hops that make the same request share one (ReachabilityEngine.witness)
        if type(self.context) is not MappingProxyType:
            object.__setattr__(self, "context", MappingProxyType(dict(self.context)))

    def replay(self) -> Any:
        """Evaluate this hop's concrete caller, role and request again with the reference evaluator (a Decision;
        for an escalation hop, the decision of its last call)."""
        from trustgraph.semantics.evaluate import evaluate_hop

        if self.method is not None:
            from trustgraph.semantics.permissions import evaluate_permission

            decision = None
            for caller, action, resource, context in self.evidence:
                decision = evaluate_permission(caller, action, resource, context)
                if not decision.allowed:
                    return decision
            return decision
        caller, target, request = self.evidence
        return evaluate_hop(caller, target, request)

    def context_json(self) -> dict[str, object]:
        """The context with single values unwrapped, ready for JSON."""
        return {k: (v[0] if len(v) == 1 else list(v)) for k, v in self.context.items()}

    def to_frame(self) -> Any:
        """The witness context as a pandas DataFrame, one row per key (:func:`trustgraph.queries.frames.hop_frame`;
        the notebook's HTML display is :func:`trustgraph.render.notebook.hop_html`)."""
        from trustgraph.queries.frames import hop_frame

        return hop_frame(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReachResult:
    """The answer for one (source, target) pair."""

    source: str
    target: str
    verdict: Reach
    hops: tuple[HopWitness, ...] = ()
    reason: str | None = None
    approximations: tuple[str, ...] = ()

    @property
    def approximate(self) -> bool:
        """True when any hop's answer rests on an over-approximation."""
        return bool(self.approximations) or any(h.approximations for h in self.hops)

    def to_frame(self) -> Any:
        """The path as a pandas DataFrame, one row per hop (:func:`trustgraph.queries.frames.result_frame`; the
        notebook's HTML display is :func:`trustgraph.render.notebook.result_html`)."""
        from trustgraph.queries.frames import result_frame

        return result_frame(self)


def reachable_maker() -> Callable[[str, str, tuple[HopWitness, ...], tuple[str, ...]], ReachResult]:
    """A function ``make(source, target, hops, approximations)`` that gives ``ReachResult(source=source,
    target=target, verdict=Reach.REACHABLE, hops=hops, approximations=approximations)``, built as the dataclass's own
    ``__init__`` builds it (a new instance, each slot set) without its per-field ``object.__setattr__`` calls: a query
    from every source of a hub role builds thousands of answers, and the generated initializer of a frozen dataclass
    with slots costs about three times as much. The value is the same (``tests/queries/test_batch_answers.py``)."""
    new = ReachResult.__new__
    slots = ReachResult.__dict__
    set_source = slots["source"].__set__
    set_target = slots["target"].__set__
    set_verdict = slots["verdict"].__set__
    set_hops = slots["hops"].__set__
    set_reason = slots["reason"].__set__
    set_approximations = slots["approximations"].__set__
    reachable = Reach.REACHABLE

    def make(source: str, target: str, hops: tuple[HopWitness, ...], approximations: tuple[str, ...]) -> ReachResult:
        made: ReachResult = new(ReachResult)
        set_source(made, source)
        set_target(made, target)
        set_verdict(made, reachable)
        set_hops(made, hops)
        set_reason(made, None)
        set_approximations(made, approximations)
        return made

    return make


def path_of(hops: Sequence[HopWitness]) -> str:
    """``source -> role -> role`` with short labels; empty without hops."""
    from trustgraph.graph.nodes import short_label

    if not hops:
        return ""
    return " -> ".join([short_label(hops[0].source), *(short_label(h.target) for h in hops)])
