"""Plain role sessions per role (``ReachabilityEngine(per_role_plain=True)``, :meth:`~trustgraph.queries.engine.
ReachabilityEngine.plain_session`, :meth:`~trustgraph.queries.demandmap.DemandMap.quiet`) against the reference
(``per_role_plain=False``: in an estate where some policy reads a carried value, no role session is plain): the same
answers field by field (:func:`engines.compare_engines`: sources, verdicts, paths, each hop's witness request,
reasons, approximations) for every role from every source under three option sets, also with the hops into every
third role made Unknown (:func:`engines.make_undecided`; then an undecided answer's reason may name fewer
undecided hops, :func:`_undecided_key`), the same outsider searches of the shared searches
(:func:`engines.outsider_searches`: states, parents, witnesses, undecided hops) and the same scan findings. Compared
on generated chains that read carried tags and source identities and on small random organizations whose policies
read transitive session tags. Each comparison also checks that the fast path ran: some role session with carried
values demanded in its estate was plain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from twins import twin

from tests.queries.builders import account, allow_aws, graph, role, trust
from tests.queries.engines import compare_engines, make_undecided, outsider_searches, result_key, scan_findings
from tests.queries.engines import first_difference as differs
from tests.queries.helpers import synthesized
from tests.queries.test_role_demand import ASSUME_TAG, TAGGING, A, B, arn, chain_estates
from trustgraph.api import TrustGraph
from trustgraph.ingest.zone_file import zone_from_ids
from trustgraph.queries.results import Reach, ReachResult
from trustgraph.smt.session import SolverSession


def _pair(tg: TrustGraph, undecided: int = 0) -> tuple[TrustGraph, TrustGraph]:
    """A twin with per-role plain sessions and a reference one (``per_role_plain`` off), reading one solver session
    (which of several valid witnesses a hop gets depends on the order questions are asked in), each with the hops
    into every ``undecided``-th role Unknown."""
    session = SolverSession()
    fast, slow = twin(tg, session), twin(tg, session)
    slow.engine.per_role_plain = False
    for one in (fast, slow):
        make_undecided(one, undecided)
    return fast, slow


def _undecided_key(r: ReachResult) -> tuple[Any, ...]:
    """:func:`engines.result_key`, an undecided answer's reason left out (its verdict, path and the rest kept): the
    reason lists the undecided hops the search met, and a plain session does not ask a hop into a role it already
    reached (as in an estate where nothing is demanded), so the reference also lists those (which lead nowhere the
    search had not reached: their one state was reached already)."""
    k = result_key(r)
    return k if r.verdict is not Reach.UNKNOWN else (*k[:5], "undecided", *k[6:])


def _plain_ran(tg: TrustGraph) -> int:
    """How many role sessions the per-role engine found plain in an estate where carried values are demanded (0
    when none is demanded: then every session is plain in both and the comparison covers nothing)."""
    engine = tg.engine
    if not engine.demand or engine._demand_map is None:
        return 0
    return sum(engine._demand_map._quiet.values())


def test_switch_off_is_the_reference(tmp_path: Path) -> None:
    """With the switch off no role session is plain where anything is demanded; on, some are, and every Sat hop
    from a plain one leads to one state only (no carried value asked)."""
    from trustgraph.queries.options import QueryOptions
    from trustgraph.semantics.request import Action
    from trustgraph.smt.solve import Sat

    tg = synthesized(tmp_path, "random", 6, 25)
    fast, slow = _pair(tg)
    assert fast.engine.demand
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    assert not any(slow.engine.plain_session(r) for r in roles)
    assert all(slow.engine.asks_carried(r) for r in roles)
    quiet = [r for r in roles if fast.engine.plain_session(r)]
    assert quiet
    engine, options, sat = fast.engine, QueryOptions(), 0
    for node in quiet:
        for nxt, data in engine.candidates.lazy_candidates(node):
            action = Action(data["action"])
            result = engine.decide((node, False), nxt, action, options, ())
            if isinstance(result, Sat):
                sat += 1
                leads = engine.sat_leads((node, False), nxt, action, options, (), result)
                assert len(leads) == 1, (node, nxt, leads)
    assert sat > 0


def _tag_only_through_a_role() -> TrustGraph:
    """B -> Plain (no tag may be passed) and B -> Tagged (no tag may be passed by B), Plain -> Tagged (a transitive
    tag may be passed by Plain) and Tagged -> Reader (reads aws:PrincipalTag/team): Reader is reached only by the
    session of Tagged carrying the tag Plain passed, on a hop from Plain into a role already reached as plain, so
    Plain's session must not be plain; Reader's (nothing after it reads a tag) may be."""
    outside = f"arn:aws:iam::{B}:root"
    return graph(account(A, roles=[
        role(A, "Plain", trust(allow_aws(outside)), inline=[TAGGING]),
        role(A, "Tagged", trust(allow_aws(outside), allow_aws(arn("Plain"), None, ASSUME_TAG)), inline=[TAGGING]),
        role(A, "Reader", trust(allow_aws(arn("Tagged"), {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
                                          ASSUME_TAG)), inline=[TAGGING]),
    ]), zone=zone_from_ids([A]))


def test_a_tag_passed_into_a_role_reached_before() -> None:
    tg = _tag_only_through_a_role()
    fast, slow = _pair(tg)
    assert not fast.engine.plain_session(arn("Plain"))
    assert fast.engine.plain_session(arn("Reader"))
    found = fast.can_reach(f"account:{B}", arn("Reader"))
    assert found.verdict is Reach.REACHABLE, found
    assert [h.target for h in found.hops] == [arn("Plain"), arn("Tagged"), arn("Reader")]
    compared = compare_engines("tag through a role", {"per-role plain": fast, "reference": slow},
                               sources=(None, "external", f"account:{B}"))
    assert compared.reachable > 0 and _plain_ran(fast) > 0


@pytest.mark.parametrize(("seed", "undecided"), [(6, 0), (8, 0), (6, 3), (8, 3)])
def test_small_random_organizations(seed: int, undecided: int, tmp_path: Path) -> None:
    tg = synthesized(tmp_path, "random", seed, 25)
    assert tg.engine.demand, "the estate must read a carried value"
    fast, slow = _pair(tg, undecided)
    compared = compare_engines(f"random-{seed}", {"per-role plain": fast, "reference": slow},
                               key=_undecided_key if undecided else None)
    assert compared.reachable > 0
    if undecided:
        assert compared.count(Reach.UNKNOWN) > 0
    assert _plain_ran(fast) > 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_estates())
def test_generated_chains(tg: TrustGraph) -> None:
    fast, slow = _pair(tg)
    compare_engines("generated chain", {"per-role plain": fast, "reference": slow},
                    sources=(None, "external", f"account:{B}"))


class _EngineSearches:
    """The engine's own search (:meth:`~trustgraph.queries.engine.ReachabilityEngine.search`) where
    :func:`engines.outsider_searches` asks the shared searches."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def search(self, source: str, options: Any, *, outside_only: bool = False) -> Any:
        return self.engine.search(source, options, outside_only=outside_only)


