"""external-path-to-admin's federated providers' answers kept as their searches left them
(``ExternalPathToAdmin.lean_federated``, :mod:`trustgraph.checks.leanfederated`) against the reference (every
(provider, admin role) answer built at prepare time, :meth:`ScanContext.reach_known`), field by field: the full JSON
findings of every check, on the bundled example, the two-account sample, small organizations of the random,
federation-heavy and mix profiles (admin roles reached by many federated providers), with undecided hops, in one
process and in workers (whose parts ship today's answers), and with ``--via all`` (left to the reference)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin as twin_of

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.external_path_to_admin import _LEAN, ExternalPathToAdmin
from trustgraph.checks.leanfederated import Prefix, Undecided, federated_index, lean_answers
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.graph.nodes import EXTERNAL
from trustgraph.queries.results import Reach
from trustgraph.smt.session import SolverSession

from .helpers import switched, unknown_every_third_role


def _findings(tg: TrustGraph, lean: bool, session: SolverSession, jobs: int, via: str,
              patch: Callable[[TrustGraph], None] | None, kept: list[Any]) -> list[dict[str, Any]]:
    fresh = twin_of(tg, session)
    if patch is not None:
        patch(fresh)
    with switched(ExternalPathToAdmin, "lean_federated", lean):
        ctx = ScanContext(fresh, via=via)
        found = [finding_to_plain(f) for f in run_checks(ctx, CHECKS, jobs=jobs).findings]
        kept.append(ctx.once(_LEAN, lambda: None))
    return found


def _same(tg: TrustGraph, jobs: int = 1, via: str = "assume",
          patch: Callable[[TrustGraph], None] | None = None) -> tuple[list[dict[str, Any]], Any]:
    """The findings of both (equal, or the test fails) and the lean index the fast path kept (None: not used)."""
    session = SolverSession()  # one session for both: which valid witness a hop gets depends on what was asked before
    kept: list[Any] = []
    reference = _findings(tg, False, session, 1, via, patch, kept)
    new = _findings(tg, True, session, jobs, via, patch, kept)
    assert kept[0] is None  # the reference keeps no lean index
    assert [(f["check_id"], f["role"]) for f in new] == [(f["check_id"], f["role"]) for f in reference]
    for a, b in zip(new, reference, strict=True):
        assert a == b, (a["check_id"], a["role"])
    return new, kept[1]


def _pairs(index: dict[str, list[Any]] | None) -> int:
    """The (provider, admin role) answers kept lean (five items each, the provider's name first)."""
    return sum(1 for kept in (index or {}).values() for item in kept if isinstance(item, str))


def _federated_merged(found: list[dict[str, Any]]) -> int:
    """external-path-to-admin's merged findings listing a federated provider among several sources."""
    return sum(1 for f in found if f["check_id"] == ExternalPathToAdmin.id and len(f["sources"]) > 1
               and any(s.source_class == "federated" for s in f["sources"]))


def test_bundled_example_and_sample(tmp_path: Path) -> None:
    for name in ("example", "sample"):
        _same(small_org(name, 0, tmp_path))


@pytest.mark.parametrize(("profile", "seed"), [("random", 1), ("random", 2), ("random", 3),
                                               ("federation-heavy", 1), ("mix", 2)])
def test_profiles(profile: str, seed: int, tmp_path: Path) -> None:
    found, index = _same(small_org(profile, seed, tmp_path))
    if profile in ("random", "federation-heavy"):
        assert _pairs(index) > 0  # the fast path was taken, with answers kept lean


def test_many_federated_sources_per_admin_role(tmp_path: Path) -> None:
    """A larger random organization: admin roles reached by several federated providers, so that the merged
    findings read lean answers they do not show first; in workers the parts ship today's answers."""
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=6, roles_per_account=30, seed=1, profile="random")
    tg = load(tmp_path)
    found, index = _same(tg)
    assert _pairs(index) > 20
    assert _federated_merged(found) > 5
    _same(tg, jobs=2)


def test_via_all() -> None:
    _, index = _same(load(), via="all")
    assert index is None  # left to the reference


def test_undecided_hops(tmp_path: Path) -> None:
    found, _ = _same(load(), patch=unknown_every_third_role)
    assert any(f["check_id"] == ExternalPathToAdmin.id and f["kind"].value == "unknown" for f in found)
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=4, roles_per_account=25, seed=2, profile="random")
    _same(load(tmp_path), patch=unknown_every_third_role)


