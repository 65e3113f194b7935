"""Hop-level properties on random trust policies.

(b) every Sat witness replays to ALLOW in the concrete evaluator (``solve_hop`` raises ReplayMismatch otherwise),
    and Unsat is sound: no random concrete request the evaluator allows exists for an Unsat hop;
(c) adding a Deny statement never turns a Deny into an Allow, for the solver and for the evaluator.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.properties.strategies import conditions
from tests.smt.helpers import NOW_MS, B, session, target, user
from trustgraph.ingest.policy_json import policy_to_json
from trustgraph.model.values import format_date
from trustgraph.semantics.context import build_request
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.semantics.request import Action, CallerKind, Target
from trustgraph.smt.solve import Sat, Unknown, Unsat, solve_hop
from trustgraph.smt.symbolic import SymbolicCaller

NOW = format_date(NOW_MS)
PRINCIPALS = ["*", {"AWS": f"arn:aws:iam::{B}:root"}, {"AWS": f"arn:aws:iam::{B}:user/bob"},
              {"AWS": f"arn:aws:iam::{B}:role/Ops"}, {"AWS": "arn:aws:iam::333333333333:root"}]
ACTIONS = ["sts:AssumeRole", ["sts:AssumeRole", "sts:TagSession"], "sts:*", "sts:TagSession"]


def condition_json(conds: list[Any]) -> dict[str, dict[str, list[str]]]:
    block: dict[str, dict[str, list[str]]] = {}
    for c in conds:
        if c.key in block.get(c.operator_text, {}):
            continue  # one key per operator, as IAM requires
        block.setdefault(c.operator_text, {})[c.key_text] = list(c.texts)
    return block


@st.composite
def statements(draw: Any, effect: str | None = None) -> dict[str, Any]:
    st_: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Allow", "Deny"])),
                           "Principal": draw(st.sampled_from(PRINCIPALS)),
                           "Action": draw(st.sampled_from(ACTIONS))}
    conds = draw(st.lists(conditions(), max_size=2))
    if conds:
        st_["Condition"] = condition_json(conds)
    return st_


callers = st.sampled_from(["bob", "ops-session", "outsider-user", "outsider-any"])


def make_caller(name: str) -> Any:
    if name == "bob":
        return user(B, "bob")
    if name == "ops-session":
        return session(B, "Ops", session_name="s1")
    if name == "outsider-user":
        return SymbolicCaller(kind=CallerKind.IAM_USER, account=B, aws_kinds=frozenset({CallerKind.IAM_USER}))
    return SymbolicCaller(kind=CallerKind.IAM_USER, excluded_accounts=frozenset({"111111111111"}),
                          excluded_orgs=frozenset({"o-mine"}))


extra_contexts = st.fixed_dictionaries({}, optional={
    "sts:ExternalId": st.sampled_from(["ab", "a:b", "AB", "a-b/", "aa"]),
    "aws:SourceIp": st.sampled_from(["10.0.0.1", "203.0.113.5", "2001:db8::5"]),
    "aws:RequestTag/team": st.sampled_from(["a", "b", ""]),
    "sts:RoleSessionName": st.sampled_from(["ab", "bob", "a-b"]),
})


def solve(caller: Any, t: Target) -> Any:
    return solve_hop(caller, t, Action.ASSUME_ROLE, now_ms=NOW_MS, timeout_ms=20_000)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(sts=st.lists(statements(), min_size=1, max_size=3), who=callers)
def test_sat_witnesses_replay_to_allow(sts: list[dict[str, Any]], who: str) -> None:
    t = target(*sts)
    result = solve(make_caller(who), t)
    event(type(result).__name__)
    if isinstance(result, Sat):
        assert result.decision.allowed or result.approximations
        again = evaluate_hop(result.caller, t, result.request)
        assert again.allowed == result.decision.allowed
    else:
        assert isinstance(result, (Unsat, Unknown))


@SETTINGS
@given(sts=st.lists(statements(), min_size=1, max_size=3), who=st.sampled_from(["bob", "ops-session"]),
       extra=extra_contexts)
def test_unsat_is_sound_against_concrete_requests(sts: list[dict[str, Any]], who: str,
                                                  extra: dict[str, str]) -> None:
    t = target(*sts)
    caller = make_caller(who)
    decision = evaluate_hop(caller, t, build_request(caller, Action.ASSUME_ROLE, extra, target=t, now=NOW))
    if decision.allowed:
        result = solve(caller, t)
        assert not isinstance(result, Unsat), (policy_to_json(t.role.trust_policy), extra, result)


@SETTINGS
@given(sts=st.lists(statements(), min_size=1, max_size=3), extra_deny=statements(effect="Deny"), who=callers,
       extra=extra_contexts)
def test_adding_a_deny_never_turns_deny_into_allow(sts: list[dict[str, Any]], extra_deny: dict[str, Any], who: str,
                                                   extra: dict[str, str]) -> None:
    base, more = target(*sts), target(*sts, extra_deny)
    caller = make_caller(who)
    before, after = solve(caller, base), solve(caller, more)
    if isinstance(before, Unsat):
        assert isinstance(after, (Unsat, Unknown)), (policy_to_json(more.role.trust_policy), after)
    if not isinstance(caller, SymbolicCaller):
        d_before = evaluate_hop(caller, base, build_request(caller, Action.ASSUME_ROLE, extra, target=base, now=NOW))
        d_after = evaluate_hop(caller, more, build_request(caller, Action.ASSUME_ROLE, extra, target=more, now=NOW))
        assert d_before.allowed or not d_after.allowed
