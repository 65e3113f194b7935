"""``trustgraph inventory``: one row per principal (users, roles, federated providers)."""

from __future__ import annotations

import argparse
import io
import sys
from typing import Any

from trustgraph.cli.commands import COMMAND_HELP
from trustgraph.cli.common import (
    add_format_option,
    add_input_options,
    add_output_option,
    load_inputs,
    output_format,
    write_output,
)

INVENTORY_FORMATS = ("table", "json", "csv")


def register(subparsers: Any) -> None:
    """Add the ``inventory`` parser."""
    parser = subparsers.add_parser(
        "inventory",
        help=COMMAND_HELP["inventory"],
        description="List every principal of the loaded exports: users (with their groups), roles (with a trust "
                    "summary) and federated identity providers, each marked inside or outside the zone of trust.",
    )
    add_input_options(parser)
    add_format_option(parser, INVENTORY_FORMATS)
    add_output_option(parser, INVENTORY_FORMATS)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load, build the rows, render them on stdout."""
    from trustgraph.render.inventory import inventory_rows, render_csv, render_json, render_table

    fmt = output_format(args, INVENTORY_FORMATS)
    estate, zone = load_inputs(args)
    rows = inventory_rows(estate, zone)
    if fmt == "json":
        write_output(args, render_json(rows, zone))
    elif fmt == "csv":
        write_output(args, render_csv(rows))
    elif args.output:
        buf = io.StringIO()
        render_table(rows, buf)
        write_output(args, buf.getvalue())
    elif sys.stdout.isatty():
        render_table(rows, sys.stdout, zone)
    else:  # rendered here, written by us: rich would turn a closed pipe into a silent exit 1
        buf = io.StringIO()
        render_table(rows, buf, zone)
        sys.stdout.write(buf.getvalue())
    return 0
