"""Run checks over a trust graph: serially or in worker processes, with identical results.

The unit of work is one role: every selected check runs on a :class:`~trustgraph.checks.context.ScanContext` view of
that role. With ``jobs > 1`` the roles are spread over processes forked from the parent (the ``fork`` start method,
so the loaded estate and graph are shared copy-on-write and not pickled); each worker keeps its own solver memo.
Work every role shares (the searches of the reach checks, :meth:`BaseCheck.prepare`) runs once in the parent before
the workers start, so they inherit its answers.
Findings come back in role order, catalog order within a role, so the result does not depend on ``jobs``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from trustgraph.checks.base import BaseCheck
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding
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
        out.extend(check.run(view))
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

    First each check's ``prepare`` does the work every role shares (the reach checks' searches) in this process;
    then the roles are checked.

    Parameters
    ----------
    jobs
        Worker processes (1: in this process; None: :func:`auto_jobs`). Falls back to one process where ``fork`` is
        unavailable.
    progress
        Called with (roles done, roles total) after each role.
    """
    roles = ctx.roles
    total = len(roles)
    if jobs is None:
        jobs = auto_jobs(total)
    for check in checks:
        prepare = getattr(check, "prepare", None)
        if prepare is not None:
            prepare(ctx)
    per_role: dict[str, list[Finding]] = {}
    if jobs > 1 and total > 1 and _fork_available():
        per_role = _run_parallel(ctx, checks, roles, jobs, progress)
    else:
        for i, role in enumerate(roles, 1):
            per_role[role] = run_role(ctx, checks, role)
            if progress is not None:
                progress(i, total)
    findings = tuple(f for role in roles for f in per_role[role])
    return ScanResult(findings, tuple(checks))


# ------------------------------------------------------------------------------------------- processes
_WORKER: tuple[ScanContext, tuple[BaseCheck, ...]] | None = None


def _fork_available() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _work(role: str) -> tuple[str, list[dict[str, Any]]]:
    assert _WORKER is not None
    ctx, checks = _WORKER
    return role, [finding_to_plain(f) for f in run_role(ctx, checks, role)]


def _run_parallel(ctx: ScanContext, checks: Sequence[BaseCheck], roles: Sequence[str], jobs: int,
                  progress: Progress | None) -> dict[str, list[Finding]]:
    import multiprocessing

    global _WORKER
    _WORKER = (ctx, tuple(checks))
    out: dict[str, list[Finding]] = {}
    try:
        mp = multiprocessing.get_context("fork")
        # contiguous chunks: neighbouring roles (same account) share ancestors, so a worker's memo of hop answers and
        # reach queries serves its next roles too
        chunk = max(1, len(roles) // (jobs * 4))
        with mp.Pool(processes=min(jobs, len(roles))) as pool:
            for i, (role, plain) in enumerate(pool.imap_unordered(_work, roles, chunksize=chunk), 1):
                out[role] = [finding_from_plain(p) for p in plain]
                if progress is not None:
                    progress(i, len(roles))
    finally:
        _WORKER = None
    return out


# Findings cross process boundaries as plain values: HopWitness keeps its context in a MappingProxyType, which
# does not pickle.
def finding_to_plain(f: Finding) -> dict[str, Any]:
    """A finding as picklable plain values."""
    plain = {fld.name: getattr(f, fld.name) for fld in fields(f)}
    plain["path"] = [
        {"source": h.source, "target": h.target, "action": h.action, "context": dict(h.context),
         "statements": h.statements, "approximations": h.approximations}
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


__all__ = ["AUTO_JOBS_MIN_ROLES", "ScanResult", "auto_jobs", "finding_from_plain", "finding_to_plain", "run_checks",
           "run_role", "scan"]
