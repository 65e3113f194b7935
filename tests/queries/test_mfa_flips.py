"""The search asks a hop from a symbolic outsider into a role for the other MFA outcome only when something the
role's session does next may read MFA (:mod:`trustgraph.queries.mfa`). The reference asks it always
(``mfa_read_after`` answering True): the findings of the reach checks and every search's states of first arrival and
paths are the same either way, on the bundled example, the two-account sample and small organizations of the
profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from twins import twin as twin_of

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import CHECKS_BY_ID
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.queries import mfa
from trustgraph.queries.options import QueryOptions
from trustgraph.smt.session import SolverSession

REACH_CHECKS = tuple(CHECKS_BY_ID[c] for c in (
    "external-without-external-id", "external-without-mfa", "public-role", "external-path-to-admin"))
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"


def _answers(tg: TrustGraph, session: SolverSession) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    fresh = twin_of(tg, session)
    findings = [finding_to_plain(f) for f in run_checks(ScanContext(fresh), REACH_CHECKS).findings]
    paths: dict[str, Any] = {}
    outsiders = ScanContext(fresh).outside_account_nodes + ScanContext(fresh).outsider_members()
    for source in outsiders:
        outcome = fresh.engine.search(source, QueryOptions(), outside_only=source in ("external",))
        for node, state in outcome.first.items():
            paths[f"{source} -> {node}"] = (state, outcome.path_to(state))
    return findings, paths, len(fresh.engine.mfa_after)


def _same(tg: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> int:
    session = SolverSession()
    pruned, pruned_paths, asked = _answers(tg, session)
    with monkeypatch.context() as m:
        m.setattr(mfa, "mfa_read_after", lambda engine, role: True)
        reference, reference_paths, _ = _answers(tg, session)
    assert pruned == reference
    assert pruned_paths == reference_paths
    assert asked  # the estate reads MFA somewhere: the rule was consulted
    return len(pruned)


def test_bundled_example(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _same(load(), monkeypatch) > 0


def test_two_account_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _same(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]), monkeypatch) > 0


@pytest.mark.parametrize(("profile", "seed"), [
    # seeds whose organization has a trust policy that reads MFA (else no second outcome is ever asked)
    # (chain-heavy at this size: none of seeds 1-3 has both an outsider and a trust that reads MFA)
    ("mix", 2), ("federation-heavy", 1), ("vendor-heavy", 2), ("condition-heavy", 1)])
def test_profiles(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=seed, profile=profile)
    assert _same(load(tmp_path), monkeypatch) > 0


def test_the_other_outcome_is_asked_only_where_mfa_is_read_later(tmp_path: Path) -> None:
    """In a vendor-heavy organization some outsider hops lead into roles whose session reads MFA next and some do
    not; the second MFA outcome is asked for the former only, and always from a source that is not a symbolic
    outsider (an IAM user starts in both)."""
    from trustgraph.semantics.request import Action
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=2, profile="vendor-heavy")
    tg = load(tmp_path)
    assert tg.engine.mfa_sensitive
    roles = [n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role"]
    read = {r: mfa.mfa_read_after(tg.engine, r) for r in roles}
    assert any(read.values()) and not all(read.values())
    for role, reads in read.items():
        assert tg.engine.flips_mfa("external", Action.ASSUME_ROLE, role) is reads
        assert tg.engine.flips_mfa("external", Action.ASSUME_ROLE) is True  # no role given: always (backward.py)
        assert tg.engine.flips_mfa(roles[0], Action.ASSUME_ROLE, role) is False  # a role session is concrete