def test_index_holds_the_answers_of_reach_each(tmp_path: Path) -> None:
    """Each kept pair read back is the reference's answer: same source, target, verdict, hops (as light witnesses:
    source, target, action, statements, approximations) and approximations, in provider order."""
    tg = small_org("random", 1, tmp_path)
    ref_tg, lean_tg = twin_of(tg, SolverSession()), twin_of(tg, SolverSession())
    ctx = ScanContext(ref_tg)
    providers = tuple(m for m in ctx.outsider_members() if m != EXTERNAL)
    admins = ctx.admin_roles()
    options = ctx.options()
    reference = ref_tg.reach_each(providers, options, outside_only=True, targets=admins)
    expected: dict[str, list[Any]] = {}
    for source in providers:
        for r in reference[source]:
            expected.setdefault(r.target, []).append(r)
    lean_ctx = ScanContext(lean_tg)
    index = federated_index(lean_tg, providers, lean_ctx.options(), admins)
    assert sorted(index) == sorted(expected)
    checked = 0
    for role, kept in index.items():
        got = lean_answers(lean_tg.engine, role, kept, None, lambda _: 0)
        assert [a.source for a in got] == [r.source for r in expected[role]]
        for a, r in zip(got, expected[role], strict=True):
            if isinstance(a, Undecided):
                assert r.verdict is Reach.UNKNOWN
                continue
            built = a if not hasattr(a, "result") else a.result()
            assert built.verdict is r.verdict is Reach.REACHABLE
            assert [(h.source, h.target, h.action, h.statements, h.approximations) for h in built.hops] == \
                [(h.source, h.target, h.action, h.statements, h.approximations) for h in r.hops]
            assert built.approximations == r.approximations
            checked += 1
    assert checked > 0


def _shared_findings(tg: TrustGraph, shared: bool, session: SolverSession, jobs: int) -> list[dict[str, Any]]:
    from trustgraph.checks.leanfederated import ActionSequences

    with switched(ActionSequences, "shared", shared):
        ctx = ScanContext(twin_of(tg, session))
        return [finding_to_plain(f) for f in run_checks(ctx, CHECKS, jobs=jobs).findings]


@pytest.mark.parametrize(("profile", "seed"), [("random", 1), ("random", 2), ("random", 3), ("federation-heavy", 1)])
def test_action_sequences_same_findings(profile: str, seed: int, tmp_path: Path) -> None:
    """The kept pairs read by :class:`ActionSequences` (``ActionSequences.shared``) give the findings of the pairs
    read by ``lean_flat`` (the reference), field by field."""
    tg = small_org(profile, seed, tmp_path)
    session = SolverSession()
    reference = _shared_findings(tg, False, session, 1)
    new = _shared_findings(tg, True, session, 1)
    assert [(f["check_id"], f["role"]) for f in new] == [(f["check_id"], f["role"]) for f in reference]
    for a, b in zip(new, reference, strict=True):
        assert a == b, (a["check_id"], a["role"])
    assert any(f["check_id"] == ExternalPathToAdmin.id and len(f["sources"]) > 1 for f in new)


def _random_federated_index(tmp_path: Path, seed: int) -> tuple[TrustGraph, dict[str, Any]]:
    """A random-profile organization of 6 accounts x 30 roles (in a fresh solver session) and external-path-to-admin's
    federated index of it."""
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=6, roles_per_account=30, seed=seed, profile="random")
    tg = twin_of(load(tmp_path), SolverSession())
    ctx = ScanContext(tg)
    providers = tuple(m for m in ctx.outsider_members() if m != EXTERNAL)
    return tg, federated_index(tg, providers, ctx.options(), ctx.admin_roles())


def conditions(loc: Any) -> int:
    """A condition count that differs per statement."""
    return len(str(loc)) % 3


