"""The outside accounts' answers kept as their searches' hops and built when a role is checked
(:mod:`trustgraph.checks.ondemand`, the default) give the findings of the reference that builds every answer in full
(``ScanContext(on_demand=False)``), field by field, witnesses included: on the bundled example, the two-account
sample, a small organization of every profile and random seeds, with undecided hops, in one process and in
workers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from twins import twin as twin_of

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.ondemand import Later, answers_for, is_light, materialized, pending_index
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.queries.results import Reach, ReachResult
from trustgraph.smt.session import SolverSession

from .helpers import unknown_every_third_role

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"


def _findings(tg: TrustGraph, on_demand: bool, session: SolverSession, patch: Callable[[TrustGraph], None] | None,
              jobs: int = 1) -> list[dict[str, Any]]:
    fresh = twin_of(tg, session)
    if patch is not None:
        patch(fresh)
    ctx = ScanContext(fresh, on_demand=on_demand)
    return [finding_to_plain(f) for f in run_checks(ctx, CHECKS, jobs=jobs).findings]


def _same(tg: TrustGraph, patch: Callable[[TrustGraph], None] | None = None, jobs: int = 1) -> list[dict[str, Any]]:
    # one solver session for both (which of several valid witnesses a hop gets depends on the questions asked
    # before): the reference first, so that the on-demand run cannot lean on answers only it would have asked for
    session = SolverSession()
    reference = _findings(tg, False, session, patch)
    new = _findings(tg, True, session, patch, jobs)
    assert [(f["check_id"], f["role"]) for f in new] == [(f["check_id"], f["role"]) for f in reference]
    for a, b in zip(new, reference, strict=True):
        assert a == b, (a["check_id"], a["role"])
        # the kept path is the full one: a request context and a caller on every hop, as the reference's
        assert [(h["caller"], h["context"]) for h in a["path"]] == [(h["caller"], h["context"]) for h in b["path"]]
    return new


def _org(profile: str, seed: int, tmp_path: Path) -> TrustGraph:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=seed, profile=profile)
    return load(tmp_path)


def _sources(findings: list[dict[str, Any]], check: str) -> int:
    return sum(len(f["sources"]) for f in findings if f["check_id"] == check)


def test_bundled_example_and_sample() -> None:
    assert _same(load())
    assert _same(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]))


@pytest.mark.parametrize(("profile", "seed"), [
    ("mix", 1), ("federation-heavy", 1), ("chain-heavy", 3), ("vendor-heavy", 1), ("vendor-heavy", 3),
    ("condition-heavy", 1), ("random", 1), ("random", 2), ("random", 3)])
def test_every_profile(profile: str, seed: int, tmp_path: Path) -> None:
    found = _same(_org(profile, seed, tmp_path))
    if profile == "vendor-heavy":  # many outside accounts per role: the light answers are what is merged
        assert _sources(found, "external-without-mfa") > len([f for f in found
                                                               if f["check_id"] == "external-without-mfa"])


def test_undecided_hops() -> None:
    found = _same(load(), unknown_every_third_role)
    assert any(f["kind"].value == "unknown" for f in found)


def test_in_workers(tmp_path: Path) -> None:
    """Workers forked after the index is built build the first sources' full witnesses themselves."""
    _same(_org("vendor-heavy", 1, tmp_path), jobs=2)


