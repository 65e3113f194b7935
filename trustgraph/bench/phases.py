"""The phases of a bench run, timed one after the other in this process (see :mod:`trustgraph.bench`)."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from trustgraph.bench.machine import children_peak_rss_mb, cpu_seconds, current_rss_mb, peak_rss_mb
from trustgraph.bench.results import CheckTime, PhaseResult
from trustgraph.bench.z3meter import z3_metered

T = TypeVar("T")

#: how many of the slowest who_can_reach questions the report names
SLOWEST_SHOWN = 5
#: roles asked who_can_reach: enough for a p99 that is not the maximum of a handful
DEFAULT_SAMPLE = 200
#: every COLD_EVERY-th role of the sample is also asked on a fresh engine of its own
COLD_EVERY = 4

#: how ``memory["total_peak_mb"]`` was measured (``memory["measured_by"]``), most faithful first: the whole ``trustgraph
#: scan`` process and its workers (``--process``); this process while it ran the checks with its workers (PSS sums,
#: :mod:`~trustgraph.bench.memwatch`) or up to the report, whichever is larger; or, without ``/proc``, ru_maxrss
#: peaks added up (this process's, plus what each worker grew beyond it at the fork)
MEASURED_BY_SCAN = "scan process tree, PSS sum"
MEASURED_IN_PROCESS = "bench process and its workers, PSS sum"
MEASURED_BY_ESTIMATE = "ru_maxrss estimate"


@dataclass(frozen=True, slots=True)
class PhaseRun:
    """What :func:`run_phases` measured: the phases in order, the estate's counts, each check alone, memory."""

    phases: list[PhaseResult]
    counts: dict[str, int]
    per_check: tuple[CheckTime, ...]
    memory: dict[str, Any]


#: the solver counters each phase reports (the JSON contract of ``bench --format json``)
_SOLVER_COUNTERS = ("hits", "misses", "solver_calls", "fast_path", "structure_evaluations")


def _solver_counters(session: Any) -> dict[str, int]:
    stats: dict[str, int] = session.cache_stats() if session is not None else {}
    return {k: stats.get(k, 0) for k in _SOLVER_COUNTERS}


def _diff(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in after}


class Journal:
    """Each phase written to a file as it starts and as it ends (one JSON object a line, flushed): what a process
    ended at its ``--budget`` had done (:func:`trustgraph.bench.run.run_profiles`). No file: nothing is written."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = path

    def _write(self, entry: dict[str, Any]) -> None:
        if self.path is None:
            return
        import json
        from dataclasses import asdict

        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({k: asdict(v) if isinstance(v, PhaseResult) else v for k, v in entry.items()})
                     + "\n")

    def start(self, name: str) -> None:
        """``name`` (a phase, or ``check ID``) has begun."""
        self._write({"start": name})

    def done(self, phase: PhaseResult) -> None:
        """``phase`` has ended."""
        self._write({"done": phase})


class Timer:
    """Collects phases in order."""

    def __init__(self, progress: Callable[[str], None] | None, journal: Journal | None = None) -> None:
        self.phases: list[PhaseResult] = []
        self.progress = progress
        self.journal = journal if journal is not None else Journal(None)
        #: the solver session whose counters the phases report (the fresh engine's)
        self.session: Any = None

    @contextmanager
    def phase(self, name: str, detail: dict[str, Any]) -> Iterator[None]:
        if self.progress is not None:
            self.progress(name)
        self.journal.start(name)
        before = _solver_counters(self.session)
        cpu = cpu_seconds()
        start = time.perf_counter()
        with z3_metered() as z3_runs:
            yield
        seconds = time.perf_counter() - start
        detail["cpu_seconds"] = round(cpu_seconds() - cpu, 3)
        detail.update(z3_runs.as_detail())  # this process's z3 runs (a worker's stay in the worker)
        self.phases.append(PhaseResult(name, seconds, round(peak_rss_mb(), 1),
                                       _diff(_solver_counters(self.session), before), detail))
        self.journal.done(self.phases[-1])
        if self.progress is not None:
            self.progress(f"{name} done: {seconds:.2f} s, peak {peak_rss_mb():.0f} MB, {detail}")


def json_files(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The files the loader would read (directories searched recursively for ``*.json``)."""
    from trustgraph.ingest.load import iter_json_files

    return [p for p, _ in iter_json_files(paths)]