@pytest.mark.parametrize("light", [False, True])
def test_action_sequences_read_as_lean_flat(light: bool, tmp_path: Path) -> None:
    """Each kept pair read through one :class:`ActionSequences` (held by every role in turn; the light witnesses made
    anew or held by a :class:`LightMemo`) is the :class:`FlatAnswer` ``lean_answers`` makes without it: the same
    source reach, statements, approximations and built answer; equal sequences of actions are one tuple."""
    from trustgraph.checks.leanfederated import ActionSequences
    from trustgraph.checks.ondemand import FlatAnswer, LightMemo
    tg, index = _random_federated_index(tmp_path, 1)

    shared, memo = ActionSequences(), LightMemo() if light else None
    actions: dict[tuple[str, ...], tuple[str, ...]] = {}
    compared = 0
    for role in sorted(index):
        new = lean_answers(tg.engine, role, index[role], memo, conditions, shared)
        reference = lean_answers(tg.engine, role, index[role], None, conditions)
        assert len(new) == len(reference)
        for a, r in zip(new, reference, strict=True):
            if not isinstance(r, FlatAnswer):
                assert a == r  # the same Undecided; a bare path rebuilt (KeptPaths.bare): an equal answer
                continue
            assert isinstance(a, FlatAnswer)
            assert (a.source, a.length, a.reach, a.statements, a.approximations) == \
                (r.source, r.length, r.reach, r.statements, r.approximations)
            assert a.result() == r.result()
            assert actions.setdefault(a.reach.actions, a.reach.actions) is a.reach.actions
            compared += 1
    assert compared > 20
    assert len(shared) == len(actions) < compared  # fewer tuples than pairs
    assert any(len(a) > 1 for a in actions)  # paths of several hops


@pytest.mark.parametrize(("seed", "accounts"), [(1, 6), (2, 6), (3, 4)])
def test_last_hop_names_session_as_names_evidence(seed: int, accounts: int, tmp_path: Path) -> None:
    """:func:`~trustgraph.checks.pathmemo.last_hop_names_session` (the last hop tested without
    :func:`~trustgraph.queries.answers.names_evidence`'s tuples) answers as the test through ``names_evidence`` for
    the last hop into every role the federated providers' searches reach, and some paths name a session."""
    from trustgraph.checks.pathmemo import last_hop_names_session, may_name, path_names_session
    from trustgraph.queries.answers import names_evidence
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=accounts, roles_per_account=30 if accounts == 6 else 25, seed=seed,
               profile="random")
    tg = load(tmp_path)
    ctx = ScanContext(tg)
    shared = tg.shared_searches()
    asked = named_paths = last_named = 0
    for source in (m for m in ctx.outsider_members() if m != EXTERNAL):
        outcome = shared.search(source, ctx.options(), outside_only=True)
        visits, answers = outcome.visits, outcome.answers
        fast: dict[Any, bool] = {}
        slow: dict[Any, bool] = {}
        for state in outcome.first.values():
            parent = visits[state].parent
            if parent is None:
                continue
            last = answers[state][1]
            expected = path_names_session(visits, answers, slow, parent)
            if not expected and may_name(last.caller) and visits[parent].parent is not None:
                before = answers[parent][1]
                expected = names_evidence((None, before.caller, before.request), (None, last.caller, last.request))
                asked += 1
                last_named += expected
            assert last_hop_names_session(visits, answers, fast, parent, last) is expected
            named_paths += expected
    assert asked > last_named > 0  # the last hop tested, naming a session and not
    assert named_paths > last_named  # and paths named before their last hop


@pytest.mark.parametrize("light", [False, True])
def test_last_hops_read_once_per_answer(light: bool, tmp_path: Path) -> None:
    """A role's kept pairs that end in the same last-hop answer read what it gives once (``lasts`` of
    :func:`~trustgraph.checks.ondemand.lean_reach`): each pair's source reach and approximations are those it gets
    when each pair reads its last hop anew, and the pairs of some role do share last hops."""
    from trustgraph.checks.ondemand import Lasts, LightMemo, lean_reach
    from trustgraph.queries.lazydecision import decision_statements
    _, index = _random_federated_index(tmp_path, 2)

    memo = LightMemo() if light else None
    pairs = shared_last = 0
    for role in sorted(index):
        kept = index[role]
        lasts: Lasts = {}
        read = 0
        for i, item in enumerate(kept):
            if not isinstance(item, str):
                continue
            befores, parent, action, answer = kept[i + 1:i + 5]
            if isinstance(befores, Prefix):  # KeptPaths.linked
                befores = befores.hops()
            args = (role, item, befores, parent, action, answer, memo, conditions)
            once = lean_reach(*args, {}, {}, decision_statements, None, lasts)
            anew = lean_reach(*args, {}, {}, decision_statements)
            assert once == anew
            read += 1
        pairs += read
        shared_last += read - len(lasts)
    assert pairs > 20
    assert shared_last > 0  # some pairs read a last hop another pair of their role read before


