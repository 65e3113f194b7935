"""The answers of a query from every source read off the reverse search in one loop (``GraphQueries.batch_answers``:
:meth:`ReversePaths.answers`, the results built by
:func:`~trustgraph.queries.results.reachable_maker`) against the reference (``batch_answers = False``: each source
answered by :meth:`ReversePaths.result`): the same answers field by field (witnesses, their requests,
session-name agreements and notes, approximations, order) and the same hop questions asked in the same order, on the
small organizations of ``tests/small_orgs.py``, random organizations, built estates whose session names are agreed,
the other MFA outcome of a hop, and undecided hops. Queries are asked in a session (one engine), so that later
queries read hops earlier ones decided."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org
from twins import twin as twin_of

from tests.queries.helpers import answer_key, synthesized
from trustgraph.api import TrustGraph
from trustgraph.queries.results import Reach, ReachResult, reachable_maker
from trustgraph.queries.reverse import ReversePaths
from trustgraph.smt.session import SolverSession

from .test_lean_closure import OPTIONS


def _compared(tg: TrustGraph, new: TrustGraph | None = None, old: TrustGraph | None = None,
              rounds: int = 1) -> dict[str, int]:
    """Every role asked ``who_can_reach`` (and from ``external``) under each of :data:`OPTIONS` by two engines that
    share one solver session (or the twins given), the batched one first; returns how many answers there were and
    how many the batched loop read off the reverse search (the comparison must cover them)."""
    counts = {"answers": 0, "batched": 0}
    original = ReversePaths.answers

    def counted(self: ReversePaths, nodes: object) -> object:
        for node, answer in original(self, nodes):  # type: ignore[arg-type]
            counts["batched"] += answer is not None
            yield node, answer

    if new is None or old is None:
        session = SolverSession()
        new, old = twin_of(tg, session), twin_of(tg, session)
    old.batch_answers = False
    assert new.batch_answers
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    ReversePaths.answers = counted  # type: ignore[assignment,method-assign]
    try:
        for _ in range(rounds):
            for options in OPTIONS:
                for target in roles:
                    for source in (None, "external"):
                        a = new.query(source, target, options)
                        b = old.query(source, target, options)
                        assert [answer_key(r) for r in a] == [answer_key(r) for r in b], (source, target, options)
                        assert [r.hops for r in a] == [r.hops for r in b]  # field by field, the notes included
                        assert [r.approximations for r in a] == [r.approximations for r in b]
                        assert [type(r) for r in a] == [type(r) for r in b]
                        counts["answers"] += len(a)
    finally:
        ReversePaths.answers = original  # type: ignore[method-assign]
    # the same questions, in the same order: which of several valid witnesses a later hop gets depends on it
    assert list(new.engine._memo) == list(old.engine._memo)
    assert list(new.engine._derived) == list(old.engine._derived)
    return counts


def test_reachable_maker_is_the_dataclass() -> None:
    make = reachable_maker()
    made = make("src", "dst", (), ("approx",))
    built = ReachResult(source="src", target="dst", verdict=Reach.REACHABLE, hops=(), approximations=("approx",))
    assert type(made) is ReachResult
    assert made == built and repr(made) == repr(built)
    for f in fields(ReachResult):
        assert getattr(made, f.name) == getattr(built, f.name), f.name


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("sample", 0), ("mix", 1), ("chain-heavy", 1),
                                            ("chain-heavy", 2), ("federation-heavy", 1), ("vendor-heavy", 1)])
def test_batch_answers_on_small_organizations(name: str, seed: int, tmp_path: Path) -> None:
    counts = _compared(small_org(name, seed, tmp_path))
    assert counts["answers"] > 0
    if name == "chain-heavy":  # chains of role sessions: tails are built first and read in the loop
        assert counts["batched"] > 0


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
def test_batch_answers_on_random_organizations(seed: int, tmp_path: Path) -> None:
    assert _compared(synthesized(tmp_path, "random", seed, 20))["answers"] > 0


@pytest.mark.parametrize("profile", ["mix", "chain-heavy", "vendor-heavy", "federation-heavy"])
def test_batch_answers_on_generated_profiles(profile: str, tmp_path: Path) -> None:
    counts = _compared(synthesized(tmp_path, profile, 3))
    assert counts["answers"] > 0 and counts["batched"] > 0


@pytest.mark.parametrize("shape", ["hub", "mfa", "named", "restricted", "named-first", "restricted-first"])
def test_batch_answers_on_built_estates(shape: str) -> None:
    """Hub members and ties, the other MFA outcome of a hop, session names agreed on a shared path and on each
    source's own first hop (renamed, and refused: the later hop noted)."""
    from .test_fast_answers import _named_first_hops
    from .test_reverse import _hub_and_ties, _mfa_outcomes, _named_sessions

    tg = {"hub": lambda: _hub_and_ties()[0], "mfa": lambda: _mfa_outcomes()[0],
          "named": lambda: _named_sessions(False)[0], "restricted": lambda: _named_sessions(True)[0],
          "named-first": lambda: _named_first_hops(False),
          "restricted-first": lambda: _named_first_hops(True)}[shape]()
    assert _compared(tg, rounds=2)["answers"] > 0


def test_batch_answers_with_undecided_hops(tmp_path: Path) -> None:
    """Unknown hops on the way (a source that only may reach the target is searched in its turn), every role asked
    twice in a session."""
    from .test_listed_hops import _with_unknowns

    tg = synthesized(tmp_path, "random", 2, 20)
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    hops = {(u, v) for u, v in tg.graph.edges() if v in roles[::3]}
    session = SolverSession()
    counts = _compared(tg, _with_unknowns(tg, session, hops), _with_unknowns(tg, session, hops), rounds=2)
    assert counts["answers"] > 0


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=100_000))
def test_batch_answers_are_the_reference_on_any_random_organization(seed: int,
                                                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    _compared(synthesized(tmp_path_factory.mktemp("org"), "random", seed, 8))
