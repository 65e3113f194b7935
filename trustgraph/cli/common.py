"""Options shared by subcommands: input paths, the zone of trust, and the output format.

The loaders are imported when a command loads exports, not when its parser is built: ``trustgraph CMD --help`` and
the argument errors of every command start without the model and ingestion modules.
"""

from __future__ import annotations

import argparse
import os
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
             "default: the loaded accounts and organizations",
    )
    parser.add_argument(
        "--zone-file", metavar="FILE",
        help="a TOML zone file (accounts, organizations, [[identity_providers]] provider/subjects)",
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

    With no PATH and no zone option, the bundled example comes with its own zone file (``zone.toml``: the
    organization's accounts and trusted identity providers; the vendor account it also exports is outside).
    """
    from trustgraph.ingest.load import bundled_zone_file, load_estate
    from trustgraph.ingest.zone_file import zone_from_options

    estate = load_estate(input_paths(args))
    zone_file = args.zone_file
    if not args.paths and not args.zone and zone_file is None:
        zone_file = bundled_zone_file()
    zone = zone_from_options(estate, args.zone, zone_file)
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
