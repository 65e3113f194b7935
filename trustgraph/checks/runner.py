"""Run checks over a trust graph: serially or in worker processes, with identical results.

Checks run on a :class:`~trustgraph.checks.context.ScanContext` view of one role at a time. Work every role shares
(the searches of the reach checks, :meth:`BaseCheck.prepare`) is done once, before those checks see their first role.
With ``jobs > 1`` the roles are cut into small tasks that ``jobs`` processes (this one and workers forked from it:
the ``fork`` start method, so the loaded estate, graph and shared searches are shared copy-on-write, never pickled
or recomputed) take from a work queue (:mod:`trustgraph.checks.parallel`); each worker keeps its own solver memo.
Findings come back in role order, catalog order within a role, so the result does not depend on ``jobs``; each check's
findings on a role are merged into one (:func:`trustgraph.checks.grouping.group_findings`: one finding per check and
role, listing every source that gets in).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from trustgraph.checks.base import BaseCheck
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding
from trustgraph.checks.grouping import grouped_findings
from trustgraph.checks.parallel import (
    finding_from_plain,
    finding_to_plain,
    freeze_survivors,
    has_shared_work,
    worth_releasing,
)

Progress = Callable[[int, int], None]  # (roles done, roles total)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a run produced: findings in role order, and the checks that ran."""

    findings: tuple[Finding, ...]
    checks: tuple[BaseCheck, ...]


def run_role(ctx: ScanContext, checks: Sequence[BaseCheck], role: str) -> list[Finding]:
    """Every check on one role."""
    view = ctx.for_roles((role,))
    conditions = ctx.condition_counter()  # one function per scan
    out: list[Finding] = []
    for check in checks:
        out.extend(grouped_findings(check, view, conditions))
    return out


#: ``trustgraph scan`` releases its scan context before merging the findings only when its process holds more than
#: this many MB then (:func:`~trustgraph.checks.parallel.worth_releasing`): 2,000 roles hold ~90-140 MB, where the
#: release's full collection cost ~0.12 s of serial CPU for memory nobody needed; mix and chain-heavy at 20,000 roles
#: hold ~230-255 MB (whole scan 17.0 -> 15.4 and 18.5 -> 17.5 s CPU, peak PSS sum unchanged at ~320 MB: the peak is
#: while the workers run); vendor-heavy at 20,000 roles ~700 MB, released as before
RELEASE_MIN_MB = 320

#: below this many roles a scan stays in one process when the number of workers is chosen automatically (forking and
#: gathering findings costs more than it saves)
AUTO_JOBS_MIN_ROLES = 400


def auto_jobs(roles: int) -> int:
    """The number of worker processes chosen for ``roles`` roles: one per CPU this process may use (at most 8), or
    one below :data:`AUTO_JOBS_MIN_ROLES` roles."""
    import os

    if roles < AUTO_JOBS_MIN_ROLES:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def run_checks(
    ctx: ScanContext,
    checks: Sequence[BaseCheck],
    *,
    jobs: int | None = 1,
    progress: Progress | None = None,
    chunk: int | None = None,
    release: bool = False,
    release_min_mb: int | None = None,
    thaw: bool | None = None,
) -> ScanResult:
    """Run ``checks`` on every role of ``ctx``.

    In one process, each check's ``prepare`` first does the work every role shares (the reach checks' searches), then
    the roles are checked one by one. With worker processes (:mod:`trustgraph.checks.parallel`) the roles are cut
    into small chunks that ``jobs`` processes, this one included, take from a work queue; the shared work is done
    once, in this process, while the first workers check what does not need it. The findings are the same either
    way, in role order and catalog order within a role.

    Parameters
    ----------
    jobs
        Worker processes (1: in this process; None: :func:`auto_jobs`). Falls back to one process where ``fork`` is
        unavailable.
    progress
        Called with (roles done, roles total) as the work proceeds.
    chunk
        Roles per task of the work queue (default: :func:`trustgraph.checks.parallel.chunk_size`); the findings do
        not depend on it.
    release
        Release ``ctx`` (:meth:`ScanContext.release`: its graph, estate and memoised answers) once every role is
        checked, before the findings are merged, for a caller that asks it nothing afterwards (``trustgraph scan``):
        the merge and the report then reuse that memory instead of adding to it.
    release_min_mb
        With ``release``: release only when this process's resident memory is then above this many MB (None:
        always; :func:`~trustgraph.checks.parallel.worth_releasing`). The findings do not depend on it.
    thaw
        Whether what the run freezes out of the garbage collector's walks (``gc.freeze``) is handed back
        (``gc.unfreeze``) at the end; None: when nothing was frozen before the call, which the collector is asked
        (``gc.get_freeze_count`` walks every frozen object: ~5 ms at 2,000 roles in a scan). A caller that froze
        objects itself and hands them back later (``trustgraph scan``: ``loaded_objects_frozen``) passes False.
    """
    import gc

    from trustgraph.timeline import mark

    roles = ctx.roles
    total = len(roles)
    if jobs is None:
        jobs = auto_jobs(total)
    per_role: dict[str, list[Finding]] = {}
    if jobs > 1 and total > 1 and _fork_available():
        from trustgraph.checks.parallel import run_parallel

        import_solver()  # once, here, rather than again in every worker forked before the shared work
        # run_parallel hands back what it froze itself (asking the collector here too would count every frozen
        # object once more)
        per_role = run_parallel(ctx, checks, roles, jobs, progress, _prepare_frozen, size=chunk, release=release,
                                release_min_mb=release_min_mb, thaw=thaw)
        return ScanResult(tuple(f for role in roles for f in per_role[role]), tuple(checks))
    if thaw is None:
        thaw = gc.get_freeze_count() == 0  # nobody froze objects before: what is frozen below is handed back
    try:
        _prepare_frozen(ctx, [c for c in checks if has_shared_work(c)])
        for i, role in enumerate(roles, 1):
            per_role[role] = run_role(ctx, checks, role)
            # what survives a role (the solver's memo, the checks' caches) leaves later collections: the full
            # collections its growth triggers would otherwise walk it again and again; handed back below
            freeze_survivors()
            if progress is not None:
                progress(i, total)
        mark("tasks done")
        if release and worth_releasing(release_min_mb):
            ctx.release(frozen=True)  # every role checked froze what survived it (freeze_survivors above)
            mark("released")
    finally:
        if thaw:
            gc.unfreeze()
    findings = tuple(f for role in roles for f in per_role[role])
    return ScanResult(findings, tuple(checks))


