"""A mixed search stopped at its shortest administrator answer without the principals that cannot change it
(``AssumeReaches.skip_dead``: a principal an earlier whole search found leading to no administrator and no undecided
hop is not expanded again, and a query from it is answered at once; ``AssumeReaches.lean_last``: once the answer's
length is known, the other principals of that length are expanded only for the ``admin:`` node an admin-equivalent
offers), against the reference, both off: every principal's ``query(principal, "admin", via="all")`` field by field
(in two orders and asked twice, so that answers come from principals found dead by earlier queries, and with a bound
on the hops, which turns the memo off), the privilege-escalation check's findings (with and without its one-hop
answers) and whole scans with escalation edges. On the bundled example, the privilege-escalation fixtures, the
two-account sample, small generated organizations of every profile, random organizations drawn by hypothesis, and
with undecided hops (whose searches must not mark anything dead)."""

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
from trustgraph.queries.options import QueryOptions
from trustgraph.smt.session import SolverSession

PRIVESC = Path(__file__).resolve().parents[1] / "data" / "privesc"
Patch = Callable[[TrustGraph], None] | None
#: (skip_dead, lean_last): each fast path alone and both, each compared with the reference (both off)
ARMS = ((True, True), (True, False), (False, True))


def _fresh(tg: TrustGraph, session: SolverSession, patch: Patch, flags: tuple[bool, bool]) -> TrustGraph:
    fresh = twin(tg, session)
    if patch is not None:
        patch(fresh)
    reaches = fresh.assume_reaches()
    reaches.skip_dead, reaches.lean_last = flags
    return fresh


def _used(tg: TrustGraph) -> int:
    reaches = tg.assume_reaches()
    return int(reaches.answered_dead + reaches.skipped_dead + reaches.lean_expanded)


def _answers(tg: TrustGraph, principals: list[str], options: QueryOptions) -> list[tuple[Any, ...]]:
    out = []
    for p in principals:
        r = tg.query(p, "admin", options)[0]
        out.append((r.source, r.target, r.verdict, r.hops, r.reason, r.approximations))
    return out


def _compare(tg: TrustGraph, patch: Patch = None) -> dict[tuple[bool, bool], int]:
    """Answers and findings with each fast path and without (equal, field by field); return, per arm, how often the
    fast paths were taken over the comparisons."""
    session = SolverSession()
    used = dict.fromkeys(ARMS, 0)
    reference = (False, False)
    for checks in ([PrivilegeEscalation()], [PrivilegeEscalation(length_one=False)], list(CHECKS)):
        runs: dict[tuple[bool, bool], list[dict[str, Any]]] = {}
        for flags in (*ARMS, reference):
            fresh = _fresh(tg, session, patch, flags)
            runs[flags] = [finding_to_plain(f) for f in run_checks(ScanContext(fresh, via="all"), checks).findings]
            if flags in used:
                used[flags] += _used(fresh)
            else:
                assert _used(fresh) == 0
        for flags in ARMS:
            where = first_difference(runs[flags], runs[reference])
            assert where is None, f"{flags} {[c.id for c in checks]}: {where}"
    principals = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] in ("user", "role"))
    for options in (QueryOptions.make(via="all"), QueryOptions.make(via="all", max_hops=2)):
        for order in (principals, principals[::-1]):
            asked = order + order  # the second time, from whatever the first found dead
            want = _answers(_fresh(tg, session, patch, reference), asked, options)
            for flags in ARMS:
                fresh = _fresh(tg, session, patch, flags)
                got = _answers(fresh, asked, options)
                where = first_difference(got, want)
                assert where is None, f"{flags} {options}: {where}"
                used[flags] += _used(fresh)
    return used


def test_bundled_example_and_sample(tmp_path: Path) -> None:
    for name in ("example", "sample"):
        _compare(small_org(name, 0, tmp_path))


def test_privilege_escalation_fixtures() -> None:
    used = _compare(TrustGraph(load_estate([PRIVESC])))
    assert all(n > 0 for n in used.values()), used


@pytest.mark.parametrize(("profile", "seed"), [
    ("mix", 1), ("federation-heavy", 1), ("chain-heavy", 1), ("vendor-heavy", 1), ("condition-heavy", 1),
    ("random", 1), ("random", 2), ("random", 3), ("random", 6),
])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    used = _compare(small_org(profile, seed, tmp_path))
    if profile == "random" and seed in (1, 3, 6):  # escalation edges to administrators, wildcard assume grants
        assert all(n > 0 for n in used.values()), used


@pytest.mark.parametrize("every", [2, 5])
def test_undecided_hops(every: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=3, profile="random")
    _compare(load(tmp_path), undecided(every))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=7, max_value=10_000))
def test_random_organizations(seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    from trustgraph.synth import synthesize

    folder = tmp_path_factory.mktemp("random")
    synthesize(folder, accounts=3, roles_per_account=15, seed=seed, profile="random")
    _compare(load(folder))


def test_dead_needs_a_whole_search_without_undecided_hops(tmp_path: Path) -> None:
    """Nothing is marked dead by searches bounded in hops; what unbounded searches mark dead is answered Unreachable
    (never Unknown) by the reference, and with some hops undecided fewer principals are (random seed 1)."""
    from trustgraph.queries.results import Reach

    tg = small_org("random", 1, tmp_path)
    principals = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] in ("user", "role"))
    unbounded = QueryOptions.make(via="all")
    counts = []
    for patch, options in ((None, QueryOptions.make(via="all", max_hops=3)), (None, unbounded),
                           (undecided(2), unbounded)):
        session = SolverSession()
        fresh = _fresh(tg, session, patch, (True, True))
        _answers(fresh, principals, options)
        dead = fresh.assume_reaches().dead(unbounded, fresh.escalations())
        assert dead is not None
        reference = _fresh(tg, session, patch, (False, False))
        for p in sorted(dead):
            assert reference.query(p, "admin", unbounded)[0].verdict is Reach.UNREACHABLE, p
        counts.append(len(dead))
    assert counts[0] == 0 and counts[1] > counts[2], counts
