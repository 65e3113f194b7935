"""The ``trustgraph`` command: argparse over the library, one module per subcommand.

Each subcommand lives in ``trustgraph/cli/<name>.py`` and exposes ``register(subparsers) -> None`` (adds its parser
and sets ``func=run``) and ``run(args) -> int``. Modules named in :data:`SUBCOMMANDS` that do not exist yet are
skipped. Errors the user can cause print one line ``trustgraph: error: <message>`` on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from trustgraph import __version__
from trustgraph.errors import TrustgraphError

SUBCOMMANDS = ("inventory", "query", "scan", "graph", "synth", "bench", "collect")


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="trustgraph",
        description="Formal trust-graph analyzer for AWS IAM: who can obtain a role's credentials.",
    )
    parser.add_argument("--version", action="version", version=f"trustgraph {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        module_name = f"trustgraph.cli.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # not written yet
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 success, 2 usage or input error, 130 interrupted)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and argparse errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_usage(sys.stderr)
        print("trustgraph: error: a command is required", file=sys.stderr)
        return 2
    try:
        return int(func(args))
    except TrustgraphError as exc:
        print(f"trustgraph: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("trustgraph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (e.g. `| head`) went away: not an error of ours
        try:
            sys.stdout = open(__import__("os").devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
