"""Options shared by subcommands: input paths, the zone of trust, and the output format.

The loaders are imported when a command loads exports, not when its parser is built: ``trustgraph CMD --help`` and
the argument errors of every command start without the model and ingestion modules.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from trustgraph.errors import UsageError

if TYPE_CHECKING:
    from trustgraph.model.estate import Estate
    from trustgraph.model.zone import Zone


#: ``--fail-on`` severities of ``scan`` and ``diff``, lowest first
FAIL_ON = ("low", "medium", "high", "critical")

#: ``--zone`` and ``--zone-file`` help of the commands that read exports (``add_input_options``)
ZONE_HELP = ("an account id or o- organization id whose principals count as inside (repeatable); default: a zone.toml "
             "in a PATH directory, else the organizations loaded (without organizations data: the exported accounts)")
ZONE_FILE_HELP = ("a TOML zone file (accounts, organizations, identity_center, [[identity_providers]] "
                  "provider/subjects)")


def add_zone_options(parser: argparse.ArgumentParser, zone_help: str = ZONE_HELP,
                     zone_file_help: str = ZONE_FILE_HELP) -> None:
    """``--zone ID`` (repeatable) and ``--zone-file FILE``, read by :func:`load_inputs`; the help says what the
    command's default zone is."""
    parser.add_argument("--zone", action="append", default=[], metavar="ID", help=zone_help)
    parser.add_argument("--zone-file", metavar="FILE", help=zone_file_help)


def add_input_options(parser: argparse.ArgumentParser) -> None:
    """``PATH...`` (files or directories of exports; none = the bundled example), ``--zone``, ``--zone-file``."""
    parser.add_argument(
        "paths", nargs="*", metavar="PATH",
        help="export files or directories (searched recursively for *.json); default: the bundled example",
    )
    add_zone_options(parser)


def add_format_option(
    parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "json", "csv"), default: str = "table"
) -> None:
    """``--format`` with the given choices; left None when not given so that ``-o``'s extension can choose
    (:func:`output_format`)."""
    parser.add_argument("--format", choices=tuple(choices), default=None,
                        help=f"output format (default: from the -o extension, else {default})")


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
    from trustgraph.safe_text import message_line

    if estate.skipped:
        sys.stderr.write(f"trustgraph: warning: skipped {len(estate.skipped)} file(s) that could be exports: "
                         f"{message_line('; '.join(estate.skipped), 2000)}\n")
    for warning in load_warnings(estate):
        print(f"trustgraph: warning: {message_line(warning, 2000)}", file=sys.stderr)
    zone = zone_from_options(estate, args.zone, args.zone_file, paths=paths)
    return estate, zone


def _at_least_one(text: str, expected: str) -> int:
    """``text`` as a whole number of at least 1, or an argparse error saying what was ``expected``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def jobs_arg(text: str) -> int | None:
    """``--jobs``: a number of worker processes (at least 1), or ``auto`` (None: the runner chooses)."""
    if text.strip().lower() == "auto":
        return None
    return _at_least_one(text, "a number of processes or `auto`")


def positive_int(text: str) -> int:
    """A whole number of at least 1 (``--timeout-ms``, ``--max-hops``, ``--max-nodes``, ``collect --jobs``)."""
    return _at_least_one(text, "a whole number")


def whole_number(text: str) -> int:
    """Any whole number (sizes and seeds of generated organizations: the generator says what it accepts)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


#: ``-o`` file extensions and the report format each one means (``--format`` given explicitly wins).
FORMAT_BY_EXTENSION: dict[str, str] = {
    ".txt": "table", ".json": "json", ".csv": "csv", ".sarif": "sarif", ".html": "html", ".htm": "html",
}


def add_output_option(parser: argparse.ArgumentParser, choices: Sequence[str]) -> None:
    """``-o/--output FILE``: write the report to FILE; without ``--format`` its extension chooses the format."""
    known = ", ".join(f"{ext} {fmt}" for ext, fmt in FORMAT_BY_EXTENSION.items() if fmt in choices)
    parser.add_argument("-o", "--output", metavar="FILE",
                        help=f"write the report to FILE instead of standard output; without --format the extension "
                             f"chooses the format ({known})")


def output_format(args: argparse.Namespace, choices: Sequence[str], default: str = "table") -> str:
    """The format asked for: ``--format`` when given, else the ``-o`` file's extension, else ``default``.

    Raises
    ------
    UsageError
        When ``-o``'s extension names no format this command writes (give ``--format``).
    """
    if args.format is not None:
        return str(args.format)
    output = getattr(args, "output", None)
    if not output:
        return default
    ext = os.path.splitext(output)[1].lower()
    fmt = FORMAT_BY_EXTENSION.get(ext)
    if fmt is None or fmt not in choices:
        exts = ", ".join(e for e, f in FORMAT_BY_EXTENSION.items() if f in choices)
        raise UsageError(f"cannot tell the format of `{output}` from its extension (known: {exts}); give --format")
    return fmt


def write_output(args: argparse.Namespace, text: str | Iterable[str]) -> None:
    """Write ``text`` (or its pieces, in order) to ``-o FILE`` (replaced as a whole, never left half-written) or to
    standard output."""
    from trustgraph.cli.output import write_output as write_to

    write_to(text, getattr(args, "output", None) or None)


def add_now_option(parser: argparse.ArgumentParser) -> None:
    """``--now TIMESTAMP``: the time of the analysis (aws:CurrentTime of witnesses, the report's time, suppression
    expiry); default ``SOURCE_DATE_EPOCH`` when set, else the clock."""
    parser.add_argument("--now", type=timestamp_arg, metavar="TIMESTAMP",
                        help="pin the analysis time (ISO 8601 such as 2026-11-28T15:00:00Z, or epoch seconds) for "
                             "reproducible output; default: $SOURCE_DATE_EPOCH when set, else the current time")


def timestamp_arg(text: str) -> dt.datetime:
    """An ISO 8601 timestamp (``Z`` or an offset; a date alone is midnight UTC) or epoch seconds, as aware UTC."""
    value = text.strip()
    try:
        if re.fullmatch(r"-?[0-9]+", value):
            return dt.datetime.fromtimestamp(int(value), dt.UTC)
        parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
    except (ValueError, OverflowError, OSError):
        raise argparse.ArgumentTypeError(
            f"expected an ISO 8601 time such as 2026-11-28T15:00:00Z or epoch seconds, got {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def analysis_time(args: argparse.Namespace) -> dt.datetime:
    """``--now``, else ``SOURCE_DATE_EPOCH`` (reproducible-builds.org), else the clock; whole seconds, UTC.

    Raises
    ------
    UsageError
        When ``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds.
    """
    now: dt.datetime | None = getattr(args, "now", None)
    if now is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if epoch:
            if not re.fullmatch(r"[0-9]+", epoch):
                raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got {epoch!r}")
            try:
                now = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
            except (OverflowError, OSError, ValueError):
                raise UsageError(f"SOURCE_DATE_EPOCH is out of range: {epoch!r}") from None
        else:
            now = dt.datetime.now(dt.UTC)
    return now.replace(microsecond=0)