def _fresh_graph(estate: Any, zone: Any, graph: Any) -> Any:
    """The queries over an already built graph with a fresh engine (whose solver session starts empty)."""
    from trustgraph.queries.graph_queries import GraphQueries

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
    per_check_times: bool = True,
    journal: str | os.PathLike[str] | None = None,
) -> PhaseRun:
    """Time every phase on the exports at ``paths`` (and, with ``per_check_times``, each check alone); with
    ``journal``, each phase is also written to that file as it starts and ends (:class:`Journal`)."""
    import json

    import orjson

    from trustgraph.ingest.load import load_estate
    from trustgraph.ingest.zone_file import zone_from_options

    timer = Timer(progress, Journal(journal))
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
    timer.session = tg.engine.session
    with timer.phase("edges", edge_detail):
        edge_detail.update(solve_all_edges(tg))

    reach_detail: dict[str, Any] = {}
    tg = _fresh_graph(estate, zone, G)
    timer.session = tg.engine.session
    with timer.phase("reach_external", reach_detail):
        results = tg.external_access(without=["sts:ExternalId"])
    reach_detail.update(results=len(results), reachable=len(results.reachable()), hop_solves=tg.engine.solver_calls)

    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.registry import select_checks
    from trustgraph.checks.runner import auto_jobs, run_checks

    checks = select_checks(None)
    tg = _fresh_graph(estate, zone, G)
    timer.session = tg.engine.session
    ctx = ScanContext(tg)
    jobs = auto_jobs(len(ctx.roles)) if jobs is None else jobs
    from trustgraph.model.bulk import loaded_objects_frozen
    checks_detail: dict[str, Any] = {"jobs": jobs, "checks": len(checks)}
    fork_rss = current_rss_mb()
    from trustgraph.bench.memwatch import TreeMemory

    with TreeMemory() as tree:  # the PSS sum of this process and its workers, sampled (started before the phase)
        with timer.phase("checks", checks_detail), loaded_objects_frozen():  # as `trustgraph scan` runs them
            scan = run_checks(ctx, checks, jobs=jobs)
    checks_detail.update(roles=len(ctx.roles), findings=len(scan.findings), hop_solves=tg.engine.solver_calls)
    tree_peak = tree.result()
    if tree_peak is not None:
        checks_detail.update(tree_pss_peak_mb=tree_peak.peak_mb, tree_processes=tree_peak.processes)
    workers_peak = 0.0
    if jobs > 1:
        # the workers' solver counters stay in the workers; their memory is the children's peak
        workers_peak = round(children_peak_rss_mb(), 1)
        checks_detail["workers_peak_rss_mb"] = workers_peak

    render_detail: dict[str, Any] = {}
    # inside loaded_objects_frozen, as `trustgraph scan` renders: outside it, the first full collection walks every
    # loaded object (at 20,000 roles, chain-heavy: 2.4 s of CPU against 0.06 s at 2,000), which the scan never pays
    with timer.phase("render_json", render_detail), loaded_objects_frozen():
        from trustgraph.render.report import render
        from trustgraph.report.build import build_report

        report = build_report(scan.findings, checks, zone=zone.describe(), inputs=tuple(str(p) for p in paths))
        text = render(report, "json")
    render_detail.update(bytes=len(text.encode("utf-8")))
    render_rss = current_rss_mb()  # with the report and its text alive: the scan's end
    del text, report

    # the interactive question on the loaded graph (model and graph built), last because at scale one question can
    # take long. The phase: the sampled roles asked in turn on one engine, fresh (empty solver cache) at the first
    # question, as an analyst's session after trustgraph.load(): hop answers decided for one role are reused by the
    # next. Then cold: every COLD_EVERY-th sampled role on an engine of its own, so that it pays for every hop it needs
    wcr_detail: dict[str, Any] = {}
    tg = _fresh_graph(estate, zone, G)
    timer.session = tg.engine.session
    times: list[float] = []
    asked: list[dict[str, Any]] = []
    roles = sample_roles(inside_roles, sample)
    with timer.phase("who_can_reach", wcr_detail):
        for role in roles:
            t, cpu = time.perf_counter(), time.process_time()
            found = tg.who_can_reach(role)
            times.append(time.perf_counter() - t)
            asked.append({"role": role, "ms": round(1000 * times[-1], 2),
                          "cpu_ms": round(1000 * (time.process_time() - cpu), 2), "sources": len(found),
                          "order": len(times)})
            if progress is not None:
                progress(f"who_can_reach {len(times)}: {1000 * times[-1]:.1f} ms, {len(found)} sources, {role}")
    wcr_detail.update(_latencies(times))
    # the tail by name: which questions set the p99 (wall and this process's CPU, which other programs on the cores
    # do not inflate), with their place in the session (an early question pays for hops later ones reuse)
    by_time = sorted(asked, key=lambda q: q["ms"])
    wcr_detail["slowest"] = by_time[::-1][:SLOWEST_SHOWN]
    if by_time:
        wcr_detail["p99_question"] = _percentile(by_time, 0.99)
    cold: list[float] = []
    for role in roles[::COLD_EVERY]:
        tg = _fresh_graph(estate, zone, G)
        t = time.perf_counter()
        tg.who_can_reach(role)
        cold.append(time.perf_counter() - t)
    wcr_detail.update({f"cold_{k}": v for k, v in _latencies(cold).items()})

    per_check: list[CheckTime] = []
    if per_check_times:
        per_check = time_each_check(estate, zone, G, checks, progress, timer.journal)
    parent_peak = peak_rss_mb()
    memory: dict[str, Any] = {
        "parent_peak_mb": round(parent_peak, 1), "workers_peak_mb": workers_peak, "fork_rss_mb": round(fork_rss, 1),
        "jobs": jobs,
        # the old estimate, without PSS: this process's peak plus what each worker grew beyond it at the fork
        "estimate_peak_mb": round(parent_peak + (jobs * max(0.0, workers_peak - fork_rss) if jobs > 1 else 0.0), 1)}
    if tree_peak is not None:
        memory.update(checks_tree_peak_mb=tree_peak.peak_mb, tree_processes=tree_peak.processes,
                      total_peak_mb=round(max(tree_peak.peak_mb, render_rss), 1), measured_by=MEASURED_IN_PROCESS)
    else:
        memory.update(total_peak_mb=memory["estimate_peak_mb"], measured_by=MEASURED_BY_ESTIMATE)
    counts = {"roles": roles_total, "accounts": len(estate.accounts), "users": users_total, "files": len(files),
              "bytes": size, "jobs": jobs}
    return PhaseRun(timer.phases, counts, tuple(per_check), memory)


