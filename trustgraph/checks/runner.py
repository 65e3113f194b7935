"""Run checks over a trust graph: serially or in worker processes, with identical results.

Checks run on a :class:`~trustgraph.checks.context.ScanContext` view of one role at a time. Work every role shares
(the searches of the reach checks, :meth:`BaseCheck.prepare`) is done once, before those checks see their first role.
With ``jobs > 1`` the work is split into tasks (:func:`plan_tasks`) run by processes forked from the parent (the
``fork`` start method, so the loaded estate and graph are shared copy-on-write and not pickled); each worker keeps its
own solver memo.
Findings come back in role order, catalog order within a role, so the result does not depend on ``jobs``; each check's
findings on a role are merged into one (:func:`trustgraph.checks.grouping.group_findings`: one finding per check and
role, listing every source that gets in).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from trustgraph.checks.base import BaseCheck
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding
from trustgraph.checks.grouping import group_findings
from trustgraph.queries.results import HopWitness

Progress = Callable[[int, int], None]  # (roles done, roles total)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a run produced: findings in role order, and the checks that ran."""

    findings: tuple[Finding, ...]
    checks: tuple[BaseCheck, ...]


def run_role(ctx: ScanContext, checks: Sequence[BaseCheck], role: str) -> list[Finding]:
    """Every check on one role."""
    view = ctx.for_roles((role,))
    out: list[Finding] = []
    for check in checks:
        out.extend(group_findings(check.run(view), ctx.conditions_at))
    return out


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
) -> ScanResult:
    """Run ``checks`` on every role of ``ctx``.

    In one process, each check's ``prepare`` first does the work every role shares (the reach checks' searches), then
    the roles are checked one by one. With worker processes the work is split into tasks: the checks with shared work
    together, over every role, in one task (their searches share one hop memo); the other checks over slices of the
    roles. The findings are the same either way, in role order and catalog order within a role.

    Parameters
    ----------
    jobs
        Worker processes (1: in this process; None: :func:`auto_jobs`). Falls back to one process where ``fork`` is
        unavailable.
    progress
        Called with (roles done, roles total) as the work proceeds.
    """
    roles = ctx.roles
    total = len(roles)
    if jobs is None:
        jobs = auto_jobs(total)
    per_role: dict[str, list[Finding]] = {}
    if jobs > 1 and total > 1 and _fork_available():
        per_role = _run_parallel(ctx, checks, roles, jobs, progress)
    else:
        prepare_all(ctx, [c for c in checks if has_shared_work(c)])
        for i, role in enumerate(roles, 1):
            per_role[role] = run_role(ctx, checks, role)
            if progress is not None:
                progress(i, total)
    findings = tuple(f for role in roles for f in per_role[role])
    return ScanResult(findings, tuple(checks))


def prepare_all(ctx: ScanContext, checks: Iterable[BaseCheck]) -> None:
    """Each check's shared work, in ascending :attr:`BaseCheck.prepare_rank` (catalog order among equals)."""
    for check in sorted(checks, key=lambda c: getattr(c, "prepare_rank", 0)):
        check.prepare(ctx)


def has_shared_work(check: BaseCheck) -> bool:
    """True when the check overrides :meth:`BaseCheck.prepare` (work shared by all roles)."""
    prepare = getattr(type(check), "prepare", None)
    return prepare is not None and prepare is not BaseCheck.prepare


# ------------------------------------------------------------------------------------------- processes
_WORKER: tuple[ScanContext, tuple[BaseCheck, ...]] | None = None

#: A unit of work for a worker process: indexes into the checks, whether their shared work runs first, and the roles.
Task = tuple[tuple[int, ...], bool, tuple[str, ...]]


def _fork_available() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def plan_tasks(checks: Sequence[BaseCheck], roles: Sequence[str], jobs: int) -> list[Task]:
    """The tasks of a parallel run: the checks with shared work in one task over every role (first, so that it
    starts at once), then the other checks over slices of the roles, small enough for the workers to even out."""
    shared = tuple(i for i, c in enumerate(checks) if has_shared_work(c))
    local = tuple(i for i, c in enumerate(checks) if not has_shared_work(c))
    tasks: list[Task] = []
    if shared:
        tasks.append((shared, True, tuple(roles)))
    if local:
        size = max(1, len(roles) // (jobs * 8))
        tasks += [(local, False, tuple(roles[i:i + size])) for i in range(0, len(roles), size)]
    return tasks


def _work(task: Task) -> tuple[Task, list[tuple[str, int, list[dict[str, Any]]]]]:
    assert _WORKER is not None
    ctx, checks = _WORKER
    indexes, shared, roles = task
    chosen = [checks[i] for i in indexes]
    if shared:
        prepare_all(ctx, chosen)
    out = []
    for role in roles:
        view = ctx.for_roles((role,))
        for i, check in zip(indexes, chosen, strict=True):
            out.append((role, i, [finding_to_plain(f) for f in group_findings(check.run(view), ctx.conditions_at)]))
    return task, out


def _run_parallel(ctx: ScanContext, checks: Sequence[BaseCheck], roles: Sequence[str], jobs: int,
                  progress: Progress | None) -> dict[str, list[Finding]]:
    import multiprocessing

    global _WORKER
    _WORKER = (ctx, tuple(checks))
    tasks = plan_tasks(checks, roles, jobs)
    units_total = sum(len(t[0]) * len(t[2]) for t in tasks)
    by_role: dict[str, dict[int, list[Finding]]] = {role: {} for role in roles}
    units = 0
    try:
        mp = multiprocessing.get_context("fork")
        with mp.Pool(processes=min(jobs, len(tasks))) as pool:
            for task, results in pool.imap_unordered(_work, tasks):
                for role, i, plain in results:
                    by_role[role][i] = [finding_from_plain(p) for p in plain]
                units += len(task[0]) * len(task[2])
                if progress is not None:
                    progress(units * len(roles) // units_total, len(roles))
    finally:
        _WORKER = None
    return {role: [f for i in sorted(found) for f in found[i]] for role, found in by_role.items()}


# Findings cross process boundaries as plain values: HopWitness keeps its context in a MappingProxyType, which
# does not pickle.
def finding_to_plain(f: Finding) -> dict[str, Any]:
    """A finding as picklable plain values."""
    plain = {fld.name: getattr(f, fld.name) for fld in fields(f)}
    plain["path"] = [
        {"source": h.source, "target": h.target, "action": h.action, "caller": h.caller, "context": dict(h.context),
         "statements": h.statements, "approximations": h.approximations, "method": h.method,
         "calls": tuple((a, r, dict(c)) for a, r, c in h.calls)}
        for h in f.path
    ]
    return plain


def finding_from_plain(plain: dict[str, Any]) -> Finding:
    """The inverse of :func:`finding_to_plain`."""
    data = dict(plain)
    data["path"] = tuple(HopWitness(**h) for h in plain["path"])
    return Finding(**data)


def scan(ctx: ScanContext, checks: Iterable[BaseCheck], *, jobs: int | None = 1,
         progress: Progress | None = None) -> tuple[Finding, ...]:
    """Shorthand: the findings of ``checks`` on ``ctx``."""
    return run_checks(ctx, tuple(checks), jobs=jobs, progress=progress).findings


__all__ = ["AUTO_JOBS_MIN_ROLES", "ScanResult", "Task", "auto_jobs", "finding_from_plain", "finding_to_plain",
           "has_shared_work", "plan_tasks", "prepare_all", "run_checks", "run_role", "scan"]
