"""The memos of the search's per-hop work give the answers of the plain computation, field by field.

The engine keeps, per (options, extra), the constraints and whether they contradict; per (role, action, constraints),
whether an absent key blocks the trust policy (``queries.derived.absent_blocks``); it builds the next state of a Sat
hop whose caller carries nothing and whose call sets nothing without :func:`carried_after`; and
:func:`trustgraph.queries.ground.decide_by_evaluation` keeps the keys a hop's policies read (per policy texts and per
SCP/RCP levels object; per caller and target object with ``HopKeys.by_content`` off) and a free-named caller's
default session per caller object. Each is compared here with the reference computation it replaces (the memos
switched off by patching the helpers back to the plain functions): the searches from outside and from every role
(every result, every hop's source, target, action, caller, request context, statements and approximations) and the
scan's findings, on the bundled example, the two-account sample and small generated organizations of every profile
(random seeds included).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import select_checks
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.queries import ground
from trustgraph.queries.carry import state_of
from trustgraph.queries.derived import absent_blocks, contradictory
from trustgraph.queries.engine import ReachabilityEngine
from trustgraph.queries.options import QueryOptions
from trustgraph.semantics.carried import carried_after
from trustgraph.semantics.request import Action, Caller, CallerKind, Request
from trustgraph.smt.session import SolverSession

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"


def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch the memos off: every helper computes afresh, as before they were kept."""
    hop_keys, named = ground._hop_keys, ground._named

    def constraints_of(self: ReachabilityEngine, options: QueryOptions, extra: Any) -> Any:
        constraints = self.constraints(options, extra)
        return constraints, contradictory(constraints)

    def blocks(self: ReachabilityEngine, role: str, action: Action, constraints: Any) -> bool:
        return absent_blocks(self.target(role).role.trust_policy, action, constraints)

    def next_state(self: ReachabilityEngine, role: str, result: Any) -> Any:
        return state_of(role, self.produces_mfa(result), carried_after(result.caller, result.request))

    monkeypatch.setattr(ReachabilityEngine, "_constraints_of", constraints_of)
    monkeypatch.setattr(ReachabilityEngine, "_absent_blocks", blocks)
    monkeypatch.setattr(ReachabilityEngine, "next_state", next_state)
    monkeypatch.setattr(ground, "_hop_keys", lambda c, t, a, k, n, memo: hop_keys(c, t, a, k, n, None))
    monkeypatch.setattr(ground, "_named", lambda c, memo: named(c, None))


def _fresh(tg: TrustGraph, session: SolverSession) -> TrustGraph:
    # one solver session for both runs: the second reads the answers the first left in the result store
    fresh = TrustGraph(tg.estate, tg.zone, tg.graph)
    fresh.engine.now_ms = tg.engine.now_ms
    fresh.engine.session = session
    return fresh


def _answers(tg: TrustGraph, session: SolverSession, scan: bool) -> tuple[list[Any], list[dict[str, Any]]]:
    fresh = _fresh(tg, session)
    out = []
    options = (QueryOptions.make(), QueryOptions.make(without=("sts:ExternalId",)),
               QueryOptions.make(not_like={"aws:MultiFactorAuthPresent": ("true",)}))
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    for o in options:
        for source in ("*", *roles[::7]):
            for r in fresh.query(source, None, o):
                out.append((r.source, r.target, r.verdict, r.approximations, tuple(
                    (h.source, h.target, h.action, h.caller, h.context, h.statements, h.approximations, h.method)
                    for h in r.hops)))
    findings = []
    if scan:
        ctx = ScanContext(_fresh(tg, session))
        findings = [finding_to_plain(f) for f in run_checks(ctx, select_checks(None)).findings]
    return out, findings


def _same(tg: TrustGraph, monkeypatch: pytest.MonkeyPatch, scan: bool = True) -> None:
    session = SolverSession()
    new, new_findings = _answers(tg, session, scan)
    with monkeypatch.context() as m:
        _plain(m)
        old, old_findings = _answers(tg, session, scan)
    assert len(new) == len(old) > 0
    for a, b in zip(new, old, strict=True):
        assert a == b, (a[0], a[1])
    assert new_findings == old_findings


def test_bundled_example(monkeypatch: pytest.MonkeyPatch) -> None:
    _same(load(), monkeypatch)


def test_two_account_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    _same(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]), monkeypatch)


