"""``trustgraph synth``: write a generated organization (one export per account plus organizations files)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from trustgraph.cli.commands import COMMAND_HELP
from trustgraph.cli.common import whole_number


def register(subparsers: Any) -> None:
    """Add the ``synth`` parser."""
    from trustgraph.synth.profiles import PROFILES

    parser = subparsers.add_parser(
        "synth",
        help=COMMAND_HELP["synth"],
        description="Write a realistic generated AWS organization to OUT: one get-account-authorization-details "
                    "export per account, AWS Organizations outputs (organization, accounts, roots, parents, "
                    "SCPs and RCPs with their targets) and identity-provider listings. The same arguments always "
                    "produce the same bytes.",
    )
    parser.add_argument("out", metavar="OUT", help="output directory (created if needed)")
    parser.add_argument("--accounts", type=whole_number, default=5, metavar="N",
                        help="accounts in the organization, the first being the management account (default: 5)")
    parser.add_argument("--roles-per-account", type=whole_number, default=40, metavar="M",
                        help="roles written per account (default: 40)")
    parser.add_argument("--seed", type=whole_number, default=0, metavar="S", help="random seed (default: 0)")
    parser.add_argument("--profile", default="mix", choices=tuple(PROFILES), metavar="NAME",
                        help="shape of the organization: " + "; ".join(
                            f"{p.name}: {p.summary}" for p in PROFILES.values()))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Generate, write, and print a one-line summary."""
    from trustgraph.synth import synthesize

    summary = synthesize(args.out, accounts=args.accounts, roles_per_account=args.roles_per_account, seed=args.seed,
                         profile=args.profile)
    print(summary.describe(), file=sys.stdout)
    return 0
