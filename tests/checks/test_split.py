"""The split of a scan across processes changes nothing: one process, two or three, chunks of one role or of several,
late workers forked after the shared work, give the same findings in the same order (the bundled example and small
generated organizations of several profiles). A worker that raises or dies makes the scan raise."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.checks.base import BaseCheck
from trustgraph.checks.context import ScanContext
from trustgraph.checks.parallel import LOCAL, PARTS, PARTS_END, SHARED, chunk_size, plan_tasks
from trustgraph.checks.registry import CHECKS, CHECKS_BY_ID
from trustgraph.checks.runner import finding_to_plain, has_shared_work, run_checks

NOW_MS = 1_764_547_200_000  # 2025-12-01T00:00:00Z, one analysis time for every run


def _stable(findings: Sequence[Any]) -> list[dict[str, Any]]:
    """Findings as plain values, every field (witness requests and the messages that quote them included): a hop's
    witness is the answer to its own question whatever the process asked before (``smt.decide.fresh_context``,
    ``tests/checks/test_determinism.py``), so roles, checks, kinds, severities, sources, paths, witnesses, statements,
    approximations and order must all be equal."""
    return [finding_to_plain(f) for f in findings]


def _scan(tg: TrustGraph, jobs: int, chunk: int | None = None,
          checks: Sequence[BaseCheck] = CHECKS) -> list[dict[str, Any]]:
    fresh = TrustGraph(tg.estate, tg.zone, tg.graph)
    fresh.engine.now_ms = NOW_MS
    return _stable(run_checks(ScanContext(fresh), checks, jobs=jobs, chunk=chunk).findings)


def _all_splits_agree(tg: TrustGraph, checks: Sequence[BaseCheck] = CHECKS) -> int:
    one = _scan(tg, 1, checks=checks)
    for jobs, chunk in ((2, None), (2, 1), (3, 2)):
        split = _scan(tg, jobs, chunk, checks)
        assert [(f["check_id"], f["role"]) for f in split] == [(f["check_id"], f["role"]) for f in one], (jobs, chunk)
        for a, b in zip(split, one, strict=True):
            assert a == b, (jobs, chunk, a["check_id"], a["role"])
    return len(one)


def test_bundled_example() -> None:
    assert _all_splits_agree(load()) > 5


@pytest.mark.parametrize("profile", ["mix", "federation-heavy", "chain-heavy", "vendor-heavy", "random"])
def test_generated_organizations(profile: str, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=3, profile=profile)
    tg = load(tmp_path)
    assert len(ScanContext(tg).roles) >= 24
    assert _all_splits_agree(tg) > 0


def test_the_forks_freeze_and_hand_back_the_collector() -> None:
    """Before each fork the parent freezes what it holds (``gc.freeze``: the collections of either process would
    otherwise copy the pages they share), and so do the shared work and each checked role (their later collections
would walk them again and again); a scan that found nothing frozen hands everything back to the collector,
    and one run inside a frozen block (``scan``: trustgraph.model.bulk.loaded_objects_frozen) leaves it frozen."""
    import gc

    from trustgraph.model.bulk import loaded_objects_frozen

    assert gc.get_freeze_count() == 0
    one = _scan(load(), 2, 1)
    assert gc.get_freeze_count() == 0
    assert _scan(load(), 1) == one  # one process: the shared work and each role's memo frozen, then handed back
    assert gc.get_freeze_count() == 0
    with loaded_objects_frozen():
        again = _scan(load(), 2, 1)
        assert gc.get_freeze_count() > 0
    assert again == one and gc.get_freeze_count() == 0


def _record_forks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """The task kinds of every worker the pool forks, in order (the pool still forks them)."""
    import trustgraph.checks.parallel as parallel

    forked: list[tuple[int, ...]] = []
    fork = parallel._Pool.fork

    def recording(self: Any, kinds: tuple[int, ...]) -> None:
        forked.append(kinds)
        fork(self, kinds)

    monkeypatch.setattr(parallel._Pool, "fork", recording)
    return forked


def test_only_checks_with_shared_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no local task, the early workers end at once and late workers, forked after the shared work, take the
    shared tasks: still the same findings."""
    import trustgraph.checks.parallel as parallel

    forked = _record_forks(monkeypatch)
    monkeypatch.setattr(parallel, "LATE_WORKER_MAX_MB", None)  # whatever this test process holds
    shared = [c for c in CHECKS if has_shared_work(c)]
    assert _all_splits_agree(load(), shared) > 0
    assert {(LOCAL,), (PARTS, LOCAL)} & set(forked) and (SHARED, LOCAL) in forked


