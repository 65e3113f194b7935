"""The whole ``trustgraph scan`` process against a process that only json-loads the same files (the floor)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trustgraph.bench.results import ProcessComparison
from trustgraph.bench.timeline import summarize
from trustgraph.errors import UsageError
from trustgraph.timeline import read_marks


def _floor_code(dirs: Sequence[str]) -> str:
    globs = " + ".join(f"glob.glob({os.path.join(d, '*.json')!r})" for d in dirs)
    return f"import json, glob; [json.load(open(f)) for f in {globs}]"


def process_comparison(paths: Sequence[str | os.PathLike[str]], *, repeats: int = 3, jobs: int | None = 1,
                       progress: Callable[[str], None] | None = None) -> ProcessComparison:
    """``trustgraph scan PATH... --format json`` as a subprocess against the json-only floor process, alternating
    (floor, scan, floor, scan, ...), ``repeats`` times each; medians and their ratio.

    The floor reads ``DIR/*.json`` of each directory given (the issue's command); the scan reads the same files.
    Both are timed as installed programs run: trustgraph's bytecode is compiled first (:func:`compile_bytecode`), as
    the floor's standard library's is; where it cannot be written the result says so (``bytecode_cached``) and so
    does the report, since each scan then pays ~0.1-0.3 s of CPU compiling (mix at 2,000 roles, interleaved: 1.3-1.6 s
    of CPU from source, 1.2-1.3 s compiled). Each scan run records its timeline (:mod:`trustgraph.timeline`: a few
    dozen appended lines); the median run's summary (:func:`~trustgraph.bench.timeline.summarize`) says what its
    wall time was made of.
    """
    dirs = [os.fspath(p) for p in paths]
    if not all(os.path.isdir(d) for d in dirs):
        raise UsageError("--process needs directories of exports (the floor command globs DIR/*.json)")
    bytecode_cached = compile_bytecode()
    scan_cmd = (sys.executable, "-m", "trustgraph", "scan", *dirs, "--format", "json", "-o", os.devnull)
    if jobs is not None:  # else the scan's own default (auto), as the command runs it
        scan_cmd = (*scan_cmd, "--jobs", str(jobs))
    floor_cmd = (sys.executable, "-c", _floor_code(dirs))
    scans: list[float] = []
    floors: list[float] = []
    timelines: list[tuple[str, ...]] = []
    peak = 0.0
    tree_peak: float | None = None
    for i in range(repeats):
        if progress is not None:
            progress(f"process {i + 1}/{repeats}")
        floors.append(timed_run(floor_cmd, ok=(0,))[0])
        with tempfile.TemporaryDirectory() as tmp:
            marks = os.path.join(tmp, "timeline")
            run = measured_run(scan_cmd, ok=(0, 1), timeline=marks)
            summary = summarize(read_marks(marks), jobs or auto_jobs_here()) if os.path.exists(marks) else None
            timelines.append(() if summary is None else tuple(summary.lines()))
        scans.append(run.seconds)
        peak = max(peak, run.peak_rss_mb)
        if run.tree_pss_peak_mb is not None:
            tree_peak = max(tree_peak or 0.0, run.tree_pss_peak_mb)
    scan_median = statistics.median(scans)
    floor_median = statistics.median(floors)
    median_run = sorted(range(len(scans)), key=scans.__getitem__)[(len(scans) - 1) // 2] if scans else None
    return ProcessComparison(
        scan_seconds=tuple(round(s, 3) for s in scans), floor_seconds=tuple(round(s, 3) for s in floors),
        scan_median=round(scan_median, 3), floor_median=round(floor_median, 3),
        ratio=round(scan_median / floor_median, 1) if floor_median > 0 else float("inf"),
        scan_command=scan_cmd, floor_command=floor_cmd, scan_peak_rss_mb=round(peak, 1),
        scan_tree_peak_mb=None if tree_peak is None else round(tree_peak, 1),
        scan_timeline=() if median_run is None else timelines[median_run], bytecode_cached=bytecode_cached,
    )


def auto_jobs_here() -> int:
    """The processes ``scan --jobs auto`` allows on this machine for an organization of hundreds of roles or more
    (:func:`~trustgraph.checks.runner.auto_jobs`)."""
    from trustgraph.checks.runner import AUTO_JOBS_MIN_ROLES, auto_jobs

    return auto_jobs(AUTO_JOBS_MIN_ROLES)


def compile_bytecode() -> bool:
    """Compile trustgraph's modules to bytecode (``__pycache__`` beside them) where it is missing or stale, as ``pip
    install`` does for an installed package; True when every module compiled (False where the directory is not
    writable: the scan then compiles what it imports, as before).

    The import machinery writes bytecode at the first import unless told not to (``PYTHONDONTWRITEBYTECODE``, or an
    editable checkout whose ``__pycache__`` was never written): then every ``trustgraph scan`` process compiled the
    ~200 modules it imports from source, ~0.3 s of CPU before it read a file (a third of the whole process at 2,000
    roles), and each worker compiled again what it imported after the fork; the floor process, whose ``json`` module
    is compiled, paid nothing of the kind.
    """
    import compileall

    import trustgraph

    return bool(compileall.compile_dir(os.path.dirname(trustgraph.__file__), quiet=2))


@dataclass(frozen=True, slots=True)
class MeasuredRun:
    """One child process: wall seconds; peak RSS of the largest single process of it (``ru_maxrss``: the child or
    one of its workers; it may also be this process's own size at the fork, which the child's pages count until it
    executes the command); the peak PSS sum of the child and its workers together (None where not measurable)."""

    seconds: float
    peak_rss_mb: float
    tree_pss_peak_mb: float | None


def timed_run(cmd: Sequence[str], *, ok: tuple[int, ...]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process: the largest of the child and the processes it waited
    for (its workers), from ``wait4``'s resource usage of that child alone where the platform has it."""
    run = measured_run(cmd, ok=ok, tree=False)
    return run.seconds, run.peak_rss_mb


def measured_run(cmd: Sequence[str], *, ok: tuple[int, ...], tree: bool = True,
                 timeline: str | None = None) -> MeasuredRun:
    """Run ``cmd``: :class:`MeasuredRun` (with ``tree``, the memory of its process tree sampled by
    :class:`~trustgraph.bench.memwatch.TreeMemory` while it runs; with ``timeline``, a file the command's processes
    append their marks to: :mod:`trustgraph.timeline`)."""
    import tempfile
    from contextlib import nullcontext

    from trustgraph.bench.memwatch import TreeMemory
    from trustgraph.timeline import ENV

    env = None if timeline is None else {**os.environ, ENV: timeline}
    watcher: TreeMemory | None = None
    with tempfile.TemporaryFile() as err_file:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err_file, env=env)
        if tree:
            watcher = TreeMemory(proc.pid)
        with watcher if watcher is not None else nullcontext():
            if hasattr(os, "wait4"):
                _, status, usage = os.wait4(proc.pid, 0)
                seconds = time.perf_counter() - start
                proc.returncode = os.waitstatus_to_exitcode(status)
                rss = usage.ru_maxrss
            else:  # pragma: no cover - not POSIX
                proc.wait()
                seconds = time.perf_counter() - start
                import resource

                rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if proc.returncode not in ok:
            err_file.seek(0)
            err = err_file.read().decode("utf-8", "replace").strip().splitlines()
            raise UsageError(f"`{' '.join(cmd[:4])} ...` exited {proc.returncode}: {err[-1] if err else ''}")
    sample = watcher.result() if watcher is not None else None
    return MeasuredRun(seconds, rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024,
                       None if sample is None else sample.peak_mb)
