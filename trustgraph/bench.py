"""Measure where the time goes: every phase of a scan timed in one process, and the whole process against the floor.

:func:`run_bench` loads exports (given, or generated with :mod:`trustgraph.synth`) and times, one after the other:

``imports``
    Importing networkx, z3 and the modules a scan uses (a one-off cost of every process; kept out of the phases
    that follow).
``read``
    Reading and parsing every JSON file with orjson and with the standard library's ``json`` (the floor: nothing can
    be faster than reading the exports).
``model``
    :func:`trustgraph.ingest.load.load_estate` (reads and parses again, then builds the model).
``graph``
    :func:`trustgraph.graph.build.build_graph`.
``edges``
    Every edge of the graph out of a user, role or symbolic source solved under no constraints (edges out of hub nodes
    are counted: they are solved per member during searches), fresh engine, empty solver cache.
``reach_external``
    ``TrustGraph.external_access(without=["sts:ExternalId"])``: reachability of every role from ``external`` (the
    confused-deputy question), fresh engine, empty solver cache.
``checks``
    Every check of the catalog on every role inside the zone (the scan runner, ``--jobs`` workers), fresh engine,
    empty solver cache: what ``trustgraph scan`` spends after loading.
``render_json``
    Building the report and rendering it as JSON.
``who_can_reach``
    ``TrustGraph.who_can_reach(role)`` for a sample of roles on a fresh engine with an empty solver cache (as right
    after loading), the interactive question; the median, 90th percentile and maximum per role are reported besides
    the phase total. Timed last, because at scale one such question can take long.

With ``--jobs`` above 1 the checks run in worker processes: their solver counters are not in the table (the
parent's are), and their peak memory is reported as ``workers_peak_rss_mb`` in the checks phase's detail.

Each solver phase starts from an empty solver cache and a fresh engine, so its time is its own cost (the phases are
not cumulative). For each phase: wall time, the solver cache counters it added
(:func:`trustgraph.smt.cache.cache_stats`) and the process's peak resident memory so far (``ru_maxrss``).

:func:`process_comparison` runs ``trustgraph scan DIR --format json`` as a subprocess and the json-only floor
``python -c "import json, glob; [json.load(open(f)) for f in glob.glob('DIR/*.json')]"`` side by side, alternating,
and reports the medians and their ratio (the issue's 15x target).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from trustgraph.errors import UsageError

DEFAULT_ROLES = 2_000
DEFAULT_ACCOUNTS = 20
DEFAULT_SAMPLE = 20


@dataclass(frozen=True, slots=True)
class PhaseResult:
    """One timed phase.

    Attributes
    ----------
    name
        Phase id (``read``, ``model``, ...).
    seconds
        Wall time.
    peak_rss_mb
        Peak resident memory of the process when the phase ended (MB; never decreases from phase to phase).
    solver
        Solver cache counters the phase added: ``solver_calls`` (z3 checks made), ``hits``/``misses`` of the
        canonical-form cache, ``fast_path`` (hops decided without z3) and ``structure_evaluations``.
    detail
        Phase-specific numbers (files, bytes, nodes, edges, hops, findings, per-query medians, ...).
    """

    name: str
    seconds: float
    peak_rss_mb: float
    solver: dict[str, int] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProcessComparison:
    """The whole ``scan`` process against the json-only floor process (medians over alternating repetitions)."""

    scan_seconds: tuple[float, ...]
    floor_seconds: tuple[float, ...]
    scan_median: float
    floor_median: float
    ratio: float
    scan_command: tuple[str, ...]
    floor_command: tuple[str, ...]
    scan_peak_rss_mb: float


@dataclass(frozen=True, slots=True)
class BenchResult:
    """Everything a bench run measured."""

    roles: int
    accounts: int
    users: int
    files: int
    bytes: int
    jobs: int
    generated: dict[str, Any] | None
    phases: tuple[PhaseResult, ...]
    process: ProcessComparison | None
    machine: dict[str, str]

    def phase(self, name: str) -> PhaseResult:
        """The phase of that name."""
        for p in self.phases:
            if p.name == name:
                return p
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (phases in order)."""
        out = asdict(self)
        out["phases"] = [asdict(p) for p in self.phases]
        out["process"] = asdict(self.process) if self.process is not None else None
        out["scan_equivalent_seconds"] = self.scan_equivalent_seconds
        return out

    @property
    def scan_equivalent_seconds(self) -> float:
        """model + graph + checks + render_json: what ``scan`` does in-process after its imports."""
        return sum(self.phase(n).seconds for n in ("model", "graph", "checks", "render_json"))


