"""Every key in ``sts:TransitiveTagKeys`` is the key of a session tag the same request passes (docs/semantics.md §1.6,
conformance row 118): the evaluator refuses a request that names another (``semantics.request.untagged_transitive_key``)
and the encoding links the transitive keys to ``aws:TagKeys`` (``smt.presence.transitive_couplings``), so no witness
the solver finds names an untagged key, on the fast path and the reference alike."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.smt.helpers import NOW_MS, B, allow, merged, root, session, solver, target, user
from trustgraph.semantics.context import build_request
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.semantics.request import Action, Request, untagged_transitive_key
from trustgraph.smt.results import KeyConstraint, Sat, Unsat
from trustgraph.smt.solve import solve_hop

TAGGING = ["sts:AssumeRole", "sts:TagSession"]
TEAM = {"ForAnyValue:StringEquals": {"sts:TransitiveTagKeys": ["team"]}}


def untagged(request: Request) -> list[str]:
    """The transitive keys of ``request`` that name no tag it passes (compared without case)."""
    ctx = request.context
    return [k for k in ctx.get("sts:transitivetagkeys", ()) if not ctx.get(f"aws:requesttag/{k.lower()}")]


def test_the_evaluator_compares_tag_keys_without_case() -> None:
    role = target(allow(root(B), action=TAGGING))
    caller = user()
    ok = build_request(caller, Action.ASSUME_ROLE, {"aws:RequestTag/team": "blue", "sts:TransitiveTagKeys": ["TEAM"]},
                       target=role)
    assert untagged_transitive_key(ok.context) is None
    assert evaluate_hop(caller, role, ok).allowed
    bad = build_request(caller, Action.ASSUME_ROLE, {"aws:RequestTag/team": "blue",
                                                     "sts:TransitiveTagKeys": ["team", "cost"]}, target=role)
    assert untagged_transitive_key(bad.context) == "cost"
    decision = evaluate_hop(caller, role, bad)
    assert not decision.allowed
    assert "TransitiveTagKeys names 'cost'" in decision.reasons[0]


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_a_trust_requiring_team_transitive_needs_the_team_tag(reference: bool) -> None:
    role = target(allow(root(B), TEAM, TAGGING))
    found = solve_hop(user(), role, Action.ASSUME_ROLE, now_ms=NOW_MS, session=solver(reference=reference))
    assert isinstance(found, Sat) and found.decision.allowed
    assert "team" in found.request.context["sts:transitivetagkeys"]
    assert found.request.context.get("aws:requesttag/team")
    assert not untagged(found.request)
    refused = solve_hop(user(), role, Action.ASSUME_ROLE, now_ms=NOW_MS, session=solver(reference=reference),
                        constraints=[KeyConstraint("aws:RequestTag/team", "absent")])
    assert isinstance(refused, Unsat), refused


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_a_carried_transitive_tag_does_not_count_as_passed(reference: bool) -> None:
    """A session carrying team=blue cannot pass the tag again with another value, and naming team as transitive
    needs the tag in the request: team=blue itself (the one value it may pass) is what the witness passes."""
    role = target(allow(root(B), TEAM, TAGGING))
    caller = session(transitive_tags=(("team", "blue"),), tags=(("team", "blue"),))
    found = solve_hop(caller, role, Action.ASSUME_ROLE, now_ms=NOW_MS, session=solver(reference=reference))
    assert isinstance(found, Sat) and found.decision.allowed
    assert found.request.context.get("aws:requesttag/team") == ("blue",)
    assert not untagged(found.request)


#: trust conditions on the transitive keys, the tag keys and two tags, in both polarities
CONDITIONS: list[dict[str, Any]] = [
    TEAM,
    {"ForAnyValue:StringLike": {"sts:TransitiveTagKeys": ["c*"]}},
    {"ForAllValues:StringEquals": {"sts:TransitiveTagKeys": ["team", "cost"]}},
    {"Null": {"sts:TransitiveTagKeys": "false"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost", "env"]}},
    {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team"]}},
    {"StringEquals": {"aws:RequestTag/team": "blue"}},
    {"Null": {"aws:RequestTag/cost": "true"}},
    {"StringLike": {"aws:RequestTag/env": "p*"}},
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=3), st.booleans())
def test_no_witness_names_an_untagged_transitive_key(conditions: list[dict[str, Any]], reference: bool) -> None:
    role = target(allow(root(B), merged(*conditions), TAGGING))
    found = solve_hop(user(), role, Action.ASSUME_ROLE, now_ms=NOW_MS, session=solver(reference=reference))
    if isinstance(found, Sat):
        assert found.decision.allowed  # replayed by the evaluator, which refuses an untagged transitive key
        assert not untagged(found.request), found.request.context


def test_a_guess_naming_a_transitive_key_passes_its_tag() -> None:
    """The concrete-first guesses (``smt.guess``) give each transitive key they choose a tag, so such a hop is still
    answered by a guess the evaluator allows, without z3 (condition-heavy-2k: 32 encodings, 659 without it)."""
    session_ = solver()
    found = solve_hop(user(), target(allow(root(B), TEAM, TAGGING)), Action.ASSUME_ROLE, now_ms=NOW_MS,
                      session=session_)
    assert isinstance(found, Sat) and found.decision.allowed
    assert found.request.context.get("aws:requesttag/team") == ("tg",)
    assert session_.stats.guess_hits == 1 and session_.stats.solver_calls == 0
