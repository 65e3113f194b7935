"""The conformance table (§7) on the SMT side.

Each case is asked as "is there a request like this one that gets through?": the case's request keys (everything
``build_request`` puts in that the caller does not derive) are pinned with ``equals`` constraints and every other key
is closed. ALLOW cases must come back Sat with a witness that replays to ALLOW; DENY cases Unsat. Every case runs
twice: with the fast path (ground keys decided by evaluation) and without it (constraints as z3 assertions), so the
encoding itself is exercised. Rows with an ``exists`` claim are also asked open ("does SOME request of this caller
get through?", caller-chosen keys free). Rows resting on an [?] claim assert the over-approximating answer and that
it is marked approximate.
"""

from __future__ import annotations

import pytest

from tests.conformance.table import CASES, NOW, Case, build_caller, build_request, build_target
from tests.smt.helpers import solver
from trustgraph.model.values import parse_date
from trustgraph.semantics.keys import key_info
from trustgraph.semantics.request import Verdict
from trustgraph.smt.solve import KeyConstraint, Sat, Unsat, solve_hop

NOW_MS = parse_date(NOW)
#: principal keys the solver leaves symbolic for a concrete caller (how long ago it used MFA, when its session was
#: issued): a case pins the caller's own values
CALLER_HISTORY = ("aws:multifactorauthage", "aws:tokenissuetime")


def pinned_constraints(case: Case) -> list[KeyConstraint]:
    """``equals`` constraints for the request keys of the case that the caller does not derive, and for the ages
    the caller's history fixes."""
    req = build_request(case)
    out = []
    for key, values in req.context.items():
        if key in CALLER_HISTORY:
            out.append(KeyConstraint(key, "equals", tuple(values)))
            continue
        if key_info(key).principal_derived or key == "aws:resourceaccount" or key.startswith("aws:resourcetag/"):
            continue
        out.append(KeyConstraint(key, "equals", tuple(values)))
    return out


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast", "z3"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_like_this_one(case: Case, fast_path: bool) -> None:
    result = solve_hop(build_caller(case), build_target(case), case.action, constraints=pinned_constraints(case),
                       closed=True, now_ms=NOW_MS, duration_seconds=case.duration_seconds,
                       session=solver(reference=not fast_path))
    if case.expected is Verdict.ALLOW:
        assert isinstance(result, Sat), f"{case.id}: {result}"
        assert result.decision.allowed
        if case.approximate:
            assert result.approximations, f"{case.id} rests on an [?] claim and must be marked approximate"
        else:
            assert not result.approximations, result.approximations
    else:
        assert isinstance(result, Unsat), f"{case.id}: {result}"
        assert result.core, "an Unsat names what blocks"


EXISTS = [c for c in CASES if c.exists is not None]


@pytest.mark.parametrize("case", EXISTS, ids=[c.id for c in EXISTS])
def test_exists_some_request(case: Case) -> None:
    result = solve_hop(build_caller(case), build_target(case), case.action, now_ms=NOW_MS)
    if case.exists:
        assert isinstance(result, Sat), f"{case.id}: {result}"
        assert result.decision.allowed
    else:
        assert isinstance(result, Unsat), f"{case.id}: {result}"