def prepare_all(ctx: ScanContext, checks: Iterable[BaseCheck], parts: Callable[[], None] | None = None) -> None:
    """Each check's shared work, in ascending :attr:`BaseCheck.prepare_rank` (catalog order among equals); each one
    marked on the scan's timeline (:mod:`trustgraph.timeline`). With ``parts`` (worker processes share the parts of
    the shared work, :meth:`BaseCheck.parts`), a check with parts does its :meth:`BaseCheck.prepare_head` and then
    ``parts()``, this process's share of them, which the caller joins (:func:`~trustgraph.checks.parallel.
    join_parts`)."""
    from trustgraph.timeline import mark

    for check in sorted(checks, key=lambda c: getattr(c, "prepare_rank", 0)):
        mark(f"prepare {check.id}")
        if parts is not None and check.parts(ctx):
            check.prepare_head(ctx)
            mark(f"parts {check.id}")
            parts()
        else:
            check.prepare(ctx)
    mark("prepared")


def _prepare_frozen(ctx: ScanContext, checks: Iterable[BaseCheck], parts: Callable[[], None] | None = None) -> None:
    """:func:`prepare_all` with the cyclic collector paused and what it built frozen after (:func:`~trustgraph.model.
    bulk.built_frozen`; :func:`run_checks` hands it back): the searches build millions of long-lived, acyclic states
    and answers, and the full collections their growth triggered walked them all again and again (20,000 roles: mix
    3.3 of 8.7 s CPU, chain-heavy 4.6 of 12.2 s, freeing 900 and 12 objects); the roles checked afterwards read
    them, so their collections do not walk them either."""
    from trustgraph.model.bulk import built_frozen

    with built_frozen():
        prepare_all(ctx, checks, parts)


#: the solver's modules, which the checks import lazily on their first hop, and the shared searches' (imported by an
#: early worker on its first part or local task: ~5 ms each time): imported by :func:`import_solver`
SOLVER_MODULES = (
    "trustgraph.queries.classmoves", "trustgraph.queries.fixed",
    "trustgraph.queries.lazydecision", "trustgraph.queries.memorows", "trustgraph.queries.shared",
    "trustgraph.queries.viewkeys",
    "trustgraph.queries.ground", "trustgraph.semantics.spelling", "trustgraph.smt.concrete_first",
    "trustgraph.smt.constraints", "trustgraph.smt.guess", "trustgraph.smt.mfa_twins", "trustgraph.smt.question",
    "trustgraph.smt.reference", "trustgraph.smt.sharing", "trustgraph.smt.slots",
    "trustgraph.smt.solve", "trustgraph.smt.structure", "trustgraph.smt.symbolic", "trustgraph.smt.trust_gate",
    "trustgraph.smt.witness",
)


def import_solver() -> None:
    """Import :data:`SOLVER_MODULES` in this process, before it forks workers.

    The checks import the solver lazily (a scan that asks it nothing never loads z3's encoding). With workers, the
    parent imports it during the shared work and the workers forked before that work (:mod:`trustgraph.checks.
    parallel`) each imported it again on their first role: 16 modules, ~0.09 s of CPU per worker with compiled
    bytecode and ~0.15 s without (2,000 roles, mix). Imported before the fork, they are the workers' for nothing
    (copy-on-write pages)."""
    import importlib

    for name in SOLVER_MODULES:
        importlib.import_module(name)


def _fork_available() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def scan(ctx: ScanContext, checks: Iterable[BaseCheck], *, jobs: int | None = 1,
         progress: Progress | None = None) -> tuple[Finding, ...]:
    """Shorthand: the findings of ``checks`` on ``ctx``."""
    return run_checks(ctx, tuple(checks), jobs=jobs, progress=progress).findings


__all__ = ["AUTO_JOBS_MIN_ROLES", "RELEASE_MIN_MB", "SOLVER_MODULES", "ScanResult", "auto_jobs", "finding_from_plain",
           "finding_to_plain", "has_shared_work", "import_solver", "prepare_all", "run_checks", "run_role", "scan"]
