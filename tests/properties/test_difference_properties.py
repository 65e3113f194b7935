"""NEW ∧ ¬OLD on random pairs of trust policies (trustgraph.smt.difference), held to the reference evaluator:

(a) every witness replays: NEW allows the request and OLD denies it (unless the answer names approximations);
(b) "no new access" is sound: a concrete request that the evaluator allows against NEW and denies against OLD
    means some candidate's answer is a witness or undecided, never all "no new access";
(c) a policy compared with itself has no new access.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tests.properties.test_hop_properties import NOW, extra_contexts, make_caller, statements
from tests.smt.helpers import NOW_MS, target
from trustgraph.ingest.policy_json import policy_to_json
from trustgraph.semantics.context import build_request
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.semantics.request import Action
from trustgraph.smt.difference import NewAccess, NoNewAccess, Undecided, solve_difference

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
policies = st.lists(statements(), min_size=1, max_size=2)


def differences(caller: Any, new: Any, old: Any) -> list[Any]:
    return [a.result for a in solve_difference(caller, new, old, Action.ASSUME_ROLE, now_ms=NOW_MS,
                                               timeout_ms=20_000)]


@SETTINGS
@given(old=policies, new=policies, who=st.sampled_from(["bob", "ops-session", "outsider-user", "outsider-any"]))
def test_witnesses_replay_new_allows_old_denies(old: list[dict[str, Any]], new: list[dict[str, Any]],
                                                who: str) -> None:
    t_old, t_new = target(*old), target(*new)
    for result in differences(make_caller(who), t_new, t_old):
        event(type(result).__name__)
        if isinstance(result, NewAccess):
            assert result.confirmed or result.approximations
            if not result.approximations:
                assert evaluate_hop(result.caller, t_new, result.request).allowed
                assert not evaluate_hop(result.caller, t_old, result.request).allowed
        else:
            assert isinstance(result, NoNewAccess | Undecided)


@SETTINGS
@given(old=policies, new=policies, who=st.sampled_from(["bob", "ops-session"]), extra=extra_contexts)
# found by this test: NEW adds sts:TagSession with no condition reading tags; a request passing tags is new access
@example(old=[{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}],
         new=[{"Effect": "Allow", "Principal": "*", "Action": ["sts:AssumeRole", "sts:TagSession"]}],
         who="bob", extra={"sts:ExternalId": "ab", "sts:RoleSessionName": "ab", "aws:RequestTag/team": "a"})
def test_no_new_access_is_sound_against_concrete_requests(old: list[dict[str, Any]], new: list[dict[str, Any]],
                                                         who: str, extra: dict[str, str]) -> None:
    t_old, t_new = target(*old), target(*new)
    caller = make_caller(who)
    request = build_request(caller, Action.ASSUME_ROLE, extra, target=t_new, now=NOW)
    if evaluate_hop(caller, t_new, request).allowed and not evaluate_hop(caller, t_old, request).allowed:
        results = differences(caller, t_new, t_old)
        assert not all(isinstance(r, NoNewAccess) and not r.approximations for r in results), (
            policy_to_json(t_old.role.trust_policy), policy_to_json(t_new.role.trust_policy), extra)


@SETTINGS
@given(sts=policies, who=st.sampled_from(["bob", "ops-session", "outsider-any"]))
def test_a_policy_has_no_new_access_over_itself(sts: list[dict[str, Any]], who: str) -> None:
    t = target(*sts)
    assert all(isinstance(r, NoNewAccess | Undecided) for r in differences(make_caller(who), t, t))
