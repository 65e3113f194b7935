"""The answers of paths naming a session built off each state's agreed path (:class:`~trustgraph.checks.pathmemo.
AgreedPaths`, :func:`~trustgraph.checks.pathmemo.agreed_result`) against ``engine.result_for`` (the reference): per
(federated provider, role) of random organizations, each asked in its own solver session in the same order, and the
scan's findings with the switch on and off, field by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from twins import twin as twin_of

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.pathmemo import AgreedPaths, agreed_result
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.graph.nodes import EXTERNAL, NodeKind
from trustgraph.queries.results import HopWitness
from trustgraph.smt.session import SolverSession

from .helpers import switched


def _random(tmp_path: Path, seed: int) -> TrustGraph:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=6, roles_per_account=30, seed=seed, profile="random")
    return load(tmp_path)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_role_answer_is_result_for(seed: int, tmp_path: Path) -> None:
    """Every role a federated provider's search reaches, in role order: the answer made off the agreed paths (one
    memo per search) equals ``engine.result_for``'s, each side in a fresh session asked in the same order (so the
    questions asked give the same answers); some paths have a hop asked again or noted (the memo's steps are
    exercised)."""
    tg = _random(tmp_path, seed)
    ref_tg, new_tg = twin_of(tg, SolverSession()), twin_of(tg, SolverSession())
    ref_ctx, new_ctx = ScanContext(ref_tg), ScanContext(new_tg)
    providers = [m for m in ref_ctx.outsider_members() if m != EXTERNAL]
    compared = agreed = 0
    for source in providers:
        ref = ref_tg.shared_searches().search(source, ref_ctx.options(), outside_only=True)
        new = new_tg.shared_searches().search(source, new_ctx.options(), outside_only=True)
        memo: dict[Any, tuple[HopWitness, ...]] = {}
        for t in sorted(ref.first):
            if t == source or ref_tg.graph.nodes[t]["kind"] != NodeKind.ROLE.value:
                continue
            expected = ref_tg.engine.result_for(ref, t)
            assert agreed_result(new_tg.engine, new, t, memo) == expected, (source, t)
            compared += 1
            agreed += expected.hops != ref.path_to(ref.first[t])
    assert compared > 50
    assert agreed > 10


def _findings(tg: TrustGraph, once: bool, session: SolverSession) -> list[dict[str, Any]]:
    with switched(AgreedPaths, "once", once):
        ctx = ScanContext(twin_of(tg, session))
        return [finding_to_plain(f) for f in run_checks(ctx, CHECKS, jobs=1).findings]


@pytest.mark.parametrize("seed", [1, 2])
def test_same_findings(seed: int, tmp_path: Path) -> None:
    """The scan's findings (external-path-to-admin's federated answers among them) with and without the fast path."""
    tg = _random(tmp_path, seed)
    session = SolverSession()
    reference = _findings(tg, False, session)
    new = _findings(tg, True, session)
    assert [(f["check_id"], f["role"]) for f in new] == [(f["check_id"], f["role"]) for f in reference]
    for a, b in zip(new, reference, strict=True):
        assert a == b, (a["check_id"], a["role"])
    assert any(f["check_id"] == "external-path-to-admin" and s.source_class == "federated"
               for f in new for s in f["sources"])


@pytest.mark.parametrize("restricted", [False, True])
def test_renamed_and_noted_hops(restricted: bool) -> None:
    """Sources S0..S5 share the path Hub -> Mid -> Fin -> Target, where Fin trusts only the session ``Mid/ops``: the
    hop into Mid is asked again naming it (replaced), or, where Mid admits only ``batch`` sessions (``restricted``),
    the hop into Fin is noted approximate; each source's answers (every role it reaches, one memo per search) equal
    ``engine.result_for``'s, each side in its own session."""
    from tests.queries.test_reverse import _named_sessions
    from trustgraph.queries.options import QueryOptions

    tg, target = _named_sessions(restricted)
    ref_tg, new_tg = twin_of(tg, SolverSession()), twin_of(tg, SolverSession())
    sources = sorted(n for n in tg.graph.nodes if n.rsplit("/", 1)[-1].startswith("S"))
    assert len(sources) == 6
    for source in sources:
        ref = ref_tg.shared_searches().search(source, QueryOptions())
        new = new_tg.shared_searches().search(source, QueryOptions())
        memo: dict[Any, tuple[HopWitness, ...]] = {}
        reached = sorted(t for t in ref.first if t != source and ref_tg.graph.nodes[t]["kind"] == NodeKind.ROLE.value)
        assert target in reached
        for t in reached:
            assert agreed_result(new_tg.engine, new, t, memo) == ref_tg.engine.result_for(ref, t), (source, t)
        hops = memo[new.first[target]]
        assert [h.target.rsplit("/", 1)[-1] for h in hops] == ["Hub", "Mid", "Fin", "Target"]
        assert (hops[1].context.get("sts:RoleSessionName") == ("ops",)) is not restricted
        assert bool(hops[2].approximations) is restricted


