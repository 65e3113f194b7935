"""``trustgraph inventory``: one row per principal (users, roles, federated providers)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from trustgraph.cli.common import add_format_option, add_input_options, load_inputs


def register(subparsers: Any) -> None:
    """Add the ``inventory`` parser."""
    parser = subparsers.add_parser(
        "inventory",
        help="list every principal: users, roles and federated providers",
        description="List every principal of the loaded exports: users (with their groups), roles (with a trust "
                    "summary) and federated identity providers, each marked inside or outside the zone of trust.",
    )
    add_input_options(parser)
    add_format_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load, build the rows, render them on stdout."""
    from trustgraph.render.inventory import inventory_rows, render_csv, render_json, render_table

    estate, zone = load_inputs(args)
    rows = inventory_rows(estate, zone)
    if args.format == "json":
        sys.stdout.write(render_json(rows, zone))
    elif args.format == "csv":
        sys.stdout.write(render_csv(rows))
    else:
        render_table(rows, sys.stdout, zone)
    return 0
