"""``trustgraph bench``: time every phase of a scan on a generated organization (or given exports)."""

from __future__ import annotations

import argparse
import io
import json
import sys
from typing import Any

from trustgraph.cli.commands import COMMAND_HELP
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
    from trustgraph.bench import ALL_PROFILES, DEFAULT_ACCOUNTS, DEFAULT_ROLES, DEFAULT_SAMPLE
    from trustgraph.synth.profiles import PROFILES

    p = subparsers.add_parser(
        "bench", help=COMMAND_HELP["bench"],
        description="Generate an organization with `trustgraph synth` (or take PATH...) and time, in this process: "
                    "read+parse JSON (the floor), build model, build graph, who_can_reach on a sample of roles, "
                    "solve every edge, reachability of every role from `external`, all checks, render JSON; with "
                    "solver calls vs cache hits and peak memory per phase, then each check alone, and every figure "
                    "against issue 19's targets (PASS/FAIL). --process adds the whole `trustgraph scan DIR --format "
                    "json` process against a json-only process, alternating, medians; --scaling a run of a tenth of "
                    "the size; --cloudsplaining EXE the time per role against Cloudsplaining; --profile all every "
                    "organization shape, each in its own process.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="export directories or files (default: generate)")
    p.add_argument("--profile", default="mix", type=_profiles, metavar="NAME",
                   help=f"shape of the generated organization: {', '.join(PROFILES)} (see `trustgraph synth --help`), "
                        f"optionally NAME:SEED (that seed); several, comma-separated, or {ALL_PROFILES} (every "
                        f"profile): each in turn, in its own process (default: mix). E.g. "
                        f"`--profile {ALL_PROFILES},random:2,random:3` or `--profile random --seeds 1,2,3`")
    p.add_argument("--roles", type=whole_number, default=DEFAULT_ROLES, metavar="N",
                   help=f"roles of the generated organization (default: {DEFAULT_ROLES})")
    p.add_argument("--accounts", type=whole_number, default=DEFAULT_ACCOUNTS, metavar="M",
                   help=f"accounts of the generated organization (default: {DEFAULT_ACCOUNTS})")
    p.add_argument("--seed", type=whole_number, default=0, metavar="S", help="generator seed (default: 0)")
    p.add_argument("--seeds", type=_seeds, default=(), metavar="S,S,...",
                   help="several generator seeds: each profile named without :SEED runs once per seed, each in its "
                        "own process (instead of --seed)")
    p.add_argument("--budget", type=_seconds, default=None, metavar="SECONDS",
                   help="seconds each profile may take in its own process (everything it measures); one still "
                        "running then is ended with its workers and reported `over budget`, with the phases it "
                        "finished and the one it was in (default: no limit)")
    p.add_argument("--jobs", type=jobs_arg, default=None, metavar="J",
                   help="worker processes for the checks, or `auto` (default: as `trustgraph scan`, one per CPU for "
                        "400 roles or more)")
    p.add_argument("--sample", type=whole_number, default=DEFAULT_SAMPLE, metavar="K",
                   help=f"roles asked who_can_reach in turn on one engine, fresh at the first (default: "
                        f"{DEFAULT_SAMPLE}); every fourth also alone on a fresh engine (cold_*)")
    p.add_argument("--process", action="store_true",
                   help="also time the whole `trustgraph scan DIR --format json` process against the json-only floor "
                        "process (re-runs everything --repeats times)")
    p.add_argument("--repeats", type=whole_number, default=3, metavar="R",
                   help="repetitions for --process (default: 3)")
    p.add_argument("--no-per-check", dest="per_check", action="store_false",
                   help="skip timing each check alone (it re-runs the checks once more, one at a time)")
    p.add_argument("--scaling", action="store_true",
                   help="also run a tenth of the roles and accounts in a fresh process and report the ratio of the "
                        "scan times (target: 10x the roles in at most 11x the time)")
    p.add_argument("--cloudsplaining", metavar="EXE",
                   help="a cloudsplaining executable: time it on the account files and compare the time per role "
                        "with the whole `trustgraph scan` process (target: trustgraph 50x faster per role)")
    p.add_argument("--cloudsplaining-accounts", type=whole_number, default=3, metavar="K",
                   help="account files given to Cloudsplaining (one process each; default: 3)")
    p.add_argument("--keep", metavar="DIR",
                   help="write the generated organization to DIR and keep it (with --profile all: DIR/PROFILE)")
    add_zone_options(p, "zone account/organization id (repeatable; default: the loaded accounts and organizations)",
                     "a TOML zone file (accounts, organizations, [[identity_providers]] provider/subjects)")
    p.add_argument("--format", choices=("table", "json", "markdown"), default=None,
                   help="output format (default: table, or from the extension of -o: .json, .md, .txt)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the output to FILE (replaced as a whole) instead of standard output")
    p.add_argument("--readme", metavar="FILE",
                   help="also replace the generated Performance block of FILE (README.md) by the markdown figures")
    p.add_argument("--adversarial", action="store_true",
                   help="instead of the phases, time the hostile inputs of issue 12 per call (globs that stall a "
                        "backtracking matcher, 1,000-CIDR lists) and exit")
    p.add_argument("--verbose", action="store_true",
                   help="name each phase on stderr as it starts, with a timestamp (also when stderr is not a terminal)")
    p.set_defaults(func=run)


def _profiles(text: str) -> str:
    """``--profile``: one profile, ``NAME:SEED``, a comma-separated list of them, or ``all``
    (:func:`trustgraph.bench.run.parse_profiles`)."""
    from trustgraph.bench.run import parse_profiles
    from trustgraph.errors import UsageError

    try:
        parse_profiles(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--profile: ")) from None
    return text


def _seeds(text: str) -> tuple[int, ...]:
    """``--seeds``: comma-separated whole numbers, each once."""
    items = [x.strip() for x in text.split(",")]
    if not items or not all(x.isdigit() for x in items) or len(set(map(int, items))) != len(items):
        raise argparse.ArgumentTypeError(f"expected whole numbers, comma-separated, each once; got {text!r}")
    return tuple(int(x) for x in items)


def _seconds(text: str) -> float:
    """``--budget``: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


FORMAT_BY_EXTENSION = {".json": "json", ".md": "markdown", ".markdown": "markdown", ".txt": "table"}


def _format(args: argparse.Namespace) -> str:
    from trustgraph.errors import UsageError

    if args.format is not None:
        return str(args.format)
    if args.output is None:
        return "table"
    import os

    ext = os.path.splitext(args.output)[1].lower()
    if ext not in FORMAT_BY_EXTENSION:
        raise UsageError(f"-o {args.output}: the extension names no format (.json, .md, .txt); give --format "
                         f"(see 'trustgraph bench --help')")
    return FORMAT_BY_EXTENSION[ext]


def command_line(args: argparse.Namespace) -> str:
    """The bench command that produced the figures (outputs left out), for the markdown."""
    import shlex

    parts = ["trustgraph", "bench", *args.paths]
    if not args.paths:
        parts += ["--profile", args.profile, "--roles", str(args.roles), "--accounts", str(args.accounts)]
        parts += ["--seeds", ",".join(map(str, args.seeds))] if args.seeds else ["--seed", str(args.seed)]
    if args.jobs is not None:
        parts += ["--jobs", str(args.jobs)]
    parts += ["--sample", str(args.sample)]
    if args.process:
        parts += ["--process", "--repeats", str(args.repeats)]
    if args.scaling:
        parts.append("--scaling")
    if not args.per_check:
        parts.append("--no-per-check")
    if args.cloudsplaining:
        parts += ["--cloudsplaining", args.cloudsplaining, "--cloudsplaining-accounts",
                  str(args.cloudsplaining_accounts)]
    if args.budget is not None:
        parts += ["--budget", f"{args.budget:g}"]
    return " ".join(shlex.quote(x) for x in parts)


def run(args: argparse.Namespace) -> int:
    """Run the bench and print (or write) the table, JSON or markdown."""
    from trustgraph.bench import ALL_PROFILES, BenchOptions, run_bench, run_profiles
    from trustgraph.bench.markdown import render_markdown, replace_block
    from trustgraph.cli.output import write_output
    from trustgraph.errors import UsageError

    if args.adversarial:
        return _adversarial(args.format or "table")
    fmt = _format(args)

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

    import os

    from trustgraph.bench.run import JOURNAL_ENV, parse_profiles

    runs = parse_profiles(args.profile, seed=args.seed, seeds=args.seeds)
    several = args.profile == ALL_PROFILES or len(runs) > 1
    if args.paths and (several or args.seeds or args.budget is not None):
        raise UsageError("--profile all, several profiles, --seeds and --budget generate organizations: give them "
                         "without PATH (see 'trustgraph bench --help')")
    if several or args.budget is not None:
        options = BenchOptions(jobs=args.jobs, sample=args.sample, process=args.process, repeats=args.repeats,
                               per_check=args.per_check, scaling=args.scaling, cloudsplaining=args.cloudsplaining,
                               cloudsplaining_accounts=args.cloudsplaining_accounts)
        results = run_profiles(runs, roles=args.roles, accounts=args.accounts, options=options, keep=args.keep,
                               verbose=args.verbose, progress=progress, budget=args.budget)
    else:
        profile = runs[0].profile if not args.paths else args.profile
        seed = runs[0].seed if not args.paths else args.seed
        results = [run_bench(args.paths, roles=args.roles, accounts=args.accounts, seed=seed, jobs=args.jobs,
                             sample=args.sample, process=args.process, repeats=args.repeats, keep=args.keep,
                             zone_ids=args.zone, zone_file=args.zone_file, progress=progress,
                             profile=profile, per_check=args.per_check, scaling=args.scaling,
                             cloudsplaining=args.cloudsplaining,
                             cloudsplaining_accounts=args.cloudsplaining_accounts,
                             journal=os.environ.get(JOURNAL_ENV) or None)]
    if progress is not None and not args.verbose:
        sys.stderr.write("\r\x1b[K")
    markdown = render_markdown(results, command_line(args))
    if args.readme:
        replace_block(args.readme, markdown)
    if fmt == "json":
        data: Any = results[0].to_json() if not several else {
            "machine": results[0].machine, "runs": [r.to_json() for r in results]}
        text = json.dumps(data, indent=2) + "\n"
    elif fmt == "markdown":
        text = markdown
    else:
        text = "".join(_table(r) for r in results)
    write_output(text, args.output)
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
        "who_can_reach": ("queries", "median_ms", "p90_ms", "p99_ms", "max_ms", "cold_queries", "cold_median_ms",
                          "cold_p99_ms", "cold_max_ms"),
        "edges": ("hops", "sat", "unsat", "unknown", "hub_edges", "z3_checks", "z3_seconds"),
        "reach_external": ("results", "reachable", "hop_solves", "z3_checks", "z3_seconds"),
        "checks": ("roles", "findings", "hop_solves", "z3_checks", "z3_seconds", "jobs", "workers_peak_rss_mb",
                   "tree_pss_peak_mb"),
        "render_json": ("bytes",),
    }.get(name, tuple(detail))
    return " ".join(f"{k}={detail[k]}" for k in keys if k in detail)


def _table(result: Any) -> str:
    """The terminal report of one run (phases, each check, memory, the targets)."""
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, soft_wrap=False, width=max(140, Console().width))
    m = result.machine
    console.print(f"trustgraph bench: {result.roles} roles, {result.accounts} accounts, {result.users} users, "
                  f"{result.files} files ({result.bytes / 1e6:.1f} MB), jobs={result.jobs}")
    console.print(f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}")
    if result.generated and "summary" in result.generated:
        console.print(f"generated: {result.generated['summary']}")
    if not result.complete:
        from trustgraph.bench.markdown import budget_text

        console.print(f"profile {result.label}: {budget_text(result)}")
        return buffer.getvalue()
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
                      f"{list(pc.floor_seconds)}: ratio {pc.ratio}x (target 15x); largest scan process peak RSS "
                      f"{pc.scan_peak_rss_mb:.0f} MB"
                      + (f", scan and workers PSS sum {pc.scan_tree_peak_mb:.0f} MB"
                         if pc.scan_tree_peak_mb is not None else ""))
        for line in pc.scan_timeline:  # the median run's timeline (trustgraph.bench.timeline)
            console.print(line, markup=False, highlight=False)
    if result.profile is not None:
        console.print(f"profile: {result.label}")
    if result.per_check:
        per_check = Table(title="each check alone (one process, fresh engine and solver cache)", title_justify="left")
        for col, justify in (("check", "left"), ("seconds", "right"), ("ms/role", "right"), ("findings", "right"),
                             ("z3 calls", "right"), ("z3 seconds", "right"), ("hop questions", "right")):
            per_check.add_column(col, justify=justify)  # type: ignore[arg-type]
        for c in result.per_check:
            per_check.add_row(c.check, f"{c.seconds:.3f}", f"{1000 * c.seconds / max(1, result.roles):.3f}",
                              str(c.findings), str(c.solver_calls), f"{c.z3_seconds:.2f}", str(c.hop_questions))
        console.print(per_check)
    mem = result.memory
    if mem:
        from trustgraph.bench.markdown import memory_text

        console.print(f"{memory_text(mem)} (this bench process's own peak {mem.get('parent_peak_mb', 0):.0f} MB)")
    if result.scaling:
        s = result.scaling
        cpu = f"; CPU {s['cpu_ratio']}x" if s.get("cpu_ratio") is not None else ""
        console.print(f"scaling: {s['roles']} roles in {s['seconds']} s, {s['small_roles']} roles in "
                      f"{s['small_seconds']} s: {s['ratio']}x the time for {s['role_ratio']}x the roles{cpu}")
    if result.cloudsplaining:
        c = result.cloudsplaining
        console.print(f"cloudsplaining {c['version']}: {c['seconds']} s for {c['roles']} roles in {c['files']} "
                      f"accounts = {c['ms_per_role']} ms/role; trustgraph scan process {c['trustgraph_ms_per_role']} "
                      f"ms/role: {c['ratio']}x")
    from trustgraph.bench.targets import evaluate

    targets = Table(title="issue 19 targets (stated for 20,000 roles in 200 accounts)", title_justify="left")
    for col, justify in (("figure", "left"), ("target", "left"), ("measured", "right"), ("result", "left")):
        targets.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in evaluate(result):
        targets.add_row(row.title, row.goal, "-" if row.measured is None else f"{row.measured:g} {row.unit}",
                        row.result)
    console.print(targets)
    return buffer.getvalue()
