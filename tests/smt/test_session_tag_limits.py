"""Session tags within their API limits (docs/semantics.md §1.7, conformance rows 121-126): a tag key of 1-128
characters of ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`` not starting with ``aws:``, a value of 0-256 such characters, at most
50 tags. The evaluator refuses a request that breaks one (``semantics.tag_limits``), the encoding states the same
limits (``smt.presence.tag_domain_axioms``, ``key_mode``) and the guesses skip values that break them, so a trust only
an invalid tag satisfies is Unsat and every witness replays, on the fast path and the reference alike."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.smt.helpers import NOW_MS, B, allow, root, solver, target, user
from trustgraph.semantics.context import build_request
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.semantics.request import Action, Request
from trustgraph.semantics.tag_limits import session_tags_problem, tag_key_ok, tag_value_ok
from trustgraph.smt.results import HopResult, Sat, Unsat
from trustgraph.smt.solve import solve_hop

TAGGING = ["sts:AssumeRole", "sts:TagSession"]


def valid_tags(request: Request) -> bool:
    """Every tag key and value of ``request`` is one STS accepts."""
    ctx = request.context
    names = [k[len("aws:requesttag/"):] for k in ctx if k.startswith("aws:requesttag/")]
    values = [v for k, vs in ctx.items() if k.startswith("aws:requesttag/") for v in vs]
    keys = list(ctx.get("aws:tagkeys", ())) + list(ctx.get("sts:transitivetagkeys", ()))
    return all(map(tag_key_ok, names + keys)) and all(map(tag_value_ok, values))


@pytest.mark.parametrize(("extra", "why"), [
    ({"aws:TagKeys": [""]}, "tag key ''"),
    ({"aws:RequestTag/aws:team": "x"}, "tag key 'aws:team'"),
    ({"aws:RequestTag/team": "x" * 257}, "team value"),
    ({"aws:RequestTag/team": "a\x00b"}, "team value"),
    ({"aws:RequestTag/t*": "x"}, "tag key 't*'"),
    ({"aws:RequestTag/" + "k" * 129: "x"}, "tag key 'kkk"),
    ({f"aws:RequestTag/t{n}": "x" for n in range(51)}, "more than 50 session tags"),
])
def test_the_evaluator_refuses_tags_outside_the_limits(extra: dict[str, Any], why: str) -> None:
    role = target(allow(root(B), action=TAGGING))
    caller = user()
    request = build_request(caller, Action.ASSUME_ROLE, extra, target=role)
    assert session_tags_problem(request.context) is not None
    decision = evaluate_hop(caller, role, request)
    assert not decision.allowed
    assert why in decision.reasons[0], decision.reasons


def test_the_evaluator_accepts_tags_within_the_limits() -> None:
    role = target(allow(root(B), action=TAGGING))
    caller = user()
    tags = {"aws:RequestTag/équipe 1": "", "aws:RequestTag/" + "k" * 128: "v" * 256,
            "aws:RequestTag/a:b/c=d+e-f@g": "ü"}
    request = build_request(caller, Action.ASSUME_ROLE, tags, target=role)
    assert evaluate_hop(caller, role, request).allowed


#: the reference path's tag-limit encodings can take seconds on a loaded machine: an Unknown there is a timeout,
#: not an answer these tests are about
GENEROUS_MS = 120_000


def _solved(condition: dict[str, Any], reference: bool) -> HopResult:
    """A user's AssumeRole (with TagSession) into a role of account B whose trust allows B's root on ``condition``."""
    role = target(allow(root(B), condition, TAGGING))
    return solve_hop(user(), role, Action.ASSUME_ROLE, now_ms=NOW_MS, timeout_ms=GENEROUS_MS,
                     session=solver(reference=reference))

#: trust conditions only an invalid tag key or value satisfies (each Unsat); a tag whose key is outside the limits is
#: never passed, so a condition requiring it present is unsatisfiable and one requiring it absent always holds
ONLY_INVALID: list[dict[str, Any]] = [
    {"ForAnyValue:StringEquals": {"aws:TagKeys": [""]}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": ["aws:*"]}},
    {"ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": ["AWS:team"]}},
    {"ForAnyValue:StringLike": {"sts:TransitiveTagKeys": ["*\\*"]}, "Null": {"aws:TagKeys": "false"}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": ["*"]}, "ForAllValues:StringNotLike": {"aws:TagKeys": ["?*"]}},
    {"Null": {"aws:RequestTag/*": "false"}},
    {"StringLike": {"aws:RequestTag/team": "*#*"}},
    {"StringLike": {"aws:RequestTag/team": "?" * 257 + "*"}},
]


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
@pytest.mark.parametrize("condition", ONLY_INVALID, ids=[str(i) for i in range(len(ONLY_INVALID))])
def test_a_trust_only_an_invalid_tag_satisfies_is_unsat(condition: dict[str, Any], reference: bool) -> None:
    found = _solved(condition, reference)
    assert isinstance(found, Unsat), found


#: trust conditions a valid tag satisfies, whose witnesses z3 builds (free characters, lengths)
VALID: list[dict[str, Any]] = [
    {"ForAnyValue:StringLike": {"aws:TagKeys": ["*"]}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": ["a?c*"]}, "StringLike": {"aws:RequestTag/team": "x*y"}},
    {"StringLike": {"aws:RequestTag/team": "?????*"}},
    {"StringLike": {"aws:RequestTag/équipe": "é*"}},
    {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team"]}, "Null": {"sts:TransitiveTagKeys": "false"}},
    {"Null": {"aws:RequestTag/*": "true", "aws:RequestTag/cost": "false"}},
]


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
@pytest.mark.parametrize("condition", VALID, ids=[str(i) for i in range(len(VALID))])
def test_witnesses_pass_valid_tags(condition: dict[str, Any], reference: bool) -> None:
    found = _solved(condition, reference)
    assert isinstance(found, Sat) and found.decision.allowed, found
    assert valid_tags(found.request), dict(found.request.context)


PATTERNS = st.sampled_from(["*", "?*", "a*", "*-*", "??", "aws*", "*:*", "x?y"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=st.lists(PATTERNS, min_size=1, max_size=2), value=PATTERNS, any_key=st.booleans())
def test_every_witness_of_tag_globs_passes_valid_tags(keys: list[str], value: str, any_key: bool) -> None:
    """Whatever glob conditions on the tag keys and a tag's value: a witness, when there is one, replays allowed
    (``solve_hop`` raises when it does not) and passes only tags STS accepts."""
    qualifier = "ForAnyValue:StringLike" if any_key else "ForAllValues:StringLike"
    condition = {qualifier: {"aws:TagKeys": keys}, "StringLike": {"aws:RequestTag/team": value}}
    role = target(allow(root(B), condition, TAGGING))
    found = solve_hop(user(), role, Action.ASSUME_ROLE, now_ms=NOW_MS, timeout_ms=GENEROUS_MS, session=solver())
    if isinstance(found, Sat):
        assert found.decision.allowed and valid_tags(found.request), dict(found.request.context)
