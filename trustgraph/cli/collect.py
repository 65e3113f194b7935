"""``trustgraph collect``: write the exports of one account or a whole organization into a folder, with boto3."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from trustgraph.cli.commands import COMMAND_HELP
from trustgraph.cli.common import positive_int

EXIT_OK = 0
EXIT_SOME_FAILED = 1


def register(subparsers: Any) -> None:
    """Add the ``collect`` parser."""
    from trustgraph.collect.run import DEFAULT_JOBS, DEFAULT_ROLE_NAME

    p = subparsers.add_parser(
        "collect", help=COMMAND_HELP["collect"],
        description="Write the exports `trustgraph scan` reads into OUT: get-account-authorization-details and the "
                    "identity providers of the caller's account or, with --organization, of every account of the "
                    "organization (entered by assuming --role-name), with the organization's accounts, OU paths, "
                    "SCPs and RCPs. Accounts already collected are kept unless --refresh. Exit 0 when every account "
                    "was collected, 1 when some failed (see the summary and OUT/manifest.json), 2 for bad usage, "
                    "missing credentials or an unreadable organization.",
    )
    p.add_argument("out", metavar="OUT", help="the folder to write (created when missing)")
    p.add_argument("--organization", action="store_true",
                   help="collect the whole organization (run from the management or a delegated-administrator "
                        "account)")
    p.add_argument("--accounts", nargs="+", default=[], metavar="ID",
                   help="collect only these accounts (with --organization: members of it)")
    p.add_argument("--role-name", default=DEFAULT_ROLE_NAME, metavar="NAME",
                   help=f"the role to assume in the other accounts (default: {DEFAULT_ROLE_NAME})")
    p.add_argument("--profile", metavar="P", help="the AWS profile to use (default: the usual credential chain)")
    p.add_argument("--region", metavar="R", help="the region for IAM, STS and Organizations (default: the "
                                                 "profile's, else us-east-1)")
    p.add_argument("--endpoint-url", metavar="URL", help="send every call to this endpoint (e.g. a local emulator)")
    p.add_argument("--jobs", type=positive_int, default=DEFAULT_JOBS, metavar="N",
                   help=f"collect N accounts at a time (default: {DEFAULT_JOBS})")
    p.add_argument("--refresh", action="store_true", help="collect again the accounts an earlier run collected")
    p.set_defaults(func=run)


def _printable(text: str) -> str:
    """Text from AWS (account names, error messages) with control characters escaped, one line."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def run(args: argparse.Namespace) -> int:
    """Collect, then print the summary on standard output."""
    from trustgraph.collect.progress import progress_for
    from trustgraph.collect.run import CollectOptions, collect
    from trustgraph.collect.session import SessionOptions, Sessions

    sessions = Sessions(SessionOptions(profile=args.profile, region=args.region, endpoint_url=args.endpoint_url))
    options = CollectOptions(organization=args.organization, accounts=tuple(args.accounts),
                             role_name=args.role_name, jobs=args.jobs, refresh=args.refresh)
    summary = collect(args.out, options, sessions, progress_for(sys.stderr))
    out = sys.stdout
    failed = summary.with_status("failed")
    where = f" (organization {summary.organization_id}, {summary.organization_status})" \
        if summary.organization_id else ""
    print(f"{_printable(summary.out)}{where}: {len(summary.with_status('ok'))} accounts collected, "
          f"{len(summary.with_status('kept'))} kept, {len(failed)} failed, "
          f"{len(summary.with_status('skipped'))} skipped", file=out)
    for outcome in summary.outcomes:
        if outcome.status in ("failed", "skipped"):
            name = f" ({_printable(outcome.name)})" if outcome.name else ""
            reason = str(outcome.error) if outcome.error is not None else (outcome.note or "")
            if outcome.error is not None and outcome.error.operation:
                reason += f" [{outcome.error.operation}]"
            if outcome.error is not None and outcome.note:
                reason += f"; {outcome.note}"
            print(f"  {outcome.status} {outcome.account_id}{name}: {_printable(reason)}", file=out)
    for note in summary.notes:
        print(f"  note: {_printable(note)}", file=out)
    print(f"next: trustgraph scan {_printable(summary.out)}", file=out)
    return EXIT_SOME_FAILED if failed else EXIT_OK
