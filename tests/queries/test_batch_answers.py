"""The answers of a query from every source read off the reverse search in one loop (``GraphQueries.batch_answers``:
:meth:`ReversePaths.answers`, the results built by
:func:`~trustgraph.queries.results.reachable_maker`) against the reference (``batch_answers = False``: each source
answered by :meth:`ReversePaths.result`): the same answers field by field (witnesses, their requests,
session-name agreements and notes, approximations, order) and the same hop questions asked in the same order, on the
small organizations of ``tests/small_orgs.py``, random organizations, built estates whose session names are agreed,
the other MFA outcome of a hop, answers the loop reads off a tail that carry approximations, users with two start
states at different distances, and undecided hops. Queries are asked in a session (one engine), so that later
queries read hops earlier ones decided."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org

from tests.queries.engines import compare_engines, roles, twins, with_unknowns
from tests.queries.helpers import synthesized
from trustgraph.api import TrustGraph
from trustgraph.queries.results import Reach, ReachResult, reachable_maker
from trustgraph.queries.reverse import ReversePaths
from trustgraph.smt.session import SolverSession


def _compared(org: str, tg: TrustGraph, pair: tuple[TrustGraph, TrustGraph] | None = None,
              rounds: int = 1) -> dict[str, int]:
    """Every role asked ``who_can_reach`` (and from ``external``) under each of :data:`engines.OPTIONS`, ``rounds``
    times over, by two engines that share one solver session (or the ``pair`` given), the batched one first, and the
    same hop questions asked in the same order (:func:`engines.compare_engines`: every field, the notes and the
    answers' class included); returns how many answers there were and how many the batched loop read off the
    reverse search (the comparison must cover them)."""
    batched = [0]
    original = ReversePaths.answers

    def counted(self: ReversePaths, nodes: object) -> object:
        for node, answer in original(self, nodes):  # type: ignore[arg-type]
            batched[0] += answer is not None
            yield node, answer

    new, old = pair if pair is not None else twins(tg)
    old.batch_answers = False
    assert new.batch_answers
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ReversePaths, "answers", counted)
        compared = compare_engines(org, {"batched": new, "one by one": old}, rounds=rounds, same_questions=True)
    return {"answers": compared.answers, "batched": batched[0]}


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
    counts = _compared(f"{name} seed {seed}", small_org(name, seed, tmp_path))
    assert counts["answers"] > 0
    if name == "chain-heavy":  # chains of role sessions: tails are built first and read in the loop
        assert counts["batched"] > 0


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
def test_batch_answers_on_random_organizations(seed: int, tmp_path: Path) -> None:
    assert _compared(f"random seed {seed}", synthesized(tmp_path, "random", seed, 20))["answers"] > 0


@pytest.mark.parametrize("profile", ["mix", "chain-heavy", "vendor-heavy", "federation-heavy"])
def test_batch_answers_on_generated_profiles(profile: str, tmp_path: Path) -> None:
    counts = _compared(f"{profile} seed 3", synthesized(tmp_path, profile, 3))
    assert counts["answers"] > 0 and counts["batched"] > 0


@pytest.mark.parametrize("shape", ["hub", "mfa", "named", "restricted", "named-first", "restricted-first"])
def test_batch_answers_on_built_estates(shape: str) -> None:
    """Hub members and ties, the other MFA outcome of a hop, session names agreed on a shared path and on each
    source's own first hop (renamed, and refused: the later hop noted)."""
    from .test_fast_answers import built

    tg = built(shape)
    assert _compared(f"built {shape}", tg, rounds=2)["answers"] > 0


def _loop_answers(tg: TrustGraph) -> tuple[list[ReachResult], list[tuple[ReversePaths, list[str]]]]:
    """:func:`_compared` on ``tg`` (rounds 2), recording what the batched loop answered itself: the answers it read
    off a start state's tail without calling :meth:`ReversePaths.result`, and each reverse search with the nodes it
    was asked to answer."""
    asked: list[str] = []  # the sources ReversePaths.result answered since the loop's last answer
    read: list[ReachResult] = []
    searches: list[tuple[ReversePaths, list[str]]] = []
    original_answers, original_result = ReversePaths.answers, ReversePaths.result

    def recorded_result(self: ReversePaths, label: str, starts: tuple[str, ...]) -> ReachResult | None:
        asked.append(label)
        return original_result(self, label, starts)

    def recorded(self: ReversePaths, nodes: Any) -> Any:
        nodes = list(nodes)
        searches.append((self, nodes))
        asked.clear()
        for node, answer in original_answers(self, nodes):
            if answer is not None and node not in asked:
                read.append(answer)
            asked.clear()
            yield node, answer

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ReversePaths, "result", recorded_result)
        mp.setattr(ReversePaths, "answers", recorded)
        assert _compared("built mfa-users", tg, rounds=2)["answers"] > 0
    return read, searches