def _questions(tg: TrustGraph, run: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The hop questions ``run()`` asks ``tg``'s engine (solve and decide), each the first time it is asked."""
    engine = tg.engine
    seen: dict[tuple[Any, ...], None] = {}
    for name in ("solve", "decide"):
        original = getattr(engine, name)

        def recorded(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            seen.setdefault((args[0], args[1], args[2], args[3], args[4] if len(args) > 4 else ()), None)
            return _original(*args, **kwargs)

        monkeypatch.setattr(engine, name, recorded)
    run()
    return list(seen)


@pytest.mark.parametrize(("seed", "few"), [(1, 2), (2, 2), (2, 1000)])
def test_the_same_questions_in_the_same_order(seed: int, few: int, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """``federated_index`` (agreed paths made once per state; the steps of a role nobody reads asked below the
    states asked before) asks the engine the questions ``reach_each`` asks for the same providers and roles read (a
    few admin roles, or all), in the same order (which valid witness a later hop gets depends on it), each side in a
    fresh session."""
    from trustgraph.checks.leanfederated import federated_index

    tg = _random(tmp_path, seed)
    ref_tg, new_tg = twin_of(tg, SolverSession()), twin_of(tg, SolverSession())
    ref_ctx, new_ctx = ScanContext(ref_tg), ScanContext(new_tg)
    providers = tuple(m for m in ref_ctx.outsider_members() if m != EXTERNAL)
    # a few roles read: the others' paths ask their session-name steps only (ask_session_names, ask_last_step)
    targets = frozenset(sorted(ref_ctx.admin_roles())[:few])
    reference = _questions(ref_tg, lambda: ref_tg.reach_each(providers, ref_ctx.options(), outside_only=True,
                                                             targets=targets), monkeypatch)
    new = _questions(new_tg, lambda: federated_index(new_tg, providers, new_ctx.options(), targets), monkeypatch)
    assert new == reference
    assert any(len(q[4]) > 0 and any(c.key == "sts:rolesessionname" for c in q[4]) for q in new)  # agreements asked


def _named_twice() -> TrustGraph:
    """account:222222222222 (outside the zone) -> Hub -> Mid -> Fin -> Fin2 -> Target, where Fin trusts only the
    session ``Mid/ops`` and Fin2 only ``Fin/deep``, and Hub -> Gate, which trusts only ``Hub/gate``: in role order,
    Fin's path asks its last step again (the hop into Mid naming ``ops``), Fin2's, whose earlier steps were asked for
    Fin, its last step alone (the hop into Fin naming ``deep``), before Gate's (the hop into Hub naming ``gate``)."""
    from tests.queries.builders import account, allow_aws, graph, role, trust
    from trustgraph.ingest.zone_file import zone_from_ids

    a = "111111111111"

    def arn(name: str) -> str:
        return f"arn:aws:iam::{a}:role/{name}"

    everything = {"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}
    roles = [role(a, "Hub", trust(allow_aws("arn:aws:iam::222222222222:root")), inline=[everything]),
             role(a, "Mid", trust(allow_aws(arn("Hub"))), inline=[everything]),
             role(a, "Fin", trust(allow_aws(f"arn:aws:sts::{a}:assumed-role/Mid/ops")), inline=[everything]),
             role(a, "Fin2", trust(allow_aws(f"arn:aws:sts::{a}:assumed-role/Fin/deep")), inline=[everything]),
             role(a, "Gate", trust(allow_aws(f"arn:aws:sts::{a}:assumed-role/Hub/gate"))),
             role(a, "Target", trust(allow_aws(arn("Fin2"))))]
    return graph(account(a, roles=roles), zone=zone_from_ids([a]))


@pytest.mark.parametrize("wanted", [(), ("Target",), ("Fin2", "Target")])
def test_the_same_questions_on_named_steps(wanted: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """The estate of :func:`_named_twice`, its roles read or not: ``federated_index`` asks ``reach_each``'s
    questions in the same order, the steps naming ``ops`` and ``deep`` among them."""
    from trustgraph.checks.leanfederated import federated_index

    tg = _named_twice()
    ref_tg, new_tg = twin_of(tg, SolverSession()), twin_of(tg, SolverSession())
    ref_ctx, new_ctx = ScanContext(ref_tg), ScanContext(new_tg)
    sources = ("account:222222222222",)
    targets = frozenset(f"arn:aws:iam::111111111111:role/{name}" for name in wanted)
    reference = _questions(ref_tg, lambda: ref_tg.reach_each(sources, ref_ctx.options(), outside_only=True,
                                                             targets=targets), monkeypatch)
    new = _questions(new_tg, lambda: federated_index(new_tg, sources, new_ctx.options(), targets), monkeypatch)
    assert new == reference
    named = {c.values for q in new for c in q[4] if c.key == "sts:rolesessionname"}
    assert named == {("ops",), ("deep",), ("gate",)}
