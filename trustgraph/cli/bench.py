"""``trustgraph bench``: time every phase of a scan on a generated organization (or given exports)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from trustgraph.cli.common import add_zone_options, jobs_arg, whole_number

PHASE_TITLES = {
    "imports": "imports (networkx, z3, trustgraph)",
    "read": "read+parse JSON (floor, orjson)",
    "model": "build model (load_estate)",
    "graph": "build graph",
    "who_can_reach": "who_can_reach(role), sample",
    "edges": "solve edge conditions",
    "reach_external": "reach from external (no ExternalId)",
    "checks": "all checks (scan runner)",
    "render_json": "render JSON",
}


def register(subparsers: Any) -> None:
    """Add the ``bench`` parser."""
    from trustgraph.bench import DEFAULT_ACCOUNTS, DEFAULT_ROLES, DEFAULT_SAMPLE

    p = subparsers.add_parser(
        "bench", help="time every phase of a scan on a generated organization (or given exports)",
        description="Generate an organization with `trustgraph synth` (or take PATH...) and time, in this process: "
                    "read+parse JSON (the floor), build model, build graph, who_can_reach on a sample of roles, "
                    "solve every edge, reachability of every role from `external`, all checks, render JSON; with "
                    "solver calls vs cache hits and peak memory per phase. --process adds the whole `trustgraph scan "
                    "DIR --format json` process against a json-only process, alternating, medians.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="export directories or files (default: generate)")
    p.add_argument("--roles", type=whole_number, default=DEFAULT_ROLES, metavar="N",
                   help=f"roles of the generated organization (default: {DEFAULT_ROLES})")
    p.add_argument("--accounts", type=whole_number, default=DEFAULT_ACCOUNTS, metavar="M",
                   help=f"accounts of the generated organization (default: {DEFAULT_ACCOUNTS})")
    p.add_argument("--seed", type=whole_number, default=0, metavar="S", help="generator seed (default: 0)")
    p.add_argument("--jobs", type=jobs_arg, default=None, metavar="J",
                   help="worker processes for the checks, or `auto` (default: as `trustgraph scan`, one per CPU for "
                        "400 roles or more)")
    p.add_argument("--sample", type=whole_number, default=DEFAULT_SAMPLE, metavar="K",
                   help=f"roles asked who_can_reach (default: {DEFAULT_SAMPLE})")
    p.add_argument("--process", action="store_true",
                   help="also time the whole `trustgraph scan DIR --format json` process against the json-only floor "
                        "process (re-runs everything --repeats times)")
    p.add_argument("--repeats", type=whole_number, default=3, metavar="R",
                   help="repetitions for --process (default: 3)")
    p.add_argument("--keep", metavar="DIR", help="write the generated organization to DIR and keep it")
    add_zone_options(p, "zone account/organization id (repeatable; default: the loaded accounts and organizations)",
                     "a TOML zone file (accounts, organizations, [[identity_providers]] provider/subjects)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    p.add_argument("--adversarial", action="store_true",
                   help="instead of the phases, time the hostile inputs of issue 12 per call (globs that stall a "
                        "backtracking matcher, 1,000-CIDR lists) and exit")
    p.add_argument("--verbose", action="store_true",
                   help="name each phase on stderr as it starts, with a timestamp (also when stderr is not a terminal)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the bench and print the table or JSON."""
    from trustgraph.bench import run_bench

    if args.adversarial:
        return _adversarial(args.format)

    progress = None
    if args.verbose:
        def progress(phase: str) -> None:
            import time

            sys.stderr.write(f"{time.strftime('%H:%M:%S')} bench: {phase}\n")
            sys.stderr.flush()
    elif sys.stderr.isatty():
        def progress(phase: str) -> None:
            sys.stderr.write(f"\r\x1b[Kbench: {phase} ...")
            sys.stderr.flush()

    result = run_bench(args.paths, roles=args.roles, accounts=args.accounts, seed=args.seed, jobs=args.jobs,
                       sample=args.sample, process=args.process, repeats=args.repeats, keep=args.keep,
                       zone_ids=args.zone, zone_file=args.zone_file, progress=progress)
    if progress is not None and not args.verbose:
        sys.stderr.write("\r\x1b[K")
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
    else:
        _table(result)
    return 0


def _adversarial(fmt: str) -> int:
    from dataclasses import asdict

    from trustgraph.bench_adversarial import run_adversarial

    results = run_adversarial()
    if fmt == "json":
        sys.stdout.write(json.dumps([asdict(r) for r in results], indent=2) + "\n")
        return 0
    width = max(len(r.case) for r in results)
    for r in results:
        sys.stdout.write(f"{r.case:<{width}}  {r.ms_per_call:10.3f} ms/call  ({r.calls} calls)  {r.answer}\n")
    return 0


def _fmt_detail(name: str, detail: dict[str, Any]) -> str:
    keys = {
        "imports": (),
        "read": ("files", "bytes", "stdlib_json_seconds"),
        "model": ("accounts", "roles", "users"),
        "graph": ("nodes", "edges"),
        "who_can_reach": ("queries", "median_ms", "p90_ms", "max_ms"),
        "edges": ("hops", "sat", "unsat", "unknown", "hub_edges"),
        "reach_external": ("results", "reachable", "hop_solves"),
        "checks": ("roles", "findings", "hop_solves", "jobs", "workers_peak_rss_mb"),
        "render_json": ("bytes",),
    }.get(name, tuple(detail))
    return " ".join(f"{k}={detail[k]}" for k in keys if k in detail)


def _table(result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, soft_wrap=False, width=max(140, Console().width))
    m = result.machine
    console.print(f"trustgraph bench: {result.roles} roles, {result.accounts} accounts, {result.users} users, "
                  f"{result.files} files ({result.bytes / 1e6:.1f} MB), jobs={result.jobs}")
    console.print(f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}")
    if result.generated:
        console.print(f"generated: {result.generated['summary']}")
    floor = result.phase("read").seconds
    table = Table(show_lines=False)
    for col, justify in (("phase", "left"), ("seconds", "right"), ("x floor", "right"), ("ms/role", "right"),
                         ("z3 calls", "right"), ("cache hit/miss", "right"), ("fast path", "right"),
                         ("peak MB", "right"), ("detail", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for p in result.phases:
        s = p.solver
        table.add_row(
            PHASE_TITLES.get(p.name, p.name), f"{p.seconds:.3f}", f"{p.seconds / floor:.1f}" if floor else "-",
            f"{1000 * p.seconds / max(1, result.roles):.3f}", str(s.get("solver_calls", 0)),
            f"{s.get('hits', 0)}/{s.get('misses', 0)}", str(s.get("fast_path", 0)), f"{p.peak_rss_mb:.0f}",
            _fmt_detail(p.name, p.detail),
        )
    console.print(table)
    eq = result.scan_equivalent_seconds
    console.print(f"scan in-process (model+graph+checks+render): {eq:.2f} s = {eq / floor:.1f}x the orjson floor, "
                  f"{1000 * eq / max(1, result.roles):.2f} ms/role")
    pc = result.process
    if pc is not None:
        console.print(f"whole process, {len(pc.scan_seconds)} alternating runs: scan median {pc.scan_median:.2f} s "
                      f"{list(pc.scan_seconds)}, json-only floor median {pc.floor_median:.2f} s "
                      f"{list(pc.floor_seconds)}: ratio {pc.ratio}x (target 15x); scan peak RSS "
                      f"{pc.scan_peak_rss_mb:.0f} MB")