def test_no_late_worker_above_the_memory_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above :data:`LATE_WORKER_MAX_MB` of resident memory the parent forks no late worker (it would copy the shared
    searches it reads) and takes the shared tasks alone: the same findings; under it, late workers are forked."""
    import trustgraph.checks.parallel as parallel

    forked = _record_forks(monkeypatch)
    shared = [c for c in CHECKS if has_shared_work(c)]
    monkeypatch.setattr(parallel, "LATE_WORKER_MAX_MB", 0)
    assert not parallel.late_worker_fits()
    assert _all_splits_agree(load(), shared) > 0
    assert {(LOCAL,), (PARTS, LOCAL)} & set(forked) and (SHARED, LOCAL) not in forked
    monkeypatch.setattr(parallel, "LATE_WORKER_MAX_MB", 1 << 30)
    assert parallel.late_worker_fits()
    forked.clear()
    assert _all_splits_agree(load(), shared) > 0
    assert (SHARED, LOCAL) in forked


def test_privilege_escalation_shares_its_escalation_edges() -> None:
    """privilege-escalation's shared work computes what every role of it reads (the escalation edges and the closure of
    the principals that may lead to administrator power) before the late workers are forked, so that they inherit it
    instead of computing it again; its prepare runs after the reach checks' searches (their order unchanged)."""
    from trustgraph.checks.privilege_escalation import _candidates

    check = CHECKS_BY_ID["privilege-escalation"]
    reach = [c for c in CHECKS if has_shared_work(c) and c is not check]
    assert has_shared_work(check) and all(check.prepare_rank > c.prepare_rank for c in reach)
    ctx = ScanContext(load())
    computed: list[object] = []
    check.prepare(ctx)
    ctx.once(("privilege-escalation", "candidates"), lambda: computed.append(1))
    assert computed == []  # already there: the roles read it, nobody computes it again
    assert _candidates(ctx) == _candidates(ScanContext(load()))  # the same set as computed lazily


def test_plan_cuts_every_role_once_in_order() -> None:
    roles = [f"r{i:03d}" for i in range(100)]
    plan = plan_tasks(CHECKS, roles, 7)
    shared = {i for i, c in enumerate(CHECKS) if has_shared_work(c)}
    assert {CHECKS[i].id for i in shared} == {
        "external-without-external-id", "external-without-mfa", "external-path-to-admin", "privilege-escalation"}
    for kind, tasks in ((SHARED, plan.shared), (LOCAL, plan.local)):
        assert [r for t in tasks for r in t.roles] == roles  # every role once, in order
        assert all(len(t.roles) <= 7 for t in tasks) and len(tasks) == 15
        assert all((set(t.checks) == shared) == (kind == SHARED) for t in tasks)
    assert plan_tasks([c for c in CHECKS if not has_shared_work(c)], roles, 7).shared == ()
    assert chunk_size(20_000, 2) == 64 and chunk_size(200, 2) == 6 and chunk_size(3, 8) == 1


class _Failing(BaseCheck):
    """A check without shared work that fails in worker processes only (the parent's own tasks succeed, so the
    failure is a worker's); ``prepare``-free, so the early workers run it while the parent prepares."""

    id = "failing"

    def __init__(self, parent: int, how: str) -> None:
        self.parent = parent
        self.how = how

    def run(self, ctx: Any) -> Iterator[Any]:
        if os.getpid() != self.parent:
            if self.how == "die":
                os._exit(9)
            raise ValueError("broken check")
        return iter(())


class _SlowPrepare(BaseCheck):
    """Shared work that lasts until a worker has had time to take a task."""

    id = "slow-prepare"

    def prepare(self, ctx: Any) -> None:
        import time

        time.sleep(1.0)

    def run(self, ctx: Any) -> Iterator[Any]:
        return iter(())


