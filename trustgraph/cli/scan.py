"""``trustgraph scan``: run the catalog of trust checks and report what is wrong, how bad, who gets in and how.

Exit codes: 0 when no finding that is not suppressed reaches ``--fail-on`` (default high; unknown solver answers count
at their check's severity, since unknown is never safe), 1 when one does, 2 for bad input or usage (an unknown
``--check`` id, a malformed suppressions file, unreadable exports).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import TYPE_CHECKING, Any

from trustgraph.cli.commands import COMMAND_HELP
from trustgraph.cli.common import FAIL_ON, jobs_arg, positive_int

if TYPE_CHECKING:
    from trustgraph.model.estate import Estate
    from trustgraph.report.scan_report import ScanReport


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``scan`` subcommand."""
    from trustgraph.cli.common import add_format_option, add_input_options, add_now_option, add_output_option
    from trustgraph.render.report import FORMATS

    p = subparsers.add_parser(
        "scan", help=COMMAND_HELP["scan"],
        description="Run every trust check (or those named with --check) over the exports and report findings with "
                    "their paths, witnesses and statement locations. Exit 0 when no unsuppressed finding reaches "
                    "--fail-on, 1 when one does, 2 for bad input.",
    )
    add_input_options(p)  # no PATH: the bundled example, under its zone.toml unless --zone/--zone-file are given
    add_format_option(p, FORMATS, "table")
    add_output_option(p, FORMATS)
    p.add_argument("--fail-on", choices=FAIL_ON, default="high",
                   help="exit 1 when an unsuppressed finding has at least this severity (default: high)")
    p.add_argument("--suppressions", metavar="FILE",
                   help="YAML or TOML file of accepted findings (check, role glob, optional source, reason, "
                        "optional expires)")
    p.add_argument("--check", dest="checks", action="append", default=[], metavar="ID",
                   help="run only this check (repeatable); default: every check")
    p.add_argument("--jobs", type=jobs_arg, default=None, metavar="N",
                   help="solve in N worker processes, or `auto` (the default: one per CPU, at most 8, for 400 roles "
                        "or more; else 1); the findings are identical")
    p.add_argument("--timeout-ms", type=positive_int, metavar="MS", help="per solver call timeout")
    p.add_argument("--via", choices=("assume", "all"), default="assume",
                   help="external-path-to-admin also follows privilege-escalation edges inside the zone (all); "
                        "default assume")
    p.add_argument("--json-version", choices=("4", "3"), default="4",
                   help="version of the JSON report (default 4: witnesses, locations and paths written once in "
                        "tables; 3: inline, as before version 4, for scripts that read them there)")
    add_now_option(p)
    p.add_argument("--list-checks", action="store_true",
                   help="print the catalog (id, base severity, title) and exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load, scan, apply suppressions, render, and decide the exit code."""
    from trustgraph.model.bulk import gc_paused, loaded_objects_frozen

    # the imports, the loading and the graph only build long-lived objects (modules, the estate, its graph): the cyclic
    # collector is paused until they are frozen below, instead of walking them as young objects on the way (2,000
    # roles, every shape: 25 collections and ~5 ms of CPU before the first role is checked, freeing ~400 objects)
    with gc_paused():
        loaded = _load(args)
    if isinstance(loaded, int):
        return loaded  # --list-checks
    checks, fmt, now, entries, estate, zone, ctx = loaded
    from trustgraph.checks.runner import RELEASE_MIN_MB, run_checks
    from trustgraph.cli.common import input_paths
    from trustgraph.report.build import build_report
    from trustgraph.timeline import mark

    # what the report needs of the estate is kept apart; the estate, its graph and the scan's answers are then held
    # by ctx alone, which run_checks releases before the findings are merged (the merge and the report reuse their
    # memory: vendor-heavy, 20,000 roles, the process that merges held ~800 MB of them)
    described, statements = zone.describe(), _trust_statements(estate, fmt)
    del estate, zone, loaded
    # the estate and its graph stay out of the cyclic collector's walks until the report is written: a full
    # collection while the report is built would walk every loaded object for nothing (trustgraph.model.bulk)
    with loaded_objects_frozen():
        with _progress(len(ctx.roles)) as progress:
            result = run_checks(ctx, checks, jobs=args.jobs, progress=progress, release=True,
                                release_min_mb=RELEASE_MIN_MB, thaw=False)  # handed back on leaving the block
        mark("report")
        # the report and its text are acyclic values: no collection while they are built (they walked the findings
        # again and again: 20,000 roles, chain-heavy, 0.38 of 0.86 s CPU); inside loaded_objects_frozen, nothing to
        # hand over to the oldest generation
        with gc_paused(hand_over=False):
            report = build_report(result.findings, checks, zone=described,
                                  inputs=tuple(str(p) for p in input_paths(args)), entries=entries, now=now)
            _write(_shown(report, fmt, statements), fmt, args)
    mark("written")
    return exit_code(report, args.fail_on)


def _load(args: argparse.Namespace) -> int | tuple[Any, ...]:
    """The checks selected, the format, the time of the analysis, the suppressions, the estate, the zone and the
    scan's context (its graph built); or 0 once ``--list-checks`` has printed the catalog."""
    from trustgraph.checks.registry import check_ids, select_checks
    from trustgraph.cli.common import analysis_time, output_format
    from trustgraph.render.report import FORMATS

    checks = select_checks(args.checks)
    fmt = output_format(args, FORMATS)
    if args.list_checks:
        for c in checks:
            sys.stdout.write(f"{c.id:30s} {c.severity.value:9s} {c.title}\n")
        return 0  # unknown ids: UsageError before any loading
    now = analysis_time(args)
    entries: tuple[Any, ...] = ()
    if args.suppressions:
        from trustgraph.report.suppressions import load_suppressions

        entries = load_suppressions(args.suppressions, known_checks=check_ids())
    from trustgraph.cli.common import load_inputs
    from trustgraph.timeline import mark

    mark("load")
    estate, zone = load_inputs(args)
    mark("graph")  # no PATH and no zone option: the bundled example under its zone.toml
    from trustgraph.checks.context import ScanContext
    from trustgraph.queries.graph_queries import GraphQueries

    ctx = ScanContext(GraphQueries(estate, zone, now=now), timeout_ms=args.timeout_ms, via=args.via)
    mark("checks")
    return checks, fmt, now, entries, estate, zone, ctx


def _trust_statements(estate: Estate, fmt: str) -> tuple[Any, ...] | None:
    """The trust statements of the estate's roles when ``fmt`` shows the condition keys they read, else None."""
    from trustgraph.render.report import SHOWS_READ_KEYS

    if fmt not in SHOWS_READ_KEYS:
        return None
    return tuple(st for role in estate.role_by_arn.values() for st in role.trust_policy.statements)


def _shown(report: ScanReport, fmt: str, statements: tuple[Any, ...] | None) -> ScanReport:
    """The report with what ``fmt`` shows beyond the findings: statement lines (read from the cited export files)
    and the condition keys each cited trust statement reads (``statements``: :func:`_trust_statements`); JSON and
    CSV show neither, so nothing is read for them."""
    from trustgraph.render.report import SHOWS_POSITIONS

    if fmt in SHOWS_POSITIONS:
        report = report.with_positions()
    if statements is not None:
        report = report.with_read_keys(statements)
    return report


def exit_code(report: ScanReport, fail_on: str) -> int:
    """1 when an unsuppressed finding (proven or unknown) has at least the ``fail_on`` severity, else 0."""
    from trustgraph.checks.finding import Severity

    threshold = Severity(fail_on).rank
    return 1 if any(f.severity.rank >= threshold for f in report.active) else 0


def _write(report: ScanReport, fmt: str, args: argparse.Namespace) -> None:
    """The report rendered in ``fmt`` to ``-o`` or standard output, in pieces as they are made (the JSON report is
    never held whole: :func:`~trustgraph.render.report.render_chunks`)."""
    from trustgraph.cli.common import write_output
    from trustgraph.render.report import render_chunks

    json_version = int(args.json_version) if fmt == "json" else None
    if args.output:
        write_output(args, render_chunks(report, fmt, json_version=json_version))
        return
    color = fmt == "table" and sys.stdout.isatty()
    width = terminal_width() if fmt == "table" else None
    write_output(args, render_chunks(report, fmt, color=color, width=width, json_version=json_version))


def terminal_width() -> int:
    """The width of the terminal; when piped, ``$COLUMNS`` if set, else 100."""
    return shutil.get_terminal_size((100, 24)).columns


class _progress:
    """A rich progress bar on stderr while roles are checked, only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Any:
        if not sys.stderr.isatty() or self.total < 2:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(TextColumn("checking roles"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                             console=Console(file=sys.stderr), transient=True)
        self._bar.start()
        self._task = self._bar.add_task("scan", total=self.total)

        def update(done: int, total: int) -> None:
            self._bar.update(self._task, completed=done, total=total)

        return update

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


__all__ = ["FAIL_ON", "exit_code", "register", "run"]
