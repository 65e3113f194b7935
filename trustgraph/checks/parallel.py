"""Checks in worker processes: an even split whatever the shape, the shared work done once, memory bounded.

A scan's work has two parts. The *shared work* (:meth:`BaseCheck.prepare`: the forward searches of the reach checks)
is one computation over the whole graph; every role of those checks reads its answers. The *per-role work* is
every check on every role. :func:`run_parallel` splits them so that ``jobs`` processes stay busy, the parent
included:

1. The roles are cut into small chunks (:func:`chunk_size`), each chunk making two tasks: the checks without shared
   work (*local* tasks) and the checks with it (*shared* tasks). Tasks are claimed one at a time from a counter in
   shared memory (a work queue), so a process that drew cheap roles simply takes more tasks: the split follows the
   actual cost of each role, not an estimate, and one expensive role delays nobody by more than one chunk.
2. ``jobs - 1`` workers are forked at once and take local tasks, while the parent does the shared work (reading
   their findings meanwhile in a thread, :func:`reading_meanwhile`, so that one that has run out of tasks ends at
   once instead of holding its memory, idle, until that work is over). Forked before that work exists, these
   *early* workers never take a shared task. They take *parts* of that work first, where it has some
   (:meth:`~trustgraph.checks.base.BaseCheck.parts`: external-path-to-admin's searches from the federated providers
   outside the zone, each independent of what was computed before it): the parent claims parts from the start, the
   workers from the end (neighbouring parts share more of their work, which each process does once for its own);
   each worker sends the values of its parts back in one message (:func:`_worker_parts`), and the parent joins them
   in order once the rest of its shared work is done (:func:`join_parts`; it takes local tasks while it waits for
   them), before any shared task or late worker reads them. The parent alone did these searches while the early
   worker, done with its local tasks, sat idle (2,000 roles, idle machine, whole scans interleaved three times:
   random:2, 86 providers, 1.67-1.88 -> 1.41-1.58 s wall for 2.09-2.32 -> 2.23-2.49 s CPU of the process tree;
   federation-heavy, 40 providers, 1.15-1.59 -> 0.97-1.08 s; vendor-heavy 1.67-1.94 -> 1.68-1.70 s; chain-heavy,
   whose one large provider is the whole search, and mix within noise). The searches of two processes decide more
   hops than those of one (random:2: ~17% more CPU), each deciding the states its own share reaches; on a loaded
   machine that CPU is not paid back (random:2 0.2-0.6 s slower). Only while the parent holds at most
   :data:`PARTS_MAX_MB` when it forks them (2,000 roles: ~80 MB; 20,000 roles: 160-175 MB, none); otherwise the
   scan process does that work as :meth:`~trustgraph.checks.base.BaseCheck.prepare` does it in one process (for
   external-path-to-admin, one search for every provider: computed part by part in one process, vendor-heavy's 199
   providers at 20,000 roles cost ~2.8 s more CPU of the scan process than that one search).
3. The parent then takes tasks itself (shared first, then local), and reads the workers' findings after every role
   it checks (so a worker that has run out of tasks ends at once instead of waiting, idle, for its results to be
   read).
   When an early worker runs out of local tasks while shared ones remain, a *late* worker is forked in its place:
   it inherits the finished shared work (copy-on-write, never pickled or recomputed) and takes any task. Only while
   the parent's resident memory is at most :data:`LATE_WORKER_MAX_MB`, though: the pages a process reads are
   copied all the same (reading an object writes its reference count), so a late worker checking roles against
   ~550 MB of shared searches copies most of them, and the two processes held ~1,040 MB where the parent alone
   holds ~800 (vendor-heavy, 20,000 roles); above the bound the parent finishes the shared tasks alone.

So at most ``jobs`` processes exist at a time (the parent is one of them: it would otherwise sit idle while holding
every page the workers share), the shared work is computed once, in the parent, and nothing waits for the slowest of a
few large slices. Before each fork the parent freezes what it holds out of the garbage collector's walks
(``gc.freeze``), and each worker does the same with what it inherited, so that collections on either side do not copy
the pages they share; the shared work, what survives each checked role (solver memos, caches; its dead cycles collected
first, :func:`freeze_survivors`) and the findings unpacked at the end are frozen too, since the full collections their
growth triggered walked them again and again (20,000 roles: a third of the shared work's CPU). Work a local check shares
across roles belongs in its :meth:`~trustgraph.checks.base.BaseCheck.prepare` (privilege-escalation's escalation edges):
done there once, the late workers inherit it, where a per-process memo is computed again by every process that checks a
role.

Findings travel from workers as plain values (:func:`finding_to_plain`), pickled once per task (:func:`pack`), and
stay packed in the parent until every worker has ended (the parent's own tasks' findings stay as they are while it is
small, :data:`OWN_OBJECTS_MAX_MB`) (a finding takes about a seventh of its size as objects),
compressed once they pass :data:`COMPRESS_HELD_MB` (:class:`HeldFindings`: vendor-heavy at 20,000 roles, the scan
process held 39 MB of them at its peak, 4-5x less compressed); then they are put back in role order, catalog order
within a role, so the result is the same for any ``jobs`` and any chunk size (``tests/checks/test_split.py``).
A worker that dies (killed, out of memory) or raises makes the scan raise: no finding is silently lost.
"""

