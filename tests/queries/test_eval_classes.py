"""Hops decided by evaluation answered once per class (``queries.evalclass``, switch ``SolverOptions.hop_classes``):
every answer a class gives a member is the one evaluating the member gives (caller, request context in order,
verdict, the decision's statements themselves, reasons, approximations), and who_can_reach with classes gives the
answers without them, field by field, on organizations with hubs (roles trusted by the organization or an account
root, members with and without the same identity policies, tags and names read or not) and small generated
organizations of every profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.queries.results import ReachResult
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession

from .builders import V, account, allow_aws, graph, role, trust, user

ORG = "o-a1b2c3d4e5"
A, B, C = "111122223333", "444455556666", "777788889999"


def _sat(result: Any) -> tuple[Any, ...]:
    d = result.decision
    return (result.caller, list(result.request.context.items()), result.request.action,
            result.request.duration_seconds, d.verdict, [id(s) for s in d.statements],
            [str(s.location) for s in d.statements], d.reasons, d.approximations, result.approximations)


def _evaluated_hops_match(tg: TrustGraph) -> int:
    """Every Sat hop of the engine's memo with a concrete caller that evaluation decides is the one evaluation gives;
    the number of hops the classes answered."""
    from trustgraph.queries.ground import decide_by_evaluation
    from trustgraph.semantics.request import Caller
    from trustgraph.smt.solve import Sat

    engine = tg.engine
    for (state, role_arn, action, options, extra), result in list(engine._memo.items()):
        caller = engine.caller(*state)
        if not isinstance(result, Sat) or not isinstance(caller, Caller):
            continue
        q = engine.question(state, role_arn, action, options, extra)
        own = decide_by_evaluation(caller, q.target, action, q.constraints, engine.now_ms,
                                   narrowed=engine.classes.narrowed)
        if own is None:
            continue  # the solver's (queries.hopclass)
        assert isinstance(own, Sat), (state, role_arn)
        assert _sat(result) == _sat(own), (state, role_arn)
    return engine.evaluated.hits


def _key(r: ReachResult) -> tuple[Any, ...]:
    return (r.source, r.target, r.verdict, r.reason, r.approximations, tuple(
        (h.source, h.target, h.action, h.caller, dict(h.context), h.statements, h.approximations) for h in r.hops))


def _who(tg: TrustGraph, on: bool) -> tuple[list[Any], TrustGraph]:
    fresh = TrustGraph(tg.estate, tg.zone, tg.graph)
    fresh.engine.now_ms = tg.engine.now_ms
    fresh.engine.session = SolverSession(SolverOptions() if on else SolverOptions().without("hop_classes"))
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    out = []
    for r in roles:
        for kw in ({}, {"without": ["sts:ExternalId"]}):
            out.extend(_key(x) for x in fresh.who_can_reach(r, **kw))
    return out, fresh


def _same(tg: TrustGraph) -> int:
    new, engine_on = _who(tg, True)
    old, engine_off = _who(tg, False)
    assert engine_off.engine.evaluated.hits == 0
    assert len(new) == len(old)
    for a, b in zip(new, old, strict=True):
        assert a == b, (a[0], a[1])
    return _evaluated_hops_match(engine_on)


def _assume_all(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
    if extra:
        st["Condition"] = extra
    return {"PolicyName": "assume", "PolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, st]}}


def _hub_estate(trust_doc: dict[str, Any], *, tagged: bool = False) -> TrustGraph:
    members = []
    for acct in (A, B, C):
        for i in range(6):
            r = role(acct, f"worker-{i}", trust(allow_aws(f"arn:aws:iam::{acct}:root")),
                     inline=[_assume_all({"Bool": {"aws:SecureTransport": "true"}} if i % 3 == 0 else None)])
            if tagged:
                r["Tags"] = [{"Key": "team", "Value": "red" if i % 2 else "blue"}]
            members.append(r)
    hub = role(A, "shared", trust_doc)
    users = [user(A, f"dev-{i}", inline=[_assume_all()]) for i in range(3)]
    return graph(account(A, roles=[hub, *[m for m in members if A in m["Arn"]]], users=users),
                 *(account(x, roles=[m for m in members if x in m["Arn"]]) for x in (B, C)), orgs={ORG: [A, B, C]})


@pytest.mark.parametrize("trust_doc", [
    trust(allow_aws("*", {"StringEquals": {"aws:PrincipalOrgID": ORG}})),
    trust(allow_aws([f"arn:aws:iam::{A}:root", B])),
    trust(allow_aws("*", {"StringEquals": {"aws:PrincipalOrgID": ORG},
                          "ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/worker-2",
                                                           "arn:aws:iam::*:role/worker-4"]}})),
    trust(allow_aws("*", {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:PrincipalTag/team": "red"}})),
    trust(allow_aws(f"arn:aws:iam::{B}:role/worker-1"), allow_aws(f"arn:aws:iam::{A}:root")),
    trust(allow_aws("*", {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:PrincipalAccount": B}})),
], ids=["org", "accounts", "reads-arn", "reads-tag", "names-a-role", "reads-account"])
def test_hub_members_get_their_own_evaluation(trust_doc: dict[str, Any]) -> None:
    """A role trusted by the organization or account roots: members alike share one evaluation, across accounts when
    nothing reads the account; a trust that reads the caller's ARN, tags or account, or names a role or an account,
    still gives each member its own answer."""
    hits = _same(_hub_estate(trust_doc, tagged=True))
    assert hits > 0


def test_classes_cover_most_members_of_an_org_hub() -> None:
    """Eighteen roles in three accounts, two identity-policy shapes: a handful of evaluations, the rest from classes."""
    tg = _hub_estate(trust(allow_aws("*", {"StringEquals": {"aws:PrincipalOrgID": ORG}})))
    results = tg.who_can_reach(f"arn:aws:iam::{A}:role/shared")
    assert len(results) >= 12
    assert tg.engine.evaluated.hits >= 8
    assert _evaluated_hops_match(tg) >= 8


def test_bundled_example() -> None:
    _same(load())


@pytest.mark.parametrize(("profile", "seed"), [
    ("mix", 1), ("federation-heavy", 1), ("chain-heavy", 1), ("vendor-heavy", 1), ("condition-heavy", 1),
    ("random", 1), ("random", 2), ("random", 6),
])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    _same(load(tmp_path))


def _who_unpeeked(tg: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any], int]:
    """who_can_reach of every role (and without sts:ExternalId) on two twins: one as the engine runs, one whose
    engine never learns that a hop's class already has a Sat answer before the refutation test
    (:meth:`EvaluatedClasses.known_sat` always False and :meth:`EvaluatedClasses.class_answer` always None: the
    fixed-value test runs first, as before); and how many hops the first skipped the test for (a class answer taken
    first, or known before the test), each checked: Sat, and not refuted."""
    from trustgraph.queries.evalclass import EvaluatedClasses
    from trustgraph.smt.solve import Sat

    original = EvaluatedClasses.known_sat
    original_answer = EvaluatedClasses.class_answer
    skipped: list[tuple[Any, ...]] = []

    def counted(self: EvaluatedClasses, engine: Any, state: Any, role_arn: str, action: Any, options: Any,
                extra: Any) -> bool:
        known = original(self, engine, state, role_arn, action, options, extra)
        if known:
            skipped.append((engine, state, role_arn, action, options, extra))
        return known

    def answered(self: EvaluatedClasses, engine: Any, state: Any, role_arn: str, action: Any, options: Any,
                 extra: Any) -> Any:
        found = original_answer(self, engine, state, role_arn, action, options, extra)
        if found is not None:
            skipped.append((engine, state, role_arn, action, options, extra))
        return found

    monkeypatch.setattr(EvaluatedClasses, "known_sat", counted)
    monkeypatch.setattr(EvaluatedClasses, "class_answer", answered)
    new, _ = _who(tg, True)
    monkeypatch.setattr(EvaluatedClasses, "known_sat", lambda *args: False)
    monkeypatch.setattr(EvaluatedClasses, "class_answer", lambda *args: None)
    old, _ = _who(tg, True)
    for engine, state, role_arn, action, options, extra in skipped:
        assert isinstance(engine.decide(state, role_arn, action, options, extra), Sat), (state, role_arn)
        assert not engine.fixed_refutes(state, role_arn, action), (state, role_arn)
    return new, old, len(skipped)


@pytest.mark.parametrize("trust_doc", [
    trust(allow_aws("*", {"StringEquals": {"aws:PrincipalOrgID": ORG}})),
    trust(allow_aws("*", {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:PrincipalTag/team": "red"}})),
    trust(allow_aws([f"arn:aws:iam::{A}:root", B])),
], ids=["org", "reads-tag", "accounts"])
def test_a_class_answer_skips_the_refutation_test(trust_doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A hop whose class already has a Sat answer is asked without the fixed-value refutation test first (a Sat hop
    is never refuted): every answer is the one the engine gives when the test runs first, field by field."""
    new, old, skipped = _who_unpeeked(_hub_estate(trust_doc, tagged=True), monkeypatch)
    assert skipped > 0
    assert new == old


