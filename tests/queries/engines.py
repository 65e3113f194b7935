"""Two (or more) query engines over one organization compared answer by answer: the loop every fast-path test of the
query layer runs (a twin with the fast path on, one with it off, every role asked from every source under every
option set), written once so that each test says only what it switches and what it counts.

:func:`compare_engines` asks the first engine, then each other one, the same question in the same order (rounds,
then options, then target roles, then sources) and stops at the first answer list that differs, naming the
organization, round, role, source and options and printing the two answers that differ; with ``same_questions`` it
then holds every engine to the first one's hop questions, in the order they were asked (the memos of decided and of
derived hops). A test that shares one solver session between the engines needs that: which of several valid
witnesses a later hop gets depends on the order questions are asked in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest
from twins import twin

from tests.queries.helpers import answer_key
from trustgraph.api import TrustGraph
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach, ReachResult
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import Sat, Unknown

#: The option sets the fast-path tests ask under: none, without sts:ExternalId, and the first hop's action named.
OPTIONS = (QueryOptions(), QueryOptions.make(without=["sts:ExternalId"]), QueryOptions.make(action="sts:AssumeRole"))

#: Every source (the batch loop over the closure's sources), then the outsiders' own.
SOURCES: tuple[str | None, ...] = (None, "external")


def comparable_answer(answer: Any) -> Any:
    """A hop answer as a comparable value: a Sat answer itself (compared field by field) with its request's items in
    order, an Unknown by its reason, an Unsat or derived Unsat by its kind (their cores are computed on demand, by
    asking the solver)."""
    if isinstance(answer, Sat):
        return answer, tuple(answer.request.context.items())
    if isinstance(answer, Unknown):
        return ("unknown", answer.reason)
    return type(answer).__name__



def comparable_moves(shared: Any) -> dict[Any, list[Any]]:
    """The moves of every expansion of ``shared`` (a :class:`~trustgraph.queries.shared.SharedSearches`) as comparable
    values: a move as it is, a Sat move by its answer, kept leads by their answers (:func:`comparable_answer`)."""
    from trustgraph.queries.shared import Move, leads_of

    return {key: [m if m is None or isinstance(m, Move) else ("sat", comparable_answer(m)) if isinstance(m, Sat)
                  else [(s, comparable_answer(a), f) for s, a, f in leads_of(m)] for m in expansion.moves]
            for key, expansion in shared._expansions.items()}


def comparable_memos(engine: Any) -> tuple[Any, ...]:
    """What later questions read of ``engine`` (memoised, derived and filed answers, kept leads) and its counters of
    hops evaluated, answered from a class and sent to the solver, as comparable values."""
    norm = comparable_answer
    return ({k: norm(v) for k, v in engine._memo.items()}, {k: norm(v) for k, v in engine._derived.items()},
            {k: [(c, norm(v)) for c, v in engine.filed(k)] for k in engine._answers},
            {k: [(s, norm(v), f) for s, v, f in vs] for k, vs in engine._leads.items()},
            engine.evaluations, engine.shared, engine.solver_calls)



def assert_searched_alike(fast: Sequence[Any], slow: Sequence[Any]) -> None:
    """Two runs of a test's ``_searched`` (the searches first, each compared on its own so that a difference names
    its search, then what else the run returned) are equal."""
    assert len(fast[0]) == len(slow[0])
    for new, old in zip(fast[0], slow[0], strict=True):
        assert new == old
    assert tuple(fast[1:]) == tuple(slow[1:])


def roles(tg: TrustGraph) -> list[str]:
    """Every role node of ``tg``'s graph, sorted: the targets asked in turn."""
    return sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")


def outsider_searches(ctx: Any, shared: Any, evidence: bool = False) -> list[Any]:
    """Every outsider search of the reach checks (``ctx``: a ``ScanContext``; ``shared``: its ``SharedSearches``)
    under their three options, unconstrained first as a scan prepares them: per search its visits (state, parent,
    path with each witness's request and, with ``evidence``, the evidence's first and third parts, depth), first
    states and undecided hops, for comparing a fast path's searches with the reference's."""
    sources = [(n, False) for n in ctx.outside_account_nodes] + [(m, True) for m in ctx.outsider_members()]
    out: list[Any] = []
    for options in (ctx.options(), ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]}),
                    ctx.options(without=("sts:ExternalId",))):
        for source, outside_only in sources:
            found = shared.search(source, options, outside_only=outside_only)
            out.append(([(s, v.parent, [(w, tuple(w.context.items()))
                                        + ((w.evidence and (w.evidence[0], w.evidence[2]),) if evidence else ())
                                        for w in found.path_to(s)], v.depth) for s, v in found.visits.items()],
                        found.first, found.unknown_edges))
    return out