# ------------------------------------------------------------------------------------------------------ helpers
def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KB, macOS bytes)."""
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _children_peak_rss_mb() -> float:
    """Peak resident memory of the largest child process that has ended (MB)."""
    import resource

    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def machine_info() -> dict[str, str]:
    """CPU model, core count, Python version and platform, for the record."""
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": str(os.cpu_count() or 1), "python": platform.python_version(),
            "platform": platform.platform()}


def _solver_counters() -> dict[str, int]:
    from trustgraph.smt.cache import cache_stats

    stats = cache_stats()
    return {k: v for k, v in stats.items() if k != "entries"}


def _diff(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in after}


class _Timer:
    """Collects phases in order."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.phases: list[PhaseResult] = []
        self.progress = progress

    @contextmanager
    def phase(self, name: str, detail: dict[str, Any]) -> Iterator[None]:
        if self.progress is not None:
            self.progress(name)
        before = _solver_counters()
        start = time.perf_counter()
        yield
        seconds = time.perf_counter() - start
        self.phases.append(PhaseResult(name, seconds, round(peak_rss_mb(), 1),
                                       _diff(_solver_counters(), before), detail))
        if self.progress is not None:
            self.progress(f"{name} done: {seconds:.2f} s, peak {peak_rss_mb():.0f} MB, {detail}")


def json_files(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The files the loader would read (directories searched recursively for ``*.json``)."""
    from trustgraph.ingest.load import iter_json_files

    return [p for p, _ in iter_json_files(paths)]


def _fresh_graph(estate: Any, zone: Any, graph: Any) -> Any:
    """The queries over an already built graph with a fresh engine and an empty solver cache."""
    from trustgraph.queries.graph_queries import GraphQueries
    from trustgraph.smt.cache import clear_cache

    clear_cache()
    return GraphQueries(estate, zone, graph)


def sample_roles(roles: Sequence[str], n: int, seed: int = 0) -> list[str]:
    """``n`` roles drawn at random (a fixed seed: the same roles every run), in sorted order. Random rather than
    evenly spaced: evenly spaced ARNs of a generated organization are the same role of every account."""
    import random

    ordered = sorted(roles)
    if n <= 0 or not ordered:
        return []
    if n >= len(ordered):
        return ordered
    return sorted(random.Random(seed).sample(ordered, n))


# ------------------------------------------------------------------------------------------------------ phases
def run_phases(
    paths: Sequence[str | os.PathLike[str]],
    *,
    jobs: int | None = 1,
    sample: int = DEFAULT_SAMPLE,
    zone_ids: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
    zone_file: str | None = None,
) -> tuple[list[PhaseResult], dict[str, int]]:
    """Time every phase on the exports at ``paths``; returns the phases and the estate's counts."""
    import json

    import orjson

    from trustgraph.ingest.load import load_estate
    from trustgraph.ingest.zone_file import zone_from_options

    timer = _Timer(progress)
    with timer.phase("imports", {}):
        import networkx  # noqa: F401
        import z3  # type: ignore[import-untyped]  # noqa: F401

        import trustgraph.checks.registry  # noqa: F401
        import trustgraph.graph.build  # noqa: F401
        import trustgraph.queries.graph_queries  # noqa: F401
        import trustgraph.smt.solve  # noqa: F401
    files = json_files(paths)
    size = sum(f.stat().st_size for f in files)

    # the floor, twice: orjson (what the loader uses) and the standard library (the floor process)
    t0 = time.perf_counter()
    for f in files:
        with open(f, encoding="utf-8") as fh:
            json.load(fh)
    stdlib_seconds = time.perf_counter() - t0
    with timer.phase("read", {"files": len(files), "bytes": size, "stdlib_json_seconds": round(stdlib_seconds, 4)}):
        for f in files:
            orjson.loads(f.read_bytes())

    model_detail: dict[str, Any] = {}
    with timer.phase("model", model_detail):
        estate = load_estate(list(paths))
        zone = zone_from_options(estate, list(zone_ids), zone_file)
    roles_total = len(estate.role_by_arn)
    users_total = len(estate.user_by_arn)
    model_detail.update(accounts=len(estate.accounts), roles=roles_total, users=users_total)

    graph_detail: dict[str, Any] = {}
    with timer.phase("graph", graph_detail):
        from trustgraph.graph.build import build_graph

        G = build_graph(estate, zone)
    graph_detail.update(nodes=G.number_of_nodes(), edges=G.number_of_edges())

    inside_roles = [n for n, d in G.nodes(data=True) if d["kind"] == "role" and d["inside"]]

    edge_detail: dict[str, Any] = {}
    tg = _fresh_graph(estate, zone, G)
    with timer.phase("edges", edge_detail):
        edge_detail.update(solve_all_edges(tg))

    reach_detail: dict[str, Any] = {}
    tg = _fresh_graph(estate, zone, G)
    with timer.phase("reach_external", reach_detail):
        results = tg.external_access(without=["sts:ExternalId"])
    reach_detail.update(results=len(results), reachable=len(results.reachable()), hop_solves=tg.engine.solver_calls)

    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.registry import select_checks
    from trustgraph.checks.runner import auto_jobs, run_checks

    checks = select_checks(None)
    tg = _fresh_graph(estate, zone, G)
    ctx = ScanContext(tg)
    jobs = auto_jobs(len(ctx.roles)) if jobs is None else jobs
    from trustgraph.model.bulk import loaded_objects_frozen
    checks_detail: dict[str, Any] = {"jobs": jobs, "checks": len(checks)}
    with timer.phase("checks", checks_detail), loaded_objects_frozen():  # as `trustgraph scan` runs them
        scan = run_checks(ctx, checks, jobs=jobs)
    checks_detail.update(roles=len(ctx.roles), findings=len(scan.findings), hop_solves=tg.engine.solver_calls)
    if jobs > 1:
        # the workers' solver counters stay in the workers; their memory is the children's peak
        checks_detail["workers_peak_rss_mb"] = round(_children_peak_rss_mb(), 1)

    render_detail: dict[str, Any] = {}
    with timer.phase("render_json", render_detail):
        from trustgraph.render.report import render
        from trustgraph.report.build import build_report

        report = build_report(scan.findings, checks, zone=zone.describe(), inputs=tuple(str(p) for p in paths))
        text = render(report, "json")
    render_detail.update(bytes=len(text.encode("utf-8")))

    # the interactive question, on a fresh engine and an empty solver cache (as right after loading); last, because
    # at scale one question can take long
    wcr_detail: dict[str, Any] = {}
    tg = _fresh_graph(estate, zone, G)
    times: list[float] = []
    with timer.phase("who_can_reach", wcr_detail):
        for role in sample_roles(inside_roles, sample):
            t = time.perf_counter()
            found = tg.who_can_reach(role)
            times.append(time.perf_counter() - t)
            if progress is not None:
                progress(f"who_can_reach {len(times)}: {1000 * times[-1]:.1f} ms, {len(found)} sources, {role}")
    if times:
        ordered = sorted(times)
        wcr_detail.update(queries=len(times), median_ms=round(statistics.median(times) * 1000, 2),
                          p90_ms=round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] * 1000, 2),
                          max_ms=round(ordered[-1] * 1000, 2))

    counts = {"roles": roles_total, "accounts": len(estate.accounts), "users": users_total, "files": len(files),
              "bytes": size, "jobs": jobs}
    return timer.phases, counts


