"""Chains that carry a source identity and a transitive tag: the search's verdict equals a brute-force search of the
chain specification (docs/semantics.md §1.6, §8.7).

Random linear chains user -> R1 -> R2 -> R3 whose trust policies allow a random subset of sts:SetSourceIdentity and
sts:TagSession and carry one random condition on the source identity or the tag ``team`` (on the setting side,
``sts:SourceIdentity`` / ``aws:RequestTag/team``, or the carried side, ``aws:SourceIdentity`` /
``aws:PrincipalTag/team``). The reference tries, at every hop, every choice the caller has (set no source identity
or one of a universe of values when it carries none; pass no tag or ``team`` with one of the values, transitive or
not, when it carries none) and decides each call with the evaluator, as
:func:`trustgraph.semantics.carried.evaluate_chain` does. The conditions compare with literals only, so the
universe (every literal plus one other value) holds a value of every class the policies can tell apart: the two
searches must agree exactly.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.queries.builders import V, account, graph, role, trust, user
from trustgraph.ingest.zone_file import zone_from_ids
from trustgraph.queries.results import Reach
from trustgraph.semantics.callers import caller_for_role_session, caller_for_user, target_for_role
from trustgraph.semantics.carried import Carried, carried_after, session_caller
from trustgraph.semantics.context import build_request
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.semantics.request import Action, Caller

A = "111111111111"
VALUES = ("alice", "bob")
UNIVERSE = (*VALUES, "zz-other")
NOW = "2026-12-01T00:00:00Z"
NOW_MS = 1_764_547_200_000
CONDITION_KEYS = ("sts:SourceIdentity", "aws:SourceIdentity", "aws:RequestTag/team", "aws:PrincipalTag/team")

condition = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(CONDITION_KEYS), st.sampled_from(("StringEquals", "Null")),
              st.lists(st.sampled_from(VALUES), min_size=1, max_size=2, unique=True)),
)
hop = st.tuples(st.booleans(), st.booleans(), condition)  # allows SetSourceIdentity, allows TagSession, condition


def _statement(principal: str, allows_si: bool, allows_tag: bool, cond: Any) -> dict[str, Any]:
    actions = ["sts:AssumeRole", *(["sts:SetSourceIdentity"] if allows_si else []),
               *(["sts:TagSession"] if allows_tag else [])]
    st_: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions}
    if cond is not None:
        key, op, values = cond
        st_["Condition"] = {"Null": {key: "false"}} if op == "Null" else {op: {key: values}}
    return st_


ALL = {"PolicyName": "all", "PolicyDocument": {"Version": V, "Statement": [{"Effect": "Allow", "Action": [
    "sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"], "Resource": "*"}]}}


def _reference(tg: Any, names: list[str]) -> bool:
    """Whether some choices of the caller at each hop get through every call (the evaluator decides each)."""
    estate = tg.graph.graph["estate"]
    first = caller_for_user(estate, estate.user_by_arn[f"arn:aws:iam::{A}:user/u"], zone=tg.graph.graph["zone"])

    def reach(caller: Caller, i: int) -> bool:
        if i == len(names):
            return True
        target = target_for_role(estate, estate.role_by_arn[f"arn:aws:iam::{A}:role/{names[i]}"])
        carries = carried_after(caller, build_request(caller, Action.ASSUME_ROLE, now=NOW))
        identities = (None,) if carries.source_identity else (None, *UNIVERSE)
        tags = [(None, False)]
        if not carries.transitive_tags:
            tags += [(v, transitive) for v in UNIVERSE for transitive in (False, True)]
        for si in identities:
            for tag, transitive in tags:
                extra: dict[str, Any] = {}
                if si is not None:
                    extra["sts:SourceIdentity"] = si
                if tag is not None:
                    extra["aws:RequestTag/team"] = tag
                    if transitive:
                        extra["sts:TransitiveTagKeys"] = ["team"]
                request = build_request(caller, Action.ASSUME_ROLE, extra, target=target, now=NOW)
                if not evaluate_hop(caller, target, request).allowed:
                    continue
                nxt = session_caller(caller_for_role_session(estate, target.role, session_name="s"),
                                     carried_after(caller, request))
                if reach(nxt, i + 1):
                    return True
        return False

    return reach(first, 0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(hop, min_size=2, max_size=3))
def test_the_search_agrees_with_a_brute_force_of_the_chain_specification(hops: list[Any]) -> None:
    names = [f"R{i + 1}" for i in range(len(hops))]
    roles = []
    for i, (allows_si, allows_tag, cond) in enumerate(hops):
        principal = f"arn:aws:iam::{A}:user/u" if i == 0 else f"arn:aws:iam::{A}:role/{names[i - 1]}"
        roles.append(role(A, names[i], trust(_statement(principal, allows_si, allows_tag, cond)), inline=[ALL]))
    tg = graph(account(A, roles=roles, users=[user(A, "u", inline=[ALL])]), zone=zone_from_ids([A]))
    tg.engine.now_ms = NOW_MS
    got = tg.can_reach(f"arn:aws:iam::{A}:user/u", f"arn:aws:iam::{A}:role/{names[-1]}")
    assert got.verdict is not Reach.UNKNOWN
    assert (got.verdict is Reach.REACHABLE) == _reference(tg, names), (hops, got.reason, got.hops)
    if got.verdict is Reach.REACHABLE:
        assert not got.approximations
        assert Carried() == Carried(None, ())
