"""A candidate's view of its keys made once for the gates that read it in turn (``smt.trust_gate.SharedView``, switch
``SolverOptions.shared_views``) against a view made by each gate (the path without the switch): on hypothesis-drawn
trust policies of Allow and Deny statements with conditions on principal keys and keys the caller chooses, for
symbolic and concrete callers, each gate decides the same in ``smt.solve``'s order; the view is made once; and on
generated organizations every search and the scan's findings are the same field by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from trustgraph.api import load
from trustgraph.smt import trust_gate
from trustgraph.smt.cache import SolvedFormulas
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.principal_gate import principal_refuted
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.trust_gate import SharedView, ground_denied, ground_refuted

from .test_principal_gate import _grounded_candidates, questions
from .test_renaming import same_analyses

OFF = SolverOptions().without("shared_views")


def _decisions(q: HopQuestion, shared: bool) -> list[tuple[str, bool, bool, bool]]:
    """Each candidate's three gate decisions, made in ``smt.solve._solve_candidate``'s order (every gate asked, so
    each reads the view). (The principal gate's small z3 problems are not compared: one run out of its two seconds
    on a loaded machine makes it ask the next condition's.)"""
    out = []
    for cand, ground, clock in _grounded_candidates(q):
        view = SharedView(cand, q, ground, clock, True) if shared else None
        refuted = ground_refuted(cand, q, ground, clock, True, view)
        denied = ground_denied(cand, q, ground, clock, True, view)
        principal = principal_refuted(cand, q, ground, clock, True, SolvedFormulas(), members=True, shared=view)
        out.append((cand.label, refuted, denied, principal))
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=questions())
def test_every_gate_decides_as_with_a_view_of_its_own(q: HopQuestion) -> None:
    assert _decisions(q, shared=True) == _decisions(q, shared=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=questions())
def test_the_view_is_made_once(q: HopQuestion) -> None:
    made = [0]
    real = trust_gate.candidate_view

    def counted(*args: Any) -> Any:
        made[0] += 1
        return real(*args)

    trust_gate.candidate_view = counted  # type: ignore[assignment]
    try:
        for cand, ground, clock in _grounded_candidates(q):
            made[0] = 0
            view = SharedView(cand, q, ground, clock, True)
            ground_refuted(cand, q, ground, clock, True, view)
            ground_denied(cand, q, ground, clock, True, view)
            principal_refuted(cand, q, ground, clock, True, None, shared=view)
            assert made[0] <= 1
    finally:
        trust_gate.candidate_view = real  # type: ignore[assignment]


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().shared_views
    assert SolverOptions().shared_views


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("random", 2)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    same_analyses(load(tmp_path), off=OFF)
