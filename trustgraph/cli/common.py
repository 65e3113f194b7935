"""Options shared by subcommands: input paths, the zone of trust, and the output format.

The loaders are imported when a command loads exports, not when its parser is built: ``trustgraph CMD --help`` and
the argument errors of every command start without the model and ingestion modules.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trustgraph.model.estate import Estate
    from trustgraph.model.zone import Zone


def add_input_options(parser: argparse.ArgumentParser) -> None:
    """``PATH...`` (files or directories of exports; none = the bundled example), ``--zone``, ``--zone-file``."""
    parser.add_argument(
        "paths", nargs="*", metavar="PATH",
        help="export files or directories (searched recursively for *.json); default: the bundled example",
    )
    parser.add_argument(
        "--zone", action="append", default=[], metavar="ID",
        help="an account id or o- organization id whose principals count as inside (repeatable); "
             "default: a zone.toml in a PATH directory, else the organizations loaded (without organizations "
             "data: the exported accounts)",
    )
    parser.add_argument(
        "--zone-file", metavar="FILE",
        help="a TOML zone file (accounts, organizations, identity_center, [[identity_providers]] provider/subjects)",
    )


def add_format_option(
    parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "json", "csv"), default: str = "table"
) -> None:
    """``--format`` with the given choices."""
    parser.add_argument("--format", choices=tuple(choices), default=default, help=f"output format (default: {default})")


def input_paths(args: argparse.Namespace) -> list[str | os.PathLike[str]]:
    """The paths given, or the bundled example directory when none were."""
    if args.paths:
        return list(args.paths)
    from trustgraph.ingest.load import bundled_example_path

    return [str(bundled_example_path())]


def load_inputs(args: argparse.Namespace) -> tuple[Estate, Zone]:
    """Load the estate named by the arguments and the zone of trust they ask for.

    With no zone option, a ``zone.toml`` at the top of a directory given as PATH is the zone (the bundled example,
    used when no PATH is given, has one), announced in the zone's notes; else the default zone
    (:func:`trustgraph.ingest.zone_file.zone_from_options`).
    """
    from trustgraph.ingest.load import load_estate, load_warnings
    from trustgraph.ingest.zone_file import zone_from_options

    paths = input_paths(args)
    estate = load_estate(paths)
    for warning in load_warnings(estate):
        print(f"trustgraph: warning: {warning}", file=sys.stderr)
    zone = zone_from_options(estate, args.zone, args.zone_file, paths=paths)
    return estate, zone


def jobs_arg(text: str) -> int | None:
    """``--jobs``: a number of worker processes, or ``auto`` (None: the runner chooses). The command checks the
    range (a one-line usage error)."""
    if text.strip().lower() == "auto":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of processes or `auto`, got {text!r}") from None
