"""Concrete callers' hops answered per class (``queries.hopclass``, switch ``SolverOptions.hop_classes``) give the
answers of the engine with the switch off, field by field: the searches from outside (every result, every hop's
source, target, action, caller, request context, statements and approximations) and the findings of a scan, on the
bundled example, the two-account sample and small generated organizations of every profile (random seeds 1, 2 and 6
included)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import select_checks
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"


def _fresh(tg: TrustGraph, on: bool, session: SolverSession) -> TrustGraph:
    # one solver session for both runs, the reference first: which of several valid witnesses z3 gives a hop
    # depends on what it was asked before, so each run on its own session may pick another one; with the store the
    # reference filled, a hop the solver answers gets the same witness in both runs, and a class member's witness
    # (replayed from its class's) must equal the one the reference found for it
    fresh = TrustGraph(tg.estate, tg.zone, tg.graph)
    fresh.engine.now_ms = tg.engine.now_ms
    session.options = SolverOptions() if on else SolverOptions().without("hop_classes")
    fresh.engine.session = session
    return fresh


def _reach(tg: TrustGraph, on: bool, session: SolverSession) -> tuple[list[Any], int]:
    fresh = _fresh(tg, on, session)
    out = []
    for without in ((), ("sts:ExternalId",)):
        for r in fresh.query("*", None, fresh_options(without)):
            out.append((r.source, r.target, r.verdict, r.approximations, tuple(
                (h.source, h.target, h.action, h.caller, h.context, h.statements, h.approximations, h.method)
                for h in r.hops)))
    return out, fresh.engine.classes.hits


def fresh_options(without: tuple[str, ...]) -> Any:
    from trustgraph.queries.options import QueryOptions

    return QueryOptions.make(without=without)


def _scan(tg: TrustGraph, on: bool, session: SolverSession) -> list[dict[str, Any]]:
    ctx = ScanContext(_fresh(tg, on, session))
    return [finding_to_plain(f) for f in run_checks(ctx, select_checks(None)).findings]


def _same(tg: TrustGraph, scan: bool = True) -> int:
    session = SolverSession()
    old, none = _reach(tg, False, session)
    new, hits = _reach(tg, True, session)
    assert none == 0
    assert len(new) == len(old)
    for a, b in zip(new, old, strict=True):
        assert a == b, (a[0], a[1])
    if scan:
        session = SolverSession()
        old_findings = _scan(tg, False, session)
        assert _scan(tg, True, session) == old_findings
    return hits


def test_bundled_example() -> None:
    _same(load())


def test_two_account_sample() -> None:
    _same(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]))


@pytest.mark.parametrize(("profile", "seed"), [
    ("mix", 1), ("federation-heavy", 1), ("chain-heavy", 1), ("vendor-heavy", 1), ("condition-heavy", 1),
    ("random", 1), ("random", 2), ("random", 6),
])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    _same(load(tmp_path), scan=profile != "condition-heavy")


def test_classes_answer_hub_members(tmp_path: Path) -> None:
    """On random seed 1 (wildcard sts:AssumeRole grants, roles trusting their account root) most member hops are
    answered from a class, with the same results."""
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=2, roles_per_account=40, seed=1, profile="random")
    assert _same(load(tmp_path), scan=False) > 10


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().hop_classes
    assert SolverOptions().hop_classes