@pytest.mark.parametrize(("seed", "undecided"), [(0, 0), (6, 0), (8, 3)])
def test_outsider_searches_and_findings(seed: int, undecided: int, tmp_path: Path) -> None:
    """The shared searches' outsider searches (plain expansions, hub lists, class moves) and the scan's findings are
    those of the reference (seed 0: :func:`_tag_only_through_a_role`)."""
    from trustgraph.checks.context import ScanContext
    from trustgraph.queries.shared import SharedSearches

    tg = _tag_only_through_a_role() if seed == 0 else synthesized(tmp_path, "random", seed, 25)
    fast, slow = _pair(tg, undecided)
    # the fast path's shared searches against the reference engine's own searches, one search at a time
    searched = [outsider_searches(ScanContext(fast), SharedSearches(fast.engine)),
                outsider_searches(ScanContext(slow), _EngineSearches(slow.engine))]
    assert any(search[0] for search in searched[1])
    where = differs(*searched)
    assert where is None, f"the outsider searches of org {seed} differ: {where}"
    assert _plain_ran(fast) > 0
    fast, slow = _pair(tg, undecided)
    found = scan_findings(fast), scan_findings(slow)
    assert found[0], "a scan that finds nothing compares nothing"
    where = differs(*found)
    assert where is None, f"the findings of org {seed} differ: {where}"