def solve_all_edges(tg: Any) -> dict[str, int]:
    """Solve every edge of the graph from a concrete or symbolic source, under no constraints, from a session without
    MFA. Edges out of hub nodes (``principals:ID``, ``principals:*``) stand for one hop per member and are solved per
    member during searches; they are counted (``hub_edges``), not solved here, so the phase stays linear in the
    graph."""
    from trustgraph.graph.nodes import MEMBER, NodeKind
    from trustgraph.queries.options import QueryOptions
    from trustgraph.semantics.request import Action
    from trustgraph.smt.solve import Sat, Unknown

    engine = tg.engine
    G = tg.graph
    options = QueryOptions()
    hops = sat = unknown = hub_edges = 0
    for u, v, data in G.edges(data=True):
        if data.get("kind") == MEMBER:
            continue
        if G.nodes[u]["kind"] == NodeKind.PRINCIPALS.value:
            hub_edges += 1
            continue
        result = engine.solve((u, False), v, Action(data["action"]), options)
        hops += 1
        if isinstance(result, Sat):
            sat += 1
        elif isinstance(result, Unknown):
            unknown += 1
    return {"hops": hops, "sat": sat, "unsat": hops - sat - unknown, "unknown": unknown, "hub_edges": hub_edges}


# ---------------------------------------------------------------------------------------------- whole process
def _floor_code(dirs: Sequence[str]) -> str:
    globs = " + ".join(f"glob.glob({os.path.join(d, '*.json')!r})" for d in dirs)
    return f"import json, glob; [json.load(open(f)) for f in {globs}]"