@pytest.mark.parametrize("how", ["raise", "die"])
def test_a_failing_worker_fails_the_scan(how: str) -> None:
    tg = load()
    checks = (_SlowPrepare(), _Failing(os.getpid(), how))
    error = ValueError if how == "raise" else RuntimeError
    with pytest.raises(error):
        run_checks(ScanContext(tg), checks, jobs=2, chunk=1)


def test_reach_checks_alone_agree() -> None:
    reach = [CHECKS_BY_ID[c] for c in ("external-without-external-id", "public-role", "external-path-to-admin")]
    assert _all_splits_agree(load(), reach) > 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_released_scan_lets_go_of_its_graph_and_finds_the_same(jobs: int, tmp_path: Path) -> None:
    """``run_checks(release=True)`` (what ``trustgraph scan`` does) drops the estate, the graph, the engine and their
    answers before the findings are merged, so that the merge and the report reuse their memory: they are gone
    (freed, reference cycles included) when run_checks returns, and the findings are those of a scan that keeps
    them; the released context answers nothing more."""
    import weakref

    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=3, profile="vendor-heavy")
    expected = _scan(load(tmp_path), jobs)
    tg = load(tmp_path)
    tg.engine.now_ms = NOW_MS
    gone = [weakref.ref(x) for x in (tg, tg.engine, tg.graph, tg.estate)]
    ctx = ScanContext(tg)
    del tg
    found = run_checks(ctx, CHECKS, jobs=jobs, release=True).findings
    assert [ref() for ref in gone] == [None] * len(gone)
    assert _stable(found) == expected and found
    with pytest.raises(AttributeError):
        ctx.estate  # noqa: B018


def test_an_early_worker_ends_during_the_shared_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent reads the workers' findings while it does the shared work (``parallel.reading_meanwhile``), so an
    early worker whose findings fill the pipe ends once it has run out of local tasks, not only when that work is over
    (it held its memory, idle, meanwhile); it is replaced after the shared work, and the findings are the same.

    Each task's packed findings are padded past a pipe's buffer (64 KB), so that a worker whose findings were not
    read could not end; the shared work waits (boundedly) for the early worker to end and records whether it did."""
    import multiprocessing
    import time

    import trustgraph.checks.parallel as parallel

    pad = b"\0" * 200_000
    pack, unpack = parallel.pack, parallel.unpack
    monkeypatch.setattr(parallel, "pack", lambda found: pad + pack(found))
    monkeypatch.setattr(parallel, "unpack", lambda packed: unpack(packed[len(pad):]))
    monkeypatch.setattr(parallel, "LATE_WORKER_MAX_MB", None)
    forked = _record_forks(monkeypatch)
    ended_during_prepare: list[bool] = []

    from trustgraph.checks import runner

    real_prepare = runner._prepare_frozen

    def waiting_prepare(ctx: ScanContext, checks: Sequence[BaseCheck], parts: Any = None) -> None:
        deadline = time.monotonic() + 120  # a bound, not a timing assertion: the worker's end is what is checked
        while multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.05)
        ended_during_prepare.append(not multiprocessing.active_children())
        real_prepare(ctx, checks, parts)

    monkeypatch.setattr(runner, "_prepare_frozen", waiting_prepare)
    tg = load()
    fresh = TrustGraph(tg.estate, tg.zone, tg.graph)
    fresh.engine.now_ms = NOW_MS
    split = _stable(run_checks(ScanContext(fresh), CHECKS, jobs=2, chunk=1).findings)
    assert ended_during_prepare == [True]
    assert forked[0] in ((LOCAL,), (PARTS, LOCAL)) and (SHARED, LOCAL) in forked  # replaced after the shared work
    monkeypatch.setattr(runner, "_prepare_frozen", real_prepare)
    assert split == _scan(load(), 1)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_small_scan_keeps_its_context_and_finds_the_same(jobs: int, tmp_path: Path) -> None:
    """With ``release_min_mb`` above what the process holds (``trustgraph scan``: :data:`~trustgraph.checks.runner.
    RELEASE_MIN_MB`), ``run_checks(release=True)`` skips the release and its full collection: the context still
    answers, and the findings are those of a scan that releases it."""
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=3, profile="vendor-heavy")
    expected = _scan(load(tmp_path), jobs)
    tg = load(tmp_path)
    tg.engine.now_ms = NOW_MS
    ctx = ScanContext(tg)
    found = run_checks(ctx, CHECKS, jobs=jobs, release=True, release_min_mb=10**9).findings
    assert _stable(found) == expected and found
    assert ctx.estate is tg.estate and ctx.roles  # not released


def test_worth_releasing_follows_the_resident_memory() -> None:
    """None: always; a bound above this process's memory: no; a bound of 0 MB: yes."""
    from trustgraph.checks.parallel import resident_mb, worth_releasing

    held = resident_mb()
    assert held is not None and held > 0
    assert worth_releasing(None) and worth_releasing(0) and not worth_releasing(10**9)