@pytest.mark.parametrize(("profile", "seed"), [
    ("mix", 2), ("federation-heavy", 2), ("chain-heavy", 2), ("vendor-heavy", 2), ("condition-heavy", 2),
    ("random", 1), ("random", 2), ("random", 3), ("random", 6),
])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    _same(load(tmp_path), monkeypatch, scan=profile != "condition-heavy")


@pytest.mark.parametrize("kind", [CallerKind.ROLE_SESSION, CallerKind.IAM_USER])
@pytest.mark.parametrize("carries", [(None, ()), ("alice", ()), (None, (("team", "blue"),))])
@pytest.mark.parametrize("context", [
    {},
    {"sts:sourceidentity": ("bob",)},
    {"sts:sourceidentity": ()},
    {"aws:requesttag/team": ("red",)},
    {"aws:requesttag/team": ("red",), "sts:transitivetagkeys": ("Team",)},
    {"sts:transitivetagkeys": ()},
    {"aws:multifactorauthpresent": ("true",)},
])
def test_next_state_is_the_carried_state(kind: CallerKind, carries: tuple[Any, Any],
                                         context: dict[str, tuple[str, ...]]) -> None:
    """The next state of a Sat hop is the one :func:`carried_after` gives, whatever the caller carries and the call
    sets (the shortcut for a caller carrying nothing whose call sets nothing included)."""
    from types import SimpleNamespace

    arn = ("arn:aws:sts::111122223333:assumed-role/r/s" if kind is CallerKind.ROLE_SESSION
           else "arn:aws:iam::111122223333:user/u")
    caller = Caller(kind=kind, arn=arn, source_identity=carries[0], transitive_tags=carries[1])
    result = SimpleNamespace(caller=caller, request=Request(action=Action.ASSUME_ROLE, context=context))
    engine = load().engine
    role = "arn:aws:iam::111122223333:role/target"
    expected = state_of(role, engine.produces_mfa(result), carried_after(caller, result.request))
    assert engine.next_state(role, result) == expected


def test_the_last_question_is_asked_again_only_for_the_same_hop() -> None:
    """:meth:`ReachabilityEngine.question` hands back the question it built last only for the same hop, options,
    first-hop constraints and analysis time; any other is built anew, equal to one built on a fresh engine."""
    from trustgraph.semantics.request import Action

    from .builders import dataset_graph

    tg = dataset_graph("example-org")
    engine = tg.engine
    rows = [(u, role) for role in sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
            for u, _, _ in engine.candidates.in_candidates(role) if tg.graph.nodes[u]["kind"] == "role"][:6]
    assert len(rows) >= 2
    plain, without = QueryOptions(), QueryOptions.make(without=["sts:ExternalId"])
    for u, role in rows:
        for options in (plain, without):
            first = engine.question((u, False), role, Action.ASSUME_ROLE, options)
            assert engine.question((u, False), role, Action.ASSUME_ROLE, options) is first
            fresh = ReachabilityEngine(tg.graph, now_ms=engine.now_ms)
            assert fresh.question((u, False), role, Action.ASSUME_ROLE, options) == first
    u, role = rows[0]
    before = engine.question((u, False), role, Action.ASSUME_ROLE, plain)
    engine.now_ms += 1000
    after = engine.question((u, False), role, Action.ASSUME_ROLE, plain)
    assert after is not before and after.now_ms == before.now_ms + 1000


def test_answers_filed_in_order_one_kept_bare() -> None:
    """A hop's answers filed under their constraint sets are read back in the order filed: its first answer under no
    constraints is kept bare (not in a pair) and read back under the empty set; later ones follow it."""
    from trustgraph.smt.solve import KeyConstraint

    from .builders import dataset_graph

    engine = dataset_graph("example-org").engine
    absent = (KeyConstraint("sts:ExternalId", "absent"),)
    first, second, third = object(), object(), object()
    a, b, c = ((("u", False), role, Action.ASSUME_ROLE, False) for role in "abc")
    engine._file_answer(a, (), first)
    assert engine._answers[a] is first
    engine._file_answer(a, absent, second)
    engine._file_answer(a, (), third)
    assert list(engine.filed(a)) == [(frozenset(), first), (frozenset(absent), second), (frozenset(), third)]
    engine._file_answer(b, absent, first)
    engine._file_answer(b, (), second)
    assert list(engine.filed(b)) == [(frozenset(absent), first), (frozenset(), second)]
    assert list(engine.filed(c)) == []
