"""Measure where the time goes: every phase of a scan timed in one process, and the whole process against the floor.

:func:`run_bench` loads exports (given, or generated with :mod:`trustgraph.synth` in one of its profiles) and times,
one after the other:

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
    ``TrustGraph.who_can_reach(role)`` on the loaded graph (model and graph built) for ``--sample`` roles (default
    200, drawn with a fixed seed), asked in turn on one engine that is fresh (empty solver cache) at the first
    question: an analyst's session after ``trustgraph.load()``, where hop answers decided for one role serve the
    next. The median, 90th and 99th percentile and maximum per query are reported besides the phase total; the
    targets read these. ``cold_*``: every fourth sampled role again, each on an engine of its own (nothing
    memoised: the first question after loading). Timed last, because at scale one such question can take long.

With ``--jobs`` above 1 the checks run in worker processes: their solver counters are not in the table (the
parent's are), and their peak memory is reported as ``workers_peak_rss_mb`` in the checks phase's detail.

Each solver phase starts from an empty solver cache and a fresh engine, so its time is its own cost (the phases are
not cumulative). For each phase: wall time, the solver cache counters it added
(the fresh engine's ``SolverSession.cache_stats()``), every z3 run of this process and the time in them wherever they
were made (``z3_checks``, ``z3_seconds``: :mod:`~trustgraph.bench.z3meter`; each check alone reports the same) and
the process's peak resident memory so far (``ru_maxrss``).

:func:`process_comparison` runs ``trustgraph scan DIR --format json`` as a subprocess and the json-only floor
``python -c "import json, glob; [json.load(open(f)) for f in glob.glob('DIR/*.json')]"`` side by side, alternating,
and reports the medians and their ratio (the issue's 15x target).

Besides the phases: each check alone (:func:`~trustgraph.bench.phases.time_each_check`), peak memory with the worker
processes (``BenchResult.memory``), with ``--scaling`` the ratio to a run of a tenth of the size
(:mod:`~trustgraph.bench.run`), with ``--cloudsplaining EXE`` the time per role against Cloudsplaining
(:mod:`~trustgraph.bench.cloudsplaining`), every figure against the issue's targets (:mod:`~trustgraph.bench.targets`)
and the markdown that README's Performance section is made of (:mod:`~trustgraph.bench.markdown`).
:func:`~trustgraph.bench.run.run_profiles` runs every profile, each in its own process: profiles named with a seed
(``random:3``) or once per seed of ``--seeds`` (:func:`~trustgraph.bench.run.parse_profiles`), each within an
optional ``--budget`` of seconds past which it is ended and reported ``over budget`` with the phases it finished.
"""

from __future__ import annotations

from trustgraph.bench.machine import children_peak_rss_mb, machine_info, peak_rss_mb
from trustgraph.bench.phases import DEFAULT_SAMPLE, json_files, run_phases, sample_roles, solve_all_edges
from trustgraph.bench.process import process_comparison
from trustgraph.bench.results import BenchResult, CheckTime, PhaseResult, ProcessComparison
from trustgraph.bench.run import ALL_PROFILES, DEFAULT_ACCOUNTS, DEFAULT_ROLES, BenchOptions, run_bench, run_profiles

__all__ = ["ALL_PROFILES", "DEFAULT_ACCOUNTS", "DEFAULT_ROLES", "DEFAULT_SAMPLE", "BenchOptions", "BenchResult",
           "CheckTime", "PhaseResult", "ProcessComparison", "children_peak_rss_mb", "json_files", "machine_info",
           "peak_rss_mb", "process_comparison", "run_bench", "run_phases", "run_profiles", "sample_roles",
           "solve_all_edges"]