def make_undecided(tg: TrustGraph, every: int) -> None:
    """Make the hops into every ``every``-th role of ``tg`` (sorted; 0: none) Unknown in its engine, as a z3 timeout
    would: the searches must then carry the undecided hops exactly as the reference does."""
    if not every:
        return
    chosen = set(roles(tg)[::every])
    solve = tg.engine.solve

    def patched(state: Any, role: str, *args: Any, **kwargs: Any) -> Any:
        return Unknown("made undecided") if role in chosen else solve(state, role, *args, **kwargs)

    tg.engine.solve = patched  # type: ignore[method-assign]


def searched_with(tg: TrustGraph, switch: str, fast: bool, undecided: int) -> tuple[list[Any], Any, Any, list[Any]]:
    """Every outsider search under the three options with ``SharedSearches``' switch ``switch`` as ``fast`` says (an
    instance attribute: the class's stays as it is), ``undecided`` as :func:`make_undecided`: the searches, the moves,
    the engine's memos and the hop questions the engine was asked to decide, in order."""
    from trustgraph.checks.context import ScanContext
    from trustgraph.queries.shared import SharedSearches

    make_undecided(tg, undecided)
    ctx = ScanContext(tg)
    shared = SharedSearches(tg.engine)
    setattr(shared, switch, fast)
    asked: list[Any] = []
    engine = tg.engine
    decide = engine.decide

    def recorded(state: Any, role: str, action: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append((state, role, action))
        return decide(state, role, action, *args, **kwargs)

    engine.decide = recorded  # type: ignore[method-assign]
    out = outsider_searches(ctx, shared)
    moves = comparable_moves(shared)
    memos = (*comparable_memos(engine), list(engine._memo), list(engine._derived))
    return out, moves, memos, asked


def undecided(every: int) -> Callable[[TrustGraph], None]:
    """:func:`make_undecided` with ``every`` fixed: a patch to apply to each twin a comparison builds."""

    def patch(tg: TrustGraph) -> None:
        make_undecided(tg, every)

    return patch


def org_of(tg: TrustGraph) -> str:
    """A name for ``tg``'s organization in a failure message: the folder it was loaded from, or (an estate built in
    memory) its accounts."""
    if tg.estate.sources:
        return str(Path(tg.estate.sources[0]).parent)
    return "built estate of accounts " + ", ".join(a.account_id for a in tg.estate.accounts)


def twins(tg: TrustGraph, count: int = 2, *, shared: bool = True,
          solver: SolverOptions | None = None) -> list[TrustGraph]:
    """``count`` fresh engines over ``tg`` (:func:`twins.twin`). ``shared``: they read one solver session (so each
    hop has the same witness in all, as long as they ask the same questions in the same order); otherwise each has a
    session of its own (a fast path that asks fewer hops or in another order: no answer may depend on it). Each
    session is made with ``solver`` (e.g. injected Unknowns)."""
    if shared:
        session = SolverSession(solver)
        return [twin(tg, session) for _ in range(count)]
    return [twin(tg, SolverSession(solver)) for _ in range(count)]


def with_unknowns(tg: TrustGraph, session: SolverSession, hops: set[tuple[str, str]]) -> TrustGraph:
    """A twin reading ``session`` whose engine answers Unknown for the hops (caller node, role) given."""
    out = twin(tg, session)
    solve = out.engine.solve

    def patched(state: Any, role: str, *args: Any, **kwargs: Any) -> Any:
        if (state[0], role) in hops:
            return Unknown("timeout (injected)")
        return solve(state, role, *args, **kwargs)

    out.engine.solve = patched  # type: ignore[method-assign]
    return out


@dataclass
class Compared:
    """What the first engine answered over a comparison (the others answered the same): how many answers of each
    verdict (counted, not kept: a comparison of every role asks for thousands)."""

    verdicts: dict[Reach, int] = field(default_factory=lambda: dict.fromkeys(Reach, 0))

    @property
    def answers(self) -> int:
        """How many answers there were."""
        return sum(self.verdicts.values())

    @property
    def reachable(self) -> int:
        """How many answers were reachable."""
        return self.verdicts[Reach.REACHABLE]

    def count(self, verdict: Reach) -> int:
        """How many answers had ``verdict``."""
        return self.verdicts[verdict]


#: What each item of :func:`result_key` is, for the failure messages.
KEY_FIELDS = ("class", "source", "target", "verdict", "hops", "reason", "approximations", "witness requests")


def result_key(r: ReachResult) -> tuple[Any, ...]:
    """An answer as one comparable value: its class and every field (:func:`helpers.answer_key`, each hop's witness
    request included), in the order of :data:`KEY_FIELDS`."""
    return (type(r), *answer_key(r))


def _short(value: Any, width: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= width else text[:width] + " ..."


def _differences(a: Any, b: Any, path: str, out: list[str], limit: int = 6) -> None:
    """Where two values differ, as paths to the smallest parts that differ (dataclass fields that compare, mapping
    keys, tuple items), each with both values, at most ``limit`` of them."""
    if len(out) >= limit or a == b:
        return
    if type(a) is type(b) and is_dataclass(a) and not isinstance(a, type):
        for f in fields(a):
            if f.compare:
                _differences(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}", out, limit)
    elif isinstance(a, Mapping) and isinstance(b, Mapping):
        for k in sorted(set(a) | set(b), key=repr):
            _differences(a.get(k, "<absent>"), b.get(k, "<absent>"), f"{path}[{k!r}]", out, limit)
    elif isinstance(a, tuple | list) and isinstance(b, tuple | list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _differences(x, y, f"{path}[{i}]", out, limit)
    else:
        out.append(f"{path}: {_short(a)} against {_short(b)}")


def describe(r: ReachResult) -> str:
    """One line for an answer: class, source, target, verdict, the path's roles, reason and approximations."""
    path = " -> ".join(h.target for h in r.hops)
    return (f"{type(r).__name__} {r.source} => {r.target}: {r.verdict.value}, path [{path}], reason {r.reason!r},"
            f" approximations {r.approximations!r}")


def answers_differ(left_answers: Iterable[ReachResult], right_answers: Iterable[ReachResult],
                   labels: tuple[str, str], left_keys: list[tuple[Any, ...]] | None = None,
                   key: Callable[[ReachResult], tuple[Any, ...]] | None = None) -> str | None:
    """Where two answer lists first differ (:func:`result_key`; ``left_keys``: the left one's keys, made already),
    or None when they are equal: the position, both answers in a line each, and the parts of them that differ
    (witness contexts by key)."""
    left, right = list(left_answers), list(right_answers)
    key = key or result_key
    keys = (left_keys if left_keys is not None else [key(r) for r in left]), [key(r) for r in right]
    if keys[0] == keys[1]:
        return None
    i = next((i for i, (a, b) in enumerate(zip(*keys, strict=False)) if a != b), min(len(left), len(right)))
    head = f"answer {i} (of {len(left)} from {labels[0]!r}, {len(right)} from {labels[1]!r})"
    if i >= len(left) or i >= len(right):
        only, label = (left[i], labels[0]) if i < len(left) else (right[i], labels[1])
        return f"{head}: only {label!r} gives\n  {describe(only)}"
    parts: list[str] = []
    for name, a, b in zip(KEY_FIELDS, keys[0][i], keys[1][i], strict=True):
        _differences(a, b, name, parts)
    parts = parts or [f"{_short(keys[0][i], 600)} against {_short(keys[1][i], 600)}"]
    width = max(len(label) for label in labels) + 1
    return (f"{head}:\n  {labels[0] + ':':<{width}} {describe(left[i])}\n  {labels[1] + ':':<{width}} "
            f"{describe(right[i])}\n  differing parts:\n    " + "\n    ".join(parts))


def first_difference(left: Sequence[Any], right: Sequence[Any]) -> str | None:
    """Where two sequences first differ, with the parts of the two items that differ (or the item only one has), or
    None when they are equal."""
    for i, (a, b) in enumerate(zip(left, right, strict=False)):
        if a != b:
            parts: list[str] = []
            _differences(a, b, f"[{i}]", parts)
            parts = parts or [f"{_short(a)} against {_short(b)}"]
            return f"item {i} (of {len(left)} and {len(right)}): " + "; ".join(parts)
    if len(left) != len(right):
        i = min(len(left), len(right))
        return f"lengths {len(left)} and {len(right)}; item {i}: {_short(left[i] if len(left) > i else right[i], 600)}"
    return None


def scan_findings(tg: TrustGraph) -> list[dict[str, Any]]:
    """Every check's findings of a scan of ``tg``, witnesses included, as plain values in the report's order."""
    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.registry import CHECKS
    from trustgraph.checks.runner import finding_to_plain, run_checks

    return [finding_to_plain(f) for f in run_checks(ScanContext(tg), CHECKS).findings]


def same_scans(org: str, tg: TrustGraph, *switches: tuple[object, str]) -> None:
    """A scan on a fresh engine over ``tg`` with every switch as it is, and one with each of ``switches`` (a class and
    the name of its switch) set False: some findings, and the same findings in the same order, witnesses included;
    else an :class:`AssertionError` naming ``org``, the switches and the first finding that differs."""
    fast = scan_findings(twin(tg))
    with pytest.MonkeyPatch.context() as mp:
        for owner, name in switches:
            mp.setattr(owner, name, False)
        slow = scan_findings(twin(tg))
    off = ", ".join(f"{getattr(owner, '__name__', owner)}.{name}" for owner, name in switches)
    assert fast, f"a scan of org {org} finds nothing: the comparison with {off} off would mean nothing"
    where = first_difference(fast, slow)
    if where is not None:
        raise AssertionError(f"the scans of org {org} differ with {off} off: {where}")


def compare_engines(org: str, engines: Mapping[str, TrustGraph], *, options: Sequence[QueryOptions] = OPTIONS,
                    sources: Sequence[str | None] = SOURCES, targets: Iterable[str] | None = None, rounds: int = 1,
                    same_questions: bool = False, each: Callable[[ReachResult], object] | None = None,
                    key: Callable[[ReachResult], tuple[Any, ...]] | None = None) -> Compared:
    """Every target (default: every role of the first engine's graph, :func:`roles`) asked ``query(source, target,
    options)`` from each of ``sources`` under each of ``options``, ``rounds`` times over, by each engine in the order
    of ``engines`` (label: engine; the first is the one the others are held to). Raises :class:`AssertionError` at
    the first answer list of another engine that differs from the first's (:func:`result_key`: class and every
    field, witness contexts included), naming ``org``, both engines, the round, role, source and options and
    printing the first answers that differ. With ``same_questions``, afterwards every engine's memos of decided and
    of derived hops must hold the same questions in the same order as the first's. ``each`` is called with every
    answer of the first engine once it is compared. ``key`` (default :func:`result_key`): what of an answer is
    compared, for a fast path that may word a reason otherwise. Returns how many answers of each verdict the first
    gave."""
    (first_label, first), *others = engines.items()
    asked = list(targets) if targets is not None else roles(first)
    compared = Compared()
    verdicts = compared.verdicts
    for round_ in range(rounds):
        for option in options:
            for target in asked:
                for source in sources:
                    found = first.query(source, target, option)
                    expected = [(key or result_key)(r) for r in found]
                    for label, other in others:
                        where = answers_differ(found, other.query(source, target, option), (first_label, label),
                                               expected, key)
                        if where is not None:
                            raise AssertionError(
                                f"{first_label!r} and {label!r} answer differently on org {org}, round {round_ + 1}"
                                f" of {rounds}, role {target}, source {source!r}, options {option!r}: {where}")
                    for r in found:
                        verdicts[r.verdict] += 1
                        if each is not None:
                            each(r)
    if same_questions:
        for label, other in others:
            for memo in ("_memo", "_derived"):
                where = first_difference(list(getattr(first.engine, memo)), list(getattr(other.engine, memo)))
                if where is not None:
                    raise AssertionError(f"{first_label!r} and {label!r} asked different hop questions on org {org}"
                                         f" (engine.{memo}, in the order asked): {where}")
    return compared


def refutations_each_its_own(scanned: TrustGraph) -> dict[tuple[object, ...], bool]:
    """Scan ``scanned`` recording every hop its engine tested for a fixed-value refutation, and check each verdict
    equals the hop's own :func:`~trustgraph.queries.fixed.fixed_refutes` (False for a caller that is not concrete).
    Returns the verdicts by (state, role, action)."""
    from trustgraph.queries.fixed import fixed_refutes
    from trustgraph.semantics.request import Caller

    engine = scanned.engine
    tested: dict[tuple[object, ...], bool] = {}
    shared = engine.fixed_refutes

    def recorded(state: object, role: str, action: object) -> bool:
        hit = tested[(state, role, action)] = shared(state, role, action)  # type: ignore[arg-type]
        return hit

    engine.fixed_refutes = recorded  # type: ignore[method-assign,assignment]
    scan_findings(scanned)
    for (state, role, action), refuted in tested.items():
        caller = engine.caller(*state)  # type: ignore[misc]
        own = isinstance(caller, Caller) and fixed_refutes(caller, engine.target(role), action,  # type: ignore[arg-type]
                                                           engine.now_ms)
        assert refuted is own, (state, role, action)
    return tested