from __future__ import annotations

import queue as queue_module
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from trustgraph.checks.finding import Finding
from trustgraph.checks.grouping import grouped_findings
from trustgraph.checks.plain import hop_to_plain
from trustgraph.queries.results import HopWitness

if TYPE_CHECKING:
    from multiprocessing.context import ForkContext, ForkProcess
    from multiprocessing.queues import Queue
    from multiprocessing.sharedctypes import SynchronizedArray

    from trustgraph.checks.base import BaseCheck
    from trustgraph.checks.context import ScanContext

Progress = Callable[[int, int], None]  # (roles done, roles total)

#: the two kinds of task: checks without shared work, checks with it; and the parts of the shared work
#: (:meth:`~trustgraph.checks.base.BaseCheck.parts`), claimed as tasks are
LOCAL, SHARED, PARTS = 0, 1, 2
#: the slot of :class:`_Claims`' counters past the last part nobody has taken (the workers claim parts from the end)
PARTS_END = 3

#: the early workers are offered the parts of the shared work only while the scan process's resident memory is at most
#: this many MB when it forks them (None: always); the findings do not depend on it. A part a worker computes builds
#: its search's states and answers there too, besides those the scan process keeps (at 2,000 roles the scan process
#: holds 76-79 MB then on the bench's profiles and ~112 MB on random seeds 1 and 3, whose policy-heavy accounts the
#: parts did not pay on: 6.6-9.8 s wall either way, 1.3-1.5 s more CPU with them, three interleaved pairs; at 20,000
#: roles 150-450 MB, where a worker that searched would add to the peak). A size is a proxy for the searches' cost,
#: not a measure of it: a bound on the work the parts duplicate would be the right criterion
PARTS_MAX_MB: int | None = 100

#: a late worker is forked only while the parent's resident memory is at most this many MB (None: always); the
#: findings do not depend on it. It copies a third or more of what the parent holds (20,000 roles: mix 216 MB ->
#: +74, chain-heavy 243 -> +85, federation-heavy 390 -> +96), so above 300 MB the two would hold more than 400 MB
#: together, for the last second or so of shared tasks
LATE_WORKER_MAX_MB: int | None = 300

#: the packed findings the scan process holds are compressed once they exceed this many MB (:class:`HeldFindings`)
COMPRESS_HELD_MB = 8.0

#: the findings of a task the scan process runs itself are kept as they are (not packed, then unpacked) while its
#: resident memory is at most this many MB (None: always), else packed as the workers' are; the findings do not depend
#: on it. Packing and unpacking its own half cost the scan process ~0.05 s of CPU on its critical path at 2,000 roles
#: (vendor-heavy: 1,650 findings, 1.9 MB packed), where it holds ~130 MB; at 20,000 roles (200-700 MB) the packed
#: form is what keeps the peak down
OWN_OBJECTS_MAX_MB: int | None = 200

#: seconds the findings reader (:func:`reading_meanwhile`) waits for a message before it looks whether the shared work
#: is over: the parent waits up to this long after that work before it takes tasks or forks a late worker
READ_POLL_S = 0.02

#: bounds of the number of roles in a chunk (small enough that the last chunks even out the processes' loads, large
#: enough that a task's overhead, a counter increment and one message, stays negligible)
MIN_CHUNK, MAX_CHUNK = 1, 64


@dataclass(frozen=True, slots=True)
class Task:
    """Some checks (indexes into the scan's checks) on a chunk of roles."""

    checks: tuple[int, ...]
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """The tasks of a parallel scan: ``local`` (checks without shared work) and ``shared`` (checks whose
    :meth:`~trustgraph.checks.base.BaseCheck.prepare` must have run), each in role order."""

    local: tuple[Task, ...]
    shared: tuple[Task, ...]
    #: the parts of the shared work: (check index, part name), in rank order of the checks, each check's in order
    parts: tuple[tuple[int, str], ...] = ()

    def kind(self, kind: int) -> tuple[Any, ...]:
        """The tasks of one kind (:data:`LOCAL`, :data:`SHARED` or :data:`PARTS`)."""
        return self.shared if kind == SHARED else self.parts if kind == PARTS else self.local


