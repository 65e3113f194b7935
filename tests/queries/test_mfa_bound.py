"""The MFA-aware bound of the carried reverse search (``ReachabilityEngine(mfa_bound=True)``, queries/mfagate.py):
a target whose trust policy refuses every session without MFA answers the bounded searches of
:class:`~trustgraph.queries.reverse_carried.CarriedPaths` without expanding the states that carry no MFA, against
the reference (``mfa_bound = False``): the same answers field by field (sources, verdicts, paths, each hop's witness
request, reasons, approximations), every role asked in turn on one engine under several options, on generated
organizations with MFA-guarded roles whose policies read carried values. Each engine has a solver session of its
own (the bound asks fewer hops, and in another order: no answer may depend on it). Each comparison counts the states
the bound answered without a search, so a comparison that never exercises it fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_orgs import small_org

from tests.queries.engines import compare_engines, make_undecided, twins
from trustgraph.api import TrustGraph
from trustgraph.model.policy import Policy
from trustgraph.queries.mfagate import _needs_mfa, refuses_without_mfa
from trustgraph.queries.options import QueryOptions
from trustgraph.smt.options import SolverOptions


def _compared(org: str, tg: TrustGraph, solver: SolverOptions | None = None, every: int = 0) -> dict[str, int]:
    """Every role asked ``who_can_reach`` (and from ``external``) under the fast-path options by an engine with the
    bound and one without, each on its own solver session; returns how many answers were reachable, how many were
    Unknown, how many states without MFA the bound answered (not within the bound) without a search, and how many
    roles it gave no floor (no candidate into the target) without the breadth-first pass. ``every``:
    the hops into every ``every``-th role are Unknown in both (:func:`engines.make_undecided`)."""
    from trustgraph.queries.reverse_carried import CarriedPaths

    assert tg.engine.demand, "the estate must read a carried value (else the carried reverse search is not used)"
    bounded, reference = twins(tg, 2, shared=False, solver=solver)
    assert bounded.engine.mfa_bound
    reference.engine.mfa_bound = False
    for each in (bounded, reference):
        make_undecided(each, every)
    pruned = [0]
    original = CarriedPaths._gated_within
    original_floor = CarriedPaths._gated_floor
    far = [0]

    def counted(self: CarriedPaths, state: tuple[object, ...], bound: int) -> bool:
        assert self.engine is bounded.engine, "the reference engine must never take the bound"
        pruned[0] += not state[1]
        return original(self, state, bound)  # type: ignore[arg-type]

    def floor(self: CarriedPaths, role: str) -> int:
        assert self.engine is bounded.engine, "the reference engine must never take the bound"
        found = original_floor(self, role)
        far[0] += found > 1
        return found

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(CarriedPaths, "_gated_within", counted)
        mp.setattr(CarriedPaths, "_gated_floor", floor)
        compared = compare_engines(org, {"mfa bound": bounded, "reference": reference})
    from trustgraph.queries.results import Reach

    return {"reachable": compared.reachable, "unknown": compared.count(Reach.UNKNOWN), "pruned": pruned[0],
            "far": far[0]}


#: random organizations of tests/small_orgs.py whose policies read a carried value and that have a role whose trust
#: needs MFA (the mix profile at this size reads no carried value: its queries never use the carried search)
SEEDS = (12, 7)


@pytest.mark.parametrize(("seed", "floors"), [(SEEDS[0], True), (SEEDS[1], False)])
def test_mfa_bound_matches_the_reference(seed: int, floors: bool, tmp_path: Path) -> None:
    """``floors``: the organization has a role whose floor the bound reads as none (seed 12: 49 of them; seed 7's
    landings all have a candidate into its MFA-guarded role)."""
    tg = small_org("random", seed, tmp_path)
    counts = _compared(f"random seed {seed}", tg)
    assert counts["reachable"] > 0 and counts["pruned"] > 0, counts
    assert counts["far"] > 0 or not floors, counts


@pytest.mark.parametrize("every", [4, 7])
def test_undecided_hops_stay_unknown_with_the_mfa_bound(every: int, tmp_path: Path) -> None:
    """The hops into every ``every``-th role are Unknown (a z3 timeout), then also every hop that reaches z3: the
    sources that need one are Unknown in both, never dropped."""
    tg = small_org("random", SEEDS[0], tmp_path)
    counts = _compared(f"random seed {SEEDS[0]}, hops into every {every}-th role Unknown", tg, every=every)
    assert counts["pruned"] > 0 and counts["unknown"] > 0, counts
    counts = _compared(f"random seed {SEEDS[0]}, every solver call Unknown", tg,
                       SolverOptions(inject_unknown="timeout (injected)"), every=every)
    assert counts["unknown"] > 0, counts


def _trust(*conditions: dict[str, object]) -> Policy:
    from trustgraph.ingest.policy_json import policy_from_json
    from trustgraph.model import Location

    statements = [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                   "Action": "sts:AssumeRole", **({"Condition": c} if c else {})} for c in conditions]
    return policy_from_json({"Version": "2012-10-17", "Statement": statements}, Location("t.json", "/"),
                            kind="trust")


@pytest.mark.parametrize(("conditions", "needs"), [
    (({"Bool": {"aws:MultiFactorAuthPresent": "true"}},), True),
    (({"Bool": {"aws:multifactorauthpresent": ["TRUE"]}, "StringEquals": {"sts:ExternalId": "x"}},), True),
    (({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}), True),
    (({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},), False),  # absent key: allowed
    (({"Bool": {"aws:MultiFactorAuthPresent": "false"}},), False),
    (({"Null": {"aws:MultiFactorAuthPresent": "false"}},), False),  # "false" is present
    (({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {}), False),  # a second Allow without it
    (({"Bool": {"aws:MultiFactorAuthPresent": "${aws:PrincipalTag/mfa}"}},), False),  # a variable: not claimed
    (({"Bool": {"aws:SecureTransport": "true"}},), False),
    # aws:MultiFactorAuthAge is absent exactly when MFA is not present (docs/semantics.md, "MFA age")
    (({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},), True),
    (({"NumericGreaterThanEquals": {"aws:multifactorauthage": "0"}},), True),
    (({"Null": {"aws:MultiFactorAuthAge": "false"}},), True),  # the key must be present
    (({"Null": {"aws:MultiFactorAuthAge": "true"}},), False),  # the key must be absent: sessions without MFA pass
    (({"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}},), False),  # absent key: allowed
    (({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {}), False),  # a second Allow without it
    (({"NumericLessThan": {"aws:MultiFactorAuthAge": "${aws:PrincipalTag/age}"}},), False),  # a variable
])
def test_which_trust_policies_refuse_sessions_without_mfa(conditions: tuple[dict[str, object], ...],
                                                          needs: bool) -> None:
    assert _needs_mfa(_trust(*conditions)) is needs


def test_the_bound_is_off_when_the_options_may_lift_the_refusal(tmp_path: Path) -> None:
    tg = small_org("random", SEEDS[0], tmp_path)
    gated = [r for r in tg.engine.estate.role_by_arn if refuses_without_mfa(tg.engine, r, QueryOptions())]
    assert gated, "the organization must have a role whose trust needs MFA"
    role = gated[0]
    assert not refuses_without_mfa(tg.engine, role, QueryOptions.make(given={"aws:MultiFactorAuthPresent": "true"}))
    assert not refuses_without_mfa(tg.engine, role, QueryOptions.make(given={"aws:MultiFactorAuthAge": "60"}))
    assert not refuses_without_mfa(tg.engine, role, QueryOptions.make(via="all"))
    tg.engine.mfa_bound = False
    assert not refuses_without_mfa(tg.engine, role, QueryOptions())


def _two_landings() -> TrustGraph:
    """A user U whose sessions of role R (one without MFA, then one with: U's start states in that order) both reach
    T one hop later: T trusts R with no MFA condition. M needs MFA (so users start with and without it) and C reads a
    source identity R's sessions may carry (so the carried reverse search answers)."""
    from tests.queries.builders import account, allow_aws, graph, role, trust, user

    a = "111111111111"
    arn = f"arn:aws:iam::{a}"
    return graph(account(a, users=[user(a, "U")], roles=[
        role(a, "R", trust(allow_aws(f"{arn}:user/U", None, ["sts:AssumeRole", "sts:SetSourceIdentity"]))),
        role(a, "T", trust(allow_aws(f"{arn}:role/R"))),
        role(a, "M", trust(allow_aws(f"{arn}:user/U", {"Bool": {"aws:MultiFactorAuthPresent": "true"}}))),
        role(a, "C", trust(allow_aws(f"{arn}:role/R", {"StringEquals": {"aws:SourceIdentity": "x"}}))),
    ]))


def test_a_wrong_gate_would_change_an_answer() -> None:
    """The comparison's power: were T taken for a role that needs MFA, U's path would go through its session of R
    with MFA (the first landing within one hop the bound leaves) instead of the one without (the reference's, the
    first in the search's order): the comparison fails. With the real gate, T is not gated and both agree."""
    tg = _two_landings()
    assert tg.engine.demand and tg.engine.mfa_sensitive
    target = "arn:aws:iam::111111111111:role/T"
    assert not refuses_without_mfa(tg.engine, target, QueryOptions())
    compare_engines("two landings", dict(zip(("mfa bound", "reference"), _pair(tg), strict=True)),
                    targets=[target])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("trustgraph.queries.mfagate._needs_mfa", lambda trust: True)
        with pytest.raises(AssertionError, match="differ"):
            compare_engines("two landings, T wrongly gated",
                            dict(zip(("mfa bound", "reference"), _pair(tg), strict=True)), targets=[target])


def _pair(tg: TrustGraph) -> list[TrustGraph]:
    """An engine with the bound and the reference, each on its own session."""
    bounded, reference = twins(tg, 2, shared=False)
    reference.engine.mfa_bound = False
    return [bounded, reference]