def test_batch_answers_carry_the_approximations_of_their_hops() -> None:
    """Answers the loop reads off a tail whose hops rest on an over-approximated condition (Target's trust has an
    unknown condition operator): the same as one by one, and each carries its hops' approximations (an answer built
    without them would be reported exact)."""
    from .test_fast_answers import built

    read, _ = _loop_answers(built("mfa-users"))
    approximate = [r for r in read if r.target.endswith("/Target")]
    assert approximate, "the loop read no answer into Target off a tail"
    for answer in approximate:
        assert any("StringFooBar" in a for h in answer.hops for a in h.approximations), answer
        assert answer.approximations == tuple(dict.fromkeys(a for h in answer.hops for a in h.approximations))


def test_sources_with_several_start_states_are_answered_one_by_one() -> None:
    """IAM users start with MFA and without (the only sources with several start states) and their two states are
    at different distances here (with MFA Direct -> Target, 2 hops; without Long1 -> Long2 -> Target, 3). The loop
    reads a tail for a source with one start state only and hands every other source to
    :meth:`ReversePaths.result` (its nearest start state chosen by :meth:`ReversePaths._begin`, compared with the
    search per source in tests/queries/test_reverse.py): such a source is never answered off a tail (the reverse
    pass gives distances to role states only, so its start states never all have one; should they ever, a tail
    could answer them, and this estate, with its start states at different distances, is where that must then be
    compared), and its answer is the nearer start state's path."""
    from .test_fast_answers import built

    target = f"arn:aws:iam::{'1' * 12}:role/Target"
    tg = built("mfa-users")
    read, searches = _loop_answers(tg)
    several: set[str] = set()
    for paths, nodes in searches:
        for node in nodes:
            states = paths._start_states.get(node, ())
            if len(states) > 1:
                several.add(node)
                assert not all(state in paths.dist for state in states), (node, paths.closure.target)
    assert several, "no source with several start states was asked"
    assert not [r for r in read if r.source in several], "a source with several start states was read off a tail"
    found = {r.source.rsplit("/", 1)[-1]: r for r in tg.who_can_reach(target)}
    for name in ("U0", "U1", "U2"):
        assert [h.target.rsplit("/", 1)[-1] for h in found[name].hops] == ["Direct", "Target"], found[name]
        assert found[name].approximations, found[name]


def test_batch_answers_with_undecided_hops(tmp_path: Path) -> None:
    """Unknown hops on the way (a source that only may reach the target is searched in its turn), every role asked
    twice in a session."""
    tg = synthesized(tmp_path, "random", 2, 20)
    chosen = roles(tg)[::3]
    hops = {(u, v) for u, v in tg.graph.edges() if v in chosen}
    session = SolverSession()
    counts = _compared("random seed 2, hops into every third role Unknown", tg,
                       (with_unknowns(tg, session, hops), with_unknowns(tg, session, hops)), rounds=2)
    assert counts["answers"] > 0


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=100_000))
def test_batch_answers_are_the_reference_on_any_random_organization(seed: int,
                                                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    _compared(f"random seed {seed}, 8 roles an account",
              synthesized(tmp_path_factory.mktemp("org"), "random", seed, 8))