def has_shared_work(check: BaseCheck) -> bool:
    """True when the check overrides :meth:`BaseCheck.prepare` (work shared by all roles)."""
    from trustgraph.checks.base import BaseCheck

    prepare = getattr(type(check), "prepare", None)
    return prepare is not None and prepare is not BaseCheck.prepare


def chunk_size(roles: int, jobs: int) -> int:
    """Roles per task: about 16 tasks per process, within [:data:`MIN_CHUNK`, :data:`MAX_CHUNK`].

    >>> chunk_size(20_000, 2), chunk_size(2_000, 2), chunk_size(10, 4)
    (64, 62, 1)
    """
    return max(MIN_CHUNK, min(MAX_CHUNK, roles // max(1, jobs * 16)))


def plan_tasks(checks: Sequence[BaseCheck], roles: Sequence[str], size: int) -> Plan:
    """The roles cut into chunks of ``size``; per chunk, a local task and a shared task (when there are such
    checks)."""
    shared = tuple(i for i, c in enumerate(checks) if has_shared_work(c))
    local = tuple(i for i, c in enumerate(checks) if not has_shared_work(c))
    chunks = [tuple(roles[i:i + size]) for i in range(0, len(roles), max(1, size))]
    return Plan(local=tuple(Task(local, c) for c in chunks) if local else (),
                shared=tuple(Task(shared, c) for c in chunks) if shared else ())


def run_task(ctx: ScanContext, checks: Sequence[BaseCheck], task: Task, between: Callable[[], object] | None = None,
             *, freeze: bool = False) -> list[tuple[str, int, list[Finding]]]:
    """The findings of a task: (role, check index, that check's grouped findings on the role) for each pair with
    findings (a pair without any is left out: :meth:`_Pool.findings` gives every role its list); ``between`` is
    called after each role (the parent reads the workers' messages there).

    With ``freeze``, what survives a role (the solver's memo, the checks' caches) is frozen out of later collections
    after it (``gc.freeze``, as :func:`~trustgraph.checks.runner.run_checks` does in one process; the caller hands it
    back): the full collections the memo's growth triggers would otherwise walk it again and again (20,000 roles,
    chain-heavy: a worker's collections 0.92 -> 0.06 s CPU); the role's cyclic garbage is collected first
    (:func:`freeze_survivors`)."""
    out = []
    for role in task.roles:
        view = ctx.for_roles((role,))
        for i in task.checks:
            found = grouped_findings(checks[i], view, ctx.condition_counter())
            if found:  # most (role, check) pairs find nothing: they cost the parent only bookkeeping
                out.append((role, i, found))
        if freeze:
            freeze_survivors()
        if between is not None:
            between()
    return out


def freeze_survivors() -> None:
    """Freeze what survives a checked role out of later collections (``gc.freeze``), its cyclic garbage collected
    first (``gc.collect``: the role's objects only, everything older being frozen already).

    A freeze takes every object the collector tracks, dead cycles included, and a frozen object is never collected:
    the cycles a role leaves that the young collections had not reached by its end would stay for the rest of the
    scan. The solver's symbolic requests (:class:`~trustgraph.smt.env.Env` with its z3 terms) were most of them until
    the outsiders' key builders stopped capturing their environment (:data:`~trustgraph.smt.symbolic.Builder`;
    condition-heavy, 2,000 roles, one process: 28,618 -> 1,274 objects collected here over the roles). Collected
    first, they left the peak PSS of condition-heavy at 20,000 roles at 655 MB instead of 682, the same CPU. The
    collection walks only the role's survivors (the frozen ones it skips): no CPU measurable at 2,000 roles (mix,
    condition-heavy, three interleaved pairs)."""
    import gc

    gc.collect()
    gc.freeze()


class HeldFindings:
    """The packed findings of the finished tasks (:func:`pack`), held until every process is done: compressed
    (zlib, level 1) once they exceed :data:`COMPRESS_HELD_MB`.

    The scan process holds them at its peak, after its shared tasks (vendor-heavy, 20,000 roles: 39 MB of packed
    findings at ~600 MB; zlib 1 compresses them 4-5x at ~10 ms per MB and ~4 ms per MB back: peak PSS 588 -> 564 MB).
    Below the bound (2,000 roles: 1-3 MB) they stay as they are, which costs no CPU. The findings do not depend on
    it."""

    def __init__(self, compress_above_mb: float | None = None) -> None:
        self.compress_above = (COMPRESS_HELD_MB if compress_above_mb is None else compress_above_mb) * 1024 * 1024
        self._held: dict[tuple[int, int], tuple[bool, bytes]] = {}  # key -> (compressed, bytes)
        self._packed_bytes = 0  # the sum of the packed (uncompressed) sizes added

    def add(self, key: tuple[int, int], packed: bytes) -> None:
        """Hold a task's packed findings (compressing them, and every one held before, once over the bound)."""
        import zlib

        self._packed_bytes += len(packed)
        if self._packed_bytes <= self.compress_above:
            self._held[key] = (False, packed)
            return
        for k, (compressed, data) in self._held.items():
            if not compressed:
                self._held[k] = (True, zlib.compress(data, 1))
        self._held[key] = (True, zlib.compress(packed, 1))

    def pop(self, key: tuple[int, int]) -> bytes:
        """A task's packed findings (decompressed), no longer held."""
        import zlib

        compressed, data = self._held.pop(key)
        return zlib.decompress(data) if compressed else data

    def keys(self) -> list[tuple[int, int]]:
        """The keys held, in the order added."""
        return list(self._held)

    def held_bytes(self) -> int:
        """The bytes held now (compressed or not)."""
        return sum(len(data) for _, data in self._held.values())

    @property
    def packed_bytes(self) -> int:
        """The sum of the packed sizes added (as :func:`pack` made them)."""
        return self._packed_bytes

    def __len__(self) -> int:
        return len(self._held)


# ------------------------------------------------------------------------------------------------ the work queue
class _Claims:
    """The next unclaimed task of each kind, in shared memory (one counter per kind, under one lock; and, for
    :data:`PARTS`, claimed from both ends, the end past the last unclaimed one)."""

    def __init__(self, mp: ForkContext, plan: Plan) -> None:
        self.plan = plan
        self.next: SynchronizedArray[int] = mp.Array("q", [0, 0, 0, len(plan.parts)])

    def claim(self, kind: int) -> int | None:
        """The index of a task of ``kind`` nobody has taken, now taken; None when every one is."""
        total = len(self.plan.kind(kind)) if kind != PARTS else None
        with self.next.get_lock():
            i = self.next[kind]
            if i >= (self.next[PARTS_END] if total is None else total):
                return None
            self.next[kind] = i + 1
            return int(i)

    def claim_last(self) -> int | None:
        """The last part of the shared work nobody has taken, now taken; None when every one is. The workers take
        the parts from the end, the scan process from the start: consecutive parts share more of their work (the
        searches of neighbouring providers reach the same states), which each process does once for its own (the
        federated searches of random:2 at 2,000 roles: +15% CPU in two halves, +33% one by one alternately)."""
        with self.next.get_lock():
            j = self.next[PARTS_END] - 1
            if j < self.next[PARTS]:
                return None
            self.next[PARTS_END] = j
            return int(j)

    def left(self, kind: int) -> bool:
        """Whether a task of ``kind`` is still unclaimed."""
        with self.next.get_lock():
            return bool(self.next[kind] < len(self.plan.kind(kind)))


Message = tuple[Any, ...]


def _worker(ctx: ScanContext, checks: Sequence[BaseCheck], claims: _Claims, kinds: tuple[int, ...],
            results: Queue[Message], wid: int) -> None:
    """A worker process: claim tasks of ``kinds`` (in that order of preference) until none is left."""
    import gc
    import pickle

    from trustgraph.timeline import mark

    gc.freeze()  # what the parent built stays out of this process's collections: they would copy its pages
    mark("worker " + ",".join(("local", "shared", "parts")[k] for k in kinds))
    try:
        for kind in kinds:
            if kind == PARTS:
                _worker_parts(ctx, checks, claims, results)
                continue
            while (i := claims.claim(kind)) is not None:
                results.put(("result", kind, i, pack(run_task(ctx, checks, claims.plan.kind(kind)[i], freeze=True))))
        mark("worker done")
        results.put(("done", wid))
    except BaseException as exc:  # reported to the parent, which raises it; never a silent loss of findings
        try:
            pickle.dumps(exc)
            error: BaseException = exc
        except Exception:
            error = RuntimeError(f"{type(exc).__name__}: {exc}")
        results.put(("error", wid, error))


def _worker_parts(ctx: ScanContext, checks: Sequence[BaseCheck], claims: _Claims, results: Queue[Message]) -> None:
    """A worker's share of the parts of the shared work: claimed from the end (:meth:`_Claims.claim_last`) until none
    is left, then their values sent to the scan process in one message (pickled together: values that share objects
    are written once)."""
    import pickle

    from trustgraph.model.bulk import built_frozen
    from trustgraph.timeline import mark

    values: dict[int, Any] = {}
    mark("worker parts")
    with built_frozen():  # as the scan process computes its parts (runner._prepare_frozen)
        while (i := claims.claim_last()) is not None:
            c, name = claims.plan.parts[i]
            values[i] = checks[c].part(ctx, name)
    mark(f"worker parts: {len(values)} of {len(claims.plan.parts)}")
    if values:
        memo: dict[int, Any] = {}
        plain = {i: checks[claims.plan.parts[i][0]].part_to_plain(v, memo) for i, v in sorted(values.items())}
        results.put(("parts", tuple(plain), pickle.dumps(plain, protocol=pickle.HIGHEST_PROTOCOL)))


class _Pool:
    """The worker processes of one scan and the findings they sent."""

    def __init__(self, ctx: ScanContext, checks: Sequence[BaseCheck], plan: Plan, roles: Sequence[str],
                 progress: Progress | None) -> None:
        import multiprocessing

        self.mp = multiprocessing.get_context("fork")
        self.ctx, self.checks, self.plan = ctx, checks, plan
        self.claims = _Claims(self.mp, plan)
        self.results: Queue[Message] = self.mp.Queue()
        self.workers: dict[int, ForkProcess] = {}
        self.done: set[tuple[int, int]] = set()
        #: each finished task's findings, packed (:func:`pack`) until every process is done
        self.packed = HeldFindings()
        #: the findings of the tasks this process ran and kept as they are (:meth:`keep_own`)
        self.own: dict[tuple[int, int], list[tuple[str, int, list[Finding]]]] = {}
        self.roles = tuple(roles)
        self.progress = progress
        #: the values of the parts of the shared work this process computed (part index -> value)
        self.parts: dict[int, Any] = {}
        #: the parts each worker computed and their values, as it sent them (:func:`_worker_parts`)
        self.parts_packed: list[tuple[tuple[int, ...], bytes]] = []
        self.units_total = sum(len(t.checks) * len(t.roles) for k in (LOCAL, SHARED) for t in plan.kind(k))
        self.units = 0
        self._next_id = 0

    def fork(self, kinds: tuple[int, ...]) -> None:
        """Start a worker taking tasks of ``kinds``."""
        import gc

        wid = self._next_id
        self._next_id += 1
        # what this process holds now (for a late worker: the shared work) leaves its collections before the fork:
        # a full collection here would otherwise write to every such object's header and copy, in this process,
        # each page the worker still shares with it
        gc.freeze()
        proc = self.mp.Process(target=_worker, args=(self.ctx, self.checks, self.claims, kinds, self.results, wid),
                               daemon=True)
        proc.start()
        self.workers[wid] = proc

    def keep_own(self, kind: int, i: int, found: list[tuple[str, int, list[Finding]]]) -> None:
        """Keep the findings of a task this process ran: as they are while it holds at most
        :data:`OWN_OBJECTS_MAX_MB` (they are this process's already: packing them only to unpack them at the end
        costs CPU on the scan's critical path), else packed as a worker's are."""
        if OWN_OBJECTS_MAX_MB is not None:
            resident = resident_mb()
            if resident is None or resident > OWN_OBJECTS_MAX_MB:
                self.record(kind, i, pack(found))
                return
        self.own[(kind, i)] = found
        self.record(kind, i, None)

    def parts_complete(self) -> bool:
        """Whether the value of every part of the shared work is here (this process's, or sent by a worker)."""
        return len(self.parts) + sum(len(sent) for sent, _ in self.parts_packed) >= len(self.plan.parts)

    def record(self, kind: int, i: int, packed: bytes | None) -> None:
        """Keep a task's findings (packed; None: kept as they are, in :attr:`own`)."""
        self.done.add((kind, i))
        if packed is not None:
            self.packed.add((kind, i), packed)
        task = self.plan.kind(kind)[i]
        self.units += len(task.checks) * len(task.roles)
        if self.progress is not None:
            total_roles = len(self.roles)
            self.progress(self.units * total_roles // max(1, self.units_total), total_roles)

    def findings(self) -> dict[str, list[Finding]]:
        """Every task's findings, unpacked: per role, in catalog order (the packed values are freed as they are
        read). The collector is paused meanwhile and the findings end frozen (:func:`~trustgraph.model.bulk.
        built_frozen`, handed back by :func:`run_parallel`'s caller): they are acyclic, and the full collections their
        growth triggered walked them again and again (20,000 roles, chain-heavy: 0.66 of 0.93 s CPU)."""
        from trustgraph.model.bulk import built_frozen

        by_role: dict[str, dict[int, list[Finding]]] = {role: {} for role in self.roles}
        with built_frozen():
            for key in sorted((*self.packed.keys(), *self.own)):
                found = self.own.pop(key) if key in self.own else unpack(self.packed.pop(key))
                for role, c, fs in found:
                    by_role[role][c] = fs
        return {role: [f for i in sorted(found) for f in found[i]] for role, found in by_role.items()}

    def drain(self, timeout: float | None, on_done: Callable[[int], None]) -> bool:
        """Read the workers' messages: wait up to ``timeout`` seconds for the first (None: don't wait), then take
        what is there. False when nothing came."""
        got = False
        wait = timeout
        while True:
            try:
                msg = self.results.get(timeout=wait) if wait else self.results.get_nowait()
            except queue_module.Empty:
                return got
            got, wait = True, None
            if msg[0] == "result":
                _, kind, i, packed = msg
                self.record(kind, i, packed)
            elif msg[0] == "parts":
                self.parts_packed.append((msg[1], msg[2]))
            elif msg[0] == "done":
                self.workers.pop(msg[1]).join()
                on_done(msg[1])
            else:
                raise msg[2]

    def check_alive(self) -> None:
        """Raise if a worker ended without saying it was done (killed, out of memory)."""
        for wid, proc in self.workers.items():
            if proc.exitcode is not None:
                # its last messages may still be in the pipe: a worker that said "done" is popped by drain
                self.drain(None, lambda _: None)
                if wid in self.workers:
                    raise RuntimeError(f"a scan worker process ended unexpectedly (exit code {proc.exitcode})")
                return

    def stop(self) -> None:
        """End every worker still running (after an error)."""
        for proc in self.workers.values():
            if proc.is_alive():
                proc.terminate()
            proc.join()
        self.workers.clear()


#: what does the shared work of the checks given to it, computing this process's share of the parts of that work with
#: the callable given (None: every part, as :meth:`~trustgraph.checks.base.BaseCheck.prepare` does)
Prepare = Callable[["ScanContext", Sequence["BaseCheck"], "Callable[[], None] | None"], None]


def run_parallel(ctx: ScanContext, checks: Sequence[BaseCheck], roles: Sequence[str], jobs: int,
                 progress: Progress | None, prepare: Prepare,
                 size: int | None = None, release: bool = False, release_min_mb: int | None = None,
                 thaw: bool | None = None) -> dict[str, list[Finding]]:
    """The findings of ``checks`` per role, from ``jobs`` processes (this one included); see the module docstring.
    ``prepare`` does the shared work of the checks given to it (:data:`Prepare`); ``size`` overrides
    :func:`chunk_size`; with ``release``, ``ctx`` is released (:meth:`~trustgraph.checks.context.ScanContext.release`)
    once every worker has ended, before the findings are unpacked, if :func:`worth_releasing` (``release_min_mb``).
    ``thaw``: whether what the run freezes is handed back (``gc.unfreeze``) at the end; None: when nothing was frozen
    before (asked of the collector: ``gc.get_freeze_count`` walks every frozen object, ~5 ms at 2,000 roles in a
    scan)."""
    import gc

    from trustgraph.timeline import mark

    plan = plan_tasks(checks, roles, size if size is not None else chunk_size(len(roles), jobs))
    # parts only where a worker may take them: the scan process alone does its shared work as prepare() does it
    plan = Plan(plan.local, plan.shared, plan_parts(ctx, checks) if jobs > 1 and parts_fit() else ())
    pool = _Pool(ctx, checks, plan, roles, progress)
    if thaw is None:
        thaw = gc.get_freeze_count() == 0  # nobody froze objects before: what the forks freeze is handed back
    try:
        def replace_worker(_: int) -> None:
            # an early worker ran out of local tasks: a late one, forked now, inherits the shared work
            if pool.claims.left(SHARED) and late_worker_fits():
                pool.fork((SHARED, LOCAL))

        def compute_parts() -> None:
            # this process's share of the parts of the shared work: those no worker has claimed yet
            while (i := pool.claims.claim(PARTS)) is not None:
                c, name = plan.parts[i]
                pool.parts[i] = checks[c].part(ctx, name)

        # early workers: parts of the shared work (if any) and local tasks, while this process does the shared work
        kinds = (PARTS, LOCAL) if plan.parts else (LOCAL,)
        inherited_tables(ctx)
        for _ in range(jobs - 1):
            pool.fork(kinds)
        if plan.shared:
            with reading_meanwhile(pool) as ended:
                prepare(ctx, [c for c in checks if has_shared_work(c)], compute_parts if plan.parts else None)
            if plan.parts:
                ended = list(ended)

                def read_meanwhile() -> None:
                    pool.drain(None, ended.append)  # no late worker before the parts are joined

                while not pool.parts_complete():  # the parts the workers are still computing: local tasks meanwhile
                    if (i := pool.claims.claim(LOCAL)) is not None:
                        pool.keep_own(LOCAL, i, run_task(ctx, checks, plan.local[i], read_meanwhile, freeze=True))
                        read_meanwhile()
                    elif not pool.drain(0.2, ended.append):
                        pool.check_alive()
                        if not pool.workers and not pool.parts_complete():
                            raise RuntimeError("scan workers ended with parts of the shared work unfinished")
                here = len(pool.parts)
                join_parts(ctx, checks, plan, pool.parts, pool.parts_packed)
                mark(f"parts joined: {here} of {len(plan.parts)} here")
            for wid in ended:  # early workers that ended during the shared work: replaced now that it is done
                replace_worker(wid)

        def read() -> None:
            pool.drain(None, replace_worker)

        for kind in (SHARED, LOCAL):
            while (i := pool.claims.claim(kind)) is not None:
                # the workers' messages are read after every role, not every task: a worker's results wait in a
                # pipe the parent alone empties, and a worker that has run out of tasks cannot end before they are
                # read (at 20,000 roles a finished worker stayed alive, idle, for 130 s of a 360 s scan, holding its
                # 220 MB, and no late worker took its place meanwhile)
                pool.keep_own(kind, i, run_task(ctx, checks, plan.kind(kind)[i], read, freeze=True))
                read()
        mark("tasks done")
        expected = len(plan.local) + len(plan.shared)
        while len(pool.done) < expected or pool.workers:
            if not pool.drain(0.2, lambda _: None):
                pool.check_alive()
                if not pool.workers and len(pool.done) < expected:
                    raise RuntimeError("scan workers ended with tasks unfinished")
        mark("gathered")
        if release and worth_releasing(release_min_mb):
            ctx.release(frozen=True)  # every fork froze what this process held (_Pool.fork)
            mark("released")
        found = pool.findings()  # every worker has ended
        mark("findings")
    finally:
        pool.stop()
        pool.results.close()
        if thaw:
            gc.unfreeze()
    return found


def inherited_tables(ctx: ScanContext) -> None:
    """Build, before the first fork, the scan-wide tables that every process reads on its first role, so that the
    workers inherit them instead of each building its own.

    Building one walks every role's trust policy, and reading an object writes its reference count: the walk made a
    worker copy each page of the loaded estate it still shared with the scan process (condition-heavy, 20,000 roles:
    the trust statements' condition counts, :meth:`~trustgraph.checks.context.ScanContext.condition_counter`, read
    by the grouping of the first role's findings, took the early worker's private memory from 8 to 64 MB in 0.22 s,
    its resident memory unchanged). Built here, the scan process pays the walk once, where it paid it too, on its
    first role."""
    ctx.condition_counter()


def plan_parts(ctx: ScanContext, checks: Sequence[BaseCheck]) -> tuple[tuple[int, str], ...]:
    """The parts of the shared work (:meth:`~trustgraph.checks.base.BaseCheck.parts`) as (check index, part name), the
    checks in the order :func:`~trustgraph.checks.runner.prepare_all` prepares them."""
    order = sorted((i for i, c in enumerate(checks) if has_shared_work(c)),
                   key=lambda i: getattr(checks[i], "prepare_rank", 0))
    return tuple((i, name) for i in order for name in checks[i].parts(ctx))


def join_parts(ctx: ScanContext, checks: Sequence[BaseCheck], plan: Plan, values: dict[int, Any],
               packed: list[tuple[tuple[int, ...], bytes]]) -> None:
    """Hand each check the values of its parts, in order (:meth:`~trustgraph.checks.base.BaseCheck.join_parts`):
    this process's (``values``) as they are, the workers' (``packed``, :func:`_worker_parts`) unpacked; both are
    emptied. What is built is frozen after, as the rest of the shared work is (:func:`~trustgraph.model.bulk.
    built_frozen`)."""
    import pickle

    from trustgraph.model.bulk import built_frozen

    with built_frozen():
        for _, data in packed:
            plain: dict[int, Any] = pickle.loads(data)
            memo: dict[int, Any] = {}  # shared by the values pickled together
            values.update((i, checks[plan.parts[i][0]].part_from_plain(v, memo)) for i, v in plain.items())
        packed.clear()
        for c in dict.fromkeys(c for c, _ in plan.parts):
            checks[c].join_parts(ctx, [values.pop(i) for i, (ci, _) in enumerate(plan.parts) if ci == c])


def parts_fit() -> bool:
    """Whether the early workers are offered parts of the shared work: this process's resident memory is at most
    :data:`PARTS_MAX_MB` (or there is no bound, or it cannot be read)."""
    if PARTS_MAX_MB is None:
        return True
    resident = resident_mb()
    return resident is None or resident <= PARTS_MAX_MB


@contextmanager
def reading_meanwhile(pool: _Pool) -> Iterator[list[int]]:
    """Read the workers' messages in a thread while the block runs (the shared work, one long call), yielding the
    list of the workers that said they were done meanwhile (filled as they end; complete once the block is over).

    A worker's findings wait in a pipe that this process alone empties, and a worker that has run out of tasks
    cannot end before they are read: read only after the shared work, an early worker that finished its local tasks
    early sat idle, holding its memory, until the shared work was over, at its peak (vendor-heavy, 20,000 roles,
    loaded machine: ~158 MB for 50 s, the scan's peak being the two processes then). The thread only records
    findings and joins the workers that ended; forking a late worker is left to the caller, after the block (a fork
    must not copy a thread, nor shared work half done), and ends as soon as every worker has ended (else it looks
    every :data:`READ_POLL_S` whether the block is over). A worker's error read meanwhile is raised after the
    block."""
    import threading

    stop = threading.Event()
    ended: list[int] = []
    failed: list[BaseException] = []

    def read() -> None:
        try:
            # once every worker has ended nothing more can come: the thread ends then, and the block's end does not
            # wait for its last poll (on the scan's critical path: the shared work is over, the tasks wait)
            while not stop.is_set() and pool.workers:
                pool.drain(READ_POLL_S, ended.append)
        except BaseException as exc:  # re-raised in the caller's thread
            failed.append(exc)

    reader = threading.Thread(target=read, name="trustgraph-findings-reader", daemon=True)
    reader.start()
    try:
        yield ended
    finally:
        stop.set()
        reader.join()
    if failed:
        raise failed[0]


def late_worker_fits() -> bool:
    """Whether a late worker may be forked: this process's resident memory is at most :data:`LATE_WORKER_MAX_MB`
    (or there is no bound, or it cannot be read)."""
    if LATE_WORKER_MAX_MB is None:
        return True
    resident = resident_mb()
    return resident is None or resident <= LATE_WORKER_MAX_MB


def worth_releasing(min_mb: int | None) -> bool:
    """Whether a scan context should be released (:meth:`~trustgraph.checks.context.ScanContext.release`) before the
    findings are merged: always when ``min_mb`` is None, else when this process's resident memory is above
    ``min_mb`` MB (or cannot be read).

    Releasing trades CPU for memory: the references are dropped and one full collection frees the cycles, walking
    every live object (2,000 roles: ~0.12 s CPU of a ~3.4 s parent, all of it serial, after the workers are done;
    vendor-heavy at 20,000 roles: ~1.9 s for ~600 MB). Where the process is small, the memory it would give back
    does not matter (it ends with ``os._exit`` after the report), and the collection is skipped with it."""
    if min_mb is None:
        return True
    resident = resident_mb()
    return resident is None or resident > min_mb


def resident_mb() -> float | None:
    """This process's resident memory in MB (None where ``/proc/self/statm`` cannot be read)."""
    import os

    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            resident_pages = int(fh.read().split()[1])
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def pack(found: list[tuple[str, int, list[Finding]]]) -> bytes:
    """A task's findings as one compact value (pickled plain values, :func:`finding_to_plain`): what the parent
    holds while the workers run. A finding as objects takes ~6 KB (its witnesses' contexts, statements and
    locations), pickled ~0.8 KB; the findings are unpacked once every worker has ended, so the peak with the workers
    alive holds the compact form."""
    import pickle

    return pickle.dumps([(role, c, [finding_to_plain(f) for f in fs]) for role, c, fs in found],
                        protocol=pickle.HIGHEST_PROTOCOL)


def unpack(packed: bytes) -> list[tuple[str, int, list[Finding]]]:
    """The inverse of :func:`pack`."""
    import pickle

    return [(role, c, [finding_from_plain(p) for p in ps]) for role, c, ps in pickle.loads(packed)]


# Findings cross process boundaries as plain values: HopWitness keeps its context in a MappingProxyType, which
# does not pickle.
def finding_to_plain(f: Finding) -> dict[str, Any]:
    """A finding as picklable plain values."""
    plain = {fld.name: getattr(f, fld.name) for fld in fields(f)}
    plain["path"] = [hop_to_plain(h) for h in f.path]
    return plain


def finding_from_plain(plain: dict[str, Any]) -> Finding:
    """The inverse of :func:`finding_to_plain`."""
    data = dict(plain)
    data["path"] = tuple(HopWitness(**h) for h in plain["path"])
    return Finding(**data)


__all__ = ["COMPRESS_HELD_MB", "LATE_WORKER_MAX_MB", "LOCAL", "MAX_CHUNK", "MIN_CHUNK", "OWN_OBJECTS_MAX_MB",
           "PARTS", "PARTS_END", "PARTS_MAX_MB", "READ_POLL_S", "SHARED", "HeldFindings", "Plan", "Prepare", "Task",
           "chunk_size", "finding_from_plain", "finding_to_plain", "freeze_survivors", "has_shared_work",
           "inherited_tables", "join_parts", "late_worker_fits", "pack",
           "parts_fit", "plan_parts", "plan_tasks", "reading_meanwhile", "resident_mb", "run_parallel", "run_task",
           "unpack", "worth_releasing"]
