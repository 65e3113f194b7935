"""external-path-to-admin drops the engine's kept witnesses after its shared searches
(``ExternalPathToAdmin.forget_witnesses``, :meth:`~trustgraph.queries.engine.ReachabilityEngine.forget_witnesses`):
the findings of every check are the same field by field with the witnesses kept (the reference), in one process and
in workers, on small organizations of the condition-heavy and random profiles; a hop taken again gets an equal
witness, its shown context worked out again (the witness maker's are dropped with them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from twins import twin as twin_of

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.external_path_to_admin import ExternalPathToAdmin
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.smt.session import SolverSession

from .helpers import switched


def _org(profile: str, seed: int, tmp_path: Path) -> TrustGraph:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=seed, profile=profile)
    return load(tmp_path)


def _findings(tg: TrustGraph, forget: bool, session: SolverSession, jobs: int) -> list[dict[str, Any]]:
    with switched(ExternalPathToAdmin, "forget_witnesses", forget):
        ctx = ScanContext(twin_of(tg, session))
        return [finding_to_plain(f) for f in run_checks(ctx, CHECKS, jobs=jobs).findings]


def _kept_after_prepare(tg: TrustGraph, forget: bool) -> int:
    ctx = ScanContext(twin_of(tg, SolverSession()))
    with switched(ExternalPathToAdmin, "forget_witnesses", forget):
        ExternalPathToAdmin().prepare(ctx)
    return len(ctx.engine._witnesses)


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("random", 1), ("random", 2)])
def test_same_findings_with_the_witnesses_kept(profile: str, seed: int, tmp_path: Path) -> None:
    tg = _org(profile, seed, tmp_path)
    if profile == "condition-heavy":  # the reference keeps some there: dropping them is exercised
        assert _kept_after_prepare(tg, False) > 0
    assert _kept_after_prepare(tg, True) == 0
    session = SolverSession()  # one session for both: which valid witness a hop gets depends on what was asked before
    reference = _findings(tg, False, session, 1)
    assert reference
    if profile == "random":  # its admin roles are reached from outside: the witnesses of the searches are shown
        assert any(f["check_id"] == ExternalPathToAdmin.id for f in reference)
    for jobs in (1, 2):
        assert _findings(tg, True, session, jobs) == reference


def test_a_hop_taken_again_gets_an_equal_witness(tmp_path: Path) -> None:
    ctx = ScanContext(twin_of(_org("condition-heavy", 1, tmp_path), SolverSession()))
    with switched(ExternalPathToAdmin, "forget_witnesses", False):
        ExternalPathToAdmin().prepare(ctx)
    engine = ctx.engine
    kept = list(engine._witnesses.items())
    assert kept
    assert engine._witness_maker._shown
    assert engine.forget_witnesses() == len(kept)
    assert not engine._witnesses
    assert not engine._witness_maker._shown and not engine._witness_maker._plans  # the shown contexts go too
    for (state, role, action), pairs in kept:
        for result, witness in pairs:
            again = engine._witness(state, role, action, result)
            assert again == witness and again is not witness
            # the context is worked out again (not the one kept before the forget), equal key by key in order
            assert again.context is not witness.context
            assert list(again.context.items()) == list(witness.context.items())
