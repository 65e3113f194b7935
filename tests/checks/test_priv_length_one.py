"""The privilege-escalation check's answers for principals that obtain administrator power in one hop, found from
their escalation edges and their first hops into admin-equivalent roles alone (``PrivilegeEscalation(length_one=
True)``, :class:`~trustgraph.queries.escalate.LengthOne`), against the reference, which asks every principal's
``query(principal, "admin", via="all")``: the check's findings field by field, and each principal's answer against
its query (an escalation path equal field by field; "by assuming a role" only where the query's shortest path is one
assume hop). On the bundled example, the privilege-escalation fixtures, the two-account sample, small generated
organizations of every profile, random organizations drawn by hypothesis, and with undecided hops."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org
from twins import twin

from tests.queries.engines import undecided
from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.privilege_escalation import PrivilegeEscalation
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.ingest.load import load_estate
from trustgraph.queries.escalate import BY_ASSUMING, LengthOne
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach, ReachResult
from trustgraph.smt.session import SolverSession

PRIVESC = Path(__file__).resolve().parents[1] / "data" / "privesc"
Patch = Callable[[TrustGraph], None] | None


def _findings(tg: TrustGraph, length_one: bool, session: SolverSession, patch: Patch) -> list[dict[str, Any]]:
    fresh = twin(tg, session)
    if patch is not None:
        patch(fresh)
    found = run_checks(ScanContext(fresh, via="all"), [PrivilegeEscalation(length_one=length_one)]).findings
    return [finding_to_plain(f) for f in found]


def _compare(tg: TrustGraph, patch: Patch = None) -> tuple[int, int, int]:
    """The check's findings with and without the fast path (equal, field by field), and each principal's answer
    against its query; return (findings, escalation paths answered, answered by assuming)."""
    session = SolverSession()
    new, old = _findings(tg, True, session, patch), _findings(tg, False, session, patch)
    assert [(f["check_id"], f["role"]) for f in new] == [(f["check_id"], f["role"]) for f in old]
    for a, b in zip(new, old, strict=True):
        assert a == b, a["role"]
    fast, reference = twin(tg, session), twin(tg, session)
    for one in (fast, reference):
        if patch is not None:
            patch(one)
    quick = LengthOne(fast.engine, fast.escalations())
    options = QueryOptions.make(via="all")
    for p in sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] in ("user", "role")):
        got = quick.result(p, options)
        if got is None:
            continue
        want = reference.query(p, "admin", options)[0]
        if got == BY_ASSUMING:
            assert want.verdict is Reach.REACHABLE and want.hops and not any(h.method for h in want.hops), p
            continue
        assert isinstance(got, ReachResult)
        assert (got.source, got.target, got.verdict, got.hops, got.reason, got.approximations) == (
            want.source, want.target, want.verdict, want.hops, want.reason, want.approximations), p
    return len(new), quick.answered, quick.assuming


def test_bundled_example_and_sample(tmp_path: Path) -> None:
    for name in ("example", "sample"):
        _compare(small_org(name, 0, tmp_path))


def test_privilege_escalation_fixtures() -> None:
    findings, answered, _ = _compare(TrustGraph(load_estate([PRIVESC])))
    assert findings > 0 and answered > 0


@pytest.mark.parametrize(("profile", "seed"), [
    ("mix", 1), ("federation-heavy", 1), ("chain-heavy", 1), ("vendor-heavy", 1), ("condition-heavy", 1),
    ("random", 1), ("random", 2), ("random", 3), ("random", 6),
])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    _, answered, assuming = _compare(small_org(profile, seed, tmp_path))
    if profile == "random" and seed in (1, 3, 6):  # escalation edges to administrators, wildcard assume grants
        assert answered > 0 and assuming > 0


@pytest.mark.parametrize("every", [2, 5])
def test_undecided_hops(every: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=3, profile="random")
    _, answered, assuming = _compare(load(tmp_path), undecided(every))
    assert answered + assuming > 0


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=7, max_value=10_000))
def test_random_organizations(seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    from trustgraph.synth import synthesize

    folder = tmp_path_factory.mktemp("random")
    synthesize(folder, accounts=3, roles_per_account=15, seed=seed, profile="random")
    _compare(load(folder))


def test_switch_off_asks_every_query(tmp_path: Path) -> None:
    """With the switch off no principal is answered without its query; with it on, some are (random seed 1)."""
    tg = small_org("random", 1, tmp_path)
    for length_one, asked in ((False, False), (True, True)):
        fresh = twin(tg, SolverSession())
        ctx = ScanContext(fresh, via="all")
        run_checks(ctx, [PrivilegeEscalation(length_one=length_one)])
        made = ctx.once(("privilege-escalation", "length-one"), lambda: None)
        assert (made is not None and made.answered + made.assuming > 0) is asked


def _crafted(tmp_path: Path) -> TrustGraph:
    """The privilege-escalation fixtures with the three orderings of one-hop administrator offers: ``AdminRole``
    (admin-equivalent, account 123456789012) also trusts ``tp-putuserpolicy-self`` (an edge to ``admin:`` of its
    own account: the edge wins over assuming a role of the same account) and ``tp-updateassumerolepolicy`` (an edge
    to ``AdminRole`` only: assuming it wins); ``OtherAdmin`` (admin-equivalent, account 000000000001, whose
    ``admin:`` node sorts first) trusts ``tp-attachuserpolicy-self`` (an edge to ``admin:`` of its own account:
    assuming wins)."""
    import json
    import shutil

    folder = tmp_path / "crafted"
    shutil.copytree(PRIVESC, folder, ignore=shutil.ignore_patterns("*.py"))
    gaad = folder / "gaad-123456789012.json"
    data = json.loads(gaad.read_text())
    account = "arn:aws:iam::123456789012"
    for role in data["RoleDetailList"]:
        if role["RoleName"] == "AdminRole":
            role["AssumeRolePolicyDocument"]["Statement"].append({
                "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": [
                    f"{account}:user/tp-putuserpolicy-self", f"{account}:user/tp-updateassumerolepolicy"]}})
    for user in data["UserDetailList"]:
        if user["UserName"] == "tp-attachuserpolicy-self":
            statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
            user["UserPolicyList"].append({"PolicyName": "assume", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": [statement]}})
    gaad.write_text(json.dumps(data))
    other = {"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [{
        "Path": "/", "RoleName": "OtherAdmin", "RoleId": "AROA1111111111111111",
        "Arn": "arn:aws:iam::000000000001:role/OtherAdmin", "AttachedManagedPolicies": [], "InstanceProfileList": [],
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"AWS": f"{account}:user/tp-attachuserpolicy-self"}}]},
        "RolePolicyList": [{"PolicyName": "p0", "PolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}]}
    (folder / "gaad-000000000001.json").write_text(json.dumps(other))
    return TrustGraph(load_estate([folder]))


def test_offers_of_one_hop_in_the_search_order(tmp_path: Path) -> None:
    """Each ordering of the one-hop offers answered as the query answers it: the edge to the own account's
    administrator before a role of that account obtained by assuming it, a role obtained by assuming it before an
    edge to that role, an account whose ``admin:`` sorts first before the own account's edge."""
    tg = _crafted(tmp_path)
    _compare(tg)
    quick = LengthOne(twin(tg).engine, tg.escalations())
    options = QueryOptions.make(via="all")
    user = "arn:aws:iam::123456789012:user/"
    direct = quick.result(user + "tp-putuserpolicy-self", options)
    assert isinstance(direct, ReachResult) and direct.target == "admin:123456789012"
    assert [h.method for h in direct.hops] == ["iam-007"]
    assert quick.result(user + "tp-updateassumerolepolicy", options) == BY_ASSUMING
    assert quick.result(user + "tp-attachuserpolicy-self", options) == BY_ASSUMING