def _kept_index(tmp_path: Path, seed: int, linked: bool, bare: bool) -> tuple[TrustGraph, dict[str, Any]]:
    """:func:`_random_federated_index` of one organization (made once under ``tmp_path``) with
    ``KeptPaths.linked`` and ``KeptPaths.bare`` as given, in a fresh solver session."""
    from trustgraph.checks.leanfederated import KeptPaths
    from trustgraph.synth import synthesize

    if not any(tmp_path.iterdir()):
        synthesize(tmp_path, accounts=6, roles_per_account=30, seed=seed, profile="random")
    tg = twin_of(load(tmp_path), SolverSession())
    ctx = ScanContext(tg)
    providers = tuple(m for m in ctx.outsider_members() if m != EXTERNAL)
    with switched(KeptPaths, "linked", linked), switched(KeptPaths, "bare", bare):
        return tg, federated_index(tg, providers, ctx.options(), ctx.admin_roles())


@pytest.mark.parametrize("seed", [1, 2])
def test_kept_paths_hold_the_reference_values(seed: int, tmp_path: Path) -> None:
    """The index kept lean (``KeptPaths.linked`` and ``bare``) holds, pair by pair, what the reference's holds: a
    :class:`Prefix` whose hops are the reference's tuple of :class:`Later` (the same hops, action, answer, states),
    and a bare path whose rebuilt answer equals the reference's :class:`ReachResult`; and some of each are there
    (prefixes sharing a kept state above them, answers of paths naming a session)."""
    from trustgraph.checks.ondemand import Later, light_witness
    from trustgraph.queries.results import ReachResult

    _, reference = _kept_index(tmp_path, seed, False, False)
    tg, lean = _kept_index(tmp_path, seed, True, True)
    assert sorted(lean) == sorted(reference)

    def hop(h: Any) -> tuple[Any, ...]:  # a witness but its context (aws:CurrentTime: each index built at its time)
        return (h.source, h.target, h.action, h.caller, h.statements, h.approximations)

    def later(h: Later) -> tuple[Any, ...]:
        return (h.state, h.role, h.action, hop(light_witness(h)))

    shared = bare = 0
    for role, kept in reference.items():
        new = lean[role]
        assert len(new) == len(kept)
        i = 0
        while i < len(kept):
            a, b = new[i], kept[i]
            if isinstance(b, str):  # a kept pair: provider, prefix, parent state, action, answer
                assert a == b
                a = new[i + 1]
                if kept[i + 1] == ():  # a path of one hop: no hop before the last
                    assert a == ()
                else:
                    assert isinstance(a, Prefix) and type(kept[i + 1]) is tuple
                    assert [later(h) for h in a.hops()] == [later(h) for h in kept[i + 1]], (role, i)
                    shared += a[0] is not None
                assert new[i + 2:i + 4] == kept[i + 2:i + 4]
                i += 5
                continue
            if isinstance(b, ReachResult):
                assert type(a) is tuple and [hop(h) for h in a] == [hop(h) for h in b.hops]
                bare += 1
            else:
                assert isinstance(b, Undecided) and isinstance(a, Undecided) and a.source == b.source
            i += 1
        got = lean_answers(tg.engine, role, new, None, conditions)
        expected = [r for r in kept if isinstance(r, ReachResult)]
        rebuilt = [a for a in got if isinstance(a, ReachResult)]
        assert [(r.source, r.target, r.verdict, r.reason, r.approximations) for r in rebuilt] == \
            [(r.source, r.target, r.verdict, r.reason, r.approximations) for r in expected]
        assert [[hop(h) for h in r.hops] for r in rebuilt] == [[hop(h) for h in r.hops] for r in expected]
    assert shared > 0 and bare > 0


@pytest.mark.parametrize(("profile", "seed"), [("random", 1), ("random", 2), ("random", 3), ("federation-heavy", 1)])
def test_kept_paths_same_findings(profile: str, seed: int, tmp_path: Path) -> None:
    """The findings with ``KeptPaths.linked`` and ``bare`` on are those with both off (the reference), field by
    field, in one process and with workers."""
    from trustgraph.checks.leanfederated import KeptPaths

    tg = small_org(profile, seed, tmp_path)
    session = SolverSession()
    found = {}
    for on in (False, True):
        with switched(KeptPaths, "linked", on), switched(KeptPaths, "bare", on):
            found[on] = [[finding_to_plain(f) for f in run_checks(ScanContext(twin_of(tg, session)), CHECKS,
                                                                     jobs=jobs).findings] for jobs in (1, 2)]
    assert found[True] == found[False]
    assert any(f["check_id"] == ExternalPathToAdmin.id and len(f["sources"]) > 1 for f in found[True][0])
