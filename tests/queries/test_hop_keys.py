"""The content memos of a hop's policy facts give the plain computation's answers, field by field.

``HopKeys.by_content`` keeps the keys a hop's policies read (:func:`trustgraph.queries.ground._hop_keys`) per the
caller's policy texts and per SCP/RCP levels object instead of per caller and target object; it is compared with the
plain computation (no memo) and with the per-object reference on generated hops (hypothesis: SCP and RCP levels,
boundaries, session policies, the caller's statements narrowed to the action or not, one memo across examples so
that entries made for one hop serve another) and on every hop evaluation the scans of small generated organizations
ask (recorded, then replayed). ``EvaluatedClasses.shared_levels`` computes the RCPs' part of a role's trust facts
once per levels object: compared with the reference (every role's trust policy and RCP statements walked) on every
role of those organizations, on one engine and on a fresh one per role.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.semantics.test_statement_index import _hop, _policy
from trustgraph.model.policy import Policy
from trustgraph.queries import ground
from trustgraph.queries.evalclass import EvaluatedClasses
from trustgraph.queries.ground import HopKeys, _hop_keys
from trustgraph.semantics.request import Action, Caller, Target
from trustgraph.smt.facts import FactsTable, keys_read

PROFILES = [("chain-heavy", 1), ("federation-heavy", 1), ("mix", 1), ("vendor-heavy", 2), ("condition-heavy", 2),
            ("random", 2), ("random", 5)]


@pytest.fixture()
def _switched_on() -> Iterator[None]:
    assert HopKeys.by_content and EvaluatedClasses.shared_levels
    yield
    assert HopKeys.by_content and EvaluatedClasses.shared_levels


def _reference(caller: Caller, target: Target, action: Action, keys_of: Any, narrowed: Any,
               memo: dict[tuple[Any, ...], tuple[Any, ...]] | None) -> frozenset[str]:
    HopKeys.by_content = False
    try:
        return _hop_keys(caller, target, action, keys_of, narrowed, memo)
    finally:
        HopKeys.by_content = True


@st.composite
def _levels(draw: Any, name: str) -> tuple[tuple[Policy, ...], ...] | None:
    if draw(st.booleans()):
        return None
    return tuple(tuple(_policy(draw, f"{name}{i}-{j}", trust=False, max_size=3) for j in range(draw(st.integers(0, 2))))
                 for i in range(draw(st.integers(0, 3))))


_MEMO: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # one memo across the examples: an entry serves other hops
_NARROWED: dict[tuple[str, Action], frozenset[str]] = {}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hop=_hop(), scps=_levels("scp"), rcps=_levels("rcp"), narrowed=st.booleans(),
       action=st.sampled_from([Action.ASSUME_ROLE, Action.TAG_SESSION]), again=st.booleans())
def test_generated_hops_read_the_same_keys(hop: tuple[Caller, Target, dict[str, str]], scps: Any, rcps: Any,
                                           narrowed: bool, action: Action, again: bool) -> None:
    caller, target, _ = hop
    caller = replace(caller, scp_levels=scps)
    target = replace(target, rcp_levels=rcps)
    facts = FactsTable()

    def keys_of(p: Policy) -> frozenset[str]:
        return facts(p).keys_read

    table = _NARROWED if narrowed else None
    plain = _hop_keys(caller, target, action, keys_of, table, None)
    assert plain == _reference(caller, target, action, keys_of, table, {})
    for _ in range(2 if again else 1):  # asked again, from the memo
        assert _hop_keys(caller, target, action, keys_of, table, _MEMO) == plain
        assert _hop_keys(caller, target, action, keys_read, table, _MEMO) == plain


def _scan_hops(tmp_path: Path, profile: str, seed: int, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[Any]]:
    from trustgraph.api import load
    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.registry import select_checks
    from trustgraph.checks.runner import run_checks
    from trustgraph.synth.write import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=15, seed=seed, profile=profile)
    tg = load(tmp_path)
    seen: list[Any] = []
    original = ground._hop_keys

    def recording(caller: Caller, target: Target, action: Action, keys_of: Any, narrowed: Any, memo: Any
                  ) -> frozenset[str]:
        found = original(caller, target, action, keys_of, narrowed, memo)
        seen.append((caller, target, action, keys_of, narrowed, found))
        return found

    monkeypatch.setattr(ground, "_hop_keys", recording)
    run_checks(ScanContext(tg), select_checks(None), jobs=1)
    monkeypatch.setattr(ground, "_hop_keys", original)
    return tg, seen


@pytest.mark.parametrize(("profile", "seed"), PROFILES)
def test_scan_hops_read_the_same_keys(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      _switched_on: None) -> None:
    tg, seen = _scan_hops(tmp_path, profile, seed, monkeypatch)
    assert seen
    memo: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for caller, target, action, keys_of, narrowed, found in seen:
        plain = _hop_keys(caller, target, action, keys_of, narrowed, None)
        assert found == plain, (caller.arn, target.role.arn)
        assert _reference(caller, target, action, keys_of, narrowed, {}) == plain
        assert _hop_keys(caller, target, action, keys_of, narrowed, memo) == plain  # replayed on one memo

    # every role's trust facts: the RCPs' part shared per levels object, against every statement walked
    engine = tg.engine
    shared, fresh_each = EvaluatedClasses(), None
    for role in sorted(engine.estate.role_by_arn):
        target = engine.target(role)
        got = shared._trust_facts(target)
        fresh_each = EvaluatedClasses()
        assert fresh_each._trust_facts(target) == got
        EvaluatedClasses.shared_levels = False
        try:
            assert EvaluatedClasses()._trust_facts(target) == got, role
        finally:
            EvaluatedClasses.shared_levels = True
