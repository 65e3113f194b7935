"""The ordered tails of the reverse search (``GraphQueries.ordered_tails``: for a query from every source, every tail
the fast loop can put together without a question built before the answers, nearest state first, by
:meth:`ReversePaths._ordered_tails`) against the tails built as the answers need them (``ordered_tails = False``):
the same answers field by field (witnesses, their requests, session-name agreements and notes, approximations,
order) and the same hop questions asked in the same order, on the small organizations of ``tests/small_orgs.py``,
random organizations, built estates whose session names are agreed (renamed, and refused: a note), the other MFA
outcome of a hop, and undecided hops. Queries are asked in a session (one engine), so that later queries read hops
earlier ones decided."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org
from twins import twin as twin_of

from tests.queries.helpers import answer_key, synthesized
from trustgraph.api import TrustGraph
from trustgraph.queries.reverse import ReversePaths
from trustgraph.smt.session import SolverSession

from .test_lean_closure import OPTIONS


def _compared(tg: TrustGraph, new: TrustGraph | None = None, old: TrustGraph | None = None,
              rounds: int = 1) -> dict[str, int]:
    """Every role asked ``who_can_reach`` (and from ``external``) under each of :data:`OPTIONS` by two engines that
    share one solver session (or the twins given), the ordered one first; returns how many answers there were and
    how many tails the ordered pass built (the comparison must cover them)."""
    counts = {"answers": 0, "ordered": 0}
    original = ReversePaths._ordered_tails

    def counted(self: ReversePaths) -> None:
        before = len(self.agreed.tails)
        original(self)
        counts["ordered"] += len(self.agreed.tails) - before

    if new is None or old is None:
        session = SolverSession()
        new, old = twin_of(tg, session), twin_of(tg, session)
    old.ordered_tails = False
    assert new.ordered_tails
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    ReversePaths._ordered_tails = counted  # type: ignore[method-assign]
    try:
        for _ in range(rounds):
            for options in OPTIONS:
                for target in roles:
                    for source in (None, "external"):
                        a = new.query(source, target, options)
                        b = old.query(source, target, options)
                        assert [answer_key(r) for r in a] == [answer_key(r) for r in b], (source, target, options)
                        assert [r.hops for r in a] == [r.hops for r in b]  # field by field, the notes included
                        counts["answers"] += len(a)
    finally:
        ReversePaths._ordered_tails = original  # type: ignore[method-assign]
    # the same questions, in the same order: which of several valid witnesses a later hop gets depends on it
    assert list(new.engine._memo) == list(old.engine._memo)
    assert list(new.engine._derived) == list(old.engine._derived)
    return counts


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("sample", 0), ("mix", 1), ("chain-heavy", 1),
                                            ("chain-heavy", 2), ("federation-heavy", 1), ("vendor-heavy", 1)])
def test_ordered_tails_on_small_organizations(name: str, seed: int, tmp_path: Path) -> None:
    counts = _compared(small_org(name, seed, tmp_path))
    assert counts["answers"] > 0
    if name == "chain-heavy":  # chains of role sessions: tails are built first
        assert counts["ordered"] > 0


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
def test_ordered_tails_on_random_organizations(seed: int, tmp_path: Path) -> None:
    assert _compared(synthesized(tmp_path, "random", seed, 20))["answers"] > 0


@pytest.mark.parametrize("profile", ["mix", "chain-heavy", "vendor-heavy", "federation-heavy"])
def test_ordered_tails_on_generated_profiles(profile: str, tmp_path: Path) -> None:
    counts = _compared(synthesized(tmp_path, profile, 3))
    assert counts["answers"] > 0 and counts["ordered"] > 0


@pytest.mark.parametrize("shape", ["hub", "mfa", "named", "restricted", "named-first", "restricted-first"])
def test_ordered_tails_on_built_estates(shape: str) -> None:
    """Hub members and ties, the other MFA outcome of a hop, session names agreed on a shared path and on each
    source's own first hop (renamed, and refused: the later hop noted): a tail whose agreement asks a question is
    left to the answers, and so is every tail built over it."""
    from .test_fast_answers import _named_first_hops
    from .test_reverse import _hub_and_ties, _mfa_outcomes, _named_sessions

    tg = {"hub": lambda: _hub_and_ties()[0], "mfa": lambda: _mfa_outcomes()[0],
          "named": lambda: _named_sessions(False)[0], "restricted": lambda: _named_sessions(True)[0],
          "named-first": lambda: _named_first_hops(False),
          "restricted-first": lambda: _named_first_hops(True)}[shape]()
    counts = _compared(tg, rounds=2)
    assert counts["answers"] > 0 and counts["ordered"] > 0


def test_ordered_tails_with_undecided_hops(tmp_path: Path) -> None:
    """Unknown hops on the way (a tail is not built past an undecided hop), every role asked twice in a session."""
    from .test_listed_hops import _with_unknowns

    tg = synthesized(tmp_path, "random", 2, 20)
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    hops = {(u, v) for u, v in tg.graph.edges() if v in roles[::3]}
    session = SolverSession()
    counts = _compared(tg, _with_unknowns(tg, session, hops), _with_unknowns(tg, session, hops), rounds=2)
    assert counts["answers"] > 0


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=100_000))
def test_ordered_tails_are_the_reference_on_any_random_organization(seed: int,
                                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    _compared(synthesized(tmp_path_factory.mktemp("org"), "random", seed, 8))
