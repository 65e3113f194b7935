"""A plain role session's hop answered by its class in one step (``queries.classmoves.class_move``,
``SharedSearches.class_moves``) and a class's answer carried over with its request made once per (caller, class
choices) (``EvaluatedClasses.lean_carry``), with the parts that repeat shared (``EvaluatedClasses.shared_parts``: a
class's decision for the callers whose statements are its first member's, the principal keys' values across callers)
against their references (every hop through ``SharedSearches.move``, every request built item by item, every answer
with a decision and values of its own): the engine must hold the same memoised answers, filed answers (same
constraint sets, same order) and kept leads, the same moves (a Sat hop's leads), the searches the same states,
parents, paths and undecided hops, and a scan the same findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org
from twins import twin

from tests.queries.engines import comparable_answer as _norm
from tests.queries.engines import same_scans
from trustgraph.api import TrustGraph
from trustgraph.checks.context import ScanContext
from trustgraph.queries import shared as shared_module
from trustgraph.queries.evalclass import EvaluatedClasses
from trustgraph.queries.hopclass import trust_statements
from trustgraph.queries.shared import SharedSearches
from trustgraph.smt.solve import Sat


def _searched(tg: TrustGraph, class_moves: bool, lean_carry: bool, shared_parts: bool = True,
              bare_moves: bool = True, packed_contexts: bool = True) -> tuple[list[Any], Any, int, int]:
    """Every outsider search of the reach checks under their three options, with the switches as given: each
    search's states (parent, path witnesses, depth), first states and undecided hops; the engine; the number of hops
    the one-step path answered, and of those kept as Sat moves."""
    ctx = ScanContext(tg)
    shared = SharedSearches(tg.engine)
    shared.class_moves = class_moves
    shared.bare_moves = bare_moves
    tg.engine.evaluated.lean_carry = lean_carry
    tg.engine.evaluated.shared_parts = shared_parts
    tg.engine.evaluated.packed_contexts = packed_contexts
    answered = bare = 0
    real = shared_module.class_move

    def counted(*args: Any) -> Any:
        nonlocal answered, bare
        move = real(*args)
        answered += move is not None and move is not shared_module.BLOCKED  # a refuted hop: no class answer
        bare += isinstance(move, Sat)
        return move

    sources = [(n, False) for n in ctx.outside_account_nodes] + [(m, True) for m in ctx.outsider_members()]
    out: list[Any] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(shared_module, "class_move", counted)
        for options in (
            ctx.options(),
            ctx.options(without=("sts:ExternalId",)),
            ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]}),
        ):
            for source, outside_only in sources:
                found = shared.search(source, options, outside_only=outside_only)
                out.append(([(s, v.parent, found.path_to(s), v.depth) for s, v in found.visits.items()],
                            found.first, found.unknown_edges))
    out.append(_moves(shared))
    return out, tg.engine, answered, bare


def _moves(shared: SharedSearches) -> dict[Any, list[Any]]:
    """Each expanded state's decided moves (the leads of a Sat hop, kept there and not in the engine's memo of leads,
    ``ReachabilityEngine.sat_leads(keep=False)``), as comparable values: a Sat move (``SharedSearches.bare_moves``)
    as the one lead it stands for, to the plain state of the hop's role, not left out."""
    plain = shared.engine._plain_states
    return {key: [m if m is None or isinstance(m, shared_module.Move)
                  else (bool, [(plain[(role, False)], _norm(m), True)]) if isinstance(m, Sat)
                  else (type(m[-1]), [(s, _norm(a), f) for s, a, f in shared_module.leads_of(m)])
                  for (role, _), m in zip(expansion.hops, expansion.moves, strict=True)]
            for key, expansion in shared._expansions.items()}




def _engine_state(engine: Any) -> tuple[Any, ...]:
    """What later questions read of the engine: memoised and derived answers, the answers filed per hop in order
    (with their constraint sets), the kept leads, and the counters of hops evaluated, answered from a class and sent
    to the solver."""
    return ({k: _norm(v) for k, v in engine._memo.items()}, {k: _norm(v) for k, v in engine._derived.items()},
            {k: [(c, _norm(v)) for c, v in engine.filed(k)] for k in engine._answers},
            {k: [(s, _norm(v), f) for s, v, f in vs] for k, vs in engine._leads.items()},
            engine.evaluations, engine.evaluated.hits, engine.solver_calls)


