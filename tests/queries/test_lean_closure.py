"""The lean closure and path building (``GraphQueries.lean_closure``: ``backward_closure(lean=True)`` reads the hops
its cache holds in its own loop, ``ReversePaths(quick=True)`` takes a source's steps once while its tail is built and
reads a plain source's start off the distances) against the reference (``lean_closure = False``): the same answers
field by field, the same closures (states, statuses, sources, roles examined) and the same hop questions asked in
the same order (each engine's memo of decided hops, in insertion order), on generated organizations of every profile,
random organizations and, as a property, random organizations of any seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.counting import count_calls
from tests.queries.engines import OPTIONS, compare_engines, roles, twins
from tests.queries.helpers import synthesized
from trustgraph.api import TrustGraph


def _compared(org: str, tg: TrustGraph) -> dict[str, int]:
    """Every role asked ``who_can_reach`` (and from ``external``) under each of :data:`engines.OPTIONS` by two
    engines that share one solver session, the lean one first, and the same hop questions asked in the same order
    (:func:`engines.compare_engines`); returns how many answers there were and how many came from the quick start
    (the comparison must cover it)."""
    from trustgraph.queries.agreed import AgreedPaths

    lean, slow = twins(tg)
    slow.lean_closure = False
    with pytest.MonkeyPatch.context() as mp:
        quick = count_calls(mp, AgreedPaths, "own")
        compared = compare_engines(org, {"lean": lean, "reference": slow}, same_questions=True)
    return {"answers": compared.answers, "own": quick[0]}


@pytest.mark.parametrize("profile", ["mix", "chain-heavy", "vendor-heavy", "federation-heavy"])
def test_lean_closure_on_generated_profiles(profile: str, tmp_path: Path) -> None:
    counts = _compared(f"{profile} seed 3", synthesized(tmp_path, profile, 3))
    assert counts["answers"] > 0 and counts["own"] > 0


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
def test_lean_closure_on_random_organizations(seed: int, tmp_path: Path) -> None:
    counts = _compared(f"random seed {seed}", synthesized(tmp_path, "random", seed, 20))
    assert counts["answers"] > 0


@pytest.mark.parametrize("shape", ["hub", "mfa", "named", "restricted"])
def test_lean_closure_on_built_estates(shape: str) -> None:
    """Hub members and ties (a user's two start states at the same distance: the first is the one taken), the
    other MFA outcome of a first hop, session names agreed on a shared path (renamed and refused)."""
    from .test_fast_answers import built

    assert _compared(f"built {shape}", built(shape))["answers"] > 0


@pytest.mark.parametrize("seed", [1, 2])
def test_lean_closures_are_the_reference_closures(seed: int, tmp_path: Path) -> None:
    """Each role's closure built lean on one engine equals the one built without on another (same statuses, sources,
    roles examined), closures sharing a cache as in a session."""
    from trustgraph.queries.backward import backward_closure

    tg = synthesized(tmp_path, "random", seed, 20)
    lean, slow = twins(tg)
    big = 0
    for options in OPTIONS:
        for target in roles(tg):
            for starts in (None, frozenset(lean._sources("external").nodes)):
                a = backward_closure(lean.engine, target, options, starts=starts, outside_only=starts is not None,
                                     cache=lean._closure_cache(), lean=True)
                b = backward_closure(slow.engine, target, options, starts=starts, outside_only=starts is not None,
                                     cache=slow._closure_cache())
                assert list(a.status.items()) == list(b.status.items()), target
                assert (a.sources, a.examined) == (b.sources, b.examined), target
                big += len(a.status) > 4
    assert big > 0
    assert list(lean.engine._memo) == list(slow.engine._memo)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=100_000))
def test_lean_closure_is_the_reference_on_any_randomsynthesized(seed: int, tmp_path_factory: pytest.TempPathFactory
                                                                  ) -> None:
    _compared(f"random seed {seed}, 8 roles an account",
              synthesized(tmp_path_factory.mktemp("org"), "random", seed, 8))
