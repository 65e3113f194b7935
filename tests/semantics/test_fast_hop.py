"""``HopEvaluation.fast`` (one pass per policy with the hop's constants taken once) against the reference walk of
``evaluate_hop``: identical decisions field by field, statements by identity and location, on generated hops with
SCP and RCP levels, organization states and session tags (hypothesis), and on every hop evaluation scans of small
generated organizations make (recorded, then replayed both ways); and the table of keys with API limits the fast
precheck looks up is the catalog's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.semantics.test_statement_index import _hop, _plain, _policy, _record_scan
from tests.smt.helpers import NOW_MS
from trustgraph.model.values import format_date
from trustgraph.semantics import evaluate
from trustgraph.semantics.context import build_request
from trustgraph.semantics.evaluate import HopEvaluation
from trustgraph.semantics.keys import _TABLE, LIMITED_KEYS, catalog_entry, key_info, limits_problem
from trustgraph.semantics.request import Action, Caller, CallerKind, Decision, OrgUnknown, Target

NOW = format_date(NOW_MS)


def _reference(caller: Caller, target: Target, request: Any) -> Decision:
    HopEvaluation.fast = False
    try:
        return evaluate.evaluate_hop(caller, target, request)
    finally:
        HopEvaluation.fast = True


def _both(caller: Caller, target: Target, request: Any) -> None:
    assert HopEvaluation.fast
    fast = evaluate.evaluate_hop(caller, target, request)
    assert _plain(fast) == _plain(_reference(caller, target, request)), (caller, target, request)


@st.composite
def _levels(draw: Any, name: str) -> tuple[tuple[Any, ...], ...] | None:
    if draw(st.booleans()):
        return None
    return tuple(tuple(_policy(draw, f"{name}{i}-{j}", trust=False, max_size=3) for j in range(draw(st.integers(0, 2))))
                 for i in range(draw(st.integers(0, 3))))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hop=_hop(), scps=_levels("scp"), rcps=_levels("rcp"),
       org=st.sampled_from([None, OrgUnknown(chosen=False), OrgUnknown(chosen=True)]),
       org_id=st.sampled_from([None, "o-mine"]), transitive=st.booleans(),
       extra_limits=st.fixed_dictionaries({}, optional={
           "sts:ExternalId": st.sampled_from(["ok-id", "x", "bad id!"]),
           "sts:RoleSessionName": st.sampled_from(["s", "fine", "no spaces"]),
           "aws:TagKeys": st.just(["team"])}),
       duration=st.sampled_from([None, 900, 3600, 7200, 100]))
def test_fast_and_reference_walks_decide_alike(hop: tuple[Caller, Target, dict[str, str]], scps: Any, rcps: Any,
                                               org: OrgUnknown | None, org_id: str | None, transitive: bool,
                                               extra_limits: dict[str, Any], duration: int | None) -> None:
    caller, target, extra = hop
    changes: dict[str, Any] = {"scp_levels": scps, "org_unknown": org, "org_id": org_id}
    if transitive and caller.kind is CallerKind.ROLE_SESSION:
        changes["transitive_tags"] = (("team", "a"),)
    caller = replace(caller, **changes)
    target = replace(target, rcp_levels=rcps)
    request = build_request(caller, Action.ASSUME_ROLE, {**extra, **extra_limits}, target=target, now=NOW,
                            duration_seconds=duration)
    _both(caller, target, request)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hop=_hop(), kind=st.sampled_from([CallerKind.WEB_IDENTITY, CallerKind.SAML, CallerKind.SERVICE,
                                         CallerKind.ROOT, CallerKind.FEDERATED_USER]),
       action=st.sampled_from(list(Action)))
def test_other_callers_and_actions_decide_alike(hop: tuple[Caller, Target, dict[str, str]], kind: CallerKind,
                                                action: Action) -> None:
    caller, target, extra = hop
    arn = {CallerKind.WEB_IDENTITY: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
           CallerKind.SAML: "arn:aws:iam::111122223333:saml-provider/idp", CallerKind.SERVICE: "ec2.amazonaws.com",
           CallerKind.ROOT: "arn:aws:iam::111122223333:root",
           CallerKind.FEDERATED_USER: "arn:aws:sts::111122223333:federated-user/f"}[kind]
    other = Caller(kind=kind, arn=arn, account=caller.account, identity_policies=caller.identity_policies)
    request = build_request(other, action, {"token.actions.githubusercontent.com:sub": "repo:a/b:ref:main"}
                            if kind is CallerKind.WEB_IDENTITY else extra, target=target, now=NOW)
    _both(other, target, request)


def test_keys_with_limits_are_the_catalogs() -> None:
    for key in _TABLE:
        assert (key in LIMITED_KEYS) is (key_info(key).value_pattern is not None), key
    for key in ("aws:requesttag/team", "aws:principaltag/x", "aws:resourcetag/y", "saml:sub", "saml:other",
                "token.actions.githubusercontent.com:sub", "example.com:aud", "foo:bar", "ec2:instancetype"):
        assert catalog_entry(key) != key or key in _TABLE
        assert (key in LIMITED_KEYS) is (key_info(key).value_pattern is not None), key
    for entry, row in _TABLE.items():
        if "*" in entry or "<" in entry:
            assert row[4] is None, entry  # a wildcard row with limits would make the look-up table incomplete


@given(context=st.dictionaries(st.sampled_from([*LIMITED_KEYS, "aws:principalarn", "sts:rolesessionname"]),
                               st.lists(st.sampled_from(["ok", "x", "111122223333", "bad value", ""]), max_size=2)))
def test_limits_problem_is_some_value_outside_its_limits(context: dict[str, list[str]]) -> None:
    ctx = {k: tuple(v) for k, v in context.items()}
    assert limits_problem(ctx) is any(not key_info(k).value_ok(v) for k, vs in ctx.items() for v in vs)


@pytest.fixture()
def _fast() -> Iterator[None]:
    assert HopEvaluation.fast
    yield
    assert HopEvaluation.fast


@pytest.mark.parametrize(("profile", "seed"), [("random", 2), ("chain-heavy", 1), ("federation-heavy", 1),
                                               ("mix", 1)])
def test_scan_hops_decide_alike(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                _fast: None) -> None:
    from trustgraph.api import load
    from trustgraph.synth.write import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=15, seed=seed, profile=profile)
    seen = _record_scan(load(tmp_path), monkeypatch)
    assert seen
    for caller, target, request, decision in seen:
        assert _plain(decision) == _plain(_reference(caller, target, request)), (caller.arn, target.role.arn)
