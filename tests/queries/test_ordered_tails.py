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

from tests.queries.engines import compare_engines, roles, twins, with_unknowns
from tests.queries.helpers import synthesized
from trustgraph.api import TrustGraph
from trustgraph.queries.reverse import ReversePaths
from trustgraph.smt.session import SolverSession


def _compared(org: str, tg: TrustGraph, pair: tuple[TrustGraph, TrustGraph] | None = None,
              rounds: int = 1) -> dict[str, int]:
    """Every role asked ``who_can_reach`` (and from ``external``) under each of :data:`engines.OPTIONS`, ``rounds``
    times over, by two engines that share one solver session (or the ``pair`` given), the ordered one first, and the
    same hop questions asked in the same order (:func:`engines.compare_engines`: every field, the notes included);
    returns how many answers there were and how many tails the ordered pass built (the comparison must cover
    them)."""
    ordered = [0]
    original = ReversePaths._ordered_tails

    def counted(self: ReversePaths) -> None:
        before = len(self.agreed.tails)
        original(self)
        ordered[0] += len(self.agreed.tails) - before

    new, old = pair if pair is not None else twins(tg)
    old.ordered_tails = False
    assert new.ordered_tails
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ReversePaths, "_ordered_tails", counted)
        compared = compare_engines(org, {"ordered": new, "as needed": old}, rounds=rounds, same_questions=True)
    return {"answers": compared.answers, "ordered": ordered[0]}


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("sample", 0), ("mix", 1), ("chain-heavy", 1),
                                            ("chain-heavy", 2), ("federation-heavy", 1), ("vendor-heavy", 1)])
def test_ordered_tails_on_small_organizations(name: str, seed: int, tmp_path: Path) -> None:
    counts = _compared(f"{name} seed {seed}", small_org(name, seed, tmp_path))
    assert counts["answers"] > 0
    if name == "chain-heavy":  # chains of role sessions: tails are built first
        assert counts["ordered"] > 0


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
def test_ordered_tails_on_random_organizations(seed: int, tmp_path: Path) -> None:
    assert _compared(f"random seed {seed}", synthesized(tmp_path, "random", seed, 20))["answers"] > 0


@pytest.mark.parametrize("profile", ["mix", "chain-heavy", "vendor-heavy", "federation-heavy"])
def test_ordered_tails_on_generated_profiles(profile: str, tmp_path: Path) -> None:
    counts = _compared(f"{profile} seed 3", synthesized(tmp_path, profile, 3))
    assert counts["answers"] > 0 and counts["ordered"] > 0


@pytest.mark.parametrize("shape", ["hub", "mfa", "named", "restricted", "named-first", "restricted-first"])
def test_ordered_tails_on_built_estates(shape: str) -> None:
    """Hub members and ties, the other MFA outcome of a hop, session names agreed on a shared path and on each
    source's own first hop (renamed, and refused: the later hop noted): a tail whose agreement asks a question is
    left to the answers, and so is every tail built over it."""
    from .test_fast_answers import built

    tg = built(shape)
    counts = _compared(f"built {shape}", tg, rounds=2)
    assert counts["answers"] > 0 and counts["ordered"] > 0


def test_ordered_tails_with_undecided_hops(tmp_path: Path) -> None:
    """Unknown hops on the way (a tail is not built past an undecided hop), every role asked twice in a session."""
    tg = synthesized(tmp_path, "random", 2, 20)
    chosen = roles(tg)[::3]
    hops = {(u, v) for u, v in tg.graph.edges() if v in chosen}
    session = SolverSession()
    counts = _compared("random seed 2, hops into every third role Unknown", tg,
                       (with_unknowns(tg, session, hops), with_unknowns(tg, session, hops)), rounds=2)
    assert counts["answers"] > 0


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=100_000))
def test_ordered_tails_are_the_reference_on_any_random_organization(seed: int,
                                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    _compared(f"random seed {seed}, 8 roles an account",
              synthesized(tmp_path_factory.mktemp("org"), "random", seed, 8))