def _latencies(times: Sequence[float]) -> dict[str, Any]:
    """Count, median, 90th and 99th percentile and maximum of per-query times, in milliseconds."""
    if not times:
        return {}
    ordered = sorted(times)
    return {"queries": len(times), "median_ms": round(statistics.median(times) * 1000, 2),
            "p90_ms": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] * 1000, 2),
            "p99_ms": round(_percentile(ordered, 0.99) * 1000, 2), "max_ms": round(ordered[-1] * 1000, 2)}


def _percentile(ordered: Sequence[T], q: float) -> T:
    """The nearest-rank ``q`` quantile of sorted values (the largest value for a sample smaller than 1/(1-q))."""
    import math

    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def time_each_check(estate: Any, zone: Any, graph: Any, checks: Sequence[Any],
                    progress: Callable[[str], None] | None = None,
                    journal: Journal | None = None) -> list[CheckTime]:
    """Each check alone over every role of the zone, in this process, from a fresh engine and an empty solver cache:
    its own cost (checks that share searches in a scan each pay for them here, so the sum exceeds the checks
    phase)."""
    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.runner import run_checks
    from trustgraph.model.bulk import loaded_objects_frozen

    out = []
    for check in checks:
        if progress is not None:
            progress(f"check {check.id}")
        if journal is not None:
            journal.start(f"check {check.id}")
        tg = _fresh_graph(estate, zone, graph)
        ctx = ScanContext(tg)
        start = time.perf_counter()
        with loaded_objects_frozen(), z3_metered() as z3_runs:
            scan = run_checks(ctx, [check], jobs=1)
        out.append(CheckTime(check.id, round(time.perf_counter() - start, 4), len(scan.findings), z3_runs.checks,
                             round(z3_runs.seconds, 3), tg.engine.solver_calls + ctx.hop_questions))
    return out


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