def test_held_findings_are_compressed_above_the_bound() -> None:
    """Below the bound the packed findings are held as they are; past it, every one held is compressed, and each
    comes back as it was packed."""
    from trustgraph.checks.parallel import HeldFindings

    packs = {(0, i): bytes([i]) * 40_000 for i in range(5)}  # 40 KB each, very compressible
    held = HeldFindings(compress_above_mb=0.1)  # ~105 KB: the third pack crosses it
    for key in list(packs)[:2]:
        held.add(key, packs[key])
    assert held.held_bytes() == 80_000
    for key in list(packs)[2:]:
        held.add(key, packs[key])
    assert len(held) == 5 and held.held_bytes() < 5_000
    assert held.keys() == list(packs)
    assert held.packed_bytes == 200_000
    assert {key: held.pop(key) for key in list(packs)} == packs and len(held) == 0


def test_compressed_held_findings_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every packed finding compressed (a bound of 0 MB), the findings of a split scan are those of one
    process, and each finding a worker sent comes back as it was packed.

    Which tasks the workers finish before the scan process has done the rest depends on timing (on a loaded
    machine a worker may finish none), so this asserts nothing about how much was held: the bound's own behaviour is
    :func:`test_held_findings_are_compressed_above_the_bound`'s."""
    import trustgraph.checks.parallel as parallel

    monkeypatch.setattr(parallel, "COMPRESS_HELD_MB", 0.0)
    round_trips: list[bool] = []

    class Spy(parallel.HeldFindings):
        def __init__(self) -> None:
            super().__init__()
            self.added: dict[tuple[int, int], bytes] = {}

        def add(self, key: tuple[int, int], packed: bytes) -> None:
            self.added[key] = packed
            super().add(key, packed)

        def pop(self, key: tuple[int, int]) -> bytes:
            packed = super().pop(key)
            round_trips.append(packed == self.added[key])
            return packed

    monkeypatch.setattr(parallel, "HeldFindings", Spy)
    assert _all_splits_agree(load()) > 5
    assert all(round_trips)


def test_a_caller_that_froze_objects_says_so_and_the_collector_is_not_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """``run_checks(thaw=False)`` (``scan``, inside ``loaded_objects_frozen``) and the runners' own release
    (``ScanContext.release(frozen=True)``) never ask ``gc.get_freeze_count`` (it walks every frozen object); the
    findings are those of the default, which asks it, and what was frozen stays frozen for the caller to hand back."""
    import gc

    from trustgraph.model.bulk import loaded_objects_frozen

    one = _scan(load(), 1)
    assert gc.get_freeze_count() == 0

    def refused() -> int:
        raise AssertionError("gc.get_freeze_count asked")

    for jobs in (1, 2):
        tg = load()
        fresh = TrustGraph(tg.estate, tg.zone, tg.graph)
        fresh.engine.now_ms = NOW_MS
        ctx = ScanContext(fresh)
        with loaded_objects_frozen():
            with monkeypatch.context() as m:
                m.setattr(gc, "get_freeze_count", refused)
                found = run_checks(ctx, CHECKS, jobs=jobs, chunk=1, thaw=False, release=True).findings
            assert gc.get_freeze_count() > 0
        assert _stable(found) == one, jobs
        assert gc.get_freeze_count() == 0


