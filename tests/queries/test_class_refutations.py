"""The fixed-value refutation test (``queries.fixed``) answered once per refutation key
(``ReachabilityEngine.class_refutations``, :meth:`EvaluatedClasses.refutation_key`) instead of once per hop: every hop
a scan refuted or let through that way is what the test of the hop's own caller says (the reference,
:func:`~trustgraph.queries.fixed.fixed_refutes` per hop), the key shares tests on the random profile (whose trusts
open to the organization make hub roles that many sessions ask), and whole scans with the switch on and off give the
same findings, witnesses included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org
from twins import twin

from tests.checks.helpers import switched
from tests.queries.engines import refutations_each_its_own, same_scans, scan_findings
from trustgraph.api import TrustGraph
from trustgraph.queries.engine import ReachabilityEngine
from trustgraph.queries.fixed import fixed_refutes
from trustgraph.semantics.request import Caller

ORGS = [("example", 0), ("sample", 0), ("random", 2), ("random", 5), ("random", 8), ("random", 13),
        ("condition-heavy", 1), ("vendor-heavy", 1), ("federation-heavy", 1)]


def _each_hop_its_own(tg: TrustGraph) -> tuple[int, int]:
    """Scan a twin of ``tg`` with the switch on (the per-trust path, ``trust_refutations``, off: tested in
    test_trust_refutations.py); every hop it tested equals the hop's own test. Returns (hops tested, keys)."""
    with switched(ReachabilityEngine, "trust_refutations", False):
        return _each_hop_by_role_keys(tg)


def _each_hop_by_role_keys(tg: TrustGraph) -> tuple[int, int]:
    scanned = twin(tg)
    assert ReachabilityEngine.class_refutations
    engine = scanned.engine
    tested = refutations_each_its_own(scanned)
    assert {hop for hop, refuted in tested.items() if refuted} == set(engine._refuted)  # the refuted hops kept
    return len(tested), len(engine._class_refuted)


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_every_shared_refutation_is_the_hops_own(name: str, seed: int, tmp_path: Path) -> None:
    hops, keys = _each_hop_its_own(small_org(name, seed, tmp_path))
    assert keys <= hops


@pytest.mark.parametrize("seed", [5, 8])
def test_keys_tell_apart_the_callers_a_trust_refutes(seed: int, tmp_path: Path) -> None:
    """4 accounts of 40 roles of the random profile: roles that some callers' fixed values are refuted by and others'
    not (the key must tell those callers apart: a key of the role and action alone fails here), and tests shared."""
    from trustgraph.api import load
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=4, roles_per_account=40, seed=seed, profile="random")
    tg = load(tmp_path)
    hops, keys = _each_hop_its_own(tg)
    assert keys < hops
    with switched(ReachabilityEngine, "class_refutations", False):  # every hop tested kept, either verdict
        scanned = twin(tg)
        scan_findings(scanned)
    verdicts: dict[tuple[str, object], set[bool]] = {}
    for (_, role, action), refuted in scanned.engine._refuted.items():
        verdicts.setdefault((role, action), set()).add(refuted)
    assert any(len(v) == 2 for v in verdicts.values())


@pytest.mark.parametrize(("name", "seed"), [("random", 5), ("random", 8), ("condition-heavy", 1), ("sample", 0)])
@pytest.mark.parametrize("switch", ["class_refutations", "refute_first"])
def test_scans_with_the_switch_off_are_the_same(name: str, seed: int, switch: str, tmp_path: Path) -> None:
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (ReachabilityEngine, switch))


@pytest.mark.parametrize(("name", "seed"), [("random", 5), ("random", 8), ("vendor-heavy", 1), ("random", 2)])
def test_refuting_first_decides_the_same_hops_alike(name: str, seed: int, tmp_path: Path) -> None:
    """The searches from outside (every outsider, account and federated provider, shared hop work) with
    ``refute_first`` on and off: the same searches, moves and engine memos (a refuted hop is a derived Unsat either
    way; no class files anything for it), and the same hop questions asked of the engine's ``decide`` in the same
    order but for the refuted hops of role sessions, which the one-step class moves file themselves when refuting
    first (and leave to ``decide`` otherwise)."""
    from tests.queries.engines import assert_searched_alike, searched_with

    tg = small_org(name, seed, tmp_path)
    with switched(ReachabilityEngine, "refute_first", True):
        fast = searched_with(twin(tg), "class_moves", True, 0)
    with switched(ReachabilityEngine, "refute_first", False):
        slow = searched_with(twin(tg), "class_moves", True, 0)
    assert_searched_alike(fast[:3], slow[:3])
    engine = twin(tg).engine

    def refuted(state: Any, role: str, action: Any) -> bool:
        caller = engine.caller(*state)
        return (isinstance(caller, Caller) and engine.attrs(state[0])["kind"] == "role"
                and fixed_refutes(caller, engine.target(role), action, engine.now_ms))

    assert fast[3] == [hop for hop in slow[3] if not refuted(*hop)]


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=20, max_value=10_000))
def test_class_refutations_on_random_organizations(seed: int, tmp_path: Path) -> None:
    """Random organizations of the random profile: every hop tested through its key is refuted exactly when its own
    caller's test refutes it."""
    _each_hop_its_own(small_org("random", seed, tmp_path / str(seed)))


@pytest.mark.parametrize("read", ["names", "tags"])
def test_a_trust_reading_names_or_tags_keys_callers_apart(read: str) -> None:
    """Two roles of one account with the same policies call a role whose trust pins, beside the caller's choice of
    address (so evaluation does not decide the hop), a principal ARN pattern or a principal tag only one of them
    meets: one refuted and the other not, in either order, each as its own test says (a key without the caller's
    names or tags would give the second the first's answer)."""
    from trustgraph.semantics.request import Action

    from .builders import account, graph, role, trust

    a = "111122223333"
    pinned = ({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{a}:role/in-*"}} if read == "names"
              else {"StringEquals": {"aws:PrincipalTag/team": "in"}})
    condition = {**pinned, "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    assume = {"PolicyName": "assume", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}
    root = trust({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{a}:root"}, "Action": "sts:AssumeRole"})
    callers = [role(a, name, root, inline=[assume]) for name in ("in-1", "out-1")]
    if read == "tags":
        for caller, team in zip(callers, ("in", "out"), strict=True):
            caller["Tags"] = [{"Key": "team", "Value": team}]
    pinned_role = role(a, "pinned", trust({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{a}:root"},
                                           "Action": "sts:AssumeRole", "Condition": condition}))
    for order in (callers, callers[::-1]):
        tg = graph(account(a, roles=[*order, pinned_role]))
        tg.engine.trust_refutations = False  # the per-role keys (the per-trust ones: test_trust_refutations.py)
        engine = tg.engine
        target = f"arn:aws:iam::{a}:role/pinned"
        for name in ("in-1", "out-1") if order is callers else ("out-1", "in-1"):
            state = (f"arn:aws:iam::{a}:role/{name}", False)
            assert engine.fixed_refutes(state, target, Action.ASSUME_ROLE) is (name == "out-1"), (read, name)
        assert len(engine._class_refuted) == 2