@pytest.mark.parametrize(("profile", "seed"), [
    ("mix", 1), ("federation-heavy", 1), ("chain-heavy", 1), ("vendor-heavy", 1), ("random", 2),
])
def test_a_class_answer_skips_the_refutation_test_on_generated_organizations(
        profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    new, old, _ = _who_unpeeked(load(tmp_path), monkeypatch)
    assert new == old


def test_a_callers_answers_of_one_content_share_one_request() -> None:
    """A member's hops into two hub roles of one account with the same trust make the same request: the answers the
    classes give it hold one Request object (each content kept once, ``semantics.request.interned_request``), and
    each is still the one evaluating the member gives."""
    doc = trust(allow_aws("*", {"StringEquals": {"aws:PrincipalOrgID": ORG}}))
    members = [role(acct, f"worker-{i}", trust(allow_aws(f"arn:aws:iam::{acct}:root")), inline=[_assume_all()])
               for acct in (A, B) for i in range(4)]
    hubs = [role(A, "shared", doc), role(A, "shared-2", doc)]
    tg = graph(account(A, roles=[*hubs, *[m for m in members if A in m["Arn"]]]),
               account(B, roles=[m for m in members if B in m["Arn"]]), orgs={ORG: [A, B]})
    for hub in ("shared", "shared-2"):
        assert tg.who_can_reach(f"arn:aws:iam::{A}:role/{hub}")
    from trustgraph.smt.solve import Sat

    by_state: dict[Any, list[Any]] = {}
    for (state, role_arn, *_), result in tg.engine._memo.items():
        if isinstance(result, Sat) and role_arn.endswith(("/shared", "/shared-2")):
            by_state.setdefault(state, []).append(result)
    pairs = [answers for answers in by_state.values() if len(answers) == 2]
    assert len(pairs) >= 6
    shared = [a for a, b in pairs if a.request is b.request]
    assert len(shared) >= 4
    assert _evaluated_hops_match(tg) >= 4
