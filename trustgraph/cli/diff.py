"""``trustgraph diff OLD NEW``: what changed between two estates, judged under one zone.

Exit codes: 1 when a new finding (proven or unknown) reaches ``--fail-on`` (default high) or a guard was lost (counted
as high), 0 otherwise, 2 for bad input or usage.
"""

from __future__ import annotations

import argparse
import sys

from trustgraph.cli.diff_cloudformation import add_arguments as add_cloudformation_arguments
from trustgraph.errors import UsageError

FAIL_ON = ("low", "medium", "high", "critical")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``diff`` subcommand."""
    p = subparsers.add_parser(
        "diff", help="compare two estates: new and resolved findings, guards lost",
        description="Scan OLD and NEW under the same zone (NEW's unless --zone/--zone-file are given) and report new "
                    "findings with their paths, resolved ones, the number unchanged, and trust-policy guards "
                    "(ExternalId, MFA, organization, source account/ARN, token subject/audience) that stopped "
                    "holding. Exit 1 when something new reaches --fail-on, 0 otherwise, 2 for bad input.",
    )
    p.add_argument("old", metavar="OLD", help="the estate before: an export file or directory")
    p.add_argument("new", metavar="NEW", nargs="?",
                   help="the estate after: an export file or directory (or --cloudformation)")
    p.add_argument("--zone", action="append", default=[], metavar="ID",
                   help="an account id or o- organization id inside the zone (repeatable); default: NEW's zone")
    p.add_argument("--zone-file", metavar="FILE", help="a TOML zone file")
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table",
                   help="output format (default: table)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--fail-on", choices=FAIL_ON, default="high",
                   help="exit 1 when a new finding has at least this severity (default: high)")
    p.add_argument("--timeout-ms", type=int, metavar="MS", help="per solver call timeout")
    p.add_argument("--account", metavar="ID",
                   help="the account a template deploys to (default: OLD's account when it holds exactly one)")
    add_cloudformation_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load both estates, scan, compare, render, and decide the exit code."""
    from trustgraph.checks.registry import select_checks
    from trustgraph.ingest.load import load_estate
    from trustgraph.ingest.zone_file import zone_from_options
    from trustgraph.render.diff import render_diff
    from trustgraph.report.diff import diff_estates, fails

    if args.timeout_ms is not None and args.timeout_ms < 1:
        raise UsageError("--timeout-ms must be at least 1")
    if args.cloudformation is not None and args.new is not None:
        raise UsageError("give NEW or --cloudformation TEMPLATE, not both (see 'trustgraph diff --help')")
    if args.cloudformation is None and (args.parameters is not None or args.stack_name is not None):
        raise UsageError("--parameters and --stack-name need --cloudformation (see 'trustgraph diff --help')")
    if args.cloudformation is None and args.new is None:
        raise UsageError("the following arguments are required: NEW (or --cloudformation TEMPLATE) "
                         "(see 'trustgraph diff --help')")
    old = load_estate([args.old])
    new_inputs: tuple[str, ...]
    if args.cloudformation is not None:
        from trustgraph.cli.diff_cloudformation import new_from_template

        new = new_from_template(args, old)
        new_inputs, zone_paths = (str(args.old), str(args.cloudformation)), [args.old]
    else:
        new = load_estate([args.new])
        new_inputs, zone_paths = (str(args.new),), [args.new]
    zone = zone_from_options(new, args.zone, args.zone_file, paths=zone_paths)
    report = diff_estates(old, new, zone, select_checks([]), timeout_ms=args.timeout_ms,
                          zone_from="options" if args.zone or args.zone_file else "new",
                          old_inputs=(str(args.old),), new_inputs=new_inputs)
    text = render_diff(report, args.format)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
    return 1 if fails(report, args.fail_on) else 0