def process_comparison(paths: Sequence[str | os.PathLike[str]], *, repeats: int = 3, jobs: int | None = 1,
                       progress: Callable[[str], None] | None = None) -> ProcessComparison:
    """``trustgraph scan PATH... --format json`` as a subprocess against the json-only floor process, alternating
    (floor, scan, floor, scan, ...), ``repeats`` times each; medians and their ratio.

    The floor reads ``DIR/*.json`` of each directory given (the issue's command); the scan reads the same files.
    """
    dirs = [os.fspath(p) for p in paths]
    if not all(os.path.isdir(d) for d in dirs):
        raise UsageError("--process needs directories of exports (the floor command globs DIR/*.json)")
    scan_cmd = (sys.executable, "-m", "trustgraph", "scan", *dirs, "--format", "json", "-o", os.devnull)
    if jobs is not None:  # else the scan's own default (auto), as the command runs it
        scan_cmd = (*scan_cmd, "--jobs", str(jobs))
    floor_cmd = (sys.executable, "-c", _floor_code(dirs))
    scans: list[float] = []
    floors: list[float] = []
    peak = 0.0
    for i in range(repeats):
        if progress is not None:
            progress(f"process {i + 1}/{repeats}")
        floors.append(_timed_run(floor_cmd, ok=(0,))[0])
        seconds, rss = _timed_run(scan_cmd, ok=(0, 1))
        scans.append(seconds)
        peak = max(peak, rss)
    scan_median = statistics.median(scans)
    floor_median = statistics.median(floors)
    return ProcessComparison(
        scan_seconds=tuple(round(s, 3) for s in scans), floor_seconds=tuple(round(s, 3) for s in floors),
        scan_median=round(scan_median, 3), floor_median=round(floor_median, 3),
        ratio=round(scan_median / floor_median, 1) if floor_median > 0 else float("inf"),
        scan_command=scan_cmd, floor_command=floor_cmd, scan_peak_rss_mb=round(peak, 1),
    )


def _timed_run(cmd: Sequence[str], *, ok: tuple[int, ...]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode not in ok:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"`{' '.join(cmd[:4])} ...` exited {proc.returncode}: {err[-1] if err else ''}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rss = max(after, before)  # the children's maximum so far: an upper bound of this child's peak
    return seconds, (rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024)


# ------------------------------------------------------------------------------------------------------ entry
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
) -> BenchResult:
    """Run the bench on ``paths``, or on an organization generated with :func:`trustgraph.synth.synthesize`
    (``roles`` spread evenly over ``accounts``; written to ``keep`` or a temporary directory).

    Raises
    ------
    UsageError
        For counts out of range.
    """
    if jobs is not None and jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if repeats < 1:
        raise UsageError("--repeats must be at least 1")
    if sample < 0:
        raise UsageError("--sample must be at least 0")
    if paths:
        return _bench_paths(list(paths), None, jobs=jobs, sample=sample, process=process, repeats=repeats,
                            zone_ids=zone_ids, zone_file=zone_file, progress=progress)
    if accounts < 1 or roles < accounts:
        raise UsageError("--roles must be at least --accounts, and --accounts at least 1")
    per_account = roles // accounts
    from trustgraph.synth import synthesize

    with tempfile.TemporaryDirectory(prefix="trustgraph-bench-") as tmp:
        out = os.fspath(keep) if keep is not None else os.path.join(tmp, "org")
        if progress is not None:
            progress("synth")
        t = time.perf_counter()
        summary = synthesize(out, accounts=accounts, roles_per_account=per_account, seed=seed)
        generated = {"seconds": round(time.perf_counter() - t, 3), "roles_per_account": per_account, "seed": seed,
                     "summary": summary.describe(), "directory": out if keep is not None else None}
        return _bench_paths([out], generated, jobs=jobs, sample=sample, process=process, repeats=repeats,
                            zone_ids=zone_ids, zone_file=zone_file, progress=progress)


def _bench_paths(paths: list[str | os.PathLike[str]], generated: dict[str, Any] | None, *, jobs: int | None,
                 sample: int,
                 process: bool, repeats: int, zone_ids: Sequence[str], zone_file: str | None,
                 progress: Callable[[str], None] | None) -> BenchResult:
    phases, counts = run_phases(paths, jobs=jobs, sample=sample, zone_ids=zone_ids, zone_file=zone_file,
                                progress=progress)
    comparison = process_comparison(paths, repeats=repeats, jobs=jobs, progress=progress) if process else None
    return BenchResult(roles=counts["roles"], accounts=counts["accounts"], users=counts["users"],
                       files=counts["files"], bytes=counts["bytes"], jobs=counts["jobs"], generated=generated,
                       phases=tuple(phases), process=comparison, machine=machine_info())


__all__ = ["BenchResult", "PhaseResult", "ProcessComparison", "json_files", "machine_info", "peak_rss_mb",
           "process_comparison", "run_bench", "run_phases", "sample_roles", "solve_all_edges"]
