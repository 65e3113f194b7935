"""Running the bench: on given exports, on one generated profile, or on every profile (each in its own process, so
that its peak memory and import time are its own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustgraph.bench.machine import machine_info
from trustgraph.bench.phases import DEFAULT_SAMPLE, MEASURED_BY_SCAN, Journal, run_phases
from trustgraph.bench.process import process_comparison, timed_run
from trustgraph.bench.results import BenchResult
from trustgraph.bench.targets import OVER_BUDGET
from trustgraph.errors import UsageError

#: the environment variable naming the file a bench process writes its phases to as they end (set by a parent that
#: gives it a ``--budget``: :class:`~trustgraph.bench.phases.Journal`)
JOURNAL_ENV = "TRUSTGRAPH_BENCH_JOURNAL"

DEFAULT_ROLES = 2_000
DEFAULT_ACCOUNTS = 20
ALL_PROFILES = "all"


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """What to measure besides the phases (the command line's options)."""

    jobs: int | None = 1
    sample: int = DEFAULT_SAMPLE
    process: bool = False
    repeats: int = 3
    per_check: bool = True
    scaling: bool = False
    cloudsplaining: str | None = None
    cloudsplaining_accounts: int | None = 3

    def check(self) -> None:
        """Raise :class:`UsageError` for values out of range."""
        if self.jobs is not None and self.jobs < 1:
            raise UsageError("--jobs must be at least 1")
        if self.repeats < 1:
            raise UsageError("--repeats must be at least 1")
        if self.sample < 0:
            raise UsageError("--sample must be at least 0")
        if self.cloudsplaining_accounts is not None and self.cloudsplaining_accounts < 1:
            raise UsageError("--cloudsplaining-accounts must be at least 1")


def run_bench(
    paths: Sequence[str | os.PathLike[str]] = (),
    *,
    roles: int = DEFAULT_ROLES,
    accounts: int = DEFAULT_ACCOUNTS,
    seed: int = 0,
    jobs: int | None = 1,
    sample: int = DEFAULT_SAMPLE,
    process: bool = False,
    repeats: int = 3,
    keep: str | os.PathLike[str] | None = None,
    zone_ids: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
    zone_file: str | None = None,
    profile: str = "mix",
    per_check: bool = True,
    scaling: bool = False,
    cloudsplaining: str | None = None,
    cloudsplaining_accounts: int | None = 3,
    journal: str | os.PathLike[str] | None = None,
) -> BenchResult:
    """Run the bench on ``paths``, or on an organization of ``profile`` generated with
    :func:`trustgraph.synth.synthesize` (``roles`` spread evenly over ``accounts``; written to ``keep`` or a temporary
    directory).

    Raises
    ------
    UsageError
        For counts out of range, an unknown profile, or a profile with ``paths``.
    """
    from trustgraph.synth import DEFAULT_PROFILE, PROFILES

    options = BenchOptions(jobs=jobs, sample=sample, process=process, repeats=repeats, per_check=per_check,
                           scaling=scaling, cloudsplaining=cloudsplaining,
                           cloudsplaining_accounts=cloudsplaining_accounts)
    options.check()
    if paths:
        if profile != DEFAULT_PROFILE:
            raise UsageError("--profile generates an organization: give it without PATH")
        if scaling:
            raise UsageError("--scaling generates organizations of two sizes: give it without PATH")
        return _bench_paths(list(paths), None, options, zone_ids=zone_ids, zone_file=zone_file, progress=progress,
                            journal=journal)
    if profile not in PROFILES:
        raise UsageError(f"--profile must be one of {', '.join(PROFILES)} or {ALL_PROFILES}, got {profile!r}")
    if accounts < 1 or roles < accounts:
        raise UsageError("--roles must be at least --accounts, and --accounts at least 1")
    per_account = roles // accounts
    from trustgraph.synth import synthesize

    with tempfile.TemporaryDirectory(prefix="trustgraph-bench-") as tmp:
        out = os.fspath(keep) if keep is not None else os.path.join(tmp, "org")
        if progress is not None:
            progress(f"synth {profile}")
        t = time.perf_counter()
        summary = synthesize(out, accounts=accounts, roles_per_account=per_account, seed=seed, profile=profile)
        generated = {"seconds": round(time.perf_counter() - t, 3), "roles_per_account": per_account, "seed": seed,
                     "summary": summary.describe(), "directory": out if keep is not None else None,
                     "profile": profile}
        result = _bench_paths([out], generated, options, zone_ids=zone_ids, zone_file=zone_file, progress=progress,
                              profile=profile, journal=journal)
    if scaling:
        Journal(journal).start("scaling")
        result = _with_scaling(result, profile, roles, accounts, seed, options, progress)
    return result


def _bench_paths(paths: list[str | os.PathLike[str]], generated: dict[str, Any] | None, options: BenchOptions, *,
                 zone_ids: Sequence[str], zone_file: str | None, progress: Callable[[str], None] | None,
                 profile: str | None = None, journal: str | os.PathLike[str] | None = None) -> BenchResult:
    run = run_phases(paths, jobs=options.jobs, sample=options.sample, zone_ids=zone_ids, zone_file=zone_file,
                     progress=progress, per_check_times=options.per_check, journal=journal)
    if options.process:
        Journal(journal).start("process")
    comparison = (process_comparison(paths, repeats=options.repeats, jobs=options.jobs, progress=progress)
                  if options.process else None)
    counts = run.counts
    cs = None
    if options.cloudsplaining is not None:
        from trustgraph.bench.cloudsplaining import compare

        dirs = [Path(p) for p in paths if os.path.isdir(p)]
        if len(dirs) != 1:
            raise UsageError("--cloudsplaining needs one directory of exports")
        if comparison is not None:
            tg_seconds = comparison.scan_median
        else:  # one whole scan process, as the comparison counts interpreter start too
            if progress is not None:
                progress("scan process (for the Cloudsplaining comparison)")
            cmd = (sys.executable, "-m", "trustgraph", "scan", *(os.fspath(p) for p in paths), "--format", "json", "-o",
                   os.devnull, *(("--jobs", str(options.jobs)) if options.jobs is not None else ()))
            tg_seconds = timed_run(cmd, ok=(0, 1))[0]
        if progress is not None:
            progress("cloudsplaining")
        Journal(journal).start("cloudsplaining")
        cs = compare(dirs[0], options.cloudsplaining, trustgraph_seconds=tg_seconds, roles=counts["roles"],
                     accounts=options.cloudsplaining_accounts)
    memory = dict(run.memory)
    if comparison is not None and comparison.scan_tree_peak_mb is not None:
        # the whole scan process and its workers: what the target is about (the bench process also holds the
        # engines of its other phases)
        memory.update(scan_tree_peak_mb=comparison.scan_tree_peak_mb, total_peak_mb=comparison.scan_tree_peak_mb,
                      measured_by=MEASURED_BY_SCAN)
    return BenchResult(roles=counts["roles"], accounts=counts["accounts"], users=counts["users"],
                       files=counts["files"], bytes=counts["bytes"], jobs=counts["jobs"], generated=generated,
                       phases=tuple(run.phases), process=comparison, machine=machine_info(), profile=profile,
                       per_check=run.per_check, memory=memory, cloudsplaining=cs)


def _with_scaling(result: BenchResult, profile: str, roles: int, accounts: int, seed: int, options: BenchOptions,
                  progress: Callable[[str], None] | None) -> BenchResult:
    """``result`` with ``scaling``: the in-process scan time (model, graph, checks, render) of this run against a
    run of a tenth of the roles and accounts of the same profile and seed, in a fresh process, with the same number
    of worker processes (``--jobs auto`` would run the small one in a single process, flattering the ratio). Wall
    time is the target's figure; the CPU seconds of the same phases (workers included), which other programs on the
    machine do not inflate, are given beside it (``cpu_ratio``)."""
    from dataclasses import replace

    small_roles, small_accounts = max(1, roles // 10), max(1, accounts // 10)
    if progress is not None:
        progress(f"scaling: {small_roles} roles, {small_accounts} accounts")
    cmd = [sys.executable, "-m", "trustgraph", "bench", "--profile", profile, "--roles", str(small_roles),
           "--accounts", str(small_accounts), "--seed", str(seed), "--sample", "0", "--no-per-check", "--format",
           "json", "--jobs", str(result.jobs)]
    small = BenchResult.from_json(_run_json(cmd))
    big_s, small_s = result.scan_equivalent_seconds, small.scan_equivalent_seconds
    big_cpu, small_cpu = _scan_cpu_seconds(result), _scan_cpu_seconds(small)
    scaling = {"roles": result.roles, "small_roles": small.roles, "seconds": round(big_s, 3),
               "small_seconds": round(small_s, 3), "role_ratio": round(result.roles / max(1, small.roles), 2),
               "ratio": round(big_s / small_s, 2) if small_s > 0 else None, "jobs": result.jobs,
               "small_jobs": small.jobs, "cpu_seconds": big_cpu, "small_cpu_seconds": small_cpu,
               "cpu_ratio": round(big_cpu / small_cpu, 2) if big_cpu is not None and small_cpu else None}
    return replace(result, scaling=scaling)


def _scan_cpu_seconds(result: BenchResult) -> float | None:
    """CPU seconds of the phases :attr:`BenchResult.scan_equivalent_seconds` adds up (None: not recorded)."""
    try:
        values = [result.phase(n).detail.get("cpu_seconds") for n in ("model", "graph", "checks", "render_json")]
    except KeyError:
        return None
    return round(sum(v for v in values if v is not None), 3) if all(v is not None for v in values) else None


def _run_json(cmd: Sequence[str]) -> dict[str, Any]:
    """Run a bench subprocess that prints JSON (its stderr goes to ours, for progress) and read its output."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise UsageError(f"`{' '.join(cmd[2:6])} ...` exited {proc.returncode}")
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


@dataclass(frozen=True, slots=True)
class ProfileRun:
    """One organization the bench generates: a profile of :mod:`trustgraph.synth` and the seed drawn from."""

    profile: str
    seed: int

    @property
    def label(self) -> str:
        """``PROFILE:SEED``, as ``--profile`` spells it."""
        return f"{self.profile}:{self.seed}"


def parse_profiles(text: str, *, seed: int = 0, seeds: Sequence[int] = ()) -> list[ProfileRun]:
    """The organizations ``--profile TEXT`` names, in order: comma-separated items, each a profile name, ``NAME:SEED``
    (that seed), or ``all`` (every profile, the random one included); an item without a seed runs once per seed of
    ``seeds`` (``--seeds``), or with ``seed`` (``--seed``) when ``seeds`` is empty. The same organization named twice
    is a usage error.

    >>> [r.label for r in parse_profiles("mix,random:7,random", seed=1, seeds=(2, 3))]
    ['mix:2', 'mix:3', 'random:7', 'random:2', 'random:3']

    Raises
    ------
    UsageError
        For an unknown profile, a seed that is not a whole number, or an organization named twice.
    """
    from trustgraph.synth import PROFILES

    default_seeds = tuple(seeds) or (seed,)
    out: list[ProfileRun] = []
    for item in (x.strip() for x in text.split(",")):
        name, sep, seed_text = item.partition(":")
        names = list(PROFILES) if name == ALL_PROFILES else [name]
        if any(n not in PROFILES for n in names):
            raise UsageError(f"--profile: expected {', '.join(PROFILES)} or {ALL_PROFILES}, each optionally "
                             f"followed by :SEED, comma-separated; got {item!r}")
        if sep:
            if not seed_text.isdigit():
                raise UsageError(f"--profile: the seed of {item!r} is not a whole number")
            item_seeds: tuple[int, ...] = (int(seed_text),)
        else:
            item_seeds = default_seeds
        for n in names:
            for s in item_seeds:
                run = ProfileRun(n, s)
                if run in out:
                    raise UsageError(f"--profile: {run.label} is named twice")
                out.append(run)
    return out


def run_profiles(names: Sequence[str | ProfileRun], *, roles: int = DEFAULT_ROLES, accounts: int = DEFAULT_ACCOUNTS,
                 seed: int = 0, options: BenchOptions = BenchOptions(), keep: str | os.PathLike[str] | None = None,
                 verbose: bool = False, progress: Callable[[str], None] | None = None,
                 budget: float | None = None) -> list[BenchResult]:
    """The bench of each organization of ``names`` (profile names, at ``seed``, or :class:`ProfileRun` values), each
    in its own ``trustgraph bench --profile NAME`` process (so each profile's peak memory, imports and solver caches
    are its own); with ``keep``, profile ``P`` is kept in ``keep/P`` (``keep/P-SEED`` when several seeds of a
    profile run).

    ``budget``: seconds each profile's process may take (synthesis, every phase, each check alone, ``--scaling``'s
    small run, everything). A process still running then is ended with its workers, and its result is marked
    :data:`OVER_BUDGET` with the phases it finished and the one it was in, so one shape that blows up shows as such
    instead of stalling the bench."""
    options.check()
    if accounts < 1 or roles < accounts:
        raise UsageError("--roles must be at least --accounts, and --accounts at least 1")
    if budget is not None and budget <= 0:
        raise UsageError("--budget must be a positive number of seconds")
    runs = [n if isinstance(n, ProfileRun) else ProfileRun(n, seed) for n in names]
    seeds_of: dict[str, int] = {}
    for r in runs:
        seeds_of[r.profile] = seeds_of.get(r.profile, 0) + 1
    out = []
    for run in runs:
        if progress is not None:
            progress(f"profile {run.label}")
        cmd = [sys.executable, "-m", "trustgraph", "bench", "--profile", run.profile, "--roles", str(roles),
               "--accounts", str(accounts), "--seed", str(run.seed), "--sample", str(options.sample), "--repeats",
               str(options.repeats), "--format", "json"]
        if options.jobs is not None:
            cmd += ["--jobs", str(options.jobs)]
        for flag, on in (("--process", options.process), ("--scaling", options.scaling),
                         ("--no-per-check", not options.per_check), ("--verbose", verbose)):
            if on:
                cmd.append(flag)
        if options.cloudsplaining is not None:
            cmd += ["--cloudsplaining", options.cloudsplaining]
            if options.cloudsplaining_accounts is not None:
                cmd += ["--cloudsplaining-accounts", str(options.cloudsplaining_accounts)]
        if keep is not None:
            sub = run.profile if seeds_of[run.profile] == 1 else f"{run.profile}-{run.seed}"
            cmd += ["--keep", os.path.join(os.fspath(keep), sub)]
        if budget is None:
            out.append(BenchResult.from_json(_run_json(cmd)))
        else:
            out.append(_run_with_budget(cmd, run, budget, roles, accounts, options))
    return out


def _run_with_budget(cmd: list[str], run: ProfileRun, budget: float, roles: int, accounts: int,
                     options: BenchOptions) -> BenchResult:
    """One profile's process given ``budget`` seconds: its result, or the phases it finished, marked over budget
    (the child writes each phase to a journal file as it finishes it, :class:`~trustgraph.bench.phases.Timer`)."""
    import signal

    from trustgraph.bench.results import PhaseResult

    with tempfile.TemporaryDirectory(prefix="trustgraph-bench-") as tmp:
        journal = os.path.join(tmp, "journal.jsonl")
        out_file = os.path.join(tmp, "out.json")
        start = time.perf_counter()
        with open(out_file, "wb") as out:
            # its own session: at the budget, the process group (the child, its scan workers, its own children)
            # ends at once
            proc = subprocess.Popen(cmd, stdout=out, start_new_session=True, env={**os.environ, JOURNAL_ENV: journal})
            try:
                code = proc.wait(timeout=budget)
            except subprocess.TimeoutExpired:
                code = None
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:  # pragma: no cover - ended meanwhile
                    pass
                proc.wait()
        if code is not None:
            if code != 0:
                raise UsageError(f"`{' '.join(cmd[2:6])} ...` exited {code}")
            with open(out_file, "rb") as fh:
                return BenchResult.from_json(json.loads(fh.read()))
        elapsed = time.perf_counter() - start
        done: list[PhaseResult] = []
        running = "synth"
        try:
            with open(journal, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        entry = json.loads(line)
                    except ValueError:  # the line being written when the process ended
                        continue
                    if "done" in entry:
                        done.append(PhaseResult(**entry["done"]))
                    elif "start" in entry:
                        running = str(entry["start"])
        except OSError:
            pass
    return BenchResult(roles=roles, accounts=accounts, users=0, files=0, bytes=0, jobs=options.jobs or 0,
                       generated={"profile": run.profile, "seed": run.seed, "roles_per_account": roles // accounts},
                       phases=tuple(done), process=None, machine=machine_info(), profile=run.profile,
                       status=OVER_BUDGET,
                       budget={"seconds": budget, "elapsed": round(elapsed, 1), "phase": running})