def test_a_task_lists_only_the_pairs_with_findings() -> None:
    """``run_task`` leaves out each (role, check) that found nothing; the findings per role are the same."""
    from trustgraph.checks.parallel import Task, run_task
    from trustgraph.checks.runner import run_role

    tg = load()
    fresh = TrustGraph(tg.estate, tg.zone, tg.graph)
    fresh.engine.now_ms = NOW_MS
    ctx = ScanContext(fresh)
    checks = [c for c in CHECKS if not has_shared_work(c)]
    out = run_task(ctx, checks, Task(roles=ctx.roles, checks=tuple(range(len(checks)))))
    assert out and all(fs for _, _, fs in out)
    assert len(out) < len(ctx.roles) * len(checks)  # pairs without findings were left out
    per_role: dict[str, list[Any]] = {role: [] for role in ctx.roles}
    for role, _, fs in out:
        per_role[role].extend(fs)
    for role in ctx.roles:
        assert _stable(per_role[role]) == _stable(run_role(ctx, checks, role)), role


@pytest.mark.parametrize("bound", [0, None])
def test_the_parents_own_findings_kept_as_they_are_or_packed_change_nothing(
        bound: int | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The findings of the tasks the scan process runs itself are kept as they are (``OWN_OBJECTS_MAX_MB`` None) or
    packed and unpacked as a worker's are (a bound of 0 MB): either way the findings are those of one process, field
    by field, and with objects kept the process held some (so both paths ran)."""
    import trustgraph.checks.parallel as parallel
    from trustgraph.synth import synthesize

    monkeypatch.setattr(parallel, "OWN_OBJECTS_MAX_MB", bound)
    kept: list[int] = []
    keep_own = parallel._Pool.keep_own

    def counting(self: Any, kind: int, i: int, found: list[Any]) -> None:
        keep_own(self, kind, i, found)
        kept.append(len(self.own))

    monkeypatch.setattr(parallel._Pool, "keep_own", counting)
    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=3, profile="vendor-heavy")
    assert _all_splits_agree(load(tmp_path)) > 0
    assert _all_splits_agree(load()) > 5
    assert kept and (max(kept) > 0) is (bound is None)


def test_the_findings_reader_ends_once_no_worker_is_left() -> None:
    """``reading_meanwhile``'s thread ends by itself once every worker has ended (nothing more can come), so the end
    of the shared work does not wait for its next poll; the block still runs and nothing is reported ended."""
    import threading
    import time

    from trustgraph.checks.parallel import reading_meanwhile

    class NoWorkers:
        workers: dict[int, Any] = {}

        def drain(self, timeout: float | None, on_done: Any) -> bool:  # pragma: no cover - never called
            raise AssertionError("nothing to read")

    def reader_alive() -> bool:
        return any(t.name == "trustgraph-findings-reader" for t in threading.enumerate())

    ran = False
    with reading_meanwhile(NoWorkers()) as ended:  # type: ignore[arg-type]
        deadline = time.monotonic() + 30  # a bound, not a timing assertion
        while reader_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not reader_alive()
        ran = True
    assert ran and ended == []


# ------------------------------------------------------------------------------------- parts of the shared work
def _federated_org(tmp_path: Path) -> TrustGraph:
    """A small federation-heavy organization: admin roles and several federated providers outside the zone."""
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=3, profile="federation-heavy")
    return load(tmp_path)


def _parts_of(tg: TrustGraph) -> tuple[str, ...]:
    return CHECKS_BY_ID["external-path-to-admin"].parts(ScanContext(tg))


def test_the_federated_parts_are_the_reference_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """external-path-to-admin's federated providers searched one part at a time (``federated_parts``), in one process
    or shared with the workers, give the findings of the reference (one ``ScanContext.reach_known`` for all of them),
    field by field."""
    import trustgraph.checks.parallel as parallel
    from trustgraph.checks.external_path_to_admin import ExternalPathToAdmin

    monkeypatch.setattr(parallel, "PARTS_MAX_MB", None)  # whatever this test process holds
    federated = 0
    for tg in (load(), _federated_org(tmp_path)):
        assert len(_parts_of(tg)) >= 2
        monkeypatch.setattr(ExternalPathToAdmin, "federated_parts", False)
        assert _parts_of(tg) == ()
        reference = _scan(tg, 1)
        monkeypatch.setattr(ExternalPathToAdmin, "federated_parts", True)
        federated += sum(f["check_id"] == "external-path-to-admin" and f["source"].startswith("federated:")
                         for f in reference)
        assert _scan(tg, 1) == reference
        assert _all_splits_agree(tg) == len(reference)
    assert federated  # the parts' answers are read into findings


@pytest.mark.parametrize("who", ["parent", "workers", "both"])
def test_any_split_of_the_parts_finds_the_same(who: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parts of the shared work computed by the scan process alone, by the workers alone (the scan process then
    waits for them) or by both give the findings of one process; the scan process joins every part, in order."""
    import trustgraph.checks.parallel as parallel
    from trustgraph.checks.external_path_to_admin import ExternalPathToAdmin

    monkeypatch.setattr(parallel, "PARTS_MAX_MB", None)
    parent = os.getpid()
    computed_here: list[str] = []
    joined: list[int] = []
    part, join = ExternalPathToAdmin.part, ExternalPathToAdmin.join_parts
    claim, claim_last = parallel._Claims.claim, parallel._Claims.claim_last

    def recording_part(self: Any, ctx: ScanContext, name: str) -> Any:
        if os.getpid() == parent:
            computed_here.append(name)
        return part(self, ctx, name)

    def recording_join(self: Any, ctx: ScanContext, values: list[Any]) -> None:
        joined.append(len(values))
        join(self, ctx, values)

    def parent_claim(self: Any, kind: int) -> int | None:
        return None if kind == PARTS and who == "workers" and os.getpid() == parent else claim(self, kind)

    def worker_claim_last(self: Any) -> int | None:
        return None if who == "parent" else claim_last(self)

    monkeypatch.setattr(ExternalPathToAdmin, "part", recording_part)
    monkeypatch.setattr(ExternalPathToAdmin, "join_parts", recording_join)
    monkeypatch.setattr(parallel._Claims, "claim", parent_claim)
    monkeypatch.setattr(parallel._Claims, "claim_last", worker_claim_last)
    tg = _federated_org(tmp_path)
    parts = _parts_of(tg)
    one = _scan(tg, 1)
    for jobs, chunk in ((2, None), (3, 1)):
        computed_here.clear()
        joined.clear()
        assert _scan(tg, jobs, chunk) == one, (jobs, chunk)
        assert joined == [len(parts)]
        if who == "parent":
            assert computed_here == list(parts)  # in order
        elif who == "workers":
            assert computed_here == []
        else:
            assert computed_here == list(parts[:len(computed_here)])  # a prefix: the workers take from the end


def test_reach_answers_cross_processes_as_plain_values(tmp_path: Path) -> None:
    """``checks.plain``: a part's reach answers, written as plain values and pickled together, come back equal field
    by field (the hops' evidence left out), a hop that several answers share still shared."""
    import pickle

    from trustgraph.checks.plain import results_from_plain, results_to_plain

    tg = _federated_org(tmp_path)
    tg.engine.now_ms = NOW_MS
    ctx = ScanContext(tg)
    check = CHECKS_BY_ID["external-path-to-admin"]
    values = [check.part(ctx, name) for name in check.parts(ctx)]
    answers = [r for v in values if v for r in v]
    assert answers and any(len(r.hops) > 1 for r in answers)
    memo: dict[int, Any] = {}
    back_memo: dict[int, Any] = {}
    back = [results_from_plain(p, back_memo) for p in pickle.loads(pickle.dumps(
        [results_to_plain(v, memo) for v in values if v is not None]))]
    again = [r for v in back for r in v]
    assert again == answers
    for a, b in zip(again, answers, strict=True):
        assert [dict(h.context) for h in a.hops] == [dict(h.context) for h in b.hops]
        assert all(h.evidence is None for h in a.hops)
    assert len({id(h) for r in again for h in r.hops}) == len({id(h) for r in answers for h in r.hops})


class _Parts(BaseCheck):
    """Shared work in parts only: each part's value names the part; the values joined are recorded in order. In a
    worker process a part dies or raises (``how``)."""

    id = "parts"

    def __init__(self, parent: int, how: str = "") -> None:
        self.parent = parent
        self.how = how
        self.joined: list[Any] = []

    def prepare(self, ctx: Any) -> None:
        self.join_parts(ctx, [self.part(ctx, name) for name in self.parts(ctx)])

    def prepare_head(self, ctx: Any) -> None:
        import time

        time.sleep(0.5)  # the worker claims parts meanwhile

    def parts(self, ctx: Any) -> tuple[str, ...]:
        return tuple(f"p{i:02d}" for i in range(12))

    def part(self, ctx: Any, name: str) -> Any:
        if os.getpid() != self.parent:
            if self.how == "die":
                os._exit(9)
            if self.how == "raise":
                raise ValueError("broken part")
        return ("value", name)

    def part_to_plain(self, value: Any, memo: dict[int, Any]) -> Any:
        return list(value)

    def part_from_plain(self, plain: Any, memo: dict[int, Any]) -> Any:
        return tuple(plain)

    def join_parts(self, ctx: Any, values: list[Any]) -> None:
        self.joined = values

    def run(self, ctx: Any) -> Iterator[Any]:
        return iter(())


def test_the_parts_are_joined_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    import trustgraph.checks.parallel as parallel

    monkeypatch.setattr(parallel, "PARTS_MAX_MB", None)
    for jobs in (1, 2, 3):
        check = _Parts(os.getpid())
        run_checks(ScanContext(load()), [check], jobs=jobs, chunk=1)
        assert check.joined == [("value", f"p{i:02d}") for i in range(12)], jobs


@pytest.mark.parametrize("how", ["raise", "die"])
def test_a_worker_failing_in_a_part_fails_the_scan(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import trustgraph.checks.parallel as parallel

    monkeypatch.setattr(parallel, "PARTS_MAX_MB", None)
    with pytest.raises(ValueError if how == "raise" else RuntimeError):
        run_checks(ScanContext(load()), [_Parts(os.getpid(), how)], jobs=2, chunk=1)


def test_no_parts_for_the_workers_above_the_memory_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above :data:`PARTS_MAX_MB` the early workers take local tasks only and the scan process computes every part."""
    import trustgraph.checks.parallel as parallel

    monkeypatch.setattr(parallel, "PARTS_MAX_MB", 0)
    assert not parallel.parts_fit()
    forked = _record_forks(monkeypatch)
    check = _Parts(os.getpid(), "die")  # a part a worker computed would end the scan
    run_checks(ScanContext(load()), [check], jobs=2, chunk=1)
    assert forked[0] == (LOCAL,) and len(check.joined) == 12


def test_every_cut_of_the_parts_finds_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan process claims parts from the start and the workers from the end, so a scan's split of the parts is a
    cut: the first ``k`` here, the rest in the workers. Every cut, ``k`` from 0 to all of them, gives the findings of
    one process, witnesses included, and computes here exactly the first ``k`` parts."""
    import trustgraph.checks.parallel as parallel
    from trustgraph.checks.external_path_to_admin import ExternalPathToAdmin

    monkeypatch.setattr(parallel, "PARTS_MAX_MB", None)
    parent = os.getpid()
    computed_here: list[str] = []
    cut = [0]
    part, claim, claim_last = ExternalPathToAdmin.part, parallel._Claims.claim, parallel._Claims.claim_last

    def recording_part(self: Any, ctx: ScanContext, name: str) -> Any:
        if os.getpid() == parent:
            computed_here.append(name)
        return part(self, ctx, name)

    def parent_claim(self: Any, kind: int) -> int | None:
        if kind == PARTS and os.getpid() == parent:
            with self.next.get_lock():
                if self.next[PARTS] >= cut[0]:
                    return None
        return claim(self, kind)

    def worker_claim_last(self: Any) -> int | None:
        with self.next.get_lock():
            if self.next[PARTS_END] - 1 < cut[0]:
                return None
        return claim_last(self)

    monkeypatch.setattr(ExternalPathToAdmin, "part", recording_part)
    monkeypatch.setattr(parallel._Claims, "claim", parent_claim)
    monkeypatch.setattr(parallel._Claims, "claim_last", worker_claim_last)
    for tg in (load(), _federated_org(tmp_path)):
        parts = _parts_of(tg)
        one = _scan(tg, 1)
        assert len(parts) >= 2 and any(f["check_id"] == "external-path-to-admin" for f in one)
        for k in range(len(parts) + 1):
            cut[0] = k
            computed_here.clear()
            assert _scan(tg, 2) == one, k
            assert computed_here == list(parts[:k]), k
