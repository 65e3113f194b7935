"""The assume-role searches read one depth at a time kept by :class:`~trustgraph.queries.escalate.AssumeReaches`
(``layered_kept``, the least recently read dropped and replayed again when read): the privilege-escalation findings,
whole scans with escalation edges and every principal's ``query(principal, "admin", via="all")``, with one search
kept, with a few, and with every one kept, field by field; and the bound did drop searches (more of them run)."""

from __future__ import annotations

from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from tests.checks.helpers import switched
from tests.queries.engines import first_difference
from trustgraph.api import TrustGraph
from trustgraph.checks.context import ScanContext
from trustgraph.checks.privilege_escalation import PrivilegeEscalation
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.queries.escalate import AssumeReaches
from trustgraph.queries.options import QueryOptions
from trustgraph.smt.session import SolverSession


def _run(tg: TrustGraph, session: SolverSession, kept: int | None) -> tuple[list[Any], int]:
    """The findings of the privilege-escalation check, of every check, and every principal's answer (asked in two
    orders, the first again), on fresh graphs reading ``session`` (shared by the runs compared: which of several valid
    witnesses a hop gets depends on the order questions are asked in); and how many assume-role searches ran."""
    out: list[Any] = []
    searches = 0
    with switched(AssumeReaches, "layered_kept", kept):  # type: ignore[arg-type]
        for checks in ([PrivilegeEscalation()], list(CHECKS)):
            fresh = twin(tg, session)
            out.append([finding_to_plain(f) for f in run_checks(ScanContext(fresh, via="all"), checks).findings])
            searches += fresh.assume_reaches().searches
        fresh = twin(tg, session)
        principals = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] in ("user", "role"))
        options = QueryOptions.make(via="all")
        for p in principals + principals[::-1] + principals:
            r = fresh.query(p, "admin", options)[0]
            out.append((r.source, r.target, r.verdict, r.hops, r.reason, r.approximations))
        searches += fresh.assume_reaches().searches
    return out, searches


@pytest.mark.parametrize(("profile", "seed"), [("random", 1), ("random", 3), ("random", 6), ("chain-heavy", 1)])
def test_searches_dropped_and_read_again_answer_alike(profile: str, seed: int, tmp_path: Any) -> None:
    tg = small_org(profile, seed, tmp_path)
    session = SolverSession()
    want, all_kept = _run(tg, session, None)
    for kept in (1, 4):
        got, searches = _run(tg, session, kept)
        where = first_difference(got, want)
        assert where is None, f"kept {kept}: {where}"
        if profile == "random" and seed in (1, 3, 6):  # wildcard assume grants: principals read by many searches
            assert searches > all_kept, (kept, searches, all_kept)