ORGS = [
    ("example", 0),
    ("sample", 0),
    ("vendor-heavy", 1),
    ("vendor-heavy", 3),
    ("federation-heavy", 1),
    ("federation-heavy", 2),
    ("mix", 1),
    ("chain-heavy", 3),
    ("random", 2),
    ("random", 5),
]


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_class_moves_equal_the_engine_path(name: str, seed: int, tmp_path: Path) -> None:
    """Same searches and the same engine memos with the one-step path and lean carry-over as through the engine's
    general path with every request built item by item; on the hub-heavy profiles the one-step path answers hops."""
    tg = small_org(name, seed, tmp_path)
    fast, fast_engine, answered, bare = _searched(tg, True, True)
    slow, slow_engine, none, _ = _searched(twin(tg), False, False, False, False, False)
    assert none == 0
    assert slow_engine.evaluated.shared_decisions == 0
    assert len(fast) == len(slow)
    for new, old in zip(fast, slow, strict=True):
        assert new == old
    assert _engine_state(fast_engine) == _engine_state(slow_engine)
    if name in ("vendor-heavy", "federation-heavy"):
        assert answered > 0
        assert answered <= fast_engine.evaluated.hits
        assert 0 < bare <= answered  # the one-step path kept Sat answers as moves


@pytest.mark.parametrize(("class_moves", "lean_carry", "shared_parts", "bare_moves", "packed_contexts"),
                         [(True, False, False, False, False), (False, True, False, False, False),
                          (False, False, True, False, False), (True, False, False, True, False),
                          (False, False, False, True, False), (False, True, False, False, True)])
def test_each_switch_alone(class_moves: bool, lean_carry: bool, shared_parts: bool, bare_moves: bool,
                           packed_contexts: bool, tmp_path: Path) -> None:
    """Each switch alone (packed contexts are made with lean carry-over only) gives the reference's searches and
    engine memos."""
    tg = small_org("vendor-heavy", 1, tmp_path)
    fast, fast_engine, _, _ = _searched(twin(tg), class_moves, lean_carry, shared_parts, bare_moves, packed_contexts)
    slow, slow_engine, _, _ = _searched(twin(tg), False, False, False, False, False)
    assert fast == slow
    assert _engine_state(fast_engine) == _engine_state(slow_engine)


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("sample", 0), ("vendor-heavy", 2),
                                            ("federation-heavy", 1), ("random", 2)])
def test_scans_equal_with_the_switches_off(name: str, seed: int, tmp_path: Path) -> None:
    """Every check's findings, witnesses included, with both switches on and off (fresh engines)."""
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (SharedSearches, "class_moves"),
               (EvaluatedClasses, "lean_carry"), (EvaluatedClasses, "shared_parts"), (SharedSearches, "bare_moves"),
               (EvaluatedClasses, "packed_contexts"))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profile=st.sampled_from(["vendor-heavy", "federation-heavy", "random", "mix"]),
       seed=st.integers(min_value=0, max_value=10_000))
def test_generated_organizations_any_seed(profile: str, seed: int, tmp_path: Path) -> None:
    """Property: on a generated organization of any seed, the outsider searches and the engine memos are the same
    with the one-step path and lean carry-over as without them."""
    tg = small_org(profile, seed, tmp_path / f"{profile}-{seed}")
    fast, fast_engine, _, _ = _searched(twin(tg), True, True)
    slow, slow_engine, _, _ = _searched(twin(tg), False, False, False, False, False)
    assert fast == slow
    assert _engine_state(fast_engine) == _engine_state(slow_engine)


@pytest.mark.parametrize(("name", "seed"), [("vendor-heavy", 1), ("vendor-heavy", 3), ("federation-heavy", 2)])
def test_shared_decisions_cite_the_callers_own_statements(name: str, seed: int, tmp_path: Path) -> None:
    """A carried-over answer that shares its class's decision (``shared_parts``) cites statements of its own hop
    only: each is a statement object of the target's trust policy or RCPs or of one of the answer's caller's own
    policies (never another member's equal copy); and on the hub profiles some answers share one."""
    tg = small_org(name, seed, tmp_path)
    _, engine, _, _ = _searched(tg, True, True)
    assert engine.evaluated.shared_decisions > 0
    sats = [(key, answer) for key, answer in engine._memo.items() if isinstance(answer, Sat)]
    decisions: dict[int, int] = {}
    for _key, answer in sats:
        decisions[id(answer.decision)] = decisions.get(id(answer.decision), 0) + 1
    assert max(decisions.values()) > 1  # a decision held by several answers
    for key, answer in sats:
        if decisions[id(answer.decision)] == 1:
            continue
        caller = answer.caller
        own = {id(st) for st in trust_statements(engine.target(key[1]))}
        for policy in (*caller.identity_policies, *((caller.boundary,) if caller.boundary is not None else ()),
                       *caller.session_policies):
            own |= {id(st) for st in policy.statements}
        assert all(id(st) in own for st in answer.decision.statements), key
