"""The fixed-value refutation test answered per trust-policy content and caller state
(``ReachabilityEngine.trust_refutations``, :class:`~trustgraph.queries.refutations.TrustRefutations`) instead of per
refutation key of the role: every hop a scan tested that way is refuted exactly when the test of the hop's own caller
and role refutes it (the reference, :func:`~trustgraph.queries.fixed.fixed_refutes` per hop), the trust ids share
tests the per-role keys make apart, a trust policy that reads the role's own keys keeps roles apart, and whole scans
with the switch on and off give the same findings, witnesses included."""

from __future__ import annotations

from pathlib import Path

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
from trustgraph.semantics.request import Action

ORGS = [("example", 0), ("sample", 0), ("random", 2), ("random", 5), ("random", 8), ("random", 13),
        ("condition-heavy", 1), ("vendor-heavy", 1), ("federation-heavy", 1)]


def _each_hop_its_own(tg: TrustGraph) -> tuple[int, int, int]:
    """Scan a twin of ``tg`` with the switch on; every hop it tested equals the hop's own test. Returns (hops tested,
    hops refuted, tests made)."""
    assert ReachabilityEngine.trust_refutations and ReachabilityEngine.class_refutations
    scanned = twin(tg)
    engine = scanned.engine
    tested = refutations_each_its_own(scanned)
    assert not engine._class_refuted and not engine._refuted  # the per-role path was not taken
    return len(tested), sum(tested.values()), engine._trust_refuted.tests


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_every_refutation_is_the_hops_own(name: str, seed: int, tmp_path: Path) -> None:
    hops, _, tests = _each_hop_its_own(small_org(name, seed, tmp_path))
    assert tests <= hops


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=20, max_value=10_000))
def test_trust_refutations_on_random_organizations(seed: int, tmp_path: Path) -> None:
    _each_hop_its_own(small_org("random", seed, tmp_path / str(seed)))


@pytest.mark.parametrize("seed", [5, 8])
def test_trust_ids_share_what_role_keys_keep_apart(seed: int, tmp_path: Path) -> None:
    """4 accounts of 40 roles of the random profile: some hops refuted and some not, and fewer tests than the
    per-role refutation keys make (roles of one trust text share their verdicts)."""
    from trustgraph.api import load
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=4, roles_per_account=40, seed=seed, profile="random")
    tg = load(tmp_path)
    hops, refuted, tests = _each_hop_its_own(tg)
    assert 0 < refuted < hops
    with switched(ReachabilityEngine, "trust_refutations", False):
        scanned = twin(tg)
        scan_findings(scanned)
    assert tests < len(scanned.engine._class_refuted)


@pytest.mark.parametrize(("name", "seed"), [("random", 5), ("random", 8), ("condition-heavy", 1), ("sample", 0)])
def test_scans_with_the_switch_off_are_the_same(name: str, seed: int, tmp_path: Path) -> None:
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (ReachabilityEngine, "trust_refutations"))


@pytest.mark.parametrize("key", ["aws:ResourceTag/env", "aws:ResourceAccount"])
def test_a_trust_reading_the_roles_keys_keeps_roles_apart(key: str) -> None:
    """Two roles with the same trust policy text, pinning (beside the caller's choice of address, so evaluation does
    not decide the hop) a resource key only one of them meets: one refuted and the other not, in either order, each
    as its own test says (a trust id of the text alone would give the second the first's verdict)."""
    from .builders import account, graph, role, trust

    a, b, c = "111122223333", "444455556666", "777788889999"  # the caller in c: neither role in its account
    tagged = key.endswith("env")
    condition = {"StringEquals": {key: "prod" if tagged else a}, "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    assume = {"PolicyName": "assume", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}
    doc = trust({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{c}:root"}, "Action": "sts:AssumeRole",
                 "Condition": condition})
    caller = role(c, "caller", trust({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{c}:root"},
                                      "Action": "sts:AssumeRole"}), inline=[assume])
    met, unmet = role(a, "met", doc), role(a if tagged else b, "unmet", doc)
    met["Tags"] = [{"Key": "env", "Value": "prod"}]
    unmet["Tags"] = [{"Key": "env", "Value": "dev"}]
    accounts = ([account(a, roles=[met, unmet])] if tagged else [account(a, roles=[met]), account(b, roles=[unmet])])
    for order in (("met", "unmet"), ("unmet", "met")):
        tg = graph(account(c, roles=[caller]), *accounts)
        engine = tg.engine
        state = (f"arn:aws:iam::{c}:role/caller", False)
        for name in order:
            target = next(r for r in engine.estate.role_by_arn if r.endswith(f":role/{name}"))
            assert engine.fixed_refutes(state, target, Action.ASSUME_ROLE) is (name == "unmet"), (key, name)
            own = fixed_refutes(engine.caller(*state), engine.target(target), Action.ASSUME_ROLE,  # type: ignore[arg-type]
                                engine.now_ms)
            assert own is (name == "unmet")
        assert engine._trust_refuted.tests == 2
