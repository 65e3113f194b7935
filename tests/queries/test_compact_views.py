"""The views memos of the evaluated hop classes nested per (action, policy text or signature) then role, each view
and each role's views one tuple per content (``EvaluatedClasses.compact_views``), against the reference (flat
memos, a tuple of their own per entry): the same views for every (policy, action, role) asked, the same class keys,
the engine the same memoised answers, filed answers and kept leads, the outsider searches and the mixed searches the
same states, paths and undecided hops, and a scan the same findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from tests.queries.engines import same_scans
from tests.queries.test_arn_blind_views import _mixed
from tests.queries.test_class_moves import _engine_state, _searched
from trustgraph.api import TrustGraph
from trustgraph.queries.evalclass import EvaluatedClasses

ORGS = [("example", 0), ("sample", 0), ("vendor-heavy", 1), ("federation-heavy", 1), ("federation-heavy", 2),
        ("mix", 1), ("chain-heavy", 3), ("random", 2), ("random", 5)]


def _compact(tg: TrustGraph, compact: bool) -> TrustGraph:
    tg.engine.evaluated.compact_views = compact
    return tg


def _views(classes: EvaluatedClasses, flat: EvaluatedClasses) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Every view kept by ``classes`` (by its flat key) next to the view the reference memo ``flat`` has for it."""
    mine: dict[Any, Any] = {}
    for action, per_text in classes._nested_views.items():
        for text, per_role in per_text.items():
            for arn, view in per_role.items():
                mine[(text, action, arn)] = view
    return mine, dict(flat._views)


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_compact_views_equal_the_flat_views(name: str, seed: int, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Same outsider searches, mixed searches, engine memos and views with the nested, shared views as with the flat
    ones; on the federation-heavy shape views repeat (fewer contents than entries). Every hop's key is computed
    (``deferred_keys`` off: the views of every hop, not only of the hops that may share a class)."""
    monkeypatch.setattr(EvaluatedClasses, "deferred_keys", False)
    tg = small_org(name, seed, tmp_path)
    fast_tg = _compact(twin(tg), True)
    slow_tg = _compact(twin(tg), False)
    fast, fast_engine, _, _ = _searched(fast_tg, True, True)
    slow, slow_engine, _, _ = _searched(slow_tg, True, True)
    assert fast == slow
    assert _mixed(fast_tg) == _mixed(slow_tg)
    assert _engine_state(fast_engine) == _engine_state(slow_engine)
    fast_classes, slow_classes = fast_engine.evaluated, slow_engine.evaluated
    mine, reference = _views(fast_classes, slow_classes)
    assert mine == reference
    assert fast_classes.view_keys() == list(mine) and slow_classes.view_keys() == list(reference)
    assert not fast_classes._views and not fast_classes._role_views
    assert not slow_classes._nested_views and not slow_classes._nested_role_views
    nested_roles = {(sig, action, arn): hit for action, per_sig in fast_classes._nested_role_views.items()
                    for sig, per_role in per_sig.items() for arn, hit in per_role.items()}
    assert nested_roles == slow_classes._role_views
    if name == "federation-heavy":
        assert len(fast_classes._view_contents) < len(mine) + len(nested_roles)


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_class_keys_equal(name: str, seed: int, tmp_path: Path) -> None:
    """Every class key computed with nested views equals the reference's for the same hop (callers' states and
    roles asked in the same order on both)."""
    tg = small_org(name, seed, tmp_path)
    fast_tg = _compact(twin(tg), True)
    slow_tg = _compact(twin(tg), False)
    engines = (fast_tg.engine, slow_tg.engine)
    from trustgraph.semantics.request import Action, Caller

    G = tg.graph
    roles = sorted(n for n in G.nodes if G.nodes[n]["kind"] == "role")
    states = [(n, False) for n in sorted(G.nodes) if G.nodes[n]["kind"] in ("role", "user")]
    asked = 0
    for state in states:
        callers = [e.caller(*state) for e in engines]
        if not isinstance(callers[0], Caller):
            continue
        for role in roles[:40]:
            keys = [e.evaluated._class_key(state, c, e.target(role), Action.ASSUME_ROLE, (), False, e.now_ms)
                    for e, c in zip(engines, callers, strict=True)]
            assert keys[0] == keys[1]
            asked += 1
    assert asked


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("federation-heavy", 1), ("random", 2)])
def test_scans_equal_with_flat_views(name: str, seed: int, tmp_path: Path) -> None:
    """Every check's findings, witnesses included, with the nested views on and off (fresh engines)."""
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (EvaluatedClasses, "compact_views"))