def test_light_answers_become_the_reference_answers(tmp_path: Path) -> None:
    """Each kept answer, built with light witnesses (no context, caller or evidence) and then materialized, is the
    answer :meth:`GraphQueries.reach_each` builds in full: same source, target, hops (fields and witnesses) and
    approximations; the light witnesses already carry the statements and approximations a merge reads."""
    tg = _org("vendor-heavy", 1, tmp_path)
    session = SolverSession()
    fast, slow = twin_of(tg, session), twin_of(tg, session)
    ctx = ScanContext(fast)
    nodes = ctx.outside_account_nodes
    options = ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]})
    reference = slow.reach_each(nodes, options)
    index = pending_index(fast, nodes, options, None)
    expected: dict[str, list[ReachResult]] = {}
    for results in reference.values():
        for r in results:
            if r.verdict is Reach.REACHABLE:
                expected.setdefault(r.target, []).append(r)
    assert sorted(index) == sorted(expected)
    light = 0
    for role, kept in index.items():
        answers = answers_for(fast.engine, role, kept)
        assert len(answers) == len(expected[role])
        for got, want in zip(answers, expected[role], strict=True):
            if is_light(got.hops):
                light += 1
                assert all(isinstance(h.evidence, Later) and h.caller is None and not h.context for h in got.hops)
                assert [(h.source, h.target, h.action, h.statements, h.approximations) for h in got.hops] == [
                    (h.source, h.target, h.action, h.statements, h.approximations) for h in want.hops]
                got = ReachResult(source=got.source, target=got.target, verdict=got.verdict,
                                  hops=materialized(got.hops), approximations=got.approximations)
            assert got == want
            assert [h.caller for h in got.hops] == [h.caller for h in want.hops]
    assert light > 10


def test_targets_keep_answers_of_those_roles_only(tmp_path: Path) -> None:
    tg = _org("vendor-heavy", 1, tmp_path)
    ctx = ScanContext(tg)
    admins = ctx.admin_roles()
    index = pending_index(tg, ctx.outside_account_nodes, ctx.options(), admins)
    assert index and set(index) <= admins


def _index_and_questions(tg: TrustGraph, session: SolverSession, once: bool, targets: bool) -> tuple[Any, ...]:
    from trustgraph.checks.ondemand import PathMemo

    fresh = twin_of(tg, session)
    asked: list[Any] = []
    decide, solve = fresh.engine.decide, fresh.engine.solve

    def decided(*args: Any, **kwargs: Any) -> Any:
        asked.append(("decide", repr(args[:3])))
        return decide(*args, **kwargs)

    def solved(*args: Any, **kwargs: Any) -> Any:
        asked.append(("solve", repr((args[:3], args[4:], kwargs))))
        return solve(*args, **kwargs)

    fresh.engine.decide = decided  # type: ignore[method-assign]
    fresh.engine.solve = solved  # type: ignore[method-assign]
    ctx = ScanContext(fresh)
    options = ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]})
    chosen = ctx.admin_roles() if targets else None
    saved = PathMemo.once
    PathMemo.once = once
    try:
        index = pending_index(fresh, ctx.outside_account_nodes, options, chosen)
    finally:
        PathMemo.once = saved
    flat = {role: [(type(x).__name__, x.state, x.role, x.action, x.answer) if isinstance(x, Later) else x
                   for x in kept] for role, kept in index.items()}
    answers = {role: answers_for(fresh.engine, role, kept) for role, kept in index.items()}
    return flat, answers, asked


@pytest.mark.parametrize(("profile", "seed"), [("sample", 0), ("vendor-heavy", 1), ("vendor-heavy", 3),
                                               ("random", 2), ("chain-heavy", 3), ("mix", 1)])
@pytest.mark.parametrize("targets", [False, True])
def test_path_memo_is_the_walked_index(profile: str, seed: int, targets: bool, tmp_path: Path) -> None:
    """:class:`~trustgraph.checks.ondemand.PathMemo` (each state's path decided once) keeps the index of the
    reference that walks every role's path (the same items, field by field) and asks the engine the same questions
    in the same order. The two-account sample has a path whose hops name a session (built in full, or asked about
    only when the targets are the admin roles)."""
    tg = load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]) if profile == "sample" else _org(profile, seed, tmp_path)
    session = SolverSession()
    flat_ref, answers_ref, asked_ref = _index_and_questions(tg, session, False, targets)
    flat, answers, asked = _index_and_questions(tg, session, True, targets)
    assert list(flat) == list(flat_ref)
    for role, items in flat.items():
        assert items == flat_ref[role], role
        assert answers[role] == answers_ref[role], role
    assert asked == asked_ref
    assert flat or targets or profile == "random"  # random:2 at 3 accounts: no outside account reaches a role
