"""A mixed search stopped at its shortest administrator answer reading each length's admin-relevant offers first
(``AssumeReaches(admin_first=True)``: escalation edges, and the admin-equivalent roles of its assume-role searches'
next depths peeked without advancing them, :func:`~trustgraph.queries.peek.peek_layer`), against the reference,
which reads every layer whole (``admin_first=False``): every principal's ``query(principal, "admin", via="all")``
field by field, the privilege-escalation check's findings (with and without its one-hop answers), and whole scans
with escalation edges (``via="all"``: the reach checks advance the shared searches the mixed searches replay). On the
bundled example, the privilege-escalation fixtures, the two-account sample, small generated organizations of every
profile, random organizations drawn by hypothesis, and with undecided hops."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org
from twins import twin

from tests.queries.engines import first_difference, undecided
from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.privilege_escalation import PrivilegeEscalation
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.ingest.load import load_estate
from trustgraph.queries.escalate import layered_mixed_search
from trustgraph.queries.evalclass import EvaluatedClasses
from trustgraph.queries.options import QueryOptions
from trustgraph.smt.session import SolverSession

from .helpers import switched

PRIVESC = Path(__file__).resolve().parents[1] / "data" / "privesc"
Patch = Callable[[TrustGraph], None] | None


def _fresh(tg: TrustGraph, session: SolverSession, patch: Patch, admin_first: bool) -> TrustGraph:
    fresh = twin(tg, session)
    if patch is not None:
        patch(fresh)
    fresh.assume_reaches().admin_first = admin_first
    return fresh


def _findings(tg: TrustGraph, checks: list[Any], session: SolverSession, patch: Patch, admin_first: bool
              ) -> tuple[list[dict[str, Any]], int]:
    fresh = _fresh(tg, session, patch, admin_first)
    found = run_checks(ScanContext(fresh, via="all"), checks).findings
    return [finding_to_plain(f) for f in found], fresh.assume_reaches().peeked


def _compare(tg: TrustGraph, patch: Patch = None) -> int:
    """Answers and findings with the fast path and without it (equal, field by field); return how many lengths the
    fast path answered from the admin-relevant offers alone, over the comparisons."""
    session = SolverSession()
    peeked = 0
    for checks in ([PrivilegeEscalation()], [PrivilegeEscalation(length_one=False)], list(CHECKS)):
        (new, n), (old, o) = (_findings(tg, checks, session, patch, flag) for flag in (True, False))
        assert o == 0
        peeked += n
        where = first_difference(new, old)
        assert where is None, f"{[c.id for c in checks]}: {where}"
    fast, reference = (_fresh(tg, session, patch, flag) for flag in (True, False))
    options = QueryOptions.make(via="all")
    for p in sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] in ("user", "role")):
        got, want = fast.query(p, "admin", options)[0], reference.query(p, "admin", options)[0]
        assert (got.source, got.target, got.verdict, got.hops, got.reason, got.approximations) == (
            want.source, want.target, want.verdict, want.hops, want.reason, want.approximations), p
    more: int = fast.assume_reaches().peeked
    return peeked + more


def test_bundled_example_and_sample(tmp_path: Path) -> None:
    for name in ("example", "sample"):
        _compare(small_org(name, 0, tmp_path))


def test_privilege_escalation_fixtures() -> None:
    assert _compare(TrustGraph(load_estate([PRIVESC]))) > 0


@pytest.mark.parametrize(("profile", "seed"), [
    ("mix", 1), ("federation-heavy", 1), ("chain-heavy", 1), ("vendor-heavy", 1), ("condition-heavy", 1),
    ("random", 1), ("random", 2), ("random", 3), ("random", 6),
])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    peeked = _compare(small_org(profile, seed, tmp_path))
    if profile == "random" and seed in (1, 3, 6):  # escalation edges to administrators, wildcard assume grants
        assert peeked > 0


@pytest.mark.parametrize("every", [2, 5])
def test_undecided_hops(every: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=3, profile="random")
    assert _compare(load(tmp_path), undecided(every)) > 0


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=7, max_value=10_000))
def test_random_organizations(seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    from trustgraph.synth import synthesize

    folder = tmp_path_factory.mktemp("random")
    synthesize(folder, accounts=3, roles_per_account=15, seed=seed, profile="random")
    _compare(load(folder))


def test_peeked_hops_are_not_decided_again(tmp_path: Path) -> None:
    """The hops a peek decides are kept where the replays read them: a query asked again on the same engine, after
    the same queries, decides no hop; and with the fast path, the queries of every principal decide fewer hops than
    the reference's (random seed 1: length-2 answers read one admin-equivalent role per peeked layer). Role classes
    (``EvaluatedClasses.role_classes``) share those very decisions between roles of one class, so the saving is
    measured without them; with them the fast path decides no more than the reference."""
    tg = small_org("random", 1, tmp_path)
    options = QueryOptions.make(via="all")
    principals = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] in ("user", "role"))

    def decisions(flag: bool) -> int:
        fresh = _fresh(tg, SolverSession(), None, flag)
        counted = {"n": 0}
        decide = fresh.engine.decide

        def counting(*args: Any, _decide: Any = decide, _counted: dict[str, int] = counted, **kwargs: Any) -> Any:
            _counted["n"] += 1
            return _decide(*args, **kwargs)

        fresh.engine.decide = counting  # type: ignore[method-assign]
        for p in principals:
            fresh.query(p, "admin", options)
        before = counted["n"]
        for p in principals:
            fresh.query(p, "admin", options)
        assert counted["n"] == before
        return before

    with switched(EvaluatedClasses, "role_classes", False):
        assert decisions(True) < decisions(False)
    assert decisions(True) <= decisions(False)


def test_switch_is_read_by_the_search(tmp_path: Path) -> None:
    """``admin_first`` False: no length answered from peeked offers; True: some (random seed 1). And only a search
    stopped at its administrator answer peeks (``stop_at_admin`` False reads every layer whole)."""
    tg = small_org("random", 1, tmp_path)
    options = QueryOptions.make(via="all")
    principals = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] in ("user", "role"))
    for flag, stop in ((False, True), (True, False), (True, True)):
        fresh = _fresh(tg, SolverSession(), None, flag)
        reaches = fresh.assume_reaches()
        for p in principals:
            layered_mixed_search(fresh.engine, fresh.escalations(), p, (p,), options, reaches=reaches,
                                 stop_at_admin=stop)
        assert (reaches.peeked > 0) is (flag and stop)
