"""``trustgraph diff OLD NEW``, ``trustgraph diff OLD --plan PLAN.json`` and ``trustgraph diff OLD --cloudformation
TEMPLATE``: what changed between two estates (or an estate and the same estate with a Terraform plan applied or a
CloudFormation template deployed), judged under one zone.

Exit codes: 1 when a new finding (proven or unknown) reaches ``--fail-on`` (default high) or a guard was lost (counted
as high), 0 otherwise, 2 for bad input or usage.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from trustgraph.cli.commands import COMMAND_HELP
from trustgraph.cli.common import FAIL_ON
from trustgraph.cli.diff_cloudformation import add_arguments as add_cloudformation_arguments
from trustgraph.errors import UsageError

if TYPE_CHECKING:
    from trustgraph.ingest.overlay import Overlay
    from trustgraph.model.estate import Estate


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``diff`` subcommand."""
    from trustgraph.cli.common import add_now_option, add_zone_options

    p = subparsers.add_parser(
        "diff", help=COMMAND_HELP["diff"],
        description="Scan OLD and NEW under the same zone (NEW's unless --zone/--zone-file are given) and report new "
                    "findings with their paths, resolved ones, the number unchanged, and trust-policy guards "
                    "(ExternalId, MFA, organization, source account/ARN, token subject/audience) that stopped "
                    "holding. Exit 1 when something new reaches --fail-on, 0 otherwise, 2 for bad input.",
    )
    p.add_argument("old", metavar="OLD", help="the estate before: an export file or directory")
    p.add_argument("new", metavar="NEW", nargs="?",
                   help="the estate after: an export file or directory (or --plan, or --cloudformation)")
    p.add_argument("--plan", metavar="PLAN", help="instead of NEW: OLD with this Terraform plan applied (the output "
                                                  "of `terraform show -json PLANFILE`)")
    p.add_argument("--account", metavar="ID",
                   help="with --plan or --cloudformation: the account the change applies to (default: the plan's "
                        "data.aws_caller_identity or the ARNs it changes; for a template, OLD's account when it "
                        "holds exactly one)")
    add_zone_options(p, "an account id or o- organization id inside the zone (repeatable); default: NEW's zone",
                     "a TOML zone file")
    p.add_argument("--format", choices=("table", "json", "markdown", "sarif"), default="table",
                   help="output format (default: table)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--fail-on", choices=FAIL_ON, default="high",
                   help="exit 1 when a new finding has at least this severity (default: high)")
    p.add_argument("--timeout-ms", type=int, metavar="MS", help="per solver call timeout")
    p.add_argument("--via", choices=("assume", "all"), default="assume",
                   help="as scan --via: external-path-to-admin also follows privilege-escalation edges inside the "
                        "zone (all); default assume")
    add_now_option(p)
    add_cloudformation_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load both estates, scan, compare, render, and decide the exit code."""
    from trustgraph.checks.registry import select_checks
    from trustgraph.cli.common import analysis_time
    from trustgraph.ingest.load import load_estate
    from trustgraph.ingest.zone_file import zone_from_options
    from trustgraph.render.diff import render_diff
    from trustgraph.report.diff import diff_estates, fails

    if args.timeout_ms is not None and args.timeout_ms < 1:
        raise UsageError("--timeout-ms must be at least 1")
    if args.account is not None and args.plan is None and args.cloudformation is None:
        raise UsageError("--account goes with --plan or --cloudformation (see 'trustgraph diff --help')")
    if args.cloudformation is None and (args.parameters is not None or args.stack_name is not None):
        raise UsageError("--parameters and --stack-name go with --cloudformation (see 'trustgraph diff --help')")
    given = [x for x in (args.new, args.plan, args.cloudformation) if x is not None]
    if len(given) != 1:
        raise UsageError(("give either NEW or --plan PLAN or --cloudformation TEMPLATE" if not given
                          else "give only one of NEW, --plan PLAN and --cloudformation TEMPLATE, not both")
                         + " (see 'trustgraph diff --help')")
    now = analysis_time(args)
    old = load_estate([args.old])
    new_inputs: tuple[str, ...]
    if args.plan is not None:
        new, new_inputs, zone_paths = _planned(old, args), (str(args.old), str(args.plan)), [args.old]
    elif args.cloudformation is not None:
        from trustgraph.cli.diff_cloudformation import overlay_from_args

        new = apply_with_warnings(old, overlay_from_args(args, old))
        new_inputs, zone_paths = (str(args.old), str(args.cloudformation)), [args.old]
    else:
        new, new_inputs, zone_paths = load_estate([args.new]), (str(args.new),), [args.new]
    zone = zone_from_options(new, args.zone, args.zone_file, paths=zone_paths)
    report = diff_estates(old, new, zone, select_checks([]), timeout_ms=args.timeout_ms,
                          now=now, via=args.via, zone_from="options" if args.zone or args.zone_file else "new",
                          old_inputs=(str(args.old),), new_inputs=new_inputs)
    if args.format == "sarif":
        report = report.with_positions()  # line and column of every cited statement, each file read once
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


def _planned(old: Estate, args: argparse.Namespace) -> Estate:
    """OLD with the Terraform plan applied (:func:`apply_with_warnings`)."""
    from trustgraph.ingest.terraform_plan import overlay_from_plan

    return apply_with_warnings(old, overlay_from_plan(args.plan, account=args.account))


def apply_with_warnings(old: Estate, overlay: Overlay) -> Estate:
    """OLD with the overlay applied; what the plan or template holds that is not applied or not known is one warning
    line each on standard error (the values unknown until apply in one line)."""
    from trustgraph.ingest.overlay import apply_overlay
    from trustgraph.safe_text import message_line

    for note in overlay.notes:
        print(f"trustgraph: warning: {message_line(note, 2000)}", file=sys.stderr)
    if overlay.unknowns:
        shown = "; ".join(str(u) for u in overlay.unknowns[:5])
        more = f" and {len(overlay.unknowns) - 5} more" if len(overlay.unknowns) > 5 else ""
        print(f"trustgraph: warning: {len(overlay.unknowns)} value(s) unknown until apply, analysed as any value "
              f"they could take (answers resting on them are approximate): {message_line(shown + more, 2000)}",
              file=sys.stderr)
    new = apply_overlay(old, overlay)
    for flag in new.account_by_id[overlay.account].flags:
        if flag.code == "planned-change-note" and flag.message not in overlay.notes:
            print(f"trustgraph: warning: {flag.location.file}: {message_line(flag.message, 2000)}", file=sys.stderr)
    return new
