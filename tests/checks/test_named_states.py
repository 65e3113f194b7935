"""federated_index's pass over a search's states (``NamedStates.once``, :func:`~trustgraph.checks.leanfederated.
named_states`) against the reference loop over every reached role: each state's flag is the one
:func:`~trustgraph.checks.pathmemo.path_names_session` gives, and the full JSON findings of every check are the same,
field by field, each scan in a fresh solver session (which witness a hop gets depends on the questions asked before,
so the same findings mean the same questions were asked in the same order)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin as twin_of

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.leanfederated import NamedStates, named_states
from trustgraph.checks.pathmemo import path_names_session
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.graph.nodes import EXTERNAL
from trustgraph.smt.session import SolverSession

from .helpers import switched, unknown_every_third_role


def _random(tmp_path: Path, seed: int) -> TrustGraph:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=6, roles_per_account=30, seed=seed, profile="random")
    return load(tmp_path)


def _findings(tg: TrustGraph, once: bool, jobs: int = 1, patch: Any = None) -> list[dict[str, Any]]:
    fresh = twin_of(tg, SolverSession())
    if patch is not None:
        patch(fresh)
    with switched(NamedStates, "once", once):
        ctx = ScanContext(fresh)
        return [finding_to_plain(f) for f in run_checks(ctx, CHECKS, jobs=jobs).findings]


def _same(tg: TrustGraph, jobs: int = 1, patch: Any = None) -> list[dict[str, Any]]:
    reference = _findings(tg, False, patch=patch)
    new = _findings(tg, True, jobs, patch)
    assert [(f["check_id"], f["role"]) for f in new] == [(f["check_id"], f["role"]) for f in reference]
    for a, b in zip(new, reference, strict=True):
        assert a == b, (a["check_id"], a["role"])
    return new


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_flags_are_path_names_session(seed: int, tmp_path: Path) -> None:
    """Every state's flag is path_names_session's, the nodes returned are those whose first state is flagged, and
    the organizations have both kinds (some reached roles not targets are passed over, some asked about)."""
    tg = twin_of(_random(tmp_path, seed), SolverSession())
    ctx = ScanContext(tg)
    shared = tg.shared_searches()
    flagged = unflagged = 0
    for source in (m for m in ctx.outsider_members() if m != EXTERNAL):
        outcome = shared.search(source, ctx.options(), outside_only=True)
        named: dict[Any, bool] = {}
        found = named_states(outcome.visits, outcome.answers, outcome.first, named, {})
        assert list(named) == list(outcome.visits)
        reference: dict[Any, bool] = {}
        for state in outcome.visits:
            assert named[state] is path_names_session(outcome.visits, outcome.answers, reference, state), state
        assert found == {node for node, state in outcome.first.items() if named[state]}
        flagged += sum(named.values())
        unflagged += len(named) - sum(named.values())
    assert flagged > 0
    assert unflagged > 0


@pytest.mark.parametrize(("profile", "seed"), [("random", 1), ("random", 2), ("random", 3),
                                               ("federation-heavy", 1), ("mix", 2)])
def test_same_findings_small(profile: str, seed: int, tmp_path: Path) -> None:
    _same(small_org(profile, seed, tmp_path))


@pytest.mark.parametrize("seed", [1, 2])
def test_same_findings_random(seed: int, tmp_path: Path) -> None:
    found = _same(_random(tmp_path, seed))
    assert any(f["check_id"] == "external-path-to-admin" for f in found)


def test_same_findings_in_workers_and_undecided(tmp_path: Path) -> None:
    tg = _random(tmp_path, 1)
    _same(tg, jobs=2)
    found = _same(tg, patch=unknown_every_third_role)
    assert any(f["check_id"] == "external-path-to-admin" and f["kind"].value == "unknown" for f in found)
